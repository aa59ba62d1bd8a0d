//! The store's side of an import: a loader that takes domain complaints and writes them in one
//! transaction, with the import's provenance, the secondary and search indexes, the sampling
//! rules' counts and the checks brought up to date for what it wrote.
//!
//! ```text
//! db.load(&options, recycle, |loader| {
//!     loader.write(&complaint, &hash, line)?;   // for each record
//!     loader.batch_written(batch, inserted)?;   // for each batch
//!     loader.finish()?;                         // indexes, search, rules, checks
//!     loader.commit(&counts, rejects_file)      // provenance, then commit (not on a dry run)
//! })
//! ```
//!
//! A loader lives inside [`Db::load`], which owns the import's connection: its transaction and
//! its prepared statements borrow that connection. Returning from the body without
//! [`Loader::commit`], or calling [`Loader::abort`], rolls everything back.
//!
//! The import speaks to the loader through [`ImportLoader`], which a PostgreSQL store's
//! [`PgImport`] (run by [`crate::store::pg::PgStore::load_import`]) implements too: there the
//! records are staged and merged at the commit.

use std::sync::mpsc;
use std::time::Duration;

use rusqlite::{Transaction, TransactionBehavior};

use super::car_rules::{after_import, AfterImport};
use super::complaints::{self as sc, Counts, ImportMeta, LoadState, Upsert, Writer};
use super::decisions::AppendError;
use super::{rule_sets, Db};
use crate::domain::Complaint;
use conn::LoadConn;
use search::{search_twin, Indexer, SearchIndex};

mod conn;
mod pg_loader;
mod search;

pub use pg_loader::PgImport;

/// What a load is and how it behaves.
pub struct LoadOptions<'a> {
    /// The import's provenance, as the store keeps it.
    pub meta: ImportMeta<'a>,
    /// Roll back instead of committing; nothing is written.
    pub dry_run: bool,
    /// Apply updates whose text is a damaged copy of the stored text instead of holding them
    /// back as [`Upsert::Degraded`].
    pub accept_degraded: bool,
    /// CARs to open and flags to refresh before the load commits.
    pub after_import: &'a AfterImport,
    /// How long to wait for another writer (another import) to finish, beyond the store's
    /// busy timeout.
    pub write_wait: Duration,
}

/// Why a load failed. Its text follows "store: " in what the import says.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}")]
    Sql(#[from] rusqlite::Error),
    #[error("{0}")]
    AfterImport(#[from] AppendError),
    #[error("{0}")]
    Other(String),
    /// The PostgreSQL store failed (its text names the store).
    #[error("{0}")]
    Pg(crate::store::pg::PgError),
    /// The PostgreSQL store refused the login what an import does: nothing was kept.
    #[error("{0}")]
    Refused(crate::store::pg::PgError),
}

impl From<crate::store::pg::PgLoadError> for LoadError {
    fn from(e: crate::store::pg::PgLoadError) -> Self {
        match e {
            crate::store::pg::PgLoadError::Refused(e) => LoadError::Refused(e),
            crate::store::pg::PgLoadError::Failed(e) => LoadError::Pg(e),
        }
    }
}

/// What an import asks of a store's loader, whichever backend keeps the store: the SQLite
/// [`Loader`] and the PostgreSQL [`PgImport`]. See the module's documentation for the order of
/// the calls.
pub trait ImportLoader<B: Batch> {
    /// The complaints (with their content hashes) about to be written, for a store that looks
    /// their keys up a batch at a time; a store that looks each up as it is written ignores it.
    fn prefetch<'k>(
        &mut self,
        _keys: impl Iterator<Item = (&'k Complaint, &'k [u8; 32])>,
    ) -> Result<(), LoadError> {
        Ok(())
    }

    /// Writes one complaint read on `line`; returns what happened and, where the store gives
    /// it as it writes, the complaint's id.
    fn write(
        &mut self,
        c: &Complaint,
        hash: &[u8; 32],
        line: u64,
    ) -> Result<(Upsert, Option<i64>), LoadError>;

    /// Hands over a written batch, with (slot, id) of the complaints of it that were inserted.
    fn batch_written(&mut self, batch: B, inserted: Vec<(u32, i64)>) -> Result<(), LoadError>;

    /// Hands over complaints inserted outside a batch, with their ids.
    fn rows_written(&mut self, rows: Vec<(i64, Complaint)>) -> Result<(), LoadError>;

    /// The stored complaint of the load's source under `external_id`, as the load sees it.
    fn stored(&mut self, external_id: &str) -> Result<Option<Complaint>, LoadError>;

    /// The external id of the stored complaint of the load's source holding a message.
    fn owner_of_message(&mut self, message_id: &str) -> Result<Option<String>, LoadError>;

    /// Ends the writing; nothing is committed yet.
    fn finish(&mut self) -> Result<(), LoadError>;

    /// Records the import's counts and rejects file, and commits: the import's id, or None on
    /// a dry run, which is rolled back.
    fn commit(
        &mut self,
        counts: &Counts,
        rejects_file: Option<&str>,
    ) -> Result<Option<i64>, LoadError>;

    /// Rolls everything back; the loader takes nothing more.
    fn abort(&mut self) -> Result<(), LoadError>;
}

impl<B: Batch> ImportLoader<B> for Loader<'_, B> {
    fn write(
        &mut self,
        c: &Complaint,
        hash: &[u8; 32],
        line: u64,
    ) -> Result<(Upsert, Option<i64>), LoadError> {
        Loader::write(self, c, hash, line).map(|(outcome, id)| (outcome, Some(id)))
    }

    fn batch_written(&mut self, batch: B, inserted: Vec<(u32, i64)>) -> Result<(), LoadError> {
        Loader::batch_written(self, batch, inserted)
    }

    fn rows_written(&mut self, rows: Vec<(i64, Complaint)>) -> Result<(), LoadError> {
        Loader::rows_written(self, rows)
    }

    fn stored(&mut self, external_id: &str) -> Result<Option<Complaint>, LoadError> {
        Loader::stored(self, external_id)
    }

    fn owner_of_message(&mut self, message_id: &str) -> Result<Option<String>, LoadError> {
        Loader::owner_of_message(self, message_id)
    }

    fn finish(&mut self) -> Result<(), LoadError> {
        Loader::finish(self)
    }

    fn commit(
        &mut self,
        counts: &Counts,
        rejects_file: Option<&str>,
    ) -> Result<Option<i64>, LoadError> {
        Loader::commit(self, counts, rejects_file)
    }

    fn abort(&mut self) -> Result<(), LoadError> {
        Loader::abort(self)
    }
}

/// A batch of records an import hands over once they are written, for the search indexer to
/// read the complaints it inserted from (by their slot in the batch) without copying them.
pub trait Batch: Send + 'static {
    fn complaint(&self, slot: u32) -> Option<&Complaint>;
}

/// Rows a store may reach in an import that keeps its secondary indexes up to date as it goes.
const KEEP_INDEXES_UP_TO: i64 = 2_000_000;
/// Bytes per row of an export, roughly: to tell a bulk load from a top-up before reading it.
const BYTES_PER_ROW_GUESS: u64 = 256;

impl Db {
    /// Runs one load: `body` writes through the loader, and commits it. Written batches go to
    /// `recycle` once the loader is done with them (the search indexer may hold them a while).
    ///
    /// When the machine has two cores or more and the store is empty, a thread of the loader's
    /// own builds the search index of the new rows in a file of its own, copied in before the
    /// commit.
    pub fn load<B: Batch, T, E: From<LoadError>>(
        &mut self,
        options: &LoadOptions,
        recycle: mpsc::Sender<B>,
        body: impl FnOnce(&mut Loader<'_, B>) -> Result<T, E>,
    ) -> Result<T, E> {
        let store = self.path.clone();
        let parallel = std::thread::available_parallelism().map_or(1, |n| n.get()) > 1;
        let lc = LoadConn::open(self, parallel, options.dry_run, options.write_wait)
            .map_err(LoadError::from)?;
        // A file to build the search index in must be attached before the transaction begins.
        let twin = match lc.first_load {
            true => Some(search_twin(&lc.conn, &store).map_err(LoadError::from)?),
            false => None,
        };
        let mut loader = Loader::begin(&lc.conn, options, twin, recycle)?;
        body(&mut loader)
    }
}

/// Writes one import's complaints in one transaction; see the module's documentation.
pub struct Loader<'c, B: Batch> {
    // Dropped in this order: the statements, then the indexer (which finishes its queue), then
    // the transaction, rolled back unless committed.
    writer: Option<Writer<'c>>,
    search: SearchIndex<B>,
    tx: Option<Transaction<'c>>,
    options: &'c LoadOptions<'c>,
    import_id: i64,
    state: LoadState,
    /// Secondary indexes dropped for the load, built again at its end.
    rebuilt: Vec<(String, String)>,
    recycle: mpsc::Sender<B>,
    finished: bool,
    clock: Phases,
}

impl<'c, B: Batch> Loader<'c, B> {
    fn begin(
        conn: &'c rusqlite::Connection,
        options: &'c LoadOptions<'c>,
        twin: Option<sc::SearchTwin>,
        recycle: mpsc::Sender<B>,
    ) -> Result<Self, LoadError> {
        let clock = Phases::start();
        // Deferred, not immediate, so that the twin's file stays unlocked: the first statement
        // writes, which takes the store's write lock (waiting as long as the busy timeout allows).
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Deferred)?;
        let import_id = sc::begin_import(&tx, &options.meta)?;
        let state = sc::load_state(&tx, options.meta.source)?;
        let search = match twin {
            Some(t) if state.max_id == 0 && state.search_index_empty => {
                SearchIndex::Twin(Indexer::start(t, recycle.clone())?)
            }
            _ if options.dry_run => SearchIndex::Skip,
            _ => SearchIndex::AtEnd,
        };
        // Keeping an index up to date costs a B-tree descent per row; building it again costs
        // a sort of the whole table after the last row, on the critical path. Up to a couple
        // of million rows the secondary indexes fit in the import's cache, so keeping them is
        // cheaper (measured: 0.7 s saved on a 1 M-row first load); past that, rebuild when the
        // file may hold half as many rows as the store.
        let file_rows = (options.meta.file_size / BYTES_PER_ROW_GUESS) as i64;
        let rebuilt =
            if state.max_id + file_rows > KEEP_INDEXES_UP_TO && file_rows >= state.max_id / 2 {
                sc::secondary_indexes(&tx)?
            } else {
                Vec::new()
            };
        sc::drop_indexes(&tx, &rebuilt)?;
        let writer = Writer::new(
            conn,
            import_id,
            options.meta.file_name,
            options.meta.started_at,
        )?
        .insert_first(!state.source_has_rows)
        .defer_search_index(true)
        .accept_degraded(options.accept_degraded);
        clock.mark("store ready");
        Ok(Loader {
            writer: Some(writer),
            search,
            tx: Some(tx),
            options,
            import_id,
            state,
            rebuilt,
            recycle,
            finished: false,
            clock,
        })
    }

    /// Writes one complaint read on `line`; returns what happened and the complaint's id.
    pub fn write(
        &mut self,
        c: &Complaint,
        hash: &[u8; 32],
        line: u64,
    ) -> Result<(Upsert, i64), LoadError> {
        match self.writer.as_mut() {
            Some(w) => Ok(w.write(c, hash, line)?),
            None => Err(LoadError::Other("the load has finished".into())),
        }
    }

    /// Hands over a written batch, with (slot, id) of the complaints of it that were inserted.
    pub fn batch_written(&mut self, batch: B, inserted: Vec<(u32, i64)>) -> Result<(), LoadError> {
        match &mut self.search {
            SearchIndex::Twin(ix) => ix.batch(batch, inserted),
            _ => {
                let _ = self.recycle.send(batch);
                Ok(())
            }
        }
    }

    /// Hands over complaints inserted outside a batch (completed after the file was read),
    /// with their ids.
    pub fn rows_written(&mut self, rows: Vec<(i64, Complaint)>) -> Result<(), LoadError> {
        match &mut self.search {
            SearchIndex::Twin(ix) => ix.rows(rows),
            _ => Ok(()),
        }
    }

    /// The stored complaint of the load's source under `external_id`, as the load sees it.
    pub fn stored(&self, external_id: &str) -> Result<Option<Complaint>, LoadError> {
        match super::queries::complaint_by_key(self.tx()?, self.options.meta.source, external_id) {
            Ok(c) => Ok(Some(c)),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The external id of the stored complaint of the load's source holding a message.
    pub fn owner_of_message(&self, message_id: &str) -> Result<Option<String>, LoadError> {
        Ok(super::threads::complaint_of_message(
            self.tx()?,
            self.options.meta.source,
            message_id,
        )?)
    }

    fn tx(&self) -> Result<&Transaction<'c>, LoadError> {
        self.tx
            .as_ref()
            .ok_or_else(|| LoadError::Other("the load has ended".into()))
    }

    /// Ends the writing: the search index of updated and inserted rows, the secondary indexes,
    /// the sampling rules' counts and phrase matches, CARs and checks, for what was written.
    /// Nothing is committed yet.
    pub fn finish(&mut self) -> Result<(), LoadError> {
        if self.finished {
            return Ok(());
        }
        let Some(mut writer) = self.writer.take() else {
            return Err(LoadError::Other("the load has finished".into()));
        };
        let written = writer.finish()?;
        drop(writer);
        self.clock.mark("rows written");
        let dry_run = self.options.dry_run;
        let max_id = self.state.max_id;
        let tx = self
            .tx
            .as_ref()
            .ok_or_else(|| LoadError::Other("the load has ended".into()))?;
        sc::create_indexes(tx, &self.rebuilt)?;
        self.clock.mark("indexes built");
        match &mut self.search {
            SearchIndex::Twin(ix) => {
                // The indexer finishes its queue meanwhile.
                ix.join()?;
                self.clock.mark("search index built");
                sc::install_search_twin(tx)?;
            }
            SearchIndex::AtEnd => sc::index_for_search(tx, max_id)?,
            SearchIndex::Skip => {}
        }
        self.clock.mark("search index in place");
        // What sampling rules count and pick from moves by what the import wrote: the counts by
        // its rows' old and new values, the phrase matches by its rows searched again alone.
        if !dry_run {
            written.tally.apply(tx)?;
            let changed: Vec<i64> = written
                .changed
                .iter()
                .copied()
                .filter(|&id| id <= max_id)
                .collect();
            rule_sets::update_phrase_rules(
                tx,
                &self.options.after_import.phrase_rules,
                Some(max_id),
                &changed,
            )?;
        }
        self.clock.mark("sampling rules");
        // CARs and checks read the new rows, and may search them.
        after_import(tx, &written, self.options.after_import)?;
        self.clock.mark("after-import rules and checks");
        self.finished = true;
        Ok(())
    }

    /// Finishes the load if that is not done yet, records its counts and rejects file, and
    /// commits: returns the import's id, or None on a dry run, which is rolled back.
    pub fn commit(
        &mut self,
        counts: &Counts,
        rejects_file: Option<&str>,
    ) -> Result<Option<i64>, LoadError> {
        self.finish()?;
        sc::finish_import(
            self.tx()?,
            self.import_id,
            counts,
            chrono::Utc::now().timestamp(),
            rejects_file,
        )?;
        let tx = self
            .tx
            .take()
            .ok_or_else(|| LoadError::Other("the load has ended".into()))?;
        let id = if self.options.dry_run {
            tx.rollback()?;
            None
        } else {
            tx.commit()?;
            Some(self.import_id)
        };
        self.clock.mark("committed");
        Ok(id)
    }

    /// Rolls everything back; the loader takes nothing more.
    pub fn abort(&mut self) -> Result<(), LoadError> {
        self.writer = None;
        self.search = SearchIndex::Skip;
        match self.tx.take() {
            Some(tx) => Ok(tx.rollback()?),
            None => Ok(()),
        }
    }
}

/// Load phases, with their times, for `tracing`.
struct Phases(std::time::Instant);

impl Phases {
    fn start() -> Phases {
        Phases(std::time::Instant::now())
    }

    fn mark(&self, phase: &str) {
        tracing::debug!(phase, secs = self.0.elapsed().as_secs_f64(), "import");
    }
}
