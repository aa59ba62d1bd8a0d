//! The effects `App::update` asks for, performed against the store, the signer and the mail
//! outbox; what comes back goes to the app. A save that finds the store busy waits its turn.

use std::time::Duration;

use crate::domain::decision::{add_working_days, Decision};
use crate::domain::letter::Letter;
use crate::domain::period::iso_week_label;
use crate::domain::rng::Rng;
use crate::domain::sample::Plan;
use crate::error::usage;
use crate::store::patience::busy_error;
use crate::store::workflow::WorkflowError;

use super::app::{self, App, Effect, Mode};
use super::session::Session;
use super::{data, strings, view};

/// Hits per search page: what a tall terminal shows at once.
pub const SEARCH_PAGE: usize = 25;

/// Performs an effect and whatever follows from it. A save that finds the store busy (an
/// import holds it for its whole transaction) waits in `app.waiting`, with its form, for
/// `retry_waiting` to try it again.
pub fn perform_all(s: &mut Session, app: &mut App, mut eff: Effect) -> bool {
    loop {
        let saves = matches!(
            eff,
            Effect::Sign { .. }
                | Effect::PushBack { .. }
                | Effect::Answer { .. }
                | Effect::Retract { .. }
                | Effect::DrawSample { .. }
        );
        let again = saves.then(|| eff.clone());
        match perform(s, app, eff) {
            Ok(Effect::Quit) => return true,
            Ok(Effect::None) => return false,
            Ok(next) => eff = next,
            Err(e) => {
                match again {
                    Some(effect) if busy_error(&e) => {
                        tracing::info!(error = %e, "the store is busy: waiting to save");
                        app.waiting = Some(app::Waiting {
                            effect,
                            form: app.pending.take(),
                            since: std::time::Instant::now(),
                        });
                    }
                    _ => app.decision_failed(format!("{e:#}"), None),
                }
                return false;
            }
        }
    }
}

/// Tries a waiting save again; after `store.write_wait_secs` gives it up and hands the form
/// back. Returns whether the person quit.
pub fn retry_waiting(s: &mut Session, app: &mut App) -> bool {
    let Some(w) = app.waiting.take() else {
        return false;
    };
    let since = w.since;
    app.pending = w.form;
    let quit = perform_all(s, app, w.effect);
    if let Some(again) = &mut app.waiting {
        again.since = since;
        let limit = s.cfg.store.write_wait_secs;
        if limit > 0 && since.elapsed() >= Duration::from_secs(limit) {
            if let Some(w) = app.waiting.take() {
                tracing::warn!("the store stayed busy: gave up waiting");
                app.decision_failed(
                    format!(
                        "the store stayed busy for {} (an import?): {} was not saved — save again later",
                        view::span_of(limit as i64),
                        w.what()
                    ),
                    w.form,
                );
            }
        }
    }
    quit
}

fn failure(e: &WorkflowError) -> String {
    if e.is_busy() {
        "the store is busy (an import is running?): nothing was saved and nothing you typed is lost — try again in a moment".into()
    } else {
        e.to_string()
    }
}

fn perform(s: &mut Session, app: &mut App, eff: Effect) -> anyhow::Result<Effect> {
    let now = s.now();
    let phrases = s.cfg.sampling.phrases.asked_for_manager.clone();
    let targets = data::FlagTargets {
        late_secs: i64::from(s.cfg.checks.late_hours) * 3600,
        contact_secs: i64::from(s.cfg.checks.contact_hours) * 3600,
    };
    let saved = |s: &mut Session,
                 app: &mut App,
                 r: Result<Decision, WorkflowError>|
     -> anyhow::Result<Effect> {
        match r {
            Ok(d) => {
                let detail = data::detail(s.db.as_mut(), d.complaint_id, now, &phrases, targets)?;
                app.pending = None;
                tracing::info!(decision = d.id, kind = d.kind.as_str(), "decision saved");
                Ok(app.decision_saved(d, detail))
            }
            // Busy: `perform_all` keeps the form and tries again later.
            Err(e) if e.is_busy() => Err(e.into()),
            Err(e) => {
                tracing::warn!(error = %e, "decision not saved");
                let form = app.pending.take();
                app.decision_failed(failure(&e), form);
                Ok(Effect::None)
            }
        }
    };
    Ok(match eff {
        Effect::None => Effect::None,
        Effect::Quit => Effect::Quit,
        Effect::LoadDetail(id) => {
            let d = data::detail(s.db.as_mut(), id, now, &phrases, targets)?;
            app.detail_loaded(d);
            Effect::None
        }
        Effect::Sign { complaint_id } => {
            let signer = s.signer.clone();
            let r = s.db.approve(
                &s.person.actor(),
                signer.0.as_ref(),
                complaint_id,
                None,
                now,
            );
            saved(s, app, r)?
        }
        Effect::PushBack {
            complaint_id,
            reasons,
            note,
            due_days,
        } => {
            let due = chrono::DateTime::from_timestamp(now, 0)
                .map_or(now, |t| add_working_days(t, due_days).timestamp());
            let signer = s.signer.clone();
            let r = s.db.push_back(
                &s.person.actor(),
                signer.0.as_ref(),
                complaint_id,
                &reasons,
                &note,
                due,
                now,
            );
            saved(s, app, r)?
        }
        Effect::Answer {
            complaint_id,
            kind,
            body,
        } => {
            let signer = s.signer.clone();
            let r = s.db.answer(
                &s.person.actor(),
                signer.0.as_ref(),
                complaint_id,
                kind,
                &body,
                now,
            );
            saved(s, app, r)?
        }
        Effect::Retract { decision_id } => {
            let signer = s.signer.clone();
            let r =
                s.db.retract(&s.person.actor(), signer.0.as_ref(), decision_id, now);
            saved(s, app, r)?
        }
        Effect::Letter { complaint_id } => {
            let dir = match s.cfg.mail.letters_dir.trim() {
                "" => std::path::PathBuf::from("."),
                d => std::path::PathBuf::from(d),
            };
            match s.db.letter(complaint_id, now)? {
                Ok(l) => match write_letter_page(&l, &dir) {
                    Ok(path) => app.letter_written(strings::letter_written(
                        &l.external_id,
                        &path.display().to_string(),
                        &l.code,
                    )),
                    Err(e) => {
                        app.decision_failed(strings::letter_not_written(&e.to_string()), None)
                    }
                },
                Err(why) => app.decision_failed(why, None),
            }
            Effect::None
        }
        Effect::ReachOut { complaint_id, text } => {
            let from = s.cfg.mail.from.clone();
            let person = s.person.clone();
            let queued = crate::mail::outreach::queue(
                s.db.as_mut(),
                &from,
                &person,
                complaint_id,
                &text,
                now,
            );
            match queued {
                Ok(o) => app.reached_out(complaint_id, strings::reached_out(&o.to)),
                Err(e) => {
                    let form = app.pending.take();
                    app.decision_failed(strings::letter_not_saved(&e.to_string()), form);
                    Effect::None
                }
            }
        }
        Effect::Search(q) => {
            let hits = s.db.search(&q, s.scope().as_deref(), SEARCH_PAGE)?;
            app.search_done(hits)
        }
        Effect::Others {
            customer_key,
            complaint_id,
        } => {
            let hits = s.db.customer_hits(
                &customer_key,
                complaint_id,
                s.scope().as_deref(),
                SEARCH_PAGE,
            )?;
            app.search_done(hits)
        }
        Effect::LoadDashboard => {
            let c = s.cfg.sampling.confidence;
            let smp = app.sample.as_ref().map(|x| x.id);
            let scope = s.scope();
            app.dashboard = Some(data::dashboard(
                s.db.as_mut(),
                scope.as_deref(),
                now,
                c,
                smp,
            )?);
            Effect::None
        }
        Effect::CountPopulation => {
            let spec = s
                .cfg
                .sampling
                .weekly_spec(
                    now,
                    Plan::Size {
                        n: 0,
                        confidence: 95.0,
                    },
                )
                .map_err(usage)?;
            let next = s.db.next_sample_id()?;
            let n = s.db.population_size(&spec.filters, next)?;
            if let Mode::Plan(p) = &mut app.mode {
                p.population = Some(n);
            }
            Effect::None
        }
        Effect::DrawSample {
            confidence,
            tolerable,
        } => {
            let spec = s
                .cfg
                .sampling
                .weekly_spec(
                    now,
                    Plan::Confidence {
                        confidence,
                        tolerable,
                    },
                )
                .map_err(usage)?;
            let label = iso_week_label((s.clock)());
            let (id, drawn) =
                s.db.draw_and_record(&spec, Rng::fresh_seed(), &label, &s.person.login, now)?;
            match id.and_then(|id| s.db.sample(&id.to_string()).ok().flatten()) {
                Some(smp) => {
                    app.sample = Some(data::SampleInfo::from(&smp));
                    let rows = s.db.sample_rows(smp.id, None, now)?;
                    app.selected = 0;
                    app.detail = None;
                    let e = app.set_rows(rows);
                    app.message = Some((
                        app::Level::Info,
                        format!(
                            "drew {} of {} complaints",
                            drawn.items.len(),
                            drawn.population
                        ),
                    ));
                    e
                }
                None => {
                    app.message = Some((
                        app::Level::Error,
                        format!("nothing to draw: no complaints in the last {} days that are not already sampled", s.cfg.sampling.window_days),
                    ));
                    Effect::None
                }
            }
        }
    })
}

/// Writes a letter as a printable HTML page, `letter-REF.html` in `dir` (readable by its owner
/// only): the review screen's letter key. The file's path, or what went wrong.
fn write_letter_page(l: &Letter, dir: &std::path::Path) -> Result<std::path::PathBuf, String> {
    use std::io::Write;
    let safe: String = l
        .external_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = dir.join(format!("letter-{safe}.html"));
    let write = || -> std::io::Result<()> {
        let mut out = crate::files::Output::create(&path)?;
        out.write_all(crate::render::letter::html(l).as_bytes())?;
        out.commit()
    };
    write().map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}
