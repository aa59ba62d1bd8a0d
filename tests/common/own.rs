//! A test's own connection to a store's file, for reading (or seeding) it beside the `Db` under
//! test: foreign keys on and a busy timeout, as the store's own connection has.

use std::path::Path;
use std::time::Duration;

use signoff::store::Db;

pub fn sql(db: &Db) -> rusqlite::Connection {
    open(&db.path)
}

pub fn open(path: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(path).expect("open store");
    c.pragma_update(None, "foreign_keys", "ON")
        .expect("foreign keys");
    c.busy_timeout(Duration::from_secs(5))
        .expect("busy timeout");
    c
}
