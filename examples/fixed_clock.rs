//! signoff with a clock the tests set: the library takes its clock from its caller, and this
//! caller reads it from `SIGNOFF_TEST_CLOCK` (RFC 3339). With `SIGNOFF_TEST_CLOCK_TICKS=1` it
//! moves on in real time from there; otherwise it stands still. The `signoff` binary itself
//! only ever reads the system clock: this program is built for the tests, never installed.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};

fn main() {
    let start = std::env::var("SIGNOFF_TEST_CLOCK")
        .ok()
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|t| t.with_timezone(&Utc));
    let Some(start) = start else {
        eprintln!("fixed_clock: set SIGNOFF_TEST_CLOCK to an RFC 3339 time");
        std::process::exit(2);
    };
    let ticks = std::env::var("SIGNOFF_TEST_CLOCK_TICKS").is_ok_and(|v| v == "1");
    let began = Instant::now();
    let clock: signoff::commands::Clock = Arc::new(move || {
        if ticks {
            start + chrono::Duration::from_std(began.elapsed()).unwrap_or_default()
        } else {
            start
        }
    });
    std::process::exit(signoff::entry::main(clock));
}
