//! A PostgreSQL server for the backend tests: `SIGNOFF_TEST_PG` names a superuser URL
//! (`eval "$(scripts/pg-test-server.sh)"` starts one). Without it a test is skipped, saying so
//! on the terminal; under `CI` it fails instead, so CI never passes without the server.

use std::io::Write;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use signoff::domain::Complaint;
use signoff::store::pg::{PersonGrant, PgImportMeta, PgRecord};

/// The server's superuser URL, or None (after saying why) when the test must be skipped.
pub fn server(test: &str) -> Option<String> {
    match std::env::var("SIGNOFF_TEST_PG") {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().to_string()),
        _ if std::env::var_os("CI").is_some() => panic!(
            "{test}: CI is set but SIGNOFF_TEST_PG names no PostgreSQL server; \
             .ci/run starts one with scripts/pg-test-server.sh"
        ),
        _ => {
            // Straight to the terminal: the test harness would hide a print from a passing test.
            let _ = writeln!(
                std::io::stderr().lock(),
                "skipped {test}: no PostgreSQL server (set SIGNOFF_TEST_PG, e.g. \
                 `eval \"$(scripts/pg-test-server.sh)\"`)"
            );
            None
        }
    }
}

/// A new database on the server, and the logins a test makes, dropped when it ends.
pub struct TestDb {
    admin_url: String,
    pub name: String,
    /// What login names are made unique with: roles belong to the whole server.
    pub prefix: String,
    host: String,
}

static N: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    pub fn new(admin_url: &str) -> TestDb {
        let n = N.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let prefix = format!("t{}x{n}x{nanos:x}", std::process::id());
        let name = format!("{prefix}_store");
        // The URL without its database: scheme, user, host and port.
        let (base, _) = split_db(admin_url);
        let host = base
            .split_once("://")
            .map(|(_, rest)| rest.rsplit_once('@').map_or(rest, |(_, h)| h).to_string())
            .unwrap_or_default();
        let db = TestDb {
            admin_url: admin_url.to_string(),
            name,
            prefix,
            host,
        };
        let out = psql(admin_url, &format!("CREATE DATABASE \"{}\"", db.name));
        assert!(out.ok, "cannot create a test database: {}", out.stderr);
        db
    }

    /// The login of a person in this test (unique on the server).
    pub fn login(&self, who: &str) -> String {
        format!("{}_{who}", self.prefix)
    }

    /// The URL for the database's owner (the superuser that created it).
    pub fn owner_url(&self) -> String {
        let (base, query) = split_db(&self.admin_url);
        format!("{base}/{}{query}", self.name)
    }

    /// The URL a person connects with.
    pub fn url_for(&self, who: &str) -> String {
        format!(
            "postgresql://{}@{}/{}",
            self.login(who),
            self.host,
            self.name
        )
    }

    /// Runs SQL as a person with psql, stopping at the first error.
    pub fn psql_as(&self, who: &str, sql: &str) -> Psql {
        psql(&self.url_for(who), sql)
    }

    pub fn psql_owner(&self, sql: &str) -> Psql {
        psql(&self.owner_url(), sql)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = psql(
            &self.admin_url,
            &format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name),
        );
        let roles = psql(
            &self.admin_url,
            &format!(
                "SELECT rolname FROM pg_roles WHERE rolname LIKE '{}\\_%' OR rolname LIKE '{}\\_%'",
                self.prefix, self.name
            ),
        );
        for role in roles.stdout.lines().filter(|l| !l.is_empty()) {
            let _ = psql(&self.admin_url, &format!("DROP ROLE IF EXISTS \"{role}\""));
        }
    }
}

/// (scheme://user@host:port, ?query) of a URL that ends in /database.
fn split_db(url: &str) -> (String, String) {
    let (main, query) = match url.split_once('?') {
        Some((m, q)) => (m, format!("?{q}")),
        None => (url, String::new()),
    };
    let (scheme, rest) = main.split_once("://").unwrap_or(("postgresql", main));
    let host = rest.split('/').next().unwrap_or(rest);
    (format!("{scheme}://{host}"), query)
}

/// What psql did.
#[derive(Debug)]
pub struct Psql {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

pub fn psql(url: &str, sql: &str) -> Psql {
    let out = Command::new("psql")
        .args([
            url,
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ])
        .env_remove("PGPASSWORD")
        .output()
        .expect("psql, PostgreSQL's client, must be installed for the PostgreSQL tests");
    Psql {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// What a test's load says of itself: a helpdesk file named `file`.
pub fn meta(file: &str) -> PgImportMeta<'_> {
    PgImportMeta {
        source: "helpdesk",
        profile: "helpdesk",
        file_name: file,
        file_size: 100,
        encoding: "utf-8",
        delimiter: ",",
        started_at: 1_764_000_000,
        rows_read: 0,
        rejected: 0,
        rejects_file: None,
        dry_run: false,
    }
}

/// The complaints as a load's records, on lines 2, 3, …
pub fn records(cs: &[Complaint]) -> Vec<PgRecord<'_>> {
    cs.iter()
        .enumerate()
        .map(|(i, c)| PgRecord {
            complaint: c,
            hash: c.content_hash(),
            line: i as u64 + 2,
        })
        .collect()
}

/// A person of the test store, with a login unique on the server.
pub fn grant(db: &TestDb, who: &str, role: &str, divisions: &[&str]) -> PersonGrant {
    PersonGrant {
        login: db.login(who),
        name: format!("{who} (test)"),
        title: role.replace('_', " "),
        role: role.into(),
        divisions: divisions.iter().map(|d| d.to_string()).collect(),
    }
}

/// `config` with each of `people` named by their login on the test database.
pub fn logins_config(db: &TestDb, config: &str, people: &[&str]) -> String {
    let mut config = config.to_string();
    for who in people {
        config = config.replace(
            &format!("login = \"{who}\""),
            &format!("login = \"{}\"", db.login(who)),
        );
    }
    config
}

/// The common configuration with the common people as logins of the test database.
pub fn common_config(db: &TestDb) -> String {
    logins_config(db, super::CONFIG, &["dana", "priya", "lee", "alex"])
}

/// An environment whose configuration is `config` with each of `people` a login of the test
/// database, and those people synced into it by its owner.
pub fn people_env(db: &TestDb, config: &str, people: &[&str]) -> super::Env {
    let env = super::Env::with_config(&logins_config(db, config, people));
    let sync = env
        .cmd("root")
        .env("SIGNOFF_DB", db.owner_url())
        .args(["people", "sync"])
        .output()
        .expect("run");
    assert!(
        sync.status.success(),
        "people sync: {}",
        String::from_utf8_lossy(&sync.stderr)
    );
    env
}
