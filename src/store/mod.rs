//! The SQLite store: one file, WAL, a busy timeout, foreign keys, numbered migrations.

pub mod backend;
mod canned_groups;
mod canned_update;
pub mod car_rules;
pub mod car_work;
pub mod cars;
mod check_seen;
mod checks;
pub mod complaints;
pub mod customers;
pub mod decisions;
pub mod division_list;
pub mod draw;
mod error;
mod evidence;
mod flag_judge;
pub mod flag_reads;
mod flag_scan;
mod flag_tally;
pub mod flag_update;
mod flag_write;
pub mod flags;
pub mod letters;
pub mod loader;
mod lookup;
mod mail_queue;
pub mod migrations;
pub mod notices;
pub mod outbox;
pub mod patience;
pub mod pg;
mod phrase_set;
pub mod queries;
pub mod recommend;
mod redate;
mod repeat_update;
mod reply_groups;
mod reply_registry;
pub mod report;
pub mod report_cars;
pub mod report_picks;
pub mod report_reader;
pub mod report_review;
pub mod rollup;
pub mod rule_sets;
pub mod samples;
mod sampling;
pub mod schema;
pub mod screen;
mod screen_reads;
mod sqlite_store;
pub mod stats;
mod thread_scan;
pub mod threads;
pub mod workflow;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use backend::{Backend, Store};
pub use error::{Result, StoreError};

pub struct Db {
    /// Reached through the store's methods; the import's loader runs its own transaction on it.
    conn: Connection,
    pub path: PathBuf,
}

impl Db {
    /// Opens the store, creating it (readable by its owner only) and migrating it as needed.
    pub fn open(path: &Path, busy_timeout: Duration) -> Result<Db, StoreError> {
        let shown = path.display().to_string();
        let open_err = |message: String| StoreError::Open {
            path: shown.clone(),
            message,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| open_err(format!("cannot create folder {}: {e}", dir.display())))?;
        }
        create_private(path).map_err(|e| open_err(e.to_string()))?;
        let conn = Connection::open(path).map_err(|e| open_err(e.to_string()))?;
        let sq = |error| StoreError::Sqlite {
            path: shown.clone(),
            error,
        };
        // Takes effect only on a new, empty store (before WAL mode writes its first page).
        // Large pages: a bulk import writes, logs and checkpoints a quarter as many, and the
        // search index's 4 KB blocks no longer fill a page each.
        conn.pragma_update(None, "page_size", PAGE_SIZE)
            .map_err(sq)?;
        // A first import loads a new store with the file locked (`rollback_journal`), which
        // SQLite's busy timeout does not wait out: wait here, for as long as such a load takes.
        let started = std::time::Instant::now();
        let mut said = false;
        while let Err(e) = configure(&conn, busy_timeout) {
            let busy = matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            );
            if !busy || started.elapsed() > FIRST_LOAD_WAIT.max(busy_timeout) {
                return Err(sq(e));
            }
            if !said && started.elapsed() > Duration::from_secs(1) {
                use std::io::IsTerminal;
                if std::io::stderr().is_terminal() {
                    eprintln!("signoff: waiting for {shown}: another process is loading it");
                }
                said = true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut conn = conn;
        migrations::migrate(&mut conn).map_err(|e| open_err(format!("cannot migrate: {e}")))?;
        Ok(Db {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// A second connection to the same store with the same settings, for work that wants a
    /// connection of its own (an import runs its transaction on one).
    fn connect_again(&self) -> rusqlite::Result<Connection> {
        let ms: i64 = self
            .conn
            .pragma_query_value(None, "busy_timeout", |r| r.get(0))?;
        let conn = Connection::open(&self.path)?;
        configure(&conn, Duration::from_millis(ms.max(0) as u64))?;
        Ok(conn)
    }

    /// For a first load into an empty store: a connection to it in rollback-journal mode, so
    /// that the load writes each page once, straight into the file, as `sqlite3 .import` does
    /// (WAL would write it to the log and then copy it over at the checkpoint). Only possible
    /// while no other connection has the store open, so this handle's own is closed first; if
    /// another process has it open, it is left in WAL mode and `None` is returned.
    ///
    /// A killed load leaves a hot journal, which the next opener rolls back. Hand the
    /// connection back to [`Db::back_to_wal`] when the load has ended, however it ended.
    fn rollback_journal(&mut self) -> rusqlite::Result<Option<Connection>> {
        let ms: i64 = self
            .conn
            .pragma_query_value(None, "busy_timeout", |r| r.get(0))?;
        let own = std::mem::replace(&mut self.conn, Connection::open_in_memory()?);
        if let Err((own, e)) = own.close() {
            self.conn = own;
            return Err(e);
        }
        let conn = Connection::open(&self.path)?;
        // Never wait here: a store someone else has open stays as it is.
        conn.busy_timeout(Duration::ZERO)?;
        let mode: rusqlite::Result<String> =
            conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0));
        let busy = Duration::from_millis(ms.max(0) as u64);
        match mode {
            Ok(m) if m.eq_ignore_ascii_case("delete") => {
                // This handle keeps its in-memory stand-in until `back_to_wal`.
                conn_for_load(&conn, busy)?;
                Ok(Some(conn))
            }
            _ => {
                drop(conn);
                let again = Connection::open(&self.path)?;
                configure(&again, busy)?;
                self.conn = again;
                Ok(None)
            }
        }
    }

    /// Ends [`Db::rollback_journal`], once the load's connection is closed: the store goes
    /// back to WAL mode and this handle gets a connection to it again.
    fn back_to_wal(&mut self, busy_timeout: Duration) -> rusqlite::Result<()> {
        let conn = Connection::open(&self.path)?;
        let switched = configure(&conn, busy_timeout);
        // Even when another process holding the store kept it from switching (the next
        // opener switches it), this handle must work.
        self.conn = conn;
        switched
    }

    /// How long each statement waits for another writer before it gives up as busy.
    pub fn wait_for_writers(&self, timeout: Duration) -> Result<()> {
        Ok(self.conn.busy_timeout(timeout)?)
    }

    pub(crate) fn err(&self, error: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.display().to_string(),
            error,
        }
    }
}

/// Runs `write` in one transaction that takes the write lock at its start, so that what it
/// reads stays true while it writes; committed when `write` succeeds, rolled back otherwise.
pub(crate) fn immediate<T, E: From<rusqlite::Error>>(
    conn: &mut Connection,
    write: impl FnOnce(&Transaction) -> Result<T, E>,
) -> Result<T, E> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let out = write(&tx)?;
    tx.commit()?;
    Ok(out)
}

/// How long opening a store waits for a first import that holds it locked.
const FIRST_LOAD_WAIT: Duration = Duration::from_secs(300);

/// Page size of new stores.
const PAGE_SIZE: i64 = 16384;

/// The settings every connection gets: WAL, a busy timeout, foreign keys.
fn configure(conn: &Connection, busy_timeout: Duration) -> rusqlite::Result<()> {
    conn.busy_timeout(busy_timeout)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // Reads map the file rather than copy its pages: a draw's random lookups and a search
    // touch pages all over a large store.
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    Ok(())
}

/// How much of the store reads map into memory.
const MMAP_BYTES: i64 = 1 << 30;

/// The settings of a first load's connection (see [`Db::rollback_journal`]).
fn conn_for_load(conn: &Connection, busy_timeout: Duration) -> rusqlite::Result<()> {
    conn.busy_timeout(busy_timeout)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

/// Creates the file with mode 0600 if it does not exist; SQLite gives its -wal and -shm files
/// the same permissions.
fn create_private(path: &Path) -> std::io::Result<()> {
    match create_new_private(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Creates a new, empty file readable by its owner only; fails if it exists.
pub(crate) fn create_new_private(path: &Path) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_store_is_private_wal_and_migrated() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("sub/s.db");
        let db = Db::open(&p, Duration::from_millis(100)).expect("open");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let mode: String = db
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("pragma");
        assert_eq!(mode, "wal");
        let fk: i64 = db
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .expect("pragma");
        assert_eq!(fk, 1);
        let v: i64 = db
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("pragma");
        assert_eq!(v as usize, migrations::STEPS.len());
        drop(db);
        // Re-opening an up-to-date store changes nothing.
        Db::open(&p, Duration::from_millis(100)).expect("reopen");
    }
}
