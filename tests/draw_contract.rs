//! A store draws what the algorithm draws over the same complaints held in memory: the same
//! seed gives the same items from a SQLite store as from `domain::draw_memory`, on the listing
//! and the random-pick paths, with rules, strata and earlier samples. A second store backend
//! runs the same story.

mod common;

use std::time::Duration;

use common::draw_story::{complaint, specs, MANAGER};

use signoff::domain::draw::{draw, Drawn, LIST_LIMIT};
use signoff::domain::draw_memory::MemoryPopulation;
use signoff::domain::sample::Rule;
use signoff::domain::Complaint;
use signoff::store::complaints::{begin_import, upsert, ImportMeta};
use signoff::store::draw::phrase_query;
use signoff::store::rule_sets::PhraseRule;
use signoff::store::samples::Spec;
use signoff::store::Db;

fn store(complaints: &[Complaint]) -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(&dir.path().join("s.db"), Duration::from_secs(5)).expect("open");
    // Seeded through a connection of the test's own, as an import would write it.
    let mut conn = rusqlite::Connection::open(&db.path).expect("own connection");
    let tx = conn.transaction().expect("tx");
    let import = begin_import(
        &tx,
        &ImportMeta {
            source: "t",
            profile: "generic",
            file_name: "t.csv",
            file_size: 0,
            encoding: "utf-8",
            delimiter: "comma",
            imported_by: "test",
            started_at: 0,
        },
    )
    .expect("import");
    for (i, c) in complaints.iter().enumerate() {
        upsert(&tx, import, c, &c.content_hash(), "t.csv", i as u64 + 2, 0).expect("insert");
    }
    // What an import keeps for a draw: per-division and rule counts, the manager phrase's
    // matches (and none for the negative phrases).
    signoff::store::stats::refresh_division_counts(&tx).expect("counts");
    signoff::store::rule_sets::recount(&tx).expect("rule counts");
    signoff::store::rule_sets::refresh_phrase_rules(
        &tx,
        &[PhraseRule {
            rule: Rule::AskedForManager.name().into(),
            query: phrase_query(&[MANAGER.to_string()]),
        }],
        None,
    )
    .expect("phrase sets");
    tx.commit().expect("commit");
    (dir, db)
}

fn memory(complaints: &[Complaint]) -> MemoryPopulation {
    let mut p = MemoryPopulation::new(complaints.to_vec());
    p.keep_phrase_matches(Rule::AskedForManager, &[MANAGER.to_string()]);
    p
}

fn in_memory(p: &MemoryPopulation, sp: &Spec, seed: u64, boundary: i64, limit: u64) -> Drawn {
    match draw(p, sp, seed, boundary, limit) {
        Ok(d) => d,
        Err(e) => match e {},
    }
}

fn same(stored: &Drawn, held: &Drawn, listed: bool, what: &str) {
    assert_eq!(stored.items, held.items, "{what}");
    assert_eq!(
        (
            stored.population,
            stored.random_population,
            stored.random_size
        ),
        (held.population, held.random_population, held.random_size),
        "{what}"
    );
    assert_eq!(stored.strata, held.strata, "{what}");
    // A population drawn by picks is fingerprinted by the store's own import marks.
    if listed {
        assert_eq!(stored.fingerprint, held.fingerprint, "{what}");
    }
}

#[test]
fn a_sqlite_store_draws_what_the_population_in_memory_draws() {
    let complaints: Vec<Complaint> = (0..1200).map(complaint).collect();
    let (_dir, db) = store(&complaints);
    let held = memory(&complaints);
    for (name, sp) in specs() {
        for (limit, listed) in [(u64::MAX, true), (50, false)] {
            for seed in [0, 1, 7, 20261129] {
                let what = format!("{name}, limit {limit}, seed {seed}");
                let stored = db.draw_with_limit(&sp, seed, 1, limit).expect("draw");
                let from_memory = in_memory(&held, &sp, seed, 1, limit);
                assert!(!stored.items.is_empty(), "{what}");
                same(&stored, &from_memory, listed, &what);
            }
        }
    }
}

#[test]
fn earlier_samples_are_left_out_alike() {
    let complaints: Vec<Complaint> = (0..1200).map(complaint).collect();
    let (_dir, mut db) = store(&complaints);
    let mut held = memory(&complaints);
    for (name, mut sp) in specs() {
        sp.filters.include_sampled = false;
        for (limit, listed) in [(u64::MAX, true), (50, false)] {
            let what = format!("{name}, limit {limit}");
            let (id, stored) = db
                .draw_and_record(&sp, 3, "s", "test", 1_800_000_000)
                .expect("draw and record");
            let id = id.expect("a sample");
            let from_memory = in_memory(&held, &sp, 3, id, LIST_LIMIT);
            same(&stored, &from_memory, true, &what);
            held.record_sample(id, stored.items.iter().map(|i| i.complaint_id));
            let next = id + 1;
            let stored = db.draw_with_limit(&sp, 4, next, limit).expect("draw");
            let from_memory = in_memory(&held, &sp, 4, next, limit);
            same(&stored, &from_memory, listed, &what);
        }
    }
}
