//! `signoff verify`: every record's signature against the verifier's own trust root, every hash
//! and chain link, the end of each chain against the head last verified (or a published one),
//! the store's schema against what signoff creates, and that what was signed is still the text
//! the store holds.

use serde::Serialize;

use crate::cli::VerifyArgs;
use crate::config::Role;
use crate::domain::decision;
use crate::error::failed;
use crate::render::time::fmt_time;
use crate::sign;
use crate::store::{Backend, Store};

use super::verify_head::{self as vh, Head, Remembered};
use super::verify_records::{
    beyond_role, check_decisions, labels, whole_chain, Checked, Finding, CLOCK_SLACK_SECS,
};
use super::{signing, Ctx};

/// The last record of a chain, as `--head` prints it.
#[derive(Debug, Serialize)]
struct HeadInfo {
    records: u64,
    id: i64,
    hash: String,
    actor: String,
    actor_name: String,
    at: i64,
    signed_with: Option<String>,
}

pub fn run(ctx: &Ctx, a: VerifyArgs) -> anyhow::Result<()> {
    if let Some(code) = &a.code {
        return super::verify_code::run(ctx, code);
    }
    ctx.require(&[Role::Executive, Role::Admin], "verify the store")?;
    let trust = signing::trust_root(&ctx.cfg)?;
    let required = signing::required(&ctx.cfg, &trust);
    let mut store = ctx.open_store()?;
    let db: &mut dyn Store = store.as_mut();
    let all = db.decisions()?;
    let events = db.car_steps()?;
    let labels = labels(db, &all);
    let ext = |id: i64| -> String {
        match labels.get(&id) {
            Some(Some((ext, _))) => ext.clone(),
            _ => format!("#{id}"),
        }
    };
    let whole = whole_chain(db)?;
    let mut c = check_decisions(db, &all, &trust, required, whole, &ext)?;
    for d in &all {
        if let Some(p) = beyond_role(&ctx.cfg, db, &all, d)? {
            c.findings.push(Finding {
                decision: d.id,
                complaint_id: d.complaint_id,
                external_id: ext(d.complaint_id),
                problem: p,
            });
        }
    }

    // The corrective actions' own chain: hashes and links, then signatures and times.
    let mut car_problems = db.verify_cars()?;
    let mut car_unsigned = 0;
    let mut prev_at = i64::MIN;
    for e in &events {
        let check = sign::check(
            &trust,
            &e.actor,
            e.at,
            &e.canonical(),
            e.signature.as_deref(),
        );
        match check.problem(&e.actor) {
            Some(_) if check == sign::Check::Unsigned && !required => car_unsigned += 1,
            Some(p) => car_problems.push(format!("step {} (CAR-{}): {p}", e.id, e.car_id)),
            None => c.valid_signatures += 1,
        }
        if e.at < prev_at.saturating_sub(CLOCK_SLACK_SECS) {
            car_problems.push(format!(
                "step {} (CAR-{}): recorded at {}, before the step ahead of it in the chain: its time was set back",
                e.id,
                e.car_id,
                fmt_time(e.at)
            ));
        }
        prev_at = prev_at.max(e.at);
    }

    let schema_problems = db.schema_differences()?;

    // The ends of the chains: against the head this verifier saw last, and any published one.
    let chain: Vec<&str> = all.iter().map(|d| d.hash.as_str()).collect();
    let car_chain: Vec<&str> = events.iter().map(|e| e.hash.as_str()).collect();
    let mut head_problems = Vec::new();
    let head_file = match db.backend() {
        Backend::Sqlite(sqlite) => vh::file_for(&sqlite.path),
        Backend::Pg(pg) => vh::file_for_url(pg.shown()),
    };
    let remembered = match &head_file {
        Some(f) => vh::load(f)?,
        None => None,
    };
    if let Some(r) = &remembered {
        let when = fmt_time(r.verified_at);
        if let Some(h) = &r.decisions {
            head_problems.extend(vh::against(&chain, h, "decision", &when));
        }
        if let Some(h) = &r.car_steps {
            head_problems.extend(vh::against(&car_chain, h, "CAR step", &when));
        }
    }
    for want in &a.expect_head {
        let w = want.trim().to_ascii_lowercase();
        let found = w.len() >= 16
            && chain
                .iter()
                .chain(car_chain.iter())
                .any(|h| h.starts_with(w.as_str()));
        if !found {
            head_problems.push(format!(
                "the published head {want} is not in either chain: it was removed or rewritten{}",
                if w.len() < 16 {
                    " (give at least 16 characters of it)"
                } else {
                    ""
                }
            ));
        }
    }

    let ok = c.findings.is_empty()
        && car_problems.is_empty()
        && schema_problems.is_empty()
        && head_problems.is_empty();
    let dec_head = all.last().map(|d| HeadInfo {
        records: all.len() as u64,
        id: d.id,
        hash: d.hash.clone(),
        actor: d.actor.clone(),
        actor_name: d.actor_name.clone(),
        at: d.at,
        signed_with: d.signature.as_deref().and_then(sign::signed_by),
    });
    let car_head = events.last().map(|e| HeadInfo {
        records: events.len() as u64,
        id: e.id,
        hash: e.hash.clone(),
        actor: e.actor.clone(),
        actor_name: e.actor_name.clone(),
        at: e.at,
        signed_with: e.signature.as_deref().and_then(sign::signed_by),
    });
    // Remember the heads only once everything holds, so a tampered store never becomes the
    // new reference.
    let mut anchor_note = None;
    if ok {
        if let Some(f) = &head_file {
            let r = Remembered {
                store: db.shown(),
                verified_at: ctx.now.timestamp(),
                decisions: dec_head.as_ref().map(|h| Head {
                    records: h.records,
                    id: h.id,
                    hash: h.hash.clone(),
                }),
                car_steps: car_head.as_ref().map(|h| Head {
                    records: h.records,
                    id: h.id,
                    hash: h.hash.clone(),
                }),
            };
            if let Err(e) = vh::save(f, &r) {
                anchor_note = Some(format!("could not remember the verified head: {e:#}"));
            }
        }
    }

    if ctx.json {
        ctx.print_json(&serde_json::json!({
            "decisions": all.len(), "ok": ok,
            "needs_signing_again": c.needs_signing, "findings": c.findings,
            "car_steps": events.len(), "car_problems": car_problems,
            "signing_required": required, "valid_signatures": c.valid_signatures,
            "unsigned": c.unsigned + car_unsigned,
            "schema_problems": schema_problems, "head_problems": head_problems,
            "head": { "decisions": dec_head, "car_steps": car_head },
            "remembered_head": remembered.as_ref().map(|r| serde_json::json!({
                "verified_at": r.verified_at, "decisions": r.decisions, "car_steps": r.car_steps,
            })),
        }))?;
    } else {
        print_text(
            &all,
            &c,
            (&events, car_unsigned, &car_problems),
            &schema_problems,
            &head_problems,
        );
        if c.unsigned + car_unsigned > 0 {
            println!(
                "note: {} record(s) are unsigned; with no keys in the configuration nothing binds them \
                 to a person (list keys under [[people]] or [signing] allowed_signers)",
                c.unsigned + car_unsigned
            );
        }
        if a.head {
            for (what, h) in [("decisions", &dec_head), ("CAR steps", &car_head)] {
                match h {
                    Some(h) => println!(
                        "head of {what}: #{} {} — {} ({}) at {}, {}",
                        h.id,
                        h.hash,
                        crate::domain::text::inert(&h.actor_name),
                        h.actor,
                        fmt_time(h.at),
                        h.signed_with
                            .as_deref()
                            .map_or("unsigned".to_string(), |f| format!("signed with {f}"))
                    ),
                    None => println!("head of {what}: none yet"),
                }
            }
        }
    }
    if let Some(n) = anchor_note {
        eprintln!("signoff: {n}");
    }
    if ok {
        Ok(())
    } else {
        Err(failed(""))
    }
}

fn print_text(
    all: &[decision::Decision],
    c: &Checked,
    (events, car_unsigned, car_problems): (&[crate::domain::car::CarEvent], usize, &[String]),
    schema_problems: &[String],
    head_problems: &[String],
) {
    let inert = crate::domain::text::inert;
    let holds = |unsigned: usize| match unsigned {
        0 => "every signature, hash and chain link holds".to_string(),
        n => format!("every hash and chain link holds ({n} unsigned)"),
    };
    if c.findings.is_empty() {
        println!(
            "verified {} decisions: {}, and every sign-off covers the text the store holds",
            all.len(),
            holds(c.unsigned)
        );
    } else {
        println!(
            "verified {} decisions: {} problem(s)",
            all.len(),
            c.findings.len()
        );
        for f in &c.findings {
            println!(
                "  decision {} ({}): {}",
                f.decision,
                inert(&f.external_id),
                inert(&f.problem)
            );
        }
    }
    if car_problems.is_empty() {
        println!(
            "verified {} CAR steps: {}",
            events.len(),
            holds(car_unsigned)
        );
    } else {
        println!(
            "verified {} CAR steps: {} problem(s)",
            events.len(),
            car_problems.len()
        );
        for p in car_problems {
            println!("  {}", inert(p));
        }
    }
    if schema_problems.is_empty() {
        println!("the store's schema is signoff's own: no foreign or missing triggers, tables or indexes");
    } else {
        println!("the store's schema: {} problem(s)", schema_problems.len());
        for p in schema_problems {
            println!("  {}", inert(p));
        }
    }
    for p in head_problems {
        println!("  {}", inert(p));
    }
}
