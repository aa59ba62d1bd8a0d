//! A store for the tests that run the same commands on both backends: the embedded SQLite file,
//! and a new PostgreSQL database whose people are the configuration's, each a login of their
//! own.

use assert_cmd::Command;

use super::pg::{people_env, TestDb};
use super::Env;

pub struct Store {
    pub env: Env,
    pub pg: Option<TestDb>,
}

impl Store {
    pub fn sqlite(config: &str) -> Store {
        Store {
            env: Env::with_config(config),
            pg: None,
        }
    }

    /// A new database on the server `admin` names, with the common people as its logins.
    pub fn postgres(admin: &str, config: &str) -> Store {
        let db = TestDb::new(admin);
        let env = people_env(&db, config, &["dana", "priya", "lee", "alex"]);
        Store { env, pg: Some(db) }
    }

    pub fn name(&self) -> &'static str {
        if self.pg.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }

    /// signoff as `who`: on PostgreSQL, connected as their own login.
    pub fn cmd(&self, who: &str) -> Command {
        let mut c = self.env.cmd(who);
        if let Some(db) = &self.pg {
            c.env("SIGNOFF_DB", db.url_for(who));
        }
        c
    }

    /// signoff as `who` with its clock at `now`.
    pub fn cmd_at(&self, who: &str, now: &str) -> Command {
        let mut c = self.cmd(who);
        c.env("SIGNOFF_TEST_CLOCK", now);
        c
    }

    /// Text with the test server's logins as the common names, so both stores' outputs compare.
    pub fn plain(&self, text: &str) -> String {
        match &self.pg {
            Some(db) => text.replace(&format!("{}_", db.prefix), ""),
            None => text.to_string(),
        }
    }
}
