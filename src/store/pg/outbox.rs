//! The outbox on the PostgreSQL store, as `send` delivers it: what waits, the newest messages,
//! the intent to send recorded before the server is spoken to, and what became of each
//! attempt (`mail::deliver` drives a message through these states, as on SQLite).
//!
//! The server checks who may do this: reading the outbox follows `outbox_read`, and recording
//! an attempt or its outcome is an UPDATE that `outbox_deliver` allows executives and admins.

use crate::domain::letter::{is_address, Letter};
use crate::domain::notify::{CallBack, PushBackItem};
use crate::domain::outreach::{self, Outreach};
use crate::store::cars::Filter;
use crate::store::notices;
use crate::store::outbox::{Attempt, Item, Notice};

use super::{PgError, PgStore};

const COLUMNS: &str = "id, kind, complaint_id, decision_id, recipient, subject, body, author, \
    author_name, queued_at, message_id, state, content, attempts::bigint, attempted_at, sent_at, \
    reply, note";

fn from_row(r: &postgres::Row) -> Item {
    Item {
        id: r.get(0),
        kind: r.get(1),
        complaint_id: r.get(2),
        decision_id: r.get(3),
        recipient: r.get(4),
        subject: r.get(5),
        body: r.get(6),
        author: r.get(7),
        author_name: r.get(8),
        queued_at: r.get(9),
        message_id: r.get(10),
        state: r.get(11),
        content: r.get(12),
        attempts: r.get(13),
        attempted_at: r.get(14),
        sent_at: r.get(15),
        reply: r.get(16),
        note: r.get(17),
    }
}

impl PgStore {
    /// Messages still to go (queued) or whose last attempt has no recorded outcome (sending),
    /// in the order they were queued; only of `kind` when given.
    pub fn waiting_mail(&mut self, kind: Option<&str>) -> Result<Vec<Item>, PgError> {
        let rows = self
            .client
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM outbox WHERE state IN ('queued', 'sending')
                         AND ($1::text IS NULL OR kind = $1) ORDER BY id"
                ),
                &[&kind],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows.iter().map(from_row).collect())
    }

    /// The newest messages of the outbox, whatever their state, for `send --list`.
    pub fn recent_mail(&mut self, limit: i64) -> Result<Vec<Item>, PgError> {
        let rows = self
            .client
            .query(
                &format!("SELECT {COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1"),
                &[&limit],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows.iter().map(from_row).collect())
    }

    /// Records the intent to deliver before the server is spoken to, committed. False when the
    /// message is no longer as `seen_attempts` says (another run recorded an attempt since) or
    /// no longer waiting: then this run must not send it. Two runs racing for one message
    /// meet on its row lock: the second sees the first's attempt and matches nothing.
    pub fn intend_to_send(
        &mut self,
        id: i64,
        seen_attempts: i64,
        a: &Attempt,
    ) -> Result<bool, PgError> {
        let url = self.url.clone();
        let pg = |e: postgres::Error| PgError {
            url: url.clone(),
            message: super::describe(&e),
        };
        let mut tx = self.client.transaction().map_err(pg)?;
        let claimed = tx
            .query_opt(
                "UPDATE outbox SET state = 'sending', recipient = $2, message_id = $3,
                     content = $4, attempts = attempts + 1, attempted_at = $5, note = NULL
                 WHERE id = $1 AND state IN ('queued', 'sending') AND attempts::bigint = $6
                 RETURNING id",
                &[
                    &id,
                    &a.recipient,
                    &a.message_id,
                    &a.content,
                    &a.at,
                    &seen_attempts,
                ],
            )
            .map_err(pg)?
            .is_some();
        tx.commit().map_err(pg)?;
        Ok(claimed)
    }

    /// The server took it.
    pub fn mark_sent(&mut self, id: i64, reply: &str, at: i64) -> Result<(), PgError> {
        self.outcome(
            "UPDATE outbox SET state = 'sent', sent_at = $3, reply = $2, note = NULL
             WHERE id = $1",
            &[&id, &reply, &at],
        )
    }

    /// It did not go this time: it waits again, with the bytes of its attempt kept.
    pub fn mark_deferred(&mut self, id: i64, note: &str) -> Result<(), PgError> {
        self.outcome(
            "UPDATE outbox SET state = 'queued', note = $2 WHERE id = $1",
            &[&id, &note],
        )
    }

    /// It will not go: the server refused it for good, or it has nowhere to go.
    pub fn mark_failed(&mut self, id: i64, note: &str) -> Result<(), PgError> {
        self.outcome(
            "UPDATE outbox SET state = 'failed', note = $2 WHERE id = $1",
            &[&id, &note],
        )
    }

    /// It must not go any more: its sign-off was retracted or no longer covers the
    /// conversation.
    pub fn mark_withdrawn(&mut self, id: i64, note: &str) -> Result<(), PgError> {
        self.outcome(
            "UPDATE outbox SET state = 'withdrawn', note = $2
             WHERE id = $1 AND state IN ('queued', 'sending')",
            &[&id, &note],
        )
    }

    fn outcome(
        &mut self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<(), PgError> {
        self.client.execute(sql, params).map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The letter a sign-off put in the outbox, if that sign-off is still the one in force: a
    /// retracted sign-off, one pushed back since, or one whose conversation changed sends
    /// nothing.
    pub fn letter_for_sign_off(
        &mut self,
        complaint_id: i64,
        decision_id: i64,
        now: i64,
    ) -> Result<Result<Letter, String>, PgError> {
        match self.letter(complaint_id, now)? {
            Ok(l) if l.decision_id == decision_id => Ok(Ok(l)),
            Ok(l) => Ok(Err(format!(
                "{}: a later sign-off (decision {}) carries the letter now",
                l.external_id, l.decision_id
            ))),
            Err(why) => Ok(Err(why)),
        }
    }

    /// The external id of a complaint, and the address to write to its customer at: the first
    /// of its contact and customer fields shaped like an e-mail address, else its contact as
    /// the import read it.
    pub fn recipient_of(&mut self, complaint_id: i64) -> Result<(String, Option<String>), PgError> {
        let row = self
            .client
            .query_opt(
                "SELECT external_id, contact, customer FROM complaints WHERE id = $1",
                &[&complaint_id],
            )
            .map_err(|e| self.err(e))?
            .ok_or_else(|| PgError {
                url: self.url.clone(),
                message: format!("no complaint {complaint_id}"),
            })?;
        let (ext, contact, customer): (String, Option<String>, Option<String>) =
            (row.get(0), row.get(1), row.get(2));
        let address = [contact.clone(), customer]
            .into_iter()
            .flatten()
            .find(|v| is_address(v));
        Ok((ext, address.or(contact)))
    }

    /// Puts the executive's own letter in the outbox, as her login (the server's
    /// `outbox_queue` policy checks the author); from then on it is a message of the
    /// complaint's conversation.
    pub fn queue_outreach(&mut self, o: &Outreach) -> Result<i64, PgError> {
        let row = self
            .client
            .query_one(
                "INSERT INTO outbox (kind, complaint_id, recipient, subject, body, author,
                     author_name, queued_at, message_id)
                 VALUES ('outreach', $1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                &[
                    &o.complaint_id,
                    &o.to,
                    &o.subject,
                    &o.text,
                    &o.author,
                    &outreach::signature_name(&o.author_name, &o.author_title),
                    &o.at,
                    &o.message_id,
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(row.get(0))
    }

    /// Which of these notification keys are already in the sent log.
    pub fn notified(&mut self, keys: &[String]) -> Result<Vec<String>, PgError> {
        let logged: Vec<String> = self
            .client
            .query(
                "SELECT event FROM notice_log WHERE event = ANY($1)",
                &[&keys],
            )
            .map_err(|e| self.err(e))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        Ok(keys
            .iter()
            .filter(|k| logged.contains(k))
            .cloned()
            .collect())
    }

    /// Queues a notification and logs its events, in one transaction; None (and nothing
    /// written) when another run logged any of them first: a run that logs an event at the
    /// same moment makes this one wait for it, then find the event taken.
    ///
    /// The server lets a login queue only as itself (`outbox_queue`): the notification's
    /// author is the login that queued it, and the sent log names whom it is for.
    pub fn queue_notice(&mut self, n: &Notice) -> Result<Option<i64>, PgError> {
        let url = self.url.clone();
        let pg = |e: postgres::Error| PgError {
            url: url.clone(),
            message: super::describe(&e),
        };
        let mut tx = self.client.transaction().map_err(pg)?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO outbox (kind, recipient, subject, body, author, queued_at)
                 VALUES ('notice', $1, $2, $3, session_user, $4) RETURNING id",
                &[&n.to, &n.subject, &n.body, &n.at],
            )
            .map_err(pg)?
            .get(0);
        for e in n.events {
            let logged = tx
                .execute(
                    "INSERT INTO notice_log (event, login, outbox_id, at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (event) DO NOTHING",
                    &[e, &n.login, &id, &n.at],
                )
                .map_err(pg)?;
            if logged == 0 {
                // Dropped unfinished: the transaction rolls back, nothing is kept.
                return Ok(None);
            }
        }
        tx.commit().map_err(pg)?;
        Ok(Some(id))
    }

    /// Push-backs waiting for their division's answer, or whose answer waits for an
    /// executive.
    pub fn open_push_backs(&mut self, now: i64) -> Result<Vec<PushBackItem>, PgError> {
        let ids: Vec<i64> = self
            .client
            .query(
                "SELECT DISTINCT complaint_id FROM decisions WHERE kind = 'push_back'
                 ORDER BY complaint_id",
                &[],
            )
            .map_err(|e| self.err(e))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut out = Vec::new();
        for id in ids {
            let ds = self.decisions_of(id)?;
            let text = self.current_text_hash(id)?;
            if let Some(item) =
                notices::push_back_item(&ds, &text, now, || self.external_id_and_division(id))?
            {
                out.push(item);
            }
        }
        Ok(out)
    }

    /// CARs whose customer has not been called back.
    pub fn callbacks_due(&mut self, now: i64) -> Result<Vec<CallBack>, PgError> {
        Ok(notices::callbacks_of(self.cars(&Filter::default(), now)?))
    }
}
