//! What a column holds, for drafting a profile: its name's words, and whether its values are
//! dates (in which formats and order), unique, long free text, 0–10 scores, yes/no, e-mail
//! addresses or phone numbers, or a handful of repeated names.

use std::collections::HashSet;

use chrono::{Offset, Utc};

use super::dates::DateParser;
use super::profile::{normalize_header, DateOrder};

/// The date formats a draft tries, tried in this order; a profile lists those its columns use.
pub const DATE_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S%.f%:z",
    "%Y-%m-%dT%H:%M:%S%:z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %I:%M:%S %p",
    "%d/%m/%Y %I:%M %p",
    "%d/%m/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%m-%d-%Y %H:%M",
    "%m-%d-%Y",
    "%d %b %Y %H:%M",
    "%d %b %Y",
    "%b %d, %Y %I:%M %p",
    "%b %d, %Y",
    "%B %d, %Y",
    "%a %b %d %H:%M:%S %z %Y",
    "%a, %d %b %Y %H:%M:%S %z",
];

/// Each format alone, read in each order: which formats read a value, and which of them a
/// settled order keeps. The importer's own date parser does the reading.
pub struct DateKit {
    auto: Vec<DateParser>,
    dmy: Vec<DateParser>,
    mdy: Vec<DateParser>,
}

impl DateKit {
    pub fn new() -> DateKit {
        let utc = Utc.fix();
        let each = |order| {
            DATE_FORMATS
                .iter()
                .map(|f| DateParser::new(&[f.to_string()], utc, order))
                .collect()
        };
        DateKit {
            auto: each(DateOrder::Auto),
            dmy: each(DateOrder::Dmy),
            mdy: each(DateOrder::Mdy),
        }
    }

    /// The formats (indices into [`DATE_FORMATS`]) that read at least one value, when every
    /// value is read by one of them; None when some value is no date.
    pub fn formats(&self, values: &[&str]) -> Option<Vec<usize>> {
        let mut used = vec![false; DATE_FORMATS.len()];
        for v in values {
            let mut any = false;
            for (i, p) in self.auto.iter().enumerate() {
                if separators_fit(DATE_FORMATS[i], v) && p.parse(v).is_ok() {
                    used[i] = true;
                    any = true;
                }
            }
            if !any {
                return None;
            }
        }
        let used: Vec<usize> = (0..used.len()).filter(|&i| used[i]).collect();
        (!used.is_empty()).then_some(used)
    }

    /// Of `formats`, those that read one of `values` in `order`.
    pub fn kept(&self, formats: &[usize], values: &[&str], order: DateOrder) -> Vec<usize> {
        let parsers = match order {
            DateOrder::Auto => &self.auto,
            DateOrder::Dmy => &self.dmy,
            DateOrder::Mdy => &self.mdy,
        };
        // A parser given an order also reads a day/month format with the two swapped; a draft
        // lists only the formats written in the order the column settled.
        let against = |i: usize| {
            matches!(
                (order, day_first(DATE_FORMATS[i])),
                (DateOrder::Dmy, Some(false)) | (DateOrder::Mdy, Some(true))
            )
        };
        formats
            .iter()
            .copied()
            .filter(|&i| !against(i) && values.iter().any(|v| parsers[i].parse(v).is_ok()))
            .collect()
    }

    /// The order the values settle (the importer's detection), or why they do not.
    pub fn order(
        &self,
        column: &str,
        formats: &[usize],
        values: &[&str],
    ) -> Result<DateOrder, String> {
        let fmts: Vec<String> = formats
            .iter()
            .map(|&i| DATE_FORMATS[i].to_string())
            .collect();
        let utc = Utc.fix();
        DateParser::new(&fmts, utc, DateOrder::Auto)
            .detect_order(column, values.iter().copied())
            .map_err(|e| e.to_string())
    }
}

/// Whether the value writes its date with the separators the format names: the importer's
/// parser also reads `27-04-2023` with `%d/%m/%Y`, but a draft lists the format the file uses.
fn separators_fit(format: &str, value: &str) -> bool {
    let mut chars = format.chars();
    let mut wanted = Vec::new();
    while let Some(c) = chars.next() {
        if c == '%' {
            chars.next();
        } else if matches!(c, '/' | '.' | '-') {
            wanted.push(c);
        }
    }
    wanted.iter().all(|c| value.contains(*c))
}

/// Whether a format writes the day before the month; None when it has not both as numbers.
fn day_first(format: &str) -> Option<bool> {
    let day = format.find("%d").or_else(|| format.find("%e"))?;
    let month = format.find("%m")?;
    Some(day < month)
}

/// One column of the header with what its values look like in the rows read.
pub struct Col<'a> {
    pub idx: usize,
    pub name: &'a str,
    /// Lowercase words of the name, camelCase and snake_case taken apart.
    words: String,
    /// Named, and named once: a column the header names twice cannot be mapped.
    pub usable: bool,
    /// The non-empty values, trimmed.
    pub values: Vec<&'a str>,
    pub rows: usize,
    pub distinct: usize,
    pub avg_chars: usize,
    /// Formats that read every value, if every value is a date.
    pub dates: Option<Vec<usize>>,
}

impl<'a> Col<'a> {
    pub fn new(
        idx: usize,
        header: &'a [String],
        rows: &'a [Vec<String>],
        kit: &DateKit,
    ) -> Col<'a> {
        let name = header[idx].as_str();
        let key = normalize_header(name);
        let usable =
            !key.is_empty() && header.iter().filter(|h| normalize_header(h) == key).count() == 1;
        let values: Vec<&str> = rows
            .iter()
            .filter_map(|r| r.get(idx))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        let distinct = values.iter().collect::<HashSet<_>>().len();
        let chars: usize = values.iter().map(|v| v.chars().count()).sum();
        let dates = if values.iter().any(|v| v.bytes().any(|b| b.is_ascii_digit())) {
            kit.formats(&values)
        } else {
            None
        };
        Col {
            idx,
            name,
            words: words(name),
            usable,
            avg_chars: chars.checked_div(values.len()).unwrap_or(0),
            values,
            rows: rows.len(),
            distinct,
            dates,
        }
    }

    /// Whether the name holds one of `hints` as whole words.
    pub fn named(&self, hints: &[&str]) -> bool {
        hints.iter().any(|h| self.words.contains(&format!(" {h} ")))
    }

    pub fn is_date(&self) -> bool {
        self.dates.is_some()
    }

    /// Every row has a value, and no two the same.
    pub fn unique(&self) -> bool {
        self.rows > 0 && self.values.len() == self.rows && self.distinct == self.rows
    }

    /// Sentences rather than codes or names.
    pub fn long_text(&self) -> bool {
        let spaced = self
            .values
            .iter()
            .filter(|v| v.contains(char::is_whitespace))
            .count();
        !self.is_date() && self.avg_chars >= 25 && spaced * 2 >= self.values.len()
    }

    /// A handful of names repeated across rows.
    pub fn few_values(&self) -> bool {
        !self.values.is_empty()
            && !self.is_date()
            && !self.long_text()
            && self.distinct <= 30
            && (self.values.len() < 4 || self.distinct * 2 <= self.values.len())
    }

    /// Every value (and at least one) passes `test`.
    pub fn all(&self, test: impl Fn(&str) -> bool) -> bool {
        !self.values.is_empty() && self.values.iter().all(|v| test(v))
    }

    /// At least four in five values (and at least one) pass `test`.
    pub fn mostly(&self, test: impl Fn(&str) -> bool) -> bool {
        let n = self.values.iter().filter(|v| test(v)).count();
        n > 0 && n * 5 >= self.values.len() * 4
    }

    pub fn example(&self) -> &str {
        self.values.first().copied().unwrap_or("")
    }
}

fn words(name: &str) -> String {
    let mut out = String::from(" ");
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower {
                out.push(' ');
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            out.extend(c.to_lowercase());
        } else {
            if !out.ends_with(' ') {
                out.push(' ');
            }
            prev_lower = false;
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// A whole number from 0 to 10, as the importer reads likelihood.
pub fn score_0_10(v: &str) -> bool {
    v.parse::<f64>()
        .is_ok_and(|n| n.fract() == 0.0 && (0.0..=10.0).contains(&n))
}

/// The values the drafted `[values.wants_contact]` map reads, and what they become.
pub const YES_NO: &[(&str, &str)] = &[
    ("yes", "true"),
    ("y", "true"),
    ("true", "true"),
    ("1", "true"),
    ("no", "false"),
    ("n", "false"),
    ("false", "false"),
    ("0", "false"),
];

pub fn yes_no(v: &str) -> bool {
    YES_NO.iter().any(|(k, _)| k.eq_ignore_ascii_case(v))
}

pub fn email(v: &str) -> bool {
    match v.split_once('@') {
        Some((user, host)) => {
            !user.is_empty()
                && host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
                && !v.contains(char::is_whitespace)
        }
        None => false,
    }
}

pub fn phone(v: &str) -> bool {
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    (7..=15).contains(&digits)
        && v.chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_words() {
        assert_eq!(words("Caller ID Number"), " caller id number ");
        assert_eq!(words("ticketId"), " ticket id ");
        assert_eq!(
            words("likelihood_to_recommend"),
            " likelihood to recommend "
        );
        assert_eq!(words("E-mail"), " e mail ");
    }

    #[test]
    fn values_are_recognised() {
        assert!(score_0_10("7") && score_0_10("10") && !score_0_10("11") && !score_0_10("x"));
        assert!(yes_no("Yes") && yes_no("N") && !yes_no("maybe"));
        assert!(email("ann@example.com") && !email("ann at example") && !email("a@b"));
        assert!(phone("(555) 010-4477") && phone("+44 20 7946 0018") && !phone("12345"));
    }

    #[test]
    fn date_formats_and_order() {
        let kit = DateKit::new();
        let v = ["10/28/2026 09:14:00 AM", "11/02/2026 04:05:00 PM"];
        let f = kit.formats(&v).expect("dates");
        assert!(f.iter().any(|&i| DATE_FORMATS[i] == "%m/%d/%Y %I:%M:%S %p"));
        assert_eq!(kit.order("Created", &f, &v), Ok(DateOrder::Mdy));
        let kept = kit.kept(&f, &v, DateOrder::Mdy);
        assert_eq!(
            kept.iter().map(|&i| DATE_FORMATS[i]).collect::<Vec<_>>(),
            ["%m/%d/%Y %I:%M:%S %p"]
        );
        assert!(kit.formats(&["2026-11-20", "soon"]).is_none());
        assert!(kit
            .order(
                "d",
                &kit.formats(&["03/04/2026"]).expect("d"),
                &["03/04/2026"]
            )
            .is_err());
    }
}
