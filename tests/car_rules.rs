//! CARs opened by import rules: on the helpdesk sample data (defaults: would not recommend,
//! wants contact; the last 30 days), never twice for one complaint, and on a CFPB export, whose
//! rows carry neither a score nor a contact request, only through a source rule.

mod common;

use common::Env;
use serde_json::Value;

fn cars(env: &Env) -> Vec<Value> {
    let out = env
        .cmd("dana")
        .args(["car", "list", "--json"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    v.as_array().expect("array").clone()
}

fn loaded() -> Env {
    let env = Env::new();
    env.import_json(&env.sample("helpdesk.csv"), &[]);
    env
}

#[test]
fn import_rules_open_one_car_per_matching_complaint_and_reimports_add_none() {
    let env = loaded();
    // The default rules over the last 30 days (cars.max_age_days) of the clock.
    let since = 1_795_262_400 - 30 * 86_400; // 2026-11-21T12:00Z less 30 days
    let want = env.count(&format!(
        "SELECT count(*) FROM complaints WHERE (likelihood <= 6 OR wants_contact = 1)
         AND received_at >= {since}"
    ));
    assert!(want > 20, "the sample data has recent detractors: {want}");
    let all = cars(&env);
    assert_eq!(all.len() as i64, want);
    assert_eq!(
        env.count("SELECT count(DISTINCT complaint_id) FROM cars"),
        want
    );
    // Detractors are named by the first rule; contact requests from happy customers by the second.
    let by_contact = env.count(&format!(
        "SELECT count(*) FROM complaints WHERE wants_contact = 1 AND (likelihood IS NULL OR likelihood > 6)
         AND received_at >= {since}"
    ));
    let origins: Vec<&str> = all
        .iter()
        .map(|c| c["origin"].as_str().expect("origin"))
        .collect();
    assert_eq!(
        origins
            .iter()
            .filter(|o| **o == "rule:wants-contact")
            .count() as i64,
        by_contact
    );
    assert!(all.iter().all(|c| c["state"] == "open"
        && c["due_at"].as_i64().expect("due")
            == c["opened_at"].as_i64().expect("opened") + 24 * 3600));

    let again = env.import_json(&env.sample("helpdesk.csv"), &[]);
    assert_eq!(again["unchanged"], 320);
    assert_eq!(cars(&env).len() as i64, want);
    assert_eq!(env.count("SELECT count(*) FROM car_events"), want);
}

#[test]
fn a_cfpb_export_opens_cars_only_by_a_source_rule() {
    // CFPB rows carry no likelihood and no contact request: the default rules open nothing.
    let env = Env::new();
    env.import_json(&env.fixture("cfpb_small.csv"), &[]);
    assert_eq!(env.count("SELECT count(*) FROM cars"), 0);

    let cfg = format!(
        "{}\n[cars]\nopen_when = [\"would-not-recommend\", \"source:cfpb\"]\nmax_age_days = 0\n",
        common::CONFIG
    );
    let env = Env::with_config(&cfg);
    env.import_json(&env.fixture("cfpb_small.csv"), &[]);
    let all = cars(&env);
    assert_eq!(all.len(), 5);
    assert!(all
        .iter()
        .all(|c| c["origin"] == "rule:source:cfpb" && c["source"] == "cfpb"));
}
