//! `signoff import` on headers and dates as real files write them: snake_case and underscored
//! CFPB headers, a profile's aliases, dates re-saved by a spreadsheet, and what a date no
//! format reads says. The fixtures are described in fixtures/import/MANIFEST.md.

mod common;

use common::{counts, Env};
use predicates::prelude::*;

/// Unix seconds of a UTC wall-clock time.
fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    chrono::NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|d| d.and_hms_opt(h, mi, 0))
        .expect("a valid time")
        .and_utc()
        .timestamp()
}

fn received(env: &Env, id: &str) -> i64 {
    env.conn()
        .query_row(
            "SELECT received_at FROM complaints WHERE external_id = ?1",
            [id],
            |r| r.get(0),
        )
        .expect("the complaint")
}

fn text(env: &Env, column: &str, id: &str) -> String {
    env.conn()
        .query_row(
            &format!("SELECT {column} FROM complaints WHERE external_id = ?1"),
            [id],
            |r| r.get(0),
        )
        .expect("the complaint")
}

#[test]
fn snake_case_cfpb_headers_import_with_the_cfpb_profile() {
    let env = Env::new();
    let r = env.import_json(&env.fixture("cfpb_snake_case.csv"), &[]);
    assert_eq!(r["profile"], "cfpb", "{r}");
    assert_eq!(counts(&r), [3, 3, 0, 0, 0]);
    assert_eq!(received(&env, "91000001"), utc(2025, 6, 13, 0, 0));
    assert_eq!(text(&env, "division", "91000001"), "Credit card");
    assert!(text(&env, "complaint_text", "91000001").contains("fraudster"));
    assert_eq!(
        text(&env, "outcome_response", "91000002"),
        "Closed with explanation"
    );
    assert_eq!(text(&env, "channel", "91000002"), "phone");
    assert_eq!(text(&env, "customer", "91000003"), "TX, 78230");
}

#[test]
fn underscored_cfpb_headers_import_with_the_legacy_profile() {
    let env = Env::new();
    let r = env.import_json(&env.fixture("cfpb_underscore.csv"), &[]);
    assert_eq!(r["profile"], "cfpb-legacy", "{r}");
    assert_eq!(counts(&r), [3, 3, 0, 0, 0]);
    assert_eq!(received(&env, "92000003"), utc(2025, 5, 30, 0, 0));
    assert_eq!(text(&env, "channel", "92000003"), "referral");
    // Optional columns (State, ZIP code) are found by their underscored names too.
    assert_eq!(text(&env, "customer", "92000001"), "TX, 78230");
    assert!(text(&env, "complaint_text", "92000002").contains("paid in full"));
}

#[test]
fn the_cfpb_api_names_are_aliases() {
    let env = Env::new();
    let r = env.import_json(&env.fixture("cfpb_api_names.csv"), &[]);
    assert_eq!(r["profile"], "cfpb", "{r}");
    assert_eq!(counts(&r), [2, 2, 0, 0, 0]);
    assert_eq!(received(&env, "95000002"), utc(2025, 6, 11, 0, 0));
    assert_eq!(
        text(&env, "complaint_text", "95000001"),
        "A card was opened in my name by a fraudster."
    );
    assert_eq!(
        text(&env, "outcome_response", "95000001"),
        "Closed with non-monetary relief"
    );
}

#[test]
fn a_column_named_twice_in_two_spellings_is_refused() {
    let env = Env::new();
    let file = env.fixture("cfpb_named_twice.csv");
    env.cmd("alex")
        .arg("import")
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cfpb_named_twice.csv"))
        .stderr(predicate::str::contains(
            "line 1: the header names column \"Date received\" more than once (columns 1, 19), as \"Date received\", \"date_received\"",
        ));
    assert_eq!(env.count("SELECT count(*) FROM complaints"), 0);
}

#[test]
fn a_profile_of_ones_own_lists_aliases() {
    let env = Env::new();
    let profile = env.dir.path().join("crm.toml");
    std::fs::write(
        &profile,
        r#"
name = "crm"
source = "crm"

[fields]
external_id = "Case ID"
received_at = "Opened"
customer = "Customer"
division = "Team"
complaint = "Message"
response = "Reply"

[aliases]
"Case ID" = ["Case Number", "Case #"]
"Opened" = ["Opened On", "Created Date"]
"Customer" = ["Customer Name"]
"Message" = ["Customer Message", "Description"]
"Reply" = ["Agent Reply"]

[header_optional]
columns = ["Customer", "Reply"]

[dates]
formats = ["%d/%m/%Y %H:%M"]
order = "dmy"
"#,
    )
    .expect("profile");
    let r = env.import_json(
        &env.fixture("crm_export.csv"),
        &["--profile", profile.to_str().expect("utf-8 path")],
    );
    assert_eq!(r["profile"], "crm", "{r}");
    assert_eq!(counts(&r), [2, 2, 0, 0, 0]);
    // 2/11/2026 9:05, day-first and unpadded.
    assert_eq!(received(&env, "C-501"), utc(2026, 11, 2, 9, 5));
    assert_eq!(text(&env, "customer", "C-501"), "Ruth Olsen");
    assert_eq!(
        text(&env, "response_text", "C-501"),
        "Sorry, it is on its way."
    );
    assert_eq!(
        text(&env, "complaint_text", "C-502"),
        "The router keeps dropping the line."
    );
}

#[test]
fn dates_re_saved_by_a_spreadsheet_parse() {
    let env = Env::new();
    let r = env.import_json(&env.fixture("cfpb_resaved_dates.csv"), &[]);
    // Month-first dates are the legacy profile's; it reads the year-first one too.
    assert_eq!(r["profile"], "cfpb-legacy", "{r}");
    assert_eq!(counts(&r), [4, 4, 0, 0, 0]);
    assert_eq!(received(&env, "93000001"), utc(2020, 3, 18, 0, 0));
    assert_eq!(received(&env, "93000002"), utc(2013, 8, 30, 0, 0));
    assert_eq!(received(&env, "93000003"), utc(2019, 12, 5, 0, 0));
    assert_eq!(received(&env, "93000004"), utc(2021, 1, 7, 0, 0));
}

#[test]
fn day_first_dates_with_dashes_are_settled_by_the_column() {
    let env = Env::new();
    let r = env.import_json(&env.fixture("hd_day_first_dashes.csv"), &[]);
    assert_eq!(r["profile"], "helpdesk", "{r}");
    assert_eq!(counts(&r), [4, 4, 0, 0, 0]);
    assert_eq!(received(&env, "T-11001"), utc(2023, 4, 27, 9, 15));
    // 03-04-2023 is the 3rd of April: the column's 27-04-2023 settles the order.
    assert_eq!(received(&env, "T-11002"), utc(2023, 4, 3, 14, 40));
    assert_eq!(received(&env, "T-11003"), utc(2023, 3, 15, 0, 0));
    assert_eq!(received(&env, "T-11004"), utc(2023, 3, 31, 17, 5));
    let replied: i64 = env
        .conn()
        .query_row(
            "SELECT responded_at FROM complaints WHERE external_id = 'T-11002'",
            [],
            |r| r.get(0),
        )
        .expect("row");
    assert_eq!(replied, utc(2023, 4, 5, 8, 30));
}

#[test]
fn a_rejected_date_names_the_formats_tried_and_the_fix() {
    let env = Env::new();
    let file = env.fixture("cfpb_bad_dates.csv");
    env.cmd("alex")
        .arg("import")
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "read 4 rows: inserted 1, updated 0, unchanged 0, degraded 0, rejected 3",
        ))
        .stderr(predicate::str::contains(
            "cfpb_bad_dates.csv: line 3: column \"Date received\": \"27/04/2023\" reads only day-first",
        ))
        .stderr(predicate::str::contains("--date-order dmy"));
    let rejects = env.dir.path().join("cfpb_bad_dates.rejects.csv");
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&rejects)
        .expect("rejects file");
    let rows: Vec<(String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.expect("record");
            (r[0].to_string(), r[1].to_string())
        })
        .collect();
    let lines: Vec<&str> = rows.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(lines, ["3", "4", "5"]);
    let says = |i: usize, what: &str| {
        assert!(
            rows[i].1.contains(what),
            "line {}: {}",
            rows[i].0,
            rows[i].1
        );
    };
    says(0, "column \"Date received\": \"27/04/2023\" reads only day-first (%d/%m/%Y), but dates here are read month-first (by the profile's dates.order or --date-order): if the file writes dates day-first, import it with --date-order dmy");
    says(
        1,
        "column \"Date received\": \"8/30/13\" has a two-digit year (13)",
    );
    says(1, "list a format with %y");
    says(2, "column \"Date received\": \"30 Aug 2013\" is not a date in any of the profile's formats (reading dates month-first, tried %m/%d/%Y, %m/%d/%Y %H:%M:%S, %m/%d/%Y %H:%M, %Y-%m-%d; each also with -, / or . between the parts of a date): list the format the file uses in the profile's dates.formats");
    assert_eq!(received(&env, "94000001"), utc(2013, 8, 30, 0, 0));

    // The fix the message gives works: read day-first, the day-first row goes in.
    let env = Env::new();
    let r = env.import_json(
        &env.fixture("cfpb_bad_dates.csv"),
        &[
            "--profile",
            "cfpb-legacy",
            "--date-order",
            "dmy",
            "--dry-run",
        ],
    );
    assert_eq!(counts(&r), [4, 1, 0, 0, 3]);
    let first = r["first_rejects"].to_string();
    assert!(
        first.contains("\\\"8/30/2013\\\" reads only month-first"),
        "{first}"
    );
    let r = env.import_json(
        &env.fixture("cfpb_bad_dates.csv"),
        &["--profile", "cfpb-legacy", "--date-order", "dmy"],
    );
    assert_eq!(counts(&r)[1], 1);
    assert_eq!(received(&env, "94000002"), utc(2023, 4, 27, 0, 0));
}
