//! `signoff notify`: tells each person what is theirs, once per event (the sent log), or once a
//! day with everything (`--digest`); `--dry-run` prints the messages instead. Notifications go
//! through the outbox like letters, so an interrupted run sends none of them twice either.

use std::collections::BTreeMap;

use serde_json::json;

use crate::cli::NotifyArgs;
use crate::config::Role;
use crate::domain::notify::{self, Event, Horizon, Recipient};
use crate::domain::text::inert;
use crate::error::failed;
use crate::mail::deliver::Options;
use crate::render::time::{fmt_date, fmt_time};
use crate::store::outbox;

use super::{mailer, Ctx};

/// One person's message this run.
#[derive(serde::Serialize)]
struct Planned {
    login: String,
    to: Option<String>,
    subject: String,
    body: String,
    events: Vec<String>,
    /// queued, already notified, or why not.
    state: String,
}

pub fn run(ctx: &Ctx, a: NotifyArgs) -> anyhow::Result<()> {
    ctx.require(&[Role::Executive, Role::Admin], "send notifications")?;
    // Before anything is logged: a run that cannot send says so and records nothing.
    let transport = if a.dry_run {
        None
    } else {
        Some(mailer::transport(ctx, None)?)
    };
    let mut store = ctx.open_store()?;
    let db = store.as_mut();
    let now = ctx.now.timestamp();
    let push_backs = db.open_push_backs(now)?;
    let callbacks = db.callbacks_due(now)?;
    let people: Vec<Recipient> = ctx
        .cfg
        .people
        .iter()
        .filter(|p| p.role != Role::Admin)
        .map(|p| Recipient {
            login: &p.login,
            name: &p.name,
            executive: p.role == Role::Executive,
            divisions: &p.divisions,
        })
        .collect();
    let horizon = Horizon {
        answer_due: i64::from(ctx.cfg.notify.answer_due_hours) * 3600,
        callback_due: i64::from(ctx.cfg.notify.callback_due_hours) * 3600,
    };
    let events = notify::events(&people, &push_backs, &callbacks, now, horizon, &fmt_time);
    let mut by_person: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
    for e in &events {
        by_person.entry(&e.login).or_default().push(e);
    }
    let mut planned = Vec::new();
    for (login, evs) in by_person {
        let Some(p) = ctx.cfg.person(login) else {
            continue;
        };
        let keys: Vec<String> = if a.digest {
            vec![format!("digest:{login}:{}", fmt_date(now))]
        } else {
            evs.iter().map(|e| e.key.clone()).collect()
        };
        let seen = db.notified(&keys)?;
        let (evs, keys): (Vec<&Event>, Vec<String>) = if a.digest {
            if !seen.is_empty() {
                continue;
            }
            (evs, keys)
        } else {
            let fresh: Vec<&Event> = evs.into_iter().filter(|e| !seen.contains(&e.key)).collect();
            let keys = fresh.iter().map(|e| e.key.clone()).collect();
            (fresh, keys)
        };
        if evs.is_empty() {
            continue;
        }
        let (subject, body) = notify::message(&p.name, &evs, a.digest);
        let to = p.email.clone().filter(|e| !e.trim().is_empty());
        let state = match (&to, a.dry_run) {
            (_, true) => "dry run".to_string(),
            (None, false) => format!(
                "not sent: {login} has no e-mail address (add `email` to their [[people]] entry)"
            ),
            (Some(to), false) => {
                let n = outbox::Notice {
                    login,
                    to,
                    subject: &subject,
                    body: &body,
                    events: &keys,
                    at: now,
                };
                match db
                    .queue_notice(&n)
                    .map_err(|e| super::write_error(e.into()))?
                {
                    Some(_) => "queued".into(),
                    None => "already notified by another run".into(),
                }
            }
        };
        planned.push(Planned {
            login: login.to_string(),
            to,
            subject,
            body,
            events: keys,
            state,
        });
    }
    let lines = match &transport {
        Some(t) => mailer::deliver(ctx, db, Some("notice"), t.as_ref(), Options::default())?,
        None => Vec::new(),
    };
    if ctx.json {
        ctx.print_json(&json!({ "dry_run": a.dry_run, "digest": a.digest,
            "messages": planned, "delivery": lines }))?;
    } else {
        for m in &planned {
            if a.dry_run {
                println!(
                    "To: {} <{}>\nSubject: {}\n\n{}",
                    m.login,
                    inert(m.to.as_deref().unwrap_or("no address")),
                    inert(&m.subject),
                    inert(&m.body)
                );
            } else {
                println!("{}: {} — {}", m.login, inert(&m.subject), m.state);
            }
        }
        if planned.is_empty() {
            println!("nothing new to tell anyone");
        }
        for l in &lines {
            println!("{}", mailer::describe(l, false));
        }
    }
    if mailer::all_went(&lines) && planned.iter().all(|m| !m.state.starts_with("not sent")) {
        Ok(())
    } else {
        Err(failed("some notifications did not go (see above)"))
    }
}
