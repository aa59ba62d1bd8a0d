//! Likelihood to recommend over time: the share who would recommend (9–10), the detractors'
//! share (0–6) and NPS per division and period with the answers behind each, in the pack
//! (JSON, Markdown, HTML with a chart, CSV) and on the dashboard; and a verbatim's score read
//! as a likelihood, never as "would recommend".

mod common;

use common::Env;
use serde_json::{json, Value};

fn loaded() -> Env {
    let env = Env::new();
    let src =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rollup/week.csv");
    let file = env.dir.path().join("week.csv");
    std::fs::copy(src, &file).expect("copy fixture");
    env.cmd("alex")
        .env("SIGNOFF_TEST_CLOCK", "2026-11-16T09:00:00Z")
        .arg("import")
        .arg(&file)
        .assert()
        .success();
    env
}

fn report(env: &Env, user: &str, args: &[&str]) -> String {
    let out = env
        .cmd(user)
        .arg("report")
        .args(args)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// (answers, promoters, passives, detractors, NPS)
fn figures(r: &Value) -> (u64, u64, u64, u64, Value) {
    let n = |k: &str| r[k].as_u64().unwrap_or_else(|| panic!("{k} in {r}"));
    (
        n("answers"),
        n("promoters"),
        n("passives"),
        n("detractors"),
        r["nps"].clone(),
    )
}

#[test]
fn the_pack_states_the_trend_per_week_and_division() {
    let env = loaded();
    let pack: Value = serde_json::from_str(&report(
        &env,
        "dana",
        &["--period", "2026-W46", "--format", "json"],
    ))
    .expect("json");
    let trend = pack["recommend_trend"].as_array().expect("recommend_trend");
    assert_eq!(trend.len(), 6, "one entry per trend period");
    assert_eq!(trend[5]["label"], "2026-11-09 – 2026-11-15");
    for quiet in &trend[..3] {
        assert_eq!(figures(&quiet["all"]), (0, 0, 0, 0, Value::Null));
    }
    // 26 Oct – 1 Nov: a 9 and a 7 (one score left blank).
    assert_eq!(figures(&trend[3]["all"]), (2, 1, 1, 0, json!(50.0)));
    // 2 – 8 Nov: 2, 10, 4, 10.
    assert_eq!(figures(&trend[4]["all"]), (4, 2, 0, 2, json!(0.0)));
    // 9 – 15 Nov: 10, 6, 0, 8, 9, 9, 3, 1: the edges 6 (detractor), 8 (passive), 9 (promoter).
    let w46 = &trend[5];
    assert_eq!(figures(&w46["all"]), (8, 3, 1, 4, json!(-12.5)));
    assert_eq!(w46["all"]["recommend_share"], 0.375);
    assert_eq!(w46["all"]["detractor_share"], 0.5);
    let names: Vec<&str> = w46["divisions"]
        .as_array()
        .expect("divisions")
        .iter()
        .map(|d| d["division"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Billing", "Credit card", "Logistics", "Support"]);
    assert_eq!(figures(&w46["divisions"][0]), (2, 1, 0, 1, json!(0.0)));
    assert_eq!(figures(&w46["divisions"][1]), (1, 0, 0, 1, json!(-100.0)));
    assert_eq!(figures(&w46["divisions"][3]), (3, 1, 1, 1, json!(0.0)));
    // A division without scores in a week keeps its row, with nothing to divide.
    assert_eq!(
        figures(&trend[3]["divisions"][1]),
        (0, 0, 0, 0, Value::Null)
    );

    // A division head's pack holds their division only.
    let theirs: Value = serde_json::from_str(&report(
        &env,
        "priya",
        &["--period", "2026-W46", "--format", "json"],
    ))
    .expect("json");
    let w46 = &theirs["recommend_trend"][5];
    assert_eq!(w46["divisions"].as_array().map(Vec::len), Some(1));
    assert_eq!(figures(&w46["all"]), (2, 1, 0, 1, json!(0.0)));

    let md = report(&env, "dana", &["--period", "2026-W46"]);
    assert!(md.contains("## Likelihood to recommend"), "{md}");
    assert!(
        md.contains("| 2026-11-09 – 2026-11-15 | all | 8 | 38 % | 50 % | −13 |"),
        "{md}"
    );
    assert!(md.contains("| 2026-11-09 – 2026-11-15 | Credit card | 1 | 0.0 % | 100 % | −100 |"));
    let html = report(&env, "dana", &["--period", "2026-W46", "--format", "html"]);
    let section = html
        .split("<h2>Likelihood to recommend</h2>")
        .nth(1)
        .expect("the section");
    let section = &section[..section.find("</section>").expect("end")];
    assert!(section.contains("<svg") && section.contains("would recommend (9–10)"));
    assert!(section.contains("<td>−13</td>"));
    let csv = report(&env, "dana", &["--period", "2026-W46", "--format", "csv"]);
    assert!(
        csv.contains("recommend,2026-11-09 – 2026-11-15,all,answers,8"),
        "{csv}"
    );
    assert!(csv.contains("recommend,2026-11-09 – 2026-11-15,Billing,nps,0"));
}

#[test]
fn a_verbatim_reads_its_score_as_a_likelihood() {
    let env = loaded();
    // Pushed back in the period, so the pack picks it to read in full.
    env.cmd("dana")
        .args([
            "push-back",
            "W-S3",
            "--reason",
            "canned",
            "--note",
            "Say what happened.",
            "--due",
            "2026-11-25",
        ])
        .assert()
        .success();
    let md = report(&env, "dana", &["--period", "month"]);
    assert!(
        md.contains("### W-S3 · Support · received 2026-11-09 · likelihood to recommend 0/10"),
        "{md}"
    );
    assert!(!md.contains("· would recommend"), "{md}");
    let html = report(&env, "dana", &["--period", "month", "--format", "html"]);
    assert!(html.contains("· likelihood to recommend 0/10</h3>"));
    assert!(!html.contains("· would recommend"));
}

#[test]
fn the_dashboard_shows_the_twelve_weeks_and_each_recent_week() {
    let env = loaded();
    env.cmd("dana")
        .args(["sample", "--size", "5", "--all", "--seed", "3"])
        .assert()
        .success();
    let (mut s, mut app) = common::screen::open(&env.db);
    common::screen::dashboard(&mut s, &mut app);
    let d = app.dashboard.as_ref().expect("dashboard");
    assert_eq!(d.recommend.len(), 12);
    let all = &d.recommend_all.as_ref().expect("twelve weeks").all;
    assert_eq!(
        (all.answers, all.promoters, all.passives, all.detractors),
        (14, 6, 2, 6)
    );
    assert_eq!(all.nps, Some(0.0));
    // The week ending today holds only 15 Nov: a 3.
    let last = &d.recommend[11].all;
    assert_eq!((last.answers, last.detractors), (1, 1));
    let screen = common::screen::render_wide(&s, &app);
    assert!(
        screen.contains("Likelihood to recommend, 12 weeks"),
        "{screen}"
    );
    let line = screen
        .lines()
        .find(|l| l.contains("│all "))
        .unwrap_or_else(|| panic!("no line for all divisions:\n{screen}"));
    assert!(
        line.contains(" 43 % ") && line.contains("0 (14)") && line.contains("−100 (1)"),
        "{line}"
    );
}
