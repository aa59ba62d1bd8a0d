//! The outbox on the PostgreSQL store, as `send` delivers it: what waits, the newest messages,
//! the intent to send recorded before the server is spoken to, and what became of each
//! attempt (`mail::deliver` drives a message through these states, as on SQLite).
//!
//! The server checks who may do this: reading the outbox follows `outbox_read`, and recording
//! an attempt or its outcome is an UPDATE that `outbox_deliver` allows executives and admins.

use crate::domain::letter::Letter;
use crate::store::outbox::{Attempt, Item};

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
}
