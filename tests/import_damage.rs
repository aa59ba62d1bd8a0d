//! Imports that never quietly lose or worsen text: a file cut short fails unless its complete
//! rows are asked for, and a re-import of a damaged copy (a spreadsheet's placeholders for
//! non-ASCII characters, text cut short) keeps the stored text and the sign-offs over it.
//!
//! The fixtures (tests/fixtures/import): `hd_accents.csv`, four helpdesk tickets with curly
//! apostrophes, accents and a narrative of several paragraphs; `hd_accents_mangled.csv`, the
//! same as a spreadsheet round trip leaves it (T-90001 `it’s` → `it__`, `café` → `caf?`;
//! T-90002's name and text with U+FFFD; T-90003's narrative cut to its first 200 characters;
//! T-90004 as it was); `hd_accents_edited.csv`, genuine edits to T-90001 … T-90003; and
//! `hd_cut_narrative.csv`, `hd_accents.csv` cut off inside T-90003's narrative (line 5 on).

mod common;

use common::{counts, degraded, Env};
use predicates::prelude::*;
use serde_json::Value;

/// Each complaint's key and text, as stored.
fn texts(env: &Env) -> Vec<(String, String, Option<String>, Option<String>)> {
    let conn = env.conn();
    let mut st = conn
        .prepare(
            "SELECT external_id, complaint_text, response_text, customer FROM complaints
             ORDER BY external_id",
        )
        .expect("prepare");
    let rows = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("query");
    rows.collect::<Result<_, _>>().expect("rows")
}

fn verify(env: &Env) -> Value {
    let out = env
        .cmd("dana")
        .args(["verify", "--json"])
        .output()
        .expect("verify");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "not JSON: {}",
            String::from_utf8_lossy(&out.stderr).into_owned()
        )
    })
}

/// The store holds hd_accents.csv, and the chief executive has signed T-90001 and T-90003.
fn signed_store() -> Env {
    let env = Env::new();
    let r = env.import_json(&env.fixture("hd_accents.csv"), &[]);
    assert_eq!(counts(&r), [4, 4, 0, 0, 0]);
    env.cmd("dana")
        .args(["sample", "--all", "--size", "4", "--seed", "1"])
        .assert()
        .success();
    for id in ["T-90001", "T-90003"] {
        env.cmd("dana").args(["approve", id]).assert().success();
    }
    let v = verify(&env);
    assert_eq!(
        (v["ok"].as_bool(), v["needs_signing_again"].as_i64()),
        (Some(true), Some(0)),
        "{v}"
    );
    env
}

#[test]
fn a_damaged_copy_is_held_back_and_its_sign_offs_still_verify() {
    let env = signed_store();
    let before = texts(&env);
    let mangled = env.fixture("hd_accents_mangled.csv");
    env.cmd("alex")
        .arg("import")
        .arg(&mangled)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "read 4 rows: inserted 0, updated 0, unchanged 1, degraded 3, rejected 0",
        ))
        .stderr(predicate::str::contains("updates held back, the stored text kept"))
        .stderr(predicate::str::contains(
            "hd_accents_mangled.csv: line 2: \"T-90001\": complaint_text: 3 non-ASCII characters",
        ))
        .stderr(predicate::str::contains(
            "hd_accents_mangled.csv: line 4: \"T-90002\": customer:",
        ))
        .stderr(predicate::str::contains(
            "hd_accents_mangled.csv: line 5: \"T-90003\": complaint_text: it is cut short: 198 of the stored 570 characters",
        ))
        .stderr(predicate::str::contains("--accept-degraded"));
    assert_eq!(texts(&env), before, "the stored text is kept");
    assert_eq!(env.count("SELECT count(*) FROM complaint_history"), 0);
    let v = verify(&env);
    assert_eq!(
        (v["ok"].as_bool(), v["needs_signing_again"].as_i64()),
        (Some(true), Some(0)),
        "the sign-offs still hold: {v}"
    );

    // Again, as JSON: the same rows held back, every row accounted for.
    let r = env.import_json(&mangled, &[]);
    assert_eq!(counts(&r), [4, 0, 0, 1, 0]);
    assert_eq!(degraded(&r), 3);
    let held: Vec<&str> = r["first_degraded"]
        .as_array()
        .expect("first_degraded")
        .iter()
        .map(|v| v.as_str().expect("text"))
        .collect();
    assert_eq!(held.len(), 3, "{held:?}");
    assert!(held[0].starts_with("line 2: \"T-90001\""), "{held:?}");
    assert_eq!(texts(&env), before);
    // The store's record of the import keeps the count, and `stats` shows it.
    let stats: serde_json::Value = serde_json::from_slice(
        &env.cmd("alex")
            .args(["stats", "--json"])
            .output()
            .expect("stats")
            .stdout,
    )
    .expect("json");
    let last = stats["imports"].as_array().and_then(|a| a.last()).cloned();
    assert_eq!(last.as_ref().map(|i| i["degraded"].clone()), Some(3.into()));

    // Asked for, the damaged copy is applied like any update: history kept, signatures voided.
    let r = env.import_json(&mangled, &["--accept-degraded"]);
    assert_eq!(counts(&r), [4, 0, 3, 1, 0]);
    assert_eq!(degraded(&r), 0);
    assert_eq!(env.count("SELECT count(*) FROM complaint_history"), 3);
    assert_eq!(
        env.count(
            "SELECT count(*) FROM complaints
             WHERE external_id = 'T-90001' AND complaint_text LIKE '%it\\_\\_s still%' ESCAPE '\\'"
        ),
        1
    );
    let v = verify(&env);
    assert_eq!(v["needs_signing_again"].as_i64(), Some(2), "{v}");
}

#[test]
fn a_genuinely_edited_copy_still_updates() {
    let env = signed_store();
    // A damaged copy first: held back, and nothing is left half-done for the next import.
    let r = env.import_json(&env.fixture("hd_accents_mangled.csv"), &[]);
    assert_eq!(degraded(&r), 3);
    let r = env.import_json(&env.fixture("hd_accents_edited.csv"), &[]);
    assert_eq!(counts(&r), [4, 0, 3, 1, 0]);
    assert_eq!(degraded(&r), 0);
    assert_eq!(env.count("SELECT count(*) FROM complaint_history"), 3);
    assert_eq!(
        env.count(
            "SELECT count(*) FROM complaints
             WHERE external_id = 'T-90003' AND complaint_text LIKE '%dropped again last night.'"
        ),
        1
    );
    // The edits changed what was signed: it needs signing again.
    assert_eq!(verify(&env)["needs_signing_again"].as_i64(), Some(2));
}

#[test]
fn a_file_cut_inside_a_narrative_fails_and_keeps_nothing() {
    let env = Env::new();
    let cut = env.fixture("hd_cut_narrative.csv");
    for dry in [false, true] {
        let mut cmd = env.cmd("alex");
        cmd.arg("import").arg(&cut);
        if dry {
            cmd.arg("--dry-run");
        }
        cmd.assert()
            .code(1)
            .stdout(predicate::str::contains("read").not())
            .stderr(predicate::str::contains(
                "hd_cut_narrative.csv: the file ends inside a quoted field opened on line 5: \
                 it looks cut short",
            ))
            .stderr(predicate::str::contains("nothing of it was imported"));
    }
    assert_eq!(env.count("SELECT count(*) FROM complaints"), 0);
    assert_eq!(env.count("SELECT count(*) FROM imports"), 0);
    assert!(!env.dir.path().join("hd_cut_narrative.rejects.csv").exists());

    // Asked for, the complete rows are imported and the cut is still reported.
    env.cmd("alex")
        .args(["import", "--accept-incomplete"])
        .arg(&cut)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "read 3 rows: inserted 2, updated 0, unchanged 0, degraded 0, rejected 1",
        ))
        .stderr(predicate::str::contains(
            "hd_cut_narrative.csv: the file ends inside a quoted field opened on line 5: \
             it looks cut short; its complete rows were imported",
        ))
        .stderr(predicate::str::contains(
            "hd_cut_narrative.csv: line 5: the file ends",
        ));
    assert_eq!(env.count("SELECT count(*) FROM complaints"), 2);
    assert_eq!(
        env.count("SELECT count(*) FROM complaints WHERE external_id = 'T-90003'"),
        0
    );

    // The whole file later: the cut row arrives, the others are as they were.
    let r = env.import_json(&env.fixture("hd_accents.csv"), &["--accept-incomplete"]);
    assert_eq!(counts(&r), [4, 2, 0, 2, 0]);
    assert!(r["incomplete"].is_null(), "{r}");
    let again = env.dir.path().join("again.csv");
    std::fs::copy(&cut, &again).expect("copy");
    let r = env.import_json(&again, &["--accept-incomplete", "--dry-run"]);
    assert_eq!(
        r["incomplete"].as_str(),
        Some("the file ends inside a quoted field opened on line 5: it looks cut short")
    );
}

#[test]
fn a_damaged_thread_is_held_back_with_its_replies() {
    let env = Env::new();
    let r = env.import_json(&env.fixture("social_small.csv"), &[]);
    assert_eq!(counts(&r), [10, 10, 0, 0, 0]);
    let before = texts(&env);
    // An emoji as two placeholders, a pound sign as one: messages 501 and 503, each with the
    // reply that answers it.
    let text = std::fs::read_to_string(env.fixture("social_small.csv")).expect("read");
    let mangled = env.dir.path().join("social_mangled.csv");
    std::fs::write(&mangled, text.replace('😡', "??").replace('£', "?")).expect("write");
    let r = env.import_json(&mangled, &[]);
    assert_eq!(counts(&r), [10, 0, 0, 6, 0]);
    assert_eq!(degraded(&r), 4);
    assert_eq!(texts(&env), before);
    let r = env.import_json(&mangled, &["--accept-degraded"]);
    assert_eq!(counts(&r), [10, 0, 4, 6, 0]);
}
