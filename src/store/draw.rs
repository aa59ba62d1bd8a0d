//! The SQL a draw asks its population with (`domain::population`); the drawing itself is
//! `domain::draw`'s.
//!
//! Conditions become WHERE clauses (`conditions`). A draw runs in one read transaction: every
//! count and pick sees the same snapshot, and the many key lookups of a broad draw do not each
//! take and drop the store's read lock.

use std::collections::BTreeMap;

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension};

use super::rule_sets;
use crate::domain::draw as drawing;
pub use crate::domain::draw::{Drawn, Item, LIST_LIMIT};
use crate::domain::population::{Cond, Member, Population, Probe, RuleMatch};
use crate::domain::sample::Rule;
pub use crate::domain::sample::{Filters, Spec};
use conditions::Where;
pub use conditions::{phrase_query, phrases_of_query};

mod conditions;

/// The complaints of a SQLite store, as a draw asks about them.
pub struct SqlitePopulation<'c> {
    conn: &'c Connection,
}

impl<'c> SqlitePopulation<'c> {
    /// Answers from `conn`; the caller holds the read transaction the draw needs.
    pub fn new(conn: &'c Connection) -> SqlitePopulation<'c> {
        SqlitePopulation { conn }
    }
}

impl Population for SqlitePopulation<'_> {
    type Error = rusqlite::Error;
    type Set = rule_sets::PhraseSet;

    fn count(&self, cond: &Cond) -> rusqlite::Result<u64> {
        let w = Where::of(cond);
        let sql = format!("SELECT count(*) FROM complaints c WHERE {}", w.clause());
        self.conn
            .prepare_cached(&sql)?
            .query_row(params_from_iter(w.values.iter()), |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
    }

    // Lists are sorted here rather than with ORDER BY id, which would tempt SQLite into
    // walking the whole table in id order instead of using the date index.
    fn ids(&self, cond: &Cond) -> rusqlite::Result<Vec<i64>> {
        let w = Where::of(cond);
        let sql = format!("SELECT c.id FROM complaints c WHERE {}", w.clause());
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(w.values.iter()), |r| r.get(0))?;
        let mut ids = rows.collect::<rusqlite::Result<Vec<i64>>>()?;
        ids.sort_unstable();
        Ok(ids)
    }

    fn members(&self, cond: &Cond) -> rusqlite::Result<Vec<Member>> {
        let w = Where::of(cond);
        let sql = format!(
            "SELECT c.id, c.division, c.likelihood, c.wants_contact FROM complaints c WHERE {}",
            w.clause()
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(w.values.iter()), |r| {
            Ok(Member {
                id: r.get(0)?,
                division: r.get(1)?,
                likelihood: r.get(2)?,
                wants_contact: r.get::<_, Option<i64>>(3)? == Some(1),
            })
        })?;
        let mut out = rows.collect::<rusqlite::Result<Vec<Member>>>()?;
        out.sort_unstable_by_key(|m| m.id);
        Ok(out)
    }

    fn division_counts(&self, cond: &Cond) -> rusqlite::Result<BTreeMap<String, u64>> {
        let w = Where::of(cond);
        let sql = format!(
            "SELECT c.division, count(*) FROM complaints c WHERE {} GROUP BY c.division",
            w.clause()
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(w.values.iter()), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        rows.collect()
    }

    fn probe<'p>(&'p self, cond: &Cond) -> rusqlite::Result<Probe<'p, rusqlite::Error>> {
        let w = Where::of(cond);
        let sql = format!(
            "SELECT c.division FROM complaints c WHERE c.id = ? AND {}",
            w.clause()
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let mut values: Vec<Value> = Vec::with_capacity(w.values.len() + 1);
        Ok(Box::new(move |id| {
            values.clear();
            values.push(Value::Integer(id));
            values.extend(w.values.iter().cloned());
            st.query_row(params_from_iter(values.iter()), |r| r.get::<_, String>(0))
                .optional()
        }))
    }

    fn id_span(&self) -> rusqlite::Result<Option<(i64, i64)>> {
        // Two subqueries: SQLite answers a lone min() or max() from the b-tree's edge, but
        // scans the whole table for both in one SELECT.
        let (lo, hi): (Option<i64>, Option<i64>) = self.conn.query_row(
            "SELECT (SELECT min(id) FROM complaints), (SELECT max(id) FROM complaints)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(lo.zip(hi))
    }

    fn earlier_samples(
        &self,
        filters: &Filters,
        boundary: i64,
    ) -> rusqlite::Result<BTreeMap<i64, String>> {
        let w = Where::of(&Cond::filtered(filters));
        // Driven from sample_items (small) to the complaints, never the other way round.
        let sql = format!(
            "SELECT DISTINCT c.id, c.division FROM sample_items si CROSS JOIN complaints c
             WHERE si.sample_id < ? AND c.id = si.complaint_id AND {}",
            w.clause()
        );
        let mut values = vec![Value::Integer(boundary)];
        values.extend(w.values);
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(values.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        rows.collect()
    }

    /// As the last import left them.
    fn kept_division_counts(&self) -> rusqlite::Result<Option<BTreeMap<String, u64>>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT division, complaints FROM division_counts")?;
        let rows = st.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        let counts = rows.collect::<rusqlite::Result<BTreeMap<String, u64>>>()?;
        // An empty table means a store filled some other way than by import.
        Ok(Some(counts).filter(|c| !c.is_empty()))
    }

    fn kept_rule_count(&self, rule: &RuleMatch) -> rusqlite::Result<Option<u64>> {
        match rule {
            RuleMatch::LikelihoodAtMost(max) => rule_sets::detractor_count(self.conn, *max),
            RuleMatch::WantsContact => rule_sets::wants_contact_count(self.conn),
            _ => Ok(None),
        }
    }

    fn kept_phrase_matches(
        &self,
        rule: Rule,
        phrases: &[String],
    ) -> rusqlite::Result<Option<rule_sets::PhraseSet>> {
        rule_sets::phrase_set(self.conn, rule.name(), &phrase_query(phrases))
    }

    /// The last import that added or changed complaints.
    fn watermark(&self) -> rusqlite::Result<i64> {
        self.conn.query_row(
            "SELECT coalesce(max(id), 0) FROM imports WHERE inserted + updated > 0",
            [],
            |r| r.get(0),
        )
    }
}

/// How many complaints a draw with these filters would start from (earlier samples left out).
pub fn population_size(
    conn: &Connection,
    filters: &Filters,
    boundary: i64,
) -> rusqlite::Result<u64> {
    drawing::population_size(&SqlitePopulation::new(conn), filters, boundary)
}

/// Draws a sample (`domain::draw`). `boundary` is the id the sample will have (or has, on
/// replay): complaints in earlier samples are left out unless the filters include sampled ones.
pub fn draw(conn: &Connection, spec: &Spec, seed: u64, boundary: i64) -> rusqlite::Result<Drawn> {
    draw_with_limit(conn, spec, seed, boundary, LIST_LIMIT)
}

/// `draw` with the size above which populations are drawn by picks instead of listed.
pub fn draw_with_limit(
    conn: &Connection,
    spec: &Spec,
    seed: u64,
    boundary: i64,
    list_limit: u64,
) -> rusqlite::Result<Drawn> {
    let pop = SqlitePopulation::new(conn);
    if !conn.is_autocommit() {
        return drawing::draw(&pop, spec, seed, boundary, list_limit);
    }
    conn.execute_batch("BEGIN")?;
    let drawn = drawing::draw(&pop, spec, seed, boundary, list_limit);
    let ended = conn.execute_batch(if drawn.is_ok() { "COMMIT" } else { "ROLLBACK" });
    let drawn = drawn?;
    ended?;
    Ok(drawn)
}
