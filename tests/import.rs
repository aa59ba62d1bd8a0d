//! `signoff import` on real and hostile exports: counts add up, rejects name their lines.

mod common;

use common::{counts, degraded, fixtures, Env};
use predicates::prelude::*;

#[test]
fn every_fixture_is_accounted_for() {
    // (file, read, inserted, rejected)
    let cases = [
        ("hd_clean.csv", 10, 10, 0),
        ("hd_bom_crlf.csv", 8, 8, 0),
        ("hd_excel_semicolon_cp1252.csv", 8, 8, 0),
        ("hd_tab.tsv", 6, 6, 0),
        ("hd_banner.csv", 5, 5, 0),
        ("hd_bad_rows.csv", 12, 7, 5),
        ("hd_duplicate_ids.csv", 5, 4, 1),
        ("hd_control_chars.csv", 4, 4, 0),
        ("header_only.csv", 0, 0, 0),
        ("cfpb_small.csv", 5, 5, 0),
        ("generic_small.csv", 5, 5, 0),
        ("social_small.csv", 10, 10, 0),
    ];
    for (file, read, inserted, rejected) in cases {
        let env = Env::new();
        let r = env.import_json(&env.fixture(file), &[]);
        let [r_read, r_ins, r_upd, r_unch, r_rej] = counts(&r);
        assert_eq!(
            (r_read, r_ins, r_rej),
            (read, inserted, rejected),
            "{file}: {r}"
        );
        assert_eq!(r_read, r_ins + r_upd + r_unch + r_rej, "{file}");
        assert_eq!(degraded(&r), 0, "{file}");
        assert!(r["import_id"].as_i64().is_some(), "{file}");
    }
}

#[test]
fn reimport_is_idempotent_and_changes_keep_history() {
    let env = Env::new();
    let first = env.import_json(&env.fixture("hd_clean.csv"), &[]);
    assert_eq!(counts(&first), [10, 10, 0, 0, 0]);
    let again = env.import_json(&env.fixture("hd_clean.csv"), &[]);
    assert_eq!(counts(&again), [10, 0, 0, 10, 0]);
    assert_eq!(env.count("SELECT count(*) FROM complaint_history"), 0);

    let changed = env.import_json(&env.fixture("hd_clean_changed.csv"), &[]);
    assert_eq!(counts(&changed), [12, 2, 3, 7, 0]);
    assert_eq!(env.count("SELECT count(*) FROM complaints"), 12);
    // The earlier texts are kept: T-10005 had no reply before.
    assert_eq!(env.count("SELECT count(*) FROM complaint_history"), 3);
    assert_eq!(
        env.count(
            "SELECT count(*) FROM complaint_history h JOIN complaints c ON c.id = h.complaint_id
             WHERE c.external_id = 'T-10005' AND h.response_text IS NULL"
        ),
        1
    );
    // The search index follows the new text and forgets the old.
    let hits = |q: &str| {
        env.count(&format!(
            "SELECT count(*) FROM complaints_fts WHERE complaints_fts MATCH '{q}'"
        ))
    };
    assert!(hits("UPDATE") >= 1);
    let again = env.import_json(&env.fixture("hd_clean_changed.csv"), &[]);
    assert_eq!(counts(&again), [12, 0, 0, 12, 0]);
}

#[test]
fn rejects_file_names_lines_and_reasons_and_is_private() {
    let env = Env::new();
    let file = env.fixture("hd_bad_rows.csv");
    let r = env.import_json(&file, &[]);
    let rejects = std::path::PathBuf::from(r["rejects_file"].as_str().expect("rejects file"));
    assert_eq!(rejects, env.dir.path().join("hd_bad_rows.rejects.csv"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&rejects)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&rejects)
        .expect("read rejects");
    let header = rdr.headers().expect("header").clone();
    assert_eq!(&header[0], "line");
    assert_eq!(&header[1], "reason");
    assert_eq!(&header[2], "Ticket ID");
    let rows: Vec<(String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.expect("record");
            (r[0].to_string(), r[1].to_string())
        })
        .collect();
    let lines: Vec<&str> = rows.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(lines, ["4", "6", "8", "10", "12"]);
    assert!(rows[0].1.contains("expected 14 fields"));
    assert!(rows[2].1.contains("Created") && rows[2].1.contains("yesterday"));
    assert!(rows[3].1.contains("Likelihood to recommend"));
    assert!(rows[4].1.contains("Ticket ID"));
    // The rejects file is read by the same profile (its rows still need fixing: exit 1).
    env.cmd("alex")
        .args(["import", "--dry-run"])
        .arg(&rejects)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("profile helpdesk (detected)"));
}

#[test]
fn text_output_has_the_summary_line() {
    let env = Env::new();
    env.cmd("alex")
        .arg("import")
        .arg(env.fixture("hd_bad_rows.csv"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "read 12 rows: inserted 7, updated 0, unchanged 0, degraded 0, rejected 5",
        ))
        .stderr(predicate::str::contains("hd_bad_rows.csv: line 8:"));
}

#[test]
fn dry_run_changes_nothing() {
    let env = Env::new();
    let r = env.import_json(&env.fixture("hd_bad_rows.csv"), &["--dry-run"]);
    assert_eq!(counts(&r), [12, 7, 0, 0, 5]);
    assert!(r["import_id"].is_null());
    assert_eq!(env.count("SELECT count(*) FROM complaints"), 0);
    assert_eq!(env.count("SELECT count(*) FROM imports"), 0);
    assert!(!env.dir.path().join("hd_bad_rows.rejects.csv").exists());
}

#[test]
fn windows_1252_semicolons_and_day_first_dates() {
    let env = Env::new();
    let r = env.import_json(&env.fixture("hd_excel_semicolon_cp1252.csv"), &[]);
    assert_eq!(r["encoding"], "windows-1252");
    assert_eq!(r["delimiter"], "semicolon");
    let conn = env.conn();
    let (customer, text, received): (String, String, i64) = conn
        .query_row(
            "SELECT customer, complaint_text, received_at FROM complaints WHERE external_id = 'T-30001'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("row");
    assert_eq!(customer, "Chloé Martin");
    assert!(text.contains("€12") && text.contains("I’d"), "{text}");
    // 14/11/2026 09:05 read day-first.
    assert_eq!(received, 1_794_647_100);
}

#[test]
fn bom_crlf_and_banner_lines() {
    let env = Env::new();
    let r = env.import_json(&env.fixture("hd_bom_crlf.csv"), &[]);
    assert_eq!(r["encoding"], "utf-8 (BOM)");
    assert_eq!(
        env.count(
            "SELECT count(*) FROM complaints WHERE complaint_text LIKE '%' || char(13) || '%'"
        ),
        0
    );
    assert_eq!(
        env.count("SELECT source_line FROM complaints WHERE external_id = 'T-20003'"),
        4
    );
    let r = env.import_json(&env.fixture("hd_banner.csv"), &[]);
    assert_eq!(r["header_line"], 4);
    assert_eq!(
        env.count("SELECT min(source_line) FROM complaints WHERE source_file = 'hd_banner.csv'"),
        5
    );
}

#[test]
fn ambiguous_dates_stop_unless_the_order_is_given() {
    let env = Env::new();
    let file = env.fixture("hd_ambiguous_dates.csv");
    env.cmd("alex")
        .arg("import")
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("hd_ambiguous_dates.csv"))
        .stderr(predicate::str::contains("\"Created\""))
        .stderr(predicate::str::contains("03/04/2026 10:00"));
    assert_eq!(env.count("SELECT count(*) FROM complaints"), 0);
    let r = env.import_json(&file, &["--date-order", "dmy"]);
    assert_eq!(counts(&r), [6, 6, 0, 0, 0]);
    // 03/04/2026 day-first is the 3rd of April.
    assert_eq!(
        env.count("SELECT received_at FROM complaints WHERE external_id = 'T-50001'"),
        1_775_210_400
    );
}

#[test]
fn unreadable_files_exit_1_naming_the_file() {
    let env = Env::new();
    for (file, says) in [
        ("empty.csv", "empty"),
        ("binary_junk.bin", "binary"),
        ("unknown_header.csv", "no profile matches the header"),
    ] {
        env.cmd("alex")
            .arg("import")
            .arg(env.fixture(file))
            .assert()
            .code(1)
            .stderr(predicate::str::contains(file))
            .stderr(predicate::str::contains(says));
    }
    env.cmd("alex")
        .args(["import", "/nonexistent/export.csv"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("/nonexistent/export.csv"));
    assert_eq!(env.count("SELECT count(*) FROM complaints"), 0);
}

#[test]
fn usage_errors_exit_2_and_refusals_exit_3() {
    let env = Env::new();
    env.cmd("alex")
        .args(["import", "--profile", "nope"])
        .arg(env.fixture("hd_clean.csv"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no profile named \"nope\""));
    env.cmd("alex")
        .args(["import", "--encoding", "ebcdic"])
        .arg(env.fixture("hd_clean.csv"))
        .assert()
        .code(2);
    env.cmd("priya")
        .arg("import")
        .arg(env.fixture("hd_clean.csv"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("may not import"));
    env.cmd("mallory")
        .arg("import")
        .arg(env.fixture("hd_clean.csv"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("mallory is not among the people"));
    assert_eq!(env.count("SELECT count(*) FROM complaints"), 0);
}

#[test]
fn a_failed_import_leaves_the_store_as_it_was() {
    let env = Env::new();
    env.import_json(&env.fixture("hd_clean.csv"), &[]);
    let before = env.count("SELECT count(*) FROM complaints");
    // The rejects file cannot be written, so the import fails at its first bad row, after
    // good rows have already been written inside the transaction.
    env.cmd("alex")
        .arg("import")
        .arg(env.fixture("hd_bad_rows.csv"))
        .args(["--rejects", "/nonexistent/dir/rejects.csv"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("rejects file"));
    assert_eq!(env.count("SELECT count(*) FROM complaints"), before);
    assert_eq!(env.count("SELECT count(*) FROM imports"), 1);
}

#[test]
fn cfpb_current_and_legacy_are_told_apart_and_agree() {
    let env = Env::new();
    let a = env.import_json(&env.fixture("cfpb_small.csv"), &[]);
    assert_eq!(a["profile"], "cfpb");
    let env2 = Env::new();
    let b = env2.import_json(&env2.fixture("cfpb_legacy_small.csv"), &[]);
    assert_eq!(b["profile"], "cfpb-legacy");
    let dump = |e: &Env| -> Vec<(String, i64, String, String)> {
        let conn = e.conn();
        let mut st = conn
            .prepare("SELECT external_id, received_at, division, complaint_text FROM complaints ORDER BY external_id")
            .expect("prepare");
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    let (da, db) = (dump(&env), dump(&env2));
    assert_eq!(da.len(), 5);
    assert_eq!(da, db);
    assert!(da.iter().any(|r| r.0 == "90000101" && r.2 == "Credit card"));
    let lines: Vec<i64> = {
        let conn = env.conn();
        let mut st = conn
            .prepare("SELECT source_line FROM complaints ORDER BY source_line")
            .expect("prepare");
        st.query_map([], |r| r.get(0))
            .expect("q")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    assert_eq!(lines, [2, 3, 8, 13, 14]);
}

#[test]
fn social_replies_become_responses() {
    let env = Env::new();
    env.import_json(&env.fixture("social_small.csv"), &[]);
    assert_eq!(env.count("SELECT count(*) FROM complaints"), 6);
    assert_eq!(
        env.count("SELECT count(*) FROM complaints WHERE response_text IS NOT NULL"),
        4
    );
    assert_eq!(
        env.count("SELECT count(*) FROM complaints WHERE external_id IN ('505', '510') AND response_text IS NULL"),
        2
    );
    let reply: String = env
        .conn()
        .query_row(
            "SELECT response_text FROM complaints WHERE external_id = '503'",
            [],
            |r| r.get(0),
        )
        .expect("row");
    assert!(
        reply.contains("Please DM us your account details"),
        "{reply}"
    );
    let again = env.import_json(&env.fixture("social_small.csv"), &[]);
    assert_eq!(counts(&again), [10, 0, 0, 10, 0]);
}

#[test]
fn sample_data_imports_cleanly() {
    let env = Env::new();
    for (file, profile, read) in [
        ("helpdesk.csv", "helpdesk", 320),
        ("social.csv", "social", 158),
        ("cfpb.csv", "cfpb", 60),
        ("cfpb-legacy.csv", "cfpb-legacy", 60),
    ] {
        let r = env.import_json(&env.sample(file), &["--dry-run"]);
        assert_eq!(r["profile"], profile, "{file}");
        assert_eq!(r["read"], read, "{file}");
        assert_eq!(r["rejected"], 0, "{file}: {r}");
    }
    assert!(fixtures().exists());
}

#[test]
fn stats_counts_by_source_and_division() {
    let env = Env::new();
    env.import_json(&env.sample("helpdesk.csv"), &[]);
    env.import_json(&env.fixture("cfpb_small.csv"), &[]);
    let out = env
        .cmd("dana")
        .args(["stats", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["complaints"], 325);
    let by_source = v["by_source"].as_array().expect("array");
    assert_eq!(by_source[0]["key"], "helpdesk");
    assert_eq!(by_source[0]["complaints"], 320);
    assert_eq!(v["imports"].as_array().expect("imports").len(), 2);
    // A division head sees only their divisions.
    let out = env
        .cmd("priya")
        .args(["stats", "--json"])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["by_division"].as_array().expect("array").len(), 1);
    assert_eq!(v["by_division"][0]["key"], "Billing");
    env.cmd("mallory").arg("stats").assert().code(3);
}

/// What every import keeps for sampling rules agrees with the complaints themselves: the
/// counts by division, likelihood and wants-contact, and each phrase rule's set of matches,
/// after a first import, a top-up that only adds, and one that changes rows.
#[test]
fn imports_keep_the_sampling_rule_sets_true() {
    let env = Env::new();
    let check = |when: &str| {
        let conn = env.conn();
        let stored: Vec<(String, i64, i64, i64)> = {
            let mut st = conn
                .prepare("SELECT * FROM rule_counts ORDER BY 1, 2, 3")
                .expect("prepare");
            let rows = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .expect("query");
            rows.map(|r| r.expect("row")).collect()
        };
        let actual: Vec<(String, i64, i64, i64)> = {
            let mut st = conn
                .prepare(
                    "SELECT division, coalesce(likelihood, -1), coalesce(wants_contact, -1),
                            count(*) FROM complaints GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
                )
                .expect("prepare");
            let rows = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .expect("query");
            rows.map(|r| r.expect("row")).collect()
        };
        assert_eq!(stored, actual, "rule counts after {when}");
        let mut st = conn
            .prepare("SELECT rule, query, matches, bits FROM phrase_rule_sets")
            .expect("prepare");
        let sets: Vec<(String, String, i64, Vec<u8>)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect();
        assert_eq!(sets.len(), 2, "{sets:?}");
        for (rule, query, matches, bits) in sets {
            let mut st = conn
                .prepare("SELECT rowid FROM complaints_fts WHERE complaints_fts MATCH ?1")
                .expect("prepare");
            let want: Vec<i64> = st
                .query_map([&query], |r| r.get(0))
                .expect("query")
                .map(|r| r.expect("row"))
                .collect();
            let got: Vec<i64> = (0..bits.len() as i64 * 8)
                .filter(|i| bits[(*i / 8) as usize] & (1 << (i % 8)) != 0)
                .collect();
            let mut want_sorted = want.clone();
            want_sorted.sort_unstable();
            assert_eq!(got, want_sorted, "{rule} after {when}");
            assert_eq!(matches, want.len() as i64, "{rule} after {when}");
        }
    };
    env.import_json(&env.fixture("hd_clean.csv"), &[]);
    check("a first import");
    // Some rows of the clean file ask for a manager or use negative words: the sets are not
    // trivially empty.
    assert!(
        env.count("SELECT sum(matches) FROM phrase_rule_sets") > 0,
        "the fixture should match some phrases"
    );
    let [_, inserted, updated, _, _] = counts(&env.import_json(&env.fixture("hd_tab.tsv"), &[]));
    assert!(
        inserted > 0 && updated == 0,
        "a top-up: {inserted} {updated}"
    );
    check("a top-up");
    let [_, _, updated, _, _] = counts(&env.import_json(&env.fixture("hd_clean_changed.csv"), &[]));
    assert!(updated > 0);
    check("an import that changes rows");
}

/// A first import loads a new store with the file locked; a command that opens the store
/// meanwhile waits for it rather than failing with "database is locked".
#[test]
fn a_read_during_a_first_load_waits_for_it() {
    let env = Env::new();
    let big = env.dir.path().join("first.csv");
    env.cmd("alex")
        .args([
            "generate",
            "--rows",
            "40000",
            "--until",
            "2026-11-20",
            "--out",
        ])
        .arg(&big)
        .assert()
        .success();
    let mut import = env
        .std_cmd("alex")
        .arg("import")
        .arg(&big)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    // Once the store exists, the load has begun (or is done: then the read is trivially fine).
    while !env.db.exists() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    let out = env
        .cmd("dana")
        .args(["stats", "--json"])
        .output()
        .expect("stats");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("locked"), "{stderr}");
    assert!(import.wait().expect("wait").success());
    // The read saw the store before or after the load, never half of it.
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let total: i64 = v["imports"].as_array().map_or(0, |a| {
        a.iter().map(|i| i["inserted"].as_i64().unwrap_or(0)).sum()
    });
    assert!(total == 0 || total == 40_000, "{v}");
}

/// Two imports at once: the second waits for the first's transaction (beyond the store's busy
/// timeout, here a tenth of a second) instead of failing, and both land whole.
#[test]
fn an_import_waits_for_another_import() {
    let config = format!("[store]\nbusy_timeout_ms = 100\n{}", common::CONFIG);
    let env = Env::with_config(&config);
    env.import_json(&env.fixture("hd_clean.csv"), &[]);
    let big = env.dir.path().join("big.csv");
    env.cmd("alex")
        .args([
            "generate",
            "--rows",
            "30000",
            "--until",
            "2026-11-20",
            "--out",
        ])
        .arg(&big)
        .assert()
        .success();
    let first = env
        .std_cmd("alex")
        .arg("import")
        .arg(&big)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(150));
    let second = env.import_json(&env.fixture("hd_tab.tsv"), &[]);
    let out = first.wait_with_output().expect("first");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let [_, inserted, ..] = counts(&second);
    assert!(inserted > 0);
    assert_eq!(env.count("SELECT count(*) FROM imports"), 3);
    assert_eq!(
        env.count("SELECT sum(inserted) FROM imports"),
        env.count("SELECT count(*) FROM complaints")
    );
}
