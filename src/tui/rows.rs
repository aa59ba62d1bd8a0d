//! The queue's rows: a sample's items, or a division head's list, each with its status now.

use rusqlite::Connection;

use crate::domain::decision::Status;
use crate::store::screen::{row, Row};
use crate::store::{division_list, samples};

/// The sample's items, in draw order, limited to the divisions the person may see.
pub fn sample_rows(
    conn: &Connection,
    sample_id: i64,
    scope: Option<&[String]>,
    now: i64,
) -> rusqlite::Result<Vec<Row>> {
    let mut out = Vec::new();
    for it in samples::items(conn, sample_id)? {
        let row = row(conn, it.complaint_id, it.reason, now)?;
        if scope.is_none_or(|s| s.contains(&row.division)) {
            out.push(row);
        }
    }
    Ok(out)
}

/// A division head's list: every item of the sample in their divisions, whatever its status,
/// and any other complaint of theirs still in play — pushed back, answered, or signed before its
/// text changed. The screen groups them by status.
pub fn division_rows(
    conn: &Connection,
    divisions: &[String],
    sample: Option<i64>,
    now: i64,
) -> rusqlite::Result<Vec<Row>> {
    let mut rows = Vec::new();
    for l in division_list::listed(conn, divisions, sample)? {
        let row = row(conn, l.complaint_id, l.reason, now)?;
        let in_play = matches!(
            row.status,
            Status::PushedBack { .. } | Status::Answered { .. } | Status::SignedTextChanged { .. }
        );
        if l.in_sample || in_play {
            rows.push(row);
        }
    }
    Ok(rows)
}
