//! Threaded complaints through the binary: `stats` counts conversations, messages and the
//! conversations with a reply.

mod common;

use std::time::Duration;

use common::threads::seed;
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
