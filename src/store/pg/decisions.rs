//! Appending a decision to the PostgreSQL store's chain: the same record, hash and signature as
//! in SQLite (`domain::decision`), linked to the chain's end under the chain's lock, and
//! checked by the server (`signoff_chain_link`, row-level security) as it is inserted.

use postgres::{GenericClient, Row, Transaction};

use crate::domain::decision::{Decision, Kind};
use crate::domain::signing::RecordSigner;
use crate::store::decisions::NewDecision;

use super::{describe, PgError, PgStore};

/// Why a decision was not appended.
#[derive(Debug, thiserror::Error)]
pub enum PgAppendError {
    /// The server refused it to the person who connected (their role or division).
    #[error("the store refused it: {0}")]
    Refused(String),
    #[error("the complaint {0} is not in the store, or not yours to see")]
    NoComplaint(i64),
    #[error("cannot sign: {0}")]
    Sign(String),
    #[error("{0}")]
    Store(#[from] PgError),
}

/// A server error as an append's error: a refusal by the rights or the row-level security is
/// said as one.
pub(super) fn append_failed(url: &str, e: postgres::Error) -> PgAppendError {
    let refused = e.as_db_error().is_some_and(|db| {
        matches!(db.code().code(), "42501" | "42P17") || db.message().contains("row-level")
    });
    if refused {
        PgAppendError::Refused(describe(&e))
    } else {
        PgAppendError::Store(PgError {
            url: url.to_string(),
            message: describe(&e),
        })
    }
}

/// The columns [`decision_from_row`] reads, in its order.
pub(super) const DECISION_COLUMNS: &str = "id, complaint_id, sample_id, kind, actor, actor_name, \
    actor_title, at, statement, reasons, note, due_at, body, retracts, text_hash, prev_hash, \
    hash, signature";

/// A decision from a row of [`DECISION_COLUMNS`].
pub(super) fn decision_from_row(url: &str, r: &Row) -> Result<Decision, PgError> {
    let kind: String = r.get(3);
    let Some(kind) = Kind::parse(&kind) else {
        return Err(PgError {
            url: url.to_string(),
            message: format!("decision {}: unknown kind {kind:?}", r.get::<_, i64>(0)),
        });
    };
    Ok(Decision {
        id: r.get(0),
        complaint_id: r.get(1),
        sample_id: r.get(2),
        kind,
        actor: r.get(4),
        actor_name: r.get(5),
        actor_title: r.get(6),
        at: r.get(7),
        statement: r.get(8),
        reasons: r.get(9),
        note: r.get(10),
        due_at: r.get(11),
        body: r.get(12),
        retracts: r.get(13),
        text_hash: r.get(14),
        prev_hash: r.get(15),
        hash: r.get(16),
        signature: r.get(17),
    })
}

/// Decisions read with `WHERE …` (and its parameters), in chain order.
pub(super) fn decisions_where(
    c: &mut impl GenericClient,
    url: &str,
    condition: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
) -> Result<Vec<Decision>, PgError> {
    let sql = format!("SELECT {DECISION_COLUMNS} FROM decisions {condition} ORDER BY id");
    super::read_rows(c, url, &sql, params, decision_from_row)
}

/// Appends a decision inside the caller's transaction, covering the thread whose hash is
/// `text_hash`: takes the chain's lock, links to its end, seals, inserts.
pub(super) fn append_in(
    tx: &mut Transaction,
    url: &str,
    d: NewDecision,
    text_hash: String,
    signer: &dyn RecordSigner,
) -> Result<Decision, PgAppendError> {
    let fail = |e: postgres::Error| append_failed(url, e);
    // The same lock the server's link check takes: nobody appends between the read of the
    // end and the insert.
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('signoff chain decisions'))",
        &[],
    )
    .map_err(fail)?;
    let prev: String = tx
        .query_one("SELECT hash FROM signoff_chain_end('decisions')", &[])
        .map_err(fail)?
        .get(0);
    let mut rec = d.sealed(text_hash, prev, signer).map_err(|e| match e {
        crate::store::decisions::AppendError::Sign(m) => PgAppendError::Sign(m),
        other => PgAppendError::Sign(other.to_string()),
    })?;
    let kind = rec.kind.as_str();
    rec.id = tx
        .query_one(
            "INSERT INTO decisions (complaint_id, sample_id, kind, actor, actor_name,
                 actor_title, at, statement, reasons, note, due_at, body, retracts, text_hash,
                 prev_hash, hash, signature)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
             RETURNING id",
            &[
                &rec.complaint_id,
                &rec.sample_id,
                &kind,
                &rec.actor,
                &rec.actor_name,
                &rec.actor_title,
                &rec.at,
                &rec.statement,
                &rec.reasons,
                &rec.note,
                &rec.due_at,
                &rec.body,
                &rec.retracts,
                &rec.text_hash,
                &rec.prev_hash,
                &rec.hash,
                &rec.signature,
            ],
        )
        .map_err(fail)?
        .get(0);
    Ok(rec)
}

impl PgStore {
    /// Appends a decision, chained to the end of the chain and signed by `signer`, in a
    /// transaction of its own.
    pub fn append_decision(
        &mut self,
        d: NewDecision,
        signer: &dyn RecordSigner,
    ) -> Result<Decision, PgAppendError> {
        let url = self.url.clone();
        let mut tx = self
            .client
            .transaction()
            .map_err(|e| append_failed(&url, e))?;
        let text_hash = super::text::text_hash(&mut tx, d.complaint_id)
            .map_err(|e| append_failed(&url, e))?
            .ok_or(PgAppendError::NoComplaint(d.complaint_id))?;
        let rec = append_in(&mut tx, &url, d, text_hash, signer)?;
        tx.commit().map_err(|e| append_failed(&url, e))?;
        Ok(rec)
    }

    /// The decisions this connection may read, in chain order.
    pub fn decisions(&mut self) -> Result<Vec<Decision>, PgError> {
        decisions_where(&mut self.client, &self.url, "", &[])
    }
}
