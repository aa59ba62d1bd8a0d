//! Comparing the tables the checks keep with a full refresh of a copy of the store, as of the
//! same moment: shared by the tests of the updates for what changed and of the demo.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use signoff::store::flags::{refresh, CheckSettings};
use signoff::store::Db;

use super::own::{open, sql};

/// Tables the checks keep, each with the order that makes its rows comparable.
const KEPT: &[(&str, &str)] = &[
    ("complaint_flags", "flag, complaint_id"),
    ("check_daily", "day, division"),
    ("check_seen", "complaint_id"),
    ("customer_links", "customer_no, received_at, complaint_id"),
    ("canned_members", "complaint_id, group_id"),
    ("canned_daily", "day, division, group_id"),
    ("canned_groups", "id"),
    ("reply_members", "complaint_id, seq"),
    ("reply_texts", "seq"),
    ("reply_clusters", "root"),
    ("reply_buckets", "band, key"),
];

fn rows(db: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut st = db.prepare(sql).expect("prepare");
    let n = st.column_count();
    let out = st
        .query_map([], |r| {
            let cells: Vec<String> = (0..n)
                .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).expect("cell")))
                .collect();
            Ok(cells.join(" | "))
        })
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    out
}

fn table(db: &rusqlite::Connection, name: &str, order: &str) -> Vec<String> {
    rows(db, &format!("SELECT * FROM {name} ORDER BY {order}"))
}

/// Complaints per canned group, the group named by its normalised text.
pub fn canned_sets(db: &rusqlite::Connection) -> BTreeMap<String, BTreeSet<i64>> {
    let mut st = db
        .prepare(
            "SELECT g.normalised, m.complaint_id FROM canned_members m
             JOIN canned_groups g ON g.id = m.group_id",
        )
        .expect("prepare");
    let mut out: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    for r in st
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .expect("query")
    {
        let (text, id) = r.expect("row");
        out.entry(text).or_default().insert(id);
    }
    out
}

/// Refreshes copies of the store as of `now` and compares them with it.
pub fn agrees_with_refresh(db: &Db, s: &CheckSettings, now: i64, step: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let kept = dir.path().join("kept.db");
    let fresh = dir.path().join("fresh.db");
    for copy in [&kept, &fresh] {
        sql(db)
            .execute("VACUUM INTO ?1", [copy.display().to_string()])
            .expect("copy");
    }
    let mut copies = Vec::new();
    for (path, forget) in [(&kept, false), (&fresh, true)] {
        // Opened as a store first, so that the copy is the store `Db` would work on.
        drop(Db::open(path, Duration::from_secs(5)).expect("open copy"));
        let mut c = open(path);
        let tx = c.transaction().expect("tx");
        if forget {
            tx.execute_batch("DELETE FROM check_state; DELETE FROM reply_texts;")
                .expect("forget the registry");
        }
        refresh(&tx, s, "test", now).expect("refresh");
        tx.commit().expect("commit");
        copies.push(c);
    }
    let (kept, fresh) = (&copies[0], &copies[1]);
    for (name, order) in KEPT {
        assert_eq!(
            table(&sql(db), name, order),
            table(kept, name, order),
            "{step}: {name} differs from a refresh"
        );
    }
    let group_free = [
        "complaint_flags",
        "check_daily",
        "check_seen",
        "customer_links",
    ];
    for (name, order) in KEPT.iter().filter(|(n, _)| group_free.contains(n)) {
        assert_eq!(
            table(&sql(db), name, order),
            table(fresh, name, order),
            "{step}: {name} differs from a rebuild"
        );
    }
    assert_eq!(
        canned_sets(&sql(db)),
        canned_sets(fresh),
        "{step}: canned groups differ from a rebuild"
    );
    let per_day = "SELECT d.day, d.division, g.normalised, d.replies FROM canned_daily d
         JOIN canned_groups g ON g.id = d.group_id ORDER BY 1, 2, 3";
    assert_eq!(
        rows(&sql(db), per_day),
        rows(fresh, per_day),
        "{step}: canned per day"
    );
}
