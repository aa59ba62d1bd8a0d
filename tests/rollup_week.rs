//! A whole week of review through the command line, each step on its own day: import, a draw,
//! sign-offs and push-backs, the divisions' answers, the re-review, two retractions and two
//! decisions outside the sample. Then the five places that state the figures — `status`,
//! `samples`, the review screen's header, its dashboard and the pack — must agree division by
//! division and item by item, and with what the week did.

mod common;

use std::collections::BTreeMap;

use common::week::{drawn, env, push_back, run, FRI, MON, NOW_TEXT, THU, TUE, WED};
use serde_json::{json, Value};

fn printed<T: serde::Serialize>(v: &T) -> Value {
    serde_json::from_str(&serde_json::to_string(v).expect("json")).expect("parse")
}

/// What each division should show after the week: sampled, reviewed, signed, pushed back
/// (ever), open, overdue, answered, pending.
fn expected() -> BTreeMap<&'static str, [u64; 8]> {
    BTreeMap::from([
        ("Billing", [3, 3, 2, 2, 1, 1, 0, 0]),
        ("Logistics", [3, 2, 1, 1, 0, 0, 1, 1]),
        ("Support", [3, 2, 1, 1, 1, 0, 0, 1]),
    ])
}

const KEYS: [&str; 8] = [
    "sampled",
    "reviewed",
    "signed",
    "pushed_back",
    "pushed_back_open",
    "pushed_back_overdue",
    "pushed_back_answered",
    "pending",
];

fn counts(row: &Value) -> [u64; 8] {
    KEYS.map(|k| row[k].as_u64().unwrap_or_else(|| panic!("{k} in {row}")))
}

#[test]
fn every_view_states_the_same_figures_after_a_week_of_review() {
    let env = env();
    let by = drawn(&env);
    let (b, s, l) = (&by["Billing"], &by["Support"], &by["Logistics"]);

    // Monday: four sign-offs.
    let mut signed: BTreeMap<&str, i64> = BTreeMap::new();
    for id in [&b[0], &s[0], &s[1], &l[0]] {
        let d = run(&env, "dana", MON, &["approve", id]);
        signed.insert(id, d["id"].as_i64().expect("decision id"));
    }
    // Tuesday: five push-backs; one is due Friday and will be overdue by Saturday.
    push_back(&env, TUE, &b[1], "2026-11-19");
    push_back(&env, TUE, &b[2], "2026-11-20");
    push_back(&env, TUE, &s[2], "2026-11-19");
    let l1 = push_back(&env, TUE, &l[1], "2026-11-24");
    push_back(&env, TUE, &l[2], "2026-11-24");
    // Wednesday: Billing revises, Support takes a corrective action; the executive signs a
    // complaint of a division never sampled and pushes back a Billing complaint not drawn.
    let revised = env.dir.path().join("revised.txt");
    std::fs::write(
        &revised,
        "Dear customer, your refund went out today; I will call you on Friday.",
    )
    .expect("write");
    let revised = revised.to_string_lossy().into_owned();
    run(&env, "priya", WED, &["answer", &b[1], "--revise", &revised]);
    run(
        &env,
        "lee",
        WED,
        &[
            "answer",
            &s[2],
            "--corrective-action",
            "Engineer rebooked, day refunded",
        ],
    );
    run(&env, "dana", WED, &["approve", "W-C1"]);
    let outside = ["W-B1", "W-B2", "W-B3", "W-B4", "W-B5"]
        .into_iter()
        .find(|id| !b.iter().any(|x| x == id))
        .expect("a Billing complaint not drawn");
    push_back(&env, WED, outside, "2026-11-25");
    // Thursday: the revised response is signed, the corrective action pushed back again, and
    // Logistics disputes its push-back.
    run(&env, "dana", THU, &["approve", &b[1]]);
    push_back(&env, THU, &s[2], "2026-11-26");
    run(
        &env,
        "sam",
        THU,
        &["answer", &l[2], "--dispute", "The box left us intact"],
    );
    // Friday: a sign-off and a push-back retracted.
    let s1 = signed[s[1].as_str()].to_string();
    run(&env, "dana", FRI, &["retract", &s1]);
    let l1 = l1["id"].as_i64().expect("id").to_string();
    run(&env, "dana", FRI, &["retract", &l1]);

    // Saturday: every view.
    let status = run(&env, "dana", NOW_TEXT, &["status"]);
    let samples = run(&env, "dana", NOW_TEXT, &["samples"]);
    let pack = run(
        &env,
        "dana",
        NOW_TEXT,
        &["report", "--period", "week", "--format", "json"],
    );
    let (mut ses, mut app) = common::screen::open(&env.db);

    // 1. `status` against what the week did.
    let rows = status["divisions"].as_array().expect("divisions");
    let got: BTreeMap<&str, [u64; 8]> = rows
        .iter()
        .map(|r| (r["division"].as_str().expect("name"), counts(r)))
        .collect();
    assert_eq!(got, expected(), "status: {status:#}");
    assert_eq!(counts(&status["total"]), [9, 7, 4, 4, 2, 1, 1, 2]);
    let billing = &rows[0];
    assert_eq!(billing["sign_off_rate"], json!(1.0 / 3.0));
    assert_eq!(billing["push_back_rate"], json!(2.0 / 3.0));
    assert!(billing["bound_statement"]
        .as_str()
        .expect("statement")
        .starts_with("2 of 3 pushed back: 95 % confident at most"));
    // Outside the sample: listed apart, in no figure.
    assert_eq!(
        status["ad_hoc"],
        json!([
            {"division": "Billing", "complaints": 1, "signed": 0, "signed_text_changed": 0,
             "pushed_back": 1, "pushed_back_open": 1, "pushed_back_overdue": 0,
             "pushed_back_answered": 0, "pending": 0},
            {"division": "Credit card", "complaints": 1, "signed": 1, "signed_text_changed": 0,
             "pushed_back": 0, "pushed_back_open": 0, "pushed_back_overdue": 0,
             "pushed_back_answered": 0, "pending": 0}
        ])
    );

    // 2. `samples`: the one sample, the same roll-up and bound.
    let one = &samples[0];
    assert_eq!(one["divisions"], status["divisions"]);
    assert_eq!(one["total"], status["total"]);
    assert_eq!(one["bound"], status["bound"]);
    assert_eq!(
        [&one["items"], &one["reviewed"], &one["pushed_back"]],
        [&json!(9), &json!(7), &json!(4)]
    );

    // 3. The review screen's header, and its queue item by item.
    let header = common::screen::render_wide(&ses, &app);
    let header = header.lines().next().expect("header");
    assert!(
        header.contains("9 drawn of") && header.contains("7 / 9 reviewed · 4 pushed back"),
        "{header}"
    );
    let items = status["items"].as_array().expect("items");
    assert_eq!(app.rows.len(), items.len());
    for row in &app.rows {
        let it = items
            .iter()
            .find(|i| i["complaint_id"] == row.complaint_id)
            .unwrap_or_else(|| panic!("{} is not among status's items", row.external_id));
        assert_eq!(
            it["status"],
            serde_json::to_value(&row.status).expect("status")
        );
        assert_eq!(it["pushed_back"], row.pushed_back, "{}", row.external_id);
        assert_eq!(it["division"], row.division.as_str());
    }
    let state = |id: &str| {
        let row = app.rows.iter().find(|r| r.external_id == id).expect("row");
        (row.status.label(), row.pushed_back)
    };
    assert_eq!(state(&b[1]), ("signed", true));
    assert_eq!(state(&b[2]), ("pushed back (overdue)", true));
    assert_eq!(state(&s[1]), ("pending", false));
    assert_eq!(state(&s[2]), ("pushed back", true));
    assert_eq!(state(&l[1]), ("pending", false));
    assert_eq!(state(&l[2]), ("answered", true));

    // 4. The dashboard: the same roll-up, the ad-hoc ones apart.
    common::screen::dashboard(&mut ses, &mut app);
    let dash = app.dashboard.clone().expect("dashboard");
    assert_eq!(printed(&dash.rollup.divisions), status["divisions"]);
    assert_eq!(printed(&dash.rollup.total), status["total"]);
    assert_eq!(printed(&dash.sample), status["bound"]);
    assert_eq!(dash.ad_hoc.complaints, 2);
    let shown = common::screen::render_wide(&ses, &app);
    let line = shown
        .lines()
        .find(|l| l.contains("│Billing "))
        .unwrap_or_else(|| panic!("no Billing line on the dashboard:\n{shown}"));
    assert!(line.contains("1/3") && line.contains(" 33 % "), "{line}");
    assert!(
        shown.contains("ad hoc: 2 decided outside any sample"),
        "{shown}"
    );

    // 5. The pack: its divisions with sampled items are status's, field by field.
    let pack_rows = pack["divisions"].as_array().expect("divisions");
    for row in rows {
        let d = row["division"].as_str().expect("name");
        let ours = pack_rows
            .iter()
            .find(|r| r["division"] == d)
            .unwrap_or_else(|| panic!("{d} is missing from the pack"));
        for (k, v) in row.as_object().expect("object") {
            assert_eq!(&ours[k], v, "pack {d}: {k}");
        }
    }
    for other in pack_rows
        .iter()
        .filter(|r| !got.contains_key(r["division"].as_str().unwrap_or("")))
    {
        assert_eq!(other["sampled"], 0, "{other}");
    }
    assert_eq!(pack["ad_hoc"], status["ad_hoc"]);
    assert_eq!(pack["samples"][0], status["bound"]);
    // The period's sign-offs and push-backs that still stand, on sampled items only: the
    // ad-hoc ones and the two retracted are left out.
    assert_eq!(pack["summary"]["signed"], 4);
    assert_eq!(pack["summary"]["pushed_back"], 5);
}
