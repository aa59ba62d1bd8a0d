//! The decision workflow, shared by the command line and the review screen: who may do what,
//! in which state, each in one short write transaction.

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior};

use crate::domain::decision::{self, signature_statement, Decision, Kind, Status};
use crate::domain::people::{Actor, Role};

use super::decisions::{self as sd, AppendError, NewDecision};
use super::samples;
use super::{Db, StoreError};
use crate::domain::signing::RecordSigner;

#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// The person's role or divisions do not allow it (exit status 3).
    #[error("{0}")]
    Refused(String),
    /// The complaint is not in a state that allows it (exit status 1).
    #[error("{0}")]
    Conflict(String),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// Signing failed, or the store swallowed the record (exit status 1).
    #[error("{0}")]
    Record(String),
}

impl From<rusqlite::Error> for WorkflowError {
    fn from(e: rusqlite::Error) -> Self {
        WorkflowError::Store(e.into())
    }
}

impl From<AppendError> for WorkflowError {
    fn from(e: AppendError) -> Self {
        match e {
            AppendError::Store(e) => WorkflowError::Store(e),
            other => WorkflowError::Record(other.to_string()),
        }
    }
}

impl WorkflowError {
    /// Another process holds the store (an import, say) for longer than the busy timeout.
    pub fn is_busy(&self) -> bool {
        matches!(self, WorkflowError::Store(e) if e.is_busy())
    }
}

type Result<T> = std::result::Result<T, WorkflowError>;

fn need(p: &Actor, roles: &[Role], action: &str) -> Result<()> {
    if roles.contains(&p.role) {
        Ok(())
    } else {
        Err(WorkflowError::Refused(format!(
            "{} ({}) may not {action}: that needs the role {}",
            p.name,
            p.role.as_str(),
            roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        )))
    }
}

/// What the decision rules ask of a store, inside the one transaction that records a
/// decision: each backend answers with its own SQL, and the rules stay one.
pub(crate) trait DecisionTx {
    /// (division, external id, whether it holds a company response to read); None when the
    /// complaint is not there (or not the person's to see).
    fn head(&mut self, complaint_id: i64) -> Result<Option<(String, String, bool)>>;
    fn decisions_of(&mut self, complaint_id: i64) -> Result<Vec<Decision>>;
    fn text_hash(&mut self, complaint_id: i64) -> Result<String>;
    /// The latest sample holding the complaint.
    fn sample_of(&mut self, complaint_id: i64) -> Result<Option<i64>>;
    fn decision(&mut self, id: i64) -> Result<Option<Decision>>;
    /// A division head's revised response replaces the company's answer (it is recorded with
    /// the decision that follows).
    fn revise_response(&mut self, complaint_id: i64, text: &str, by: &str, at: i64) -> Result<()>;
    fn append(&mut self, d: NewDecision, signer: &dyn RecordSigner) -> Result<Decision>;
    /// The letter that carries a signature to the customer waits in the outbox.
    fn queue_letter(
        &mut self,
        complaint_id: i64,
        decision_id: i64,
        author: &str,
        at: i64,
    ) -> Result<()>;
    /// The complaint's checks after an answer changed it.
    fn answered(&mut self, complaint_id: i64, now: i64) -> Result<()>;
}

/// Division heads act only on their own divisions. Returns the complaint's external id and
/// whether it holds a response.
fn check_scope(tx: &mut dyn DecisionTx, p: &Actor, complaint_id: i64) -> Result<(String, bool)> {
    let (division, ext, has_response) = tx
        .head(complaint_id)?
        .ok_or_else(|| WorkflowError::Conflict(format!("no complaint {complaint_id}")))?;
    if p.role == Role::DivisionHead && !p.divisions.contains(&division) {
        return Err(WorkflowError::Refused(format!(
            "{ext} belongs to {division}, which is not among your divisions ({})",
            p.divisions.join(", ")
        )));
    }
    Ok((ext, has_response))
}

/// A complaint's decisions and its status now.
pub(crate) fn status_in(
    tx: &mut dyn DecisionTx,
    complaint_id: i64,
    now: i64,
) -> Result<(Vec<Decision>, Status)> {
    let ds = tx.decisions_of(complaint_id)?;
    let text = tx.text_hash(complaint_id)?;
    let st = decision::status(&ds, &text, now);
    Ok((ds, st))
}

fn base(p: &Actor, complaint_id: i64, sample_id: Option<i64>, kind: Kind, now: i64) -> NewDecision {
    NewDecision {
        complaint_id,
        sample_id,
        kind,
        actor: p.login.clone(),
        actor_name: p.name.clone(),
        actor_title: p.title.clone(),
        at: now,
        statement: None,
        reasons: None,
        note: None,
        due_at: None,
        body: None,
        retracts: None,
    }
}

/// An executive signs the company's response.
pub(crate) fn approve_in(
    tx: &mut dyn DecisionTx,
    p: &Actor,
    signer: &dyn RecordSigner,
    complaint_id: i64,
    note: Option<String>,
    now: i64,
) -> Result<Decision> {
    approve_allowed(p)?;
    let (ext, has_response) = check_scope(tx, p, complaint_id)?;
    if !has_response {
        return Err(WorkflowError::Conflict(format!(
            "{ext} has no company response to sign: push it back (no-response: no response to read) or wait for one"
        )));
    }
    let (_, st) = status_in(tx, complaint_id, now)?;
    if let Status::Signed { by, .. } = &st {
        return Err(WorkflowError::Conflict(format!(
            "{ext} is already signed by {by}, and its text has not changed since"
        )));
    }
    let sample = tx.sample_of(complaint_id)?;
    let mut d = base(p, complaint_id, sample, Kind::Approve, now);
    d.statement = Some(signature_statement(&p.name, &p.title));
    d.note = note.filter(|n| !n.trim().is_empty());
    let rec = tx.append(d, signer)?;
    tx.queue_letter(complaint_id, rec.id, &p.login, now)?;
    Ok(rec)
}

/// An executive pushes the response back to its division.
#[allow(clippy::too_many_arguments)]
pub(crate) fn push_back_in(
    tx: &mut dyn DecisionTx,
    p: &Actor,
    signer: &dyn RecordSigner,
    complaint_id: i64,
    reasons: &[String],
    note: &str,
    due_at: i64,
    now: i64,
) -> Result<Decision> {
    let (ext, _) = check_scope(tx, p, complaint_id)?;
    let (_, st) = status_in(tx, complaint_id, now)?;
    if let Status::PushedBack { .. } = st {
        return Err(WorkflowError::Conflict(format!(
            "{ext} is already pushed back and waiting for its division's answer"
        )));
    }
    let sample = tx.sample_of(complaint_id)?;
    let mut d = base(p, complaint_id, sample, Kind::PushBack, now);
    d.reasons = Some(reasons.join(","));
    d.note = Some(note.trim().to_string());
    d.due_at = Some(due_at);
    tx.append(d, signer)
}

/// Checks that the person may sign before any store is touched.
pub(crate) fn approve_allowed(p: &Actor) -> Result<()> {
    need(p, &[Role::Executive], "sign a response")
}

/// Checks a push-back's person and content before any store is touched.
pub(crate) fn push_back_allowed(p: &Actor, reasons: &[String], note: &str) -> Result<()> {
    need(p, &[Role::Executive], "push a response back")?;
    if reasons.is_empty() || note.trim().is_empty() {
        return Err(WorkflowError::Conflict(
            "a push-back needs at least one reason and a note".into(),
        ));
    }
    Ok(())
}

/// Checks an answer's person and content before any store is touched.
pub(crate) fn answer_allowed(p: &Actor, kind: Kind, body: &str) -> Result<()> {
    need(p, &[Role::DivisionHead], "answer a push-back")?;
    if !kind.is_answer() {
        return Err(WorkflowError::Conflict(format!(
            "{} is not an answer",
            kind.as_str()
        )));
    }
    if body.trim().is_empty() {
        return Err(WorkflowError::Conflict("the answer is empty".into()));
    }
    Ok(())
}

/// A division head answers a push-back on one of their divisions.
pub(crate) fn answer_in(
    tx: &mut dyn DecisionTx,
    p: &Actor,
    signer: &dyn RecordSigner,
    complaint_id: i64,
    kind: Kind,
    body: &str,
    now: i64,
) -> Result<Decision> {
    answer_allowed(p, kind, body)?;
    let (ext, _) = check_scope(tx, p, complaint_id)?;
    let (_, st) = status_in(tx, complaint_id, now)?;
    if !matches!(st, Status::PushedBack { .. }) {
        return Err(WorkflowError::Conflict(format!(
            "{ext} has no open push-back to answer (it is {})",
            st.label()
        )));
    }
    if kind == Kind::Revise {
        tx.revise_response(complaint_id, body.trim_end(), &p.name, now)?;
    }
    let sample = tx.sample_of(complaint_id)?;
    let mut d = base(p, complaint_id, sample, kind, now);
    d.body = Some(body.trim_end().to_string());
    let rec = tx.append(d, signer)?;
    // The complaint's flags say what the answer changed (a revised response is no longer late,
    // nor the same canned reply) from now on, not from the next refresh.
    tx.answered(complaint_id, now)?;
    Ok(rec)
}

/// A person retracts a decision of their own.
pub(crate) fn retract_in(
    tx: &mut dyn DecisionTx,
    p: &Actor,
    signer: &dyn RecordSigner,
    decision_id: i64,
    now: i64,
) -> Result<Decision> {
    let target = tx
        .decision(decision_id)?
        .ok_or_else(|| WorkflowError::Conflict(format!("no decision {decision_id}")))?;
    if target.actor != p.login {
        return Err(WorkflowError::Refused(format!(
            "decision {} was made by {}: only they may retract it",
            target.id, target.actor_name
        )));
    }
    if target.kind == Kind::Retract {
        return Err(WorkflowError::Conflict(
            "a retraction cannot itself be retracted".into(),
        ));
    }
    if target.kind == Kind::Revise {
        return Err(WorkflowError::Conflict(
            "a revised response cannot be retracted: it was sent to the customer; revise it again instead".into(),
        ));
    }
    let ds = tx.decisions_of(target.complaint_id)?;
    if ds.iter().any(|d| d.retracts == Some(target.id)) {
        return Err(WorkflowError::Conflict(format!(
            "decision {} is already retracted",
            target.id
        )));
    }
    let mut d = base(p, target.complaint_id, target.sample_id, Kind::Retract, now);
    d.retracts = Some(target.id);
    tx.append(d, signer)
}

/// The SQLite store's answers, inside its IMMEDIATE write transaction.
struct SqliteTx<'a>(&'a Transaction<'a>);

impl DecisionTx for SqliteTx<'_> {
    fn head(&mut self, complaint_id: i64) -> Result<Option<(String, String, bool)>> {
        Ok(self
            .0
            .query_row(
                "SELECT division, external_id, coalesce(trim(response_text), '') <> ''
                 FROM complaints WHERE id = ?1",
                [complaint_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    }
    fn decisions_of(&mut self, complaint_id: i64) -> Result<Vec<Decision>> {
        Ok(sd::for_complaint(self.0, complaint_id)?)
    }
    fn text_hash(&mut self, complaint_id: i64) -> Result<String> {
        Ok(sd::current_text_hash(self.0, complaint_id)?)
    }
    fn sample_of(&mut self, complaint_id: i64) -> Result<Option<i64>> {
        Ok(samples::sample_of(self.0, complaint_id)?)
    }
    fn decision(&mut self, id: i64) -> Result<Option<Decision>> {
        Ok(sd::by_id(self.0, id)?)
    }
    fn revise_response(&mut self, complaint_id: i64, text: &str, by: &str, at: i64) -> Result<()> {
        Ok(sd::revise_response(self.0, complaint_id, text, by, at)?)
    }
    fn append(&mut self, d: NewDecision, signer: &dyn RecordSigner) -> Result<Decision> {
        Ok(sd::append(self.0, d, signer)?)
    }
    fn queue_letter(
        &mut self,
        complaint_id: i64,
        decision_id: i64,
        author: &str,
        at: i64,
    ) -> Result<()> {
        Ok(super::outbox::queue_letter(
            self.0,
            complaint_id,
            decision_id,
            author,
            at,
        )?)
    }
    fn answered(&mut self, complaint_id: i64, now: i64) -> Result<()> {
        super::flag_update::touch(self.0, &[complaint_id], now)?;
        Ok(())
    }
}

impl Db {
    /// A complaint's decisions and its status now.
    pub fn status_of(&self, complaint_id: i64, now: i64) -> Result<(Vec<Decision>, Status)> {
        let ds = sd::for_complaint(&self.conn, complaint_id)?;
        let text = sd::current_text_hash(&self.conn, complaint_id)?;
        let st = decision::status(&ds, &text, now);
        Ok((ds, st))
    }

    /// Runs one decision in an IMMEDIATE transaction, committed when it succeeds.
    fn decide<T>(&mut self, f: impl FnOnce(&mut dyn DecisionTx) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&mut SqliteTx(&tx))?;
        tx.commit()?;
        Ok(out)
    }

    pub fn approve(
        &mut self,
        p: &Actor,
        signer: &dyn RecordSigner,
        complaint_id: i64,
        note: Option<String>,
        now: i64,
    ) -> Result<Decision> {
        approve_allowed(p)?;
        self.decide(|tx| approve_in(tx, p, signer, complaint_id, note, now))
    }

    // Who, with which key, on what, why, by when, and at what time: each is one of its own.
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
        push_back_allowed(p, reasons, note)?;
        self.decide(|tx| push_back_in(tx, p, signer, complaint_id, reasons, note, due_at, now))
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
        answer_allowed(p, kind, body)?;
        self.decide(|tx| answer_in(tx, p, signer, complaint_id, kind, body, now))
    }

    pub fn retract(
        &mut self,
        p: &Actor,
        signer: &dyn RecordSigner,
        decision_id: i64,
        now: i64,
    ) -> Result<Decision> {
        self.decide(|tx| retract_in(tx, p, signer, decision_id, now))
    }
}
