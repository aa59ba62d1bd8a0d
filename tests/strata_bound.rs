//! A sample drawn per division states the size it drew and the worst-case bound over the
//! divisions, in its plan, when drawn, in `status` and in the review pack.

mod common;

use std::fmt::Write as _;

use common::Env;
use predicates::prelude::*;
use serde_json::Value;

/// 200 complaints in five divisions, the largest holding 74.
const DIVISIONS: [(&str, usize); 5] = [
    ("Billing", 74),
    ("Support", 58),
    ("Sales", 34),
    ("Warranty", 17),
    ("Shipping", 17),
];

fn loaded() -> Env {
    let env = Env::new();
    let mut csv = String::from("external_id,received_at,division,complaint,response\n");
    let mut i = 0;
    for (division, n) in DIVISIONS {
        for _ in 0..n {
            i += 1;
            let _ = writeln!(
                csv,
                "G-{i:04},2026-11-{:02}T10:00:00Z,{division},Complaint number {i},Answer {i}",
                1 + i % 20
            );
        }
    }
    let file = env.dir.path().join("strata.csv");
    std::fs::write(&file, csv).expect("write export");
    env.import_json(&file, &["--profile", "generic"]);
    env
}

fn json(out: std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn a_per_division_sample_states_the_worst_case_over_its_divisions() {
    let env = loaded();
    env.cmd("dana")
        .args(["sample", "--all", "--per-division", "5", "--plan-only"])
        .assert()
        .success()
        .stdout(predicate::str::contains("5 per division, 95 % → 25 items"))
        .stdout(predicate::str::contains(
            "25 of 200 in 5 divisions proves at most 17 % unfit at 95 %",
        ));
    let plan = json(
        env.cmd("dana")
            .args([
                "sample",
                "--all",
                "--per-division",
                "5",
                "--plan-only",
                "--json",
            ])
            .output()
            .expect("run"),
    );
    assert_eq!(plan["size"], 25);
    assert_eq!(plan["proves"], 0.165);

    let s = json(
        env.cmd("dana")
            .args([
                "sample",
                "--all",
                "--per-division",
                "5",
                "--seed",
                "3",
                "--json",
            ])
            .output()
            .expect("run"),
    );
    assert_eq!(s["random_size"], 25);
    assert_eq!(s["proves"], 0.165);
    let items = s["items"].as_array().expect("items");
    assert_eq!(items.len(), 25);

    for it in items {
        env.cmd("dana")
            .arg("approve")
            .arg(it["external_id"].as_str().expect("id"))
            .assert()
            .success();
    }
    let status = json(
        env.cmd("dana")
            .args(["status", "--json"])
            .output()
            .expect("run"),
    );
    let bound = &status["bound"];
    assert_eq!(bound["upper_bound"], 0.165);
    assert_eq!(bound["strata"], 5);
    assert_eq!(bound["population"], 200);
    assert_eq!(
        bound["statement"],
        "0 of 25 pushed back: 95 % confident at most 17 % of 200 are unfit (the worst case over 5 divisions)"
    );
    let pack = json(
        env.cmd("dana")
            .args(["report", "--period", "2026-11", "--format", "json"])
            .output()
            .expect("run"),
    );
    assert_eq!(pack["samples"][0]["upper_bound"], 0.165);
}

#[test]
fn a_simple_sample_keeps_the_simple_bound() {
    let env = loaded();
    env.cmd("dana")
        .args(["sample", "--all", "--size", "25", "--plan-only"])
        .assert()
        .success()
        .stdout(predicate::str::contains("→ 25 items"))
        .stdout(predicate::str::contains(
            "25 of 200 proves at most 11 % unfit at 95 %",
        ));
    // Proportional strata are stated over their divisions too.
    env.cmd("dana")
        .args(["sample", "--all", "--stratify", "division", "--plan-only"])
        .assert()
        .success()
        .stdout(predicate::str::contains("by division"))
        .stdout(predicate::str::contains("in 5 divisions proves at most"));
}
