//! The rows the review pack is computed from. Each query reads one period's worth through an
//! index or a small table, so the pack costs the same on a store of any size.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, Connection, OptionalExtension};

use super::flag_reads::scope_param;
use super::report_review::{self, DecisionRow, ReviewSource, SampleRow};
use crate::domain::decision::{Decision, Kind};
use crate::domain::report::{DayCounts, DayRow};

pub use super::report_review::Review;

/// Daily tallies of the days in [start, end), in the divisions given (None = all).
pub fn days(
    conn: &Connection,
    divisions: Option<&[String]>,
    start: i64,
    end: i64,
) -> rusqlite::Result<Vec<DayRow>> {
    let mut st = conn.prepare_cached(
        "SELECT day, division, complaints, responded, canned, contact_ignored, escalation_refused,
             late, wants_contact, detractors, rt_0, rt_1, rt_2, rt_3, rt_4, rt_5, rt_unknown,
             rt_seconds
         FROM check_daily
         WHERE day >= ?1 AND day < ?2
           AND (?3 IS NULL OR division IN (SELECT value FROM json_each(?3)))",
    )?;
    let rows = st.query_map(
        params![
            start.div_euclid(86_400),
            end.div_euclid(86_400),
            scope_param(divisions)
        ],
        |r| {
            Ok(DayRow {
                day: r.get(0)?,
                division: r.get(1)?,
                counts: DayCounts {
                    complaints: r.get(2)?,
                    responded: r.get(3)?,
                    canned: r.get(4)?,
                    contact_ignored: r.get(5)?,
                    escalation_refused: r.get(6)?,
                    late: r.get(7)?,
                    wants_contact: r.get(8)?,
                    detractors: r.get(9)?,
                    rt: [
                        r.get(10)?,
                        r.get(11)?,
                        r.get(12)?,
                        r.get(13)?,
                        r.get(14)?,
                        r.get(15)?,
                    ],
                    rt_unknown: r.get(16)?,
                    rt_seconds: r.get(17)?,
                },
            })
        },
    )?;
    rows.collect()
}

/// The review pack's questions about the decisions, answered from one SQLite connection.
struct Source<'c> {
    conn: &'c Connection,
    division: rusqlite::CachedStatement<'c>,
}

impl ReviewSource for Source<'_> {
    type Error = rusqlite::Error;

    fn division(&mut self, complaint_id: i64) -> rusqlite::Result<Option<String>> {
        self.division
            .query_row(params![complaint_id], |r| r.get(0))
            .optional()
    }

    fn sampled_among(&mut self, ids: &[i64]) -> rusqlite::Result<HashSet<i64>> {
        // Sampled complaints are few next to decisions: read once, not looked up per id.
        let all: HashSet<i64> = self
            .conn
            .prepare_cached("SELECT DISTINCT complaint_id FROM sample_items")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids.iter().copied().filter(|id| all.contains(id)).collect())
    }

    fn retracted(&mut self) -> rusqlite::Result<HashSet<i64>> {
        self.conn
            .prepare_cached("SELECT retracts FROM decisions WHERE retracts IS NOT NULL")?
            .query_map([], |r| r.get(0))?
            .collect()
    }

    /// Read in table order with only the short columns; divisions are left to be looked up
    /// when the scope needs them.
    fn decisions_made(&mut self, start: i64, end: i64) -> rusqlite::Result<Vec<DecisionRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, complaint_id, kind, at, reasons FROM decisions WHERE at >= ?1 AND at < ?2",
        )?;
        let rows = st.query_map(params![start, end], |r| {
            Ok(DecisionRow {
                id: r.get(0)?,
                complaint_id: r.get(1)?,
                kind: r.get(2)?,
                at: r.get(3)?,
                reasons: r.get(4)?,
                division: None,
            })
        })?;
        rows.collect()
    }

    fn samples_drawn(&mut self, start: i64, end: i64) -> rusqlite::Result<Vec<SampleRow>> {
        let mut st = self.conn.prepare_cached(
            "SELECT s.id, s.label, s.population, s.confidence, si.complaint_id, si.reason, s.strata
             FROM samples s JOIN sample_items si ON si.sample_id = s.id
             WHERE s.drawn_at >= ?1 AND s.drawn_at < ?2 ORDER BY s.id, si.position",
        )?;
        let rows = st.query_map(params![start, end], |r| {
            Ok(SampleRow {
                sample_id: r.get(0)?,
                label: r.get(1)?,
                population: r.get(2)?,
                confidence: r.get(3)?,
                complaint_id: r.get(4)?,
                reason: r.get(5)?,
                strata: super::samples::strata_column(6, r.get(6)?)?,
                division: None,
            })
        })?;
        rows.collect()
    }

    fn decisions_of(&mut self, ids: &[i64]) -> rusqlite::Result<HashMap<i64, Vec<Decision>>> {
        let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
        let mut st = self.conn.prepare_cached(
            "SELECT id, complaint_id, sample_id, kind, actor, actor_name, actor_title, at, reasons,
                 due_at, retracts, text_hash
             FROM decisions WHERE complaint_id IN (SELECT value FROM json_each(?1))
             ORDER BY complaint_id, id",
        )?;
        let rows = st.query_map(params![list], |r| {
            let kind: String = r.get(3)?;
            Ok(Decision {
                id: r.get(0)?,
                complaint_id: r.get(1)?,
                sample_id: r.get(2)?,
                kind: Kind::parse(&kind).unwrap_or(Kind::Retract),
                actor: r.get(4)?,
                actor_name: r.get(5)?,
                actor_title: r.get(6)?,
                at: r.get(7)?,
                statement: None,
                reasons: r.get(8)?,
                note: None,
                due_at: r.get(9)?,
                body: None,
                retracts: r.get(10)?,
                text_hash: r.get(11)?,
                prev_hash: String::new(),
                hash: String::new(),
                signature: None,
            })
        })?;
        let mut out: HashMap<i64, Vec<Decision>> = HashMap::new();
        for d in rows {
            let d = d?;
            out.entry(d.complaint_id).or_default().push(d);
        }
        Ok(out)
    }

    fn text_hashes(&mut self, ids: &[i64]) -> rusqlite::Result<HashMap<i64, String>> {
        ids.iter()
            .map(|&id| Ok((id, super::decisions::current_text_hash(self.conn, id)?)))
            .collect()
    }
}

/// The reviews of the trend and of the period (`start`, `end`) ([`report_review::review`]).
pub fn review(
    conn: &Connection,
    divisions: Option<&[String]>,
    trend_start: i64,
    period: (i64, i64),
    now: i64,
) -> rusqlite::Result<Review> {
    let mut src = Source {
        conn,
        division: conn.prepare_cached("SELECT division FROM complaints WHERE id = ?1")?,
    };
    report_review::review(&mut src, divisions, trend_start, period, now)
}
