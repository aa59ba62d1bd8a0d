//! Drafting a profile for an export no profile reads: each field guessed from the columns'
//! names and the values of the rows read, every guess with its reason, the columns left
//! unmapped listed. Pure over a header and rows; `draft_toml` writes the result.

use super::draft_columns::{email, score_0_10, yes_no, Col, DateKit};
use super::draft_guess::Drafting;
use super::profile::DateOrder;

/// The division of complaints whose export names none.
pub const DEFAULT_DIVISION: &str = "General";

/// One field mapped to a column, and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Guess {
    pub field: &'static str,
    pub column: String,
    pub why: String,
}

/// A column no field reads, and what it holds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Unmapped {
    pub column: String,
    pub note: String,
}

#[derive(Debug, Clone)]
pub struct Draft {
    pub name: String,
    /// Mapped fields, in the order of the profile's `[fields]`.
    pub guesses: Vec<Guess>,
    pub unmapped: Vec<Unmapped>,
    /// What the draft could not settle: each needs a look before importing.
    pub warnings: Vec<String>,
    pub date_formats: Vec<String>,
    pub date_order: DateOrder,
    pub date_order_why: String,
    /// `defaults.division`, and why.
    pub default_division: (String, String),
    pub wants_contact_values: bool,
    /// Where the header was found, so the profile searches far enough for it.
    pub header_line: u64,
}

/// Drafts a profile named `name` for a file whose header (found on `header_line`) and first
/// rows are given.
pub fn draft(name: &str, header: &[String], header_line: u64, rows: &[Vec<String>]) -> Draft {
    let kit = DateKit::new();
    let cols: Vec<Col> = (0..header.len())
        .map(|i| Col::new(i, header, rows, &kit))
        .collect();
    let mut d = Drafting {
        cols: &cols,
        taken: vec![false; cols.len()],
        guesses: Vec::new(),
        warnings: Vec::new(),
        none: rows.is_empty(),
    };
    if d.none {
        d.warnings.push(
            "the file has no rows after its header: every guess is from the column names alone"
                .into(),
        );
    }
    d.guess_fields();
    let (date_formats, date_order, date_order_why) = d.dates(&kit);
    let default_division = match d.column_of("division") {
        Some(c) => (
            DEFAULT_DIVISION.to_string(),
            format!("for rows whose {:?} is empty", c.name),
        ),
        None => {
            d.warnings.push(format!(
                "no column looks like a division: every complaint goes to {DEFAULT_DIVISION:?} (defaults.division)"
            ));
            (
                DEFAULT_DIVISION.to_string(),
                "no column of the export names a division".into(),
            )
        }
    };
    let unmapped = cols
        .iter()
        .filter(|c| !d.taken[c.idx])
        .map(|c| Unmapped {
            column: c.name.to_string(),
            note: note(c),
        })
        .collect();
    let mut guesses = std::mem::take(&mut d.guesses);
    let order = |f: &str| super::profile::FIELD_NAMES.iter().position(|n| *n == f);
    guesses.sort_by_key(|g| order(g.field));
    Draft {
        name: name.to_string(),
        wants_contact_values: guesses.iter().any(|g| g.field == "wants_contact"),
        guesses,
        unmapped,
        warnings: d.warnings,
        date_formats,
        date_order,
        date_order_why,
        default_division,
        header_line,
    }
}

/// What an unmapped column holds, in a few words.
fn note(c: &Col) -> String {
    if !c.usable {
        return match c.name.trim().is_empty() {
            true => format!("column {} has no name, so no field can read it", c.idx + 1),
            false => "the header names it more than once, so no field can read it".into(),
        };
    }
    if c.values.is_empty() {
        return "empty in the rows read".into();
    }
    let e = shown(c.example());
    if c.is_date() {
        format!("dates such as {e}")
    } else if c.all(score_0_10) && c.distinct > 2 {
        format!("whole numbers from 0 to 10 such as {e}: map it to likelihood if it is how likely the customer is to recommend")
    } else if c.all(yes_no) {
        format!("yes/no values such as {e}: map it to wants_contact if it says the customer wants to be contacted")
    } else if c.mostly(email) {
        format!("e-mail addresses such as {e}")
    } else if c.long_text() {
        format!("free text such as {e}")
    } else {
        format!(
            "{} distinct values in {} rows, such as {e}",
            c.distinct, c.rows
        )
    }
}

/// A value from the file for a comment or message: one line, inert, cut short, quoted.
pub fn shown(v: &str) -> String {
    format!("{:?}", crate::domain::text::one_line(v, 40))
}

#[cfg(test)]
#[path = "draft_tests.rs"]
mod tests;
