//! Date parsing with a profile's formats, and telling day-first from month-first.

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
        "column {column:?} mixes day-first ({day_first:?}) and month-first ({month_first:?}) dates"
    )]
    Mixed {
        column: String,
        day_first: String,
        month_first: String,
    },
}

/// One format, compiled once: parsing a million dates should not parse the format a million
/// times.
#[derive(Debug, Clone)]
struct Format {
    class: Class,
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
    fn new(fmt: &str) -> Format {
        Format {
            class: classify(fmt),
            items: StrftimeItems::new(fmt).parse_to_owned().ok(),
            zoned: fmt.contains("%z") || fmt.contains("%:z"),
            timed: fmt.contains("%H"),
            utc: fmt.ends_with('Z'),
        }
    }
}

/// The formats of one date column, narrowed to the order the file uses.
#[derive(Debug, Clone)]
pub struct DateParser {
    formats: Vec<Format>,
    offset: FixedOffset,
    order: DateOrder,
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
    pub fn new(formats: &[String], offset: FixedOffset, order: DateOrder) -> Self {
        let mut p = DateParser {
            formats: formats.iter().map(|f| Format::new(f)).collect(),
            offset,
            order: DateOrder::Auto,
        };
        p.set_order(order);
        p
    }

    fn set_order(&mut self, order: DateOrder) {
        self.order = order;
        match order {
            DateOrder::Dmy => self.formats.retain(|f| f.class != Class::MonthFirst),
            DateOrder::Mdy => self.formats.retain(|f| f.class != Class::DayFirst),
            DateOrder::Auto => {}
        }
    }

    /// What `DateTime::parse_from_str` (zoned formats), else `NaiveDateTime::parse_from_str` or
    /// `NaiveDate::parse_from_str` at midnight (formats without a time) make of the value.
    fn parse_one(&self, value: &str, fmt: &Format) -> Option<i64> {
        let mut parsed = Parsed::new();
        parse(&mut parsed, value, fmt.items.as_ref()?.iter()).ok()?;
        if fmt.zoned {
            return parsed.to_datetime().ok().map(|d| d.timestamp());
        }
        let naive = parsed.to_naive_datetime_with_offset(0).ok().or_else(|| {
            (!fmt.timed)
                .then(|| parsed.to_naive_date().ok())
                .flatten()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })?;
        let offset = if fmt.utc {
            FixedOffset::east_opt(0)?
        } else {
            self.offset
        };
        offset
            .from_local_datetime(&naive)
            .single()
            .map(|d| d.timestamp())
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
        if let Some(t) = self.parse_class(v, Class::Neutral) {
            return Ok(t);
        }
        let d = self.parse_class(v, Class::DayFirst);
        let m = self.parse_class(v, Class::MonthFirst);
        match (d, m) {
            (Some(a), Some(b)) if a != b => Err(format!(
                "{} reads both day-first and month-first (use --date-order)",
                quoted(v)
            )),
            (Some(t), _) | (None, Some(t)) => Ok(t),
            (None, None) => Err(format!(
                "{} is not a date in any of the profile's formats",
                quoted(v)
            )),
        }
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
            (Some(_), None, _) => DateOrder::Dmy,
            (None, Some(_), _) => DateOrder::Mdy,
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
            .filter(|v| !v.trim().is_empty() && self.parse(v).is_ok())
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
