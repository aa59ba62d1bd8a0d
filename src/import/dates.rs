//! Date parsing with a profile's formats, and telling day-first from month-first.
//!
//! Spreadsheets re-save dates their own way: `2020/3/18` for `2020-03-18`, `8/30/2013` for
//! `08/30/2013`, `27-04-2023` for `27/04/2023`. Numbers may go unpadded in any format, and a
//! format's numeric date is also read with `-`, `/` or `.` between its parts, where the profile
//! lists no format of its own for dates written that way. Which of day and
//! month comes first is never guessed: the profile's order, `--date-order` or the column's own
//! values settle it, and a column they leave open is refused. Nor is a century: a year of two
//! digits is refused unless the profile lists a format with `%y`.

use chrono::format::{parse, Item, Parsed, StrftimeItems};
use chrono::{FixedOffset, TimeZone};

use super::profile::DateOrder;
use crate::domain::text::quoted;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Year first, or month names: never confused.
    Neutral,
    DayFirst,
    MonthFirst,
}

fn classify(fmt: &str) -> Class {
    let pos = |pats: &[&str]| pats.iter().filter_map(|p| fmt.find(p)).min();
    let (y, m, d) = (pos(&["%Y", "%y"]), pos(&["%m"]), pos(&["%d", "%e"]));
    match (y, m, d) {
        (Some(y), Some(m), Some(d)) if y < m && y < d => Class::Neutral,
        (_, Some(m), Some(d)) if d < m => Class::DayFirst,
        (_, Some(_), Some(_)) => Class::MonthFirst,
        _ => Class::Neutral,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("column {column:?}: dates such as {example:?} read both day-first and month-first; say which with --date-order dmy or --date-order mdy")]
    Ambiguous { column: String, example: String },
    #[error(
        "column {column:?} mixes day-first ({day_first:?}) and month-first ({month_first:?}) dates: correct the export, or say which order to read with --date-order dmy or --date-order mdy (dates only the other order reads are then rejected)"
    )]
    Mixed {
        column: String,
        day_first: String,
        month_first: String,
    },
}

/// Where a format comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Origin {
    /// Listed by the profile.
    Listed,
    /// A listed format with another separator between the parts of its date: `%d-%m-%Y` for
    /// `%d/%m/%Y`.
    Separator,
    /// A listed day/month format with day and month swapped: used only once the order is
    /// given (by the profile or `--date-order`), never to settle one.
    Twin,
}

/// One format, compiled once: parsing a million dates should not parse the format a million
/// times.
#[derive(Debug, Clone)]
struct Format {
    text: String,
    class: Class,
    origin: Origin,
    /// None when the format itself is invalid: it then reads nothing.
    items: Option<Vec<Item<'static>>>,
    /// Has an offset (%z): the value says its own zone.
    zoned: bool,
    /// Has a time (%H): a bare date does not do.
    timed: bool,
    /// Ends in a literal Z: UTC whatever the profile's offset.
    utc: bool,
}

impl Format {
    fn new(fmt: &str, origin: Origin) -> Format {
        Format {
            text: fmt.to_string(),
            class: classify(fmt),
            origin,
            items: StrftimeItems::new(fmt).parse_to_owned().ok(),
            zoned: fmt.contains("%z") || fmt.contains("%:z"),
            timed: fmt.contains("%H"),
            utc: fmt.ends_with('Z'),
        }
    }
}

/// What spreadsheets write between the parts of a numeric date.
const SEPARATORS: [u8; 3] = [b'-', b'/', b'.'];

/// Where a format's numeric date starts (`%d/%m/%Y`, `%Y-%m-%d`: three parts, one separator).
fn numeric_date(fmt: &str) -> Option<usize> {
    let b = fmt.as_bytes();
    let part =
        |i: usize| b.get(i) == Some(&b'%') && b.get(i + 1).is_some_and(|c| b"Ymdey".contains(c));
    (0..b.len()).find(|&i| {
        part(i)
            && part(i + 3)
            && part(i + 6)
            && SEPARATORS.contains(&b[i + 2])
            && b[i + 5] == b[i + 2]
    })
}

/// A numeric date's separator, and whether its year comes first.
fn date_shape(fmt: &str) -> Option<(u8, bool)> {
    let b = fmt.as_bytes();
    numeric_date(fmt).map(|i| (b[i + 2], matches!(b[i + 1], b'Y' | b'y')))
}

/// The format with each other separator between the parts of its numeric date (`%d/%m/%Y`
/// gives `%d-%m-%Y` and `%d.%m.%Y`), but none of a shape the profile lists formats for: a
/// profile that lists `%d.%m.%Y` alone has said how it reads dates with dots.
fn separator_variants(fmt: &str, listed: &[(u8, bool)]) -> Vec<String> {
    let (Some(i), Some((_, year_first))) = (numeric_date(fmt), date_shape(fmt)) else {
        return Vec::new();
    };
    let b = fmt.as_bytes();
    SEPARATORS
        .iter()
        .filter(|&&sep| sep != b[i + 2] && !listed.contains(&(sep, year_first)))
        .map(|&sep| {
            let mut v = b.to_vec();
            v[i + 2] = sep;
            v[i + 5] = sep;
            String::from_utf8_lossy(&v).into_owned()
        })
        .collect()
}

/// A day/month format with day and month swapped: `%d/%m/%Y` ↔ `%m/%d/%Y`.
fn order_twin(fmt: &str) -> String {
    let day = if fmt.contains("%e") { 'e' } else { 'd' };
    let mut out = String::with_capacity(fmt.len());
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            match chars.next() {
                Some('m') => out.push(day),
                Some(c) if c == day => out.push('m'),
                Some(c) => out.push(c),
                None => {}
            }
        }
    }
    out
}

/// Why a format did not read a value.
enum Miss {
    NoMatch,
    /// It read a year below 100 for `%Y`: a century would be a guess.
    ShortYear(i32),
}

/// The formats of one date column, narrowed to the order the file uses.
#[derive(Debug, Clone)]
pub struct DateParser {
    /// The formats in use, in the order they are tried.
    formats: Vec<Format>,
    /// The others (the other order's; order twins while the order is open): tried only to say
    /// why a value is not a date.
    spare: Vec<Format>,
    offset: FixedOffset,
    order: DateOrder,
    /// A value of the column that settled its order, when its values did.
    settled_by: Option<String>,
}

pub fn parse_offset(s: &str) -> Option<FixedOffset> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("utc") || s == "Z" {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let secs = h.parse::<i32>().ok()? * 3600 + m.parse::<i32>().ok()? * 60;
    FixedOffset::east_opt(sign * secs)
}

impl DateParser {
    /// The profile's formats, then each with the other separators between the parts of its
    /// date, then the day/month ones with day and month swapped (for an order that is given).
    pub fn new(formats: &[String], offset: FixedOffset, order: DateOrder) -> Self {
        let mut all: Vec<Format> = Vec::new();
        let mut add = |text: String, origin: Origin| {
            if !all.iter().any(|f| f.text == text) {
                all.push(Format::new(&text, origin));
            }
        };
        for f in formats {
            add(f.clone(), Origin::Listed);
        }
        let listed: Vec<(u8, bool)> = formats.iter().filter_map(|f| date_shape(f)).collect();
        for f in formats {
            for v in separator_variants(f, &listed) {
                add(v, Origin::Separator);
            }
        }
        for f in formats.iter().filter(|f| classify(f) != Class::Neutral) {
            let twin = order_twin(f);
            let variants = separator_variants(&twin, &listed);
            add(twin, Origin::Twin);
            for v in variants {
                add(v, Origin::Twin);
            }
        }
        let mut p = DateParser {
            formats: all,
            spare: Vec::new(),
            offset,
            order: DateOrder::Auto,
            settled_by: None,
        };
        p.set_order(order);
        p
    }

    fn set_order(&mut self, order: DateOrder) {
        self.order = order;
        let mut all = std::mem::take(&mut self.formats);
        all.append(&mut self.spare);
        // Stable: listed formats first, in the profile's order.
        all.sort_by_key(|f| f.origin);
        (self.formats, self.spare) = all.into_iter().partition(|f| match order {
            DateOrder::Dmy => f.class != Class::MonthFirst,
            DateOrder::Mdy => f.class != Class::DayFirst,
            DateOrder::Auto => f.origin != Origin::Twin,
        });
    }

    /// What `DateTime::parse_from_str` (zoned formats), else `NaiveDateTime::parse_from_str` or
    /// `NaiveDate::parse_from_str` at midnight (formats without a time) make of the value.
    fn parse_one(&self, value: &str, fmt: &Format) -> Option<i64> {
        self.read(value, fmt).ok()
    }

    fn read(&self, value: &str, fmt: &Format) -> Result<i64, Miss> {
        let mut parsed = Parsed::new();
        let items = fmt.items.as_ref().ok_or(Miss::NoMatch)?;
        parse(&mut parsed, value, items.iter()).map_err(|_| Miss::NoMatch)?;
        if let Some(y) = parsed.year().filter(|y| (0..100).contains(y)) {
            return Err(Miss::ShortYear(y));
        }
        if fmt.zoned {
            return parsed
                .to_datetime()
                .map(|d| d.timestamp())
                .map_err(|_| Miss::NoMatch);
        }
        let naive = parsed
            .to_naive_datetime_with_offset(0)
            .ok()
            .or_else(|| {
                (!fmt.timed)
                    .then(|| parsed.to_naive_date().ok())
                    .flatten()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
            })
            .ok_or(Miss::NoMatch)?;
        let offset = match fmt.utc {
            true => FixedOffset::east_opt(0).ok_or(Miss::NoMatch)?,
            false => self.offset,
        };
        offset
            .from_local_datetime(&naive)
            .single()
            .map(|d| d.timestamp())
            .ok_or(Miss::NoMatch)
    }

    /// The first format of the class set that reads the value.
    fn parse_class(&self, value: &str, class: Class) -> Option<i64> {
        self.formats
            .iter()
            .filter(|f| f.class == class)
            .find_map(|f| self.parse_one(value, f))
    }

    /// Unix seconds, or a reason the value is not a date.
    pub fn parse(&self, value: &str) -> Result<i64, String> {
        let v = value.trim();
        self.try_parse(v).map_err(|ambiguous| match ambiguous {
            true => format!(
                "{} reads both day-first and month-first: say which with --date-order dmy or --date-order mdy",
                quoted(v)
            ),
            false => self.why_not(v),
        })
    }

    /// Unix seconds, or whether the value failed for reading two ways (else for reading none).
    fn try_parse(&self, v: &str) -> Result<i64, bool> {
        if let Some(t) = self.parse_class(v, Class::Neutral) {
            return Ok(t);
        }
        let d = self.parse_class(v, Class::DayFirst);
        let m = self.parse_class(v, Class::MonthFirst);
        match (d, m) {
            (Some(a), Some(b)) if a != b => Err(true),
            (Some(t), _) | (None, Some(t)) => Ok(t),
            (None, None) => Err(false),
        }
    }

    /// Why no format in use reads the value, and what would: the other order, a full year, or
    /// a format the profile does not list. Only rejected values come here.
    fn why_not(&self, v: &str) -> String {
        let q = quoted(v);
        // A value that starts with two digits is read year-first too: day or month formats
        // first, for the year they see.
        let mut all: Vec<&Format> = self.formats.iter().chain(&self.spare).collect();
        all.sort_by_key(|f| f.class == Class::Neutral);
        if let Some(y) = all.iter().find_map(|f| match self.read(v, f) {
            Err(Miss::ShortYear(y)) => Some(y),
            _ => None,
        }) {
            return format!(
                "{q} has a two-digit year ({y:02}), and which century it means would be a guess: export years in full, or list a format with %y (read as 1970-2069) in the profile's dates.formats"
            );
        }
        if let Some(f) = self
            .spare
            .iter()
            .find(|f| f.class != Class::Neutral && self.parse_one(v, f).is_some())
        {
            let (this, flag) = match f.class {
                Class::DayFirst => ("day-first", "dmy"),
                _ => ("month-first", "mdy"),
            };
            let fix =
                format!("if the file writes dates {this}, import it with --date-order {flag}");
            return match (&self.settled_by, self.order) {
                (Some(example), _) => format!(
                    "{q} reads only {this} ({}), but the column's other dates read the other way (such as {}): correct this row, or, {fix}",
                    f.text,
                    quoted(example)
                ),
                (None, DateOrder::Auto) => format!(
                    "{q} reads only {this} ({}), and the profile lists no {this} format: {fix}",
                    f.text
                ),
                (None, order) => format!(
                    "{q} reads only {this} ({}), but dates here are read {} (by the profile's dates.order or --date-order): {fix}",
                    f.text,
                    if order == DateOrder::Dmy { "day-first" } else { "month-first" }
                ),
            };
        }
        let tried: Vec<&str> = self
            .formats
            .iter()
            .filter(|f| f.origin != Origin::Separator)
            .map(|f| f.text.as_str())
            .collect();
        let order = match self.order {
            DateOrder::Dmy => "reading dates day-first, ",
            DateOrder::Mdy => "reading dates month-first, ",
            DateOrder::Auto => "",
        };
        let separators = if self.formats.iter().any(|f| f.origin == Origin::Separator) {
            "; each also with -, / or . between the parts of a date"
        } else {
            ""
        };
        format!(
            "{q} is not a date in any of the profile's formats ({order}tried {}{separators}): list the format the file uses in the profile's dates.formats",
            tried.join(", ")
        )
    }

    /// Works out the file's date order from sample values, unless the profile or a flag fixed it.
    pub fn detect_order<'a>(
        &mut self,
        column: &str,
        values: impl IntoIterator<Item = &'a str>,
    ) -> Result<DateOrder, OrderError> {
        if self.order != DateOrder::Auto {
            return Ok(self.order);
        }
        let (mut day_first, mut month_first, mut ambiguous) = (None, None, None);
        for v in values {
            let v = v.trim();
            if v.is_empty() || self.parse_class(v, Class::Neutral).is_some() {
                continue;
            }
            match (
                self.parse_class(v, Class::DayFirst),
                self.parse_class(v, Class::MonthFirst),
            ) {
                (Some(a), Some(b)) if a != b => {
                    ambiguous.get_or_insert_with(|| v.to_string());
                }
                (Some(_), None) => {
                    day_first.get_or_insert_with(|| v.to_string());
                }
                (None, Some(_)) => {
                    month_first.get_or_insert_with(|| v.to_string());
                }
                _ => {}
            }
        }
        let order = match (day_first, month_first, ambiguous) {
            (Some(d), Some(m), _) => {
                return Err(OrderError::Mixed {
                    column: column.to_string(),
                    day_first: d,
                    month_first: m,
                })
            }
            (Some(d), None, _) => {
                self.settled_by = Some(d);
                DateOrder::Dmy
            }
            (None, Some(m), _) => {
                self.settled_by = Some(m);
                DateOrder::Mdy
            }
            (None, None, Some(example)) => {
                return Err(OrderError::Ambiguous {
                    column: column.to_string(),
                    example,
                })
            }
            (None, None, None) => DateOrder::Auto,
        };
        self.set_order(order);
        Ok(order)
    }

    /// How many of the values parse: used to choose between profiles that share a header.
    pub fn parse_count<'a>(&self, values: impl IntoIterator<Item = &'a str>) -> usize {
        values
            .into_iter()
            .filter(|v| !v.trim().is_empty() && self.try_parse(v.trim()).is_ok())
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parser(order: DateOrder) -> DateParser {
        let fmts: Vec<String> = [
            "%Y-%m-%d %H:%M:%S",
            "%d/%m/%Y %H:%M",
            "%m/%d/%Y %H:%M",
            "%a %b %d %H:%M:%S %z %Y",
            "%Y-%m-%d",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        DateParser::new(&fmts, FixedOffset::east_opt(0).expect("utc"), order)
    }

    #[test]
    fn iso_and_twitter_dates_parse() {
        let p = parser(DateOrder::Auto);
        assert_eq!(p.parse("2026-11-20 09:14:00"), Ok(1_795_166_040));
        assert_eq!(p.parse("2026-11-20"), Ok(1_795_132_800));
        assert_eq!(p.parse("Wed Oct 11 06:55:44 +0000 2017"), Ok(1_507_704_944));
        assert!(p.parse("yesterday").is_err());
    }

    #[test]
    fn order_is_detected_or_refused() {
        let mut p = parser(DateOrder::Auto);
        assert_eq!(
            p.detect_order("Created", ["03/04/2026 10:00", "25/04/2026 10:00"]),
            Ok(DateOrder::Dmy)
        );
        assert_eq!(p.parse("03/04/2026 10:00"), p.parse("2026-04-03 10:00:00"));

        let mut p = parser(DateOrder::Auto);
        let err = p
            .detect_order("Created", ["03/04/2026 10:00", "05/06/2026 10:00"])
            .expect_err("ambiguous");
        assert!(matches!(err, OrderError::Ambiguous { ref column, .. } if column == "Created"));
        assert!(err.to_string().contains("03/04/2026 10:00"));

        let mut p = parser(DateOrder::Auto);
        assert!(matches!(
            p.detect_order("Created", ["13/04/2026 10:00", "04/13/2026 10:00"]),
            Err(OrderError::Mixed { .. })
        ));

        let mut p = parser(DateOrder::Mdy);
        assert_eq!(
            p.detect_order("Created", ["03/04/2026 10:00"]),
            Ok(DateOrder::Mdy)
        );
        assert_eq!(p.parse("03/04/2026 10:00"), p.parse("2026-03-04 10:00:00"));
    }

    fn with(formats: &[&str], order: DateOrder) -> DateParser {
        let fmts: Vec<String> = formats.iter().map(|s| s.to_string()).collect();
        DateParser::new(&fmts, FixedOffset::east_opt(0).expect("utc"), order)
    }

    fn day(y: i32, m: u32, d: u32) -> i64 {
        chrono::NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("a date")
            .and_utc()
            .timestamp()
    }

    #[test]
    fn spreadsheet_re_saves_parse() {
        let iso = with(&["%Y-%m-%d"], DateOrder::Auto);
        assert_eq!(iso.parse("2020/3/18"), Ok(day(2020, 3, 18)));
        assert_eq!(iso.parse("2020.03.18"), Ok(day(2020, 3, 18)));
        let us = with(&["%m/%d/%Y"], DateOrder::Mdy);
        assert_eq!(us.parse("8/30/2013"), Ok(day(2013, 8, 30)));
        assert_eq!(us.parse("8-30-2013"), Ok(day(2013, 8, 30)));
        // Day-first with dashes, settled by the column's values.
        let mut p = with(&["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y"], DateOrder::Auto);
        assert_eq!(
            p.detect_order("Created", ["03-04-2023", "27-04-2023"]),
            Ok(DateOrder::Dmy)
        );
        assert_eq!(p.parse("03-04-2023"), Ok(day(2023, 4, 3)));
        assert_eq!(p.parse("27/04/2023"), Ok(day(2023, 4, 27)));
    }

    #[test]
    fn a_shape_the_profile_lists_is_not_varied() {
        // Dotted dates are day-first here: no month-first dotted variant makes them ambiguous.
        let mut p = with(&["%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y"], DateOrder::Auto);
        assert_eq!(
            p.detect_order("Created", ["03.04.2026"]),
            Ok(DateOrder::Dmy)
        );
        assert_eq!(p.parse("03.04.2026"), Ok(day(2026, 4, 3)));
        // Dashes are not listed: both orders vary to them, and the column settles which.
        let mut p = with(&["%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y"], DateOrder::Auto);
        assert!(p.detect_order("Created", ["03-04-2026"]).is_err());
    }

    #[test]
    fn the_order_is_never_settled_by_a_swapped_format() {
        // The profile lists only month-first; its day-first twin is not used to settle the
        // order, but is once the order is given.
        let mut p = with(&["%m/%d/%Y"], DateOrder::Auto);
        assert_eq!(p.detect_order("When", ["27/04/2023"]), Ok(DateOrder::Auto));
        let err = p.parse("27/04/2023").expect_err("day-first");
        assert!(
            err.contains("reads only day-first (%d/%m/%Y), and the profile lists no day-first format: if the file writes dates day-first, import it with --date-order dmy"),
            "{err}"
        );
        let p = with(&["%m/%d/%Y"], DateOrder::Dmy);
        assert_eq!(p.parse("27/04/2023"), Ok(day(2023, 4, 27)));
        assert_eq!(p.parse("03/04/2023"), Ok(day(2023, 4, 3)));
    }

    #[test]
    fn errors_name_the_formats_tried_and_the_fix() {
        let us = with(&["%m/%d/%Y", "%Y-%m-%d"], DateOrder::Mdy);
        let err = us.parse("27/04/2023").expect_err("day-first");
        assert!(err.contains("but dates here are read month-first (by the profile's dates.order or --date-order): if the file writes dates day-first, import it with --date-order dmy"), "{err}");
        let err = us.parse("yesterday").expect_err("no date");
        assert!(err.starts_with("\"yesterday\" is not a date in any of the profile's formats (reading dates month-first, tried %m/%d/%Y, %Y-%m-%d; each also with -, / or . between the parts of a date): list the format the file uses in the profile's dates.formats"), "{err}");

        let mut p = with(&["%d/%m/%Y", "%m/%d/%Y"], DateOrder::Auto);
        assert_eq!(
            p.detect_order("Created", ["30/08/2013"]),
            Ok(DateOrder::Dmy)
        );
        let err = p.parse("08/30/2013").expect_err("the other order");
        assert!(err.contains("the column's other dates read the other way (such as \"30/08/2013\"): correct this row"), "{err}");
    }

    #[test]
    fn two_digit_years_are_refused_unless_the_profile_says_y() {
        let p = with(&["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y"], DateOrder::Auto);
        let err = p.parse("27-04-23").expect_err("short year");
        assert!(
            err.contains("\"27-04-23\" has a two-digit year (23)"),
            "{err}"
        );
        assert!(err.contains("%y"), "{err}");
        let p = with(&["%d-%m-%y"], DateOrder::Dmy);
        assert_eq!(p.parse("27-04-23"), Ok(day(2023, 4, 27)));
        assert_eq!(p.parse("27/04/99"), Ok(day(1999, 4, 27)));
    }

    #[test]
    fn offsets_parse() {
        assert_eq!(parse_offset("+02:00"), FixedOffset::east_opt(7200));
        assert!(parse_offset("-0530").is_none());
        assert_eq!(
            parse_offset("-05:30"),
            FixedOffset::east_opt(-(5 * 3600 + 1800))
        );
        assert_eq!(parse_offset("UTC"), FixedOffset::east_opt(0));
    }
}
