//! Loading an import into the PostgreSQL store: the records stream into staging tables with
//! `COPY` (binary), and one statement per table merges them into the store, all in one
//! transaction with the import's provenance.
//!
//! Within one file, the first row of a key is kept and the later ones are counted as
//! duplicates. A row whose content is unchanged is left as it is (not rewritten: under MVCC a
//! rewrite costs as much as an insert); a changed one has its earlier text kept in
//! `complaint_history` and its thread replaced.

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use postgres::Transaction;

use super::{PgError, PgStore};
use crate::domain::{customer, Complaint};

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
}

/// One record of an import: the complaint, its content hash and the line it came from.
pub struct PgRecord<'a> {
    pub complaint: &'a Complaint,
    pub hash: [u8; 32],
    pub line: u64,
}

/// Why a load stopped.
enum Failed {
    Db(postgres::Error),
    /// The rows merged are not the rows counted: something other than an import wrote
    /// complaints meanwhile (imports take a lock).
    Raced,
}

impl From<postgres::Error> for Failed {
    fn from(e: postgres::Error) -> Failed {
        Failed::Db(e)
    }
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

impl PgStore {
    /// Loads the records in one transaction; nothing is kept when any of it fails (or on a dry
    /// run).
    pub fn load<'r>(
        &mut self,
        meta: &PgImportMeta,
        records: impl IntoIterator<Item = PgRecord<'r>>,
    ) -> Result<PgLoadCounts, PgError> {
        let url = self.url.clone();
        let fail = |e: postgres::Error| PgError {
            url: url.clone(),
            message: super::describe(&e),
        };
        let mut tx = self.client.transaction().map_err(fail)?;
        let counts = load_in(&mut tx, meta, records).map_err(|e| match e {
            Failed::Db(e) => fail(e),
            Failed::Raced => PgError {
                url: url.clone(),
                message: "complaints changed while the import ran: nothing was imported; \
                          run it again"
                    .into(),
            },
        })?;
        if meta.dry_run {
            tx.rollback().map_err(fail)?;
        } else {
            tx.commit().map_err(fail)?;
        }
        Ok(counts)
    }
}

fn load_in<'r>(
    tx: &mut Transaction,
    meta: &PgImportMeta,
    records: impl IntoIterator<Item = PgRecord<'r>>,
) -> Result<PgLoadCounts, Failed> {
    // One import at a time: what it counts before merging stays true while it merges.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&IMPORT_LOCK])?;
    // New rows go to the GIN indexes' pending lists and are merged in bulk, rather than each
    // word of each row finding its place in the index one by one; the joins get memory.
    tx.batch_execute(
        "SET LOCAL gin_pending_list_limit = '2GB'; SET LOCAL work_mem = '256MB';
         SET LOCAL maintenance_work_mem = '512MB';",
    )?;
    tx.batch_execute(STAGE)?;
    let mut threads: Vec<(i64, &Complaint)> = Vec::new();
    let staged = {
        let sink = tx.copy_in("COPY stage FROM STDIN (FORMAT binary)")?;
        let mut w = BinaryCopyInWriter::new(sink, STAGE_TYPES);
        let mut n = 0u64;
        for r in records {
            let c = r.complaint;
            let line = r.line as i64;
            let o = c.outcome.as_ref();
            let likelihood = c.likelihood.map(i16::from);
            let customer_no = c.customer_key.as_deref().map(customer::number);
            let message_count = (!c.messages.is_empty()).then_some(c.messages.len() as i32);
            let hash: &[u8] = &r.hash;
            let row: [&(dyn ToSql + Sync); 25] = [
                &line,
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
            if !c.messages.is_empty() {
                threads.push((line, c));
            }
            n += 1;
        }
        w.finish()?;
        n
    };
    if !threads.is_empty() {
        let sink = tx.copy_in("COPY stage_messages FROM STDIN (FORMAT binary)")?;
        let mut w = BinaryCopyInWriter::new(sink, MESSAGE_TYPES);
        for (line, c) in &threads {
            for (seq, m) in c.messages.iter().enumerate() {
                let seq = seq as i32;
                w.write(&[
                    line,
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
    }
    tx.batch_execute("ANALYZE stage")?;
    // The first row of a key in the file is the one kept.
    let duplicates = tx.execute(
        "DELETE FROM stage s USING stage t
         WHERE s.source = t.source AND s.external_id = t.external_id AND s.line > t.line",
        &[],
    )?;
    let row = tx.query_one(
        "SELECT count(*) FILTER (WHERE c.id IS NULL),
                count(*) FILTER (WHERE c.content_hash <> s.content_hash),
                count(*) FILTER (WHERE c.content_hash = s.content_hash)
         FROM stage s LEFT JOIN complaints c USING (source, external_id)",
        &[],
    )?;
    let (inserted, updated, unchanged) = (
        row.get::<_, i64>(0) as u64,
        row.get::<_, i64>(1) as u64,
        row.get::<_, i64>(2) as u64,
    );
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
                 rejects_file)
             VALUES ($1, $2, $3, $4, $5, $6, $7,
                 GREATEST($7, CAST(extract(epoch FROM clock_timestamp()) AS BIGINT)),
                 $8, $9, $10, $11, $12, $13)
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
                &(inserted as i64),
                &(updated as i64),
                &(unchanged as i64),
                &(meta.rejected as i64),
                &meta.rejects_file,
            ],
        )?
        .get(0);
    tx.execute(
        "INSERT INTO complaint_history (complaint_id, replaced_at, cause, import_id, subject,
             complaint_text, response_text, responded_at, responder, content_hash)
         SELECT c.id, $1, 'import', $2, c.subject, c.complaint_text, c.response_text,
                c.responded_at, c.responder, c.content_hash
         FROM complaints c JOIN stage s USING (source, external_id)
         WHERE c.content_hash <> s.content_hash",
        &[&meta.started_at, &import_id],
    )?;
    // Changed rows are updated and new ones inserted, each by a join with the staged rows; an
    // unchanged row is not touched at all (ON CONFLICT DO UPDATE would lock, and so write,
    // every row it meets, changed or not).
    let changed = tx.execute(
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
           AND c.content_hash <> s.content_hash",
        &[&import_id, &meta.file_name],
    )?;
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
    debug_assert_eq!(staged, duplicates + inserted + updated + unchanged);
    Ok(PgLoadCounts {
        import_id,
        inserted,
        updated,
        unchanged,
        duplicates,
    })
}
