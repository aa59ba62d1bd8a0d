//! `signoff approve`, `push-back`, `answer`, `retract` and `show`.

use crate::cli::{AnswerArgs, ApproveArgs, PushBackArgs, RetractArgs, ShowArgs};
use crate::domain::decision::{add_working_days, Decision, Kind};
use crate::domain::text::inert;
use crate::error::{failed, refused, usage};
use crate::render::time::fmt_time;
use crate::store::queries;
use crate::store::workflow::WorkflowError;
use crate::store::Store;

use super::{parse_time, refs, still_busy, Ctx};

/// Workflow errors keep their exit status: refusals 3, conflicts 1.
fn exit(e: WorkflowError) -> anyhow::Error {
    match e {
        WorkflowError::Refused(m) => refused(m),
        WorkflowError::Conflict(m) => failed(m),
        e if e.is_busy() => still_busy(),
        e => failed(e.to_string()),
    }
}

/// Prints a saved decision; when that fails, says on standard error that it was saved.
fn print_decision(ctx: &Ctx, d: &Decision, what: &str) -> anyhow::Result<()> {
    super::out::survive_closed_pipe();
    let printed = if ctx.json {
        super::out::json(d)
    } else {
        crate::out!("{what} (decision {}, hash {})", d.id, &d.hash[..16]).map_err(Into::into)
    };
    super::out::after_save(&format!("decision {} ({what})", d.id), printed)
}

/// The complaint's external id, to print.
fn external_id(db: &mut dyn Store, id: i64) -> anyhow::Result<String> {
    let ext = db.external_id(id)?;
    Ok(inert(&ext).into_owned())
}

pub fn approve(ctx: &Ctx, a: ApproveArgs) -> anyhow::Result<()> {
    let p = ctx.person()?.clone();
    let actor = p.actor();
    let signer = ctx.signer(&p)?;
    let mut db = ctx.open_store()?;
    let id = refs::resolve(ctx, db.as_mut(), &a.reference)?;
    let now = ctx.now.timestamp();
    let rec = ctx
        .write_store(db.as_mut(), WorkflowError::is_busy, |db| {
            db.approve(&actor, signer.0.as_ref(), id, a.note.clone(), now)
        })
        .map_err(exit)?;
    let ext = external_id(db.as_mut(), id)?;
    print_decision(
        ctx,
        &rec,
        &format!("{ext}: {}", rec.statement.as_deref().unwrap_or_default()),
    )
}

pub fn push_back(ctx: &Ctx, a: PushBackArgs) -> anyhow::Result<()> {
    let p = ctx.person()?.clone();
    let actor = p.actor();
    let known = &ctx.cfg.decisions.reasons;
    let reasons: Vec<String> = a
        .reason
        .iter()
        .map(|r| r.trim().to_lowercase())
        .filter(|r| !r.is_empty())
        .collect();
    if reasons.is_empty() {
        return Err(usage("--reason needs at least one reason code"));
    }
    if let Some(bad) = reasons.iter().find(|r| !known.contains(r)) {
        return Err(usage(format!(
            "--reason {bad:?} is not a reason code (codes: {})",
            known.join(", ")
        )));
    }
    if a.note.trim().is_empty() {
        return Err(usage("--note must say what is wrong"));
    }
    let due = match &a.due {
        Some(s) => parse_time("--due", s, true)?,
        None => add_working_days(ctx.now, ctx.cfg.decisions.due_working_days).timestamp(),
    };
    let signer = ctx.signer(&p)?;
    let mut db = ctx.open_store()?;
    let id = refs::resolve(ctx, db.as_mut(), &a.reference)?;
    let now = ctx.now.timestamp();
    let rec = ctx
        .write_store(db.as_mut(), WorkflowError::is_busy, |db| {
            db.push_back(&actor, signer.0.as_ref(), id, &reasons, &a.note, due, now)
        })
        .map_err(exit)?;
    let ext = external_id(db.as_mut(), id)?;
    print_decision(
        ctx,
        &rec,
        &format!(
            "{ext}: pushed back ({}), due {}",
            reasons.join(", "),
            fmt_time(due)
        ),
    )
}

pub fn answer(ctx: &Ctx, a: AnswerArgs) -> anyhow::Result<()> {
    let p = ctx.person()?.clone();
    let actor = p.actor();
    let (kind, body) = if let Some(path) = &a.revise {
        let limit = crate::files::SMALL_FILE_LIMIT;
        let text = if path.as_os_str() == "-" {
            crate::files::read_small_from(std::io::stdin().lock(), limit)
                .map_err(|e| failed(format!("--revise - (standard input): {e}")))?
        } else {
            crate::files::read_small(path, limit)
                .map_err(|e| failed(format!("--revise {}: {e}", path.display())))?
        };
        (Kind::Revise, text)
    } else if let Some(t) = &a.corrective_action {
        (Kind::CorrectiveAction, t.clone())
    } else if let Some(t) = &a.dispute {
        (Kind::Dispute, t.clone())
    } else {
        return Err(usage(
            "say --revise FILE, --corrective-action TEXT or --dispute TEXT",
        ));
    };
    let signer = ctx.signer(&p)?;
    let mut db = ctx.open_store()?;
    let id = refs::resolve(ctx, db.as_mut(), &a.reference)?;
    let now = ctx.now.timestamp();
    let rec = ctx
        .write_store(db.as_mut(), WorkflowError::is_busy, |db| {
            db.answer(&actor, signer.0.as_ref(), id, kind, &body, now)
        })
        .map_err(exit)?;
    let ext = external_id(db.as_mut(), id)?;
    let what = match kind {
        Kind::Revise => "response revised",
        Kind::CorrectiveAction => "corrective action recorded",
        _ => "push-back disputed",
    };
    print_decision(
        ctx,
        &rec,
        &format!("{ext}: {what}; back to the executive for review"),
    )
}

pub fn retract(ctx: &Ctx, a: RetractArgs) -> anyhow::Result<()> {
    let p = ctx.person()?.clone();
    let actor = p.actor();
    let signer = ctx.signer(&p)?;
    let mut db = ctx.open_store()?;
    let now = ctx.now.timestamp();
    let rec = ctx
        .write_store(db.as_mut(), WorkflowError::is_busy, |db| {
            db.retract(&actor, signer.0.as_ref(), a.decision, now)
        })
        .map_err(exit)?;
    print_decision(ctx, &rec, &format!("decision {} retracted", a.decision))
}

fn print_outcome(c: &queries::ComplaintJson) {
    if let Some(o) = &c.outcome {
        println!("Outcome ({}): {}", inert(&c.source), inert(&o.summary()));
        if let Some(p) = &o.public_response {
            println!("  public response: {}", inert(p));
        }
        println!();
    }
}

/// A conversation, message by message: who, when, and how long the company took to answer.
fn print_thread(messages: &[crate::domain::thread::Message]) {
    use crate::domain::thread::Author;
    let mut waiting: Option<i64> = None;
    println!();
    for (i, m) in messages.iter().enumerate() {
        let who = match m.author {
            Author::Customer => format!(
                "customer{}",
                m.name
                    .as_deref()
                    .map(|n| format!(" {}", inert(n)))
                    .unwrap_or_default()
            ),
            Author::Company => m
                .name
                .as_deref()
                .map(|n| inert(n).into_owned())
                .unwrap_or_else(|| "company".into()),
            Author::Note => format!(
                "internal note{}",
                m.name
                    .as_deref()
                    .map(|n| format!(" by {}", inert(n)))
                    .unwrap_or_default()
            ),
        };
        let mut head = format!("── {} · {who}", i + 1);
        if let Some(at) = m.at {
            head.push_str(&format!(" · {}", fmt_time(at)));
        }
        match m.author {
            Author::Customer => {
                waiting = waiting.or(m.at);
            }
            Author::Company => {
                if let (Some(since), Some(at)) = (waiting.take(), m.at) {
                    head.push_str(&format!(
                        " · answered after {}",
                        crate::domain::flags::duration(at - since)
                    ));
                }
            }
            Author::Note => {}
        }
        println!("{head} ──\n{}\n", inert(&m.text));
    }
    if !messages.iter().any(|m| m.author == Author::Company) {
        println!("── no response ──\n");
    }
}

/// The most of a customer's other complaints `show` lists.
const SHOW_OTHERS: i64 = 50;

pub fn show(ctx: &Ctx, a: ShowArgs) -> anyhow::Result<()> {
    ctx.person()?;
    let mut db = ctx.open_store()?;
    let id = refs::resolve(ctx, db.as_mut(), &a.reference)?;
    let stored = db
        .complaint(id)?
        .ok_or_else(|| failed(format!("no complaint {id}")))?;
    let (ds, st) = db.status_of(id, ctx.now.timestamp()).map_err(exit)?;
    // The same customer's other complaints, in the divisions the reader may see.
    let others = match &stored.complaint.customer_key {
        Some(key) => {
            db.customer_others(key, id, ctx.visible_divisions()?.as_deref(), SHOW_OTHERS)?
        }
        None => Vec::new(),
    };
    // The executive's own letters to the customer are part of the conversation as it is read.
    let letters = db.outreach_messages(id)?;
    let has_letters = !letters.is_empty();
    let conversation =
        crate::domain::outreach::with_letters(stored.complaint.messages.clone(), letters);
    if ctx.json {
        return ctx.print_json(&serde_json::json!({
            "complaint": stored, "status": st, "decisions": ds,
            "customer_key": stored.complaint.customer_key, "others": others,
            "messages": stored.complaint.messages, "outcome": stored.complaint.outcome,
            "conversation": conversation,
        }));
    }
    let c = &stored.complaint;
    println!(
        "{} · {} · {} · {} · received {}",
        inert(&c.external_id),
        inert(&c.source),
        inert(&c.division),
        inert(c.channel.as_deref().unwrap_or("-")),
        fmt_time(c.received_at)
    );
    println!(
        "from {} line {} (import {}) · status: {}",
        inert(&stored.source_file),
        stored.source_line,
        stored.import_id,
        st.label()
    );
    if let Some(s) = &c.subject {
        println!("subject: {}", inert(s));
    }
    if let Some(key) = &c.customer_key {
        let listed: Vec<String> = others
            .iter()
            .map(|o| format!("{} ({})", inert(&o.external_id), fmt_time(o.received_at)))
            .collect();
        println!(
            "customer: {}{}",
            inert(key),
            if listed.is_empty() {
                String::new()
            } else {
                format!(" · also {}", listed.join(", "))
            }
        );
    }
    if c.text_from_fields {
        println!("\nThe consumer's narrative was not published; this is the issue they chose:");
    }
    if c.threaded || has_letters {
        print_outcome(c);
        print_thread(&conversation);
    } else {
        println!("\n{}\n", inert(&c.complaint_text));
        print_outcome(c);
        match &c.response_text {
            Some(r) => println!(
                "── response{}{} ──\n{}\n",
                c.responder
                    .as_deref()
                    .map(|r| format!(" · {}", inert(r)))
                    .unwrap_or_default(),
                c.responded_at
                    .map(|t| format!(" · {}", fmt_time(t)))
                    .unwrap_or_default(),
                inert(r)
            ),
            None => println!("── no response ──\n"),
        }
    }
    for d in &ds {
        println!(
            "  #{} {} {} by {}{}{}",
            d.id,
            fmt_time(d.at),
            d.kind.as_str(),
            d.actor_name,
            d.reasons
                .as_deref()
                .map(|r| format!(" [{r}]"))
                .unwrap_or_default(),
            d.note
                .as_deref()
                .or(d.body.as_deref())
                .map(|n| format!(": {}", inert(n)))
                .unwrap_or_default()
        );
    }
    Ok(())
}
