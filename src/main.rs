use clap::Parser;

fn main() {
    // Like any Unix filter: `signoff samples | head` ends quietly when the reader goes away.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    signoff::commands::out::install_panic_hook();
    let cli = signoff::cli::Cli::parse();
    // `SIGNOFF_LOG=debug` traces to stderr (the review screen logs to a file of its own).
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("SIGNOFF_LOG") {
        if !matches!(
            cli.command,
            signoff::cli::Command::Review(_) | signoff::cli::Command::Demo(_)
        ) {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .try_init();
        }
    }
    if let Err(err) = signoff::commands::run(cli) {
        let msg = format!("{err:#}");
        if !msg.is_empty() {
            eprintln!("signoff: {msg}");
        }
        std::process::exit(signoff::commands::exit_code(&err));
    }
}
