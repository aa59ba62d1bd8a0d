//! The decision workflow on the PostgreSQL store: the same rules as SQLite's
//! (`store::workflow`), each decision in one transaction, and every statement checked again by
//! the server against the login that sent it.

use postgres::Transaction;

use crate::domain::complaint::signed_text_hash;
use crate::domain::decision::{self, Decision, Kind, Status};
use crate::domain::letter::is_address;
use crate::domain::people::Actor;
use crate::domain::signing::RecordSigner;
use crate::domain::thread::{hash_messages, Author, Message};
use crate::store::decisions::NewDecision;
use crate::store::workflow::{self as wf, DecisionTx, WorkflowError};
use crate::store::StoreError;

use super::decisions::{append_in, decisions_where, PgAppendError};
use super::{describe, text, PgError, PgStore};

type Result<T> = std::result::Result<T, WorkflowError>;

impl From<PgAppendError> for WorkflowError {
    fn from(e: PgAppendError) -> Self {
        match e {
            PgAppendError::Refused(m) => {
                WorkflowError::Refused(format!("the store refused it: {m}"))
            }
            PgAppendError::NoComplaint(id) => WorkflowError::Conflict(format!(
                "the complaint {id} is not in the store, or not yours to see"
            )),
            PgAppendError::Sign(m) => WorkflowError::Record(format!("cannot sign: {m}")),
            PgAppendError::Store(e) => WorkflowError::Store(StoreError::Pg(e)),
        }
    }
}

/// A revision the next decision records, made by the server as it inserts that decision.
struct Revision {
    text: String,
    by: String,
    at: i64,
}

/// The PostgreSQL store's answers, inside the decision's transaction.
struct PgTx<'a, 'b> {
    tx: &'a mut Transaction<'b>,
    url: &'a str,
    revision: Option<Revision>,
}

impl PgTx<'_, '_> {
    fn err(&self, e: postgres::Error) -> WorkflowError {
        let refused = e
            .as_db_error()
            .is_some_and(|db| db.code().code() == "42501");
        if refused {
            return WorkflowError::Refused(format!("the store refused it: {}", describe(&e)));
        }
        WorkflowError::Store(StoreError::Pg(PgError {
            url: self.url.to_string(),
            message: describe(&e),
        }))
    }
}

impl DecisionTx for PgTx<'_, '_> {
    fn head(&mut self, complaint_id: i64) -> Result<Option<(String, String, bool)>> {
        let row = self
            .tx
            .query_opt(
                "SELECT division, external_id, coalesce(trim(response_text), '') <> ''
                 FROM complaints WHERE id = $1",
                &[&complaint_id],
            )
            .map_err(|e| self.err(e))?;
        Ok(row.map(|r| (r.get(0), r.get(1), r.get(2))))
    }

    fn decisions_of(&mut self, complaint_id: i64) -> Result<Vec<Decision>> {
        Ok(decisions_where(
            self.tx,
            self.url,
            "WHERE complaint_id = $1",
            &[&complaint_id],
        )
        .map_err(StoreError::Pg)?)
    }

    /// The thread's hash as it stands, or as it will read once a pending revision is made.
    fn text_hash(&mut self, complaint_id: i64) -> Result<String> {
        let Some(r) = &self.revision else {
            return text::text_hash(self.tx, complaint_id)
                .map_err(|e| self.err(e))?
                .ok_or_else(|| {
                    WorkflowError::Conflict(format!(
                        "the complaint {complaint_id} is not in the store, or not yours to see"
                    ))
                });
        };
        let (text, by, at) = (r.text.clone(), r.by.clone(), r.at);
        let mut messages = text::stored_messages(self.tx, complaint_id).map_err(|e| self.err(e))?;
        if messages.is_empty() {
            let complaint: String = self
                .tx
                .query_one(
                    "SELECT complaint_text FROM complaints WHERE id = $1",
                    &[&complaint_id],
                )
                .map_err(|e| self.err(e))?
                .get(0);
            return Ok(signed_text_hash(&complaint, Some(&text)));
        }
        let channel = messages.last().and_then(|m| m.channel.clone());
        messages.push(Message {
            id: None,
            author: Author::Company,
            name: Some(by),
            at: Some(at),
            channel,
            text,
        });
        Ok(hash_messages(&messages))
    }

    fn sample_of(&mut self, complaint_id: i64) -> Result<Option<i64>> {
        let row = self
            .tx
            .query_one(
                "SELECT max(sample_id) FROM sample_items WHERE complaint_id = $1",
                &[&complaint_id],
            )
            .map_err(|e| self.err(e))?;
        Ok(row.get(0))
    }

    fn decision(&mut self, id: i64) -> Result<Option<Decision>> {
        Ok(decisions_where(self.tx, self.url, "WHERE id = $1", &[&id])
            .map_err(StoreError::Pg)?
            .pop())
    }

    fn revise_response(&mut self, _complaint_id: i64, text: &str, by: &str, at: i64) -> Result<()> {
        // The server makes the revision when it takes the decision (`signoff_apply_revision`),
        // so that no one can change a response without the signed record of it.
        self.revision = Some(Revision {
            text: text.to_string(),
            by: by.to_string(),
            at,
        });
        Ok(())
    }

    fn append(&mut self, d: NewDecision, signer: &dyn RecordSigner) -> Result<Decision> {
        let complaint_id = d.complaint_id;
        let text_hash = self.text_hash(complaint_id)?;
        let rec = append_in(self.tx, self.url, d, text_hash, signer)?;
        if self.revision.take().is_some() {
            let now = text::text_hash(self.tx, complaint_id).map_err(|e| self.err(e))?;
            if now.as_deref() != Some(rec.text_hash.as_str()) {
                return Err(WorkflowError::Record(
                    "the store's revision of the response is not the text the answer was \
                     signed over: nothing was kept — run `signoff verify`"
                        .into(),
                ));
            }
        }
        Ok(rec)
    }

    fn queue_letter(
        &mut self,
        complaint_id: i64,
        decision_id: i64,
        author: &str,
        at: i64,
    ) -> Result<()> {
        let row = self
            .tx
            .query_one(
                "SELECT contact, customer FROM complaints WHERE id = $1",
                &[&complaint_id],
            )
            .map_err(|e| self.err(e))?;
        let (contact, customer): (Option<String>, Option<String>) = (row.get(0), row.get(1));
        let to = [contact, customer]
            .into_iter()
            .flatten()
            .find(|v| is_address(v))
            .map(|v| v.trim().to_string());
        self.tx
            .execute(
                "INSERT INTO outbox (kind, complaint_id, decision_id, recipient, author, queued_at)
                 VALUES ('letter', $1, $2, $3, $4, $5)",
                &[&complaint_id, &decision_id, &to, &author, &at],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn answered(&mut self, _complaint_id: i64, _now: i64) -> Result<()> {
        // The PostgreSQL store keeps no flags in this version: there is nothing to bring up to
        // date.
        Ok(())
    }
}

impl PgStore {
    /// Runs one decision in a transaction of its own, committed when it succeeds.
    fn decide<T>(&mut self, f: impl FnOnce(&mut dyn DecisionTx) -> Result<T>) -> Result<T> {
        let url = self.url.clone();
        let mut tx = self.client.transaction().map_err(|e| {
            StoreError::Pg(PgError {
                url: url.clone(),
                message: describe(&e),
            })
        })?;
        let out = f(&mut PgTx {
            tx: &mut tx,
            url: &url,
            revision: None,
        })?;
        tx.commit().map_err(|e| {
            StoreError::Pg(PgError {
                url,
                message: describe(&e),
            })
        })?;
        Ok(out)
    }

    /// A complaint's decisions and its status now.
    pub fn status_of(&mut self, complaint_id: i64, now: i64) -> Result<(Vec<Decision>, Status)> {
        let ds = decisions_where(
            &mut self.client,
            &self.url,
            "WHERE complaint_id = $1",
            &[&complaint_id],
        )
        .map_err(StoreError::Pg)?;
        let text = self
            .current_text_hash(complaint_id)
            .map_err(StoreError::Pg)?;
        let st = decision::status(&ds, &text, now);
        Ok((ds, st))
    }

    pub fn approve(
        &mut self,
        p: &Actor,
        signer: &dyn RecordSigner,
        complaint_id: i64,
        note: Option<String>,
        now: i64,
    ) -> Result<Decision> {
        wf::approve_allowed(p)?;
        self.decide(|tx| wf::approve_in(tx, p, signer, complaint_id, note, now))
    }

    #[allow(clippy::too_many_arguments)]
    pub fn push_back(
        &mut self,
        p: &Actor,
        signer: &dyn RecordSigner,
        complaint_id: i64,
        reasons: &[String],
        note: &str,
        due_at: i64,
        now: i64,
    ) -> Result<Decision> {
        wf::push_back_allowed(p, reasons, note)?;
        self.decide(|tx| wf::push_back_in(tx, p, signer, complaint_id, reasons, note, due_at, now))
    }

    pub fn answer(
        &mut self,
        p: &Actor,
        signer: &dyn RecordSigner,
        complaint_id: i64,
        kind: Kind,
        body: &str,
        now: i64,
    ) -> Result<Decision> {
        wf::answer_allowed(p, kind, body)?;
        self.decide(|tx| wf::answer_in(tx, p, signer, complaint_id, kind, body, now))
    }

    pub fn retract(
        &mut self,
        p: &Actor,
        signer: &dyn RecordSigner,
        decision_id: i64,
        now: i64,
    ) -> Result<Decision> {
        self.decide(|tx| wf::retract_in(tx, p, signer, decision_id, now))
    }
}
