//! A whole week of review through the command line, each step on its own day: import, a draw,
//! sign-offs and push-backs, the divisions' answers, the re-review, two retractions and two
//! decisions outside the sample. Then the five places that state the figures — `status`,
//! `samples`, the review screen's header, its dashboard and the pack — must agree division by
//! division and item by item, and with what the week did.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::Env;
use serde_json::{json, Value};
use signoff::tui::app::{Action, App, Tab};
use signoff::tui::{perform_all, Session};

const MON: &str = "2026-11-16T09:00:00Z";
const TUE: &str = "2026-11-17T10:00:00Z";
const WED: &str = "2026-11-18T10:00:00Z";
const THU: &str = "2026-11-19T10:00:00Z";
const FRI: &str = "2026-11-20T10:00:00Z";

/// The common people and a head for Logistics.
fn env() -> Env {
    Env::with_config(&format!(
        "{}\n[[people]]\nlogin = \"sam\"\nname = \"Sam Ortiz\"\ntitle = \"Head of Logistics\"\nrole = \"division_head\"\ndivisions = [\"Logistics\"]\n",
        common::CONFIG
    ))
}

fn fixture(env: &Env) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rollup/week.csv");
    let dst = env.dir.path().join("week.csv");
    std::fs::copy(src, &dst).expect("copy fixture");
    dst
}

/// `signoff ARGS` as `user` with the clock at `when`; its JSON output.
fn run(env: &Env, user: &str, when: &str, args: &[&str]) -> Value {
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

const NOW_TEXT: &str = common::NOW;

/// Imports the week's complaints and draws three per division from Billing, Support and
/// Logistics; returns the drawn external ids per division, in draw order.
fn drawn(env: &Env) -> BTreeMap<String, Vec<String>> {
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

fn push_back(env: &Env, when: &str, id: &str, due: &str) -> Value {
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

fn screen(env: &Env) -> (Session, App) {
    common::screen::open(&env.db)
}

fn render(s: &Session, app: &App) -> String {
    common::screen::render(s, app)
}

/// A value as the command line prints it and a reader parses it back.
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
    let (mut ses, mut app) = screen(&env);

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
    let header = render(&ses, &app);
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
    let shown = render(&ses, &app);
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

#[test]
fn a_complaint_signed_from_search_is_ad_hoc_and_in_no_sample_figure() {
    let env = env();
    drawn(&env);
    let (mut ses, mut app) = screen(&env);
    let before = render(&ses, &app);
    let header = before.lines().next().expect("header").to_string();
    assert!(
        header.contains("0 / 9 reviewed · 0 pushed back"),
        "{header}"
    );

    // `/`, a word of the Credit card complaint, Enter; sign the hit from the search view.
    let eff = app.update(Action::Search);
    perform_all(&mut ses, &mut app, eff);
    for c in "Spain".chars() {
        let key = crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c));
        let eff = app.update(Action::Input(key));
        perform_all(&mut ses, &mut app, eff);
    }
    let eff = app.update(Action::Confirm);
    perform_all(&mut ses, &mut app, eff);
    assert_eq!(app.tab, Tab::Search);
    assert_eq!(app.hits.len(), 1, "one hit for Spain");
    assert_eq!(app.hits[0].division, "Credit card");
    for action in [Action::Sign, Action::Confirm] {
        let eff = app.update(action);
        perform_all(&mut ses, &mut app, eff);
    }
    // Recorded without a sample.
    assert_eq!(
        env.count(
            "SELECT count(*) FROM decisions d JOIN complaints c ON c.id = d.complaint_id
             WHERE c.external_id = 'W-C1' AND d.kind = 'approve' AND d.sample_id IS NULL"
        ),
        1
    );
    let after = render(&ses, &app);
    assert!(
        after
            .lines()
            .next()
            .expect("header")
            .contains("0 / 9 reviewed"),
        "{after}"
    );

    let status = run(&env, "dana", NOW_TEXT, &["status"]);
    let names: Vec<&str> = status["divisions"]
        .as_array()
        .expect("divisions")
        .iter()
        .map(|d| d["division"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Billing", "Logistics", "Support"]);
    assert_eq!(status["total"]["reviewed"], 0);
    assert_eq!(status["ad_hoc"][0]["division"], "Credit card");
    assert_eq!(status["ad_hoc"][0]["signed"], 1);
    let text = env.cmd("dana").arg("status").output().expect("run");
    let text = String::from_utf8(text.stdout).expect("utf-8");
    assert!(
        text.contains("ad hoc, decided outside any sample")
            && text.contains("Credit card: 1 complaint · 1 signed"),
        "{text}"
    );

    let pack = run(
        &env,
        "dana",
        NOW_TEXT,
        &["report", "--period", "week", "--format", "json"],
    );
    for row in pack["divisions"].as_array().expect("divisions") {
        if row["division"] == "Credit card" {
            assert_eq!((&row["sampled"], &row["signed"]), (&json!(0), &json!(0)));
        }
    }
    assert_eq!(pack["ad_hoc"], status["ad_hoc"]);
    assert_eq!(pack["summary"]["signed"], 0);
    let md = env
        .cmd("dana")
        .args(["report", "--period", "week"])
        .output()
        .expect("run");
    let md = String::from_utf8(md.stdout).expect("utf-8");
    assert!(
        md.contains("- Ad hoc: Credit card: 1 decided outside any sample"),
        "{md}"
    );

    common::screen::dashboard(&mut ses, &mut app);
    let dash = app.dashboard.as_ref().expect("dashboard");
    assert!(dash.rollup.division("Credit card").is_none());
    assert_eq!(dash.rollup.total.reviewed, 0);
    assert_eq!(dash.ad_hoc.complaints, 1);
}
