//! The customer across sources: keys normalised from e-mails, phones and handles at import, the
//! repeat flag with its explanation, `sample --include repeat`, and `show --json` naming the
//! customer's other complaints.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::Env;
use serde_json::Value;

fn json(out: std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn fixture(env: &Env, name: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/customers")
        .join(name);
    let dst = env.dir.path().join(name);
    std::fs::copy(src, &dst).expect("copy");
    dst
}

/// A store with both fixtures imported.
/// The social fixture's replies come from @AcmeCare, the support team's handle.
const SUPPORT_HANDLE: &str = "\n[[divisions]]\nname = \"Support\"\naliases = [\"AcmeCare\"]\n";

fn store() -> Env {
    let env = Env::with_config(&format!("{}{SUPPORT_HANDLE}", common::CONFIG));
    env.import_json(&fixture(&env, "hd_customers.csv"), &[]);
    env.import_json(&fixture(&env, "social_customers.csv"), &[]);
    env
}

/// external id → customer key.
fn keys(env: &Env) -> BTreeMap<String, Option<String>> {
    let c = env.conn();
    let mut st = c
        .prepare("SELECT external_id, customer_key FROM complaints")
        .expect("prepare");
    let rows = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query");
    rows.map(|r| r.expect("row")).collect()
}

/// external id → ordinal of every repeat flag.
fn repeats(env: &Env) -> BTreeMap<String, i64> {
    let c = env.conn();
    let mut st = c
        .prepare(
            "SELECT c.external_id, f.value FROM complaint_flags f
             JOIN complaints c ON c.id = f.complaint_id WHERE f.flag = 'repeat'",
        )
        .expect("prepare");
    let rows = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query");
    rows.map(|r| r.expect("row")).collect()
}

/// The repeat flag's explanation, as `flags --complaint REF --json` gives it.
fn repeat_explained(env: &Env, reference: &str) -> Option<String> {
    let v = json(
        env.cmd("dana")
            .args(["flags", "--complaint", reference, "--json"])
            .output()
            .expect("run"),
    );
    v.as_array()
        .expect("flags")
        .iter()
        .find(|f| f["flag"] == "repeat")
        .map(|f| f["explanation"].as_str().expect("text").to_string())
}

#[test]
fn imports_store_normalised_customer_keys() {
    let env = store();
    let k = keys(&env);
    let key = |id: &str| k[id].as_deref().map(str::to_string);
    for id in ["A-1", "A-2", "A-3", "A-4"] {
        assert_eq!(key(id).as_deref(), Some("email:ana@example.com"), "{id}");
    }
    assert_eq!(key("B-1").as_deref(), Some("email:ben@example.com"));
    assert_eq!(key("C-1").as_deref(), Some("phone:+447700900123"));
    assert_eq!(key("C-2").as_deref(), Some("phone:+447700900123"));
    // No contact, and a name is no identity.
    assert_eq!(key("D-1"), None);
    // The social profile reads author ids as handles, under the source.
    assert_eq!(key("901").as_deref(), Some("handle:social:acmefan"));
    assert_eq!(key("904").as_deref(), Some("handle:social:acmefan"));
    assert_eq!(key("903").as_deref(), Some("handle:social:zed_99"));
}

#[test]
fn repeats_are_flagged_and_explained() {
    let env = store();
    let r = repeats(&env);
    let found: Vec<(&str, i64)> = r.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    // A-1 is 200 days before A-2, outside the window: A-2 starts the run.
    assert_eq!(
        found,
        [("904", 2), ("A-3", 2), ("A-4", 3), ("C-2", 2)],
        "{r:?}"
    );
    assert_eq!(
        repeat_explained(&env, "A-4").as_deref(),
        Some("3rd complaint from this customer in 90 days (A-2, A-3)")
    );
    assert_eq!(
        repeat_explained(&env, "904").as_deref(),
        Some("2nd complaint from this customer in 90 days (901)")
    );
    let out = env
        .cmd("dana")
        .args(["flags", "--complaint", "A-4"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("repeat customer: 3rd complaint from this customer in 90 days (A-2, A-3)"),
        "{text}"
    );
    assert_eq!(repeat_explained(&env, "A-2"), None);

    // Per division.
    let counts = json(
        env.cmd("dana")
            .args(["flags", "--json"])
            .output()
            .expect("run"),
    );
    let by: BTreeMap<String, i64> = counts["divisions"]
        .as_array()
        .expect("divisions")
        .iter()
        .map(|d| {
            (
                d["division"].as_str().expect("name").to_string(),
                d["repeat"].as_i64().expect("repeat"),
            )
        })
        .collect();
    assert_eq!(by["Billing"], 2);
    assert_eq!(by["Support"], 2);
    assert_eq!(counts["total"]["repeat"], 4);

    // A shorter window: A-4 is 26 days after A-3 and 45 after A-2.
    let cfg = format!(
        "{}{SUPPORT_HANDLE}\n[checks]\nrepeat_days = 30\n",
        common::CONFIG
    );
    let env = Env::with_config(&cfg);
    env.import_json(&fixture(&env, "hd_customers.csv"), &[]);
    assert_eq!(repeats(&env)["A-4"], 2);
    assert_eq!(
        repeat_explained(&env, "A-4").as_deref(),
        Some("2nd complaint from this customer in 30 days (A-3)")
    );
}

/// The check judges one customer's complaints together, so it can be limited to the customers
/// an import touched.
#[test]
fn repeats_can_be_judged_for_some_customers_only() {
    use signoff::store::customers::repeats as judge;
    let env = store();
    let conn = env.conn();
    let name = |id: i64| -> String {
        conn.query_row(
            "SELECT external_id FROM complaints WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .expect("name")
    };
    let some = judge(&conn, 90, Some(&["email:ana@example.com".to_string()])).expect("judge");
    let found: Vec<(String, i64, String)> = some
        .iter()
        .map(|r| (name(r.complaint_id), r.ordinal, r.division.clone()))
        .collect();
    assert_eq!(
        found,
        [
            ("A-3".to_string(), 2, "Billing".to_string()),
            ("A-4".to_string(), 3, "Billing".to_string())
        ]
    );
    let all = judge(&conn, 90, None).expect("judge");
    assert_eq!(all.len(), 4);
    assert!(some.iter().all(|r| all.contains(r)));
}

#[test]
fn the_repeat_rule_samples_the_repeats() {
    let env = store();
    let s = json(
        env.cmd("dana")
            .args([
                "sample",
                "--size",
                "1",
                "--seed",
                "7",
                "--all",
                "--include",
                "repeat",
                "--json",
            ])
            .output()
            .expect("run"),
    );
    let mut picked: Vec<&str> = s["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["reason"] == "rule:repeat")
        .map(|i| i["external_id"].as_str().expect("external id"))
        .collect();
    picked.sort();
    assert_eq!(picked, ["904", "A-3", "A-4", "C-2"], "{s}");
}

#[test]
fn show_names_the_customer_and_their_other_complaints() {
    let env = store();
    let v = json(
        env.cmd("dana")
            .args(["show", "A-3", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(v["customer_key"], "email:ana@example.com");
    assert_eq!(v["complaint"]["customer_key"], "email:ana@example.com");
    let others: Vec<&str> = v["others"]
        .as_array()
        .expect("others")
        .iter()
        .map(|o| o["external_id"].as_str().expect("id"))
        .collect();
    // Newest first, the complaint itself left out.
    assert_eq!(others, ["A-4", "A-2", "A-1"]);
    assert!(v["others"][0]["received_at"].is_i64());
    assert!(v["others"][0]["id"].is_i64());

    // A division head sees only their divisions' complaints among the others.
    let v = json(
        env.cmd("lee")
            .args(["show", "C-1", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(v["others"][0]["external_id"], "C-2");
    let v = json(
        env.cmd("dana")
            .args(["show", "D-1", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(v["customer_key"], Value::Null);
    assert_eq!(v["others"], serde_json::json!([]));
    let out = env.cmd("dana").args(["show", "A-1"]).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("customer: email:ana@example.com · also A-4"),
        "{text}"
    );
}

#[test]
fn a_reimport_keeps_and_fills_keys_without_new_history() {
    let env = store();
    // A store from before keys: the re-import of unchanged rows fills them in.
    env.conn()
        .execute("UPDATE complaints SET customer_key = NULL", [])
        .expect("clear");
    let v = env.import_json(&fixture(&env, "hd_customers.csv"), &[]);
    assert_eq!(common::counts(&v)[3], 8, "{v}");
    assert_eq!(keys(&env)["C-2"].as_deref(), Some("phone:+447700900123"));
    assert_eq!(env.count("SELECT count(*) FROM complaint_history"), 0);
}

#[test]
fn the_detail_pane_reads_the_repeat_and_o_lists_the_others() {
    use signoff::tui::data::{detail, FlagTargets};
    let env = store();
    let mut db =
        signoff::store::Db::open(&env.db, std::time::Duration::from_secs(5)).expect("open");
    let conn = env.conn();
    let id: i64 = conn
        .query_row(
            "SELECT id FROM complaints WHERE external_id = 'A-4'",
            [],
            |r| r.get(0),
        )
        .expect("A-4");
    let targets = FlagTargets {
        late_secs: 48 * 3600,
        contact_secs: 48 * 3600,
    };
    let d = detail(&mut db, id, 1_795_000_000, &[], targets).expect("detail");
    assert_eq!(d.customer_key.as_deref(), Some("email:ana@example.com"));
    assert_eq!(
        d.repeat.as_deref(),
        Some("3rd complaint from this customer in 90 days (A-2, A-3)")
    );
    assert!(d.flags.iter().all(|f| !f.contains("this customer")));
    let key = d.customer_key.expect("key");
    let hits = db.customer_hits(&key, id, None, 50).expect("hits");
    let ids: Vec<&str> = hits.iter().map(|h| h.external_id.as_str()).collect();
    assert_eq!(ids, ["A-3", "A-2", "A-1"]);
    assert!(
        hits[0].snippet.starts_with("helpdesk · "),
        "{}",
        hits[0].snippet
    );
    let support = ["Support".to_string()];
    assert!(db
        .customer_hits(&key, id, Some(&support), 50)
        .expect("hits")
        .is_empty());
}
