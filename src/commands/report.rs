//! `signoff report`: gathers the period's rows from the store, computes the review pack and
//! writes it as Markdown, HTML, CSV (`render`) or JSON.

use std::io::Write;
use std::path::Path;

use crate::cli::{ReportArgs, ReportFormat};
use crate::domain::car;
use crate::domain::pack::{ChainHeads, Meta, Pack};
use crate::domain::period;
use crate::domain::report::{self, Input};
use crate::domain::verbatim;
use crate::error::{failed, refused, usage};
use crate::render;
use crate::store::decisions::ChainTable;
use crate::store::report_reader::ReportReads;
use crate::store::Backend;

use super::Ctx;

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
    let mut store = ctx.open_store()?;
    // Flags that time alone raised since the store last changed are raised before they are read.
    store.catch_up_checks_if_free(ctx.now.timestamp())?;
    let read =
        |r: &mut dyn ReportReads| gather(ctx, r, divisions.as_deref(), p, trend, &person.name);
    let pack = match store.backend() {
        Backend::Sqlite(db) => db.read_report(read)?,
        Backend::Pg(pg) => pg.read_report(read)?,
    };
    let text = match format {
        ReportFormat::Md => render::markdown::render(&pack),
        ReportFormat::Html => render::html::render(&pack),
        ReportFormat::Csv => render::csv::render(&pack)?,
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

/// Reads the period from the store, whichever backend keeps it, and computes the pack (public
/// for the benchmarks).
pub fn gather(
    ctx: &Ctx,
    r: &mut dyn ReportReads,
    divisions: Option<&[String]>,
    p: period::Period,
    trend: Vec<period::Period>,
    by: &str,
) -> anyhow::Result<Pack> {
    let now = ctx.now.timestamp();
    let started = std::time::Instant::now();
    let mark = |phase: &str| {
        tracing::debug!(phase, secs = started.elapsed().as_secs_f64(), "pack");
    };
    let trend_start = trend.first().map_or(p.start, |t| t.start);
    let days = r.days(divisions, trend_start, p.end)?;
    mark("days");
    let review = r.review(divisions, trend_start, (p.start, p.end), now)?;
    mark("review");
    let scores = r.score_days(divisions, trend_start, p.end)?;
    mark("scores");
    let cars = r.cars(divisions, trend_start, p.end)?;
    mark("cars");
    let rc = &ctx.cfg.report;
    let groups = r.canned_groups(divisions, p.start, p.end, 5)?;
    mark("canned groups");
    let mut cands = r.candidates(divisions, p.start, p.end, &review.pushed_back)?;
    mark("candidates");
    let overdue: std::collections::HashSet<i64> = cars
        .iter()
        .filter(|c| car::overdue(car::state(&c.events), c.due_at, now))
        .map(|c| c.complaint_id)
        .collect();
    for c in &mut cands {
        c.car_overdue = overdue.contains(&c.complaint_id);
    }
    // Rank on what is known cheaply, then look up the rest for the front runners only.
    let n = rc.verbatims as usize;
    let mut front = verbatim::pick(cands, n * 10);
    r.details(&mut front)?;
    let picked = verbatim::pick(front, n);
    let verbatims = r.verbatims(&picked, rc.excerpt_chars as usize)?;
    mark("verbatims");
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
        checks_as_of: r.last_check_run()?.map(|r| r.at),
        late_hours: ctx.cfg.checks.late_hours,
        contact_hours: ctx.cfg.checks.contact_hours,
        car_due_hours: ctx.cfg.cars.due_hours,
        chain_head: ChainHeads {
            decisions: r.chain_end(ChainTable::Decisions)?,
            car_steps: r.chain_end(ChainTable::CarSteps)?,
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
