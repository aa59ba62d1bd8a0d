//! The program's entry, shared by `signoff` and the test harness's clocked build of it.

use clap::Parser;

use crate::commands::Clock;

/// Parses the command line, runs the command with `clock`, and returns the exit status.
pub fn main(clock: Clock) -> i32 {
    // Like any Unix filter: `signoff samples | head` ends quietly when the reader goes away.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    crate::commands::out::install_panic_hook();
    let cli = crate::cli::Cli::parse();
    // `SIGNOFF_LOG=debug` traces to stderr (the review screen logs to a file of its own).
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("SIGNOFF_LOG") {
        if !matches!(
            cli.command,
            crate::cli::Command::Review(_) | crate::cli::Command::Demo(_)
        ) {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .try_init();
        }
    }
    match crate::commands::run_with_clock(cli, clock) {
        Ok(()) => 0,
        Err(err) => {
            let msg = format!("{err:#}");
            if !msg.is_empty() {
                eprintln!("signoff: {msg}");
            }
            crate::error::exit_code(&err)
        }
    }
}
