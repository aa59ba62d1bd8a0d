//! The decision workflow, shared by the command line and the review screen: who may do what,
//! in which state, each in one short write transaction.

use rusqlite::{Connection, TransactionBehavior};

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

/// Division heads act only on their own divisions.
fn check_scope(conn: &Connection, p: &Actor, complaint_id: i64) -> Result<String> {
    let (division, ext): (String, String) = conn.query_row(
        "SELECT division, external_id FROM complaints WHERE id = ?1",
        [complaint_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if p.role == Role::DivisionHead && !p.divisions.contains(&division) {
        return Err(WorkflowError::Refused(format!(
            "{ext} belongs to {division}, which is not among your divisions ({})",
            p.divisions.join(", ")
        )));
    }
    Ok(ext)
}

pub(crate) fn status_of(
    conn: &Connection,
    complaint_id: i64,
    now: i64,
) -> Result<(Vec<Decision>, Status)> {
    let ds = sd::for_complaint(conn, complaint_id)?;
    let text = sd::current_text_hash(conn, complaint_id)?;
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

/// Whether the complaint holds a company response to read: a signature vouches for one, and a
/// regulator's outcome (a status, not a message) is none.
fn has_response(conn: &Connection, complaint_id: i64) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT coalesce(trim(response_text), '') <> '' FROM complaints WHERE id = ?1",
        [complaint_id],
        |r| r.get(0),
    )?)
}

impl Db {
    /// A complaint's decisions and its status now.
    pub fn status_of(&self, complaint_id: i64, now: i64) -> Result<(Vec<Decision>, Status)> {
        status_of(&self.conn, complaint_id, now)
    }

    pub fn approve(
        &mut self,
        p: &Actor,
        signer: &dyn RecordSigner,
        complaint_id: i64,
        note: Option<String>,
        now: i64,
    ) -> Result<Decision> {
        need(p, &[Role::Executive], "sign a response")?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ext = check_scope(&tx, p, complaint_id)?;
        if !has_response(&tx, complaint_id)? {
            return Err(WorkflowError::Conflict(format!(
                "{ext} has no company response to sign: push it back (no-response: no response to read) or wait for one"
            )));
        }
        let (_, st) = status_of(&tx, complaint_id, now)?;
        if let Status::Signed { by, .. } = &st {
            return Err(WorkflowError::Conflict(format!(
                "{ext} is already signed by {by}, and its text has not changed since"
            )));
        }
        let mut d = base(
            p,
            complaint_id,
            samples::sample_of(&tx, complaint_id)?,
            Kind::Approve,
            now,
        );
        d.statement = Some(signature_statement(&p.name, &p.title));
        d.note = note.filter(|n| !n.trim().is_empty());
        let rec = sd::append(&tx, d, signer)?;
        // The letter that carries the signature to the customer waits in the outbox from now on.
        super::outbox::queue_letter(&tx, complaint_id, rec.id, &p.login, now)?;
        tx.commit()?;
        Ok(rec)
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
        need(p, &[Role::Executive], "push a response back")?;
        if reasons.is_empty() || note.trim().is_empty() {
            return Err(WorkflowError::Conflict(
                "a push-back needs at least one reason and a note".into(),
            ));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ext = check_scope(&tx, p, complaint_id)?;
        let (_, st) = status_of(&tx, complaint_id, now)?;
        if let Status::PushedBack { .. } = st {
            return Err(WorkflowError::Conflict(format!(
                "{ext} is already pushed back and waiting for its division's answer"
            )));
        }
        let mut d = base(
            p,
            complaint_id,
            samples::sample_of(&tx, complaint_id)?,
            Kind::PushBack,
            now,
        );
        d.reasons = Some(reasons.join(","));
        d.note = Some(note.trim().to_string());
        d.due_at = Some(due_at);
        let rec = sd::append(&tx, d, signer)?;
        tx.commit()?;
        Ok(rec)
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
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ext = check_scope(&tx, p, complaint_id)?;
        let (_, st) = status_of(&tx, complaint_id, now)?;
        if !matches!(st, Status::PushedBack { .. }) {
            return Err(WorkflowError::Conflict(format!(
                "{ext} has no open push-back to answer (it is {})",
                st.label()
            )));
        }
        if kind == Kind::Revise {
            sd::revise_response(&tx, complaint_id, body.trim_end(), &p.name, now)?;
        }
        let mut d = base(
            p,
            complaint_id,
            samples::sample_of(&tx, complaint_id)?,
            kind,
            now,
        );
        d.body = Some(body.trim_end().to_string());
        let rec = sd::append(&tx, d, signer)?;
        // The complaint's flags say what the answer changed (a revised response is no longer late,
        // nor the same canned reply) from now on, not from the next refresh.
        super::flag_update::touch(&tx, &[complaint_id], now)?;
        tx.commit()?;
        Ok(rec)
    }

    pub fn retract(
        &mut self,
        p: &Actor,
        signer: &dyn RecordSigner,
        decision_id: i64,
        now: i64,
    ) -> Result<Decision> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let target = sd::by_id(&tx, decision_id)?
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
        let ds = sd::for_complaint(&tx, target.complaint_id)?;
        if ds.iter().any(|d| d.retracts == Some(target.id)) {
            return Err(WorkflowError::Conflict(format!(
                "decision {} is already retracted",
                target.id
            )));
        }
        let mut d = base(p, target.complaint_id, target.sample_id, Kind::Retract, now);
        d.retracts = Some(target.id);
        let rec = sd::append(&tx, d, signer)?;
        tx.commit()?;
        Ok(rec)
    }
}
