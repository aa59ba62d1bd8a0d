//! `signoff flags`: the failure-mode checks per division, the canned replies and who got them,
//! one complaint's flags explained, and `--refresh` to recompute them all.

use serde::Serialize;

use crate::cli::FlagsArgs;
use crate::config::{Config, Role};
use crate::domain::canned;
use crate::domain::text::one_line;
use crate::error::refused;
use crate::render::time::fmt_time;
use crate::store::flag_reads::{self, DivisionCounts};
use crate::store::flags::CheckSettings;
use crate::store::{Backend, StoreError};

use super::{refs, Ctx};

/// The checks' settings from the configuration.
pub fn settings(cfg: &Config) -> CheckSettings {
    let c = &cfg.checks;
    let esc = &c.escalation;
    CheckSettings {
        canned: canned::Settings {
            min_customers: c.canned.min_customers,
            min_words: c.canned.min_words,
            near_threshold: c.canned.near_threshold,
            shingle_words: c.canned.shingle_words as usize,
            greetings: c.canned.greetings.clone(),
        },
        status_sources: c.status_sources.clone(),
        late_secs: i64::from(c.late_hours) * 3600,
        contact_secs: i64::from(c.contact_hours) * 3600,
        asked: esc.phrases(&esc.asked),
        offered: esc.phrases(&esc.offered),
        detractor_max: cfg.sampling.detractor_max,
        repeat_days: i64::from(c.repeat_days),
        unanswered_writes: c.unanswered_writes,
    }
}

#[derive(Serialize)]
struct CountsJson {
    as_of: Option<flag_reads::Run>,
    divisions: Vec<DivisionCounts>,
    total: DivisionCounts,
}

pub fn run(ctx: &Ctx, a: FlagsArgs) -> anyhow::Result<()> {
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
    if a.refresh {
        let p = ctx.require(&[Role::Executive, Role::Admin], "refresh the flags")?;
        let mut store = ctx.open_store()?;
        let settings = settings(&ctx.cfg);
        let now = ctx.now.timestamp();
        let s = match store.backend() {
            Backend::Sqlite(db) => ctx
                .write(db, StoreError::is_busy, |db| {
                    db.refresh_checks_outside_write_lock(&settings, &p.login, now)
                })
                .map_err(|e| super::write_error(e.into()))?,
            Backend::Pg(pg) => pg.refresh_checks(&settings, &p.login, now)?,
        };
        if ctx.json {
            return ctx.print_json(&s);
        }
        println!(
            "checked {} complaints in {:.1} s: {} flagged, {} canned replies",
            s.complaints,
            s.millis as f64 / 1000.0,
            s.flagged,
            s.canned_groups
        );
        return Ok(());
    }
    let mut store = ctx.open_store()?;
    let db = store.as_mut();
    // Flags that time alone raised since the store last changed are raised before they are read.
    db.catch_up_checks_if_free(ctx.now.timestamp())?;
    if let Some(r) = &a.complaint {
        let id = refs::resolve(ctx, db, r)?;
        let c = &ctx.cfg.checks;
        let flags = db.flags_of(
            id,
            i64::from(c.late_hours) * 3600,
            i64::from(c.contact_hours) * 3600,
        )?;
        if ctx.json {
            return ctx.print_json(&flags);
        }
        if flags.is_empty() {
            println!("{r}: no flags");
        }
        for f in &flags {
            let group = f.group.map(|g| format!(" (group {g})")).unwrap_or_default();
            println!("⚑ {}: {}{group}", f.flag.label(), f.explanation);
        }
        return Ok(());
    }
    if let Some(g) = a.group {
        let members = db.canned_group_members(g, divisions.as_deref(), a.limit)?;
        if ctx.json {
            return ctx.print_json(&members);
        }
        for m in &members {
            println!(
                "{:<14} {:<10} {:<14} {}",
                one_line(&m.external_id, 14),
                one_line(&m.source, 10),
                one_line(&m.division, 14),
                fmt_time(m.received_at)
            );
        }
        return Ok(());
    }
    if a.groups {
        let groups = db.canned_groups(divisions.as_deref(), a.limit)?;
        if ctx.json {
            return ctx.print_json(&groups);
        }
        for g in &groups {
            println!("group {} · {}", g.id, g.explanation);
            println!("    \"{}\"", one_line(&g.normalised, 100));
        }
        if groups.is_empty() {
            println!("no canned replies");
        }
        return Ok(());
    }
    let rows = db.flag_counts(divisions.as_deref())?;
    let mut total = DivisionCounts {
        division: "all".into(),
        ..Default::default()
    };
    for r in &rows {
        total.complaints += r.complaints;
        total.responded += r.responded;
        total.canned += r.canned;
        total.contact_ignored += r.contact_ignored;
        total.escalation_refused += r.escalation_refused;
        total.late += r.late;
        total.repeat += r.repeat;
        total.unanswered_writing += r.unanswered_writing;
    }
    let as_of = db.last_check_run()?;
    if ctx.json {
        return ctx.print_json(&CountsJson {
            as_of,
            divisions: rows,
            total,
        });
    }
    // Imports, answers and CAR steps keep the flags up to date after a refresh.
    let kept = db.checks_as_of()?;
    match &as_of {
        Some(r) => println!(
            "flags as of {} (refreshed by {})",
            fmt_time(kept.unwrap_or(r.at).max(r.at)),
            r.run_by
        ),
        None => println!("no flags yet: run `signoff flags --refresh` (imports refresh them)"),
    }
    println!(
        "{:<24} {:>10} {:>8} {:>9} {:>10} {:>11} {:>7} {:>7} {:>11}",
        "division",
        "complaints",
        "canned",
        "canned %",
        "contact",
        "escalation",
        "late",
        "repeat",
        "wrote again"
    );
    for r in rows.iter().chain(std::iter::once(&total)) {
        let pct = if r.responded > 0 {
            format!("{:.1}", 100.0 * r.canned as f64 / r.responded as f64)
        } else {
            "-".into()
        };
        println!(
            "{:<24} {:>10} {:>8} {:>9} {:>10} {:>11} {:>7} {:>7} {:>11}",
            one_line(&r.division, 24),
            r.complaints,
            r.canned,
            pct,
            r.contact_ignored,
            r.escalation_refused,
            r.late,
            r.repeat,
            r.unanswered_writing
        );
    }
    Ok(())
}
