//! `signoff verify --code CODE`: the sign-off a letter's verification code names — who signed
//! which complaint's response, when, with which key — and whether that record still holds: its
//! hash, its link in the chain, its signature against the verifier's trust root, and whether it
//! was retracted since.

use serde::Serialize;

use crate::domain::decision::{self, Kind};
use crate::domain::letter::{normalise_code, verification_code};
use crate::domain::text::inert;
use crate::error::{failed, usage};
use crate::render::time::fmt_time;
use crate::sign;
use crate::store::Store;

use super::verify_records::{check_decisions, labels, whole_chain};
use super::{signing, Ctx};

#[derive(Debug, Serialize)]
struct Found {
    code: String,
    decision: i64,
    complaint: String,
    division: String,
    signer: String,
    signer_name: String,
    signer_title: String,
    at: i64,
    statement: Option<String>,
    /// The key's fingerprint, when the signature is valid.
    key: Option<String>,
    /// What makes the code fail: an altered record, a broken link, a bad signature, a
    /// retraction.
    problems: Vec<String>,
    /// What a reader should know that does not make it fail.
    notes: Vec<String>,
}

pub fn run(ctx: &Ctx, code: &str) -> anyhow::Result<()> {
    // Anyone in the company may check a letter a customer shows them.
    ctx.person()?;
    let code = normalise_code(code).map_err(usage)?;
    let trust = signing::trust_root(&ctx.cfg)?;
    let required = signing::required(&ctx.cfg, &trust);
    let mut store = ctx.open_store()?;
    let db: &mut dyn Store = store.as_mut();
    let all = db.decisions()?;
    let matches: Vec<&decision::Decision> = all
        .iter()
        .filter(|d| d.kind == Kind::Approve && verification_code(&d.hash) == code)
        .collect();
    if matches.is_empty() {
        return Err(failed(format!(
            "no sign-off in this store has the verification code {code}: the letter was not \
             signed here, or the code was mistyped"
        )));
    }
    let labels = labels(db, &all);
    let ext = |id: i64| -> (String, String) {
        match labels.get(&id) {
            Some(Some(x)) => x.clone(),
            _ => (format!("#{id}"), String::new()),
        }
    };
    let whole = whole_chain(db)?;
    let checked = check_decisions(db, &all, &trust, required, whole, &|id| ext(id).0)?;
    let mut found = Vec::new();
    for d in matches {
        let mut problems = Vec::new();
        let mut notes = Vec::new();
        for f in checked.findings.iter().filter(|f| f.decision == d.id) {
            if f.problem.starts_with("signed text changed") {
                notes.push(format!(
                    "the conversation changed after it was signed ({})",
                    f.problem
                ));
            } else {
                problems.push(f.problem.clone());
            }
        }
        if !whole {
            notes.push(
                "you read only your divisions' decisions: its link to a record of another \
                 division is not checked here (`signoff verify` by an executive or admin checks \
                 the whole chain)"
                    .into(),
            );
        }
        let earlier = checked
            .findings
            .iter()
            .filter(|f| f.decision < d.id && !f.problem.starts_with("signed text changed"))
            .count();
        if earlier > 0 {
            problems.push(format!(
                "the chain before it has {earlier} problem(s): `signoff verify` names them"
            ));
        }
        let key = match sign::check(
            &trust,
            &d.actor,
            d.at,
            &d.canonical(),
            d.signature.as_deref(),
        ) {
            sign::Check::Valid { fingerprint } => Some(fingerprint),
            sign::Check::Unsigned if !required => {
                notes.push(
                    "it is unsigned: no keys are configured, so nothing binds it to a person"
                        .into(),
                );
                None
            }
            _ => None,
        };
        let later: Vec<&decision::Decision> = all
            .iter()
            .filter(|x| x.complaint_id == d.complaint_id && x.id > d.id)
            .collect();
        if let Some(r) = later.iter().find(|x| x.retracts == Some(d.id)) {
            problems.push(format!(
                "retracted by {} on {}: the signature no longer stands",
                r.actor_name,
                fmt_time(r.at)
            ));
        } else if let Some(pb) = later.iter().find(|x| x.kind == Kind::PushBack) {
            notes.push(format!(
                "pushed back since, by {} on {}",
                pb.actor_name,
                fmt_time(pb.at)
            ));
        }
        let (complaint, division) = ext(d.complaint_id);
        found.push(Found {
            code: code.clone(),
            decision: d.id,
            complaint,
            division,
            signer: d.actor.clone(),
            signer_name: d.actor_name.clone(),
            signer_title: d.actor_title.clone(),
            at: d.at,
            statement: d.statement.clone(),
            key,
            problems,
            notes,
        });
    }
    let ok = found.iter().all(|f| f.problems.is_empty());
    if ctx.json {
        ctx.print_json(&serde_json::json!({ "ok": ok, "sign_offs": found }))?;
    } else {
        for f in &found {
            print(f);
        }
    }
    if ok {
        Ok(())
    } else {
        Err(failed(""))
    }
}

fn print(f: &Found) {
    let verdict = if f.problems.is_empty() {
        "holds"
    } else {
        "does NOT hold"
    };
    println!(
        "{} {verdict}: decision {}, the sign-off of {} ({}) by {} ({}), {}, on {}",
        f.code,
        f.decision,
        inert(&f.complaint),
        inert(&f.division),
        inert(&f.signer_name),
        inert(&f.signer),
        inert(&f.signer_title),
        fmt_time(f.at)
    );
    if let Some(s) = &f.statement {
        println!("  “{}”", inert(s));
    }
    match &f.key {
        Some(k) => println!(
            "  signed with {k}, a key your configuration lists for {}; its hash and chain link hold",
            inert(&f.signer)
        ),
        None if f.problems.is_empty() => println!("  its hash and chain link hold"),
        None => {}
    }
    for p in &f.problems {
        println!("  problem: {}", inert(p));
    }
    for n in &f.notes {
        println!("  note: {}", inert(n));
    }
}
