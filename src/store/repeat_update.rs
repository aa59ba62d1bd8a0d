//! The repeat check kept up to date for the complaints that changed. A complaint added at time
//! `t` (or taken away) changes the count of its customer's complaints received in the window
//! after `t` only, so only that stretch of that customer's complaints is read, from the
//! customer's links by date (`customer_links`), and only the flags that changed are written.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{params, Connection, OptionalExtension};

use crate::domain::customer;

/// A changed complaint's customer and time, before (if the checks had seen it) and now.
pub(super) struct Moved<'a> {
    pub(super) id: i64,
    pub(super) before: Option<(Option<i64>, i64)>,
    pub(super) after: (Option<i64>, i64),
    pub(super) division: &'a str,
}

pub(super) fn apply(conn: &Connection, days: i64, moves: &[Moved]) -> rusqlite::Result<()> {
    let window = days.saturating_mul(86_400);
    // A link may be in either table; new ones go to the small one (see step 12).
    let mut unlink = conn.prepare_cached(
        "DELETE FROM customer_complaints
         WHERE customer_no = ?1 AND received_at = ?2 AND complaint_id = ?3",
    )?;
    let mut unlink_recent = conn.prepare_cached(
        "DELETE FROM customer_links_recent
         WHERE customer_no = ?1 AND received_at = ?2 AND complaint_id = ?3",
    )?;
    let mut link = conn.prepare_cached(
        "INSERT OR IGNORE INTO customer_links_recent (customer_no, received_at, complaint_id)
         VALUES (?1, ?2, ?3)",
    )?;
    let mut drop = conn.prepare_cached(
        "DELETE FROM complaint_flags WHERE flag = 'repeat' AND complaint_id = ?1",
    )?;
    // Each customer touched, with the times at which one of their complaints came or went.
    let mut times: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    let mut divisions: HashMap<i64, &str> = HashMap::new();
    let mut links: Vec<(i64, i64, i64)> = Vec::new();
    for m in moves {
        if let Some((Some(no), at)) = m.before {
            unlink.execute(params![no, at, m.id])?;
            unlink_recent.execute(params![no, at, m.id])?;
            times.entry(no).or_default().push(at);
        }
        if let (Some(no), at) = m.after {
            links.push((no, at, m.id));
            times.entry(no).or_default().push(at);
        }
        // A complaint new to the checks has no flag to drop.
        if m.before.is_some() {
            drop.execute(params![m.id])?;
        }
        divisions.insert(m.id, m.division);
    }
    // In key order: each page of the links is visited once, not once a complaint.
    links.sort_unstable();
    for (no, at, id) in links {
        link.execute(params![no, at, id])?;
    }
    let mut flags: Vec<(i64, i64, Option<i64>)> = Vec::new();
    let mut read = conn.prepare_cached(
        "SELECT received_at, complaint_id FROM customer_links
         WHERE customer_no = ?1 AND received_at BETWEEN ?2 AND ?3
         ORDER BY received_at, complaint_id",
    )?;
    for (no, ts) in times {
        let lo = ts.iter().copied().min().unwrap_or_default();
        let hi = ts
            .iter()
            .copied()
            .max()
            .unwrap_or_default()
            .saturating_add(window);
        let dated: Vec<(i64, i64)> = read
            .query_map(params![no, lo.saturating_sub(window), hi], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let ordinals: HashMap<usize, i64> = customer::repeats(&dated, window)
            .into_iter()
            .map(|(i, first)| (i, (i - first + 1) as i64))
            .collect();
        for (i, &(at, id)) in dated.iter().enumerate() {
            // Only the complaints a change could have moved: those it may count among or
            // before; the ones read before them only give the count its start.
            if !ts
                .iter()
                .any(|&t| at >= t && at <= t.saturating_add(window))
            {
                continue;
            }
            flags.push((id, at, ordinals.get(&i).copied()));
        }
    }
    flags.sort_unstable();
    for (id, at, ordinal) in flags {
        set(conn, id, at, ordinal, &divisions)?;
    }
    Ok(())
}

/// Makes a complaint's stored repeat flag say `ordinal` (None: no repeat). The changed
/// complaints (`divisions`) have none stored: theirs were dropped above.
fn set(
    conn: &Connection,
    id: i64,
    received_at: i64,
    ordinal: Option<i64>,
    divisions: &HashMap<i64, &str>,
) -> rusqlite::Result<()> {
    let stored: Option<Option<i64>> = match divisions.contains_key(&id) {
        true => None,
        false => conn
            .prepare_cached(
                "SELECT value FROM complaint_flags WHERE flag = 'repeat' AND complaint_id = ?1",
            )?
            .query_row(params![id], |r| r.get(0))
            .optional()?,
    };
    if stored == ordinal.map(Some) {
        return Ok(());
    }
    let Some(n) = ordinal else {
        conn.prepare_cached(
            "DELETE FROM complaint_flags WHERE flag = 'repeat' AND complaint_id = ?1",
        )?
        .execute(params![id])?;
        return Ok(());
    };
    // A plain insert or update: an insert-or-replace writes a statement journal page a row.
    if stored.is_some() {
        conn.prepare_cached(
            "UPDATE complaint_flags SET value = ?2 WHERE flag = 'repeat' AND complaint_id = ?1",
        )?
        .execute(params![id, n])?;
        return Ok(());
    }
    let division: String = match divisions.get(&id) {
        Some(d) => d.to_string(),
        None => conn
            .prepare_cached("SELECT division FROM complaints WHERE id = ?1")?
            .query_row(params![id], |r| r.get(0))?,
    };
    conn.prepare_cached(
        "INSERT INTO complaint_flags (flag, complaint_id, received_at, division, value, note, since)
         VALUES ('repeat', ?1, ?2, ?3, ?4, NULL, NULL)",
    )?
    .execute(params![id, received_at, division, n])?;
    Ok(())
}
