//! `signoff report`: gathers the period's rows from the store, computes the review pack and
//! writes it as Markdown, HTML, CSV or JSON.

use crate::store::decisions::{chain_end, ChainEnd, ChainTable};
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::cli::{ReportArgs, ReportFormat};
use crate::domain::car;
use crate::domain::period;
use crate::domain::report::{self, Input, Report};
use crate::domain::verbatim;
use crate::store::{flag_reads, report as sr, report_picks as picks};

use super::{failed, refused, usage, Ctx};

/// What the pack says about itself.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub title: String,
    /// "all divisions" or the divisions covered.
    pub scope: String,
    pub generated_by: String,
    /// When the flags and daily tallies were last computed; None if never.
    pub checks_as_of: Option<i64>,
    pub late_hours: u32,
    pub contact_hours: u32,
    pub car_due_hours: u32,
    /// The ends of the decision and CAR-step chains the pack covers, to check a store against
    /// with `signoff verify --expect-head`.
    pub chain_head: ChainHeads,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChainHeads {
    pub decisions: Option<ChainEnd>,
    pub car_steps: Option<ChainEnd>,
}

/// The pack as rendered: its description and its figures.
#[derive(Debug, Clone, Serialize)]
pub struct Pack {
    pub meta: Meta,
    #[serde(flatten)]
    pub report: Report,
}

pub fn run(ctx: &Ctx, a: ReportArgs) -> anyhow::Result<()> {
    let person = ctx.person()?.clone();
    let scope = ctx.visible_divisions()?;
    let divisions: Option<Vec<String>> = match (&a.division, scope) {
        (Some(d), scope) => {
            let d = ctx.cfg.canonical_division(d).to_string();
            if scope.as_ref().is_some_and(|s| !s.contains(&d)) {
                return Err(refused(format!("{d} is not among your divisions")));
            }
            Some(vec![d])
        }
        (None, scope) => scope,
    };
    let format = a.format.unwrap_or(if ctx.json {
        ReportFormat::Json
    } else {
        ReportFormat::Md
    });
    let (p, stride) = period::parse(&a.period, ctx.now).map_err(usage)?;
    let trend = period::trend(&p, stride, ctx.cfg.report.trend_periods);
    let mut db = ctx.open_db()?;
    // One read transaction: every figure comes from the same moment of the store.
    let tx = db.conn.transaction()?;
    let pack = gather(ctx, &tx, divisions.as_deref(), p, trend, &person.name)?;
    tx.finish()?;
    let text = match format {
        ReportFormat::Md => super::report_md::render(&pack),
        ReportFormat::Html => super::report_html::render(&pack),
        ReportFormat::Csv => super::report_csv::render(&pack)?,
        ReportFormat::Json => {
            crate::domain::text::json_inert(serde_json::to_string_pretty(&pack)?) + "\n"
        }
    };
    match &a.out {
        Some(path) => {
            super::not_the_store(ctx, path, "--out", &[])?;
            write_private(path, &text)?;
            eprintln!("report written to {}", path.display());
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
        }
    }
    Ok(())
}

/// Reads the period from the store and computes the pack (public for the benchmark).
pub fn gather(
    ctx: &Ctx,
    conn: &rusqlite::Connection,
    divisions: Option<&[String]>,
    p: period::Period,
    trend: Vec<period::Period>,
    by: &str,
) -> anyhow::Result<Pack> {
    let now = ctx.now.timestamp();
    let trend_start = trend.first().map_or(p.start, |t| t.start);
    let days = sr::days(conn, divisions, trend_start, p.end)?;
    let review = sr::review(conn, divisions, trend_start, (p.start, p.end), now)?;
    let scores = crate::store::recommend::score_days(conn, divisions, trend_start, p.end)?;
    let cars = crate::store::report_cars::cars(conn, divisions, trend_start, p.end)?;
    let r = &ctx.cfg.report;
    let groups = picks::canned_groups(conn, divisions, p.start, p.end, 5)?;
    let mut cands = picks::candidates(conn, divisions, p.start, p.end, &review.pushed_back)?;
    let overdue: std::collections::HashSet<i64> = cars
        .iter()
        .filter(|c| car::overdue(car::state(&c.events), c.due_at, now))
        .map(|c| c.complaint_id)
        .collect();
    for c in &mut cands {
        c.car_overdue = overdue.contains(&c.complaint_id);
    }
    // Rank on what is known cheaply, then look up the rest for the front runners only.
    let n = r.verbatims as usize;
    let mut front = verbatim::pick(cands, n * 10);
    picks::details(conn, &mut front)?;
    let picked = verbatim::pick(front, n);
    let verbatims = picks::verbatims(conn, &picked, r.excerpt_chars as usize)?;
    let report = report::build(Input {
        period: p,
        trend,
        now,
        confidence: ctx.cfg.sampling.confidence,
        days,
        review: review.items,
        ad_hoc: review.ad_hoc,
        scores,
        decisions: review.facts,
        // What a sample proves is stated for the whole population only, as `status` does.
        samples: if divisions.is_none() {
            review.samples
        } else {
            Vec::new()
        },
        cars,
        canned_groups: groups,
        verbatims,
    });
    let meta = Meta {
        title: "Executive review pack".into(),
        scope: divisions.map_or_else(|| "all divisions".into(), |d| d.join(", ")),
        generated_by: by.to_string(),
        checks_as_of: flag_reads::last_run(conn)?.map(|r| r.at),
        late_hours: ctx.cfg.checks.late_hours,
        contact_hours: ctx.cfg.checks.contact_hours,
        car_due_hours: ctx.cfg.cars.due_hours,
        chain_head: ChainHeads {
            decisions: chain_end(conn, ChainTable::Decisions)?,
            car_steps: chain_end(conn, ChainTable::CarSteps)?,
        },
    };
    Ok(Pack { meta, report })
}

/// Reports quote customers: the file is created readable by its owner only.
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    let err = |e: std::io::Error| failed(format!("{}: {e}", path.display()));
    let mut out = crate::files::Output::create(path).map_err(err)?;
    out.write_all(text.as_bytes()).map_err(err)?;
    out.commit().map_err(err)
}

/// A share as "12.5 %", or "–" when there is nothing to divide.
pub fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), crate::domain::stats::format_rate)
}

/// The division table's columns, in Markdown and HTML alike.
pub const DIVISION_HEAD: [&str; 11] = [
    "Division",
    "Complaints",
    "Sampled",
    "Reviewed",
    "Signed",
    "Pushed back",
    "Open (overdue)",
    "Answered",
    "Sign-off rate",
    "Push-back rate",
    "Upper bound on unfit",
];

/// What the division table says of the rates, under it.
pub const DIVISION_NOTE: &str = "Where the period's sampled items stand now, as `signoff status` \
    counts them. Pushed back: at least once, whatever came after; open, overdue and answered say \
    where those stand now. The sign-off rate (signed without a push-back) and the push-back rate \
    share the reviewed items. Complaints decided outside any sample are listed apart.";

/// One division's row of the table.
pub fn division_cells(d: &report::DivisionRow) -> Vec<String> {
    let f = &d.review;
    let open = match f.pushed_back_overdue {
        0 => f.pushed_back_open.to_string(),
        late => format!("{} ({late})", f.pushed_back_open),
    };
    vec![
        f.division.clone(),
        crate::domain::canned::thousands(d.complaints.max(0) as u64),
        f.sampled.to_string(),
        f.reviewed.to_string(),
        (f.signed + f.signed_text_changed).to_string(),
        f.pushed_back.to_string(),
        open,
        f.pushed_back_answered.to_string(),
        pct(f.sign_off_rate),
        pct(f.push_back_rate),
        pct(f.upper_bound),
    ]
}

/// The complaints decided outside any sample, one line per division.
pub fn ad_hoc_lines(r: &Report) -> Vec<String> {
    r.ad_hoc
        .iter()
        .map(|a| {
            format!(
                "{}: {} decided outside any sample — {} signed, {} pushed back ({} open, {} answered); in none of the figures above",
                a.division,
                a.complaints,
                a.signed + a.signed_text_changed,
                a.pushed_back,
                a.pushed_back_open,
                a.pushed_back_answered
            )
        })
        .collect()
}

/// What the pack's figures rest on: the ends of the chains when it was made.
pub fn head_line(m: &Meta) -> String {
    let end = |e: &Option<ChainEnd>| match e {
        Some(e) => format!("#{} {} ({} records)", e.id, e.hash, e.records),
        None => "empty".into(),
    };
    format!(
        "Covers the decision chain to {} and the CAR steps to {}; `signoff verify --expect-head HASH` checks a store still holds them.",
        end(&m.chain_head.decisions),
        end(&m.chain_head.car_steps)
    )
}

/// The line under the title: scope, author, and how fresh the checks are.
pub fn byline(m: &Meta, generated_at: i64) -> String {
    format!(
        "{} · generated {} UTC for {} · {}",
        m.scope,
        super::fmt_time(generated_at),
        m.generated_by,
        match m.checks_as_of {
            Some(t) => format!("checks as of {} UTC", super::fmt_time(t)),
            None => "checks never run: complaint figures are empty until `signoff flags --refresh`"
                .into(),
        }
    )
}
