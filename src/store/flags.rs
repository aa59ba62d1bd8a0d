//! Rebuilding the failure-mode flags: one pass over the complaints computes every flag, the
//! canned-reply groups and the daily tallies; one write replaces what was stored
//! (`flag_write`). Imports, answers and CAR steps keep the same tables up to date for what they
//! changed (`flag_update`); this full rebuild is `signoff flags --refresh`, and what a store gets
//! when the checks' settings change or it was never checked.

use std::time::Instant;

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};

use super::customers;
use super::flag_scan::scan;
use super::flag_write::write;
use super::reply_groups::{self, Group};
use crate::domain::canned;

/// The checks' settings, from the configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckSettings {
    pub canned: canned::Settings,
    /// Sources whose response is a status line, not a reply: not judged canned or refusing.
    pub status_sources: Vec<String>,
    pub late_secs: i64,
    pub contact_secs: i64,
    pub asked: Vec<String>,
    pub offered: Vec<String>,
    pub detractor_max: u8,
    /// The repeat check's window, in days.
    pub repeat_days: i64,
    /// Customer messages before the first answer that flag a thread (`thread_checks`).
    pub unanswered_writes: u32,
}

/// One day's counts for one division.
pub type Tally = crate::domain::report::DayCounts;

/// What a refresh did.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub complaints: i64,
    pub flagged: i64,
    pub canned_groups: i64,
    pub millis: i64,
}

/// Recomputes every flag from the complaints as they are now and replaces the stored ones, in
/// the caller's transaction (an import's, so that its complaints are seen and judged with it).
pub fn refresh(
    tx: &Transaction,
    s: &CheckSettings,
    by: &str,
    now: i64,
) -> rusqlite::Result<Summary> {
    let started = Instant::now();
    let known = known_texts(tx, s)?;
    let mut pass = scan(tx, s, now, known)?;
    let repeats = customers::repeats(tx, s.repeat_days, None)?;
    write(tx, &mut pass, &repeats, started, s, by, now)
}

/// A refresh that reads without holding the write lock and takes it only to replace the
/// results, so people signing meanwhile are not kept waiting for the whole pass. Complaints
/// imported in between are judged once the lock is held.
pub fn refresh_outside_write_lock(
    conn: &mut Connection,
    s: &CheckSettings,
    by: &str,
    now: i64,
) -> rusqlite::Result<Summary> {
    let started = Instant::now();
    let known = known_texts(conn, s)?;
    let mut pass = scan(conn, s, now, known)?;
    let repeats = customers::repeats(conn, s.repeat_days, None)?;
    let last = pass.seen.last().map_or(0, |(id, _, _)| *id);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let summary = write(&tx, &mut pass, &repeats, started, s, by, now)?;
    let newer: Vec<i64> = tx
        .prepare("SELECT id FROM complaints WHERE id > ?1 ORDER BY id")?
        .query_map(params![last], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if !newer.is_empty() {
        super::flag_update::update(&tx, s, &newer, now)?;
    }
    tx.commit()?;
    Ok(summary)
}

/// The settings the stored flags were judged with, if a refresh under this schema ran.
pub fn judged_with(conn: &Connection) -> rusqlite::Result<Option<CheckSettings>> {
    let text: Option<String> = conn
        .query_row("SELECT settings FROM check_state WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

/// When the stored flags were last brought up to date, by a refresh or an update.
pub fn as_of(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.query_row("SELECT as_of FROM check_state WHERE id = 1", [], |r| {
        r.get(0)
    })
    .optional()
}

/// The reply texts a refresh starts from: those already met, while they were normalised and
/// signed as these settings would (else none, and the registry starts again).
fn known_texts(conn: &Connection, s: &CheckSettings) -> rusqlite::Result<Vec<Group>> {
    let same = judged_with(conn)?.is_some_and(|j| {
        j.canned.greetings == s.canned.greetings && j.canned.shingle_words == s.canned.shingle_words
    });
    match same {
        true => reply_groups::known(conn),
        false => Ok(Vec::new()),
    }
}
