//! The PostgreSQL store, for an organisation: one database that every person reaches with their
//! own login, and a server that checks every statement against that login (grants and
//! row-level security, set up by `signoff people sync`).

mod cars;
mod check_catch_up;
mod check_reads;
mod checks;
mod complaint_reads;
mod connect;
mod decisions;
mod evidence;
mod load;
mod lookup;
mod migrations;
mod outbox;
mod people;
mod phrase_sets;
mod population;
mod report;
mod report_picks;
mod report_review;
mod sampling;
mod schema;
mod schema_findings;
mod screen;
mod stats;
mod store_impl;
mod text;
mod workflow;

pub use connect::{is_url, shown_url, url_login};
pub use decisions::PgAppendError;
pub use load::{PgImportMeta, PgLoadCounts, PgLoadError, PgLoader, PgRecord, PgRowCounts};
pub use people::{PersonGrant, SyncReport};
pub use phrase_sets::KeptPhraseSet;
pub use population::PgPopulation;

/// An error from the PostgreSQL store, naming the database (without its password).
#[derive(Debug, thiserror::Error)]
#[error("store {url}: {message}")]
pub struct PgError {
    pub url: String,
    pub message: String,
}

/// A connection to an organisation's store.
pub struct PgStore {
    client: postgres::Client,
    url: String,
    database: String,
}

impl PgStore {
    /// Connects as the login the URL names (libpq conventions: host or socket directory, port,
    /// user, dbname, `sslmode`).
    pub fn connect(url: &str) -> Result<PgStore, PgError> {
        let (client, database) = connect::connect(url)?;
        Ok(PgStore {
            client,
            url: shown_url(url),
            database,
        })
    }

    /// The database login this connection acts as: who you are on this store.
    pub fn login(&mut self) -> Result<String, PgError> {
        let row = self
            .client
            .query_one("SELECT session_user::text", &[])
            .map_err(|e| self.err(e))?;
        Ok(row.get(0))
    }

    pub fn database(&self) -> &str {
        &self.database
    }

    /// The migration steps this store has not had yet.
    pub fn pending_steps(&mut self) -> Result<Vec<u32>, PgError> {
        migrations::pending(&mut self.client).map_err(|e| self.err(e))
    }

    /// Brings the schema up to date (the login must own the database's tables, or be allowed
    /// to create them on a new store). Returns the steps applied.
    pub fn migrate(&mut self) -> Result<Vec<u32>, PgError> {
        migrations::migrate(&mut self.client).map_err(|e| self.err(e))
    }

    /// Creates or updates a login for each person, gives each the rights of their role, and
    /// takes them away from anyone no longer among the people.
    pub fn sync_people(&mut self, people: &[PersonGrant]) -> Result<SyncReport, PgError> {
        let database = self.database.clone();
        people::sync(&mut self.client, &database, people).map_err(|e| self.err(e))
    }

    /// The store as messages name it: its URL without the password.
    pub fn shown(&self) -> &str {
        &self.url
    }

    fn err(&self, e: postgres::Error) -> PgError {
        PgError {
            url: self.url.clone(),
            message: describe(&e),
        }
    }
}

/// The rows `sql` returns, each read by `read`; a failure names the store (`url`).
pub(super) fn read_rows<T>(
    c: &mut impl postgres::GenericClient,
    url: &str,
    sql: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
    read: impl Fn(&str, &postgres::Row) -> Result<T, PgError>,
) -> Result<Vec<T>, PgError> {
    let rows = c.query(sql, params).map_err(|e| PgError {
        url: url.to_string(),
        message: describe(&e),
    })?;
    rows.iter().map(|r| read(url, r)).collect()
}

/// The server's own words for an error, with its detail and hint when it gave them.
pub(crate) fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut s = db.message().to_string();
            if let Some(d) = db.detail() {
                s.push_str(&format!(" ({d})"));
            }
            if let Some(h) = db.hint() {
                s.push_str(&format!("; {h}"));
            }
            s
        }
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(inner) = src {
                s.push_str(&format!(": {inner}"));
                src = inner.source();
            }
            s
        }
    }
}
