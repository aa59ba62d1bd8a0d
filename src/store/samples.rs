//! Recorded samples: writing them, reading them back.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::domain::report::SampleBound;
use crate::domain::rollup::Item as RollupItem;
use crate::domain::sample_bound::{of_items, Design, StratumSize};

pub use super::draw::{draw, draw_with_limit, Drawn, Filters, Item, Spec};

/// A recorded sample.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    pub id: i64,
    pub label: String,
    pub drawn_by: String,
    pub drawn_at: i64,
    pub spec: Spec,
    pub seed: u64,
    pub population: u64,
    pub fingerprint: String,
    pub confidence: f64,
    /// The random part's strata, for a stratified sample drawn since they were recorded.
    pub strata: Option<Vec<StratumSize>>,
}

pub fn next_id(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT coalesce(max(id), 0) + 1 FROM samples", [], |r| {
        r.get(0)
    })
}

/// Records a drawn sample; the caller holds the write transaction so the id is the boundary.
#[allow(clippy::too_many_arguments)]
pub fn record(
    tx: &rusqlite::Transaction,
    id: i64,
    label: &str,
    drawn_by: &str,
    drawn_at: i64,
    spec: &Spec,
    seed: u64,
    drawn: &Drawn,
) -> rusqlite::Result<()> {
    let (spec_json, strata_json) = stored_json(spec, drawn)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    tx.execute(
        "INSERT INTO samples (id, label, drawn_by, drawn_at, spec, seed, population, fingerprint, confidence, strata)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            id,
            label,
            drawn_by,
            drawn_at,
            spec_json,
            seed.to_string(),
            drawn.population as i64,
            drawn.fingerprint,
            spec.plan.confidence(),
            strata_json
        ],
    )?;
    let mut st = tx.prepare_cached(
        "INSERT INTO sample_items (sample_id, position, complaint_id, reason) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, it) in drawn.items.iter().enumerate() {
        st.execute(params![id, i as i64 + 1, it.complaint_id, it.reason])?;
    }
    Ok(())
}

/// A sample's `spec` and `strata` columns as every store keeps them: JSON, and no strata (NULL)
/// for a sample that was not stratified.
pub fn stored_json(spec: &Spec, drawn: &Drawn) -> serde_json::Result<(String, Option<String>)> {
    let spec_json = serde_json::to_string(spec)?;
    let strata_json = match drawn.strata.is_empty() {
        true => None,
        false => Some(serde_json::to_string(&drawn.strata)?),
    };
    Ok((spec_json, strata_json))
}

fn sample_from_row(r: &rusqlite::Row) -> rusqlite::Result<Sample> {
    let spec_json: String = r.get(4)?;
    let seed: String = r.get(5)?;
    Ok(Sample {
        id: r.get(0)?,
        label: r.get(1)?,
        drawn_by: r.get(2)?,
        drawn_at: r.get(3)?,
        spec: serde_json::from_str(&spec_json).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e))
        })?,
        seed: seed.parse().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, Box::new(e))
        })?,
        population: r.get::<_, i64>(6)? as u64,
        fingerprint: r.get(7)?,
        confidence: r.get(8)?,
        strata: strata_column(9, r.get(9)?)?,
    })
}

/// A sample's `strata` column (JSON, or NULL for a simple sample) read back.
pub fn strata_column<T: serde::de::DeserializeOwned>(
    column: usize,
    text: Option<String>,
) -> rusqlite::Result<Option<T>> {
    text.map(|s| serde_json::from_str(&s))
        .transpose()
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(
                column,
                rusqlite::types::Type::Text,
                Box::new(e),
            )
        })
}

const SAMPLE_COLUMNS: &str =
    "id, label, drawn_by, drawn_at, spec, seed, population, fingerprint, confidence, strata";

/// A sample by id, or by label (the latest with that label).
pub fn find(conn: &Connection, key: &str) -> rusqlite::Result<Option<Sample>> {
    if let Ok(id) = key.trim_start_matches('#').parse::<i64>() {
        let by_id = conn
            .query_row(
                &format!("SELECT {SAMPLE_COLUMNS} FROM samples WHERE id = ?1"),
                params![id],
                sample_from_row,
            )
            .optional()?;
        if by_id.is_some() {
            return Ok(by_id);
        }
    }
    conn.query_row(
        &format!("SELECT {SAMPLE_COLUMNS} FROM samples WHERE label = ?1 ORDER BY id DESC LIMIT 1"),
        params![key],
        sample_from_row,
    )
    .optional()
}

pub fn latest(conn: &Connection) -> rusqlite::Result<Option<Sample>> {
    conn.query_row(
        &format!("SELECT {SAMPLE_COLUMNS} FROM samples ORDER BY id DESC LIMIT 1"),
        [],
        sample_from_row,
    )
    .optional()
}

pub fn all(conn: &Connection) -> rusqlite::Result<Vec<Sample>> {
    let mut st = conn.prepare(&format!("SELECT {SAMPLE_COLUMNS} FROM samples ORDER BY id"))?;
    let rows = st.query_map([], sample_from_row)?;
    rows.collect()
}

pub fn items(conn: &Connection, sample_id: i64) -> rusqlite::Result<Vec<Item>> {
    let mut st = conn.prepare_cached(
        "SELECT complaint_id, reason FROM sample_items WHERE sample_id = ?1 ORDER BY position",
    )?;
    let rows = st.query_map(params![sample_id], |r| {
        Ok(Item {
            complaint_id: r.get(0)?,
            reason: r.get(1)?,
        })
    })?;
    rows.collect()
}

/// The latest sample holding this complaint.
pub fn sample_of(conn: &Connection, complaint_id: i64) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT max(sample_id) FROM sample_items WHERE complaint_id = ?1",
        params![complaint_id],
        |r| r.get(0),
    )
}

/// Draws and records a sample in one write transaction, so its id (the boundary for "already
/// sampled") cannot be taken by a concurrent draw. Returns the id, or None when nothing matched.
pub fn draw_and_record(
    conn: &mut Connection,
    spec: &Spec,
    seed: u64,
    label: &str,
    drawn_by: &str,
    drawn_at: i64,
) -> rusqlite::Result<(Option<i64>, Drawn)> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    // Rules on flags (late, contact ignored) draw from the flags as of the draw.
    super::flag_update::catch_up(&tx, drawn_at)?;
    let id = next_id(&tx)?;
    let drawn = draw(&tx, spec, seed, id)?;
    if drawn.items.is_empty() {
        return Ok((None, drawn));
    }
    record(&tx, id, label, drawn_by, drawn_at, spec, seed, &drawn)?;
    tx.commit()?;
    Ok((Some(id), drawn))
}

/// What a recorded sample proves now (`domain::sample_bound`): over its random items, per
/// stratum where it was stratified, once every one is reviewed.
pub fn bound(conn: &Connection, s: &Sample, now: i64) -> rusqlite::Result<SampleBound> {
    let items = super::rollup::of_sample(conn, s.id, None, now)?;
    Ok(of_items(&design(s, &items), &items))
}

/// A recorded sample as its bound needs it.
pub fn design<'a>(s: &'a Sample, items: &[RollupItem]) -> Design<'a> {
    Design {
        sample: s.id,
        label: &s.label,
        population: s.population,
        rule_items: items
            .iter()
            .filter(|i| i.reason.starts_with("rule:"))
            .count() as u64,
        confidence: s.confidence,
        strata: s.strata.as_deref(),
    }
}
