//! Writing imported complaints: insert, update with history, or leave unchanged.

use rusqlite::{params, OptionalExtension, Transaction};

use crate::domain::Complaint;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Inserted,
    Updated,
    Unchanged,
    /// The same key appeared earlier in this very import, on this line.
    Duplicate {
        first_line: i64,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub read: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
}

pub struct ImportMeta<'a> {
    pub source: &'a str,
    pub profile: &'a str,
    pub file_name: &'a str,
    pub file_size: u64,
    pub encoding: &'a str,
    pub delimiter: &'a str,
    pub imported_by: &'a str,
    pub started_at: i64,
}

pub fn begin_import(tx: &Transaction, m: &ImportMeta) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO imports (source, profile, file_name, file_size, encoding, delimiter,
             imported_by, started_at, finished_at, rows_read, inserted, updated, unchanged, rejected)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, 0, 0, 0, 0, 0)",
        params![
            m.source,
            m.profile,
            m.file_name,
            m.file_size as i64,
            m.encoding,
            m.delimiter,
            m.imported_by,
            m.started_at
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn finish_import(
    tx: &Transaction,
    import_id: i64,
    counts: &Counts,
    finished_at: i64,
    rejects_file: Option<&str>,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE imports SET finished_at = ?2, rows_read = ?3, inserted = ?4, updated = ?5,
             unchanged = ?6, rejected = ?7, rejects_file = ?8 WHERE id = ?1",
        params![
            import_id,
            finished_at,
            counts.read as i64,
            counts.inserted as i64,
            counts.updated as i64,
            counts.unchanged as i64,
            counts.rejected as i64,
            rejects_file
        ],
    )?;
    Ok(())
}

/// Inserts or updates one complaint keyed by (source, external id). An update keeps the earlier
/// text in `complaint_history`.
pub fn upsert(
    tx: &Transaction,
    import_id: i64,
    c: &Complaint,
    hash: &[u8; 32],
    file: &str,
    line: u64,
    now: i64,
) -> rusqlite::Result<Upsert> {
    let existing = tx
        .prepare_cached(
            "SELECT id, content_hash, last_import_id, source_line FROM complaints
             WHERE source = ?1 AND external_id = ?2",
        )?
        .query_row(params![c.source, c.external_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })
        .optional()?;
    let Some((id, old_hash, last_import, old_line)) = existing else {
        tx.prepare_cached(
            "INSERT INTO complaints (source, external_id, received_at, channel, customer, contact,
                 division, product, subject, complaint_text, response_text, responded_at, responder,
                 likelihood, wants_contact, content_hash, import_id, source_file, source_line,
                 last_import_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19, ?17)",
        )?
        .execute(params![
            c.source,
            c.external_id,
            c.received_at,
            c.channel,
            c.customer,
            c.contact,
            c.division,
            c.product,
            c.subject,
            c.complaint_text,
            c.response_text,
            c.responded_at,
            c.responder,
            c.likelihood,
            c.wants_contact,
            &hash[..],
            import_id,
            file,
            line as i64
        ])?;
        let id = tx.last_insert_rowid();
        fts_insert(
            tx,
            id,
            c.subject.as_deref(),
            &c.complaint_text,
            c.response_text.as_deref(),
        )?;
        return Ok(Upsert::Inserted);
    };
    if last_import == import_id {
        return Ok(Upsert::Duplicate {
            first_line: old_line,
        });
    }
    if old_hash.as_slice() == hash.as_slice() {
        tx.prepare_cached("UPDATE complaints SET last_import_id = ?2 WHERE id = ?1")?
            .execute(params![id, import_id])?;
        return Ok(Upsert::Unchanged);
    }
    keep_history(tx, id, now, "import", Some(import_id))?;
    fts_delete(tx, id)?;
    tx.prepare_cached(
        "UPDATE complaints SET received_at = ?2, channel = ?3, customer = ?4, contact = ?5,
             division = ?6, product = ?7, subject = ?8, complaint_text = ?9, response_text = ?10,
             responded_at = ?11, responder = ?12, likelihood = ?13, wants_contact = ?14,
             content_hash = ?15, source_file = ?16, source_line = ?17, last_import_id = ?18
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        c.received_at,
        c.channel,
        c.customer,
        c.contact,
        c.division,
        c.product,
        c.subject,
        c.complaint_text,
        c.response_text,
        c.responded_at,
        c.responder,
        c.likelihood,
        c.wants_contact,
        &hash[..],
        file,
        line as i64,
        import_id
    ])?;
    fts_insert(
        tx,
        id,
        c.subject.as_deref(),
        &c.complaint_text,
        c.response_text.as_deref(),
    )?;
    Ok(Upsert::Updated)
}

/// Copies the complaint's current text into its history before it is replaced.
pub fn keep_history(
    tx: &Transaction,
    complaint_id: i64,
    now: i64,
    cause: &str,
    import_id: Option<i64>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO complaint_history (complaint_id, replaced_at, cause, import_id, subject,
             complaint_text, response_text, responded_at, responder, content_hash)
         SELECT id, ?2, ?3, ?4, subject, complaint_text, response_text, responded_at, responder,
             content_hash
         FROM complaints WHERE id = ?1",
    )?
    .execute(params![complaint_id, now, cause, import_id])?;
    Ok(())
}

/// Adds a complaint's current text to the search index.
pub fn fts_insert(
    tx: &Transaction,
    id: i64,
    subject: Option<&str>,
    complaint: &str,
    response: Option<&str>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO complaints_fts(rowid, subject, complaint_text, response_text)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id, subject, complaint, response])?;
    Ok(())
}

/// Removes a complaint's current text from the search index; call before changing that text.
pub fn fts_delete(tx: &Transaction, id: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO complaints_fts(complaints_fts, rowid, subject, complaint_text, response_text)
         SELECT 'delete', id, subject, complaint_text, response_text FROM complaints WHERE id = ?1",
    )?
    .execute(params![id])?;
    Ok(())
}
