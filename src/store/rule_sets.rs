//! What an unfiltered draw's must-include rules count and pick from, kept up to date by every
//! import: complaints per (division, likelihood, wants-contact), and the complaints each phrase
//! rule's search matches. A draw from the whole store then knows how many complaints a rule
//! matches without reading them, and picks among them at random, a key lookup a pick.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, Connection, OptionalExtension};

use crate::domain::Complaint;

/// Complaints an import added, by (division, likelihood, wants-contact), -1 standing for none.
#[derive(Debug, Default, Clone)]
pub struct Tally(HashMap<String, HashMap<(i64, i64), i64>>);

impl Tally {
    pub fn add(&mut self, c: &Complaint) {
        let key = (
            c.likelihood.map_or(-1, i64::from),
            c.wants_contact.map_or(-1, i64::from),
        );
        let by = match self.0.get_mut(c.division.as_str()) {
            Some(by) => by,
            None => self.0.entry(c.division.clone()).or_default(),
        };
        *by.entry(key).or_insert(0) += 1;
    }

    /// Takes out a complaint as it was before an update replaced it.
    pub fn remove(&mut self, division: &str, likelihood: Option<u8>, wants_contact: Option<bool>) {
        let key = (
            likelihood.map_or(-1, i64::from),
            wants_contact.map_or(-1, i64::from),
        );
        *self
            .0
            .entry(division.to_string())
            .or_default()
            .entry(key)
            .or_insert(0) -= 1;
    }

    /// Adds the tally to the stored counts, and to the complaints per division; a count left
    /// at nothing loses its row, as a recount would write none.
    pub fn apply(&self, conn: &Connection) -> rusqlite::Result<()> {
        let mut st = conn.prepare_cached(
            "INSERT INTO rule_counts (division, likelihood, wants_contact, complaints)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (division, likelihood, wants_contact)
             DO UPDATE SET complaints = complaints + excluded.complaints",
        )?;
        let mut per_division = conn.prepare_cached(
            "INSERT INTO division_counts (division, complaints) VALUES (?1, ?2)
             ON CONFLICT (division) DO UPDATE SET complaints = complaints + excluded.complaints",
        )?;
        for (division, by) in &self.0 {
            for ((likelihood, wants_contact), n) in by {
                st.execute(params![division, likelihood, wants_contact, n])?;
            }
            per_division.execute(params![division, by.values().sum::<i64>()])?;
        }
        conn.execute_batch(
            "DELETE FROM rule_counts WHERE complaints = 0;
             DELETE FROM division_counts WHERE complaints = 0;",
        )
    }
}

/// Counts every complaint again: after an import that changed rows rather than only adding.
pub fn recount(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "DELETE FROM rule_counts;
         INSERT INTO rule_counts
             SELECT division, coalesce(likelihood, -1), coalesce(wants_contact, -1), count(*)
             FROM complaints GROUP BY 1, 2, 3;",
    )
}

/// A phrase rule and the search query of its configured phrases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhraseRule {
    pub rule: String,
    pub query: String,
}

pub use super::phrase_set::PhraseSet;

/// Brings each phrase rule's matches up to date. `new_after`: the import only added complaints,
/// all with ids above this; a set that was right up to it is topped up. Otherwise, or when the
/// phrases changed, the set is made again from the search index.
pub fn refresh_phrase_rules(
    conn: &Connection,
    rules: &[PhraseRule],
    new_after: Option<i64>,
) -> rusqlite::Result<()> {
    update_phrase_rules(conn, rules, new_after, &[])
}

/// [`refresh_phrase_rules`] after an import that added complaints above `new_after` and
/// changed the text of `changed`: a set right up to `new_after` is topped up and each changed
/// complaint searched for again, alone, rather than the whole store.
pub fn update_phrase_rules(
    conn: &Connection,
    rules: &[PhraseRule],
    new_after: Option<i64>,
    changed: &[i64],
) -> rusqlite::Result<()> {
    let max_id: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM complaints", [], |r| {
        r.get(0)
    })?;
    for r in rules {
        let stored: Option<(String, i64, i64, Vec<u8>)> = conn
            .query_row(
                "SELECT query, max_id, matches, bits FROM phrase_rule_sets WHERE rule = ?1",
                [&r.rule],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()?;
        let (from, mut set) = match (new_after, stored) {
            (Some(after), Some((q, m, n, bits))) if q == r.query && m == after => {
                (after, PhraseSet::from_stored(n, bits))
            }
            _ => (0, PhraseSet::default()),
        };
        if !r.query.is_empty() && from > 0 {
            // Changed complaints close together are searched for in one stretch of ids: a
            // search costs as much to start as to read a stretch of a few hundred.
            let mut stretch = conn.prepare_cached(
                "SELECT rowid FROM complaints_fts
                 WHERE complaints_fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3",
            )?;
            let mut ids: Vec<i64> = changed.iter().copied().filter(|&id| id <= from).collect();
            ids.sort_unstable();
            ids.dedup();
            for run in ids.chunk_by(|a, b| b - a <= STRETCH) {
                let (lo, hi) = (run[0], run[run.len() - 1]);
                let found: HashSet<i64> = stretch
                    .query_map(params![r.query, lo, hi], |row| row.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                for &id in run {
                    match found.contains(&id) {
                        true => set.insert(id),
                        false => set.remove(id),
                    }
                }
            }
        }
        if !r.query.is_empty() {
            let mut st = conn.prepare(
                "SELECT rowid FROM complaints_fts WHERE complaints_fts MATCH ?1 AND rowid > ?2",
            )?;
            let mut rows = st.query(params![r.query, from])?;
            while let Some(row) = rows.next()? {
                set.insert(row.get(0)?);
            }
        }
        conn.execute(
            "INSERT OR REPLACE INTO phrase_rule_sets (rule, query, max_id, matches, bits)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![r.rule, r.query, max_id, set.matches as i64, set.bits()],
        )?;
    }
    Ok(())
}

/// Changed complaints at most this many ids apart are searched for together.
const STRETCH: i64 = 512;

/// A phrase rule's matches in the whole store, if its stored set is that of `query` and up to
/// date.
pub fn phrase_set(
    conn: &Connection,
    rule: &str,
    query: &str,
) -> rusqlite::Result<Option<PhraseSet>> {
    conn.prepare_cached(
        "SELECT matches, bits FROM phrase_rule_sets
         WHERE rule = ?1 AND query = ?2
           AND max_id = (SELECT coalesce(max(id), 0) FROM complaints)",
    )?
    .query_row(params![rule, query], |r| {
        Ok(PhraseSet::from_stored(r.get(0)?, r.get(1)?))
    })
    .optional()
}

/// The stored counts, if they account for every complaint the division counts do.
fn counts_agree(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT (SELECT coalesce(sum(complaints), 0) FROM rule_counts)
              = (SELECT coalesce(sum(complaints), 0) FROM division_counts)",
        [],
        |r| r.get(0),
    )
}

/// Detractors (likelihood at most `max`) in the whole store, from the stored counts.
pub fn detractor_count(conn: &Connection, max: u8) -> rusqlite::Result<Option<u64>> {
    if !counts_agree(conn)? {
        return Ok(None);
    }
    conn.query_row(
        "SELECT coalesce(sum(complaints), 0) FROM rule_counts
         WHERE likelihood BETWEEN 0 AND ?1",
        [i64::from(max)],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| Some(n.max(0) as u64))
}

/// Complaints asking for contact in the whole store, from the stored counts.
pub fn wants_contact_count(conn: &Connection) -> rusqlite::Result<Option<u64>> {
    if !counts_agree(conn)? {
        return Ok(None);
    }
    conn.query_row(
        "SELECT coalesce(sum(complaints), 0) FROM rule_counts WHERE wants_contact = 1",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| Some(n.max(0) as u64))
}
