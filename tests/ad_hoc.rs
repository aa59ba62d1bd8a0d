//! A complaint found with `/` and signed from the search view is in no sample: its decision is
//! recorded without one, listed apart as ad hoc, and counted in no sample figure on any view.

mod common;

use common::week::{drawn, env, run, NOW_TEXT};
use serde_json::json;
use signoff::tui::app::{Action, Tab};
use signoff::tui::perform_all;

#[test]
fn a_complaint_signed_from_search_is_ad_hoc_and_in_no_sample_figure() {
    let env = env();
    drawn(&env);
    let (mut ses, mut app) = common::screen::open(&env.db);
    let before = common::screen::render_wide(&ses, &app);
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
    let after = common::screen::render_wide(&ses, &app);
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
