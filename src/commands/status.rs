//! `signoff status`: where every sampled complaint stands, per division, and what a sample proves.

use std::collections::BTreeMap;

use rusqlite::params;
use serde::Serialize;

use crate::cli::StatusArgs;
use crate::domain::decision::{self, Status};
use crate::domain::report::SampleBound;
use crate::store::decisions as sd;
use crate::store::samples::{self, Sample};

use super::{failed, Ctx};

#[derive(Debug, Default, Clone, Serialize)]
pub struct DivisionRow {
    pub division: String,
    pub sampled: u64,
    pub signed: u64,
    pub signed_text_changed: u64,
    pub pushed_back_open: u64,
    pub pushed_back_answered: u64,
    pub pushed_back_overdue: u64,
    pub pending: u64,
}

/// What a sample proves, as every view states it.
pub type Bound = SampleBound;

#[derive(Debug, Serialize)]
pub struct Report {
    pub divisions: Vec<DivisionRow>,
    pub total: DivisionRow,
    pub bound: Option<Bound>,
}

/// Counts for the sample (or all samples and decided complaints), within the person's scope.
pub fn compute(
    conn: &rusqlite::Connection,
    sample: Option<&Sample>,
    scope: Option<&[String]>,
    division: Option<&str>,
    now: i64,
) -> anyhow::Result<Report> {
    let ids: Vec<i64> = match sample {
        Some(s) => samples::items(conn, s.id)?
            .into_iter()
            .map(|i| i.complaint_id)
            .collect(),
        None => {
            let mut st = conn.prepare(
                "SELECT complaint_id FROM sample_items UNION SELECT complaint_id FROM decisions ORDER BY 1",
            )?;
            let rows = st.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        }
    };
    let mut rows: BTreeMap<String, DivisionRow> = BTreeMap::new();
    let mut div_st = conn.prepare_cached("SELECT division FROM complaints WHERE id = ?1")?;
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            continue;
        }
        let d: String = div_st.query_row(params![id], |r| r.get(0))?;
        if scope.is_some_and(|s| !s.contains(&d)) || division.is_some_and(|x| x != d) {
            continue;
        }
        let ds = sd::for_complaint(conn, id)?;
        let text = sd::current_text_hash(conn, id)?;
        let row = rows.entry(d.clone()).or_insert_with(|| DivisionRow {
            division: d.clone(),
            ..Default::default()
        });
        row.sampled += 1;
        match decision::status(&ds, &text, now) {
            Status::Pending => row.pending += 1,
            Status::Signed { .. } => row.signed += 1,
            Status::SignedTextChanged { .. } => row.signed_text_changed += 1,
            Status::PushedBack { overdue, .. } => {
                row.pushed_back_open += 1;
                if overdue {
                    row.pushed_back_overdue += 1;
                }
            }
            Status::Answered { .. } => row.pushed_back_answered += 1,
        }
    }
    let mut total = DivisionRow {
        division: "all".into(),
        ..Default::default()
    };
    for r in rows.values() {
        total.sampled += r.sampled;
        total.signed += r.signed;
        total.signed_text_changed += r.signed_text_changed;
        total.pushed_back_open += r.pushed_back_open;
        total.pushed_back_answered += r.pushed_back_answered;
        total.pushed_back_overdue += r.pushed_back_overdue;
        total.pending += r.pending;
    }
    let bound = match sample {
        Some(s) if scope.is_none() && division.is_none() => Some(bound(conn, s, now)?),
        _ => None,
    };
    Ok(Report {
        divisions: rows.into_values().collect(),
        total,
        bound,
    })
}

/// What a sample proves: over its random items only, per stratum where it was stratified,
/// once all are reviewed.
pub fn bound(conn: &rusqlite::Connection, s: &Sample, now: i64) -> anyhow::Result<Bound> {
    Ok(samples::bound(conn, s, now)?)
}

pub fn run(ctx: &Ctx, a: StatusArgs) -> anyhow::Result<()> {
    let scope = ctx.visible_divisions()?;
    let db = ctx.open_db()?;
    let sample = match &a.sample {
        Some(k) => {
            Some(samples::find(&db.conn, k)?.ok_or_else(|| failed(format!("no sample {k:?}")))?)
        }
        None => None,
    };
    let division = a
        .division
        .as_deref()
        .map(|d| ctx.cfg.canonical_division(d).to_string());
    let now = ctx.now.timestamp();
    let mut report = compute(
        &db.conn,
        sample.as_ref(),
        scope.as_deref(),
        division.as_deref(),
        now,
    )?;
    if sample.is_none() && scope.is_none() && division.is_none() {
        if let Some(latest) = samples::latest(&db.conn)? {
            report.bound = Some(bound(&db.conn, &latest, now)?);
        }
    }
    if ctx.json {
        return ctx.print_json(&report);
    }
    println!(
        "{:<28} {:>7} {:>7} {:>9} {:>8} {:>8} {:>7}",
        "division", "sampled", "signed", "pushed", "answered", "overdue", "pending"
    );
    for r in report
        .divisions
        .iter()
        .chain(std::iter::once(&report.total))
    {
        let signed = if r.signed_text_changed > 0 {
            format!("{}+{}!", r.signed, r.signed_text_changed)
        } else {
            r.signed.to_string()
        };
        println!(
            "{:<28} {:>7} {:>7} {:>9} {:>8} {:>8} {:>7}",
            crate::domain::text::one_line(&r.division, 28),
            r.sampled,
            signed,
            r.pushed_back_open,
            r.pushed_back_answered,
            r.pushed_back_overdue,
            r.pending
        );
    }
    if report.total.signed_text_changed > 0 {
        println!("! signed, but the text changed since: needs signing again");
    }
    if let Some(b) = &report.bound {
        println!("\nsample {} \"{}\": {}", b.sample, b.label, b.statement);
    }
    Ok(())
}
