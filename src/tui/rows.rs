//! The queue's rows: a sample's items, or a division head's list, each with its status now.

use rusqlite::{params, Connection};

use super::data::Row;
use crate::domain::decision::Status;
use crate::domain::text::one_line;
use crate::store::{division_list, samples};

pub fn row_for(conn: &Connection, id: i64, reason: String, now: i64) -> rusqlite::Result<Row> {
    let mut st = conn.prepare_cached(
        "SELECT external_id, division, received_at, channel, subject, complaint_text, likelihood,
                wants_contact, COALESCE(message_count, 1 + (response_text IS NOT NULL))
         FROM complaints WHERE id = ?1",
    )?;
    let mut row = st.query_row(params![id], |r| {
        let subject: Option<String> = r.get(4)?;
        let text: String = r.get(5)?;
        Ok(Row {
            complaint_id: id,
            external_id: r.get(0)?,
            division: r.get(1)?,
            received_at: r.get(2)?,
            channel: r.get(3)?,
            subject: one_line(subject.as_deref().unwrap_or(&text), 120),
            likelihood: r.get(6)?,
            wants_contact: r.get(7)?,
            status: Status::Pending,
            reason,
            messages: r.get(8)?,
            pushed_back: false,
        })
    })?;
    let item = crate::store::rollup::item(conn, id, &row.division, &row.reason, now)?;
    (row.status, row.pushed_back) = (item.status, item.pushed_back);
    Ok(row)
}

/// The sample's items, in draw order, limited to the divisions the person may see.
pub fn sample_rows(
    conn: &Connection,
    sample_id: i64,
    scope: Option<&[String]>,
    now: i64,
) -> rusqlite::Result<Vec<Row>> {
    let mut out = Vec::new();
    for it in samples::items(conn, sample_id)? {
        let row = row_for(conn, it.complaint_id, it.reason, now)?;
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
        let row = row_for(conn, l.complaint_id, l.reason, now)?;
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
