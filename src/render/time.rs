//! Moments as signoff prints them, always in UTC: to the minute or the day in tables and
//! lines, and written out in full in a letter to a customer.

use chrono::DateTime;

/// Unix seconds as "2026-11-20 09:14" (UTC).
pub fn fmt_time(t: i64) -> String {
    DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| t.to_string())
}

/// Unix seconds as "2026-11-20" (UTC).
pub fn fmt_date(t: i64) -> String {
    DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| t.to_string())
}

/// Unix seconds as a letter dates things: "20 November 2026".
pub fn long_date(t: i64) -> String {
    DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%-d %B %Y").to_string())
        .unwrap_or_default()
}

/// Unix seconds as a letter times a message: "20 November 2026, 09:14 UTC".
pub fn long_time(t: i64) -> String {
    DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%-d %B %Y, %H:%M UTC").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_utc() {
        let t = 1_795_166_040; // 2026-11-20 09:14 UTC
        assert_eq!(fmt_time(t), "2026-11-20 09:14");
        assert_eq!(fmt_date(t), "2026-11-20");
        assert_eq!(long_date(t), "20 November 2026");
        assert_eq!(long_time(t), "20 November 2026, 09:14 UTC");
    }
}
