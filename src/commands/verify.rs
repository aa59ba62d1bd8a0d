//! `signoff verify`: recompute every decision's hash and chain link, and check that what was
//! signed is still the text the store holds.

use serde::Serialize;

use crate::config::Role;
use crate::domain::decision::{self, Kind, GENESIS};
use crate::store::decisions as sd;

use super::{failed, fmt_time, Ctx};

#[derive(Debug, Serialize)]
pub struct Finding {
    pub decision: i64,
    pub complaint_id: i64,
    pub external_id: String,
    pub problem: String,
}

pub fn run(ctx: &Ctx) -> anyhow::Result<()> {
    ctx.require(&[Role::Executive, Role::Admin], "verify the store")?;
    let db = ctx.open_db()?;
    let all = sd::all(&db.conn)?;
    let mut findings = Vec::new();
    let ext = |id: i64| -> String {
        db.conn
            .query_row(
                "SELECT external_id FROM complaints WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap_or_else(|_| format!("#{id}"))
    };
    let mut prev = GENESIS.to_string();
    for d in &all {
        if d.compute_hash() != d.hash {
            findings.push(Finding {
                decision: d.id,
                complaint_id: d.complaint_id,
                external_id: ext(d.complaint_id),
                problem: format!(
                    "record changed after it was written: its contents no longer match its hash ({} by {} on {})",
                    d.kind.as_str(),
                    d.actor_name,
                    fmt_time(d.at)
                ),
            });
        }
        if d.prev_hash != prev {
            findings.push(Finding {
                decision: d.id,
                complaint_id: d.complaint_id,
                external_id: ext(d.complaint_id),
                problem: "chain broken: it does not follow the decision before it (one was removed, inserted or altered)".into(),
            });
        }
        prev = d.hash.clone();
    }
    // Sign-offs still in force must cover the text the store holds now.
    let mut by_complaint: std::collections::BTreeMap<i64, Vec<decision::Decision>> =
        Default::default();
    for d in all.iter().cloned() {
        by_complaint.entry(d.complaint_id).or_default().push(d);
    }
    let mut needs_signing = 0;
    for (cid, ds) in &by_complaint {
        let eff = decision::effective(ds);
        let Some(last) = eff.last() else { continue };
        if last.kind != Kind::Approve {
            continue;
        }
        let now_hash = sd::current_text_hash(&db.conn, *cid)?;
        if now_hash != last.text_hash {
            needs_signing += 1;
            let how = match sd::last_text_change(&db.conn, *cid)? {
                Some((cause, at)) if at >= last.at => {
                    format!("changed by {cause} on {} — it needs signing again", fmt_time(at))
                }
                _ => "changed with no record of how (edited outside signoff?) — it needs signing again".into(),
            };
            findings.push(Finding {
                decision: last.id,
                complaint_id: *cid,
                external_id: ext(*cid),
                problem: format!("signed text changed: {how}"),
            });
        }
    }
    // The corrective actions' own chain, as `signoff car verify` checks it.
    let car_problems = crate::store::cars::verify(&db.conn)?;
    let car_steps: i64 = db
        .conn
        .query_row("SELECT count(*) FROM car_events", [], |r| r.get(0))?;
    let ok = findings.is_empty() && car_problems.is_empty();
    if ctx.json {
        ctx.print_json(&serde_json::json!({
            "decisions": all.len(), "ok": ok,
            "needs_signing_again": needs_signing, "findings": findings,
            "car_steps": car_steps, "car_problems": car_problems,
        }))?;
    } else if findings.is_empty() {
        println!(
            "verified {} decisions: every hash and chain link holds, and every sign-off covers the text the store holds",
            all.len()
        );
    } else {
        println!(
            "verified {} decisions: {} problem(s)",
            all.len(),
            findings.len()
        );
        for f in &findings {
            println!(
                "  decision {} ({}): {}",
                f.decision,
                crate::domain::text::inert(&f.external_id),
                f.problem
            );
        }
    }
    if !ctx.json {
        if car_problems.is_empty() {
            println!("verified {car_steps} CAR steps: every hash and chain link holds");
        } else {
            println!(
                "verified {car_steps} CAR steps: {} problem(s)",
                car_problems.len()
            );
            for p in &car_problems {
                println!("  {}", crate::domain::text::inert(p));
            }
        }
    }
    if ok {
        Ok(())
    } else {
        Err(failed(""))
    }
}
