//! The checks on both stores: the same exports (canned replies, the local checks' cases,
//! repeat customers across sources, threads) imported into SQLite and into PostgreSQL must give
//! the same flags, canned groups, daily tallies and explanations, and the same again once days
//! have passed and deadlines have run out. On PostgreSQL the server keeps a division head to
//! their own divisions' checks and lets no one but those who see every division write them.
//! The PostgreSQL run needs a server (SIGNOFF_TEST_PG); without one it is skipped with a
//! message, except under CI.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::both::Store;
use common::pg::server;
use common::{Env, CONFIG};
use serde_json::Value;

const NOW: &str = "2026-11-21T12:00:00Z";
/// C-6 asked for contact two hours before NOW: by now it is late and ignored.
const LATER: &str = "2026-11-25T12:00:00Z";

trait Commands {
    fn ok(&self, who: &str, now: &str, args: &[&str]) -> String;
    fn json(&self, who: &str, now: &str, args: &[&str]) -> Value;
    fn rows(&self, sql: &str) -> BTreeSet<String>;
    fn import(&self, file: &Path);
}

impl Commands for Store {
    /// What a command printed, with the logins as the common names; it must succeed.
    fn ok(&self, who: &str, now: &str, args: &[&str]) -> String {
        let out = self.cmd_at(who, now).args(args).output().expect("run");
        let said = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{who} {args:?} on {}: {said}{}",
            self.name(),
            String::from_utf8_lossy(&out.stderr)
        );
        self.plain(&said)
    }

    fn json(&self, who: &str, now: &str, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        let mut v: Value = serde_json::from_str(&self.ok(who, now, &args)).expect("json");
        // How long a refresh took is the one figure that differs between runs.
        // What the last whole refresh covered differs too: SQLite keeps its checks up to date
        // import by import after the first refresh, PostgreSQL refreshes at each import.
        if let Some(run) = v.get_mut("as_of").and_then(Value::as_object_mut) {
            run.retain(|k, _| k == "at" || k == "run_by");
        }
        v
    }

    /// One text column per row, as a set: the same SQL on both stores.
    fn rows(&self, sql: &str) -> BTreeSet<String> {
        match &self.pg {
            Some(db) => {
                let out = db.psql_owner(sql);
                assert!(out.ok, "{sql}: {}", out.stderr);
                out.stdout.lines().map(String::from).collect()
            }
            None => {
                let c = self.env.conn();
                let mut st = c.prepare(sql).expect(sql);
                let rows = st.query_map([], |r| r.get::<_, String>(0)).expect("query");
                rows.map(|r| r.expect("row")).collect()
            }
        }
    }

    fn import(&self, file: &Path) {
        self.ok("alex", NOW, &["import", file.to_str().expect("path")]);
    }
}

fn fixture(env: &Env, dir: &str, name: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
        .join(name);
    let dst = env.dir.path().join(name);
    std::fs::copy(src, &dst).expect("copy fixture");
    dst
}

/// Every table the checks keep, by external ids rather than store ids.
const TABLES: &[(&str, &str)] = &[
    (
        "flags",
        "SELECT c.source || '|' || c.external_id || '|' || f.flag || '|' || f.division || '|'
             || coalesce(CAST(f.value AS TEXT), '') || '|' || coalesce(f.note, '') || '|'
             || coalesce(CAST(f.since AS TEXT), '')
         FROM complaint_flags f JOIN complaints c ON c.id = f.complaint_id",
    ),
    (
        "canned members",
        "SELECT c.source || '|' || c.external_id || '|' || g.normalised
         FROM canned_members m JOIN complaints c ON c.id = m.complaint_id
         JOIN canned_groups g ON g.id = m.group_id",
    ),
    (
        "canned groups",
        "SELECT CAST(customers AS TEXT) || '|' || CAST(cluster_customers AS TEXT) || '|'
             || CAST(words AS TEXT) || '|' || normalised
         FROM canned_groups",
    ),
    (
        "canned days",
        "SELECT CAST(d.day AS TEXT) || '|' || d.division || '|' || g.normalised || '|'
             || CAST(d.replies AS TEXT)
         FROM canned_daily d JOIN canned_groups g ON g.id = d.group_id",
    ),
    (
        "daily tallies",
        "SELECT CAST(day AS TEXT) || '|' || division || '|' || CAST(complaints AS TEXT) || '|'
             || CAST(responded AS TEXT) || '|' || CAST(canned AS TEXT) || '|'
             || CAST(contact_ignored AS TEXT) || '|' || CAST(escalation_refused AS TEXT) || '|'
             || CAST(late AS TEXT) || '|' || CAST(wants_contact AS TEXT) || '|'
             || CAST(detractors AS TEXT) || '|' || CAST(rt_0 AS TEXT) || '|'
             || CAST(rt_1 AS TEXT) || '|' || CAST(rt_2 AS TEXT) || '|' || CAST(rt_3 AS TEXT)
             || '|' || CAST(rt_4 AS TEXT) || '|' || CAST(rt_5 AS TEXT) || '|'
             || CAST(rt_unknown AS TEXT) || '|' || CAST(rt_seconds AS TEXT)
         FROM check_daily",
    ),
    (
        "verdicts",
        "SELECT c.source || '|' || c.external_id || '|' || CAST(s.counts AS TEXT) || '|'
             || CAST(s.rt_seconds AS TEXT) || '|' || coalesce(CAST(s.due_at AS TEXT), '')
         FROM check_seen s JOIN complaints c ON c.id = s.complaint_id",
    ),
];

/// What one store says of its checks at `now`: every kept table, the per-division counts,
/// the canned groups and a few complaints' flags in words.
fn checks(s: &Store, now: &str) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    // Read first, as a person would: time's flags are raised before the flags are read.
    let counts = s.json("dana", now, &["flags"]);
    seen.push(("counts".to_string(), counts.to_string()));
    for (name, sql) in TABLES {
        let rows = s.rows(sql);
        assert!(!rows.is_empty(), "{} keeps no {name}", s.name());
        seen.push((
            name.to_string(),
            rows.into_iter().collect::<Vec<_>>().join("\n"),
        ));
    }
    let groups = s.json("dana", now, &["flags", "--groups", "--limit", "100"]);
    seen.push(("groups".into(), groups.to_string()));
    let first = groups[0]["id"]
        .as_i64()
        .expect("a canned group")
        .to_string();
    let members = s.json("dana", now, &["flags", "--group", &first, "--limit", "5"]);
    seen.push(("members".into(), members.to_string()));
    for id in ["C-1", "C-3", "C-6", "C-9", "A-2", "T-9001"] {
        let said = s.json("dana", now, &["flags", "--complaint", id]);
        seen.push((format!("flags {id}"), said.to_string()));
    }
    seen
}

fn run(s: &Store) -> Vec<(String, String)> {
    s.import(&s.env.sample("helpdesk.csv"));
    s.import(&fixture(&s.env, "checks", "hd_checks.csv"));
    s.import(&fixture(&s.env, "customers", "hd_customers.csv"));
    s.import(&fixture(&s.env, "customers", "social_customers.csv"));
    s.import(&fixture(&s.env, "threads", "messages_threads.csv"));
    let mut seen = checks(s, NOW);
    let later = checks(s, LATER);
    let count = |v: &[(String, String)], what: &str| -> Value {
        let counts: Value = serde_json::from_str(&v[0].1).expect("counts");
        counts["total"][what].clone()
    };
    // Days passing raised flags that nothing else did.
    assert!(
        count(&later, "late").as_i64() > count(&seen, "late").as_i64(),
        "{}: late {} then {}",
        s.name(),
        count(&seen, "late"),
        count(&later, "late")
    );
    seen.extend(later);
    // A refresh from nothing comes to what was kept up to date.
    let summary = s.json("alex", LATER, &["flags", "--refresh"]);
    assert!(summary["flagged"].as_i64() > Some(0), "{summary}");
    let refreshed = checks(s, LATER);
    for ((name, kept), (_, again)) in seen[seen.len() - refreshed.len()..]
        .iter()
        .zip(&refreshed)
        .filter(|((name, _), _)| name != "counts")
    {
        assert_eq!(kept, again, "{}: {name} after a refresh", s.name());
    }
    // The flags are sampling rules: a draw that must include them picks the same complaints.
    let drawn = s.json(
        "dana",
        LATER,
        &[
            "sample",
            "--size",
            "5",
            "--seed",
            "11",
            "--all",
            "--include",
            "canned",
            "--include",
            "late",
            "--include",
            "repeat",
        ],
    );
    let picked: Vec<String> = drawn["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| format!("{} {}", i["external_id"], i["reason"]))
        .collect();
    assert!(
        picked.iter().any(|p| p.ends_with("\"rule:repeat\"")),
        "{}: {picked:?}",
        s.name()
    );
    seen.push(("draw by the flags".into(), picked.join("\n")));
    seen
}

#[test]
fn both_stores_keep_the_same_checks() {
    let sqlite = run(&Store::sqlite(CONFIG));
    let Some(admin) = server("both_stores_keep_the_same_checks") else {
        return;
    };
    let pg = run(&Store::postgres(&admin, CONFIG));
    assert_eq!(sqlite.len(), pg.len());
    for ((what, a), (_, b)) in sqlite.iter().zip(&pg) {
        assert_eq!(a, b, "{what}: SQLite, then PostgreSQL");
    }
}

/// Six Logistics customers sent one template: a canned group no Billing customer received.
fn logistics_template(env: &Env) -> PathBuf {
    let mut csv = String::from(
        "Ticket ID,Created,Channel,Requester,Requester email,Group,Product,Subject,Description,\
         Public reply,Replied,Assignee,Likelihood to recommend,Wants contact\n",
    );
    for i in 1..=6 {
        csv.push_str(&format!(
            "L-{i},2026-11-1{i} 09:00:00,email,Customer {i},c{i}@example.com,Logistics,Parcel,\
             Late parcel,My parcel number {i} has not arrived.,\
             \"Your parcel is with our courier partner and will arrive within five working days.\",\
             2026-11-1{i} 10:00:00,Agent 9,,no\n"
        ));
    }
    let path = env.dir.path().join("logistics.csv");
    std::fs::write(&path, csv).expect("write");
    path
}

#[test]
fn a_division_head_reads_and_writes_only_what_the_server_lets_her() {
    let Some(admin) = server("a_division_head_reads_and_writes_only_what_the_server_lets_her")
    else {
        return;
    };
    let s = Store::postgres(&admin, CONFIG);
    s.import(&s.env.sample("helpdesk.csv"));
    s.import(&fixture(&s.env, "checks", "hd_checks.csv"));
    s.import(&logistics_template(&s.env));

    // Her counts are her division's, whatever she asks for.
    let counts = s.json("priya", NOW, &["flags"]);
    let divisions: Vec<&str> = counts["divisions"]
        .as_array()
        .expect("divisions")
        .iter()
        .map(|d| d["division"].as_str().expect("name"))
        .collect();
    assert_eq!(divisions, ["Billing"], "{counts}");
    let all = s.json("dana", NOW, &["flags"]);
    assert!(all["divisions"].as_array().map(Vec::len) > Some(1), "{all}");

    // psql gives her no more: only canned groups that reached her customers, no other
    // division's flags, and no writing.
    let db = s.pg.as_ref().expect("pg");
    let hers = db.psql_as(
        "priya",
        "SELECT count(*) FROM canned_groups g WHERE NOT EXISTS
             (SELECT 1 FROM canned_members m JOIN complaints c ON c.id = m.complaint_id
              WHERE m.group_id = g.id AND c.division = 'Billing')",
    );
    assert!(hers.ok, "{}", hers.stderr);
    assert_eq!(hers.stdout.trim(), "0");
    // Each head sees the groups that reached her division: fewer than the whole store's.
    let count = |out: common::pg::Psql| -> i64 {
        assert!(out.ok, "{}", out.stderr);
        out.stdout.trim().parse().expect("a count")
    };
    let whole = count(db.psql_owner("SELECT count(*) FROM canned_groups"));
    let by_head: Vec<i64> = ["priya", "lee"]
        .iter()
        .map(|who| count(db.psql_as(who, "SELECT count(*) FROM canned_groups")))
        .collect();
    assert!(
        whole > 0 && by_head.iter().all(|n| *n <= whole),
        "{whole} {by_head:?}"
    );
    assert!(by_head.iter().any(|n| *n < whole), "{whole} {by_head:?}");
    let other = db.psql_as(
        "priya",
        "SELECT count(*) FROM complaint_flags WHERE division <> 'Billing'",
    );
    assert_eq!(other.stdout.trim(), "0", "{}", other.stderr);
    for sql in [
        "DELETE FROM complaint_flags",
        "UPDATE check_daily SET late = 0",
        "INSERT INTO check_runs (at, run_by, complaints, flagged, canned_groups, millis, settings)
             VALUES (0, 'x', 0, 0, 0, 0, '{}')",
        "UPDATE canned_groups SET normalised = 'x'",
        "DELETE FROM check_seen",
    ] {
        let tried = db.psql_as("priya", sql);
        assert!(!tried.ok, "{sql} was allowed");
        assert!(
            tried.stderr.contains("permission denied"),
            "{sql}: {}",
            tried.stderr
        );
    }
    // Nor may she refresh them through signoff.
    let out = s
        .cmd_at("priya", NOW)
        .args(["flags", "--refresh"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3));
    // The executive's figures are untouched by her attempts.
    assert_eq!(s.json("dana", NOW, &["flags"]), all);
}
