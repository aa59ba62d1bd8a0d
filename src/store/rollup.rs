//! The items the roll-up counts (`domain::rollup`), each judged from all its decisions: one
//! sample's, every sample's, and the complaints decided outside any sample (ad hoc), which no
//! sample figure counts.

use rusqlite::{params, Connection};

use super::decisions::{current_text_hash, for_complaint};
use super::flag_reads::scope_param;
use crate::domain::decision::{effective, Decision, Kind};
use crate::domain::rollup::Item;

/// Whether a complaint's status needs its current text's hash: only when its last standing
/// decision is a sign-off (whether the signed text is still the text). Otherwise it is judged
/// against the empty hash.
pub fn needs_text_hash(decisions: &[Decision]) -> bool {
    matches!(effective(decisions).last(), Some(d) if d.kind == Kind::Approve)
}

/// The hash a complaint's status is judged against ([`needs_text_hash`]).
fn status_hash(conn: &Connection, id: i64, decisions: &[Decision]) -> rusqlite::Result<String> {
    match needs_text_hash(decisions) {
        true => current_text_hash(conn, id),
        false => Ok(String::new()),
    }
}

/// One complaint as the roll-up sees it.
pub fn item(
    conn: &Connection,
    complaint_id: i64,
    division: &str,
    reason: &str,
    now: i64,
) -> rusqlite::Result<Item> {
    let ds = for_complaint(conn, complaint_id)?;
    judge(conn, complaint_id, division, reason, &ds, now)
}

/// One complaint as the roll-up sees it, from decisions already read.
pub fn judge(
    conn: &Connection,
    complaint_id: i64,
    division: &str,
    reason: &str,
    decisions: &[Decision],
    now: i64,
) -> rusqlite::Result<Item> {
    let hash = status_hash(conn, complaint_id, decisions)?;
    Ok(Item::of(
        complaint_id,
        division,
        reason,
        decisions,
        &hash,
        now,
    ))
}

fn items(
    conn: &Connection,
    rows: Vec<(i64, String, String)>,
    now: i64,
) -> rusqlite::Result<Vec<Item>> {
    rows.into_iter()
        .map(|(id, reason, division)| item(conn, id, &division, &reason, now))
        .collect()
}

/// A sample's items in draw order, in the divisions given (None: all).
pub fn of_sample(
    conn: &Connection,
    sample_id: i64,
    divisions: Option<&[String]>,
    now: i64,
) -> rusqlite::Result<Vec<Item>> {
    let mut st = conn.prepare_cached(
        "SELECT si.complaint_id, si.reason, c.division
         FROM sample_items si JOIN complaints c ON c.id = si.complaint_id
         WHERE si.sample_id = ?1
           AND (?2 IS NULL OR c.division IN (SELECT value FROM json_each(?2)))
         ORDER BY si.position",
    )?;
    let rows = st
        .query_map(params![sample_id, scope_param(divisions)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    items(conn, rows, now)
}

/// Every sample's items, in the divisions given; with `decided_since`, only those with a
/// decision made since then. A complaint drawn twice is listed twice: the roll-up counts it once.
pub fn of_all_samples(
    conn: &Connection,
    divisions: Option<&[String]>,
    decided_since: Option<i64>,
    now: i64,
) -> rusqlite::Result<Vec<Item>> {
    let mut st = conn.prepare_cached(
        "SELECT si.complaint_id, si.reason, c.division
         FROM sample_items si JOIN complaints c ON c.id = si.complaint_id
         WHERE (?1 IS NULL OR c.division IN (SELECT value FROM json_each(?1)))
           AND (?2 IS NULL OR EXISTS (SELECT 1 FROM decisions d
                                      WHERE d.complaint_id = si.complaint_id AND d.at >= ?2))
         ORDER BY si.sample_id, si.position",
    )?;
    let rows = st
        .query_map(params![scope_param(divisions), decided_since], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    items(conn, rows, now)
}

/// Complaints decided outside any sample (found by search and decided, say), in the divisions
/// given; with `decided`, only those with a decision made in [start, end). Their decisions
/// carry no sample.
pub fn ad_hoc(
    conn: &Connection,
    divisions: Option<&[String]>,
    decided: Option<(i64, i64)>,
    now: i64,
) -> rusqlite::Result<Vec<Item>> {
    let mut st = conn.prepare_cached(
        "SELECT DISTINCT d.complaint_id, '', c.division
         FROM decisions d JOIN complaints c ON c.id = d.complaint_id
         WHERE NOT EXISTS (SELECT 1 FROM sample_items si WHERE si.complaint_id = d.complaint_id)
           AND (?1 IS NULL OR c.division IN (SELECT value FROM json_each(?1)))
           AND (?2 IS NULL OR (d.at >= ?2 AND d.at < ?3))
         ORDER BY d.complaint_id",
    )?;
    let (start, end) = decided.unzip();
    let rows = st
        .query_map(params![scope_param(divisions), start, end], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    items(conn, rows, now)
}
