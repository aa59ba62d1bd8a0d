//! The connection an import writes through: its own, with settings of its own, and for a first
//! load into an empty store, in rollback-journal mode until the load ends.

use std::time::Duration;

use rusqlite::Connection;

use crate::store::complaints::store_is_empty;
use crate::store::Db;

/// Cache of the import's connection, in KiB. Most of a large import is appended, so a modest
/// cache holds the pages being filled and the hot part of the key index.
const IMPORT_CACHE_KIB: i64 = 64 * 1024;

/// The import's connection. The connection is declared first, so that it is closed before the
/// store goes back to WAL mode.
pub(super) struct LoadConn<'db> {
    pub(super) conn: Connection,
    /// Whether this is a first load into an empty store (its search index is then built on
    /// the side).
    pub(super) first_load: bool,
    _wal_again: Option<WalAgain<'db>>,
}

impl<'db> LoadConn<'db> {
    /// Opens the import's connection. `parallel`: the machine has a core for a search indexer
    /// of its own, without which a first load is not worth its own path. `write_wait`: how long
    /// to wait for another writer (another import) beyond the store's busy timeout.
    pub(super) fn open(
        db: &'db mut Db,
        parallel: bool,
        dry_run: bool,
        write_wait: Duration,
    ) -> rusqlite::Result<LoadConn<'db>> {
        let busy = Duration::from_millis(
            db.conn
                .pragma_query_value(None, "busy_timeout", |r| r.get::<_, i64>(0))?
                .max(0) as u64,
        );
        // A connection of its own: its settings stay with it, and no search index state cached
        // by an earlier use of `db.conn` outlives an index copied in by the load.
        let mut conn = db.connect_again()?;
        let first_load = parallel && !dry_run && store_is_empty(&conn)?;
        let mut wal_again = None;
        // A first load into an empty store writes straight into the file, unless someone else
        // has the store open.
        if first_load {
            drop(conn);
            conn = match db.rollback_journal()? {
                Some(c) => {
                    wal_again = Some(WalAgain { db, busy });
                    c
                }
                None => db.connect_again()?,
            };
        }
        // Another import holds the store for its whole transaction: wait for it as long as
        // writes may wait.
        conn.busy_timeout(busy.max(write_wait))?;
        // A bounded cache, and a sorter that spills to temporary files: memory does not grow
        // with the file.
        conn.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
        conn.pragma_update(None, "temp_store", "FILE")?;
        Ok(LoadConn {
            conn,
            first_load,
            _wal_again: wal_again,
        })
    }
}

/// Puts the store back in WAL mode after a first load in rollback-journal mode, however the
/// load ended (see [`Db::rollback_journal`]).
struct WalAgain<'a> {
    db: &'a mut Db,
    busy: Duration,
}

impl Drop for WalAgain<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.db.back_to_wal(self.busy) {
            tracing::warn!(error = %e, "store left in rollback-journal mode until next opened");
        }
    }
}
