//! The store's error: what a store method returns in place of its backend's own.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store {path}: {message}")]
    Open { path: String, message: String },
    #[error("store {path}: {error}")]
    Sqlite {
        path: String,
        error: rusqlite::Error,
    },
    /// A statement that failed, said as SQLite says it.
    #[error(transparent)]
    Query(#[from] rusqlite::Error),
    /// The organisation's PostgreSQL store, in the server's own words.
    #[error(transparent)]
    Pg(#[from] super::pg::PgError),
}

impl StoreError {
    /// Whether another connection held the store for longer than the busy timeout.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Sqlite { error, .. } | StoreError::Query(error) => {
                super::patience::busy(error)
            }
            StoreError::Open { .. } | StoreError::Pg(_) => false,
        }
    }
}

/// What a store method returns.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
