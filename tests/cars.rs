//! Corrective action requests from the command line: opened by hand, worked step by step by the
//! right people, overdue by the injected clock, and chained so that tampering shows. CARs that
//! imports open by rule are in car_rules.rs.

mod common;

use std::path::Path;

use common::Env;
use predicates::prelude::*;
use serde_json::Value;

/// The clock the tests run at (common::Env sets it) and later ones.
const NOW: &str = "2026-11-21T12:00:00Z";
const NEXT_DAY: &str = "2026-11-22T13:00:00Z";
const TWO_WEEKS_ON: &str = "2026-12-05T12:00:00Z";

fn json(out: std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn cars(env: &Env, user: &str, args: &[&str]) -> Vec<Value> {
    let v = json(
        env.cmd(user)
            .args(["car", "list", "--json"])
            .args(args)
            .output()
            .expect("run"),
    );
    v.as_array().expect("array").clone()
}

/// A Billing CAR and a Support CAR opened by hand on a store without rules.
fn two_cars() -> (Env, String, String) {
    let cfg = format!("{}\n[cars]\nopen_when = []\n", common::CONFIG);
    let env = Env::with_config(&cfg);
    env.import_json(&env.sample("helpdesk.csv"), &[]);
    assert_eq!(env.count("SELECT count(*) FROM cars"), 0);
    let pick = |division: &str| -> String {
        env.conn()
            .query_row(
                "SELECT external_id FROM complaints WHERE division = ?1 ORDER BY id LIMIT 1",
                [division],
                |r| r.get(0),
            )
            .expect("complaint")
    };
    let (billing, support) = (pick("Billing"), pick("Support"));
    // Executives open any; a division head only their own; admins none.
    env.cmd("alex")
        .args(["car", "open", &billing, "--why", "x"])
        .assert()
        .code(3);
    env.cmd("lee")
        .args(["car", "open", &billing, "--why", "x"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("not among your divisions"));
    env.cmd("priya")
        .args([
            "car",
            "open",
            &billing,
            "--why",
            "Pushed back: refund missing",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("CAR-1 opened"));
    env.cmd("dana")
        .args(["car", "open", &billing, "--why", "again"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already has CAR-1"));
    env.cmd("dana")
        .args(["car", "open", &support, "--why", "Would not recommend"])
        .assert()
        .success();
    (env, billing, support)
}

#[test]
fn every_transition_and_who_may_make_it() {
    let (env, _, _) = two_cars();
    let step = |user: &str, now: &str, args: &[&str]| {
        let mut c = env.cmd(user);
        c.env("SIGNOFF_TEST_CLOCK", now).arg("car").args(args);
        c.assert()
    };
    // Out of order: nothing can happen before the customer is reached.
    step("priya", NOW, &["act", "CAR-1", "--note", "x"])
        .code(1)
        .stderr(predicate::str::contains("next is contact"));
    // Not theirs, or not their role.
    step("lee", NOW, &["contact", "CAR-1", "--outcome", "x"]).code(3);
    step("alex", NOW, &["contact", "CAR-1", "--outcome", "x"]).code(3);
    step(
        "priya",
        NOW,
        &[
            "contact",
            "CAR-1",
            "--outcome",
            "Called, refund promised",
            "--when",
            "2026-11-21T11:30:00Z",
        ],
    )
    .success()
    .stdout(predicate::str::contains("contacted — next: cause"));
    step(
        "priya",
        NOW,
        &["cause", "CAR-1", "--category", "weather", "--note", "x"],
    )
    .code(2);
    step(
        "priya",
        NOW,
        &[
            "cause",
            "CAR-1",
            "--category",
            "process",
            "--note",
            "Refunds wait for a weekly batch",
        ],
    )
    .success();
    step(
        "priya",
        NOW,
        &["act", "CAR-1", "--note", "Daily refund batch"],
    )
    .success();
    // The effect is checked on a later date (cars.check_after_days = 7).
    step(
        "priya",
        NOW,
        &["check", "CAR-1", "--worked", "yes", "--note", "x"],
    )
    .code(1)
    .stderr(predicate::str::contains("from 2026-11-28"));
    step(
        "priya",
        TWO_WEEKS_ON,
        &["check", "CAR-1", "--worked", "no", "--note", "Still late"],
    )
    .success()
    .stdout(predicate::str::contains("next: cause or act"));
    // A division head cannot close before a check that worked.
    step("priya", TWO_WEEKS_ON, &["close", "CAR-1"]).code(3);
    step(
        "priya",
        TWO_WEEKS_ON,
        &["act", "CAR-1", "--note", "Refunds paid on approval"],
    )
    .success();
    step(
        "dana",
        "2026-12-20T12:00:00Z",
        &[
            "check",
            "CAR-1",
            "--worked",
            "yes",
            "--note",
            "No late refunds since",
        ],
    )
    .success();
    step("priya", "2026-12-20T12:00:00Z", &["close", "CAR-1"])
        .success()
        .stdout(predicate::str::contains(": closed"));
    step(
        "dana",
        "2026-12-20T12:00:00Z",
        &["contact", "CAR-1", "--outcome", "x"],
    )
    .code(1)
    .stderr(predicate::str::contains("closed"));

    // Executives may close early, but must say why.
    step("dana", NOW, &["close", "CAR-2"]).code(2);
    step(
        "dana",
        NOW,
        &[
            "close",
            "CAR-2",
            "--note",
            "Customer asked not to be called",
        ],
    )
    .success();

    let shown = json(
        env.cmd("alex")
            .args(["car", "show", "CAR-1", "--json"])
            .output()
            .expect("run"),
    );
    let steps: Vec<&str> = shown["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["step"].as_str().expect("step"))
        .collect();
    assert_eq!(
        steps,
        ["open", "contact", "cause", "act", "check", "act", "check", "close"]
    );
    assert_eq!(shown["events"][1]["happened_at"], 1_795_260_600);
    assert_eq!(shown["events"][2]["category"], "process");
    assert_eq!(shown["events"][4]["worked"], false);
    assert_eq!(shown["events"][6]["worked"], true);
    assert_eq!(shown["state"], "closed");
    // A head of another division cannot even see it.
    env.cmd("lee").args(["car", "show", "1"]).assert().code(3);
    assert_eq!(cars(&env, "lee", &["--all"]).len(), 1);
    assert_eq!(cars(&env, "priya", &["--all"]).len(), 1);
    assert_eq!(cars(&env, "dana", &[]).len(), 0, "both are closed");
    assert_eq!(cars(&env, "dana", &["--all"]).len(), 2);
}

#[test]
fn overdue_follows_the_injected_clock_until_the_customer_is_reached() {
    let (env, _, _) = two_cars();
    let at = |now: &str, args: &[&str]| -> Vec<Value> {
        let out = env
            .cmd("dana")
            .env("SIGNOFF_TEST_CLOCK", now)
            .args(["car", "list", "--json"])
            .args(args)
            .output()
            .expect("run");
        json(out).as_array().expect("array").clone()
    };
    assert_eq!(at(NOW, &["--overdue"]).len(), 0);
    assert_eq!(
        at("2026-11-22T12:00:00Z", &["--overdue"]).len(),
        0,
        "due exactly now is not late"
    );
    assert_eq!(at(NEXT_DAY, &["--overdue"]).len(), 2);
    env.cmd("priya")
        .env("SIGNOFF_TEST_CLOCK", NEXT_DAY)
        .args(["car", "contact", "1", "--outcome", "Reached at last"])
        .assert()
        .success();
    let late = at(NEXT_DAY, &["--overdue"]);
    assert_eq!(late.len(), 1);
    assert_eq!(late[0]["id"], 2);
    // The text list puts overdue CARs first and marks them.
    env.cmd("dana")
        .env("SIGNOFF_TEST_CLOCK", NEXT_DAY)
        .args(["car", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 OVERDUE").and(predicate::str::contains("!    CAR-2")));
    assert_eq!(at(NEXT_DAY, &["--division", "Billing"]).len(), 1);
}

#[test]
fn steps_are_append_only_and_chained() {
    let (env, _, _) = two_cars();
    env.cmd("dana").args(["car", "verify"]).assert().success();
    env.cmd("dana")
        .args(["verify"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "CAR steps: every hash and chain link holds",
        ));
    let c = env.conn();
    assert!(c
        .execute("UPDATE car_events SET text = 'x' WHERE id = 1", [])
        .is_err());
    assert!(c.execute("DELETE FROM cars WHERE id = 1", []).is_err());
    c.execute_batch(
        "DROP TRIGGER car_events_append_only_update;
         UPDATE car_events SET text = 'nothing to see' WHERE id = 1;",
    )
    .expect("tamper");
    env.cmd("dana")
        .args(["car", "verify"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "step 1: its content no longer matches its hash",
        ));
    // The store-wide check names it too.
    env.cmd("dana")
        .args(["verify"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("CAR steps: 1 problem(s)"));
}

#[test]
fn ids_and_refs_are_checked() {
    let (env, _, _) = two_cars();
    env.cmd("dana")
        .args(["car", "show", "CAR-99"])
        .assert()
        .code(1);
    env.cmd("dana")
        .args(["car", "show", "ninety"])
        .assert()
        .code(2);
    env.cmd("dana")
        .args(["car", "open", "NO-SUCH", "--why", "x"])
        .assert()
        .code(1);
    assert!(Path::new(&env.db).exists());
}
