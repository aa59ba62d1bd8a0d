//! Roles cannot be bypassed through any command. Every subcommand is run by each role — the
//! executive, the head of the complaint's division, the head of another division, the admin and
//! a login that is not in [[people]] — on a fresh copy of the same store, and must be allowed or
//! refused (exit status 3, a clear message) as documented. A refused command, and any command
//! that only reads, changes no row of the store; a division head's output never holds another
//! division's complaint or response text, nor names its complaints; an unknown person's output
//! holds none at all.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::Env;

/// The fixture: Billing, Support and Logistics complaints whose texts carry markers
/// (`zqbilling…`, `zqsupport…`, `zqlogistics…`), received in the week before the tests' clock (`common::NOW`).
/// Billing 1–5 and Support 1–5 would not recommend and want contact (the import opens CARs);
/// Support's replies are one canned text (a canned group).
fn fixture() -> String {
    let mut s = String::from(
        "Ticket ID,Created,Channel,Requester,Requester email,Group,Product,Subject,Description,Public reply,Replied,Assignee,Likelihood to recommend,Wants contact\n",
    );
    let mut row = |id: &str, div: &str, n: usize, reply: &str, likely: u8, contact: &str| {
        let m = format!("zq{}{n}", div.to_lowercase());
        s.push_str(&format!(
            "{id},2026-11-1{} 10:00:00,email,Customer {n},c{n}@example.com,{div},Card,Problem {m}subject,\"I was charged twice and nobody called me back {m}complaint.\",\"{reply}\",2026-11-19 09:00:00,Agent {n},{likely},{contact}\n",
            5 + n % 4
        ));
    };
    for n in 1..=6 {
        let (likely, contact) = if n <= 5 { (2, "yes") } else { (9, "no") };
        row(
            &format!("BIL-{n}"),
            "Billing",
            n,
            &format!("Dear customer, we have refunded the second charge today zqbilling{n}reply."),
            likely,
            contact,
        );
    }
    for n in 1..=5 {
        row(
            &format!("SUP-{n}"),
            "Support",
            n,
            "We are sorry for the trouble and we will look into your case very soon zqsupportcanned.",
            2,
            "yes",
        );
    }
    for n in 1..=3 {
        row(
            &format!("LOG-{n}"),
            "Logistics",
            n,
            &format!("Your parcel is on its way again zqlogistics{n}reply."),
            8,
            "no",
        );
    }
    s
}

const EXTRA: &str = "Ticket ID,Created,Channel,Requester,Requester email,Group,Product,Subject,Description,Public reply,Replied,Assignee,Likelihood to recommend,Wants contact
BIL-901,2026-11-20 10:00:00,email,Ann,a@example.com,Billing,Card,Late refund zqbilling901,Still waiting zqbilling901.,Refunded now zqbilling901.,2026-11-20 12:00:00,Agent 9,7,no
BIL-902,2026-11-20 11:00:00,email,Ben,b@example.com,Billing,Card,Late refund zqbilling902,Still waiting zqbilling902.,Refunded now zqbilling902.,2026-11-20 12:00:00,Agent 9,7,no
";

/// The rows a command may change.
const TABLES: [&str; 8] = [
    "complaints",
    "complaint_history",
    "decisions",
    "samples",
    "sample_items",
    "imports",
    "cars",
    "car_events",
];

/// Rows per table; an error when the store is gone or is no longer a store.
fn counts(db: &Path) -> Result<BTreeMap<&'static str, i64>, String> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| e.to_string())?;
    TABLES
        .iter()
        .map(|t| {
            conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .map(|n| (*t, n))
                .map_err(|e| format!("{t}: {e}"))
        })
        .collect()
}

fn run_json(env: &Env, user: &str, args: &[&str]) -> serde_json::Value {
    let out = env
        .cmd(user)
        .args(args)
        .arg("--json")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{user} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn run_ok(env: &Env, user: &str, args: &[&str]) {
    let out = env.cmd(user).args(args).output().expect("run");
    assert!(
        out.status.success(),
        "{user} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The prepared store and the names the table refers to.
struct Template {
    env: Env,
    vars: BTreeMap<&'static str, String>,
}

fn car_of(env: &Env, external_id: &str) -> String {
    let id: i64 = env
        .conn()
        .query_row(
            "SELECT c.id FROM cars c JOIN complaints x ON x.id = c.complaint_id
             WHERE x.external_id = ?1",
            [external_id],
            |r| r.get(0),
        )
        .expect("a CAR for the complaint");
    format!("CAR-{id}")
}

fn template() -> Template {
    let env = Env::new();
    let file = env.dir.path().join("fixture.csv");
    std::fs::write(&file, fixture()).expect("fixture");
    env.import_json(&file, &[]);
    let extra = env.dir.path().join("extra.csv");
    std::fs::write(&extra, EXTRA).expect("extra");
    let revised = env.dir.path().join("revised.txt");
    std::fs::write(
        &revised,
        "Dear customer, I refunded you today and will call Friday.\n",
    )
    .expect("revised");

    run_ok(
        &env,
        "dana",
        &["sample", "--size", "8", "--all", "--seed", "5"],
    );
    let approved = run_json(&env, "dana", &["approve", "BIL-1"]);
    let pb = ["--reason", "canned", "--note", "Call the customer."];
    run_ok(&env, "dana", &[&["push-back", "BIL-2"][..], &pb].concat());
    run_ok(&env, "dana", &[&["push-back", "BIL-3"][..], &pb].concat());
    let answered = run_json(
        &env,
        "priya",
        &["answer", "BIL-3", "--corrective-action", "Refund sent."],
    );
    run_ok(&env, "dana", &["approve", "SUP-1"]);
    run_ok(&env, "dana", &[&["push-back", "SUP-2"][..], &pb].concat());

    let (open, contacted, caused, acted) = (
        car_of(&env, "BIL-1"),
        car_of(&env, "BIL-2"),
        car_of(&env, "BIL-3"),
        car_of(&env, "BIL-4"),
    );
    for car in [&contacted, &caused, &acted] {
        run_ok(
            &env,
            "dana",
            &["car", "contact", car, "--outcome", "Reached the customer."],
        );
    }
    for car in [&caused, &acted] {
        run_ok(
            &env,
            "dana",
            &[
                "car",
                "cause",
                car,
                "--category",
                "process",
                "--note",
                "Refunds wait for a batch.",
            ],
        );
    }
    run_ok(
        &env,
        "dana",
        &[
            "car",
            "act",
            &acted,
            "--note",
            "Refunds run daily.",
            "--when",
            "2026-11-10",
        ],
    );
    let group: i64 = env
        .conn()
        .query_row(
            "SELECT m.group_id FROM canned_members m JOIN complaints c ON c.id = m.complaint_id
             WHERE c.external_id = 'SUP-1'",
            [],
            |r| r.get(0),
        )
        .expect("the Support replies form a canned group");

    // One file, no WAL beside it, for the copies.
    env.conn()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .expect("checkpoint");

    let mut vars = BTreeMap::new();
    let id = |v: &serde_json::Value| v["id"].as_i64().expect("decision id").to_string();
    vars.insert("{D_DANA}", id(&approved));
    vars.insert("{D_PRIYA}", id(&answered));
    vars.insert("{CAR_OPEN}", open);
    vars.insert("{CAR_CONTACTED}", contacted);
    vars.insert("{CAR_CAUSED}", caused);
    vars.insert("{CAR_ACTED}", acted);
    vars.insert("{GROUP}", group.to_string());
    vars.insert("{EXTRA}", extra.display().to_string());
    vars.insert("{REVISED}", revised.display().to_string());
    Template { env, vars }
}

/// What a role gets.
#[derive(Debug, Clone, Copy)]
enum O {
    /// Exit 0.
    Ok,
    /// Exit 3, the message holding this.
    No(&'static str),
    /// Another exit status, the message holding this.
    Fail(i32, &'static str),
}

const OK: O = O::Ok;
const ROLE: O = O::No("may not");
const DIV: O = O::No("not among your divisions");
const WHO: O = O::No("is not among the people in the configuration");
const TTY: O = O::Fail(1, "needs a terminal");
const NOT_YOURS: O = O::No("only they may retract it");
const CAR_ROLE: O = O::No("only executives and the owning division's head may");
const THE_STORE: O = O::No("that is the store itself");

/// One command and what each role gets: executive (dana), the head of Billing (priya, whose
/// division the targets are in), the head of Support (lee), the admin (alex), an unknown login.
struct Case {
    args: &'static [&'static str],
    who: [O; 5],
    /// The table an allowed run adds rows to; None: it changes no counted row.
    grows: Option<&'static str>,
}

const fn case(args: &'static [&'static str], who: [O; 5], grows: Option<&'static str>) -> Case {
    Case { args, who, grows }
}

const PEOPLE: [&str; 5] = ["dana", "priya", "lee", "alex", "zed"];

const CASES: &[Case] = &[
    // Importing: admins and executives.
    case(
        &["import", "{EXTRA}"],
        [OK, ROLE, ROLE, OK, WHO],
        Some("imports"),
    ),
    case(
        &["import", "{EXTRA}", "--dry-run"],
        [OK, ROLE, ROLE, OK, WHO],
        None,
    ),
    case(
        &["import", "{EXTRA}", "--rejects", "{STORE}"],
        [THE_STORE, ROLE, ROLE, THE_STORE, WHO],
        None,
    ),
    case(&["stats"], [OK, OK, OK, OK, WHO], None),
    case(&["stats", "--json"], [OK, OK, OK, OK, WHO], None),
    // Sampling: executives draw; admins may replay.
    case(
        &["sample", "--size", "2", "--all", "--seed", "9"],
        [OK, ROLE, ROLE, ROLE, WHO],
        Some("samples"),
    ),
    case(
        &["sample", "--plan-only", "--all"],
        [OK, ROLE, ROLE, ROLE, WHO],
        None,
    ),
    case(
        &["sample", "--replay", "1"],
        [OK, ROLE, ROLE, OK, WHO],
        None,
    ),
    case(&["samples"], [OK, OK, OK, OK, WHO], None),
    case(&["samples", "--json"], [OK, OK, OK, OK, WHO], None),
    // Deciding: executives sign and push back; the division's head answers.
    case(
        &["approve", "BIL-5"],
        [OK, ROLE, DIV, ROLE, WHO],
        Some("decisions"),
    ),
    case(
        &[
            "push-back",
            "BIL-5",
            "--reason",
            "canned",
            "--note",
            "Call her.",
        ],
        [OK, ROLE, DIV, ROLE, WHO],
        Some("decisions"),
    ),
    case(
        &["answer", "BIL-2", "--dispute", "Not ours."],
        [ROLE, OK, DIV, ROLE, WHO],
        Some("decisions"),
    ),
    case(
        &["answer", "BIL-2", "--corrective-action", "Refunded."],
        [ROLE, OK, DIV, ROLE, WHO],
        Some("decisions"),
    ),
    case(
        &["answer", "BIL-2", "--revise", "{REVISED}"],
        [ROLE, OK, DIV, ROLE, WHO],
        Some("decisions"),
    ),
    case(
        &["retract", "{D_DANA}"],
        [OK, NOT_YOURS, NOT_YOURS, NOT_YOURS, WHO],
        Some("decisions"),
    ),
    case(
        &["retract", "{D_PRIYA}"],
        [NOT_YOURS, OK, NOT_YOURS, NOT_YOURS, WHO],
        Some("decisions"),
    ),
    // Reading: everyone listed, division heads their divisions only.
    case(&["show", "BIL-1"], [OK, OK, DIV, OK, WHO], None),
    case(&["show", "BIL-1", "--json"], [OK, OK, DIV, OK, WHO], None),
    case(&["show", "SUP-1", "--json"], [OK, DIV, OK, OK, WHO], None),
    case(&["status"], [OK, OK, OK, OK, WHO], None),
    case(&["status", "--json"], [OK, OK, OK, OK, WHO], None),
    case(
        &["status", "--sample", "1", "--json"],
        [OK, OK, OK, OK, WHO],
        None,
    ),
    case(
        &["status", "--division", "Support", "--json"],
        [OK, OK, OK, OK, WHO],
        None,
    ),
    case(&["verify"], [OK, ROLE, ROLE, OK, WHO], None),
    case(&["verify", "--head"], [OK, ROLE, ROLE, OK, WHO], None),
    // Profiles: anyone listed reads them; drafting is for those who import.
    case(&["profile", "list"], [OK, OK, OK, OK, WHO], None),
    case(&["profile", "show", "cfpb"], [OK, OK, OK, OK, WHO], None),
    case(
        &["profile", "draft", "{EXTRA}"],
        [OK, ROLE, ROLE, OK, WHO],
        None,
    ),
    case(&["review"], [TTY, TTY, TTY, TTY, WHO], None),
    case(
        &["review", "--sample", "1"],
        [TTY, TTY, TTY, TTY, WHO],
        None,
    ),
    // Corrective actions: executives and the division's head work them; admins read.
    case(&["car", "list", "--all"], [OK, OK, OK, OK, WHO], None),
    case(
        &["car", "list", "--all", "--json"],
        [OK, OK, OK, OK, WHO],
        None,
    ),
    case(
        &["car", "list", "--division", "Billing", "--json"],
        [OK, OK, DIV, OK, WHO],
        None,
    ),
    case(&["car", "show", "{CAR_OPEN}"], [OK, OK, DIV, OK, WHO], None),
    case(
        &["car", "show", "{CAR_OPEN}", "--json"],
        [OK, OK, DIV, OK, WHO],
        None,
    ),
    case(
        &["car", "open", "BIL-6", "--why", "Called twice."],
        [OK, OK, DIV, ROLE, WHO],
        Some("cars"),
    ),
    case(
        &["car", "contact", "{CAR_OPEN}", "--outcome", "Reached her."],
        [OK, OK, DIV, CAR_ROLE, WHO],
        Some("car_events"),
    ),
    case(
        &[
            "car",
            "cause",
            "{CAR_CONTACTED}",
            "--category",
            "process",
            "--note",
            "Batch refunds.",
        ],
        [OK, OK, DIV, CAR_ROLE, WHO],
        Some("car_events"),
    ),
    case(
        &["car", "act", "{CAR_CAUSED}", "--note", "Daily refunds."],
        [OK, OK, DIV, CAR_ROLE, WHO],
        Some("car_events"),
    ),
    case(
        &[
            "car",
            "check",
            "{CAR_ACTED}",
            "--worked",
            "yes",
            "--note",
            "No repeats.",
        ],
        [OK, OK, DIV, CAR_ROLE, WHO],
        Some("car_events"),
    ),
    case(
        &["car", "close", "{CAR_OPEN}", "--note", "Settled by phone."],
        [
            OK,
            O::No("only an executive may close a CAR"),
            DIV,
            CAR_ROLE,
            WHO,
        ],
        Some("car_events"),
    ),
    case(&["car", "verify"], [OK, OK, OK, OK, WHO], None),
    // Checks.
    case(&["flags"], [OK, OK, OK, OK, WHO], None),
    case(&["flags", "--json"], [OK, OK, OK, OK, WHO], None),
    case(
        &["flags", "--groups", "--json"],
        [OK, OK, OK, OK, WHO],
        None,
    ),
    case(
        &["flags", "--group", "{GROUP}", "--json"],
        [OK, OK, OK, OK, WHO],
        None,
    ),
    case(
        &["flags", "--complaint", "BIL-1", "--json"],
        [OK, OK, DIV, OK, WHO],
        None,
    ),
    case(
        &["flags", "--division", "Billing", "--json"],
        [OK, OK, DIV, OK, WHO],
        None,
    ),
    case(&["flags", "--refresh"], [OK, ROLE, ROLE, OK, WHO], None),
    // The review pack.
    case(&["report"], [OK, OK, OK, OK, WHO], None),
    case(&["report", "--format", "json"], [OK, OK, OK, OK, WHO], None),
    case(&["report", "--format", "html"], [OK, OK, OK, OK, WHO], None),
    case(&["report", "--format", "csv"], [OK, OK, OK, OK, WHO], None),
    case(
        &["report", "--division", "Billing", "--format", "json"],
        [OK, OK, DIV, OK, WHO],
        None,
    ),
    case(
        &["report", "--out", "{STORE}"],
        [THE_STORE, THE_STORE, THE_STORE, THE_STORE, WHO],
        None,
    ),
    // Commands that read no store: anyone.
    case(&["config"], [OK, OK, OK, OK, OK], None),
    case(&["config", "--default"], [OK, OK, OK, OK, OK], None),
    case(&["config", "--path"], [OK, OK, OK, OK, OK], None),
    case(&["completions", "bash"], [OK, OK, OK, OK, OK], None),
    case(&["man"], [OK, OK, OK, OK, OK], None),
    case(
        &["generate", "--rows", "20", "--out", "{DIR}/generated.csv"],
        [OK, OK, OK, OK, OK],
        None,
    ),
    case(
        &["generate", "--rows", "20", "--out", "{STORE}"],
        [THE_STORE, THE_STORE, THE_STORE, THE_STORE, THE_STORE],
        None,
    ),
    // The demo builds a store of its own, and never replaces one it did not build.
    case(
        &["demo", "--no-open", "--path", "{DIR}/demo/demo.db"],
        [OK, OK, OK, OK, OK],
        None,
    ),
    case(
        &["demo", "--no-open", "--path", "{STORE}"],
        [THE_STORE, THE_STORE, THE_STORE, THE_STORE, THE_STORE],
        None,
    ),
    case(
        &["demo", "--no-open", "--path", "{EXTRA}"],
        [O::No("not a demo store"); 5],
        None,
    ),
];

/// Complaint references in `text` (`BIL-3`, `SUP-12`, ...) with one of the prefixes.
fn refs_in(text: &str, prefixes: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for p in prefixes {
        let mut rest = text;
        while let Some(i) = rest.find(p) {
            let after = &rest[i + p.len()..];
            let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
            if !digits.is_empty() {
                found.push(format!("{p}{digits}"));
            }
            rest = after;
        }
    }
    found
}

/// What `who` must never see: text markers and complaint-reference prefixes.
fn hidden_from(who: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match who {
        "priya" => (&["zqsupport", "zqlogistics"], &["SUP-", "LOG-"]),
        "lee" => (&["zqbilling", "zqlogistics"], &["BIL-", "LOG-"]),
        "zed" => (
            &["zqbilling", "zqsupport", "zqlogistics"],
            &["BIL-", "SUP-", "LOG-"],
        ),
        _ => (&[], &[]),
    }
}

#[test]
fn every_command_for_every_role() {
    let t = template();
    let mut failures: Vec<String> = Vec::new();
    for c in CASES {
        for (who, expected) in PEOPLE.iter().zip(c.who) {
            let env = Env::new();
            std::fs::copy(&t.env.db, &env.db).expect("copy the store");
            let args: Vec<String> = c
                .args
                .iter()
                .map(|a| {
                    let mut a = a.replace("{DIR}", &env.dir.path().display().to_string());
                    a = a.replace("{STORE}", &env.db.display().to_string());
                    for (k, v) in &t.vars {
                        a = a.replace(k, v);
                    }
                    a
                })
                .collect();
            let shown = format!("{who} signoff {}", c.args.join(" "));
            let before = counts(&env.db).expect("the copied store");
            let out = env.cmd(who).args(&args).output().expect("run");
            let after = counts(&env.db);
            let code = out.status.code().unwrap_or(-1);
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let mut fail = |why: String| {
                failures.push(format!(
                    "{shown}: {why}\n    exit {code}; stderr: {}",
                    stderr.trim()
                ))
            };
            match expected {
                O::Ok => {
                    if code != 0 {
                        fail("expected to be allowed".into());
                    }
                }
                O::No(m) | O::Fail(_, m) => {
                    let want = if let O::Fail(n, _) = expected { n } else { 3 };
                    if code != want {
                        fail(format!("expected exit status {want}"));
                    } else if !stderr.starts_with("signoff: ") || !stderr.contains(m) {
                        fail(format!("expected a message saying {m:?}"));
                    } else if !stdout.trim().is_empty() {
                        fail(format!("a refusal printed {stdout:?}"));
                    }
                }
            }
            match (expected, c.grows, after) {
                (_, _, Err(e)) => fail(format!("the store is gone or broken: {e}")),
                (O::Ok, Some(table), Ok(after)) => {
                    if after[table] <= before[table] {
                        fail(format!("allowed, but added no row to {table}"));
                    }
                }
                (_, _, Ok(after)) => {
                    if after != before {
                        fail(format!("changed the store: {before:?} -> {after:?}"));
                    }
                }
            }
            let (markers, prefixes) = hidden_from(who);
            // The temporary directory's random name is not the store's text.
            let output =
                format!("{stdout}{stderr}").replace(&env.dir.path().display().to_string(), "{DIR}");
            for m in markers {
                if output.contains(m) {
                    fail(format!("the output holds {m}…, which {who} may not read"));
                }
            }
            for r in refs_in(&output, prefixes) {
                if !args.iter().any(|a| a == &r) {
                    fail(format!("the output names {r}, which {who} may not see"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} runs went wrong:\n{}",
        failures.len(),
        CASES.len() * PEOPLE.len(),
        failures.join("\n")
    );
    // The demo refused above left the file it was pointed at alone.
    assert!(Path::new(&t.vars["{EXTRA}"]).exists());
    assert!(t.env.config.exists());
}

/// What division heads see is theirs: their divisions' rows, their complaints' text.
#[test]
fn division_heads_see_their_divisions_only() {
    let t = template();
    let env = &t.env;
    for (who, division, marker) in [
        ("priya", "Billing", "zqbilling"),
        ("lee", "Support", "zqsupport"),
    ] {
        let status = run_json(env, who, &["status"]);
        let divs: Vec<&str> = status["divisions"]
            .as_array()
            .expect("divisions")
            .iter()
            .map(|d| d["division"].as_str().expect("name"))
            .collect();
        assert_eq!(divs, [division], "{who}'s status");
        let samples = run_json(env, who, &["samples"]);
        let n: i64 = env.count(&format!(
            "SELECT count(*) FROM sample_items i JOIN complaints c ON c.id = i.complaint_id
             WHERE c.division = '{division}'"
        ));
        let items: i64 = samples
            .as_array()
            .expect("samples")
            .iter()
            .map(|s| s["items"].as_i64().expect("items"))
            .sum();
        assert_eq!(items, n, "{who} counts only their items");
        let cars = run_json(env, who, &["car", "list", "--all"]);
        assert!(cars
            .as_array()
            .expect("cars")
            .iter()
            .all(|c| c["division"] == division));
        let report = run_json(env, who, &["report"]);
        let text = report.to_string();
        assert!(
            text.contains(division),
            "{who}'s pack covers {division}: {text}"
        );
        let own = if who == "priya" { "BIL-1" } else { "SUP-1" };
        let shown = run_json(env, who, &["show", own]);
        assert!(shown.to_string().contains(marker), "{who} reads {own}");
    }
    // The executive and the admin read everything.
    for who in ["dana", "alex"] {
        let status = run_json(env, who, &["status"]);
        let divs = status["divisions"].to_string();
        assert!(
            divs.contains("Billing") && divs.contains("Support"),
            "{divs}"
        );
        let shown = run_json(env, who, &["show", "SUP-3"]);
        assert!(shown.to_string().contains("zqsupport3complaint"));
    }
}
