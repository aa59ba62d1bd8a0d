//! `signoff approve`, `push-back`, `answer`, `retract` and `show`.

use std::io::Read;

use rusqlite::TransactionBehavior;

use crate::cli::{AnswerArgs, ApproveArgs, PushBackArgs, RetractArgs, ShowArgs};
use crate::config::{Person, Role};
use crate::domain::decision::{
    self, add_working_days, signature_statement, Decision, Kind, Status,
};
use crate::domain::text::inert;
use crate::store::decisions::{self as sd, NewDecision};
use crate::store::{queries, samples, Db};

use super::{failed, fmt_time, parse_time, refs, refused, usage, Ctx};

fn new_decision(
    ctx: &Ctx,
    p: &Person,
    complaint_id: i64,
    sample_id: Option<i64>,
    kind: Kind,
) -> NewDecision {
    NewDecision {
        complaint_id,
        sample_id,
        kind,
        actor: p.login.clone(),
        actor_name: p.name.clone(),
        actor_title: p.title.clone(),
        at: ctx.now.timestamp(),
        statement: None,
        reasons: None,
        note: None,
        due_at: None,
        body: None,
        retracts: None,
    }
}

/// The complaint's status now, inside the caller's transaction.
fn status_of(
    conn: &rusqlite::Connection,
    ctx: &Ctx,
    id: i64,
) -> anyhow::Result<(Vec<Decision>, Status)> {
    let ds = sd::for_complaint(conn, id)?;
    let text = sd::current_text_hash(conn, id)?;
    let st = decision::status(&ds, &text, ctx.now.timestamp());
    Ok((ds, st))
}

fn external_id(conn: &rusqlite::Connection, id: i64) -> anyhow::Result<String> {
    Ok(conn.query_row(
        "SELECT external_id FROM complaints WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?)
}

fn print_decision(ctx: &Ctx, d: &Decision, what: &str) -> anyhow::Result<()> {
    if ctx.json {
        return ctx.print_json(d);
    }
    println!("{what} (decision {}, hash {})", d.id, &d.hash[..16]);
    Ok(())
}

fn write(db: &mut Db) -> anyhow::Result<rusqlite::Transaction<'_>> {
    Ok(db
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?)
}

pub fn approve(ctx: &Ctx, a: ApproveArgs) -> anyhow::Result<()> {
    let p = ctx.require(&[Role::Executive], "sign a response")?.clone();
    let mut db = ctx.open_db()?;
    let tx = write(&mut db)?;
    let id = refs::resolve(ctx, &tx, &a.reference)?;
    let (_, st) = status_of(&tx, ctx, id)?;
    if let Status::Signed { by, at, .. } = &st {
        return Err(failed(format!(
            "{} is already signed by {by} ({}), and its text has not changed since",
            a.reference,
            fmt_time(*at)
        )));
    }
    let mut d = new_decision(ctx, &p, id, samples::sample_of(&tx, id)?, Kind::Approve);
    d.statement = Some(signature_statement(&p.name, &p.title));
    d.note = a.note.filter(|n| !n.trim().is_empty());
    let rec = sd::append(&tx, d)?;
    tx.commit()?;
    let ext = external_id(&db.conn, id)?;
    print_decision(
        ctx,
        &rec,
        &format!("{ext}: {}", rec.statement.as_deref().unwrap_or_default()),
    )
}

pub fn push_back(ctx: &Ctx, a: PushBackArgs) -> anyhow::Result<()> {
    let p = ctx
        .require(&[Role::Executive], "push a response back")?
        .clone();
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
    let mut db = ctx.open_db()?;
    let tx = write(&mut db)?;
    let id = refs::resolve(ctx, &tx, &a.reference)?;
    let (_, st) = status_of(&tx, ctx, id)?;
    if let Status::PushedBack { .. } = st {
        return Err(failed(format!(
            "{} is already pushed back and waiting for its division's answer",
            a.reference
        )));
    }
    let mut d = new_decision(ctx, &p, id, samples::sample_of(&tx, id)?, Kind::PushBack);
    d.reasons = Some(reasons.join(","));
    d.note = Some(a.note.trim().to_string());
    d.due_at = Some(due);
    let rec = sd::append(&tx, d)?;
    tx.commit()?;
    let ext = external_id(&db.conn, id)?;
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
    let p = ctx
        .require(&[Role::DivisionHead], "answer a push-back")?
        .clone();
    let (kind, body) = if let Some(path) = &a.revise {
        let mut text = String::new();
        if path.as_os_str() == "-" {
            std::io::stdin().read_to_string(&mut text)?;
        } else {
            text = std::fs::read_to_string(path)
                .map_err(|e| failed(format!("{}: {e}", path.display())))?;
        }
        (Kind::Revise, text.trim_end().to_string())
    } else if let Some(t) = &a.corrective_action {
        (Kind::CorrectiveAction, t.trim().to_string())
    } else if let Some(t) = &a.dispute {
        (Kind::Dispute, t.trim().to_string())
    } else {
        return Err(usage(
            "say --revise FILE, --corrective-action TEXT or --dispute TEXT",
        ));
    };
    if body.is_empty() {
        return Err(usage("the answer is empty"));
    }
    let mut db = ctx.open_db()?;
    let tx = write(&mut db)?;
    let id = refs::resolve(ctx, &tx, &a.reference)?;
    let (_, st) = status_of(&tx, ctx, id)?;
    if !matches!(st, Status::PushedBack { .. }) {
        return Err(failed(format!(
            "{} has no open push-back to answer (it is {})",
            a.reference,
            st.label()
        )));
    }
    if kind == Kind::Revise {
        sd::revise_response(&tx, id, &body, &p.name, ctx.now.timestamp())?;
    }
    let mut d = new_decision(ctx, &p, id, samples::sample_of(&tx, id)?, kind);
    d.body = Some(body);
    let rec = sd::append(&tx, d)?;
    tx.commit()?;
    let ext = external_id(&db.conn, id)?;
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
    let mut db = ctx.open_db()?;
    let tx = write(&mut db)?;
    let target =
        sd::by_id(&tx, a.decision)?.ok_or_else(|| failed(format!("no decision {}", a.decision)))?;
    if target.actor != p.login {
        return Err(refused(format!(
            "decision {} was made by {}: only they may retract it",
            target.id, target.actor_name
        )));
    }
    if target.kind == Kind::Retract {
        return Err(failed("a retraction cannot itself be retracted"));
    }
    let ds = sd::for_complaint(&tx, target.complaint_id)?;
    if ds.iter().any(|d| d.retracts == Some(target.id)) {
        return Err(failed(format!(
            "decision {} is already retracted",
            target.id
        )));
    }
    if target.kind == Kind::Revise {
        return Err(failed(
            "a revised response cannot be retracted: it was sent to the customer; revise it again instead",
        ));
    }
    let mut d = new_decision(
        ctx,
        &p,
        target.complaint_id,
        target.sample_id,
        Kind::Retract,
    );
    d.retracts = Some(target.id);
    let rec = sd::append(&tx, d)?;
    tx.commit()?;
    print_decision(ctx, &rec, &format!("decision {} retracted", target.id))
}

pub fn show(ctx: &Ctx, a: ShowArgs) -> anyhow::Result<()> {
    ctx.person()?;
    let db = ctx.open_db()?;
    let id = refs::resolve(ctx, &db.conn, &a.reference)?;
    let stored = queries::complaint_by_id(&db.conn, id)?
        .ok_or_else(|| failed(format!("no complaint {id}")))?;
    let (ds, st) = status_of(&db.conn, ctx, id)?;
    if ctx.json {
        return ctx.print_json(&serde_json::json!({
            "complaint": stored, "status": st, "decisions": ds,
        }));
    }
    let c = &stored.complaint;
    println!(
        "{} · {} · {} · {} · received {}",
        c.external_id,
        c.source,
        c.division,
        c.channel.as_deref().unwrap_or("-"),
        fmt_time(c.received_at)
    );
    println!(
        "from {} line {} (import {}) · status: {}",
        stored.source_file,
        stored.source_line,
        stored.import_id,
        st.label()
    );
    if let Some(s) = &c.subject {
        println!("subject: {}", inert(s));
    }
    println!("\n{}\n", inert(&c.complaint_text));
    match &c.response_text {
        Some(r) => println!(
            "── response{}{} ──\n{}\n",
            c.responder
                .as_deref()
                .map(|r| format!(" · {r}"))
                .unwrap_or_default(),
            c.responded_at
                .map(|t| format!(" · {}", fmt_time(t)))
                .unwrap_or_default(),
            inert(r)
        ),
        None => println!("── no response ──\n"),
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
