//! The failure-mode checks from the command line: the canned replies planted in the sample data
//! are found (and nothing else is), the local checks flag exactly the fixture's cases, a CAR
//! call clears an ignored contact, and the flags work as sampling rules.

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use common::Env;
use predicates::prelude::*;
use serde_json::Value;

fn json(out: std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn checks_fixture(env: &Env) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/checks/hd_checks.csv");
    let dst = env.dir.path().join("hd_checks.csv");
    std::fs::copy(src, &dst).expect("copy");
    dst
}

/// Every flag as (external id, flag).
fn flags(env: &Env) -> HashSet<(String, String)> {
    let c = env.conn();
    let mut st = c
        .prepare(
            "SELECT c.external_id, f.flag FROM complaint_flags f JOIN complaints c ON c.id = f.complaint_id
             UNION ALL SELECT c.external_id, 'canned' FROM canned_members m
                 JOIN complaints c ON c.id = m.complaint_id",
        )
        .expect("prepare");
    let rows = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query");
    rows.map(|r| r.expect("row")).collect()
}

#[test]
fn the_planted_canned_replies_are_found_and_nothing_else() {
    let env = Env::new();
    env.import_json(&env.sample("helpdesk.csv"), &[]);
    let groups = json(
        env.cmd("dana")
            .args(["flags", "--groups", "--json"])
            .output()
            .expect("run"),
    );
    let groups = groups.as_array().expect("groups");
    let sizes: Vec<i64> = groups
        .iter()
        .map(|g| g["customers"].as_i64().expect("n"))
        .collect();
    assert_eq!(sizes, [40, 25, 15]);
    assert_eq!(
        groups[0]["normalised"],
        "thank you for your feedback your concern has been noted"
    );
    assert_eq!(
        groups[1]["normalised"],
        "dear <name> we apologise for any inconvenience caused your reference number is <n> kind regards customer care"
    );
    assert!(groups[2]["normalised"]
        .as_str()
        .expect("text")
        .starts_with("we are sorry to hear about your experience please allow <n> working days"));
    assert_eq!(
        groups[0]["explanation"],
        "this exact reply went to 40 customers"
    );

    // Every canned flag is on one of the three templates, and every template reply is flagged.
    let c = env.conn();
    let mut st = c
        .prepare(
            "SELECT c.response_text, m.group_id IS NOT NULL FROM complaints c
             LEFT JOIN canned_members m ON m.complaint_id = c.id
             WHERE c.response_text IS NOT NULL",
        )
        .expect("prepare");
    let rows: Vec<(String, bool)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    let template = |t: &str| {
        t == "Thank you for your feedback. Your concern has been noted."
            || (t.starts_with("Dear ")
                && t.contains(
                    "we apologise for any inconvenience caused. Your reference number is ",
                ))
            || t.starts_with(
                "We are sorry to hear about your experience. Please allow 5-7 working days",
            )
    };
    assert_eq!(rows.iter().filter(|(_, f)| *f).count(), 80);
    for (text, flagged) in &rows {
        assert_eq!(template(text), *flagged, "{text:?}");
    }
    // The two replies that share a paragraph (Jaccard 0.82) are not a template sent to many.
    let f = flags(&env);
    assert!(!f.contains(&("T-04919".into(), "canned".into())));
    assert!(!f.contains(&("T-05743".into(), "canned".into())));

    let first: String = c
        .query_row(
            "SELECT external_id FROM complaints WHERE response_text = 'Thank you for your feedback. Your concern has been noted.' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("one");
    env.cmd("dana")
        .args(["flags", "--complaint", &first])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "⚑ canned reply: this exact reply went to 40 customers (group {})",
            groups[0]["id"]
        )));
    // A group keeps the id of its text in the registry of replies met, canned or not.
    let second = groups[1]["id"].to_string();
    let members = json(
        env.cmd("dana")
            .args(["flags", "--group", &second, "--limit", "100", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(members.as_array().expect("members").len(), 25);
}

#[test]
fn local_checks_flag_exactly_the_fixture_cases() {
    let env = Env::new();
    env.import_json(&checks_fixture(&env), &[]);
    let want: HashSet<(String, String)> = [
        ("C-1", "escalation-refused"),
        ("C-3", "contact-ignored"),
        ("C-3", "late"),
        ("C-5", "late"),
        ("C-7", "escalation-refused"),
        ("C-9", "contact-ignored"),
        ("C-9", "late"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(flags(&env), want);
    env.cmd("dana")
        .args(["flags", "--complaint", "C-1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("asked for \"manager\""));
    env.cmd("dana")
        .args(["flags", "--complaint", "C-5"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "answered after 4.0 days; the target is 48 h",
        ));

    // A call within the window, recorded on the CAR the import opened, answers the request.
    let car: i64 = env
        .conn()
        .query_row(
            "SELECT k.id FROM cars k JOIN complaints c ON c.id = k.complaint_id WHERE c.external_id = 'C-9'",
            [],
            |r| r.get(0),
        )
        .expect("C-9 has a CAR by the wants-contact rule");
    env.cmd("dana")
        .args([
            "car",
            "contact",
            &car.to_string(),
            "--outcome",
            "Called",
            "--when",
            "2026-11-11T09:00:00Z",
        ])
        .assert()
        .success();
    env.cmd("priya")
        .args(["flags", "--refresh"])
        .assert()
        .code(3);
    env.cmd("alex")
        .args(["flags", "--refresh"])
        .assert()
        .success()
        .stdout(predicate::str::contains("checked 9 complaints"));
    let after = flags(&env);
    assert!(!after.contains(&("C-9".into(), "contact-ignored".into())));
    assert!(after.contains(&("C-9".into(), "late".into())));
}

#[test]
fn counts_per_division_are_scoped() {
    let env = Env::new();
    env.import_json(&checks_fixture(&env), &[]);
    let all = json(
        env.cmd("dana")
            .args(["flags", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(all["total"]["complaints"], 9);
    assert_eq!(all["total"]["late"], 3);
    assert_eq!(all["total"]["escalation_refused"], 2);
    assert_eq!(all["total"]["contact_ignored"], 2);
    assert_eq!(all["as_of"]["run_by"], "alex");
    let billing = json(
        env.cmd("priya")
            .args(["flags", "--json"])
            .output()
            .expect("run"),
    );
    let divisions: Vec<&str> = billing["divisions"]
        .as_array()
        .expect("divisions")
        .iter()
        .map(|d| d["division"].as_str().expect("name"))
        .collect();
    assert_eq!(divisions, ["Billing"]);
    env.cmd("priya")
        .args(["flags", "--division", "Support"])
        .assert()
        .code(3);
}

#[test]
fn flags_are_sampling_rules() {
    let env = Env::new();
    env.import_json(&env.sample("helpdesk.csv"), &[]);
    let s = json(
        env.cmd("dana")
            .args([
                "sample",
                "--size",
                "1",
                "--seed",
                "4",
                "--all",
                "--include",
                "canned",
                "--json",
            ])
            .output()
            .expect("run"),
    );
    let items = s["items"].as_array().expect("items");
    let canned = items
        .iter()
        .filter(|i| i["reason"] == "rule:canned")
        .count();
    assert_eq!(canned, 80);
    let s = json(
        env.cmd("dana")
            .args([
                "sample",
                "--size",
                "1",
                "--seed",
                "4",
                "--all",
                "--include",
                "escalation-refused",
                "--json",
                "--include-sampled",
            ])
            .output()
            .expect("run"),
    );
    let flagged =
        env.count("SELECT count(*) FROM complaint_flags WHERE flag = 'escalation-refused'");
    assert!(flagged > 0);
    let n = s["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["reason"] == "rule:escalation-refused")
        .count();
    assert_eq!(n as i64, flagged);
}

#[test]
fn portal_status_lines_are_not_judged_as_replies() {
    // The CFPB profiles import the company's status line as the outcome, never as a response:
    // nothing is judged as a reply, and the one the CFPB found untimely is late.
    let env = Env::new();
    env.import_json(&env.fixture("cfpb_small.csv"), &[]);
    assert_eq!(
        flags(&env),
        HashSet::from([("90000105".to_string(), "late".to_string())])
    );
    assert_eq!(
        env.count("SELECT count(*) FROM complaints WHERE response_text IS NOT NULL"),
        0
    );
    // A profile of one's own that maps the status line as a response (as earlier versions did):
    // `checks.status_sources` keeps it from being judged; one narrative asks for a manager.
    let cfpb = include_str!("../config/profiles/cfpb.toml");
    let as_response = cfpb
        .replace("name = \"cfpb\"", "name = \"cfpb-status\"")
        .replace(
            "outcome_response = \"Company response to consumer\"",
            "response = { columns = [\"Company response to consumer\", \"Company public response\"], join = \". \" }",
        )
        .lines()
        .filter(|l| !l.starts_with("outcome_"))
        .collect::<Vec<_>>()
        .join("\n");
    let with_status = |config: &str| {
        let env = Env::with_config(config);
        let profile = env.dir.path().join("cfpb-status.toml");
        std::fs::write(&profile, &as_response).expect("profile");
        let profile = profile.to_str().expect("utf-8 path").to_string();
        env.import_json(&env.fixture("cfpb_small.csv"), &["--profile", &profile]);
        env
    };
    let env = with_status(common::CONFIG);
    assert_eq!(
        env.count("SELECT count(*) FROM complaints WHERE response_text IS NOT NULL"),
        5
    );
    assert_eq!(flags(&env), HashSet::new());
    let cfg = format!("{}\n[checks]\nstatus_sources = []\n", common::CONFIG);
    let env = with_status(&cfg);
    assert_eq!(
        flags(&env)
            .iter()
            .filter(|(_, f)| f == "escalation-refused")
            .count(),
        1
    );
}
