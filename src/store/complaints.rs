//! Writing imported complaints: insert, update with history, leave unchanged, or hold back an
//! update that would replace stored text with a damaged copy of it.

use std::path::Path;

use rusqlite::types::Value;
use rusqlite::{params, CachedStatement, Connection, OptionalExtension, Transaction};

use crate::domain::customer;
use crate::domain::degrade::{damaged_complaint, Damage};
use crate::domain::Complaint;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Inserted,
    Updated,
    Unchanged,
    /// Held back: the new text of this field is a damaged copy of the stored one, which is
    /// kept.
    Degraded {
        field: &'static str,
        damage: Damage,
    },
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
    /// Updates held back: their text looked like a damaged copy of the stored text.
    pub degraded: u64,
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
             unchanged = ?6, rejected = ?7, rejects_file = ?8, degraded = ?9 WHERE id = ?1",
        params![
            import_id,
            finished_at,
            counts.read as i64,
            counts.inserted as i64,
            counts.updated as i64,
            counts.unchanged as i64,
            counts.rejected as i64,
            rejects_file,
            counts.degraded as i64
        ],
    )?;
    Ok(())
}

/// Inserts or updates one complaint keyed by (source, external id). An update keeps the earlier
/// text in `complaint_history`; one whose text is a damaged copy of the stored text is held
/// back. For many rows, hold a [`Writer`] instead.
pub fn upsert(
    tx: &Transaction,
    import_id: i64,
    c: &Complaint,
    hash: &[u8; 32],
    file: &str,
    line: u64,
    now: i64,
) -> rusqlite::Result<Upsert> {
    let mut w = Writer::new(tx, import_id, file, now)?;
    let (upsert, _) = w.write(c, hash, line)?;
    w.finish()?;
    Ok(upsert)
}

const LOOKUP: &str =
    "SELECT id, content_hash, last_import_id, source_line, customer_key, division, likelihood,
         wants_contact
     FROM complaints WHERE source = ?1 AND external_id = ?2";
const INSERT: &str =
    "INSERT INTO complaints (source, external_id, received_at, channel, customer, contact,
         division, product, subject, complaint_text, response_text, responded_at, responder,
         likelihood, wants_contact, content_hash, import_id, source_file, source_line,
         last_import_id, text_from_fields, outcome_response, outcome_public_response,
         outcome_timely, outcome_disputed, customer_key, customer_no, message_count)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
         ?18, ?19, ?17, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)
     ON CONFLICT (source, external_id) DO NOTHING";
const TOUCH: &str = "UPDATE complaints SET last_import_id = ?2 WHERE id = ?1";
// An unchanged row may still gain a key: one a newer signoff or profile can read.
const TOUCH_KEY: &str =
    "UPDATE complaints SET last_import_id = ?2, customer_key = ?3, customer_no = ?4 WHERE id = ?1";
const UPDATE: &str =
    "UPDATE complaints SET received_at = ?2, channel = ?3, customer = ?4, contact = ?5,
         division = ?6, product = ?7, subject = ?8, complaint_text = ?9, response_text = ?10,
         responded_at = ?11, responder = ?12, likelihood = ?13, wants_contact = ?14,
         content_hash = ?15, source_file = ?16, source_line = ?17, last_import_id = ?18,
         text_from_fields = ?19, outcome_response = ?20, outcome_public_response = ?21,
         outcome_timely = ?22, outcome_disputed = ?23, customer_key = ?24,
         customer_no = ?25, message_count = ?26
     WHERE id = ?1";
const HISTORY: &str =
    "INSERT INTO complaint_history (complaint_id, replaced_at, cause, import_id, subject,
         complaint_text, response_text, responded_at, responder, content_hash, thread)
     SELECT id, ?2, ?3, ?4, subject, complaint_text, response_text, responded_at, responder,
         content_hash,
         CASE WHEN message_count IS NULL THEN NULL ELSE
             (SELECT json_group_array(json_object('author', author, 'name', name, 'at', at,
                  'channel', channel, 'text', text))
              FROM (SELECT * FROM messages WHERE complaint_id = ?1 ORDER BY seq)) END
     FROM complaints WHERE id = ?1";
pub(crate) const FTS_INSERT: &str =
    "INSERT INTO complaints_fts(rowid, subject, complaint_text, response_text)
     VALUES (?1, ?2, ?3, ?4)";
const FTS_DELETE_OLD: &str =
    "INSERT INTO complaints_fts(complaints_fts, rowid, subject, complaint_text, response_text)
     VALUES ('delete', ?1, ?2, ?3, ?4)";
const FTS_DELETE: &str =
    "INSERT INTO complaints_fts(complaints_fts, rowid, subject, complaint_text, response_text)
     SELECT 'delete', id, subject, complaint_text, response_text FROM complaints WHERE id = ?1";

/// What the store holds under a key.
struct Stored {
    id: i64,
    hash: [u8; 32],
    last_import: i64,
    line: i64,
    customer_key: Option<String>,
    /// What the sampling rules count it by (`rule_sets::Tally`).
    rule_key: (String, Option<u8>, Option<bool>),
}

/// Writes the complaints of one import, holding its statements for the whole import.
///
/// By default it behaves like [`upsert`]: look the key up, then insert, update (keeping
/// history), hold back a damaged copy, or touch, and keep the search index in step. An importer writing many rows may
/// say that the source has no rows in the store yet ([`Writer::insert_first`]: insert, and
/// look up only when the key is already taken, i.e. repeated within this import) and that it
/// indexes inserted rows itself ([`Writer::defer_search_index`]).
pub struct Writer<'c> {
    conn: &'c Connection,
    import_id: i64,
    file: &'c str,
    now: i64,
    insert_first: bool,
    index_inserted: bool,
    accept_degraded: bool,
    lookup: CachedStatement<'c>,
    stored: CachedStatement<'c>,
    insert: CachedStatement<'c>,
    touch: CachedStatement<'c>,
    touch_key: CachedStatement<'c>,
    update: CachedStatement<'c>,
    history: CachedStatement<'c>,
    fts_insert: CachedStatement<'c>,
    old_text: CachedStatement<'c>,
    written: Written,
    /// Updated rows whose search entries are replaced together, with their old text: an FTS5
    /// statement between other writes flushes its pending entries into a segment of their own
    /// (SQLite opens a statement savepoint, and FTS5 writes out at each), which cost every
    /// updated row a segment and a merge, several milliseconds on a large store.
    reindex: Vec<(i64, Option<String>, String, Option<String>)>,
    reindex_bytes: usize,
}

/// Old texts held for [`Writer::reindex`] before they are written out.
const REINDEX_BYTES: usize = 32 << 20;

/// The complaints a writer changed, for the work after an import that is proportional to them.
#[derive(Debug, Default, Clone)]
pub struct Written {
    /// Inserted or updated, in the order written.
    pub changed: Vec<i64>,
    /// Unchanged but given another customer key.
    pub rekeyed: Vec<i64>,
    /// What they change in the sampling rules' counts.
    pub tally: super::rule_sets::Tally,
}

impl<'c> Writer<'c> {
    pub fn new(
        conn: &'c Connection,
        import_id: i64,
        file: &'c str,
        now: i64,
    ) -> rusqlite::Result<Self> {
        Ok(Writer {
            conn,
            import_id,
            file,
            now,
            insert_first: false,
            index_inserted: true,
            accept_degraded: false,
            lookup: conn.prepare_cached(LOOKUP)?,
            stored: conn.prepare_cached(&format!(
                "SELECT {} FROM complaints WHERE id = ?1",
                super::queries::COLUMNS
            ))?,
            insert: conn.prepare_cached(INSERT)?,
            touch: conn.prepare_cached(TOUCH)?,
            touch_key: conn.prepare_cached(TOUCH_KEY)?,
            update: conn.prepare_cached(UPDATE)?,
            history: conn.prepare_cached(HISTORY)?,
            fts_insert: conn.prepare_cached(FTS_INSERT)?,
            old_text: conn.prepare_cached(
                "SELECT subject, complaint_text, response_text FROM complaints WHERE id = ?1",
            )?,
            written: Written::default(),
            reindex: Vec::new(),
            reindex_bytes: 0,
        })
    }

    /// Brings the search index up to date for the updated rows; returns the complaints
    /// written. Call once the rows are written.
    pub fn finish(&mut self) -> rusqlite::Result<Written> {
        self.reindex()?;
        Ok(std::mem::take(&mut self.written))
    }

    /// Replaces the updated rows' search entries, in id order, one statement after another.
    fn reindex(&mut self) -> rusqlite::Result<()> {
        let mut rows = std::mem::take(&mut self.reindex);
        self.reindex_bytes = 0;
        rows.sort_unstable_by_key(|r| r.0);
        let mut delete = self.conn.prepare_cached(FTS_DELETE_OLD)?;
        // Read first, then written as plain values: a statement that reads while it writes the
        // search index opens a savepoint too.
        let mut now = Vec::with_capacity(rows.len());
        for (id, ..) in &rows {
            now.push(self.old_text.query_row(params![id], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })?);
        }
        for ((id, subject, complaint, response), new) in rows.into_iter().zip(now) {
            delete.execute(params![id, subject, complaint, response])?;
            self.fts_insert.execute(params![id, new.0, new.1, new.2])?;
        }
        Ok(())
    }

    /// Insert first and look up only on a taken key: right when the store holds no rows of the
    /// source yet, so that a taken key can only be a repeat within this import.
    pub fn insert_first(mut self, yes: bool) -> Self {
        self.insert_first = yes;
        self
    }

    /// Leave inserted rows out of the search index: the caller indexes them (updated rows are
    /// still re-indexed here).
    pub fn defer_search_index(mut self, yes: bool) -> Self {
        self.index_inserted = !yes;
        self
    }

    /// Apply updates whose text is a damaged copy of the stored text, instead of holding them
    /// back as [`Upsert::Degraded`].
    pub fn accept_degraded(mut self, yes: bool) -> Self {
        self.accept_degraded = yes;
        self
    }

    fn find(&mut self, c: &Complaint) -> rusqlite::Result<Option<Stored>> {
        self.lookup
            .query_row(params![c.source, c.external_id], |r| {
                let h = r.get_ref(1)?.as_blob()?;
                let mut hash = [0u8; 32];
                if h.len() == 32 {
                    hash.copy_from_slice(h);
                }
                Ok(Stored {
                    id: r.get(0)?,
                    hash,
                    last_import: r.get(2)?,
                    line: r.get(3)?,
                    customer_key: r.get(4)?,
                    rule_key: (r.get(5)?, r.get(6)?, r.get(7)?),
                })
            })
            .optional()
    }

    /// Writes one complaint; returns what happened and the complaint's id.
    pub fn write(
        &mut self,
        c: &Complaint,
        hash: &[u8; 32],
        line: u64,
    ) -> rusqlite::Result<(Upsert, i64)> {
        let existing = if self.insert_first {
            match self.insert(c, hash, line)? {
                Some(id) => return Ok((Upsert::Inserted, id)),
                None => self.find(c)?,
            }
        } else {
            self.find(c)?
        };
        let Some(Stored {
            id,
            hash: old_hash,
            last_import,
            line: old_line,
            customer_key: old_key,
            rule_key,
        }) = existing
        else {
            return match self.insert(c, hash, line)? {
                Some(id) => Ok((Upsert::Inserted, id)),
                // Only a concurrent writer could take the key in between, and the import's
                // transaction holds the write lock.
                None => Err(rusqlite::Error::QueryReturnedNoRows),
            };
        };
        if last_import == self.import_id {
            return Ok((
                Upsert::Duplicate {
                    first_line: old_line,
                },
                id,
            ));
        }
        if &old_hash == hash {
            self.touch_seen(id, old_key, c)?;
            return Ok((Upsert::Unchanged, id));
        }
        if !self.accept_degraded {
            let mut stored = self
                .stored
                .query_row(params![id], super::queries::complaint_from_row)?
                .1;
            if !c.messages.is_empty() {
                super::threads::attach(self.conn, id, &mut stored)?;
            }
            if let Some((field, damage)) = damaged_complaint(&stored, c) {
                // Seen by this import (a repeat of the key is still a duplicate), not changed.
                self.touch_seen(id, old_key, c)?;
                return Ok((Upsert::Degraded { field, damage }, id));
            }
        }
        self.history
            .execute(params![id, self.now, "import", Some(self.import_id)])?;
        let old = self.old_text.query_row(params![id], |r| {
            Ok((
                id,
                r.get(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        self.reindex_bytes += old.2.len() + old.3.as_ref().map_or(0, String::len);
        self.reindex.push(old);
        self.update.execute(params![
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
            self.file,
            line as i64,
            self.import_id,
            c.text_from_fields,
            c.outcome.as_ref().and_then(|o| o.response.as_deref()),
            c.outcome
                .as_ref()
                .and_then(|o| o.public_response.as_deref()),
            c.outcome.as_ref().and_then(|o| o.timely),
            c.outcome.as_ref().and_then(|o| o.disputed),
            c.customer_key,
            c.customer_key.as_deref().map(customer::number),
            message_count(c)
        ])?;
        super::threads::replace(self.conn, id, &c.messages)?;
        if self.reindex_bytes > REINDEX_BYTES {
            self.reindex()?;
        }
        self.written.changed.push(id);
        self.written
            .tally
            .remove(&rule_key.0, rule_key.1, rule_key.2);
        self.written.tally.add(c);
        Ok((Upsert::Updated, id))
    }

    /// Marks a row this import saw without changing its text; sets its customer key when the
    /// import reads one the store lacks or reads differently.
    fn touch_seen(
        &mut self,
        id: i64,
        old_key: Option<String>,
        c: &Complaint,
    ) -> rusqlite::Result<()> {
        if c.customer_key.is_some() && c.customer_key != old_key {
            self.touch_key.execute(params![
                id,
                self.import_id,
                c.customer_key,
                c.customer_key.as_deref().map(customer::number)
            ])?;
            self.written.rekeyed.push(id);
        } else {
            self.touch.execute(params![id, self.import_id])?;
        }
        Ok(())
    }

    /// Inserts the row unless its key is taken; the new id, or None.
    fn insert(
        &mut self,
        c: &Complaint,
        hash: &[u8; 32],
        line: u64,
    ) -> rusqlite::Result<Option<i64>> {
        let n = self.insert.execute(params![
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
            self.import_id,
            self.file,
            line as i64,
            c.text_from_fields,
            c.outcome.as_ref().and_then(|o| o.response.as_deref()),
            c.outcome
                .as_ref()
                .and_then(|o| o.public_response.as_deref()),
            c.outcome.as_ref().and_then(|o| o.timely),
            c.outcome.as_ref().and_then(|o| o.disputed),
            c.customer_key,
            c.customer_key.as_deref().map(customer::number),
            message_count(c)
        ])?;
        if n == 0 {
            return Ok(None);
        }
        let id = self.conn.last_insert_rowid();
        self.written.changed.push(id);
        self.written.tally.add(c);
        if !c.messages.is_empty() {
            super::threads::replace(self.conn, id, &c.messages)?;
        }
        if self.index_inserted {
            self.fts_insert
                .execute(params![id, c.subject, c.complaint_text, c.response_text])?;
        }
        Ok(Some(id))
    }
}

/// The `message_count` column: None when the row is the thread.
fn message_count(c: &Complaint) -> Option<i64> {
    (!c.messages.is_empty()).then_some(c.messages.len() as i64)
}

/// Copies the complaint's current text into its history before it is replaced.
pub fn keep_history(
    tx: &Transaction,
    complaint_id: i64,
    now: i64,
    cause: &str,
    import_id: Option<i64>,
) -> rusqlite::Result<()> {
    tx.prepare_cached(HISTORY)?
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
    tx.prepare_cached(FTS_INSERT)?
        .execute(params![id, subject, complaint, response])?;
    Ok(())
}

/// Removes a complaint's current text from the search index; call before changing that text.
pub fn fts_delete(tx: &Transaction, id: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(FTS_DELETE)?.execute(params![id])?;
    Ok(())
}

/// What a bulk import may skip or put off, read inside its transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadState {
    /// The largest complaint id: rows the import inserts get larger ones.
    pub max_id: i64,
    /// The store holds complaints of the source being imported.
    pub source_has_rows: bool,
    /// The search index holds nothing, not even deleted entries: a twin may replace it.
    pub search_index_empty: bool,
}

pub fn load_state(conn: &Connection, source: &str) -> rusqlite::Result<LoadState> {
    Ok(LoadState {
        max_id: conn.query_row("SELECT coalesce(max(id), 0) FROM complaints", [], |r| {
            r.get(0)
        })?,
        source_has_rows: conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM complaints WHERE source = ?1)",
            [source],
            |r| r.get(0),
        )?,
        // An empty FTS5 index holds only its averages (1) and structure (10) records.
        search_index_empty: conn.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM complaints_fts_data WHERE id NOT IN (1, 10))",
            [],
            |r| r.get(0),
        )?,
    })
}

/// True when the store holds no complaints: the one state in which an import can build the
/// search index on the side.
pub fn store_is_empty(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM complaints)", [], |r| {
        r.get(0)
    })
}

/// The secondary indexes of `complaints` as (name, CREATE statement): all but the key.
pub fn secondary_indexes(conn: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    let mut st = conn.prepare(
        "SELECT name, sql FROM sqlite_schema
         WHERE type = 'index' AND tbl_name = 'complaints' AND sql IS NOT NULL
           AND sql NOT LIKE 'CREATE UNIQUE%'
         ORDER BY name",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

pub fn drop_indexes(conn: &Connection, indexes: &[(String, String)]) -> rusqlite::Result<()> {
    for (name, _) in indexes {
        conn.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
    }
    Ok(())
}

pub fn create_indexes(conn: &Connection, indexes: &[(String, String)]) -> rusqlite::Result<()> {
    for (_, sql) in indexes {
        conn.execute_batch(sql)?;
    }
    Ok(())
}

/// Adds the complaints above `after_id` (an import's new rows) to the search index, in one
/// pass in id order.
pub fn index_for_search(conn: &Connection, after_id: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO complaints_fts(rowid, subject, complaint_text, response_text)
         SELECT id, subject, complaint_text, response_text FROM complaints
         WHERE id > ?1 ORDER BY id",
        [after_id],
    )?;
    Ok(())
}

/// Schema name of an attached [`SearchTwin`].
const TWIN: &str = "search_twin";

/// A twin of the store's search table in a file of its own, so that a bulk import can build
/// the search index on another thread (SQLite writes a database from one connection at a
/// time). The import attaches the file to its connection before its transaction begins, and
/// [`install_search_twin`] copies the twin's index over the store's empty one before the
/// commit: both are FTS5 tables of one definition, written by the same SQLite.
pub struct SearchTwin {
    conn: Connection,
}

impl SearchTwin {
    /// Creates the twin in `path`, a file that must not exist yet (it is created readable by
    /// its owner only), with the definition and settings of `store`'s search table.
    pub fn create(path: &Path, store: &Connection) -> rusqlite::Result<SearchTwin> {
        let definition: String = store.query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'complaints_fts'",
            [],
            |r| r.get(0),
        )?;
        let settings = {
            let mut st =
                store.prepare("SELECT k, v FROM complaints_fts_config WHERE k <> 'version'")?;
            let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Value>(1)?)))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        super::create_new_private(path).map_err(|e| {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                Some(format!("{}: {e}", path.display())),
            )
        })?;
        let conn = Connection::open(path)?;
        // A scratch file: nothing to roll back, nothing to make durable.
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -16384;",
        )?;
        conn.execute_batch(&definition)?;
        for (k, v) in &settings {
            conn.execute(
                "INSERT INTO complaints_fts(complaints_fts, rank) VALUES (?1, ?2)",
                params![k, v],
            )?;
        }
        // Each flush of pending entries writes one segment and none is merged: the index is
        // written once. The store's later writes merge these few segments, a little at a time.
        conn.execute(
            "INSERT INTO complaints_fts(complaints_fts, rank) VALUES ('automerge', 0)",
            [],
        )?;
        conn.execute_batch("BEGIN")?;
        Ok(SearchTwin { conn })
    }

    /// Indexes complaints under the ids the store gave them.
    pub fn add<'c>(
        &mut self,
        rows: impl IntoIterator<Item = (i64, &'c Complaint)>,
    ) -> rusqlite::Result<()> {
        let mut st = self.conn.prepare_cached(FTS_INSERT)?;
        for (id, c) in rows {
            st.execute(params![id, c.subject, c.complaint_text, c.response_text])?;
        }
        Ok(())
    }

    /// Writes out the index and closes the file, ready for [`install_search_twin`].
    pub fn finish(self) -> rusqlite::Result<()> {
        self.conn.execute_batch("COMMIT")?;
        self.conn.close().map_err(|(_, e)| e)
    }
}

/// Attaches a twin's file; outside a transaction, before the import's begins.
pub fn attach_search_twin(conn: &Connection, path: &Path) -> rusqlite::Result<()> {
    let path = path
        .to_str()
        .ok_or_else(|| rusqlite::Error::InvalidPath(path.to_path_buf()))?;
    conn.execute(&format!("ATTACH DATABASE ?1 AS {TWIN}"), [path])?;
    Ok(())
}

/// Replaces the store's search index, which must be empty (see [`LoadState`]), with the
/// finished twin's: its shadow tables are copied as they are, all but the settings.
pub fn install_search_twin(conn: &Connection) -> rusqlite::Result<()> {
    let tables = {
        let mut st = conn.prepare(&format!(
            "SELECT name FROM {TWIN}.sqlite_schema
             WHERE type = 'table' AND name LIKE 'complaints\\_fts\\_%' ESCAPE '\\'
               AND name <> 'complaints_fts_config'
             ORDER BY name"
        ))?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    for t in tables {
        conn.execute_batch(&format!(
            "DELETE FROM main.\"{t}\"; INSERT INTO main.\"{t}\" SELECT * FROM {TWIN}.\"{t}\";"
        ))?;
    }
    Ok(())
}
