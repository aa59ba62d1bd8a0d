use clap::Parser;

fn main() {
    // Like any Unix filter: `signoff samples | head` ends quietly when the reader goes away.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = signoff::cli::Cli::parse();
    if let Err(err) = signoff::commands::run(cli) {
        let msg = format!("{err:#}");
        if !msg.is_empty() {
            eprintln!("signoff: {msg}");
        }
        std::process::exit(signoff::commands::exit_code(&err));
    }
}
