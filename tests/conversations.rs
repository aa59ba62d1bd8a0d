//! Threaded complaints through the binary: `stats` counts conversations, messages and the
//! conversations with a reply; the review screen pages through a long thread to its end.

mod common;

use std::time::Duration;

use common::threads::{seed, LAST_LINE};
use common::tmux::Tmux;
use common::Env;
use signoff::store::Db;

const NOW: i64 = 1_795_262_400; // common::NOW, 2026-11-21 12:00 UTC

fn seeded() -> Env {
    let env = Env::new();
    let mut db = Db::open(&env.db, Duration::from_secs(5)).expect("open");
    seed(&mut db, NOW);
    env
}

fn stats(env: &Env, user: &str) -> serde_json::Value {
    let out = env
        .cmd(user)
        .args(["stats", "--json"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn stats_counts_conversations_messages_and_those_with_a_reply() {
    let env = seeded();
    // Twelve stored messages, a complaint with its reply, a complaint without one.
    let v = stats(&env, "alex");
    assert_eq!(v["complaints"], 3, "{v}");
    assert_eq!(v["messages"], 15, "{v}");
    assert_eq!(v["with_response"], 2, "{v}");
    let total = signoff::store::threads::total(&env.conn()).expect("total");
    assert_eq!(v["messages"], total);

    // A division head counts their divisions' messages only.
    let v = stats(&env, "priya");
    assert_eq!(
        (&v["complaints"], &v["messages"], &v["with_response"]),
        (&2.into(), &13.into(), &1.into()),
        "{v}"
    );

    let out = env.cmd("alex").arg("stats").output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("3 complaints (2 with a response), 15 messages in "),
        "{text}"
    );
}

#[test]
fn the_review_screen_pages_to_the_end_of_a_long_thread() {
    let env = seeded();
    let t = Tmux::start(&env, "dana", "thread");
    t.wait_for("Draw a sample");
    t.keys(&["Enter"]);
    t.wait_for("0 / 3");
    // The queue says how long each conversation is; select the long one.
    let screen = t.wait_for("✉12");
    let up = screen.lines().position(|l| l.contains('›'));
    let at = screen.lines().position(|l| l.contains("✉12"));
    let (Some(up), Some(at)) = (up, at) else {
        panic!("no selection or no thread in the queue:\n{screen}");
    };
    for _ in up..at {
        t.keys(&["j"]);
    }
    t.wait_for("T-THREAD ·");
    t.wait_for("replied after 2 h 05 m");
    for _ in 0..6 {
        t.keys(&["PageDown"]);
    }
    let screen = t.wait_for(LAST_LINE);
    // The last line of the thread sits on the pane's last row: nothing blank past it.
    let lines: Vec<&str> = screen.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.contains(LAST_LINE))
        .expect("last line");
    assert!(lines[i + 1].contains('└'), "{screen}");
    assert!(screen.contains("follow-up · no reply"), "{screen}");
    // A page up leaves the end out of view again.
    t.keys(&["PageUp"]);
    let start = std::time::Instant::now();
    while t.screen().contains(LAST_LINE) {
        assert!(start.elapsed() < Duration::from_secs(20), "{}", t.screen());
        std::thread::sleep(Duration::from_millis(50));
    }
    t.keys(&["q"]);
    t.wait_for("EXITED 0");
}
