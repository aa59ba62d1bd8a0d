//! CFPB exports as they really are: most rows publish no narrative, and the company's "response"
//! is a status. The issue stands in for the text, marked; the status is the outcome; a complaint
//! with no company response can be pushed back but not signed; "Timely response? No" is late.

mod common;

use common::{counts, Env};
use serde_json::Value;

const FIXTURE: &str = "cfpb_legacy_no_narrative.csv";

fn loaded() -> Env {
    let env = Env::new();
    let r = env.import_json(&env.fixture(FIXTURE), &[]);
    assert_eq!(r["profile"], "cfpb-legacy", "{r}");
    assert_eq!(counts(&r), [8, 8, 0, 0, 0], "{r}");
    env
}

fn json(env: &Env, args: &[&str]) -> Value {
    let out = env.cmd("dana").args(args).output().expect("run");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn text_of(env: &Env, id: &str) -> (String, Option<bool>, Option<String>) {
    env.conn()
        .query_row(
            "SELECT complaint_text, text_from_fields, response_text FROM complaints
             WHERE external_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("complaint")
}

#[test]
fn a_legacy_export_without_narratives_imports_every_row() {
    let env = loaded();
    assert_eq!(env.count("SELECT count(*) FROM complaints"), 8);
    assert_eq!(
        env.count("SELECT count(*) FROM complaints WHERE text_from_fields = 1"),
        8
    );
    assert_eq!(
        env.count("SELECT count(*) FROM complaints WHERE response_text IS NOT NULL"),
        0
    );
    assert_eq!(
        text_of(&env, "95000001"),
        (
            "Incorrect information on credit report — Information is not mine".into(),
            Some(true),
            None
        )
    );
    // No sub-issue: the issue alone, commas and all.
    assert_eq!(
        text_of(&env, "95000002").0,
        "Loan modification,collection,foreclosure"
    );
    let outcome: (String, Option<String>, Option<bool>, Option<bool>) = env
        .conn()
        .query_row(
            "SELECT outcome_response, outcome_public_response, outcome_timely, outcome_disputed
             FROM complaints WHERE external_id = '95000005'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .expect("outcome");
    assert_eq!(
        outcome,
        (
            "Closed without relief".into(),
            None,
            Some(false),
            Some(true)
        )
    );
    assert_eq!(
        env.count("SELECT count(*) FROM complaints WHERE outcome_disputed = 1"),
        2
    );
    // "N/A" is neither yes nor no.
    assert_eq!(
        env.count(
            "SELECT count(*) FROM complaints WHERE external_id = '95000008'
             AND outcome_disputed IS NULL AND outcome_timely = 1
             AND outcome_public_response LIKE 'Company believes%'"
        ),
        1
    );
    // Importing it again changes nothing.
    let again = env.import_json(&env.fixture(FIXTURE), &[]);
    assert_eq!(counts(&again), [8, 0, 0, 8, 0], "{again}");
}

#[test]
fn a_narrative_is_still_the_text_and_the_status_is_never_a_response() {
    let env = Env::new();
    env.import_json(&env.fixture("cfpb_small.csv"), &[]);
    assert_eq!(
        env.count(
            "SELECT count(*) FROM complaints WHERE text_from_fields = 0
             AND response_text IS NULL AND outcome_response LIKE 'Closed%'"
        ),
        5
    );
}

#[test]
fn show_gives_the_outcome_and_the_mark() {
    let env = loaded();
    let v = json(&env, &["show", "cfpb:95000004", "--json"]);
    let c = &v["complaint"];
    assert_eq!(c["text_from_fields"], true, "{v}");
    assert_eq!(c["response_text"], Value::Null);
    assert_eq!(
        c["outcome"],
        serde_json::json!({
            "response": "Closed with monetary relief",
            "public_response": "Company chooses not to provide a public response",
            "timely": true,
            "disputed": false,
        })
    );
    let out = env
        .cmd("dana")
        .args(["show", "cfpb:95000004"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("The consumer's narrative was not published; this is the issue they chose:"),
        "{text}"
    );
    assert!(
        text.contains("Outcome (cfpb): Closed with monetary relief · timely · not disputed"),
        "{text}"
    );
    // A complaint with neither keeps `outcome` null.
    let env = Env::new();
    env.import_json(&env.sample("helpdesk.csv"), &[]);
    let id: String = env
        .conn()
        .query_row("SELECT external_id FROM complaints LIMIT 1", [], |r| {
            r.get(0)
        })
        .expect("a complaint");
    let v = json(&env, &["show", &id, "--json"]);
    assert_eq!(v["complaint"]["outcome"], Value::Null, "{v}");
    assert_eq!(v["complaint"]["text_from_fields"], false, "{v}");
}

#[test]
fn no_response_cannot_be_signed_but_can_be_pushed_back() {
    let env = loaded();
    let out = env
        .cmd("dana")
        .args(["approve", "cfpb:95000001"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("95000001 has no company response to sign: push it back"),
        "{err}"
    );
    assert_eq!(env.count("SELECT count(*) FROM decisions"), 0);
    let d = json(
        &env,
        &[
            "push-back",
            "cfpb:95000001",
            "--reason",
            "no-response",
            "--note",
            "No response to read: send the consumer a letter and show me.",
            "--json",
        ],
    );
    assert_eq!(d["kind"], "push_back");
    assert_eq!(d["reasons"], "no-response");
}

#[test]
fn untimely_by_the_cfpb_is_late() {
    let env = loaded();
    let late: Vec<String> = {
        let conn = env.conn();
        let mut st = conn
            .prepare(
                "SELECT c.external_id FROM complaint_flags f JOIN complaints c
                     ON c.id = f.complaint_id WHERE f.flag = 'late'",
            )
            .expect("prepare");
        st.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    // Only the untimely one: the others answered the CFPB in time, years ago.
    assert_eq!(late, ["95000005"]);
    let v = json(&env, &["flags", "--complaint", "cfpb:95000005", "--json"]);
    let all = v.as_array().expect("flags");
    assert!(
        all.iter().any(|f| f["flag"] == "late"
            && f["explanation"]
                .as_str()
                .is_some_and(|e| e.contains("the company answered the CFPB late"))),
        "{v}"
    );
}
