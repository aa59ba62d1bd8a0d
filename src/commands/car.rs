//! `signoff car open|list|show|verify`, and what imports need to open CARs by rule. The steps
//! that work a CAR (contact, cause, act, check, close) are in `car_steps`.

use serde::Serialize;

use crate::cli::{CarArgs, CarCommand, CarListArgs, CarOpenArgs};
use crate::config::{Config, Role};
use crate::domain::car::{next_steps, OpenRule, State};
use crate::domain::sample::Rule;
use crate::domain::text::{inert, one_line};
use crate::error::{failed, refused, usage};
use crate::render::time::fmt_time;
use crate::store::car_work::Opened;
use crate::store::cars::{AfterImport, Filter, Opening};
use crate::store::draw::phrase_query;
use crate::store::patience::busy_error;
use crate::store::pg::PgAppendError;
use crate::store::rule_sets::PhraseRule;
use crate::store::Backend;

use super::{parse_time, refs, Ctx};

/// The import hook's settings: the configured rules, opened in the importer's name, and a flags
/// refresh unless `refresh` is false (a dry run).
pub fn after_import(
    cfg: &Config,
    login: &str,
    now: i64,
    refresh: bool,
    signer: crate::domain::signing::SharedSigner,
) -> AfterImport {
    let c = &cfg.cars;
    AfterImport {
        // The configuration was validated on load, so every rule parses.
        rules: c
            .open_when
            .iter()
            .filter_map(|r| OpenRule::parse(r).ok())
            .collect(),
        likelihood_max: c.likelihood_max,
        due_secs: i64::from(c.due_hours) * 3600,
        max_age_secs: (c.max_age_days > 0).then(|| i64::from(c.max_age_days) * 86_400),
        actor: login.to_string(),
        actor_name: cfg
            .person(login)
            .map_or_else(|| login.to_string(), |p| p.name.clone()),
        now,
        checks: (refresh && cfg.checks.refresh_after_import).then(|| super::flags::settings(cfg)),
        phrase_rules: phrase_rules(cfg),
        signer,
    }
}

/// The sampling rules that search for phrases, with the configured phrases' query.
pub fn phrase_rules(cfg: &Config) -> Vec<PhraseRule> {
    let p = &cfg.sampling.phrases;
    [
        (Rule::AskedForManager, &p.asked_for_manager),
        (Rule::Negative, &p.negative),
    ]
    .into_iter()
    .map(|(rule, phrases)| PhraseRule {
        rule: rule.name().to_string(),
        // No phrases, no matches (an empty search would not parse).
        query: if phrases.iter().all(|p| p.trim().is_empty()) {
            String::new()
        } else {
            phrase_query(phrases)
        },
    })
    .collect()
}

pub fn run(ctx: &Ctx, a: CarArgs) -> anyhow::Result<()> {
    match a.command {
        CarCommand::Open(a) => open(ctx, a),
        CarCommand::List(a) => list(ctx, a),
        CarCommand::Show(a) => show(ctx, &a.id),
        CarCommand::Verify => verify(ctx),
        step => super::car_steps::run(ctx, step),
    }
}

fn open(ctx: &Ctx, a: CarOpenArgs) -> anyhow::Result<()> {
    let p = ctx
        .require(&[Role::Executive, Role::DivisionHead], "open a CAR")?
        .clone();
    let why = a.why.trim();
    if why.is_empty() {
        return Err(usage("--why must say why a CAR is needed"));
    }
    let now = ctx.now.timestamp();
    let due = match &a.due {
        Some(s) => parse_time("--due", s, true)?,
        None => now + i64::from(ctx.cfg.cars.due_hours) * 3600,
    };
    let signer = ctx.signer(&p)?;
    let mut db = ctx.open_store()?;
    // The resolver refuses a division head someone else's complaint.
    let complaint = refs::resolve(ctx, db.as_mut(), &a.reference)?;
    let id = ctx
        .write_store(db.as_mut(), busy_error, |db| {
            let opening = Opening {
                complaint_id: complaint,
                origin: "manual",
                actor: &p.login,
                actor_name: &p.name,
                at: now,
                due_at: due,
                why,
            };
            let opened = db
                .open_car(&opening, signer.0.as_ref())
                .map_err(|e| store_refusal(&p, e))?;
            match opened {
                Opened::New(id) => Ok(id),
                Opened::Existing(existing) => Err(failed(format!(
                    "{} already has CAR-{} ({}); one CAR per complaint",
                    a.reference,
                    existing.id,
                    existing.state.label()
                ))),
                Opened::Refused => Err(failed(format!("{} already has a CAR", a.reference))),
            }
        })
        .map_err(super::write_error)?;
    let car = db.car(id, now)?.ok_or_else(|| failed("the CAR vanished"))?;
    super::out::survive_closed_pipe();
    let printed = if ctx.json {
        super::out::json(&car)
    } else {
        crate::out!(
            "CAR-{id} opened for {} ({}), due {}",
            inert(&car.external_id),
            inert(&car.division),
            fmt_time(due)
        )
        .map_err(Into::into)
    };
    super::out::after_save(&format!("CAR-{id} (opened)"), printed)
}

/// A write's error, with a refusal by the PostgreSQL server (its rights or row-level security:
/// who may open or work which CAR) said as a refusal of the person.
pub(super) fn store_refusal(p: &crate::config::Person, e: anyhow::Error) -> anyhow::Error {
    match e.downcast_ref::<PgAppendError>() {
        Some(PgAppendError::Refused(m)) => refused(format!(
            "{} ({}): the store refused it: {m}",
            p.name,
            p.role.as_str()
        )),
        Some(PgAppendError::NoComplaint(id)) => failed(format!(
            "the complaint {id} is not in the store, or not yours to see"
        )),
        _ => e,
    }
}

#[derive(Serialize)]
struct Row<'a> {
    id: i64,
    complaint_id: i64,
    external_id: &'a str,
    source: &'a str,
    division: &'a str,
    origin: &'a str,
    opened_at: i64,
    opened_by: &'a str,
    due_at: i64,
    state: State,
    overdue: bool,
    steps: usize,
    last_step_at: i64,
    next: Vec<&'static str>,
}

fn list(ctx: &Ctx, a: CarListArgs) -> anyhow::Result<()> {
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
    let mut db = ctx.open_store()?;
    let now = ctx.now.timestamp();
    let mut list = db.cars(
        &Filter {
            divisions: divisions.as_deref(),
            include_closed: a.all,
            overdue_only: a.overdue,
            ..Default::default()
        },
        now,
    )?;
    // Overdue first, most overdue on top; then by due time; closed last.
    list.sort_by_key(|c| (!c.overdue, c.state == State::Closed, c.due_at, c.id));
    let rows: Vec<Row> = list
        .iter()
        .map(|c| Row {
            id: c.id,
            complaint_id: c.complaint_id,
            external_id: &c.external_id,
            source: &c.source,
            division: &c.division,
            origin: &c.origin,
            opened_at: c.opened_at,
            opened_by: &c.opened_by,
            due_at: c.due_at,
            state: c.state,
            overdue: c.overdue,
            steps: c.events.len(),
            last_step_at: c.events.last().map_or(c.opened_at, |e| e.at),
            next: next_steps(c.state),
        })
        .collect();
    if ctx.json {
        return ctx.print_json(&rows);
    }
    let overdue = rows.iter().filter(|r| r.overdue).count();
    println!(
        "{} CAR{}{}",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        if overdue > 0 {
            format!(" · {overdue} OVERDUE: not called back in time")
        } else {
            String::new()
        }
    );
    for r in &rows {
        println!(
            "{} {:>8}  {:<12} {:<14} {:<22} due {}{}",
            if r.overdue { "!" } else { " " },
            format!("CAR-{}", r.id),
            one_line(r.external_id, 12),
            one_line(r.division, 14),
            r.state.label(),
            fmt_time(r.due_at),
            if r.overdue { "  OVERDUE" } else { "" }
        );
    }
    Ok(())
}

fn show(ctx: &Ctx, raw: &str) -> anyhow::Result<()> {
    let mut db = ctx.open_store()?;
    let car = refs::car(ctx, db.as_mut(), raw)?;
    if ctx.json {
        return ctx.print_json(&car);
    }
    println!(
        "CAR-{} · {} · {} · {}{}",
        car.id,
        inert(&car.external_id),
        inert(&car.division),
        car.state.label(),
        if car.overdue { " · OVERDUE" } else { "" }
    );
    println!(
        "opened {} by {} ({}), due {}",
        fmt_time(car.opened_at),
        car.opened_by,
        car.origin,
        fmt_time(car.due_at)
    );
    for e in &car.events {
        let extra = match (&e.category, e.worked) {
            (Some(c), _) => format!(" [{c}]"),
            (_, Some(w)) => format!(" [worked: {}]", if w { "yes" } else { "no" }),
            _ => String::new(),
        };
        let when = if e.happened_at != e.at {
            format!(" (happened {})", fmt_time(e.happened_at))
        } else {
            String::new()
        };
        println!(
            "  {}  {:<8} {}{when}{extra}: {}",
            fmt_time(e.at),
            e.step.as_str(),
            e.actor_name,
            inert(&e.text)
        );
    }
    let next = next_steps(car.state);
    if !next.is_empty() {
        println!("next: signoff car {} CAR-{}", next.join("|"), car.id);
    }
    Ok(())
}

fn verify(ctx: &Ctx) -> anyhow::Result<()> {
    let p = ctx.person()?;
    let mut db = ctx.open_store()?;
    // PostgreSQL shows a division head only her divisions' steps: the links between them and
    // the others' are not hers to check.
    if p.role == Role::DivisionHead && matches!(db.backend(), Backend::Pg(_)) {
        return Err(refused(format!(
            "{} ({}): on a PostgreSQL store a division head sees only her divisions' CAR steps, \
             not the whole chain; an executive or an admin verifies it",
            p.name,
            p.role.as_str()
        )));
    }
    let problems = db.verify_cars()?;
    let steps = db.car_steps()?.len();
    if ctx.json {
        ctx.print_json(&serde_json::json!({ "steps": steps, "problems": problems }))?;
    } else if problems.is_empty() {
        println!("{steps} CAR steps checked: every hash and link holds");
    } else {
        for p in &problems {
            println!("{p}");
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(failed(format!(
            "{} problems in the CAR chain",
            problems.len()
        )))
    }
}
