//! `signoff status`: where every sampled complaint stands, per division, and what a sample proves.
//! The figures are the roll-up every view shows (`domain::rollup`); complaints decided outside
//! any sample are listed apart as ad hoc and counted in none of them.

use serde::Serialize;

use crate::cli::StatusArgs;
use crate::domain::report::SampleBound;
use crate::domain::rollup::{self, AdHoc, Figures, Item};
use crate::domain::text::inert;
use crate::error::failed;
use crate::render::number::pct;

use super::Ctx;

#[derive(Debug, Serialize)]
pub struct Report {
    pub divisions: Vec<Figures>,
    pub total: Figures,
    /// What the sample (or, without `--sample`, the latest) proves; for the whole population.
    pub bound: Option<SampleBound>,
    /// Each sampled complaint as the figures count it.
    pub items: Vec<Item>,
    /// Complaints decided outside any sample, per division (without `--sample`): in none of
    /// the figures above.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ad_hoc: Option<Vec<AdHoc>>,
}

/// The divisions a person asked for within those they may see (None: all).
fn filter(scope: Option<Vec<String>>, division: Option<String>) -> Option<Vec<String>> {
    match (scope, division) {
        (None, d) => d.map(|d| vec![d]),
        (Some(s), None) => Some(s),
        (Some(s), Some(d)) => Some(s.into_iter().filter(|x| *x == d).collect()),
    }
}

pub fn run(ctx: &Ctx, a: StatusArgs) -> anyhow::Result<()> {
    let scope = ctx.visible_divisions()?;
    let whole = scope.is_none() && a.division.is_none();
    let mut db = ctx.open_store()?;
    let sample = match &a.sample {
        Some(k) => Some(
            db.sample(k)?
                .ok_or_else(|| failed(format!("no sample {k:?}")))?,
        ),
        None => None,
    };
    let division = a
        .division
        .as_deref()
        .map(|d| ctx.cfg.canonical_division(d).to_string());
    let only = filter(scope, division);
    let now = ctx.now.timestamp();
    let confidence = ctx.cfg.sampling.confidence;
    let list = match &sample {
        Some(s) => db.reviewed_of_sample(s.id, only.as_deref(), now)?,
        None => db.reviewed_of_all_samples(only.as_deref(), None, now)?,
    };
    let r = rollup::roll_up(&list, confidence);
    let bound = match (&sample, whole) {
        (Some(s), true) => Some(db.sample_bound(s, now)?),
        (None, true) => match db.latest_sample()? {
            Some(latest) => Some(db.sample_bound(&latest, now)?),
            None => None,
        },
        _ => None,
    };
    let ad_hoc = match sample {
        Some(_) => None,
        None => Some(rollup::ad_hoc(&db.reviewed_ad_hoc(only.as_deref(), None, now)?).0),
    };
    let report = Report {
        divisions: r.divisions,
        total: r.total,
        bound,
        items: list,
        ad_hoc,
    };
    if ctx.json {
        return ctx.print_json(&report);
    }
    print(&report);
    Ok(())
}

fn print(report: &Report) {
    let line = |d: &str, f: &Figures| {
        let signed = if f.signed_text_changed > 0 {
            format!("{}+{}!", f.signed, f.signed_text_changed)
        } else {
            f.signed.to_string()
        };
        println!(
            "{:<24} {:>7} {:>8} {:>7} {:>6} {:>5} {:>8} {:>7} {:>7} {:>8}",
            crate::domain::text::one_line(d, 24),
            f.sampled,
            f.reviewed,
            signed,
            f.pushed_back,
            f.pushed_back_open,
            f.pushed_back_answered,
            f.pushed_back_overdue,
            f.pending,
            pct(f.sign_off_rate)
        );
    };
    println!(
        "{:<24} {:>7} {:>8} {:>7} {:>6} {:>5} {:>8} {:>7} {:>7} {:>8}",
        "division",
        "sampled",
        "reviewed",
        "signed",
        "pushed",
        "open",
        "answered",
        "overdue",
        "pending",
        "sign-off"
    );
    for f in report
        .divisions
        .iter()
        .chain(std::iter::once(&report.total))
    {
        line(&f.division, f);
    }
    println!(
        "pushed: pushed back at least once; open, answered and overdue: where those stand now"
    );
    if report.total.signed_text_changed > 0 {
        println!("! signed, but the text changed since: needs signing again");
    }
    for f in report.divisions.iter().filter(|f| f.random_items > 0) {
        println!(
            "  {}",
            inert(&format!("{}: {}", f.division, f.bound_statement))
        );
    }
    if let Some(b) = &report.bound {
        println!("\nsample {} \"{}\": {}", b.sample, b.label, b.statement);
    }
    let ad_hoc = report.ad_hoc.as_deref().unwrap_or_default();
    if !ad_hoc.is_empty() {
        println!("\nad hoc, decided outside any sample and in none of the figures above:");
        for a in ad_hoc {
            println!(
                "  {}: {} complaint{} · {} signed · {} pushed back ({} open, {} answered)",
                inert(&a.division),
                a.complaints,
                if a.complaints == 1 { "" } else { "s" },
                a.signed + a.signed_text_changed,
                a.pushed_back,
                a.pushed_back_open,
                a.pushed_back_answered
            );
        }
    }
}
