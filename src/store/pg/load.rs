//! Loading an import into the PostgreSQL store: the records stream into staging tables with
//! `COPY` (binary), a chunk at a time, and one statement per table merges them into the store,
//! all in one transaction with the import's provenance.
//!
//! ```text
//! let mut loader = store.loader(accept_degraded, wait)?;  // the import lock, staging tables
//! loader.prefetch(keys)?;                  // for each batch: what the store holds
//! loader.write(&complaint, &hash, line)?;  // for each record: what becomes of it
//! loader.commit(&meta, rows)?;             // merge, provenance, commit
//! ```
//!
//! What becomes of each record is known when it is written, as on SQLite: the store's hash of
//! its key (looked up a batch at a time) tells a new row from a changed or an unchanged one.
//! Within one file, the first row of a key is kept and the later ones are duplicates: the
//! loader keeps a 16-byte digest of each key it has seen, not the rows. A row whose content
//! is unchanged is not staged nor rewritten (under MVCC a rewrite costs as much as an insert),
//! unless it carries another customer key, which it takes as on SQLite;
//! a changed one has its earlier text kept in `complaint_history` and its thread replaced; one
//! whose new text is a damaged copy of the stored one is held back unless the load accepts it.

use std::collections::HashMap;
use std::time::Duration;

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::error::SqlState;
use postgres::types::{ToSql, Type};
use postgres::Transaction;
use sha2::{Digest, Sha256};

use super::decisions::PgAppendError;
use super::{PgError, PgStore};
use crate::domain::complaint::Outcome;
use crate::domain::degrade::damaged_complaint;
use crate::domain::thread::{Author, Message};
use crate::domain::{customer, Complaint};
use crate::store::car_rules::AfterImport;
use crate::store::complaints::Upsert;
use crate::store::flags::CheckSettings;
use crate::store::rule_sets::PhraseRule;

/// The import's provenance, as the store keeps it.
#[derive(Debug, Clone)]
pub struct PgImportMeta<'a> {
    pub source: &'a str,
    pub profile: &'a str,
    pub file_name: &'a str,
    pub file_size: u64,
    pub encoding: &'a str,
    pub delimiter: &'a str,
    /// Unix seconds.
    pub started_at: i64,
    pub rows_read: u64,
    pub rejected: u64,
    pub rejects_file: Option<&'a str>,
    /// Roll back instead of committing.
    pub dry_run: bool,
}

/// What a load did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PgLoadCounts {
    pub import_id: i64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Rows repeating a key seen earlier in the same file.
    pub duplicates: u64,
    /// Updates held back: their text looked like a damaged copy of the stored text.
    pub degraded: u64,
}

/// One record of an import: the complaint, its content hash and the line it came from.
pub struct PgRecord<'a> {
    pub complaint: &'a Complaint,
    pub hash: [u8; 32],
    pub line: u64,
}

/// Rows from which a load counts as bulk (when it is also half the store or more).
const BULK_ROWS: i64 = 10_000;

/// Serialises imports into one store ("IMPORTS").
const IMPORT_LOCK: i64 = 0x0049_4d50_4f52_5453;

const STAGE: &str = "
CREATE TEMP TABLE stage (
    line BIGINT, source TEXT, external_id TEXT, received_at BIGINT, channel TEXT, customer TEXT,
    contact TEXT, division TEXT, product TEXT, subject TEXT, complaint_text TEXT,
    response_text TEXT, responded_at BIGINT, responder TEXT, likelihood SMALLINT,
    wants_contact BOOLEAN, content_hash BYTEA, text_from_fields BOOLEAN, outcome_response TEXT,
    outcome_public_response TEXT, outcome_timely BOOLEAN, outcome_disputed BOOLEAN,
    customer_key TEXT, customer_no BIGINT, message_count INTEGER
) ON COMMIT DROP;
CREATE TEMP TABLE stage_messages (
    line BIGINT, seq INTEGER, ext_id TEXT, author TEXT, name TEXT, at BIGINT, channel TEXT,
    text TEXT
) ON COMMIT DROP;";

const STAGE_TYPES: &[Type] = &[
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
    Type::TEXT,
    Type::INT2,
    Type::BOOL,
    Type::BYTEA,
    Type::BOOL,
    Type::TEXT,
    Type::TEXT,
    Type::BOOL,
    Type::BOOL,
    Type::TEXT,
    Type::INT8,
    Type::INT4,
];

const MESSAGE_TYPES: &[Type] = &[
    Type::INT8,
    Type::INT4,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
];

const COLUMNS: &str = "source, external_id, received_at, channel, customer, contact, division,
    product, subject, complaint_text, response_text, responded_at, responder, likelihood,
    wants_contact, content_hash, text_from_fields, outcome_response, outcome_public_response,
    outcome_timely, outcome_disputed, customer_key, customer_no, message_count";

/// The stored complaint's columns, as [`complaint_of`] reads them from `at` on.
const STORED_COLUMNS: &str = "source, external_id, received_at, channel, customer, contact,
    customer_key, division, product, subject, complaint_text, response_text, responded_at,
    responder, likelihood, wants_contact, text_from_fields, outcome_response,
    outcome_public_response, outcome_timely, outcome_disputed";

/// Rows staged at once: one `COPY` each.
const CHUNK_ROWS: usize = 2_000;
/// Text staged at once, roughly, in bytes: a chunk of long rows is copied sooner.
const CHUNK_BYTES: usize = 32 << 20;

/// Why a load stopped: the server refused the login (a role that may not import), or anything
/// else. Nothing of the load is kept either way.
#[derive(Debug, thiserror::Error)]
pub enum PgLoadError {
    #[error("{0}")]
    Refused(PgError),
    #[error("{0}")]
    Failed(PgError),
}

impl From<PgLoadError> for PgError {
    fn from(e: PgLoadError) -> PgError {
        match e {
            PgLoadError::Refused(e) | PgLoadError::Failed(e) => e,
        }
    }
}

/// What the imports row records of an import's rows, when its rows are not its complaints one
/// for one (a threaded export counts the rows of each conversation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PgRowCounts {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub degraded: u64,
}

/// A record written and not yet staged.
struct Pending {
    line: i64,
    complaint: Complaint,
    hash: [u8; 32],
}

/// What the store holds under a key about to be written.
enum Held {
    Absent,
    Stored {
        id: i64,
        hash: Vec<u8>,
        customer_key: Option<String>,
        /// The stored complaint, read when its text may be replaced by a damaged copy.
        complaint: Option<Box<Complaint>>,
    },
}

/// What the load did to the complaints written so far.
#[derive(Debug, Default)]
struct Tally {
    inserted: u64,
    updated: u64,
    unchanged: u64,
    degraded: u64,
    duplicates: u64,
}

/// One import's load into the store, in one transaction; see the module's documentation.
/// Dropped without [`PgLoader::commit`], it keeps nothing.
pub struct PgLoader<'c> {
    tx: Transaction<'c>,
    url: String,
    accept_degraded: bool,
    pending: Vec<Pending>,
    pending_bytes: usize,
    /// A digest of each key written, with the line it was first written from.
    seen: HashMap<[u8; 16], u64>,
    /// What the store holds under the keys of the batch being written.
    held: HashMap<(String, String), Held>,
    /// Stored complaints left as they are whose rows carry another customer key: (id, key).
    rekeys: Vec<(i64, String)>,
    tally: Tally,
    /// The phrase rules whose matches the load keeps for sampling, beside those the store keeps.
    phrase_rules: Vec<PhraseRule>,
    /// The rules that open CARs for what the load writes (none: it opens none).
    car_rules: Option<AfterImport>,
    /// The checks' settings, the login and the moment the flags are brought up to date with
    /// when the load commits (none: they are left as they are).
    checks: Option<(CheckSettings, String, i64)>,
}

impl PgStore {
    /// Begins a load: takes the import lock, waiting for another import at most `wait` (None:
    /// as long as it takes), and makes the staging tables. A login that may not import is
    /// refused here ([`PgLoadError::Refused`]). `accept_degraded`: apply updates whose text
    /// looks like a damaged copy of the stored text instead of holding them back.
    pub fn loader(
        &mut self,
        accept_degraded: bool,
        wait: Option<Duration>,
    ) -> Result<PgLoader<'_>, PgLoadError> {
        let url = self.url.clone();
        let mut tx = self.client.transaction().map_err(|e| classify(&url, e))?;
        begin(&mut tx, wait).map_err(|e| match e.code() {
            Some(&SqlState::LOCK_NOT_AVAILABLE) => PgLoadError::Failed(PgError {
                url: url.clone(),
                message: "another import kept the store busy for longer than \
                          store.write_wait_secs allows: nothing was imported — try again when \
                          it has finished"
                    .into(),
            }),
            _ => classify(&url, e),
        })?;
        Ok(PgLoader {
            tx,
            url,
            accept_degraded,
            pending: Vec::new(),
            pending_bytes: 0,
            seen: HashMap::new(),
            held: HashMap::new(),
            rekeys: Vec::new(),
            tally: Tally::default(),
            phrase_rules: Vec::new(),
            car_rules: None,
            checks: None,
        })
    }

    /// Loads the records in one transaction; nothing is kept when any of it fails (or on a dry
    /// run). Every changed row is applied, damaged-looking or not. The records are read once,
    /// a chunk at a time.
    pub fn load<'r>(
        &mut self,
        meta: &PgImportMeta,
        records: impl IntoIterator<Item = PgRecord<'r>>,
    ) -> Result<PgLoadCounts, PgError> {
        self.load_keeping(meta, &[], records)
    }

    /// [`PgStore::load`], keeping the matches of these phrase rules (the configured phrases)
    /// besides those the store keeps already.
    pub fn load_keeping<'r>(
        &mut self,
        meta: &PgImportMeta,
        rules: &[PhraseRule],
        records: impl IntoIterator<Item = PgRecord<'r>>,
    ) -> Result<PgLoadCounts, PgError> {
        let mut loader = self.loader(true, None)?;
        loader.keep_phrase_rules(rules);
        let mut records = records.into_iter().peekable();
        while records.peek().is_some() {
            let chunk: Vec<PgRecord<'r>> = records.by_ref().take(CHUNK_ROWS).collect();
            loader.prefetch(chunk.iter().map(|r| (r.complaint, &r.hash)))?;
            for r in &chunk {
                loader.write(r.complaint, &r.hash, r.line)?;
            }
        }
        Ok(loader.commit(meta, None)?)
    }
}

impl PgLoader<'_> {
    /// Keeps the matches of these phrase rules (the configured phrases) when the load commits,
    /// besides those the store keeps already for other rules; see `phrase_sets`.
    pub fn keep_phrase_rules(&mut self, rules: &[PhraseRule]) {
        self.phrase_rules = rules.to_vec();
    }

    /// Opens CARs by these rules (`cars.open_when`) for the complaints the load inserts or
    /// changes, in the importer's name, when it commits.
    pub fn open_cars_by(&mut self, rules: &AfterImport) {
        self.car_rules = (!rules.rules.is_empty()).then(|| rules.clone());
    }

    /// Brings the checks up to date when the load commits, as `rules.checks` says (none: the
    /// load leaves them as they are).
    pub fn bring_checks_up_to_date(&mut self, rules: &AfterImport) {
        self.checks = rules
            .checks
            .clone()
            .map(|s| (s, rules.actor.clone(), rules.now));
    }

    /// Looks up what the store holds under the keys of the complaints about to be written, with
    /// their new content hashes: one query for the lot, and for changed ones, when damaged
    /// copies are held back, one for their stored text and one for their threads.
    pub fn prefetch<'k>(
        &mut self,
        keys: impl IntoIterator<Item = (&'k Complaint, &'k [u8; 32])>,
    ) -> Result<(), PgLoadError> {
        self.held.clear();
        self.look_up(keys)
    }

    /// [`PgLoader::prefetch`], keeping what was looked up before.
    fn look_up<'k>(
        &mut self,
        keys: impl IntoIterator<Item = (&'k Complaint, &'k [u8; 32])>,
    ) -> Result<(), PgLoadError> {
        let mut sources: Vec<&str> = Vec::new();
        let mut ids: Vec<&str> = Vec::new();
        let mut hashes: Vec<&[u8]> = Vec::new();
        let mut threaded: HashMap<(&str, &str), bool> = HashMap::new();
        for (c, h) in keys {
            if self.seen.contains_key(&key_digest(c)) {
                continue;
            }
            sources.push(&c.source);
            ids.push(&c.external_id);
            hashes.push(h);
            threaded.insert(
                (c.source.as_str(), c.external_id.as_str()),
                !c.messages.is_empty(),
            );
        }
        if ids.is_empty() {
            return Ok(());
        }
        let url = self.url.clone();
        let fail = |e| classify(&url, e);
        let rows = self
            .tx
            .query(
                "SELECT k.source, k.external_id, c.id, c.content_hash, c.customer_key,
                        c.content_hash <> k.hash
                 FROM unnest($1::text[], $2::text[], $3::bytea[]) AS k(source, external_id, hash)
                 JOIN complaints c ON c.source = k.source AND c.external_id = k.external_id",
                &[&sources, &ids, &hashes],
            )
            .map_err(fail)?;
        for (s, e) in sources.iter().zip(&ids) {
            self.held
                .insert((s.to_string(), e.to_string()), Held::Absent);
        }
        // Changed rows whose stored text is compared with the new: by id, with whether their
        // thread is compared too.
        let mut compare: HashMap<i64, (String, String, bool)> = HashMap::new();
        for r in &rows {
            let key: (String, String) = (r.get(0), r.get(1));
            if !self.accept_degraded && r.get::<_, bool>(5) {
                let with_thread = threaded
                    .get(&(key.0.as_str(), key.1.as_str()))
                    .copied()
                    .unwrap_or(false);
                compare.insert(r.get(2), (key.0.clone(), key.1.clone(), with_thread));
            }
            self.held.insert(
                key,
                Held::Stored {
                    id: r.get(2),
                    hash: r.get(3),
                    customer_key: r.get(4),
                    complaint: None,
                },
            );
        }
        if compare.is_empty() {
            return Ok(());
        }
        let wanted: Vec<i64> = compare.keys().copied().collect();
        let mut stored: HashMap<i64, Complaint> = HashMap::new();
        for r in self
            .tx
            .query(
                &format!("SELECT id, {STORED_COLUMNS} FROM complaints WHERE id = ANY($1)"),
                &[&wanted],
            )
            .map_err(fail)?
        {
            stored.insert(r.get(0), complaint_of(&r, 1));
        }
        let threads: Vec<i64> = compare
            .iter()
            .filter(|(_, (_, _, t))| *t)
            .map(|(id, _)| *id)
            .collect();
        if !threads.is_empty() {
            for r in self
                .tx
                .query(
                    "SELECT complaint_id, author, name, at, channel, text, ext_id FROM messages
                     WHERE complaint_id = ANY($1) ORDER BY complaint_id, seq",
                    &[&threads],
                )
                .map_err(fail)?
            {
                if let Some(c) = stored.get_mut(&r.get::<_, i64>(0)) {
                    c.messages.push(message_of(&r, 1));
                }
            }
        }
        for (id, c) in stored {
            let Some((s, e, _)) = compare.remove(&id) else {
                continue;
            };
            if let Some(Held::Stored { complaint, .. }) = self.held.get_mut(&(s, e)) {
                *complaint = Some(Box::new(c));
            }
        }
        Ok(())
    }

    /// Writes one complaint read on `line`: returns what becomes of it when the load commits.
    /// New and changed complaints are staged; the store's ids are given at the merge.
    pub fn write(
        &mut self,
        c: &Complaint,
        hash: &[u8; 32],
        line: u64,
    ) -> Result<Upsert, PgLoadError> {
        let digest = key_digest(c);
        if let Some(&first) = self.seen.get(&digest) {
            self.tally.duplicates += 1;
            return Ok(Upsert::Duplicate {
                first_line: first as i64,
            });
        }
        let key = (c.source.clone(), c.external_id.clone());
        let held = match self.held.remove(&key) {
            Some(h) => h,
            None => {
                // Not looked up with its batch (written on its own): looked up alone.
                self.look_up([(c, hash)])?;
                self.held.remove(&key).unwrap_or(Held::Absent)
            }
        };
        self.seen.insert(digest, line);
        let outcome = match held {
            Held::Absent => Upsert::Inserted,
            Held::Stored {
                id,
                hash: old,
                customer_key,
                complaint,
            } => {
                let outcome = if old.as_slice() == hash {
                    Upsert::Unchanged
                } else {
                    let damaged = complaint
                        .as_deref()
                        .filter(|_| !self.accept_degraded)
                        .and_then(|stored| damaged_complaint(stored, c));
                    match damaged {
                        Some((field, damage)) => Upsert::Degraded { field, damage },
                        None => Upsert::Updated,
                    }
                };
                // Left as it is, it still takes the row's customer key, as on SQLite.
                if let Some(key) = c
                    .customer_key
                    .as_ref()
                    .filter(|_| outcome != Upsert::Updated)
                {
                    if Some(key) != customer_key.as_ref() {
                        self.rekeys.push((id, key.clone()));
                    }
                }
                outcome
            }
        };
        match outcome {
            Upsert::Inserted => self.tally.inserted += 1,
            Upsert::Updated => self.tally.updated += 1,
            Upsert::Unchanged => self.tally.unchanged += 1,
            Upsert::Degraded { .. } => self.tally.degraded += 1,
            Upsert::Duplicate { .. } => {}
        }
        if matches!(outcome, Upsert::Inserted | Upsert::Updated) {
            self.pending_bytes += text_bytes(c);
            self.pending.push(Pending {
                line: line as i64,
                complaint: c.clone(),
                hash: *hash,
            });
        }
        if self.pending.len() >= CHUNK_ROWS
            || self.pending_bytes >= CHUNK_BYTES
            || self.rekeys.len() >= CHUNK_ROWS
        {
            self.stage()?;
        }
        Ok(outcome)
    }

    /// The stored complaint of `source` under `external_id`, as the load sees it, its stored
    /// messages attached.
    pub fn stored(
        &mut self,
        source: &str,
        external_id: &str,
    ) -> Result<Option<Complaint>, PgLoadError> {
        let url = self.url.clone();
        let fail = |e| classify(&url, e);
        let Some(row) = self
            .tx
            .query_opt(
                &format!(
                    "SELECT id, {STORED_COLUMNS} FROM complaints
                     WHERE source = $1 AND external_id = $2"
                ),
                &[&source, &external_id],
            )
            .map_err(fail)?
        else {
            return Ok(None);
        };
        let mut c = complaint_of(&row, 1);
        c.messages = self
            .tx
            .query(
                "SELECT author, name, at, channel, text, ext_id FROM messages
                 WHERE complaint_id = $1 ORDER BY seq",
                &[&row.get::<_, i64>(0)],
            )
            .map_err(fail)?
            .iter()
            .map(|r| message_of(r, 0))
            .collect();
        Ok(Some(c))
    }

    /// The external id of the stored complaint of `source` whose thread holds a message with
    /// this id, or which the executive's letter with this Message-ID was about.
    pub fn owner_of_message(
        &mut self,
        source: &str,
        message_id: &str,
    ) -> Result<Option<String>, PgLoadError> {
        let url = self.url.clone();
        let fail = |e| classify(&url, e);
        let found = self
            .tx
            .query_opt(
                "SELECT c.external_id FROM messages m JOIN complaints c ON c.id = m.complaint_id
                 WHERE m.ext_id = $2 AND c.source = $1 LIMIT 1",
                &[&source, &message_id],
            )
            .map_err(fail)?;
        if let Some(r) = found {
            return Ok(Some(r.get(0)));
        }
        // A reply to the executive's own letter answers its Message-ID.
        let bare = message_id
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>');
        let letter = self
            .tx
            .query_opt(
                "SELECT c.external_id FROM outbox o JOIN complaints c ON c.id = o.complaint_id
                 WHERE o.kind = 'outreach' AND o.message_id = $2 AND c.source = $1 LIMIT 1",
                &[&source, &format!("<{bare}>")],
            )
            .map_err(fail)?;
        Ok(letter.map(|r| r.get(0)))
    }

    /// Copies the records written since the last chunk into the staging tables, and gives the
    /// complaints left as they are their new customer keys.
    fn stage(&mut self) -> Result<(), PgLoadError> {
        let url = self.url.clone();
        if !self.pending.is_empty() {
            stage_rows(&mut self.tx, &self.pending).map_err(|e| classify(&url, e))?;
            self.pending.clear();
            self.pending_bytes = 0;
        }
        if !self.rekeys.is_empty() {
            let ids: Vec<i64> = self.rekeys.iter().map(|(id, _)| *id).collect();
            let keys: Vec<&str> = self.rekeys.iter().map(|(_, k)| k.as_str()).collect();
            let numbers: Vec<i64> = keys.iter().map(|k| customer::number(k)).collect();
            self.tx
                .execute(
                    "UPDATE complaints c SET customer_key = k.key, customer_no = k.no
                     FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS k(id, key, no)
                     WHERE c.id = k.id",
                    &[&ids, &keys, &numbers],
                )
                .map_err(|e| classify(&url, e))?;
            self.rekeys.clear();
        }
        Ok(())
    }

    /// Merges what was written into the store with the import's provenance, and commits (on a
    /// dry run, rolls back). `rows`: what the imports row records of the rows, when they are
    /// not the complaints written one for one; the complaints written when None.
    pub fn commit(
        mut self,
        meta: &PgImportMeta,
        rows: Option<PgRowCounts>,
    ) -> Result<PgLoadCounts, PgLoadError> {
        self.stage()?;
        let url = self.url.clone();
        let counts = match merge(
            &mut self.tx,
            meta,
            &self.tally,
            rows,
            &self.phrase_rules,
            self.car_rules.as_ref().map(|a| (a, url.as_str())),
            self.checks.as_ref().filter(|_| !meta.dry_run),
        ) {
            Ok(c) => c,
            Err(Failed::Db(e)) => return Err(classify(&url, e)),
            Err(Failed::Cars(PgAppendError::Refused(m))) => {
                return Err(PgLoadError::Refused(PgError {
                    url,
                    message: format!("opening CARs by cars.open_when: {m}"),
                }))
            }
            Err(Failed::Cars(e)) => {
                return Err(PgLoadError::Failed(PgError {
                    url,
                    message: format!("opening CARs by cars.open_when: {e}: nothing was imported"),
                }))
            }
            Err(Failed::Raced) => {
                return Err(PgLoadError::Failed(PgError {
                    url,
                    message: "complaints changed while the import ran: nothing was imported; \
                              run it again"
                        .into(),
                }))
            }
        };
        let done = if meta.dry_run {
            self.tx.rollback()
        } else {
            self.tx.commit()
        };
        done.map_err(|e| classify(&url, e))?;
        Ok(counts)
    }

    /// Rolls everything back.
    pub fn abort(self) -> Result<(), PgLoadError> {
        let url = self.url.clone();
        self.tx.rollback().map_err(|e| classify(&url, e))
    }
}

/// A refusal by the server (no right to what an import does), or another failure.
fn classify(url: &str, e: postgres::Error) -> PgLoadError {
    let err = PgError {
        url: url.to_string(),
        message: super::describe(&e),
    };
    if e.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) {
        PgLoadError::Refused(err)
    } else {
        PgLoadError::Failed(err)
    }
}

/// What tells a complaint's key from another's within one load: 16 bytes of its hash.
fn key_digest(c: &Complaint) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update(c.source.as_bytes());
    h.update([0u8]);
    h.update(c.external_id.as_bytes());
    let full = h.finalize();
    let mut d = [0u8; 16];
    d.copy_from_slice(&full[..16]);
    d
}

/// The bytes of a complaint's longest texts, roughly what staging it costs.
fn text_bytes(c: &Complaint) -> usize {
    c.complaint_text.len()
        + c.response_text.as_ref().map_or(0, String::len)
        + c.subject.as_ref().map_or(0, String::len)
        + c.messages.iter().map(|m| m.text.len()).sum::<usize>()
}

/// The stored complaint in a row's columns from `at` on (see [`STORED_COLUMNS`]), without its
/// messages.
fn complaint_of(r: &postgres::Row, at: usize) -> Complaint {
    let outcome = Outcome {
        response: r.get(at + 17),
        public_response: r.get(at + 18),
        timely: r.get(at + 19),
        disputed: r.get(at + 20),
    };
    Complaint {
        source: r.get(at),
        external_id: r.get(at + 1),
        received_at: r.get(at + 2),
        channel: r.get(at + 3),
        customer: r.get(at + 4),
        contact: r.get(at + 5),
        customer_key: r.get(at + 6),
        division: r.get(at + 7),
        product: r.get(at + 8),
        subject: r.get(at + 9),
        complaint_text: r.get(at + 10),
        response_text: r.get(at + 11),
        responded_at: r.get(at + 12),
        responder: r.get(at + 13),
        likelihood: r
            .get::<_, Option<i16>>(at + 14)
            .and_then(|l| u8::try_from(l).ok()),
        wants_contact: r.get(at + 15),
        text_from_fields: r.get::<_, Option<bool>>(at + 16) == Some(true),
        outcome: (outcome != Outcome::default()).then_some(outcome),
        messages: Vec::new(),
    }
}

/// A stored message in a row's columns from `at` on: author, name, at, channel, text, ext_id.
fn message_of(r: &postgres::Row, at: usize) -> Message {
    Message {
        author: Author::parse(r.get::<_, &str>(at)).unwrap_or(Author::Note),
        name: r.get(at + 1),
        at: r.get(at + 2),
        channel: r.get(at + 3),
        text: r.get(at + 4),
        id: r.get(at + 5),
    }
}

/// Why a merge stopped.
enum Failed {
    Db(postgres::Error),
    /// The rows merged are not the rows counted: something other than an import wrote
    /// complaints meanwhile (imports take a lock).
    Raced,
    /// A CAR the rules open could not be opened.
    Cars(PgAppendError),
}

impl From<postgres::Error> for Failed {
    fn from(e: postgres::Error) -> Failed {
        Failed::Db(e)
    }
}

/// One import at a time, and the staging tables.
fn begin(tx: &mut Transaction, wait: Option<Duration>) -> Result<(), postgres::Error> {
    // One import at a time: what it counts before merging stays true while it merges.
    if let Some(wait) = wait {
        let ms = wait.as_millis().clamp(1, i32::MAX as u128);
        tx.batch_execute(&format!("SET LOCAL lock_timeout = {ms}"))?;
    }
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&IMPORT_LOCK])?;
    tx.batch_execute("SET LOCAL lock_timeout = 0")?;
    // New rows go to the GIN indexes' pending lists and are merged in bulk, rather than each
    // word of each row finding its place in the index one by one; the joins get memory.
    tx.batch_execute(
        "SET LOCAL gin_pending_list_limit = '2GB'; SET LOCAL work_mem = '256MB';
         SET LOCAL maintenance_work_mem = '512MB';",
    )?;
    tx.batch_execute(STAGE)
}

/// Copies records into the staging tables: the rows, then the messages of their threads.
fn stage_rows(tx: &mut Transaction, rows: &[Pending]) -> Result<(), postgres::Error> {
    {
        let sink = tx.copy_in("COPY stage FROM STDIN (FORMAT binary)")?;
        let mut w = BinaryCopyInWriter::new(sink, STAGE_TYPES);
        for p in rows {
            let c = &p.complaint;
            let o = c.outcome.as_ref();
            let likelihood = c.likelihood.map(i16::from);
            let customer_no = c.customer_key.as_deref().map(customer::number);
            let message_count = (!c.messages.is_empty()).then_some(c.messages.len() as i32);
            let hash: &[u8] = &p.hash;
            let row: [&(dyn ToSql + Sync); 25] = [
                &p.line,
                &c.source,
                &c.external_id,
                &c.received_at,
                &c.channel,
                &c.customer,
                &c.contact,
                &c.division,
                &c.product,
                &c.subject,
                &c.complaint_text,
                &c.response_text,
                &c.responded_at,
                &c.responder,
                &likelihood,
                &c.wants_contact,
                &hash,
                &c.text_from_fields,
                &o.and_then(|o| o.response.as_deref()),
                &o.and_then(|o| o.public_response.as_deref()),
                &o.and_then(|o| o.timely),
                &o.and_then(|o| o.disputed),
                &c.customer_key,
                &customer_no,
                &message_count,
            ];
            w.write(&row)?;
        }
        w.finish()?;
    }
    if rows.iter().all(|p| p.complaint.messages.is_empty()) {
        return Ok(());
    }
    let sink = tx.copy_in("COPY stage_messages FROM STDIN (FORMAT binary)")?;
    let mut w = BinaryCopyInWriter::new(sink, MESSAGE_TYPES);
    for p in rows.iter().filter(|p| !p.complaint.messages.is_empty()) {
        for (seq, m) in p.complaint.messages.iter().enumerate() {
            let seq = seq as i32;
            w.write(&[
                &p.line,
                &seq,
                &m.id,
                &m.author.as_str(),
                &m.name,
                &m.at,
                &m.channel,
                &m.text,
            ])?;
        }
    }
    w.finish()?;
    Ok(())
}

/// Merges the staged rows into the store: provenance, history of the changed rows, the rows
/// themselves, their threads, the sampling rules' counts and the phrase rules' matches.
fn merge(
    tx: &mut Transaction,
    meta: &PgImportMeta,
    tally: &Tally,
    rows: Option<PgRowCounts>,
    phrase_rules: &[PhraseRule],
    car_rules: Option<(&AfterImport, &str)>,
    checks: Option<&(CheckSettings, String, i64)>,
) -> Result<PgLoadCounts, Failed> {
    tx.batch_execute("ANALYZE stage")?;
    let row = tx.query_one(
        "SELECT count(*) FILTER (WHERE c.id IS NULL),
                count(*) FILTER (WHERE c.content_hash <> s.content_hash)
         FROM stage s LEFT JOIN complaints c USING (source, external_id)",
        &[],
    )?;
    let (inserted, updated) = (row.get::<_, i64>(0) as u64, row.get::<_, i64>(1) as u64);
    if (inserted, updated) != (tally.inserted, tally.updated) {
        return Err(Failed::Raced);
    }
    let rows = rows.unwrap_or(PgRowCounts {
        inserted,
        updated,
        unchanged: tally.unchanged,
        degraded: tally.degraded,
    });
    // A load that adds many rows (as many as half the store or more) builds the search indexes
    // at its end (`signoff_search_indexes`).
    let stored: i64 = tx.query_one("SELECT count(*) FROM complaints", &[])?.get(0);
    let bulk = inserted as i64 >= BULK_ROWS && inserted as i64 >= stored / 2;
    if bulk {
        tx.execute("SELECT signoff_search_indexes(false)", &[])?;
    }
    // The provenance is written once, complete: no role may change an import's record.
    let import_id: i64 = tx
        .query_one(
            "INSERT INTO imports (source, profile, file_name, file_size, encoding, delimiter,
                 started_at, finished_at, rows_read, inserted, updated, unchanged, rejected,
                 rejects_file, degraded)
             VALUES ($1, $2, $3, $4, $5, $6, $7,
                 GREATEST($7, CAST(extract(epoch FROM clock_timestamp()) AS BIGINT)),
                 $8, $9, $10, $11, $12, $13, $14)
             RETURNING id",
            &[
                &meta.source,
                &meta.profile,
                &meta.file_name,
                &(meta.file_size as i64),
                &meta.encoding,
                &meta.delimiter,
                &meta.started_at,
                &(meta.rows_read as i64),
                &(rows.inserted as i64),
                &(rows.updated as i64),
                &(rows.unchanged as i64),
                &(meta.rejected as i64),
                &meta.rejects_file,
                &(rows.degraded as i64),
            ],
        )?
        .get(0);
    // The earlier text of each changed row, with its thread as JSON (as SQLite keeps it).
    tx.execute(
        "INSERT INTO complaint_history (complaint_id, replaced_at, cause, import_id, subject,
             complaint_text, response_text, responded_at, responder, content_hash, thread)
         SELECT c.id, $1, 'import', $2, c.subject, c.complaint_text, c.response_text,
                c.responded_at, c.responder, c.content_hash,
                CASE WHEN c.message_count IS NULL THEN NULL ELSE
                    (SELECT json_agg(json_build_object('author', m.author, 'name', m.name,
                                 'at', m.at, 'channel', m.channel, 'text', m.text)
                             ORDER BY m.seq)::text
                     FROM messages m WHERE m.complaint_id = c.id) END
         FROM complaints c JOIN stage s USING (source, external_id)
         WHERE c.content_hash <> s.content_hash",
        &[&meta.started_at, &import_id],
    )?;
    // Rows above this are new.
    let before: i64 = tx
        .query_one("SELECT coalesce(max(id), 0) FROM complaints", &[])?
        .get(0);
    // Changed rows are updated and new ones inserted, each by a join with the staged rows
    // (ON CONFLICT DO UPDATE would lock, and so write, every row it meets).
    let changed_ids: Vec<i64> = tx
        .query(
            "UPDATE complaints c SET
             received_at = s.received_at, channel = s.channel, customer = s.customer,
             contact = s.contact, division = s.division, product = s.product,
             subject = s.subject, complaint_text = s.complaint_text,
             response_text = s.response_text, responded_at = s.responded_at,
             responder = s.responder, likelihood = s.likelihood,
             wants_contact = s.wants_contact, content_hash = s.content_hash,
             text_from_fields = s.text_from_fields, outcome_response = s.outcome_response,
             outcome_public_response = s.outcome_public_response,
             outcome_timely = s.outcome_timely, outcome_disputed = s.outcome_disputed,
             customer_key = s.customer_key, customer_no = s.customer_no,
             message_count = s.message_count, source_file = $2, source_line = s.line,
             last_import_id = $1
         FROM stage s
         WHERE c.source = s.source AND c.external_id = s.external_id
           AND c.content_hash <> s.content_hash
         RETURNING c.id",
            &[&import_id, &meta.file_name],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let changed = changed_ids.len() as u64;
    let added = tx.execute(
        &format!(
            "INSERT INTO complaints ({COLUMNS}, import_id, source_file, source_line, last_import_id)
             SELECT {COLUMNS}, $1, $2, line, $1 FROM stage s
             WHERE NOT EXISTS (SELECT 1 FROM complaints c
                               WHERE c.source = s.source AND c.external_id = s.external_id)
             ORDER BY line"
        ),
        &[&import_id, &meta.file_name],
    )?;
    if (added, changed) != (inserted, updated) {
        return Err(Failed::Raced);
    }
    // The threads of what this import wrote, replaced whole.
    tx.execute(
        "DELETE FROM messages m USING complaints c
         WHERE m.complaint_id = c.id AND c.last_import_id = $1",
        &[&import_id],
    )?;
    tx.execute(
        "INSERT INTO messages (complaint_id, seq, ext_id, author, name, at, channel, text)
         SELECT c.id, m.seq, m.ext_id, m.author, m.name, m.at, m.channel, m.text
         FROM stage_messages m JOIN stage s ON s.line = m.line
         JOIN complaints c ON c.source = s.source AND c.external_id = s.external_id
         WHERE c.last_import_id = $1",
        &[&import_id],
    )?;
    if inserted + updated > 0 {
        // What a draw reads instead of counting a million rows: complaints per division, and
        // per division, likelihood and wants-contact (-1 where unknown), as SQLite keeps them.
        tx.batch_execute(
            "DELETE FROM rule_counts;
             INSERT INTO rule_counts (division, likelihood, wants_contact, complaints)
                 SELECT division, coalesce(likelihood, -1),
                        CASE WHEN wants_contact IS NULL THEN -1 WHEN wants_contact THEN 1 ELSE 0 END,
                        count(*)
                 FROM complaints GROUP BY 1, 2, 3;
             DELETE FROM division_counts;
             INSERT INTO division_counts (division, complaints)
                 SELECT division, sum(complaints) FROM rule_counts GROUP BY division;",
        )?;
    }
    if bulk {
        tx.execute("SELECT signoff_search_indexes(true)", &[])?;
    }
    // The phrase rules' matches move by the rows written, searched for with the indexes built.
    if !meta.dry_run {
        let written = super::phrase_sets::Written {
            before,
            changed: &changed_ids,
        };
        super::phrase_sets::keep(tx, phrase_rules, &written)?;
    }
    if let Some((a, url)) = car_rules {
        super::cars::open_by_rules_in(tx, url, before, &changed_ids, a).map_err(Failed::Cars)?;
    }
    // The checks see what was written and the CARs just opened, in the same transaction.
    if let Some((settings, by, now)) = checks {
        super::check_catch_up::after_load(tx, settings, by, *now, inserted + updated > 0)?;
    }
    Ok(PgLoadCounts {
        import_id,
        inserted,
        updated,
        unchanged: tally.unchanged,
        duplicates: tally.duplicates,
        degraded: tally.degraded,
    })
}
