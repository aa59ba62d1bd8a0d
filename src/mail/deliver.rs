//! Delivering the outbox so that no message goes twice.
//!
//! Each message goes through the same steps. Its exact bytes, Message-ID and recipient are
//! fixed and committed to the store as the intent to send ("sending") before the server is
//! spoken to; the server's reply is committed as its outcome ("sent") right after. A run that
//! is interrupted between two messages leaves every message either sent and recorded, or not
//! begun: the next run sends exactly the rest. A message the server refused, or that could not
//! be handed over, waits for the next run with the same bytes.
//!
//! One window is left that no SMTP client can close: after the message was handed over and
//! before its outcome was committed (the process killed, the connection lost before the
//! server's reply). The server may or may not have it. Such a message stays "sending", and a
//! later run holds it back and names it rather than risk a second copy; `--resend-interrupted`
//! sends it again with the same bytes and the same Message-ID, so that a copy the server
//! already had is recognisable as the same message (mail clients and servers drop duplicates by
//! Message-ID).

use serde::Serialize;

use super::smtp::{Failure, Transport};
use crate::render::time::fmt_time;
use crate::store::outbox::Item;

/// A message ready to go: to whom, under which Message-ID, as which bytes.
#[derive(Debug, Clone)]
pub struct Composed {
    pub to: String,
    pub message_id: String,
    pub bytes: Vec<u8>,
}

/// Why a message must not go.
#[derive(Debug, Clone)]
pub enum Withhold {
    /// It no longer should (a letter whose sign-off was retracted or no longer covers the
    /// conversation).
    Withdrawn(String),
    /// It cannot (no address to send to).
    Failed(String),
}

/// What delivery needs of the store, kept by the command that delivers.
pub trait Book {
    /// The message for an item's first attempt, or why it must not go now.
    fn compose(&mut self, item: &Item) -> anyhow::Result<Result<Composed, Withhold>>;
    /// Records the intent to send; false when another run took the message first.
    fn intend(&mut self, item: &Item, c: &Composed) -> anyhow::Result<bool>;
    fn sent(&mut self, id: i64, reply: &str) -> anyhow::Result<()>;
    fn deferred(&mut self, id: i64, note: &str) -> anyhow::Result<()>;
    fn failed(&mut self, id: i64, note: &str) -> anyhow::Result<()>;
    fn withdrawn(&mut self, id: i64, note: &str) -> anyhow::Result<()>;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Send again the messages an earlier run was interrupted delivering.
    pub resend_interrupted: bool,
    /// Write nothing to the store (a dry run into a folder).
    pub dry_run: bool,
}

/// What became of one message in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Sent,
    /// Not sent this time; it waits for the next run.
    Deferred,
    Failed,
    Withdrawn,
    /// An earlier run was interrupted while delivering it: held back (see the module's notes).
    Held,
    /// This run lost the connection after handing it over: it may have gone.
    Uncertain,
    /// Another run is delivering it.
    Skipped,
}

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub id: i64,
    pub kind: String,
    pub to: Option<String>,
    pub message_id: Option<String>,
    pub outcome: Outcome,
    pub detail: String,
}

/// Delivers `items` in order through `transport`, from `from`.
pub fn run(
    items: &[Item],
    book: &mut dyn Book,
    transport: &dyn Transport,
    from: &str,
    opts: Options,
) -> anyhow::Result<Vec<Line>> {
    let mut out = Vec::new();
    let mut unreachable: Option<String> = None;
    for item in items {
        let mut line = Line {
            id: item.id,
            kind: item.kind.clone(),
            to: item.recipient.clone(),
            message_id: item.message_id.clone(),
            outcome: Outcome::Deferred,
            detail: String::new(),
        };
        if item.state == "sending" && !opts.resend_interrupted {
            line.outcome = Outcome::Held;
            line.detail = format!(
                "an earlier run was interrupted while delivering it{}: the server may have it. \
                 Look for Message-ID {} in the server's log; `signoff send --resend-interrupted` \
                 sends it again with that same Message-ID",
                item.attempted_at
                    .map(|t| format!(" at {} UTC", fmt_time(t)))
                    .unwrap_or_default(),
                item.message_id.as_deref().unwrap_or("(none)")
            );
            out.push(line);
            continue;
        }
        if let Some(why) = &unreachable {
            line.detail = format!("not tried: {why}");
            out.push(line);
            continue;
        }
        let fresh = match book.compose(item)? {
            Ok(c) => c,
            Err(Withhold::Withdrawn(why)) => {
                if !opts.dry_run {
                    book.withdrawn(item.id, &why)?;
                }
                line.outcome = Outcome::Withdrawn;
                line.detail = why;
                out.push(line);
                continue;
            }
            Err(Withhold::Failed(why)) => {
                if !opts.dry_run {
                    book.failed(item.id, &why)?;
                }
                line.outcome = Outcome::Failed;
                line.detail = why;
                out.push(line);
                continue;
            }
        };
        // A message tried before goes again exactly as it was first built.
        let c = match (&item.content, &item.message_id, &item.recipient) {
            (Some(bytes), Some(id), Some(to)) if item.attempts > 0 => Composed {
                to: to.clone(),
                message_id: id.clone(),
                bytes: bytes.clone(),
            },
            _ => fresh,
        };
        line.to = Some(c.to.clone());
        line.message_id = Some(c.message_id.clone());
        if !opts.dry_run && !book.intend(item, &c)? {
            line.outcome = Outcome::Skipped;
            line.detail = "another run is delivering it".into();
            out.push(line);
            continue;
        }
        match transport.send(from, &c.to, &c.message_id, &c.bytes) {
            Ok(reply) => {
                if !opts.dry_run {
                    book.sent(item.id, &reply)?;
                }
                line.outcome = Outcome::Sent;
                line.detail = reply;
            }
            Err(Failure::NotSent {
                lasting,
                unreachable: gone,
                reason,
            }) => {
                if !opts.dry_run {
                    if lasting {
                        book.failed(item.id, &reason)?;
                    } else {
                        book.deferred(item.id, &reason)?;
                    }
                }
                line.outcome = if lasting {
                    Outcome::Failed
                } else {
                    Outcome::Deferred
                };
                if gone {
                    unreachable = Some(reason.clone());
                }
                line.detail = reason;
            }
            Err(Failure::Uncertain(reason)) => {
                // Left "sending": the next run holds it back.
                line.outcome = Outcome::Uncertain;
                line.detail = reason;
            }
        }
        out.push(line);
    }
    Ok(out)
}

#[cfg(test)]
#[path = "deliver_tests.rs"]
mod tests;
