//! The review pack from the command line: its figures agree with `signoff status` on the same
//! store, every format renders, exports are safe to open, and people see only their divisions.

mod common;

use std::path::Path;

use common::Env;
use predicates::prelude::*;
use serde_json::Value;

fn json(out: std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn report(env: &Env, user: &str, args: &[&str]) -> std::process::Output {
    env.cmd(user)
        .arg("report")
        .args(args)
        .output()
        .expect("run")
}

/// The sample data with one sample of 30 reviewed in part: signed, pushed back, answered.
fn reviewed() -> Env {
    let env = Env::new();
    env.import_json(&env.sample("helpdesk.csv"), &[]);
    let s = json(
        env.cmd("dana")
            .args(["sample", "--size", "30", "--seed", "11", "--all", "--json"])
            .output()
            .expect("run"),
    );
    let ids: Vec<String> = s["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["external_id"].as_str().expect("id").to_string())
        .collect();
    // Only answered complaints can be signed: those first, the rest after in draw order.
    let (mut ids, unanswered): (Vec<String>, Vec<String>) =
        ids.into_iter().partition(|id| env.has_response(id));
    assert!(ids.len() >= 14, "seed 11 draws 14 answered complaints");
    ids.extend(unanswered);
    for id in &ids[..14] {
        env.cmd("dana").args(["approve", id]).assert().success();
    }
    for id in &ids[14..18] {
        env.cmd("dana")
            .args([
                "push-back",
                id,
                "--reason",
                "canned,late",
                "--note",
                "Call back",
                "--due",
                "2026-11-20",
            ])
            .assert()
            .success();
    }
    let billing_pushed: Vec<&String> = ids[14..18]
        .iter()
        .filter(|id| {
            s["items"]
                .as_array()
                .expect("items")
                .iter()
                .any(|i| &i["external_id"] == *id && i["division"] == "Billing")
        })
        .collect();
    if let Some(id) = billing_pushed.first() {
        env.cmd("priya")
            .args([
                "answer",
                id,
                "--corrective-action",
                "Refund made, process fixed",
            ])
            .assert()
            .success();
    }
    env
}

#[test]
fn figures_agree_with_status_on_the_same_store() {
    let env = reviewed();
    let status = json(
        env.cmd("dana")
            .args(["status", "--json"])
            .output()
            .expect("run"),
    );
    let pack = json(report(
        &env,
        "dana",
        &["--period", "2026-01-01..2026-12-31", "--format", "json"],
    ));
    let keys = [
        "sampled",
        "signed",
        "signed_text_changed",
        "pushed_back_open",
        "pushed_back_answered",
        "pushed_back_overdue",
        "pending",
    ];
    let status_rows = status["divisions"].as_array().expect("divisions");
    for row in status_rows {
        let d = row["division"].as_str().expect("division");
        let ours = pack["divisions"]
            .as_array()
            .expect("divisions")
            .iter()
            .find(|r| r["division"] == d)
            .unwrap_or_else(|| panic!("{d} is missing from the pack"));
        for k in keys {
            assert_eq!(ours[k], row[k], "{d}: {k}");
        }
    }
    let total = |k: &str| -> i64 {
        pack["divisions"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r[k].as_i64().expect(k))
            .sum()
    };
    for k in keys {
        assert_eq!(total(k), status["total"][k].as_i64().expect(k), "total {k}");
    }
    // What the sample proves is stated in the same words.
    assert_eq!(
        pack["samples"][0]["statement"],
        status["bound"]["statement"]
    );
    assert_eq!(pack["summary"]["signed"], 14);
    assert_eq!(pack["summary"]["pushed_back"], 4);
    assert_eq!(pack["summary"]["complaints"], 320);
    assert_eq!(pack["reasons"][0]["count"], 4);
    assert_eq!(pack["canned_groups"][0]["customers_in_period"], 40);
    let flags = json(
        env.cmd("dana")
            .args(["flags", "--json"])
            .output()
            .expect("run"),
    );
    assert_eq!(pack["summary"]["canned"], flags["total"]["canned"]);
    assert_eq!(pack["summary"]["late"], flags["total"]["late"]);
    assert_eq!(
        pack["cars"]["opened"],
        env.count("SELECT count(*) FROM cars")
    );
    assert_eq!(pack["verbatims"].as_array().expect("verbatims").len(), 5);
    assert_eq!(pack["meta"]["scope"], "all divisions");
}

#[test]
fn every_format_renders_and_html_stands_alone() {
    let env = reviewed();
    let md = report(&env, "dana", &["--period", "month"]);
    assert!(md.status.success());
    let md = String::from_utf8(md.stdout).expect("utf-8");
    assert!(md.starts_with("# Executive review pack — 2026-10-22 – 2026-11-21"));
    for heading in [
        "## At a glance",
        "## Trend",
        "## Push-back reasons",
        "## Response times",
        "## Canned replies",
        "## Corrective actions (CARs)",
        "## Worth reading",
    ] {
        assert!(md.contains(heading), "{heading}");
    }
    let out = env.dir.path().join("pack.html");
    env.cmd("dana")
        .args([
            "report",
            "--period",
            "bimonthly",
            "--format",
            "html",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("report written to"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let html = std::fs::read_to_string(&out).expect("html");
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(html.matches("<svg").count() >= 5);
    assert!(!html.contains("<script") && !html.contains(" src="));
    // The only address is the SVG namespace, which nothing fetches.
    let without_ns = html.replace("http://www.w3.org/2000/svg", "");
    assert!(!without_ns.contains("http://") && !without_ns.contains("https://"));
    let csv = report(&env, "dana", &["--period", "week", "--format", "csv"]);
    let mut r = csv::Reader::from_reader(&csv.stdout[..]);
    assert_eq!(
        r.headers().expect("header"),
        vec!["section", "period", "division", "metric", "value"]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row")).collect();
    assert!(rows
        .iter()
        .any(|x| &x[0] == "summary" && &x[3] == "complaints"));
    assert!(rows.iter().any(|x| &x[0] == "trend"));
    // --json picks JSON when no format is given.
    json(
        env.cmd("dana")
            .args(["report", "--json"])
            .output()
            .expect("run"),
    );
}

#[test]
fn hostile_text_stays_text_in_every_format() {
    let env = Env::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/report/hd_hostile.csv");
    let f = env.dir.path().join("hd_hostile.csv");
    std::fs::copy(src, &f).expect("copy");
    env.import_json(&f, &[]);
    let csv = report(&env, "dana", &["--format", "csv"]);
    let mut r = csv::Reader::from_reader(&csv.stdout[..]);
    for row in r.records() {
        for cell in row.expect("row").iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a cell a spreadsheet would run: {cell:?}"
            );
        }
    }
    let text = String::from_utf8(csv.stdout).expect("utf-8");
    assert!(text.contains("'=HYPERLINK") && text.contains("'+Billing"));
    let html =
        String::from_utf8(report(&env, "dana", &["--format", "html"]).stdout).expect("utf-8");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script") && !html.contains("<img"));
    let md = String::from_utf8(report(&env, "dana", &[]).stdout).expect("utf-8");
    assert!(md.contains("\\<script\\>") && md.contains("\\| table \\|"));
}

#[test]
fn division_heads_get_their_divisions_only() {
    let env = reviewed();
    let pack = json(report(
        &env,
        "priya",
        &["--period", "2026-01-01..2026-12-31", "--format", "json"],
    ));
    let divisions: Vec<&str> = pack["divisions"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|d| d["division"].as_str().expect("division"))
        .collect();
    assert_eq!(divisions, ["Billing"]);
    assert_eq!(pack["meta"]["scope"], "Billing");
    assert!(pack["verbatims"]
        .as_array()
        .expect("v")
        .iter()
        .all(|v| v["division"] == "Billing"));
    assert!(
        pack["samples"].as_array().expect("s").is_empty(),
        "a whole-sample bound is not theirs to read"
    );
    env.cmd("priya")
        .args(["report", "--division", "Support"])
        .assert()
        .code(3);
    env.cmd("dana")
        .args(["report", "--period", "fortnight"])
        .assert()
        .code(2);
    env.cmd("nobody").args(["report"]).assert().code(3);
}
