//! `signoff sample` and `signoff samples`.

use serde::Serialize;

use crate::cli::SampleArgs;
use crate::config::Role;
use crate::domain::period::iso_week_label;
use crate::domain::report::SampleBound;
use crate::domain::rng::Rng;
use crate::domain::rollup::{self, Figures};
use crate::domain::sample::{parse_include, Filters, Include, Plan, Sized, Spec, Strata};
use crate::domain::sample_bound::sized_stratified;
use crate::domain::stats::format_rate;
use crate::domain::text::one_line;
use crate::error::{failed, usage};
use crate::render::time::{fmt_date, fmt_time};
use crate::store::samples::{Drawn, Sample};
use crate::store::{Store, StoreError};

use super::{parse_time, Ctx};

/// The spec a command line asks for, with the configuration's defaults.
pub fn spec_from_args(ctx: &Ctx, a: &SampleArgs) -> anyhow::Result<Spec> {
    let s = &ctx.cfg.sampling;
    let confidence = a.confidence.unwrap_or(s.confidence);
    if !(confidence > 0.0 && confidence < 100.0) {
        return Err(usage("--confidence must be between 0 and 100"));
    }
    let plan = match (a.size, a.percent) {
        (Some(n), _) => Plan::Size { n, confidence },
        (_, Some(p)) if p > 0.0 && p <= 100.0 => Plan::Percent {
            percent: p,
            confidence,
        },
        (_, Some(_)) => return Err(usage("--percent must be above 0 and at most 100")),
        _ => {
            let tolerable = a.tolerable.unwrap_or(s.tolerable);
            if !(tolerable > 0.0 && tolerable < 100.0) {
                return Err(usage("--tolerable must be between 0 and 100"));
            }
            Plan::Confidence {
                confidence,
                tolerable,
            }
        }
    };
    let (since, until) = if a.all {
        (None, None)
    } else {
        let since = match &a.since {
            Some(v) => parse_time("--since", v, false)?,
            None if a.until.is_none() => ctx.now.timestamp() - i64::from(s.window_days) * 86_400,
            None => i64::MIN,
        };
        let until = a
            .until
            .as_deref()
            .map(|v| parse_time("--until", v, true))
            .transpose()?;
        ((since != i64::MIN).then_some(since), until)
    };
    let mut includes: Vec<Include> = Vec::new();
    for raw in s.include.iter().chain(&a.include) {
        let inc = parse_include(raw).map_err(usage)?;
        includes.retain(|i| i.rule != inc.rule);
        includes.push(inc);
    }
    let strata = match (a.per_division, &a.stratify) {
        (Some(n), _) => Strata::PerDivision { n },
        (_, Some(_)) => Strata::Proportional,
        _ => Strata::None,
    };
    Ok(Spec {
        plan,
        filters: Filters {
            divisions: a
                .division
                .iter()
                .map(|d| ctx.cfg.canonical_division(d).to_string())
                .collect(),
            sources: a.source.clone(),
            channels: a.channel.iter().map(|c| c.to_lowercase()).collect(),
            products: a.product.clone(),
            since,
            until,
            include_sampled: a.include_sampled,
        },
        includes,
        strata,
        detractor_max: s.detractor_max,
        manager_phrases: s.phrases.asked_for_manager.clone(),
        negative_phrases: s.phrases.negative.clone(),
    })
}

/// The random part as drawn and what it proves if nothing is pushed back: per stratum when it
/// was stratified, where the plan's own size is only what the strata were allotted from.
fn sized(spec: &Spec, drawn: &Drawn) -> Sized {
    if drawn.strata.is_empty() {
        spec.plan.size(drawn.random_population)
    } else {
        sized_stratified(&spec.plan, &drawn.strata)
    }
}

/// The plan with its strata: "95 % / 5 %, 5 per division".
fn describe(spec: &Spec) -> String {
    match spec.strata {
        Strata::None => spec.plan.describe(),
        Strata::PerDivision { n } => format!("{n} per division, {} %", spec.plan.confidence()),
        Strata::Proportional => format!("{}, by division", spec.plan.describe()),
    }
}

#[derive(Serialize)]
struct ItemJson {
    position: usize,
    #[serde(rename = "ref")]
    reference: String,
    external_id: String,
    source: String,
    division: String,
    received_at: i64,
    reason: String,
    subject: Option<String>,
}

#[derive(Serialize)]
struct SampleJson<'a> {
    id: Option<i64>,
    label: String,
    seed: String,
    drawn_by: String,
    drawn_at: i64,
    plan: &'a Plan,
    population: u64,
    random_population: u64,
    random_size: u64,
    proves: f64,
    statement: String,
    weak: bool,
    fingerprint: String,
    items: Vec<ItemJson>,
}

fn items_json(db: &mut dyn Store, drawn: &Drawn) -> anyhow::Result<Vec<ItemJson>> {
    let mut out = Vec::with_capacity(drawn.items.len());
    for (i, it) in drawn.items.iter().enumerate() {
        let c = db.listed(it.complaint_id)?;
        out.push(ItemJson {
            position: i + 1,
            reference: it.complaint_id.to_string(),
            external_id: c.external_id,
            source: c.source,
            division: c.division,
            received_at: c.received_at,
            reason: it.reason.clone(),
            subject: Some(c.subject.unwrap_or_else(|| one_line(&c.complaint_text, 60))),
        });
    }
    Ok(out)
}

pub fn run(ctx: &Ctx, a: SampleArgs) -> anyhow::Result<()> {
    if let Some(key) = &a.replay {
        return replay(ctx, key);
    }
    let person = ctx.require(&[Role::Executive], "draw a sample")?.clone();
    let spec = spec_from_args(ctx, &a)?;
    let mut db = ctx.open_store()?;
    if a.plan_only {
        let id = db.next_sample_id()?;
        let drawn = db.draw(&spec, 0, id)?;
        let sized = sized(&spec, &drawn);
        if ctx.json {
            return ctx.print_json(&serde_json::json!({
                "plan": spec.plan, "population": drawn.population,
                "random_population": drawn.random_population, "size": sized.n,
                "must_include": drawn.items.len() as u64 - drawn.random_size,
                "proves": sized.proves, "statement": sized.statement(&spec.plan),
            }));
        }
        println!(
            "population {} · must include {} · plan {} → {} items",
            drawn.population,
            drawn.items.len() as u64 - drawn.random_size,
            describe(&spec),
            sized.n
        );
        println!("{}", sized.statement(&spec.plan));
        return Ok(());
    }
    let seed = a.seed.unwrap_or_else(Rng::fresh_seed);
    let label = a.label.clone().unwrap_or_else(|| iso_week_label(ctx.now));
    let drawn_at = ctx.now.timestamp();
    let (id, drawn) = ctx
        .write_store(db.as_mut(), StoreError::is_busy, |db| {
            db.draw_and_record(&spec, seed, &label, &person.login, drawn_at)
        })
        .map_err(|e| super::write_error(e.into()))?;
    let Some(id) = id else {
        return Err(failed(format!(
            "nothing to draw: {} complaints match the filters{}",
            drawn.population,
            if spec.filters.since.is_some() && !a.all {
                format!(
                    " (received in the last {} days; widen with --since or --all)",
                    ctx.cfg.sampling.window_days
                )
            } else {
                String::new()
            }
        )));
    };
    let sized = sized(&spec, &drawn);
    let weak = matches!(spec.plan, Plan::Percent { .. })
        && sized.proves * 100.0 > ctx.cfg.sampling.weak_proof_percent;
    let items = items_json(db.as_mut(), &drawn)?;
    if ctx.json {
        return ctx.print_json(&SampleJson {
            id: Some(id),
            label,
            seed: seed.to_string(),
            drawn_by: person.login.clone(),
            drawn_at,
            plan: &spec.plan,
            population: drawn.population,
            random_population: drawn.random_population,
            random_size: drawn.random_size,
            proves: sized.proves,
            statement: sized.statement(&spec.plan),
            weak,
            fingerprint: drawn.fingerprint.clone(),
            items,
        });
    }
    let must = drawn.items.len() as u64 - drawn.random_size;
    println!(
        "sample {id} \"{label}\": {} drawn of {} ({}) · seed {seed}",
        drawn.items.len(),
        drawn.population,
        describe(&spec)
    );
    if must > 0 {
        println!(
            "  must include: {must} by rule ({})",
            spec.includes
                .iter()
                .map(|i| if i.share >= 1.0 {
                    i.rule.name().to_string()
                } else {
                    format!("{}={}%", i.rule.name(), i.share * 100.0)
                })
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    println!("  random: {}", sized.statement(&spec.plan));
    if weak {
        println!(
            "  warning: this sample proves little — a clean review shows only that at most {} are unfit; consider --confidence",
            format_rate(sized.proves)
        );
    }
    println!();
    for it in &items {
        println!(
            "  {:>3}  {:<12} {:<14} {}  {:<26} {}",
            it.position,
            one_line(&it.external_id, 12),
            one_line(&it.division, 14),
            fmt_date(it.received_at),
            it.reason,
            one_line(it.subject.as_deref().unwrap_or(""), 50)
        );
    }
    Ok(())
}

fn replay(ctx: &Ctx, key: &str) -> anyhow::Result<()> {
    ctx.require(&[Role::Executive, Role::Admin], "replay a sample")?;
    let mut db = ctx.open_store()?;
    let s: Sample = db
        .sample(key)?
        .ok_or_else(|| failed(format!("no sample {key:?}")))?;
    let recorded = db.sample_items(s.id)?;
    let drawn = db.draw(&s.spec, s.seed, s.id)?;
    let items_match = recorded == drawn.items;
    let fingerprint_match = s.fingerprint == drawn.fingerprint;
    let same = recorded
        .iter()
        .filter(|r| drawn.items.iter().any(|d| d.complaint_id == r.complaint_id))
        .count();
    if ctx.json {
        ctx.print_json(&serde_json::json!({
            "sample": s.id, "label": s.label, "seed": s.seed.to_string(),
            "items_match": items_match, "fingerprint_match": fingerprint_match,
            "recorded_items": recorded.len(), "replayed_items": drawn.items.len(), "common_items": same,
            "population": drawn.population, "recorded_population": s.population,
        }))?;
    } else {
        println!(
            "replay of sample {} \"{}\" (seed {}): {} — {same} of {} items in common; fingerprint {}",
            s.id,
            s.label,
            s.seed,
            if items_match { "the same items in the same order" } else { "the items differ" },
            recorded.len(),
            if fingerprint_match {
                "matches: the population is as it was"
            } else {
                "differs: the population changed since the draw"
            }
        );
    }
    if items_match {
        Ok(())
    } else {
        Err(failed(""))
    }
}

#[derive(Serialize)]
struct SampleRow {
    id: i64,
    label: String,
    drawn_by: String,
    drawn_at: i64,
    items: u64,
    reviewed: u64,
    pushed_back: u64,
    population: u64,
    seed: String,
    /// The roll-up every view shows, per division and in all.
    divisions: Vec<Figures>,
    total: Figures,
    /// What the sample proves; for those who see every division.
    bound: Option<SampleBound>,
}

pub fn list(ctx: &Ctx) -> anyhow::Result<()> {
    let scope = ctx.visible_divisions()?;
    let mut db = ctx.open_store()?;
    let now = ctx.now.timestamp();
    let mut rows = Vec::new();
    for s in db.samples()? {
        let items = db.reviewed_of_sample(s.id, scope.as_deref(), now)?;
        if scope.is_some() && items.is_empty() {
            continue;
        }
        let r = rollup::roll_up(&items, ctx.cfg.sampling.confidence);
        let bound = match scope {
            None => Some(db.sample_bound(&s, now)?),
            Some(_) => None,
        };
        rows.push(SampleRow {
            id: s.id,
            label: s.label,
            drawn_by: s.drawn_by,
            drawn_at: s.drawn_at,
            items: r.total.sampled,
            reviewed: r.total.reviewed,
            pushed_back: r.total.pushed_back,
            population: s.population,
            seed: s.seed.to_string(),
            divisions: r.divisions,
            total: r.total,
            bound,
        });
    }
    if ctx.json {
        return ctx.print_json(&rows);
    }
    if rows.is_empty() {
        println!("no samples yet: draw one with `signoff sample`");
    }
    for r in &rows {
        let t = &r.total;
        println!(
            "{:>4}  {:<10} {}  by {:<8} {:>3} / {:<3} reviewed · {} signed · {} pushed back ({} open, {} answered) · population {}",
            r.id,
            r.label,
            fmt_time(r.drawn_at),
            r.drawn_by,
            r.reviewed,
            r.items,
            t.signed + t.signed_text_changed,
            r.pushed_back,
            t.pushed_back_open,
            t.pushed_back_answered,
            r.population
        );
    }
    Ok(())
}
