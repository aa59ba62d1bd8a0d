//! The whole loop from the command line with three people: an executive draws, signs and pushes
//! back; a division head answers; the executive re-signs; refusals; tamper detection.

mod common;

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

fn loaded() -> Env {
    let env = Env::new();
    env.import_json(&env.sample("helpdesk.csv"), &[]);
    env
}

fn draw(env: &Env, args: &[&str]) -> Value {
    json(
        env.cmd("dana")
            .arg("sample")
            .args(args)
            .arg("--json")
            .output()
            .expect("run"),
    )
}

fn items(sample: &Value) -> Vec<Value> {
    sample["items"].as_array().expect("items").clone()
}

#[test]
fn sign_push_back_answer_and_resign() {
    let env = loaded();
    let s = draw(&env, &["--size", "12", "--seed", "7", "--all"]);
    let its = items(&s);
    assert_eq!(its.len(), 12);
    assert!(its
        .iter()
        .all(|i| i["ref"].is_string() && i["external_id"].is_string()));

    let billing: Vec<&Value> = its.iter().filter(|i| i["division"] == "Billing").collect();
    assert!(!billing.is_empty(), "seed 7 draws a Billing item");
    let signed: Vec<&Value> = its
        .iter()
        .filter(|i| i["division"] != "Billing")
        .take(2)
        .collect();
    for it in &signed {
        env.cmd("dana")
            .arg("approve")
            .arg(it["external_id"].as_str().expect("id"))
            .assert()
            .success()
            .stdout(predicate::str::contains(
                "I, Dana Reyes, Chief Executive, approve this message.",
            ));
    }
    let target = billing[0]["external_id"].as_str().expect("id").to_string();
    env.cmd("dana")
        .args([
            "push-back",
            &target,
            "--reason",
            "canned,no-empathy",
            "--note",
            "Call the customer back.",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("due 2026-11-27"));

    // The wrong division head cannot answer; the right one can.
    env.cmd("lee")
        .args(["answer", &target, "--dispute", "not ours"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("not among your divisions"));
    let revised = env.dir.path().join("revised.txt");
    std::fs::write(
        &revised,
        "Dear customer, I have refunded you today and will call on Friday.\n",
    )
    .expect("write");
    env.cmd("priya")
        .args(["answer", &target, "--revise"])
        .arg(&revised)
        .assert()
        .success()
        .stdout(predicate::str::contains("back to the executive"));
    let response: String = env
        .conn()
        .query_row(
            "SELECT response_text FROM complaints WHERE external_id = ?1",
            [&target],
            |r| r.get(0),
        )
        .expect("row");
    assert_eq!(
        response,
        "Dear customer, I have refunded you today and will call on Friday."
    );
    assert_eq!(
        env.count("SELECT count(*) FROM complaint_history WHERE cause = 'revision'"),
        1
    );

    let status = json(
        env.cmd("dana")
            .args(["status", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(status["total"]["signed"], 2);
    assert_eq!(status["total"]["pushed_back_answered"], 1);
    assert_eq!(status["total"]["pending"], 9);

    env.cmd("dana")
        .args(["approve", &target])
        .assert()
        .success();
    env.cmd("dana")
        .args(["approve", &target])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already signed"));
    let status = json(
        env.cmd("dana")
            .args(["status", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(status["total"]["signed"], 3);
    // The division head sees only Billing.
    let status = json(
        env.cmd("priya")
            .args(["status", "--json"])
            .output()
            .expect("run"),
    );
    let divs = status["divisions"].as_array().expect("divisions");
    assert!(divs.iter().all(|d| d["division"] == "Billing"));

    env.cmd("dana").arg("verify").assert().success();
    assert_eq!(env.count("SELECT count(*) FROM decisions"), 5);
}

#[test]
fn roles_are_enforced_with_exit_3() {
    let env = loaded();
    let s = draw(&env, &["--size", "3", "--seed", "1", "--all"]);
    let r = items(&s)[0]["external_id"]
        .as_str()
        .expect("id")
        .to_string();
    for (user, args) in [
        ("alex", vec!["approve", r.as_str()]),
        (
            "priya",
            vec!["push-back", r.as_str(), "--reason", "other", "--note", "x"],
        ),
        ("alex", vec!["sample", "--size", "3"]),
        ("mallory", vec!["status"]),
        ("mallory", vec!["show", r.as_str()]),
        ("dana", vec!["answer", r.as_str(), "--dispute", "x"]),
    ] {
        env.cmd(user).args(&args).assert().code(3);
    }
    assert_eq!(env.count("SELECT count(*) FROM decisions"), 0);
    env.cmd("dana")
        .args(["push-back", &r, "--reason", "rude", "--note", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a reason code"));
    env.cmd("dana")
        .args(["approve", "T-99999999"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no complaint"));
    env.cmd("priya")
        .args(["answer", &r, "--corrective-action", "x"])
        .assert()
        .failure();
}

#[test]
fn verify_catches_edits_made_behind_its_back() {
    let env = loaded();
    let s = draw(&env, &["--size", "3", "--seed", "3", "--all"]);
    let its = items(&s);
    let (a, b) = (
        its[0]["external_id"].as_str().expect("id").to_string(),
        its[1]["external_id"].as_str().expect("id").to_string(),
    );
    env.cmd("dana").args(["approve", &a]).assert().success();
    env.cmd("dana")
        .args([
            "push-back",
            &b,
            "--reason",
            "late",
            "--note",
            "Three weeks to answer.",
        ])
        .assert()
        .success();
    env.cmd("dana").arg("verify").assert().success();

    // A response edited directly in SQLite.
    env.conn()
        .execute(
            "UPDATE complaints SET response_text = 'We did everything right.' WHERE external_id = ?1",
            [&a],
        )
        .expect("edit");
    env.cmd("dana")
        .args(["verify", "--json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("signed text changed"))
        .stdout(predicate::str::contains(a.as_str()));

    // A decision row altered directly (the append-only trigger has to be dropped first).
    let conn = env.conn();
    conn.execute_batch("DROP TRIGGER decisions_append_only_update")
        .expect("drop");
    conn.execute("UPDATE decisions SET note = 'Fine.' WHERE id = 2", [])
        .expect("alter");
    let out = env
        .cmd("dana")
        .args(["verify", "--json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let findings = v["findings"].as_array().expect("findings");
    assert!(findings.iter().any(
        |f| f["decision"] == 2 && f["problem"].as_str().expect("p").contains("record changed")
    ));
}

#[test]
fn the_append_only_table_refuses_updates() {
    let env = loaded();
    let s = draw(&env, &["--size", "1", "--seed", "3", "--all"]);
    let a = items(&s)[0]["external_id"]
        .as_str()
        .expect("id")
        .to_string();
    env.cmd("dana").args(["approve", &a]).assert().success();
    let err = env
        .conn()
        .execute("UPDATE decisions SET note = 'x'", [])
        .expect_err("append-only");
    assert!(err.to_string().contains("append-only"));
}

#[test]
fn reimport_with_new_text_voids_the_signature() {
    let env = Env::new();
    env.import_json(&env.fixture("hd_clean.csv"), &[]);
    env.cmd("dana")
        .args(["approve", "T-10002"])
        .assert()
        .success();
    env.import_json(&env.fixture("hd_clean_changed.csv"), &[]);
    let out = env
        .cmd("dana")
        .args(["verify", "--json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["needs_signing_again"], 1);
    assert!(v["findings"][0]["problem"]
        .as_str()
        .expect("p")
        .contains("changed by import"));
    let shown = json(
        env.cmd("dana")
            .args(["show", "T-10002", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(shown["status"]["state"], "signed_text_changed");
    env.cmd("dana")
        .args(["approve", "T-10002"])
        .assert()
        .success();
    env.cmd("dana").arg("verify").assert().success();
}

#[test]
fn ambiguous_refs_are_named() {
    let env = Env::new();
    let csv = env.dir.path().join("g.csv");
    std::fs::write(
        &csv,
        "external_id,received_at,division,complaint\n2,2026-11-20,Billing,first\nX,2026-11-20,Billing,second\n",
    )
    .expect("write");
    env.import_json(&csv, &[]);
    env.cmd("dana")
        .args(["show", "2"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("both the external id"))
        .stderr(predicate::str::contains("id:2"));
    env.cmd("dana")
        .args(["show", "id:2"])
        .assert()
        .success()
        .stdout(predicate::str::contains("second"));
    env.cmd("dana")
        .args(["show", "generic:2"])
        .assert()
        .success()
        .stdout(predicate::str::contains("first"));
}

#[test]
fn replay_matches_until_the_population_changes() {
    let env = Env::new();
    env.import_json(&env.fixture("hd_clean.csv"), &[]);
    let s = draw(
        &env,
        &["--size", "4", "--seed", "11", "--since", "2026-11-01"],
    );
    assert_eq!(s["population"], 10);
    let id = s["id"].to_string();
    let r = json(
        env.cmd("dana")
            .args(["sample", "--replay", &id, "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(r["items_match"], true);
    assert_eq!(r["fingerprint_match"], true);
    // A second draw leaves out what the first took, and does not disturb its replay.
    let s2 = draw(
        &env,
        &["--size", "6", "--seed", "12", "--since", "2026-11-01"],
    );
    assert_eq!(s2["population"], 6);
    let r = json(
        env.cmd("dana")
            .args(["sample", "--replay", &id, "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(r["items_match"], true);
    // New complaints join the population: the fingerprint says so.
    env.import_json(&env.fixture("hd_clean_changed.csv"), &[]);
    let out = env
        .cmd("dana")
        .args(["sample", "--replay", &id, "--json"])
        .output()
        .expect("run");
    let r: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(r["fingerprint_match"], false);

    let list = json(
        env.cmd("dana")
            .args(["samples", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(list.as_array().expect("list").len(), 2);
    assert_eq!(list[0]["items"], 4);
    assert_eq!(list[0]["reviewed"], 0);
}

#[test]
fn rules_and_strata_from_the_command_line() {
    let env = loaded();
    let s = draw(
        &env,
        &[
            "--all",
            "--seed",
            "5",
            "--include",
            "wants-contact",
            "--include",
            "asked-for-manager=50%",
            "--stratify",
            "division",
        ],
    );
    let its = items(&s);
    let wants = its
        .iter()
        .filter(|i| i["reason"] == "rule:wants-contact")
        .count() as i64;
    assert_eq!(
        wants,
        env.count("SELECT count(*) FROM complaints WHERE wants_contact = 1")
    );
    assert!(its.iter().any(|i| i["reason"] == "rule:asked-for-manager"));
    assert!(its.iter().any(|i| i["reason"] == "random:Billing"));
    let ids: std::collections::HashSet<&str> = its
        .iter()
        .map(|i| i["ref"].as_str().expect("ref"))
        .collect();
    assert_eq!(ids.len(), its.len());
    // A percentage plan states what it proves and warns when that is little.
    let s = draw(
        &env,
        &[
            "--all",
            "--percent",
            "2",
            "--seed",
            "1",
            "--include-sampled",
        ],
    );
    assert_eq!(s["weak"], true);
    assert!(s["statement"]
        .as_str()
        .expect("s")
        .contains("a 2 % sample of"));
}

#[test]
fn default_window_and_plan_only() {
    let env = loaded();
    // The clock is fixed at 2026-11-21 12:00; the default window is the last 7 days.
    let expected = env.count("SELECT count(*) FROM complaints WHERE received_at >= 1794657600");
    let out = env
        .cmd("dana")
        .args(["sample", "--plan-only", "--json"])
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["population"], expected);
    assert_eq!(env.count("SELECT count(*) FROM samples"), 0);
}

#[test]
fn completions_and_man_page() {
    let env = Env::new();
    env.cmd("dana")
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("push-back"));
    env.cmd("dana")
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH signoff"));
}
