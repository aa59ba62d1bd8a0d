//! `signoff send`: delivers the outbox over SMTP, each message once (`mail::deliver`), or
//! writes it to a folder in a dry run, or lists it.

use serde_json::json;

use crate::cli::SendArgs;
use crate::config::Role;
use crate::domain::text::inert;
use crate::error::failed;
use crate::mail::deliver::Options;
use crate::render::time::fmt_time;

use super::{mailer, Ctx};

/// How many messages `--list` shows.
const LISTED: i64 = 50;

pub fn run(ctx: &Ctx, a: SendArgs) -> anyhow::Result<()> {
    ctx.require(&[Role::Executive, Role::Admin], "send the outbox")?;
    let mut store = ctx.open_store()?;
    if a.list {
        return list(ctx, store.as_mut());
    }
    let dry_run = a.dry_run.is_some();
    let transport = mailer::transport(ctx, a.dry_run.clone())?;
    let opts = Options {
        resend_interrupted: a.resend_interrupted,
        dry_run,
    };
    let lines = mailer::deliver(ctx, store.as_mut(), None, transport.as_ref(), opts)?;
    if ctx.json {
        ctx.print_json(&json!({
            "through": transport.describe(), "dry_run": dry_run, "messages": lines,
        }))?;
    } else {
        if lines.is_empty() {
            println!("the outbox is empty: nothing to send");
        }
        for l in &lines {
            println!("{}", mailer::describe(l, dry_run));
        }
        if !lines.is_empty() {
            println!("through {}", transport.describe());
        }
    }
    if mailer::all_went(&lines) {
        Ok(())
    } else {
        Err(failed(
            "some messages did not go (see above): those that wait go with the next `signoff send`",
        ))
    }
}

fn list(ctx: &Ctx, store: &mut dyn crate::store::Store) -> anyhow::Result<()> {
    let items = store.recent_mail(LISTED)?;
    if ctx.json {
        return ctx.print_json(&items);
    }
    if items.is_empty() {
        println!("the outbox is empty");
    }
    for i in &items {
        println!(
            "{:>5} {:<8} {:<9} {} queued {}{}{}",
            i.id,
            i.kind,
            i.state,
            inert(i.recipient.as_deref().unwrap_or("(no address)")),
            fmt_time(i.queued_at),
            i.sent_at
                .map(|t| format!(", sent {}", fmt_time(t)))
                .unwrap_or_default(),
            i.note
                .as_deref()
                .map(|n| format!(" — {}", inert(n)))
                .unwrap_or_default()
        );
    }
    Ok(())
}
