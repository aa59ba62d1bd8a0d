//! `signoff car contact|cause|act|check|close ID ...`: working a CAR, one recorded step at a
//! time, each checked against the CAR's state and the person's role.

use crate::cli::{CarCommand, YesNo};
use crate::config::Role;
use crate::domain::car::{self, next_steps, Actor, Step, StepError};
use crate::error::{failed, refused, usage};
use crate::render::time::fmt_time;
use crate::store::cars::{self, NewEvent};
use crate::store::patience::busy_error;
use crate::store::Backend;

use super::{parse_time, refs, Ctx};

/// One step as the command line gives it.
struct Request {
    id: String,
    step: Step,
    text: String,
    when: Option<String>,
    category: Option<String>,
    worked: Option<bool>,
}

fn request(cmd: CarCommand) -> anyhow::Result<Request> {
    let r = |id, step, text: String| Request {
        id,
        step,
        text: text.trim().to_string(),
        when: None,
        category: None,
        worked: None,
    };
    Ok(match cmd {
        CarCommand::Contact(a) => Request {
            when: a.when,
            ..r(a.id, Step::Contact, a.outcome)
        },
        CarCommand::Cause(a) => Request {
            category: Some(a.category.trim().to_lowercase()),
            ..r(a.id, Step::Cause, a.note)
        },
        CarCommand::Act(a) => Request {
            when: a.when,
            ..r(a.id, Step::Act, a.note)
        },
        CarCommand::Check(a) => Request {
            worked: Some(matches!(a.worked, YesNo::Yes)),
            ..r(a.id, Step::Check, a.note)
        },
        CarCommand::Close(a) => r(a.id, Step::Close, a.note.unwrap_or_default()),
        other => return Err(usage(format!("{other:?} is not a CAR step"))),
    })
}

pub fn run(ctx: &Ctx, cmd: CarCommand) -> anyhow::Result<()> {
    let req = request(cmd)?;
    let p = ctx.person()?.clone();
    if req.step != Step::Close && req.text.is_empty() {
        return Err(usage("say what happened: the note or outcome is empty"));
    }
    if let Some(c) = &req.category {
        let causes = &ctx.cfg.cars.causes;
        if !causes.contains(c) {
            return Err(usage(format!(
                "--category {c:?} is not a root-cause category (cars.causes: {})",
                causes.join(", ")
            )));
        }
    }
    let now = ctx.now.timestamp();
    let happened_at = match &req.when {
        Some(s) => parse_time("--when", s, false)?,
        None => now,
    };
    if happened_at > now {
        return Err(usage(
            "--when is in the future: record a step once it has happened",
        ));
    }
    let signer = ctx.signer(&p)?;
    let mut db = ctx.open_store()?;
    let id = refs::car_id(&req.id)?;
    // PostgreSQL shows a division head no CAR of another division at all.
    let server_scoped = matches!(db.backend(), Backend::Pg(_));
    // What the check saw, for what is said after the step.
    let mut seen = None;
    let rec = ctx
        .write_store(db.as_mut(), busy_error, |db| {
            db.record_car_step(id, now, signer.0.as_ref(), &mut |car| {
                let (out, event) = step(ctx, id, car, server_scoped, &p, &req, now, happened_at)?;
                seen = Some(out);
                Ok(event)
            })
            .map_err(|e| super::car::store_refusal(&p, e))
        })
        .map_err(super::write_error)?;
    let (car, next) = seen.ok_or_else(|| failed("the CAR step was recorded unchecked"))?;
    super::out::survive_closed_pipe();
    let saved = format!("CAR-{} step {} ({})", car.id, rec.id, next.label());
    if ctx.json {
        let printed = super::out::json(&serde_json::json!({
            "car": car.id, "step": rec, "state": next, "next": next_steps(next),
        }));
        return super::out::after_save(&saved, printed);
    }
    let hint = next_steps(next);
    let printed = crate::out!(
        "CAR-{} ({}, {}): {}{}",
        car.id,
        crate::domain::text::inert(&car.external_id),
        crate::domain::text::inert(&car.division),
        next.label(),
        if hint.is_empty() {
            String::new()
        } else {
            format!(" — next: {}", hint.join(" or "))
        }
    );
    super::out::after_save(&saved, printed.map_err(Into::into))
}

/// One step on CAR-`id` as it stands in the write transaction (None: there is none), checked
/// against its state and the person's role: the CAR, its state after the step, and the step
/// to record.
#[allow(clippy::too_many_arguments)]
fn step(
    ctx: &Ctx,
    id: i64,
    car: Option<cars::Car>,
    server_scoped: bool,
    p: &crate::config::Person,
    req: &Request,
    now: i64,
    happened_at: i64,
) -> anyhow::Result<((cars::Car, car::State), NewEvent)> {
    let car = refs::visible_car(ctx, id, car, server_scoped)?;
    let actor = match p.role {
        Role::Executive => Actor::Executive,
        Role::DivisionHead if p.divisions.contains(&car.division) => Actor::OwnDivisionHead,
        _ => Actor::Other,
    };
    let worked = req.worked.unwrap_or(false);
    let next = car::next(car.state, req.step, worked, actor).map_err(|e| match e {
        StepError::Refused(m) => refused(format!("{} ({}): {m}", p.name, p.role.as_str())),
        StepError::Invalid(m) => failed(format!("CAR-{}: {m}", car.id)),
    })?;
    if req.step == Step::Close
        && car.state != (car::State::Checked { worked: true })
        && req.text.is_empty()
    {
        return Err(usage(format!(
            "CAR-{} is {}: closing it now needs --note saying why",
            car.id,
            car.state.label()
        )));
    }
    if req.step == Step::Check {
        let from = car::check_from(&car.events, ctx.cfg.cars.check_after_days).unwrap_or(now);
        if now < from {
            return Err(failed(format!(
                "CAR-{}: an action's effect is checked on a later date: from {} (cars.check_after_days = {})",
                car.id,
                fmt_time(from),
                ctx.cfg.cars.check_after_days
            )));
        }
    }
    let text = match (req.step, req.text.is_empty()) {
        (Step::Close, true) => "closed after a check that worked".to_string(),
        _ => req.text.clone(),
    };
    let event = NewEvent {
        car_id: car.id,
        complaint_id: car.complaint_id,
        step: req.step,
        actor: p.login.clone(),
        actor_name: p.name.clone(),
        at: now,
        happened_at,
        due_at: None,
        category: req.category.clone(),
        worked: req.worked,
        text,
    };
    Ok(((car, next), event))
}
