//! The whole loop from the command line, run on both stores: the embedded SQLite file and an
//! organisation's PostgreSQL database (each person connecting as their own login). An admin
//! imports, the executive draws, signs and pushes back, a division head answers with a revised
//! response, the executive signs it and retracts a sign-off; refusals; status and verify. Both
//! stores must say the same. The PostgreSQL run needs a server (SIGNOFF_TEST_PG); without one it
//! is skipped with a message, except under CI.

mod common;

use assert_cmd::Command;
use common::pg::{people_env, server, TestDb};
use common::Env;
use serde_json::Value;

/// One store for the loop: its environment and, for PostgreSQL, the database.
struct Store {
    env: Env,
    pg: Option<TestDb>,
}

impl Store {
    fn sqlite() -> Store {
        Store {
            env: Env::new(),
            pg: None,
        }
    }

    /// A new database whose people are the common ones, each a login of their own.
    fn postgres(admin: &str) -> Store {
        let db = TestDb::new(admin);
        let env = people_env(&db, common::CONFIG, &["dana", "priya", "lee", "alex"]);
        Store { env, pg: Some(db) }
    }

    /// signoff as `who`: on PostgreSQL, connected as their own login.
    fn cmd(&self, who: &str) -> Command {
        let mut c = self.env.cmd(who);
        if let Some(db) = &self.pg {
            c.env("SIGNOFF_DB", db.url_for(who));
        }
        c
    }

    fn json(&self, who: &str, args: &[&str]) -> Value {
        let out = self
            .cmd(who)
            .args(args)
            .arg("--json")
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{who} {args:?} on {}: {}",
            self.name(),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("json")
    }

    /// Runs a command that must be refused; returns what it said.
    fn refused(&self, who: &str, args: &[&str], code: i32) -> String {
        let out = self.cmd(who).args(args).output().expect("run");
        assert_eq!(
            out.status.code(),
            Some(code),
            "{who} {args:?} on {}: {}",
            self.name(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    fn name(&self) -> &'static str {
        if self.pg.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }

    /// Logins as the common names, so both stores' outputs compare.
    fn plain(&self, v: &Value) -> String {
        let text = v.to_string();
        match &self.pg {
            Some(db) => text.replace(&format!("{}_", db.prefix), ""),
            None => text,
        }
    }
}

/// What the loop saw, to compare between the stores.
#[derive(Debug, PartialEq)]
struct Seen {
    import: [i64; 5],
    drawn: Vec<String>,
    status_after_answer: String,
    status_at_end: String,
    verify_ok: bool,
    verified_decisions: i64,
    stats: String,
}

fn week(s: &Store) -> Seen {
    let file = s.env.sample("helpdesk.csv");
    let imported = s.json("alex", &["import", file.to_str().expect("path")]);
    let import = common::counts(&imported);

    let sample = s.json("dana", &["sample", "--size", "12", "--seed", "7", "--all"]);
    let items = sample["items"].as_array().expect("items").clone();
    assert_eq!(items.len(), 12, "{}", s.name());
    let drawn: Vec<String> = items
        .iter()
        .map(|i| i["external_id"].as_str().expect("id").to_string())
        .collect();
    let billing = items
        .iter()
        .find(|i| i["division"] == "Billing")
        .expect("seed 7 draws a Billing item")["external_id"]
        .as_str()
        .expect("id")
        .to_string();
    let others: Vec<String> = items
        .iter()
        .filter(|i| i["division"] != "Billing")
        .take(2)
        .map(|i| i["external_id"].as_str().expect("id").to_string())
        .collect();
    let mut signed = Vec::new();
    for ext in &others {
        let d = s.json("dana", &["approve", ext]);
        assert_eq!(
            d["statement"],
            "I, Dana Reyes, Chief Executive, approve this message.",
            "{}",
            s.name()
        );
        signed.push(d["id"].as_i64().expect("decision id"));
    }
    s.json(
        "dana",
        &[
            "push-back",
            &billing,
            "--reason",
            "canned,no-empathy",
            "--note",
            "Call the customer back.",
        ],
    );

    // Refusals: the wrong head, a head signing, an admin deciding, answering twice.
    // SQLite says whose it is; PostgreSQL's server does not even let her see it exists.
    let said = s.refused("lee", &["answer", &billing, "--dispute", "not ours"], 3);
    assert!(said.contains("among your divisions"), "{said}");
    let said = s.refused("priya", &["approve", &billing], 3);
    assert!(said.contains("may not sign"), "{said}");
    s.refused(
        "alex",
        &["push-back", &billing, "--reason", "canned", "--note", "x"],
        3,
    );

    let revised = s.env.dir.path().join("revised.txt");
    std::fs::write(
        &revised,
        "Dear customer, I have refunded you today and will call on Friday.\n",
    )
    .expect("write");
    s.json(
        "priya",
        &[
            "answer",
            &billing,
            "--revise",
            revised.to_str().expect("path"),
        ],
    );
    let said = s.refused("priya", &["answer", &billing, "--dispute", "again"], 1);
    assert!(said.contains("no open push-back"), "{said}");
    let status_after_answer = s.plain(&s.json("dana", &["status"])["total"]);

    // The revised response is signed; signing it again is refused; a sign-off is retracted.
    s.json("dana", &["approve", &billing]);
    let said = s.refused("dana", &["approve", &billing], 1);
    assert!(said.contains("already signed"), "{said}");
    s.json("dana", &["retract", &signed[0].to_string()]);
    let status_at_end = s.plain(&s.json("dana", &["status"])["total"]);

    // The letter the sign-off sends carries the statement and its code.
    let out = s
        .cmd("dana")
        .args(["letter", &billing, "--format", "md"])
        .output()
        .expect("run");
    let letter = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        letter.contains("I, Dana Reyes, Chief Executive, approve this message."),
        "{letter}"
    );
    let mut stats = s.json("dana", &["stats"]);
    let imports = stats["imports"].as_array().map_or(0, Vec::len);
    assert_eq!(imports, 1, "{}: {stats}", s.name());
    stats["imports"] = Value::Null;

    let verified = s.json("dana", &["verify"]);
    Seen {
        import,
        drawn,
        status_after_answer,
        status_at_end,
        verify_ok: verified["ok"] == true,
        verified_decisions: verified["decisions"].as_i64().expect("decisions"),
        stats: s.plain(&stats),
    }
}

#[test]
fn the_loop_says_the_same_on_sqlite_and_postgresql() {
    let sqlite = week(&Store::sqlite());
    assert!(sqlite.verify_ok, "{sqlite:?}");
    assert_eq!(sqlite.verified_decisions, 6);
    let Some(admin) = server("the_loop_says_the_same_on_sqlite_and_postgresql") else {
        return;
    };
    let pg = week(&Store::postgres(&admin));
    assert_eq!(pg, sqlite);
}
