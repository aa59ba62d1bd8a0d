//! CARs from the command line on both stores: opened by hand, worked step by step by the right
//! people, listed, shown and overdue by the injected clock, and chained so that `verify` holds.
//! Both stores must say the same. On PostgreSQL the server itself refuses a person what their
//! configuration claims beyond their rights. The PostgreSQL run needs a server
//! (SIGNOFF_TEST_PG); without one it is skipped with a message, except under CI.

mod common;

use common::both::Store;
use common::pg::{people_env, server, TestDb};
use common::Env;
use serde_json::Value;

const NOW: &str = "2026-11-21T12:00:00Z";
const NEXT_DAY: &str = "2026-11-22T13:00:00Z";
const TWO_WEEKS_ON: &str = "2026-12-05T12:00:00Z";
const LATER: &str = "2026-12-20T12:00:00Z";

/// The common people, with no CARs opened by an import's rules.
fn config() -> String {
    format!("{}\n[cars]\nopen_when = []\n", common::CONFIG)
}

/// What a command did: its exit status and what it printed, logins as the common names.
#[derive(Debug, PartialEq)]
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// The commands of the run, on either store.
trait Commands {
    fn run(&self, who: &str, now: &str, args: &[&str]) -> Ran;
    fn ok(&self, who: &str, now: &str, args: &[&str]) -> String;
    fn ends(&self, who: &str, now: &str, args: &[&str], code: i32) -> String;
    fn json(&self, who: &str, now: &str, args: &[&str]) -> Value;
}

impl Commands for Store {
    fn run(&self, who: &str, now: &str, args: &[&str]) -> Ran {
        let out = self.cmd_at(who, now).args(args).output().expect("run");
        Ran {
            code: out.status.code(),
            stdout: self.plain(&String::from_utf8_lossy(&out.stdout)),
            stderr: self.plain(&String::from_utf8_lossy(&out.stderr)),
        }
    }

    /// A command that must succeed; what it printed.
    fn ok(&self, who: &str, now: &str, args: &[&str]) -> String {
        let r = self.run(who, now, args);
        assert_eq!(r.code, Some(0), "{who} {args:?} on {}: {r:?}", self.name());
        r.stdout
    }

    /// A command that must end with `code`; what it said on stderr.
    fn ends(&self, who: &str, now: &str, args: &[&str], code: i32) -> String {
        let r = self.run(who, now, args);
        assert_eq!(
            r.code,
            Some(code),
            "{who} {args:?} on {}: {r:?}",
            self.name()
        );
        r.stderr
    }

    fn json(&self, who: &str, now: &str, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        let out = self.ok(who, now, &args);
        serde_json::from_str(&out).expect("json")
    }
}

/// A CAR's or a list's JSON without what differs between two stores for the same steps: the
/// hashes and signatures, which cover the logins (prefixed on the test server).
fn unsealed(mut v: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for k in ["hash", "prev_hash", "signature"] {
                    m.remove(k);
                }
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    v
}

/// What the run saw, to compare between the stores: each command's label and result.
type Seen = Vec<(String, String)>;

fn work(s: &Store) -> Seen {
    let mut seen: Seen = Vec::new();
    let mut note = |label: &str, what: String| seen.push((label.to_string(), what));

    let file = s.env.sample("helpdesk.csv");
    s.ok("alex", NOW, &["import", file.to_str().expect("path")]);
    let sample = s.json(
        "dana",
        NOW,
        &["sample", "--size", "12", "--seed", "7", "--all"],
    );
    let pick = |division: &str| -> String {
        sample["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["division"] == division)
            .unwrap_or_else(|| panic!("seed 7 draws a {division} item"))["external_id"]
            .as_str()
            .expect("id")
            .to_string()
    };
    let (billing, support) = (pick("Billing"), pick("Support"));

    // Who may open: an executive any, a division head her own, an admin none.
    s.ends("alex", NOW, &["car", "open", &billing, "--why", "x"], 3);
    let said = s.ends("lee", NOW, &["car", "open", &billing, "--why", "x"], 3);
    assert!(
        said.contains("among your divisions"),
        "{}: {said}",
        s.name()
    );
    let opened = s.ok(
        "priya",
        NOW,
        &[
            "car",
            "open",
            &billing,
            "--why",
            "Pushed back: refund missing",
        ],
    );
    assert!(opened.contains("CAR-1 opened"), "{}: {opened}", s.name());
    note("open", opened);
    let said = s.ends("dana", NOW, &["car", "open", &billing, "--why", "again"], 1);
    assert!(said.contains("already has CAR-1"), "{}: {said}", s.name());
    note("open again", said);
    let opened = s.json(
        "dana",
        NOW,
        &["car", "open", &support, "--why", "Would not recommend"],
    );
    assert_eq!(opened["id"], 2, "{}", s.name());
    note("open json", unsealed(opened).to_string());

    // Overdue by the clock until the customer is reached.
    let overdue = |now: &str| s.json("dana", now, &["car", "list", "--overdue"]);
    assert_eq!(overdue(NOW).as_array().map(Vec::len), Some(0));
    let late = overdue(NEXT_DAY);
    assert_eq!(late.as_array().map(Vec::len), Some(2), "{}", s.name());
    note("overdue", late.to_string());
    note("list text", s.ok("dana", NEXT_DAY, &["car", "list"]));

    // The steps, in order, by the right people.
    let said = s.ends("priya", NOW, &["car", "act", "CAR-1", "--note", "x"], 1);
    assert!(said.contains("next is contact"), "{}: {said}", s.name());
    let said = s.ends(
        "lee",
        NOW,
        &["car", "contact", "CAR-1", "--outcome", "x"],
        3,
    );
    assert!(
        said.contains("among your divisions"),
        "{}: {said}",
        s.name()
    );
    s.ends(
        "alex",
        NOW,
        &["car", "contact", "CAR-1", "--outcome", "x"],
        3,
    );
    note(
        "contact",
        s.ok(
            "priya",
            NEXT_DAY,
            &[
                "car",
                "contact",
                "CAR-1",
                "--outcome",
                "Called, refund promised",
                "--when",
                "2026-11-22T11:30:00Z",
            ],
        ),
    );
    let late = overdue(NEXT_DAY);
    assert_eq!(late.as_array().map(Vec::len), Some(1), "{}", s.name());
    assert_eq!(late[0]["id"], 2, "{}", s.name());
    note("overdue after contact", late.to_string());
    s.ends(
        "priya",
        NEXT_DAY,
        &["car", "cause", "1", "--category", "weather", "--note", "x"],
        2,
    );
    let cause = s.json(
        "priya",
        NEXT_DAY,
        &[
            "car",
            "cause",
            "1",
            "--category",
            "process",
            "--note",
            "Refunds wait for a weekly batch",
        ],
    );
    note("cause json", unsealed(cause).to_string());
    note(
        "act",
        s.ok(
            "priya",
            NEXT_DAY,
            &["car", "act", "CAR-1", "--note", "Daily refund batch"],
        ),
    );
    let said = s.ends(
        "priya",
        NEXT_DAY,
        &["car", "check", "CAR-1", "--worked", "yes", "--note", "x"],
        1,
    );
    assert!(said.contains("from 2026-11-29"), "{}: {said}", s.name());
    note(
        "check",
        s.ok(
            "priya",
            TWO_WEEKS_ON,
            &["car", "check", "CAR-1", "--worked", "no", "--note", "Late"],
        ),
    );
    // A division head cannot close before a check that worked.
    s.ends("priya", TWO_WEEKS_ON, &["car", "close", "CAR-1"], 3);
    s.ok(
        "priya",
        TWO_WEEKS_ON,
        &["car", "act", "CAR-1", "--note", "Refunds paid on approval"],
    );
    s.ok(
        "dana",
        LATER,
        &["car", "check", "CAR-1", "--worked", "yes", "--note", "Fine"],
    );
    note("close", s.ok("priya", LATER, &["car", "close", "CAR-1"]));
    let said = s.ends(
        "dana",
        LATER,
        &["car", "contact", "CAR-1", "--outcome", "x"],
        1,
    );
    assert!(said.contains("closed"), "{}: {said}", s.name());
    // Executives may close early, but must say why.
    s.ends("dana", LATER, &["car", "close", "CAR-2"], 2);
    s.ok(
        "dana",
        LATER,
        &[
            "car",
            "close",
            "CAR-2",
            "--note",
            "Customer asked not to be called",
        ],
    );

    // Show and list, as each person may see them.
    let shown = s.json("alex", LATER, &["car", "show", "CAR-1"]);
    let steps: Vec<&str> = shown["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["step"].as_str().expect("step"))
        .collect();
    assert_eq!(
        steps,
        ["open", "contact", "cause", "act", "check", "act", "check", "close"],
        "{}",
        s.name()
    );
    assert_eq!(shown["state"], "closed", "{}", s.name());
    note("show json", unsealed(shown).to_string());
    note("show text", s.ok("priya", LATER, &["car", "show", "CAR-1"]));
    let said = s.ends("lee", LATER, &["car", "show", "1"], 3);
    assert!(
        said.contains("among your divisions"),
        "{}: {said}",
        s.name()
    );
    let count = |who: &str, args: &[&str]| -> usize {
        let mut a = vec!["car", "list"];
        a.extend_from_slice(args);
        s.json(who, LATER, &a).as_array().map_or(0, Vec::len)
    };
    assert_eq!(count("lee", &["--all"]), 1, "{}", s.name());
    assert_eq!(count("priya", &["--all"]), 1, "{}", s.name());
    assert_eq!(count("dana", &[]), 0, "{}: both are closed", s.name());
    assert_eq!(count("dana", &["--all"]), 2, "{}", s.name());
    assert_eq!(
        count("dana", &["--all", "--division", "Billing"]),
        1,
        "{}",
        s.name()
    );
    note(
        "list all",
        unsealed(s.json("dana", LATER, &["car", "list", "--all"])).to_string(),
    );

    // Every step chained and sealed: the CAR check and the store-wide one hold.
    let cars = s.json("dana", LATER, &["car", "verify"]);
    assert_eq!(cars["problems"], serde_json::json!([]), "{}", s.name());
    assert_eq!(cars["steps"], 10, "{}", s.name());
    let verified = s.json("dana", LATER, &["verify"]);
    assert_eq!(verified["ok"], true, "{}: {verified}", s.name());
    seen
}

#[test]
fn cars_say_the_same_on_sqlite_and_postgresql() {
    let sqlite = work(&Store::sqlite(&config()));
    let Some(admin) = server("cars_say_the_same_on_sqlite_and_postgresql") else {
        return;
    };
    let pg = work(&Store::postgres(&admin, &config()));
    assert_eq!(pg.len(), sqlite.len());
    for (p, q) in pg.iter().zip(&sqlite) {
        assert_eq!(p, q, "PostgreSQL and SQLite differ at {}", q.0);
    }
}

/// A configuration that claims more than the server granted changes nothing: the server
/// refuses an admin's step that the configuration calls an executive's, and hides another
/// division's CAR from a head whose configuration gives her that division too.
#[test]
fn the_server_refuses_what_a_configuration_claims() {
    let Some(admin) = server("the_server_refuses_what_a_configuration_claims") else {
        return;
    };
    let s = Store::postgres(&admin, &config());
    let db = s.pg.as_ref().expect("postgres");
    let file = s.env.sample("helpdesk.csv");
    s.ok("alex", NOW, &["import", file.to_str().expect("path")]);
    let sample = s.json(
        "dana",
        NOW,
        &["sample", "--size", "12", "--seed", "7", "--all"],
    );
    let billing = sample["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["division"] == "Billing")
        .expect("a Billing item")["external_id"]
        .as_str()
        .expect("id")
        .to_string();
    s.ok("priya", NOW, &["car", "open", &billing, "--why", "Refund"]);
    s.ok(
        "priya",
        NOW,
        &["car", "contact", "CAR-1", "--outcome", "Called"],
    );

    // The same logins, with a configuration that promotes the admin and widens the head.
    let mut claims = config()
        .replace("role = \"admin\"", "role = \"executive\"")
        .replace(
            "divisions = [\"Support\"]",
            "divisions = [\"Support\", \"Billing\"]",
        );
    for who in ["dana", "priya", "lee", "alex"] {
        claims = claims.replace(
            &format!("login = \"{who}\""),
            &format!("login = \"{}\"", db.login(who)),
        );
    }
    let lying = Store {
        env: Env::with_config(&claims),
        pg: None,
    };
    let as_claimed = |who: &str, args: &[&str]| {
        let out = lying
            .cmd_at(who, NOW)
            .env("SIGNOFF_DB", db.url_for(who))
            .args(args)
            .output()
            .expect("run");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, said) = as_claimed(
        "alex",
        &[
            "car",
            "cause",
            "CAR-1",
            "--category",
            "process",
            "--note",
            "x",
        ],
    );
    assert_eq!(code, Some(3), "{said}");
    assert!(said.contains("the store refused it"), "{said}");
    let (code, said) = as_claimed(
        "lee",
        &[
            "car",
            "cause",
            "CAR-1",
            "--category",
            "process",
            "--note",
            "x",
        ],
    );
    assert_eq!(code, Some(3), "{said}");
    assert!(said.contains("no CAR-1 among your divisions"), "{said}");
    let (code, said) = as_claimed("lee", &["car", "show", "CAR-1"]);
    assert_eq!(code, Some(3), "{said}");

    // A head sees only her divisions' steps, so the whole chain is not hers to check.
    let said = s.ends("lee", NOW, &["car", "verify"], 3);
    assert!(
        said.contains("an executive or an admin verifies it"),
        "{said}"
    );
    assert_eq!(s.json("alex", NOW, &["car", "verify"])["steps"], 2);

    // Nothing was added: the CAR has its two steps and the chain holds.
    let shown = s.json("dana", NOW, &["car", "show", "CAR-1"]);
    assert_eq!(shown["events"].as_array().map(Vec::len), Some(2));
    assert_eq!(s.json("dana", NOW, &["verify"])["ok"], true);
}

/// An import opens CARs by `cars.open_when` on PostgreSQL as on SQLite: the same complaints,
/// origins and due times, in the importer's name, and a re-import opens none again.
#[test]
fn an_import_opens_cars_by_its_rules_on_both_stores() {
    let rules = format!(
        "{}\n[cars]\nopen_when = [\"would-not-recommend\", \"wants-contact\"]\nmax_age_days = 0\n",
        common::CONFIG
    );
    let opened = |s: &Store| -> (Vec<Value>, Value) {
        let file = s.env.sample("helpdesk.csv");
        let path = file.to_str().expect("path");
        s.json("alex", NOW, &["import", path]);
        let first = s.json("dana", NOW, &["car", "list", "--all"]);
        s.json("alex", NEXT_DAY, &["import", path]);
        let again = s.json("dana", NEXT_DAY, &["car", "list", "--all"]);
        assert_eq!(
            first.as_array().map(Vec::len),
            again.as_array().map(Vec::len),
            "a re-import opens nothing on {}",
            s.name()
        );
        let list = unsealed(first);
        let steps: Vec<Value> = list
            .as_array()
            .expect("list")
            .iter()
            .map(|c| {
                serde_json::json!({
                    "external_id": c["external_id"], "origin": c["origin"],
                    "opened_by": c["opened_by"], "due_at": c["due_at"], "state": c["state"],
                })
            })
            .collect();
        let verified = s.json("dana", NEXT_DAY, &["verify"]);
        (steps, verified["ok"].clone())
    };
    let sqlite = Store {
        env: Env::with_config(&rules),
        pg: None,
    };
    let (lite, lite_ok) = opened(&sqlite);
    assert!(!lite.is_empty(), "the sample's rules open CARs");
    assert_eq!(lite_ok, Value::Bool(true));
    let Some(admin) = server("an_import_opens_cars_by_its_rules_on_both_stores") else {
        return;
    };
    let db = TestDb::new(&admin);
    let env = people_env(&db, &rules, &["dana", "priya", "lee", "alex"]);
    let pg = Store { env, pg: Some(db) };
    let (pg_cars, pg_ok) = opened(&pg);
    let plain: Vec<Value> = pg_cars
        .iter()
        .map(|v| serde_json::from_str(&pg.plain(&v.to_string())).expect("json"))
        .collect();
    assert_eq!(plain, lite);
    assert_eq!(pg_ok, Value::Bool(true));
}
