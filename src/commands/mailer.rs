//! The outbox delivered from the command line (`send`, and `notify` for its notifications):
//! the mail server from `[mail]`, and the store kept as `mail::deliver` needs it.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::domain::complaint::hex;
use crate::domain::letter::{message_id, sender_domain};
use crate::error::usage;
use crate::mail::compose::{self, Envelope};
use crate::mail::deliver::{self, Book, Composed, Line, Options, Withhold};
use crate::mail::smtp::{Folder, Smtp, Transport};
use crate::store::outbox::{Attempt, Item};
use crate::store::Store;

use super::Ctx;

/// The server of `[mail]`, or the dry run's folder; refused with the reason when `[mail]` is
/// not set up for it.
pub fn transport(ctx: &Ctx, dry_run: Option<PathBuf>) -> anyhow::Result<Box<dyn Transport>> {
    let m = &ctx.cfg.mail;
    if m.from.trim().is_empty() {
        return Err(usage(
            "[mail] from is not set: name the sender letters come from, like \
             \"Dana Reyes <ceo@example.com>\"",
        ));
    }
    if m.from.trim().parse::<lettre::message::Mailbox>().is_err() {
        return Err(usage(format!(
            "[mail] from {:?} is not an e-mail address",
            m.from
        )));
    }
    if let Some(dir) = dry_run {
        return Ok(Box::new(Folder(dir)));
    }
    let password = match m.password_env.trim() {
        "" => None,
        name => Some(std::env::var(name).map_err(|_| {
            usage(format!(
                "[mail] password_env names {name}, and that environment variable is not set"
            ))
        })?),
    };
    Ok(Box::new(Smtp::new(m, password).map_err(usage)?))
}

/// The store as delivery keeps it.
struct StoreBook<'a> {
    ctx: &'a Ctx,
    store: &'a mut dyn Store,
}

impl StoreBook<'_> {
    fn now(&self) -> i64 {
        (self.ctx.clock)().timestamp()
    }

    fn envelope<'e>(&'e self, to: &'e str, subject: &'e str, id: &'e str) -> Envelope<'e> {
        Envelope {
            from: &self.ctx.cfg.mail.from,
            to,
            to_name: None,
            subject,
            message_id: id,
            date: self.now(),
        }
    }
}

impl Book for StoreBook<'_> {
    fn compose(&mut self, item: &Item) -> anyhow::Result<Result<Composed, Withhold>> {
        let domain = sender_domain(&self.ctx.cfg.mail.from);
        let built = match item.kind.as_str() {
            "letter" => {
                let (Some(cid), Some(did)) = (item.complaint_id, item.decision_id) else {
                    return Ok(Err(Withhold::Failed(
                        "a letter without its sign-off".into(),
                    )));
                };
                let l = match self.store.letter_for_sign_off(cid, did, self.now())? {
                    Ok(l) => l,
                    Err(why) => return Ok(Err(Withhold::Withdrawn(why))),
                };
                compose::signed_letter(&l, &self.ctx.cfg.mail.from, self.now())
            }
            _ => {
                let Some(to) = item.recipient.clone() else {
                    return Ok(Err(Withhold::Failed("no address to send it to".into())));
                };
                let id = item.message_id.clone().unwrap_or_else(|| {
                    let mut h = Sha256::new();
                    h.update(format!(
                        "{}:{}:{}:{}",
                        item.kind, item.id, item.queued_at, to
                    ));
                    message_id(&item.kind, &hex(&h.finalize()), &domain)
                });
                let subject = item.subject.clone().unwrap_or_default();
                let e = self.envelope(&to, &subject, &id);
                compose::plain(&e, item.body.as_deref().unwrap_or_default()).map(|bytes| Composed {
                    to: to.clone(),
                    message_id: id.clone(),
                    bytes,
                })
            }
        };
        Ok(built.map_err(Withhold::Failed))
    }

    fn intend(&mut self, item: &Item, c: &Composed) -> anyhow::Result<bool> {
        let a = Attempt {
            recipient: &c.to,
            message_id: &c.message_id,
            content: &c.bytes,
            at: self.now(),
        };
        let (id, seen) = (item.id, item.attempts);
        Ok(self.store.intend_to_send(id, seen, &a)?)
    }

    fn sent(&mut self, id: i64, reply: &str) -> anyhow::Result<()> {
        let at = self.now();
        Ok(self.store.mark_sent(id, reply, at)?)
    }

    fn deferred(&mut self, id: i64, note: &str) -> anyhow::Result<()> {
        Ok(self.store.mark_deferred(id, note)?)
    }

    fn failed(&mut self, id: i64, note: &str) -> anyhow::Result<()> {
        Ok(self.store.mark_failed(id, note)?)
    }

    fn withdrawn(&mut self, id: i64, note: &str) -> anyhow::Result<()> {
        Ok(self.store.mark_withdrawn(id, note)?)
    }
}

/// Delivers what waits in the outbox (only `kind` when given).
pub fn deliver(
    ctx: &Ctx,
    store: &mut dyn Store,
    kind: Option<&str>,
    transport: &dyn Transport,
    opts: Options,
) -> anyhow::Result<Vec<Line>> {
    let items = store.waiting_mail(kind)?;
    let mut book = StoreBook { ctx, store };
    deliver::run(&items, &mut book, transport, &ctx.cfg.mail.from, opts)
}

/// One line per message, as `send` and `notify` print them; a dry run writes, it never sends.
pub fn describe(l: &Line, dry_run: bool) -> String {
    use crate::domain::text::inert;
    use deliver::Outcome::*;
    let what = match l.outcome {
        Sent if dry_run => "written",
        Sent => "sent",
        Deferred => "not sent, waits",
        Failed => "failed",
        Withdrawn => "withdrawn",
        Held => "held back",
        Uncertain => "uncertain",
        Skipped => "skipped",
    };
    format!(
        "{what}: {} {}{}{} — {}",
        l.kind,
        l.id,
        l.to.as_deref()
            .map(|t| format!(" to {}", inert(t)))
            .unwrap_or_default(),
        l.message_id
            .as_deref()
            .map(|m| format!(" {}", inert(m)))
            .unwrap_or_default(),
        inert(&l.detail)
    )
}

/// Whether every message of the run went, or was rightly withdrawn.
pub fn all_went(lines: &[Line]) -> bool {
    lines.iter().all(|l| {
        matches!(
            l.outcome,
            deliver::Outcome::Sent | deliver::Outcome::Withdrawn | deliver::Outcome::Skipped
        )
    })
}
