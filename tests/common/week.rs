//! The week the roll-up tests script: its fixture, the people (the common ones and a head for
//! Logistics), a draw of three per division, and commands run on a given day.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::Env;

pub const MON: &str = "2026-11-16T09:00:00Z";
pub const TUE: &str = "2026-11-17T10:00:00Z";
pub const WED: &str = "2026-11-18T10:00:00Z";
pub const THU: &str = "2026-11-19T10:00:00Z";
pub const FRI: &str = "2026-11-20T10:00:00Z";

/// The common people and a head for Logistics.
pub fn env() -> Env {
    Env::with_config(&format!(
        "{}\n[[people]]\nlogin = \"sam\"\nname = \"Sam Ortiz\"\ntitle = \"Head of Logistics\"\nrole = \"division_head\"\ndivisions = [\"Logistics\"]\n",
        super::CONFIG
    ))
}

fn fixture(env: &Env) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rollup/week.csv");
    let dst = env.dir.path().join("week.csv");
    std::fs::copy(src, &dst).expect("copy fixture");
    dst
}

/// `signoff ARGS` as `user` with the clock at `when`; its JSON output.
pub fn run(env: &Env, user: &str, when: &str, args: &[&str]) -> Value {
    let out = env
        .cmd(user)
        .env("SIGNOFF_TEST_CLOCK", when)
        .args(args)
        .arg("--json")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

/// The tests' clock, where every view is read.
pub const NOW_TEXT: &str = super::NOW;

/// Imports the week's complaints and draws three per division from Billing, Support and
/// Logistics; returns the drawn external ids per division, in draw order.
pub fn drawn(env: &Env) -> BTreeMap<String, Vec<String>> {
    let file = fixture(env);
    env.cmd("alex")
        .env("SIGNOFF_TEST_CLOCK", MON)
        .arg("import")
        .arg(&file)
        .assert()
        .success();
    let s = run(
        env,
        "dana",
        MON,
        &[
            "sample",
            "--per-division",
            "3",
            "--all",
            "--seed",
            "7",
            "--division",
            "Billing,Support,Logistics",
        ],
    );
    let mut by: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for it in s["items"].as_array().expect("items") {
        by.entry(it["division"].as_str().expect("division").into())
            .or_default()
            .push(it["external_id"].as_str().expect("id").into());
    }
    assert_eq!(by.values().map(Vec::len).collect::<Vec<_>>(), [3, 3, 3]);
    by
}

pub fn push_back(env: &Env, when: &str, id: &str, due: &str) -> Value {
    run(
        env,
        "dana",
        when,
        &[
            "push-back",
            id,
            "--reason",
            "canned",
            "--note",
            "Answer what was asked.",
            "--due",
            due,
        ],
    )
}
