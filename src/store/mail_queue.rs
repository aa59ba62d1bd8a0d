//! The outbox as the mailer, `notify`, `send`, `letter` and the screen use it: putting
//! messages in, reading what waits, recording what became of each attempt; and the letters
//! and notices that are composed from the store.

use crate::domain::letter::Letter;
use crate::domain::notify::{CallBack, PushBackItem};
use crate::domain::outreach::Outreach;

use super::outbox::{self, Attempt, Item, Notice};
use super::{letters, notices, Db, Result};

impl Db {
    /// The complaint's external id and the customer's address, if it has one.
    pub fn recipient_of(&self, complaint_id: i64) -> Result<(String, Option<String>)> {
        Ok(outbox::recipient_of(&self.conn, complaint_id)?)
    }

    /// Puts the executive's own letter to a customer in the outbox.
    pub fn queue_outreach(&mut self, o: &Outreach) -> Result<i64> {
        outbox::queue_outreach(&mut self.conn, o).map_err(|e| self.err(e))
    }

    /// Puts a notification in the outbox, unless another run already logged its events.
    pub fn queue_notice(&mut self, n: &Notice) -> Result<Option<i64>> {
        Ok(outbox::queue_notice(&mut self.conn, n)?)
    }

    /// Which of these notification keys are already logged.
    pub fn notified(&self, keys: &[String]) -> Result<Vec<String>> {
        Ok(outbox::logged(&self.conn, keys)?)
    }

    /// What waits to be sent (only `kind` when given).
    pub fn waiting_mail(&self, kind: Option<&str>) -> Result<Vec<Item>> {
        Ok(outbox::waiting(&self.conn, kind)?)
    }

    /// The most recent messages of the outbox, whatever their state.
    pub fn recent_mail(&self, limit: i64) -> Result<Vec<Item>> {
        Ok(outbox::recent(&self.conn, limit)?)
    }

    /// Records that this run is about to send the message; false when another run got there
    /// first or it no longer waits.
    pub fn intend_to_send(&self, id: i64, seen_attempts: i64, a: &Attempt) -> Result<bool> {
        Ok(outbox::intend(&self.conn, id, seen_attempts, a)?)
    }

    pub fn mark_sent(&self, id: i64, reply: &str, at: i64) -> Result<()> {
        Ok(outbox::mark_sent(&self.conn, id, reply, at)?)
    }

    pub fn mark_deferred(&self, id: i64, note: &str) -> Result<()> {
        Ok(outbox::mark_deferred(&self.conn, id, note)?)
    }

    pub fn mark_failed(&self, id: i64, note: &str) -> Result<()> {
        Ok(outbox::mark_failed(&self.conn, id, note)?)
    }

    pub fn mark_withdrawn(&self, id: i64, note: &str) -> Result<()> {
        Ok(outbox::mark_withdrawn(&self.conn, id, note)?)
    }

    /// The complaint's letter, or why it has none now.
    pub fn letter(&self, complaint_id: i64, now: i64) -> Result<Result<Letter, String>> {
        Ok(letters::of(&self.conn, complaint_id, now)?)
    }

    /// The letter a sign-off put in the outbox, if that sign-off is still the one in force.
    pub fn letter_for_sign_off(
        &self,
        complaint_id: i64,
        decision_id: i64,
        now: i64,
    ) -> Result<Result<Letter, String>> {
        Ok(letters::for_sign_off(
            &self.conn,
            complaint_id,
            decision_id,
            now,
        )?)
    }

    /// Push-backs waiting for their division's answer, or whose answer waits for an executive.
    pub fn open_push_backs(&self, now: i64) -> Result<Vec<PushBackItem>> {
        Ok(notices::push_backs(&self.conn, now)?)
    }

    /// CARs whose customer has not been called back.
    pub fn callbacks_due(&self, now: i64) -> Result<Vec<CallBack>> {
        Ok(notices::callbacks(&self.conn, now)?)
    }
}
