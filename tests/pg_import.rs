//! `signoff import` into a PostgreSQL store: the same parsing, rejects, counts, dry run and
//! exit statuses as on SQLite, the rows merged by the store's loader. Needs a server
//! (SIGNOFF_TEST_PG); skipped without one, except under CI.

mod common;

use std::path::{Path, PathBuf};

use common::pg::{common_config, people_env, server, TestDb};
use common::{counts, Env};

const HEADER: &str = "Ticket ID,Created,Channel,Requester,Requester email,Group,Product,Subject,\
                      Description,Public reply,Replied,Assignee,Likelihood to recommend,Wants contact";

/// A week's helpdesk export: four complaints in two divisions.
const WEEK: &[&str] = &[
    "T-1,2026-11-16 09:12:44,email,Ann Hughes,ann.hughes@example.com,Billing,Broadband,Charged twice,\
     You took £42.50 twice on 2 November.,The duplicate is refunded.,2026-11-16 11:40:02,Priya Shah,3,no",
    "T-2,2026-11-16 14:03:10,web,José Núñez,jose@example.net,Support,SmartHub 3,Parcel in the rain,\
     \"The courier left it in the rain, soaked.\",A replacement is on its way.,2026-11-17 08:55:31,Hannah K,2,yes",
    "T-3,2026-11-17 08:31:57,phone,Zoë Whitfield,zoe@example.org,Support,Broadband,Engineer no-show,\
     The engineer never came.,,,,,no",
    "T-4,2026-11-18 10:00:00,chat,Sam Rowe,sam@example.net,Billing,Mobile,Late fee,\
     I paid on time and got a late fee.,The fee is removed.,2026-11-18 12:00:00,Lucy Pearce,8,no",
];

/// A migrated store with its people synced (by the database's owner).
fn store(db: &TestDb) -> Env {
    // The configuration names each person's login already.
    people_env(db, &common_config(db), &[])
}

fn write_csv(env: &Env, name: &str, rows: &[&str]) -> PathBuf {
    let path = env.dir.path().join(name);
    let mut text = format!("{HEADER}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(&path, text).expect("write export");
    path
}

/// What an import run said: its exit status, its JSON report and its standard error.
struct Run {
    code: i32,
    json: serde_json::Value,
    stderr: String,
}

/// `signoff import FILE --json ARGS` as `who` (a person of the test store) on `store` (a
/// PostgreSQL URL, or None for the SQLite file of `env`).
fn import(env: &Env, login: &str, store: Option<&str>, file: &Path, args: &[&str]) -> Run {
    let mut cmd = env.cmd(login);
    if let Some(url) = store {
        cmd.args(["--db", url]);
    }
    let out = cmd
        .arg("import")
        .arg(file)
        .args(args)
        .arg("--json")
        .output()
        .expect("run");
    Run {
        code: out.status.code().unwrap_or(-1),
        json: serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ok(run: Run) -> serde_json::Value {
    assert_eq!(run.code, 0, "import failed: {}", run.stderr);
    run.json
}

/// One value (or rows of values, `|`-separated) read by the database's owner.
fn q(db: &TestDb, sql: &str) -> String {
    let out = db.psql_owner(sql);
    assert!(out.ok, "{sql}: {}", out.stderr);
    out.stdout.trim().to_string()
}

/// The complaints of a PostgreSQL store as comparable lines: key, division, times, scores,
/// customer key, thread size and content hash (which covers every text).
fn pg_complaints(db: &TestDb) -> Vec<String> {
    q(
        db,
        "SELECT source, external_id, division, received_at, coalesce(responded_at::text, ''),
                coalesce(likelihood::text, ''),
                CASE WHEN wants_contact THEN '1' WHEN NOT wants_contact THEN '0' ELSE '' END,
                coalesce(customer_key, ''), coalesce(message_count::text, ''),
                encode(content_hash, 'hex')
         FROM complaints ORDER BY source, external_id",
    )
    .lines()
    .map(str::to_string)
    .collect()
}

/// The same lines from the SQLite store of `env`.
fn sqlite_complaints(env: &Env) -> Vec<String> {
    let conn = env.conn();
    let mut st = conn
        .prepare(
            "SELECT source, external_id, division, received_at, coalesce(responded_at, ''),
                    coalesce(likelihood, ''), coalesce(wants_contact, ''),
                    coalesce(customer_key, ''), coalesce(message_count, ''),
                    lower(hex(content_hash))
             FROM complaints ORDER BY source, external_id",
        )
        .expect("prepare");
    st.query_map([], |r| {
        (0..10)
            .map(|i| {
                Ok(match r.get::<_, rusqlite::types::Value>(i)? {
                    rusqlite::types::Value::Integer(n) => n.to_string(),
                    rusqlite::types::Value::Text(t) => t,
                    rusqlite::types::Value::Null => String::new(),
                    other => format!("{other:?}"),
                })
            })
            .collect::<rusqlite::Result<Vec<String>>>()
            .map(|v| v.join("|"))
    })
    .expect("query")
    .collect::<rusqlite::Result<Vec<String>>>()
    .expect("rows")
}

/// The messages of a PostgreSQL store's threads as comparable lines.
fn pg_messages(db: &TestDb) -> Vec<String> {
    q(
        db,
        "SELECT c.external_id, m.seq, coalesce(m.ext_id, ''), m.author, coalesce(m.name, ''),
                coalesce(m.at::text, ''), coalesce(m.channel, ''), m.text
         FROM messages m JOIN complaints c ON c.id = m.complaint_id
         ORDER BY c.source, c.external_id, m.seq",
    )
    .lines()
    .map(str::to_string)
    .collect()
}

/// The same lines from the SQLite store of `env`.
fn sqlite_messages(env: &Env) -> Vec<String> {
    let conn = env.conn();
    let mut st = conn
        .prepare(
            "SELECT c.external_id || '|' || m.seq || '|' || coalesce(m.ext_id, '') || '|' ||
                    m.author || '|' || coalesce(m.name, '') || '|' || coalesce(m.at, '') || '|' ||
                    coalesce(m.channel, '') || '|' || m.text
             FROM messages m JOIN complaints c ON c.id = m.complaint_id
             ORDER BY c.source, c.external_id, m.seq",
        )
        .expect("prepare");
    st.query_map([], |r| r.get::<_, String>(0))
        .expect("query")
        .collect::<rusqlite::Result<Vec<String>>>()
        .expect("rows")
}

#[test]
fn an_import_inserts_then_leaves_unchanged_then_updates_with_history() {
    let Some(url) = server("an_import_inserts_then_leaves_unchanged_then_updates_with_history")
    else {
        return;
    };
    let db = TestDb::new(&url);
    let env = store(&db);
    let alex = db.login("alex");
    let file = write_csv(&env, "week1.csv", WEEK);
    let first = ok(import(&env, &alex, Some(&db.url_for("alex")), &file, &[]));
    assert_eq!(counts(&first), [4, 4, 0, 0, 0], "{first}");
    let id = first["import_id"].as_i64().expect("an import id");
    assert_eq!(q(&db, "SELECT count(*) FROM complaints"), "4");
    assert_eq!(
        q(
            &db,
            &format!(
                "SELECT imported_by, file_name, rows_read, inserted, updated, unchanged, rejected
                 FROM imports WHERE id = {id}"
            )
        ),
        format!("{alex}|week1.csv|4|4|0|0|0")
    );
    assert_eq!(
        q(
            &db,
            "SELECT division, complaints FROM division_counts ORDER BY 1"
        ),
        "Billing|2\nSupport|2"
    );
    // The import brought the checks up to date in its own transaction, as on SQLite.
    assert_eq!(
        q(
            &db,
            "SELECT (SELECT sum(complaints) FROM check_daily)
                 || '|' || (SELECT run_by FROM check_runs ORDER BY id DESC LIMIT 1)"
        ),
        format!("4|{alex}")
    );

    // The same file again, the store named by SIGNOFF_DB: nothing changes.
    let mut cmd = env.cmd(&alex);
    let out = cmd
        .env("SIGNOFF_DB", db.url_for("alex"))
        .arg("import")
        .arg(&file)
        .arg("--json")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(counts(&again), [4, 0, 0, 4, 0], "{again}");
    assert_eq!(q(&db, "SELECT count(*) FROM complaint_history"), "0");

    // A changed text and a new complaint: the change keeps the earlier text.
    let mut week2: Vec<String> = WEEK.iter().map(|r| r.to_string()).collect();
    week2[0] = week2[0].replace("The duplicate is refunded.", "Refunded on 19 November.");
    week2.push(
        "T-5,2026-11-19 09:00:00,email,Kit Lane,kit@example.com,Billing,Mobile,Roaming,\
         Charged roaming in Portugal.,,,,,"
            .to_string(),
    );
    let rows: Vec<&str> = week2.iter().map(String::as_str).collect();
    let file2 = write_csv(&env, "week2.csv", &rows);
    let changed = ok(import(&env, &alex, Some(&db.url_for("alex")), &file2, &[]));
    assert_eq!(counts(&changed), [5, 1, 1, 3, 0], "{changed}");
    assert_eq!(q(&db, "SELECT count(*) FROM complaints"), "5");
    assert_eq!(
        q(
            &db,
            "SELECT h.response_text, h.cause FROM complaint_history h
             JOIN complaints c ON c.id = h.complaint_id WHERE c.external_id = 'T-1'"
        ),
        "The duplicate is refunded.|import"
    );
    assert_eq!(
        q(
            &db,
            "SELECT response_text, source_file FROM complaints WHERE external_id = 'T-1'"
        ),
        "Refunded on 19 November.|week2.csv"
    );
    assert_eq!(q(&db, "SELECT count(*) FROM imports"), "3");
}

#[test]
fn a_dry_run_keeps_nothing() {
    let Some(url) = server("a_dry_run_keeps_nothing") else {
        return;
    };
    let db = TestDb::new(&url);
    let env = store(&db);
    let alex = db.login("alex");
    let file = write_csv(&env, "week1.csv", WEEK);
    let dry = ok(import(
        &env,
        &alex,
        Some(&db.url_for("alex")),
        &file,
        &["--dry-run"],
    ));
    assert_eq!(counts(&dry), [4, 4, 0, 0, 0], "{dry}");
    assert_eq!(dry["dry_run"], true);
    assert!(dry["import_id"].is_null(), "{dry}");
    assert_eq!(q(&db, "SELECT count(*) FROM complaints"), "0");
    assert_eq!(q(&db, "SELECT count(*) FROM imports"), "0");
    assert_eq!(q(&db, "SELECT count(*) FROM division_counts"), "0");
}

#[test]
fn bad_rows_are_rejected_as_on_sqlite() {
    let Some(url) = server("bad_rows_are_rejected_as_on_sqlite") else {
        return;
    };
    let db = TestDb::new(&url);
    let env = store(&db);
    let alex = db.login("alex");
    let mut rows: Vec<&str> = WEEK.to_vec();
    // A date that is none, a score out of range, and a key seen before.
    rows.push(
        "T-6,yesterday,email,Archie Dean,archie@example.com,Billing,TV,Waited,\
         Delivery never came.,,,,,no",
    );
    rows.push(
        "T-7,2026-11-19 10:00:00,web,Hal Newton,hal@example.net,Support,Mobile,No signal,\
         No signal at home.,Repair due.,2026-11-19 12:00:00,Dan Brooks,11,no",
    );
    rows.push(
        "T-2,2026-11-19 11:00:00,web,José Núñez,jose@example.net,Support,SmartHub 3,Again,\
         Still wet.,,,,,no",
    );
    let file = write_csv(&env, "bad.csv", &rows);
    let pg_rejects = env.dir.path().join("pg.rejects.csv");
    let sqlite_rejects = env.dir.path().join("sqlite.rejects.csv");
    let pg = import(
        &env,
        &alex,
        Some(&db.url_for("alex")),
        &file,
        &["--rejects", pg_rejects.to_str().expect("path")],
    );
    assert_eq!(pg.code, 0, "{}", pg.stderr);
    let sqlite = ok(import(
        &env,
        &alex,
        None,
        &file,
        &["--rejects", sqlite_rejects.to_str().expect("path")],
    ));
    assert_eq!(counts(&pg.json), [7, 4, 0, 0, 3], "{}", pg.json);
    assert_eq!(counts(&pg.json), counts(&sqlite));
    assert_eq!(pg.json["first_rejects"], sqlite["first_rejects"]);
    let reasons = pg.json["first_rejects"].to_string();
    assert!(
        reasons.contains("line 6") && reasons.contains("Created"),
        "{reasons}"
    );
    assert!(reasons.contains("line 7"), "{reasons}");
    assert!(
        reasons.contains("line 8") && reasons.contains("first on line 3"),
        "{reasons}"
    );
    assert_eq!(
        std::fs::read_to_string(&pg_rejects).expect("pg rejects"),
        std::fs::read_to_string(&sqlite_rejects).expect("sqlite rejects")
    );
    assert_eq!(
        q(
            &db,
            "SELECT rows_read, inserted, rejected, rejects_file IS NOT NULL FROM imports"
        ),
        "7|4|3|t"
    );
    // The rows kept are the same complaints on both stores.
    assert_eq!(pg_complaints(&db), sqlite_complaints(&env));
}

#[test]
fn a_division_head_may_not_import_and_nothing_is_kept() {
    let Some(url) = server("a_division_head_may_not_import_and_nothing_is_kept") else {
        return;
    };
    let db = TestDb::new(&url);
    let env = store(&db);
    let file = write_csv(&env, "week1.csv", WEEK);
    // Refused for her role, as on SQLite.
    let priya = db.login("priya");
    let run = import(&env, &priya, Some(&db.url_for("priya")), &file, &[]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("may not import"), "{}", run.stderr);
    // Refused by the server for her login, whatever her own configuration says of her role:
    // on PostgreSQL who she is is her login, and what she may do is the server's to say.
    let claimed = Env::with_config(&common_config(&db).replace("division_head", "admin"));
    let run = import(&claimed, &priya, Some(&db.url_for("priya")), &file, &[]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("permission denied") && run.stderr.contains("may not import"),
        "{}",
        run.stderr
    );
    assert!(run.json["error"].as_str().is_some(), "{}", run.json);
    assert_eq!(q(&db, "SELECT count(*) FROM complaints"), "0");
    assert_eq!(q(&db, "SELECT count(*) FROM imports"), "0");
}

/// A helpdesk's conversation export (`messages` profile): two tickets, six messages.
const MESSAGES: &str = "Ticket ID,Author type,Author,Created at,Body,Subject,Group,Channel,Requester email
T-601,customer,Marta Lind,2026-11-07 16:24:00,I was charged twice for October.,Charged twice,Billing,web,marta@mail.example
T-601,agent,Acme Helpdesk,2026-11-07 16:25:00,We have received your request.,Charged twice,Billing,web,marta@mail.example
T-601,internal,Jonah (Billing),2026-11-08 03:24:00,Escalated to the team lead.,Charged twice,Billing,web,marta@mail.example
T-601,agent,Jonah (Billing),2026-11-08 08:24:00,The duplicate is refunded.,Charged twice,Billing,web,marta@mail.example
T-602,end-user,Ola Berg,2026-11-09 10:00:00,My router keeps dropping.,Router,Support,email,ola@mail.example
T-602,agent,Lee Moreau,2026-11-09 12:00:00,A new router is on its way.,Router,Support,email,ola@mail.example
";

#[test]
fn a_threaded_import_keeps_the_messages_as_on_sqlite() {
    let Some(url) = server("a_threaded_import_keeps_the_messages_as_on_sqlite") else {
        return;
    };
    let db = TestDb::new(&url);
    let env = store(&db);
    let alex = db.login("alex");
    let file = env.dir.path().join("conversations.csv");
    std::fs::write(&file, MESSAGES).expect("write");
    let args = ["--profile", "messages"];
    let pg = ok(import(&env, &alex, Some(&db.url_for("alex")), &file, &args));
    assert_eq!(counts(&pg), [6, 6, 0, 0, 0], "{pg}");
    assert_eq!(pg["threads"]["conversations"], 2, "{pg}");
    assert_eq!(q(&db, "SELECT count(*) FROM complaints"), "2");
    assert_eq!(
        q(
            &db,
            "SELECT c.external_id, m.seq, m.author, m.text FROM messages m
             JOIN complaints c ON c.id = m.complaint_id ORDER BY 1, 2"
        ),
        "T-601|0|customer|I was charged twice for October.\n\
         T-601|1|company|We have received your request.\n\
         T-601|2|note|Escalated to the team lead.\n\
         T-601|3|company|The duplicate is refunded.\n\
         T-602|0|customer|My router keeps dropping.\n\
         T-602|1|company|A new router is on its way."
    );
    let sqlite = ok(import(&env, &alex, None, &file, &args));
    assert_eq!(counts(&pg), counts(&sqlite));
    assert_eq!(pg["threads"], sqlite["threads"]);
    assert_eq!(pg_complaints(&db), sqlite_complaints(&env));
    assert_eq!(pg_messages(&db), sqlite_messages(&env));
    // Again: the conversations are unchanged, their messages kept once.
    let again = ok(import(&env, &alex, Some(&db.url_for("alex")), &file, &args));
    assert_eq!(counts(&again), [6, 0, 0, 6, 0], "{again}");
    assert_eq!(q(&db, "SELECT count(*) FROM messages"), "6");
}

#[test]
fn the_same_export_makes_the_same_complaints_on_both_stores() {
    let Some(url) = server("the_same_export_makes_the_same_complaints_on_both_stores") else {
        return;
    };
    let db = TestDb::new(&url);
    let env = store(&db);
    let alex = db.login("alex");
    let file = env.sample("helpdesk.csv");
    let pg = ok(import(&env, &alex, Some(&db.url_for("alex")), &file, &[]));
    let sqlite = ok(import(&env, &alex, None, &file, &[]));
    assert_eq!(counts(&pg), counts(&sqlite), "{pg}\n{sqlite}");
    assert!(counts(&pg)[1] > 10, "{pg}");
    let (p, s) = (pg_complaints(&db), sqlite_complaints(&env));
    assert_eq!(p.len(), s.len());
    for (a, b) in p.iter().zip(&s) {
        assert_eq!(a, b);
    }
    // The report tells the same file the same way, bar what only one store does.
    for k in [
        "profile",
        "encoding",
        "delimiter",
        "header_line",
        "first_rejects",
    ] {
        assert_eq!(pg[k], sqlite[k], "{k}");
    }
    // The threaded samples: conversations linked by reply, and a helpdesk's tickets.
    for (sample, profile) in [("social.csv", "social"), ("messages.csv", "messages")] {
        let file = env.sample(sample);
        let args = ["--profile", profile];
        let pg = ok(import(&env, &alex, Some(&db.url_for("alex")), &file, &args));
        let sqlite = ok(import(&env, &alex, None, &file, &args));
        assert_eq!(counts(&pg), counts(&sqlite), "{sample}");
        assert_eq!(pg["threads"], sqlite["threads"], "{sample}");
    }
    assert_eq!(pg_complaints(&db), sqlite_complaints(&env));
    let messages = pg_messages(&db);
    assert!(messages.len() > 100, "{}", messages.len());
    assert_eq!(messages, sqlite_messages(&env));
}

#[test]
fn a_damaged_copy_is_held_back_as_on_sqlite() {
    let Some(url) = server("a_damaged_copy_is_held_back_as_on_sqlite") else {
        return;
    };
    let db = TestDb::new(&url);
    let env = store(&db);
    let alex = db.login("alex");
    let pg_url = db.url_for("alex");
    let file = write_csv(&env, "week1.csv", WEEK);
    ok(import(&env, &alex, Some(&pg_url), &file, &[]));
    ok(import(&env, &alex, None, &file, &[]));
    // The pound sign turned into "?" by a tool that did not know the encoding; the customer's
    // address changed meanwhile, which the held-back row still takes.
    let mut rows: Vec<String> = WEEK.iter().map(|r| r.to_string()).collect();
    rows[0] = rows[0]
        .replace('£', "?")
        .replace("ann.hughes@example.com", "ann@example.org");
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let damaged = write_csv(&env, "week1-copy.csv", &rows);
    let pg = ok(import(&env, &alex, Some(&pg_url), &damaged, &[]));
    let sqlite = ok(import(&env, &alex, None, &damaged, &[]));
    assert_eq!(counts(&pg), [4, 0, 0, 3, 0], "{pg}");
    assert_eq!(pg["degraded"], 1, "{pg}");
    assert_eq!(pg["first_degraded"], sqlite["first_degraded"]);
    assert_eq!(counts(&pg), counts(&sqlite));
    assert_eq!(
        q(
            &db,
            "SELECT complaint_text FROM complaints WHERE external_id = 'T-1'"
        ),
        "You took £42.50 twice on 2 November."
    );
    assert_eq!(
        q(&db, "SELECT degraded FROM imports ORDER BY id DESC LIMIT 1"),
        "1"
    );
    assert_eq!(
        q(
            &db,
            "SELECT customer_key FROM complaints WHERE external_id = 'T-1'"
        ),
        "email:ann@example.org"
    );
    assert_eq!(pg_complaints(&db), sqlite_complaints(&env));
    // Applied when asked.
    let args = ["--accept-degraded"];
    let pg = ok(import(&env, &alex, Some(&pg_url), &damaged, &args));
    assert_eq!(counts(&pg), [4, 0, 1, 3, 0], "{pg}");
    ok(import(&env, &alex, None, &damaged, &args));
    assert_eq!(pg_complaints(&db), sqlite_complaints(&env));
}

#[test]
fn an_import_waits_for_another_as_long_as_the_store_allows() {
    let Some(url) = server("an_import_waits_for_another_as_long_as_the_store_allows") else {
        return;
    };
    let db = TestDb::new(&url);
    let env = store(&db);
    let config = format!("{}\n[store]\nwrite_wait_secs = 1\n", common_config(&db));
    std::fs::write(&env.config, config).expect("config");
    // Another import holds the store's import lock.
    let mut other = postgres::Client::connect(&db.owner_url(), postgres::NoTls).expect("connect");
    let mut tx = other.transaction().expect("begin");
    tx.execute(
        "SELECT pg_advisory_xact_lock($1)",
        &[&0x0049_4d50_4f52_5453i64],
    )
    .expect("lock");
    let file = write_csv(&env, "week1.csv", WEEK);
    let alex = db.login("alex");
    let started = std::time::Instant::now();
    let run = import(&env, &alex, Some(&db.url_for("alex")), &file, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("busy"), "{}", run.stderr);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    tx.rollback().expect("release");
    assert_eq!(q(&db, "SELECT count(*) FROM complaints"), "0");
    // Once the other has finished, the import goes through.
    ok(import(&env, &alex, Some(&db.url_for("alex")), &file, &[]));
    assert_eq!(q(&db, "SELECT count(*) FROM complaints"), "4");
}

#[test]
fn replies_in_a_later_export_join_the_stored_conversation_as_on_sqlite() {
    let Some(url) = server("replies_in_a_later_export_join_the_stored_conversation_as_on_sqlite")
    else {
        return;
    };
    let db = TestDb::new(&url);
    let env = store(&db);
    let alex = db.login("alex");
    let pg_url = db.url_for("alex");
    let header =
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id";
    let first = env.dir.path().join("social-1.csv");
    std::fs::write(
        &first,
        format!(
            "{header}\n\
             501,423630,True,Thu Oct 01 02:59:02 +0000 2026,@AcmeCare charged roaming in Spain,502,\n\
             502,AcmeCare,False,Thu Oct 01 03:49:02 +0000 2026,@423630 Please DM us your details.,,501\n"
        ),
    )
    .expect("write");
    // A week later: the customer answers the stored reply, and the company again.
    let later = env.dir.path().join("social-2.csv");
    std::fs::write(
        &later,
        format!(
            "{header}\n\
             503,423630,True,Thu Oct 08 09:00:00 +0000 2026,@AcmeCare sent the DM two days ago,504,502\n\
             504,AcmeCare,False,Thu Oct 08 10:00:00 +0000 2026,@423630 Refunded today.,,503\n"
        ),
    )
    .expect("write");
    let args = ["--profile", "social"];
    for file in [&first, &later] {
        let pg = ok(import(&env, &alex, Some(&pg_url), file, &args));
        let sqlite = ok(import(&env, &alex, None, file, &args));
        assert_eq!(counts(&pg), counts(&sqlite), "{pg}\n{sqlite}");
        assert_eq!(pg["threads"], sqlite["threads"]);
    }
    assert_eq!(q(&db, "SELECT count(*) FROM complaints"), "1");
    assert_eq!(
        q(
            &db,
            "SELECT string_agg(ext_id, ',' ORDER BY seq) FROM messages"
        ),
        "501,502,503,504"
    );
    assert_eq!(pg_complaints(&db), sqlite_complaints(&env));
    assert_eq!(pg_messages(&db), sqlite_messages(&env));
    // The earlier thread is kept with the earlier text.
    let earlier = q(&db, "SELECT thread FROM complaint_history");
    let earlier: serde_json::Value = serde_json::from_str(&earlier).expect("a thread in JSON");
    assert_eq!(earlier.as_array().map(Vec::len), Some(2), "{earlier}");
    assert_eq!(earlier[1]["text"], "@423630 Please DM us your details.");
}
