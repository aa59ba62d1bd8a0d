//! The rows the review pack is computed from. Each query reads one period's worth through an
//! index or a small table, so the pack costs the same on a store of any size.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, Connection};

use super::flag_reads::scope_param;
use crate::domain::decision::{Decision, Kind};
use crate::domain::report::{DayCounts, DayRow, DecisionFact, SampleFacts};
use crate::domain::rollup::Item;

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

/// Every decision of the given complaints, in order, without the long texts the pack never
/// shows.
fn decisions_of(conn: &Connection, ids: &[i64]) -> rusqlite::Result<HashMap<i64, Vec<Decision>>> {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut st = conn.prepare_cached(
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

/// What the review pack needs of the decisions: the period's sampled items (of a sample drawn
/// in [start, end), or decided in it) as the roll-up judges them, the complaints decided in it
/// outside any sample, and the sampled items' standing decisions made in [trend_start, end).
pub struct Review {
    pub items: Vec<Item>,
    pub ad_hoc: Vec<Item>,
    pub facts: Vec<DecisionFact>,
    /// Complaints pushed back in the period, ad hoc ones among them.
    pub pushed_back: HashSet<i64>,
    /// The samples drawn in the period with their items.
    pub samples: Vec<SampleFacts>,
}

/// Complaints' divisions, each looked up once.
struct Divisions<'c> {
    st: rusqlite::CachedStatement<'c>,
    seen: HashMap<i64, String>,
}

impl Divisions<'_> {
    fn of(&mut self, id: i64) -> rusqlite::Result<&str> {
        if !self.seen.contains_key(&id) {
            let d: String = self.st.query_row(params![id], |r| r.get(0))?;
            self.seen.insert(id, d);
        }
        Ok(self.seen.get(&id).map_or("", String::as_str))
    }
}

/// What a sampled complaint decided in the period but drawn before it is listed as: neither
/// random for the period's bound nor taken by one of its rules.
const SAMPLED_EARLIER: &str = "sampled earlier";

pub fn review(
    conn: &Connection,
    divisions: Option<&[String]>,
    trend_start: i64,
    (start, end): (i64, i64),
    now: i64,
) -> rusqlite::Result<Review> {
    let mut division = Divisions {
        st: conn.prepare_cached("SELECT division FROM complaints WHERE id = ?1")?,
        seen: HashMap::new(),
    };
    // Sampled complaints are few next to decisions: known once, not looked up per decision.
    let sampled: HashSet<i64> = conn
        .prepare_cached("SELECT DISTINCT complaint_id FROM sample_items")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    // A retraction made any time cancels its decision, whenever that was made.
    let retracted: HashSet<i64> = conn
        .prepare_cached("SELECT retracts FROM decisions WHERE retracts IS NOT NULL")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut facts = Vec::new();
    let mut wanted: Vec<(i64, String)> = Vec::new();
    let mut ad_hoc: Vec<i64> = Vec::new();
    let mut pushed_back = HashSet::new();
    // The trend's decisions, read in table order with only the short columns.
    let mut st = conn.prepare_cached(
        "SELECT id, complaint_id, kind, at, reasons FROM decisions WHERE at >= ?1 AND at < ?2",
    )?;
    let rows = st.query_map(params![trend_start, end], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })?;
    for row in rows {
        let (id, complaint_id, kind, at, reasons) = row?;
        // Divisions are looked up only when the reader's scope needs them.
        if let Some(ds) = divisions {
            let of = division.of(complaint_id)?;
            if !ds.iter().any(|x| x == of) {
                continue;
            }
        }
        let in_sample = sampled.contains(&complaint_id);
        let kind = Kind::parse(&kind).unwrap_or(Kind::Retract);
        let effective = kind != Kind::Retract && !retracted.contains(&id);
        if at >= start {
            match in_sample {
                true => wanted.push((complaint_id, SAMPLED_EARLIER.into())),
                false => ad_hoc.push(complaint_id),
            }
            if effective && kind == Kind::PushBack {
                pushed_back.insert(complaint_id);
            }
        }
        if effective && in_sample {
            facts.push(DecisionFact {
                complaint_id,
                at,
                kind,
                reasons,
            });
        }
    }
    let mut samples: Vec<(SampleFacts, Vec<(i64, String)>)> = Vec::new();
    let mut st = conn.prepare_cached(
        "SELECT s.id, s.label, s.population, s.confidence, si.complaint_id, si.reason, s.strata
         FROM samples s JOIN sample_items si ON si.sample_id = s.id
         WHERE s.drawn_at >= ?1 AND s.drawn_at < ?2 ORDER BY s.id, si.position",
    )?;
    let rows = st.query_map(params![start, end], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, f64>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, Option<String>>(6)?,
        ))
    })?;
    for row in rows {
        let (id, label, population, confidence, complaint, reason, strata) = row?;
        if samples.last().is_none_or(|s| s.0.id != id) {
            let facts = SampleFacts {
                id,
                label,
                population: population.max(0) as u64,
                confidence,
                items: Vec::new(),
                strata: super::samples::strata_column(6, strata)?,
            };
            samples.push((facts, Vec::new()));
        }
        wanted.push((complaint, reason.clone()));
        if let Some(s) = samples.last_mut() {
            s.1.push((complaint, reason));
        }
    }
    // A complaint counts once; it is random if any period sample drew it at random.
    wanted.sort_by_key(|(id, reason)| (*id, !reason.starts_with("random")));
    wanted.dedup_by_key(|(id, _)| *id);
    ad_hoc.sort_unstable();
    ad_hoc.dedup();
    let mut ids: Vec<i64> = wanted.iter().map(|w| w.0).collect();
    ids.extend(&ad_hoc);
    ids.extend(samples.iter().flat_map(|s| s.1.iter().map(|i| i.0)));
    let decisions = decisions_of(conn, &ids)?;
    let none = Vec::new();
    let mut judge = |id: i64, reason: &str| -> rusqlite::Result<Option<Item>> {
        let of = division.of(id)?.to_string();
        if divisions.is_some_and(|ds| !ds.contains(&of)) {
            return Ok(None);
        }
        let ds = decisions.get(&id).unwrap_or(&none);
        super::rollup::judge(conn, id, &of, reason, ds, now).map(Some)
    };
    let mut items = Vec::with_capacity(wanted.len());
    for (id, reason) in &wanted {
        items.extend(judge(*id, reason)?);
    }
    let mut adhoc = Vec::with_capacity(ad_hoc.len());
    for id in ad_hoc {
        adhoc.extend(judge(id, "")?);
    }
    let mut period_samples = Vec::with_capacity(samples.len());
    for (mut facts, its) in samples {
        for (id, reason) in its {
            let ds = decisions.get(&id).unwrap_or(&none);
            let of = division.of(id)?.to_string();
            // Only the bound reads these: whether each was reviewed and pushed back.
            facts.items.push(Item::of(id, &of, &reason, ds, "", now));
        }
        period_samples.push(facts);
    }
    Ok(Review {
        items,
        ad_hoc: adhoc,
        facts,
        pushed_back,
        samples: period_samples,
    })
}
