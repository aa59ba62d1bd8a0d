//! The demo's flags are right on first open: its sample data is dated, and the demo moves the
//! dates so that its newest complaint arrived yesterday, after the imports judged them. The
//! store it leaves must hold what a refresh as of the same moment would.

#[path = "common/kept_checks.rs"]
mod kept;
#[path = "common/own.rs"]
mod own;

use own::sql;

use signoff::commands::flags::settings;
use signoff::config::Config;
use signoff::store::Db;

/// 2026-12-15 12:00 UTC: the sample data ends on 2026-11-20, so the demo moves it by weeks.
const NOW: i64 = 1_797_336_000;

#[test]
fn the_demo_opens_with_the_flags_of_its_own_dates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("demo").join("demo.db");
    signoff::commands::demo::build(&path, NOW).expect("demo");
    let db = Db::open(&path, std::time::Duration::from_secs(5)).expect("open");
    let s = settings(&Config::defaults().expect("defaults"));
    kept::agrees_with_refresh(&db, &s, NOW, "the demo");
    // Complaints of the last two days are not late yet, whatever their dates before the move.
    let early: i64 = sql(&db)
        .query_row(
            "SELECT count(*) FROM complaint_flags f JOIN complaints c ON c.id = f.complaint_id
             WHERE f.flag = 'late' AND c.response_text IS NULL AND c.received_at > ?1",
            [NOW - 48 * 3600],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(
        early, 0,
        "a complaint still within its 48 hours is not late"
    );
    let late: i64 = sql(&db)
        .query_row(
            "SELECT count(*) FROM complaint_flags WHERE flag = 'late'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert!(late > 0, "older unanswered complaints are late");
}
