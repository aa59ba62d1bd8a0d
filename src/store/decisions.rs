//! Appending decisions to the chain and reading them back.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::domain::complaint::signed_text_hash;
use crate::domain::decision::{Decision, Kind, GENESIS};
use crate::domain::pack::ChainEnd;
use crate::domain::signing::RecordSigner;
use crate::domain::thread::{Author, Message};

/// A decision before it is stored: the store fills in id, text hash and the chain.
#[derive(Debug, Clone)]
pub struct NewDecision {
    pub complaint_id: i64,
    pub sample_id: Option<i64>,
    pub kind: Kind,
    pub actor: String,
    pub actor_name: String,
    pub actor_title: String,
    pub at: i64,
    pub statement: Option<String>,
    pub reasons: Option<String>,
    pub note: Option<String>,
    pub due_at: Option<i64>,
    pub body: Option<String>,
    pub retracts: Option<i64>,
}

impl NewDecision {
    /// The record as it is chained and signed, whichever store keeps it: the hash of the
    /// thread it covers, the end of the chain it links to, its own hash and the signature over
    /// its canonical form. The store gives it its id.
    pub fn sealed(
        self,
        text_hash: String,
        prev_hash: String,
        signer: &dyn RecordSigner,
    ) -> Result<Decision, AppendError> {
        let mut rec = Decision {
            id: 0,
            complaint_id: self.complaint_id,
            sample_id: self.sample_id,
            kind: self.kind,
            actor: self.actor,
            actor_name: self.actor_name,
            actor_title: self.actor_title,
            at: self.at,
            statement: self.statement,
            reasons: self.reasons,
            note: self.note,
            due_at: self.due_at,
            body: self.body,
            retracts: self.retracts,
            text_hash,
            prev_hash,
            hash: String::new(),
            signature: None,
        };
        rec.hash = rec.compute_hash();
        rec.signature = signer.sign(&rec.canonical()).map_err(AppendError::Sign)?;
        Ok(rec)
    }
}

const COLUMNS: &str = "id, complaint_id, sample_id, kind, actor, actor_name, actor_title, at, \
    statement, reasons, note, due_at, body, retracts, text_hash, prev_hash, hash, signature";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Decision> {
    let kind: String = r.get(3)?;
    Ok(Decision {
        id: r.get(0)?,
        complaint_id: r.get(1)?,
        sample_id: r.get(2)?,
        kind: Kind::parse(&kind).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                3,
                rusqlite::types::Type::Text,
                format!("unknown decision kind {kind:?}").into(),
            )
        })?,
        actor: r.get(4)?,
        actor_name: r.get(5)?,
        actor_title: r.get(6)?,
        at: r.get(7)?,
        statement: r.get(8)?,
        reasons: r.get(9)?,
        note: r.get(10)?,
        due_at: r.get(11)?,
        body: r.get(12)?,
        retracts: r.get(13)?,
        text_hash: r.get(14)?,
        prev_hash: r.get(15)?,
        hash: r.get(16)?,
        signature: r.get(17)?,
    })
}

/// The hash of the thread a complaint holds now, as a sign-off records it
/// (`domain::thread::signed_hash`).
pub fn current_text_hash(conn: &Connection, complaint_id: i64) -> rusqlite::Result<String> {
    let (text, response, threaded): (String, Option<String>, bool) = conn
        .prepare_cached(
            "SELECT complaint_text, response_text, message_count IS NOT NULL
             FROM complaints WHERE id = ?1",
        )?
        .query_row(params![complaint_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    if threaded {
        let messages = super::threads::stored(conn, complaint_id)?;
        return Ok(crate::domain::thread::hash_messages(&messages));
    }
    Ok(signed_text_hash(&text, response.as_deref()))
}

/// Why a decision could not be appended.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error("{0}")]
    Store(#[from] super::StoreError),
    #[error("cannot sign: {0}")]
    Sign(String),
    /// The row did not land although SQLite reported no error: something in the store (a
    /// trigger signoff did not create) swallowed it.
    #[error("the store did not keep the record it was given ({0}): something in it that signoff did not create (a trigger?) swallowed it — run `signoff verify`")]
    Swallowed(String),
}

impl From<rusqlite::Error> for AppendError {
    fn from(e: rusqlite::Error) -> Self {
        AppendError::Store(e.into())
    }
}

/// Appends a decision, chained to the last one and signed by `signer`. Call inside an IMMEDIATE
/// transaction so no other writer can slip a link in between.
pub fn append(
    tx: &Transaction,
    d: NewDecision,
    signer: &dyn RecordSigner,
) -> Result<Decision, AppendError> {
    let prev: String = tx
        .query_row(
            "SELECT hash FROM decisions ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(|| GENESIS.to_string());
    let text_hash = current_text_hash(tx, d.complaint_id)?;
    let mut rec = d.sealed(text_hash, prev, signer)?;
    tx.execute(
        "INSERT INTO decisions (complaint_id, sample_id, kind, actor, actor_name, actor_title, at,
             statement, reasons, note, due_at, body, retracts, text_hash, prev_hash, hash, signature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        params![
            rec.complaint_id,
            rec.sample_id,
            rec.kind.as_str(),
            rec.actor,
            rec.actor_name,
            rec.actor_title,
            rec.at,
            rec.statement,
            rec.reasons,
            rec.note,
            rec.due_at,
            rec.body,
            rec.retracts,
            rec.text_hash,
            rec.prev_hash,
            rec.hash,
            rec.signature
        ],
    )?;
    rec.id = tx.last_insert_rowid();
    let kept: Option<String> = tx
        .query_row(
            "SELECT hash FROM decisions WHERE id = ?1",
            params![rec.id],
            |r| r.get(0),
        )
        .optional()?;
    if kept.as_deref() != Some(rec.hash.as_str()) {
        return Err(AppendError::Swallowed(format!(
            "{} on complaint {}",
            rec.kind.as_str(),
            rec.complaint_id
        )));
    }
    Ok(rec)
}

pub fn for_complaint(conn: &Connection, complaint_id: i64) -> rusqlite::Result<Vec<Decision>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM decisions WHERE complaint_id = ?1 ORDER BY id"
    ))?;
    let rows = st.query_map(params![complaint_id], from_row)?;
    rows.collect()
}

/// The end of the decision chain (`table` "decisions") or of the CAR steps' ("car_events").
pub fn chain_end(conn: &Connection, table: ChainTable) -> rusqlite::Result<Option<ChainEnd>> {
    let sql = match table {
        ChainTable::Decisions => {
            "SELECT (SELECT count(*) FROM decisions), id, hash FROM decisions ORDER BY id DESC LIMIT 1"
        }
        ChainTable::CarSteps => {
            "SELECT (SELECT count(*) FROM car_events), id, hash FROM car_events ORDER BY id DESC LIMIT 1"
        }
    };
    conn.query_row(sql, [], |r| {
        Ok(ChainEnd {
            records: r.get(0)?,
            id: r.get(1)?,
            hash: r.get(2)?,
        })
    })
    .optional()
}

#[derive(Debug, Clone, Copy)]
pub enum ChainTable {
    Decisions,
    CarSteps,
}

/// Every decision in chain order, for `verify`.
pub fn all(conn: &Connection) -> rusqlite::Result<Vec<Decision>> {
    let mut st = conn.prepare(&format!("SELECT {COLUMNS} FROM decisions ORDER BY id"))?;
    let rows = st.query_map([], from_row)?;
    rows.collect()
}

pub fn by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Decision>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM decisions WHERE id = ?1"),
        params![id],
        from_row,
    )
    .optional()
}

/// Replaces a complaint's response with a revised text, keeping the earlier one in history.
pub fn revise_response(
    tx: &Transaction,
    complaint_id: i64,
    text: &str,
    by: &str,
    at: i64,
) -> rusqlite::Result<()> {
    super::complaints::keep_history(tx, complaint_id, at, "revision", None)?;
    super::complaints::fts_delete(tx, complaint_id)?;
    let mut messages = super::threads::stored(tx, complaint_id)?;
    if messages.is_empty() {
        // The row is the thread: the revision replaces its response.
        tx.execute(
            "UPDATE complaints SET response_text = ?2, responded_at = ?3, responder = ?4
             WHERE id = ?1",
            params![complaint_id, text, at, by],
        )?;
    } else {
        // A stored thread gains the revised answer as the company's latest message; the row's
        // response stays the company's messages in order.
        let channel = messages.last().and_then(|m| m.channel.clone());
        messages.push(Message {
            id: None,
            author: Author::Company,
            name: Some(by.to_string()),
            at: Some(at),
            channel,
            text: text.to_string(),
        });
        super::threads::replace(tx, complaint_id, &messages)?;
        let company: Vec<&str> = messages
            .iter()
            .filter(|m| m.author == Author::Company)
            .map(|m| m.text.as_str())
            .collect();
        tx.execute(
            "UPDATE complaints SET response_text = ?2, message_count = ?3,
                 responded_at = coalesce(responded_at, ?4), responder = coalesce(responder, ?5)
             WHERE id = ?1",
            params![
                complaint_id,
                company.join("\n\n"),
                messages.len() as i64,
                at,
                by
            ],
        )?;
    }
    let (subject, complaint, response): (Option<String>, String, Option<String>) = tx.query_row(
        "SELECT subject, complaint_text, response_text FROM complaints WHERE id = ?1",
        params![complaint_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    super::complaints::fts_insert(
        tx,
        complaint_id,
        subject.as_deref(),
        &complaint,
        response.as_deref(),
    )
}

/// How the complaint's text last changed, if it did: (cause, when).
pub fn last_text_change(
    conn: &Connection,
    complaint_id: i64,
) -> rusqlite::Result<Option<(String, i64)>> {
    conn.query_row(
        "SELECT cause, replaced_at FROM complaint_history WHERE complaint_id = ?1 ORDER BY id DESC LIMIT 1",
        params![complaint_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}
