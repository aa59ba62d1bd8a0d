//! How the rows a load inserts get into the search index: on a thread of its own into a twin
//! of the search table when the store is empty, otherwise in one pass after the last row.

use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;

use rusqlite::Connection;

use super::{Batch, LoadError};
use crate::domain::Complaint;
use crate::store::complaints::{attach_search_twin, SearchTwin};

/// How the rows a load inserts get into the search index (updated rows are re-indexed as they
/// are written).
pub(super) enum SearchIndex<B: Batch> {
    /// The store is empty: a thread of its own indexes the new rows in a twin of the search
    /// table, which becomes the store's before the commit.
    Twin(Indexer<B>),
    /// One `INSERT ... SELECT` of the new rows after the last one is written: one pass, in id
    /// order, flushed in large pieces.
    AtEnd,
    /// A dry run: the transaction is rolled back anyway.
    Skip,
}

/// Work for the search indexer.
enum IndexWork<B> {
    /// A written batch, with (slot in the batch, id) of the rows it inserted.
    Batch(B, Vec<(u32, i64)>),
    /// Complaints completed after the file was read (linked exports), with their ids.
    Rows(Vec<(i64, Complaint)>),
}

/// The indexer thread and the way to it.
pub(super) struct Indexer<B: Batch> {
    work: Option<mpsc::SyncSender<IndexWork<B>>>,
    handle: Option<JoinHandle<rusqlite::Result<()>>>,
}

impl<B: Batch> Indexer<B> {
    /// Starts indexing into `twin`; indexed batches go on to `recycle`.
    pub(super) fn start(twin: SearchTwin, recycle: mpsc::Sender<B>) -> Result<Self, LoadError> {
        // A few batches in flight keep both threads busy; more would only hold memory.
        let (work, queue) = mpsc::sync_channel::<IndexWork<B>>(4);
        let handle = std::thread::Builder::new()
            .name("import-index".into())
            .spawn(move || index_on_the_side(twin, queue, recycle))
            .map_err(|e| LoadError::Other(format!("cannot start the indexer: {e}")))?;
        Ok(Indexer {
            work: Some(work),
            handle: Some(handle),
        })
    }

    pub(super) fn batch(&mut self, batch: B, inserted: Vec<(u32, i64)>) -> Result<(), LoadError> {
        self.send(IndexWork::Batch(batch, inserted))
    }

    pub(super) fn rows(&mut self, rows: Vec<(i64, Complaint)>) -> Result<(), LoadError> {
        self.send(IndexWork::Rows(rows))
    }

    fn send(&mut self, w: IndexWork<B>) -> Result<(), LoadError> {
        let sent = self.work.as_ref().is_some_and(|t| t.send(w).is_ok());
        if sent {
            return Ok(());
        }
        // A closed channel means the indexer stopped: its outcome says why.
        Err(match self.join() {
            Err(e) => e,
            Ok(()) => LoadError::Other("the search indexer stopped".into()),
        })
    }

    /// Lets the indexer finish its queue, and waits for it.
    pub(super) fn join(&mut self) -> Result<(), LoadError> {
        self.work = None;
        match self.handle.take().map(JoinHandle::join) {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) => Err(LoadError::Sql(e)),
            Some(Err(_)) => Err(LoadError::Other("the search indexer failed".into())),
        }
    }
}

impl<B: Batch> Drop for Indexer<B> {
    fn drop(&mut self) {
        let _ = self.join();
    }
}

/// The indexer thread: indexes what the writer inserted, hands the batches on.
fn index_on_the_side<B: Batch>(
    mut twin: SearchTwin,
    work: mpsc::Receiver<IndexWork<B>>,
    recycle: mpsc::Sender<B>,
) -> rusqlite::Result<()> {
    for w in work {
        match w {
            IndexWork::Batch(batch, rows) => {
                twin.add(
                    rows.iter()
                        .filter_map(|&(slot, id)| batch.complaint(slot).map(|c| (id, c))),
                )?;
                let _ = recycle.send(batch);
            }
            IndexWork::Rows(rows) => twin.add(rows.iter().map(|(id, c)| (*id, c)))?,
        }
    }
    twin.finish()
}

/// Creates a search twin next to the store and attaches it to `conn`. Its name is removed at
/// once (both connections hold it open), so a killed import leaves nothing behind.
pub(super) fn search_twin(conn: &Connection, store: &Path) -> rusqlite::Result<SearchTwin> {
    let name = store
        .file_name()
        .map_or_else(|| "store".into(), |n| n.to_string_lossy().into_owned());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let path = store.with_file_name(format!(".{name}.search-{}-{nanos}.tmp", std::process::id()));
    let twin = SearchTwin::create(&path, conn)?;
    let attached = attach_search_twin(conn, &path);
    let _ = std::fs::remove_file(&path);
    attached?;
    Ok(twin)
}
