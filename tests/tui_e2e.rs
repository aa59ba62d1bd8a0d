//! The real binary in tmux: an executive draws a sample, signs two items, pushes one back with a
//! note and quits; then the division head answers the push-back from the screen.

mod common;

use common::tmux::Tmux;
use common::Env;

const CONFIG: &str = r#"
[identity]
trust_env_user = true

[[people]]
login = "dana"
name = "Dana Reyes"
title = "Chief Executive"
role = "executive"

[[people]]
login = "hana"
name = "Hana Ito"
title = "Head of Operations"
role = "division_head"
divisions = ["Billing", "Support", "Logistics", "Warranty", "Sales"]

[[people]]
login = "alex"
name = "Alex Kim"
title = "Operations Administrator"
role = "admin"
"#;

fn decisions(env: &Env) -> Vec<(String, Option<String>, Option<String>)> {
    let conn = env.conn();
    let mut st = conn
        .prepare("SELECT kind, note, body FROM decisions ORDER BY id")
        .expect("prepare");
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// The sample helpdesk export without its unanswered tickets: the screen draws at random, and a
/// complaint with no response can be pushed back but not signed.
fn answered_only(env: &Env) -> std::path::PathBuf {
    let mut r = csv::Reader::from_path(env.sample("helpdesk.csv")).expect("sample");
    let headers = r.headers().expect("header").clone();
    let reply = headers
        .iter()
        .position(|h| h == "Public reply")
        .expect("Public reply column");
    let out = env.dir.path().join("answered.csv");
    let mut w = csv::Writer::from_path(&out).expect("write");
    w.write_record(&headers).expect("header");
    for rec in r.records() {
        let rec = rec.expect("record");
        if !rec[reply].trim().is_empty() {
            w.write_record(&rec).expect("record");
        }
    }
    w.flush().expect("flush");
    out
}

#[test]
fn executive_signs_and_pushes_back_then_the_division_answers() {
    let env = Env::with_config(CONFIG);
    env.import_json(&answered_only(&env), &[]);

    let t = Tmux::start(&env, "dana", "exec");
    // No sample yet: the plan editor is offered; Enter draws with 95 % / 5 %.
    t.wait_for("Draw a sample");
    t.keys(&["Enter"]);
    t.wait_for("0 / ");
    t.keys(&["a"]);
    t.wait_for("approve this message");
    t.keys(&["y"]);
    t.wait_for("· saved");
    t.keys(&["a", "y"]);
    t.wait_for("2 / ");
    t.keys(&["p"]);
    t.wait_for("Reasons");
    t.keys(&["Space", "Tab"]);
    t.text("Canned reply. Call the customer today.");
    t.keys(&["C-s"]);
    let screen = t.wait_for("back to");
    assert!(
        screen.contains("3 / ") && screen.contains("1 pushed back"),
        "{screen}"
    );
    t.keys(&["q"]);
    t.wait_for("EXITED 0");
    drop(t);

    let ds = decisions(&env);
    let kinds: Vec<&str> = ds.iter().map(|d| d.0.as_str()).collect();
    assert_eq!(kinds, ["approve", "approve", "push_back"]);
    assert_eq!(
        ds[2].1.as_deref(),
        Some("Canned reply. Call the customer today.")
    );

    let t = Tmux::start(&env, "hana", "head");
    t.wait_for("open");
    t.keys(&["c"]);
    t.wait_for("Corrective action taken");
    t.text("Called the customer and refunded the fee.");
    t.keys(&["C-s"]);
    t.wait_for("recorded the corrective action");
    t.keys(&["q"]);
    t.wait_for("EXITED 0");
    drop(t);

    let ds = decisions(&env);
    assert_eq!(ds.len(), 4);
    assert_eq!(ds[3].0, "corrective_action");
    assert_eq!(
        ds[3].2.as_deref(),
        Some("Called the customer and refunded the fee.")
    );
    env.cmd("dana").arg("verify").assert().success();
}

/// Lines of the queue on a screen: a status glyph after the selection mark.
fn queue_lines(screen: &str) -> usize {
    screen
        .lines()
        .skip(1)
        .filter(|l| {
            l.trim_start_matches(['›', ' '])
                .starts_with(['·', '✓', '✗', '↩'])
        })
        .count()
}

#[test]
fn small_terminals_keep_the_rows_and_the_confirm_key() {
    let env = Env::with_config(CONFIG);
    env.import_json(&answered_only(&env), &[]);
    env.cmd("dana")
        .args(["sample", "--size", "5", "--all", "--seed", "3"])
        .assert()
        .success();

    let t = Tmux::start_sized(&env, "dana", "small", 30, 8);
    let screen = t.wait_for("0/5");
    assert!(queue_lines(&screen) >= 2, "{screen}");
    t.keys(&["a"]);
    t.wait_for("y / Enter: sign");
    t.keys(&["Escape"]);
    t.wait_for("not signed");
    t.resize(20, 5);
    let start = std::time::Instant::now();
    while queue_lines(&t.screen()) < 2 {
        assert!(start.elapsed().as_secs() < 20, "{}", t.screen());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    t.keys(&["a"]);
    t.wait_for("y / Enter: sign");
    t.keys(&["y"]);
    t.wait_for("1/5");
    t.resize(19, 5);
    t.wait_for("enlarge the");
    t.resize(80, 24);
    t.keys(&["q"]);
    t.wait_for("EXITED 0");
}
