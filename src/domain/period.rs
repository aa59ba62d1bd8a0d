//! Report periods: the one reported and the earlier ones its trend compares it with. All start
//! and end at midnight UTC, so daily tallies add up to them exactly.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc, Weekday};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    /// "2026-11-15 – 2026-11-21"
    pub label: String,
    /// A short label for chart axes: "15 Nov".
    pub short: String,
    /// Unix seconds, inclusive.
    pub start: i64,
    /// Unix seconds, exclusive.
    pub end: i64,
}

/// The ISO week of `t` as a sample's label: "2026-W47".
pub fn iso_week_label(t: DateTime<Utc>) -> String {
    let w = t.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// How far back each earlier period of the trend lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stride {
    Days(u64),
    Months(u32),
}

fn midnight(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp())
        .unwrap_or_default()
}

fn period(start: NaiveDate, end: NaiveDate) -> Period {
    let last = end.pred_opt().unwrap_or(end);
    Period {
        label: format!("{start} – {last}"),
        short: start.format("%-d %b").to_string(),
        start: midnight(start),
        end: midnight(end),
    }
}

fn back(d: NaiveDate, stride: Stride, times: u32) -> Option<NaiveDate> {
    match stride {
        Stride::Days(n) => d.checked_sub_days(Days::new(n * u64::from(times))),
        Stride::Months(n) => d.checked_sub_months(Months::new(n * times)),
    }
}

/// Parses `week`, `month`, `bimonthly` (the 7 days, month or two months up to and including
/// today), a range `2026-11-01..2026-11-21` (both days included), an ISO week `2026-W47` or a
/// calendar month `2026-11`.
pub fn parse(spec: &str, now: DateTime<Utc>) -> Result<(Period, Stride), String> {
    let today = now.date_naive();
    let end = today.succ_opt().ok_or("the date is out of range")?;
    let rolling = |stride: Stride| {
        back(end, stride, 1)
            .map(|start| (period(start, end), stride))
            .ok_or_else(|| "the date is out of range".to_string())
    };
    let s = spec.trim();
    match s {
        "week" => return rolling(Stride::Days(7)),
        "month" => return rolling(Stride::Months(1)),
        "bimonthly" => return rolling(Stride::Months(2)),
        _ => {}
    }
    let date = |t: &str| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").ok();
    if let Some((a, b)) = s.split_once("..") {
        let (Some(a), Some(b)) = (date(a), date(b)) else {
            return Err(format!("{spec:?}: a range is YYYY-MM-DD..YYYY-MM-DD"));
        };
        let end = b.succ_opt().ok_or("the date is out of range")?;
        if a >= end {
            return Err(format!("{spec:?}: the range ends before it starts"));
        }
        let days = (end - a).num_days() as u64;
        return Ok((period(a, end), Stride::Days(days)));
    }
    if let Some((y, w)) = s.split_once("-W") {
        let start = y
            .parse()
            .ok()
            .zip(w.parse().ok())
            .and_then(|(y, w)| NaiveDate::from_isoywd_opt(y, w, Weekday::Mon))
            .ok_or_else(|| format!("{spec:?}: an ISO week is like 2026-W47"))?;
        let end = start + Days::new(7);
        return Ok((period(start, end), Stride::Days(7)));
    }
    if let Some(start) = date(&format!("{s}-01")) {
        let end = start + Months::new(1);
        return Ok((period(start, end), Stride::Months(1)));
    }
    Err(format!(
        "{spec:?} is not a period: use week, month, bimonthly, YYYY-MM-DD..YYYY-MM-DD, YYYY-Www or YYYY-MM"
    ))
}

/// `count` periods ending with `p`, oldest first, each `stride` before the next.
pub fn trend(p: &Period, stride: Stride, count: u32) -> Vec<Period> {
    let day = |t: i64| DateTime::from_timestamp(t, 0).map(|d| d.date_naive());
    let Some(end) = day(p.end) else {
        return vec![p.clone()];
    };
    // Counted back from the end, so that clamped month ends ("31 March" less a month) still
    // leave each period starting where the one before it ended.
    let mut out: Vec<Period> = (1..count.max(1))
        .rev()
        .filter_map(|i| Some(period(back(end, stride, i + 1)?, back(end, stride, i)?)))
        .collect();
    out.push(p.clone());
    out
}

/// The UTC day number of a time (days since 1970-01-01).
pub fn day_of(t: i64) -> i64 {
    t.div_euclid(86_400)
}

/// "2026-W47" for a time, as sample labels use.
pub fn iso_week(t: i64) -> String {
    DateTime::from_timestamp(t, 0)
        .map(|d| {
            let w = d.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0)
            .single()
            .expect("date")
    }

    #[test]
    fn named_periods_end_tonight() {
        let (w, s) = parse("week", now()).expect("week");
        assert_eq!(w.label, "2026-11-15 – 2026-11-21");
        assert_eq!(w.end - w.start, 7 * 86_400);
        assert_eq!(s, Stride::Days(7));
        let (m, _) = parse("month", now()).expect("month");
        assert_eq!(m.label, "2026-10-22 – 2026-11-21");
        let (b, _) = parse("bimonthly", now()).expect("bimonthly");
        assert_eq!(b.label, "2026-09-22 – 2026-11-21");
        assert_eq!(b.short, "22 Sep");
    }

    #[test]
    fn explicit_periods_parse() {
        let (r, s) = parse("2026-11-01..2026-11-10", now()).expect("range");
        assert_eq!(r.label, "2026-11-01 – 2026-11-10");
        assert_eq!(s, Stride::Days(10));
        let (w, _) = parse("2026-W47", now()).expect("iso week");
        assert_eq!(w.label, "2026-11-16 – 2026-11-22");
        let (m, s) = parse("2026-02", now()).expect("month");
        assert_eq!(m.label, "2026-02-01 – 2026-02-28");
        assert_eq!(s, Stride::Months(1));
        assert!(parse("2026-11-10..2026-11-01", now()).is_err());
        assert!(parse("fortnight", now()).is_err());
        assert!(parse("2026-W60", now()).is_err());
    }

    #[test]
    fn trends_step_back_without_gaps() {
        let (m, s) = parse("2026-03", now()).expect("month");
        let t = trend(&m, s, 3);
        let labels: Vec<&str> = t.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "2026-01-01 – 2026-01-31",
                "2026-02-01 – 2026-02-28",
                "2026-03-01 – 2026-03-31"
            ]
        );
        let (w, s) = parse("week", now()).expect("week");
        let t = trend(&w, s, 6);
        assert_eq!(t.len(), 6);
        assert!(t.windows(2).all(|p| p[0].end == p[1].start));
        assert_eq!(iso_week(w.start), "2026-W46");
        assert_eq!(day_of(-1), -1);
    }
}
