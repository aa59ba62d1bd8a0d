//! Waiting for another writer: an import holds the store for its whole transaction, and a
//! decision saved meanwhile waits its turn rather than failing.

use std::time::{Duration, Instant};

use super::workflow::WorkflowError;
use super::{Db, StoreError};

/// Whether SQLite gave up waiting for another connection that holds the store.
pub(crate) fn busy(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(e, _)
        if e.code == rusqlite::ErrorCode::DatabaseBusy || e.code == rusqlite::ErrorCode::DatabaseLocked)
}

/// Whether any cause of an error is a busy store.
pub fn busy_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<rusqlite::Error>().is_some_and(busy)
            || c.downcast_ref::<WorkflowError>()
                .is_some_and(WorkflowError::is_busy)
            || c.downcast_ref::<StoreError>()
                .is_some_and(StoreError::is_busy)
    })
}

/// How long a write waits for another writer: an import holds the store for its whole
/// transaction, which may take minutes.
#[derive(Debug, Clone, Copy)]
pub struct Patience {
    /// One attempt: the connection's busy timeout.
    pub attempt: Duration,
    /// In all; None waits as long as it takes.
    pub total: Option<Duration>,
}

/// The first attempt waits no longer than this before the person is told that it is waiting.
const FIRST_LOOK: Duration = Duration::from_millis(500);

impl Db {
    /// Runs `write` (one transaction), and while another writer holds the store runs it again, until
    /// `patience.total` has passed; then returns the busy error. `waiting` is called once, when the
    /// store is first found busy. A busy attempt committed nothing, so trying again cannot save a
    /// decision twice.
    pub fn with_patience<T, E>(
        &mut self,
        patience: Patience,
        is_busy: impl Fn(&E) -> bool,
        mut waiting: impl FnMut(),
        mut write: impl FnMut(&mut Db) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let start = Instant::now();
        let attempt = patience.attempt.max(Duration::from_millis(1));
        let _ = self.conn.busy_timeout(attempt.min(FIRST_LOOK));
        let mut told = false;
        let result = loop {
            let tried = Instant::now();
            match write(self) {
                Err(e) if is_busy(&e) => {
                    let left = patience.total.map(|t| t.saturating_sub(start.elapsed()));
                    if left == Some(Duration::ZERO) {
                        break Err(e);
                    }
                    if !told {
                        told = true;
                        waiting();
                    }
                    // SQLite may answer busy without waiting (a snapshot gone stale): pause.
                    if tried.elapsed() < Duration::from_millis(20) {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    let next = left.map_or(attempt, |l| l.min(attempt));
                    let _ = self.conn.busy_timeout(next.max(Duration::from_millis(1)));
                }
                r => break r,
            }
        };
        let _ = self.conn.busy_timeout(attempt);
        result
    }
}
