//! The whole loop from the command line, run on both stores: the embedded SQLite file and an
//! organisation's PostgreSQL database (each person connecting as their own login). An admin
//! imports, the executive draws, signs and pushes back, a division head answers with a revised
//! response, the executive signs it and retracts a sign-off; refusals; status, verify and the
//! week's review pack (the executive's, and a division head's). Both stores must say the same. The PostgreSQL run needs a server (SIGNOFF_TEST_PG); without one it
//! is skipped with a message, except under CI.

mod common;

use common::both::Store;
use common::pg::server;
use common::CONFIG;
use serde_json::Value;
use signoff::commands::report::gather;
use signoff::commands::Ctx;
use signoff::config::Config;
use signoff::domain::period;
use signoff::store::pg::PgStore;

/// The loop's commands, on either store.
trait Commands {
    fn json(&self, who: &str, args: &[&str]) -> Value;
    fn refused(&self, who: &str, args: &[&str], code: i32) -> String;
    fn plain_json(&self, v: &Value) -> String;
}

impl Commands for Store {
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

    /// Logins as the common names, so both stores' outputs compare.
    fn plain_json(&self, v: &Value) -> String {
        self.plain(&v.to_string())
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
    /// The week's review pack, the executive's and the head of Billing's.
    pack: Value,
    billing_pack: Value,
}

/// The week's review pack as `who` has it (a division head when `head`), without the two
/// figures that differ by store.
fn pack(s: &Store, who: &str, head: bool) -> Value {
    let mut v = s.json(who, &["report", "--period", "week", "--format", "json"]);
    // Everything must be equal on both stores but the chains' ends: each hash covers records
    // signed by logins, and the PostgreSQL test store's logins are its own (prefixed, since
    // tests share a server); and on PostgreSQL a division head cannot count the records of
    // other divisions, so her `records` counts those she reads (the end's id is the chain's).
    for chain in ["decisions", "car_steps"] {
        if let Some(end) = v["meta"]["chain_head"][chain].as_object_mut() {
            end.remove("hash");
            if head {
                end.remove("records");
            }
        }
    }
    serde_json::from_str(&s.plain_json(&v)).expect("json")
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
    let status_after_answer = s.plain_json(&s.json("dana", &["status"])["total"]);

    // The revised response is signed; signing it again is refused; a sign-off is retracted.
    s.json("dana", &["approve", &billing]);
    let said = s.refused("dana", &["approve", &billing], 1);
    assert!(said.contains("already signed"), "{said}");
    s.json("dana", &["retract", &signed[0].to_string()]);
    let status_at_end = s.plain_json(&s.json("dana", &["status"])["total"]);

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
    let pack_all = pack(s, "dana", false);
    let billing_pack = pack(s, "priya", true);
    assert_eq!(billing_pack["meta"]["scope"], "Billing", "{}", s.name());
    Seen {
        import,
        drawn,
        status_after_answer,
        status_at_end,
        verify_ok: verified["ok"] == true,
        verified_decisions: verified["decisions"].as_i64().expect("decisions"),
        stats: s.plain_json(&stats),
        pack: pack_all,
        billing_pack,
    }
}

#[test]
fn the_loop_says_the_same_on_sqlite_and_postgresql() {
    let sqlite = week(&Store::sqlite(CONFIG));
    assert!(sqlite.verify_ok, "{sqlite:?}");
    assert_eq!(sqlite.verified_decisions, 6);
    let Some(admin) = server("the_loop_says_the_same_on_sqlite_and_postgresql") else {
        return;
    };
    let pg_store = Store::postgres(&admin, CONFIG);
    let pg = week(&pg_store);
    for (what, a, b) in [
        ("the executive's pack", &sqlite.pack, &pg.pack),
        (
            "the head of Billing's pack",
            &sqlite.billing_pack,
            &pg.billing_pack,
        ),
    ] {
        let mut found = Vec::new();
        differences(a, b, "", &mut found);
        assert!(
            found.is_empty(),
            "{what}, SQLite then PostgreSQL:\n{}",
            found.join("\n")
        );
    }
    assert_eq!(pg, sqlite);
    only_her_divisions(&pg_store, &pg);
}

/// The head of Billing's pack read on PostgreSQL with no division filter of signoff's own: the
/// server's row-level security alone keeps every other division's complaints and figures out,
/// and what is left are the figures of her pack.
fn only_her_divisions(s: &Store, seen: &Seen) {
    let db = s.pg.as_ref().expect("a PostgreSQL store");
    let now = chrono::DateTime::parse_from_rfc3339(common::NOW)
        .expect("now")
        .with_timezone(&chrono::Utc);
    let ctx = Ctx {
        cfg: Config::defaults().expect("defaults"),
        config_file: None,
        json: true,
        now,
        clock: std::sync::Arc::new(move || now),
        login: Some(db.login("priya")),
    };
    let (p, stride) = period::parse("week", now).expect("week");
    let trend = period::trend(&p, stride, ctx.cfg.report.trend_periods);
    let mut store = PgStore::connect(&db.url_for("priya")).expect("connect");
    let pack = store
        .read_report(|r| gather(&ctx, r, None, p, trend, "Priya Shah"))
        .expect("pack");
    let v = serde_json::to_value(&pack).expect("json");

    let mut divisions = Vec::new();
    each_division(&v, &mut divisions);
    // "all" is what the pack calls the sum over the divisions it covers.
    assert!(
        divisions.iter().all(|d| d == "Billing" || d == "all"),
        "divisions in her pack: {divisions:?}"
    );
    let mut theirs = Vec::new();
    foreign_complaints(&seen.pack, &mut theirs);
    assert!(
        !theirs.is_empty(),
        "the executive's pack quotes other divisions"
    );
    let text = v.to_string();
    for ext in &theirs {
        assert!(!text.contains(ext.as_str()), "{ext} is in her pack: {text}");
    }
    // Her figures as the server leaves them are those of her pack (which also filters them).
    for section in [
        "summary",
        "divisions",
        "trend",
        "recommend_trend",
        "reasons",
        "response_times",
        "canned_groups",
        "flags",
        "cars",
        "verbatims",
        "ad_hoc",
    ] {
        assert_eq!(
            v[section], seen.billing_pack[section],
            "{section}: read by the server's rules alone, then by her pack"
        );
    }
    let billing = |v: &Value| {
        v["cars"]["by_division"]
            .as_array()
            .and_then(|ds| ds.iter().find(|d| d["division"] == "Billing"))
            .map(|d| d["opened"].clone())
    };
    assert_eq!(Some(v["cars"]["opened"].clone()), billing(&seen.pack));
}

/// Every value named `division` in a pack.
fn each_division(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("division", Value::String(d)) => out.push(d.clone()),
                    _ => each_division(x, out),
                }
            }
        }
        Value::Array(xs) => xs.iter().for_each(|x| each_division(x, out)),
        _ => {}
    }
}

/// The external ids of the complaints a pack names outside Billing.
fn foreign_complaints(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let (Some(Value::String(ext)), Some(d)) = (m.get("external_id"), m.get("division")) {
                if d != "Billing" {
                    out.push(ext.clone());
                }
            }
            m.values().for_each(|x| foreign_complaints(x, out));
        }
        Value::Array(xs) => xs.iter().for_each(|x| foreign_complaints(x, out)),
        _ => {}
    }
}

/// Where two JSON values differ, one line per path (`a` first).
fn differences(a: &Value, b: &Value, at: &str, found: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let (x, y) = (&x.get(k), &y.get(k));
                match (x, y) {
                    (Some(x), Some(y)) => differences(x, y, &format!("{at}.{k}"), found),
                    _ => found.push(format!("{at}.{k}: {x:?} / {y:?}")),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                differences(x, y, &format!("{at}[{i}]"), found);
            }
        }
        _ if a != b => found.push(format!("{at}: {a} / {b}")),
        _ => {}
    }
}
