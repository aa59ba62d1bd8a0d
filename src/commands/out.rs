//! Standard output that reports failure instead of panicking: `println!` panics when the
//! output is a full disk or a closed pipe, and a command that saved something must still say
//! that it did.

use std::io::Write;

use crate::error::failed;

/// A write to standard output that failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot write to standard output: {0}")]
pub struct StdoutError(#[from] pub std::io::Error);

/// Writes one formatted line to standard output and flushes it.
pub fn line(args: std::fmt::Arguments<'_>) -> Result<(), StdoutError> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(args)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// `println!` that returns a [`StdoutError`] instead of panicking.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::commands::out::line(format_args!($($arg)*))
    };
}

/// A value as pretty JSON, with text made inert as [`super::Ctx::print_json`] does.
pub fn json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| anyhow::anyhow!("cannot write JSON: {e}"))?;
    line(format_args!("{}", crate::domain::text::json_inert(text)))?;
    Ok(())
}

/// Lets a write to a closed pipe fail with an error rather than end the process (main makes
/// SIGPIPE end it, as it does a Unix filter): a command that has saved something says so on
/// standard error before it exits.
pub fn survive_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: ignoring a signal changes no memory; the previous disposition is not needed.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

/// What to do when the result of something saved could not be printed: say what was saved,
/// on standard error, and fail.
pub fn after_save(what: &str, printed: anyhow::Result<()>) -> anyhow::Result<()> {
    printed.map_err(|e| failed(format!("saved {what} but could not print it: {e:#}")))
}

/// For main: a panic from `print!`/`println!` on a closed or full output (in code not yet
/// writing through [`line`]) ends the command with a message and status 1, not a panic.
pub fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if let Some(why) = payload.strip_prefix("failed printing to stdout: ") {
            let _ = writeln!(
                std::io::stderr(),
                "signoff: cannot write to standard output: {why}"
            );
            std::process::exit(1);
        }
        default(info);
    }));
}
