//! A store draws what the algorithm draws over the same complaints held in memory: the same
//! seed gives the same items from a SQLite store as from `domain::draw_memory`, on the listing
//! and the random-pick paths, with rules, strata and earlier samples. A second store backend
//! runs the same story.

use std::time::Duration;

use signoff::domain::draw::{draw, Drawn, LIST_LIMIT};
use signoff::domain::draw_memory::MemoryPopulation;
use signoff::domain::sample::{Include, Plan, Rule, Strata};
use signoff::domain::Complaint;
use signoff::store::complaints::{begin_import, upsert, ImportMeta};
use signoff::store::draw::phrase_query;
use signoff::store::rule_sets::PhraseRule;
use signoff::store::samples::{Filters, Spec};
use signoff::store::Db;

const DIVISIONS: [&str; 3] = ["Billing", "Support", "Sales"];

/// Complaint i: divisions six, three and one in ten; every 7th wants contact, every 5th would
/// not recommend, every 11th asks for a manager, every 13th is terrible; a week apart in
/// groups of 100.
fn complaint(i: usize) -> Complaint {
    let division = match i % 10 {
        0..=5 => DIVISIONS[0],
        6..=8 => DIVISIONS[1],
        _ => DIVISIONS[2],
    };
    let text = match (i % 11, i % 13) {
        (0, _) => "I want a manager now".to_string(),
        (_, 0) => "A terrible wait".to_string(),
        _ => format!("complaint {i}"),
    };
    Complaint {
        source: "t".into(),
        external_id: format!("C{i}"),
        received_at: 1_700_000_000 + (i as i64 / 100) * 7 * 86_400 + i as i64,
        division: division.into(),
        complaint_text: text,
        wants_contact: Some(i.is_multiple_of(7)),
        likelihood: Some(if i.is_multiple_of(5) { 2 } else { 9 }),
        ..Default::default()
    }
}

const MANAGER: &str = "manager";

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

fn specs() -> Vec<(&'static str, Spec)> {
    let spec = |n: u64, filters: Filters, includes: Vec<Include>, strata: Strata| Spec {
        plan: Plan::Size {
            n,
            confidence: 95.0,
        },
        filters,
        includes,
        strata,
        detractor_max: 6,
        manager_phrases: vec![MANAGER.into()],
        negative_phrases: vec!["terrible".into()],
    };
    let include = |rule, share| Include { rule, share };
    let rules = vec![
        include(Rule::AskedForManager, 0.5),
        include(Rule::WantsContact, 1.0),
        include(Rule::WouldNotRecommend, 0.1),
        include(Rule::Negative, 0.3),
    ];
    let second_week = Filters {
        since: Some(1_700_000_000 + 7 * 86_400),
        until: Some(1_700_000_000 + 14 * 86_400),
        ..Default::default()
    };
    let support = Filters {
        divisions: vec!["Support".into(), "Sales".into()],
        ..Default::default()
    };
    vec![
        (
            "whole store, simple",
            spec(25, Filters::default(), vec![], Strata::None),
        ),
        (
            "whole store, rules, proportional",
            spec(40, Filters::default(), rules.clone(), Strata::Proportional),
        ),
        (
            "whole store, rules, per division",
            spec(
                0,
                Filters::default(),
                rules.clone(),
                Strata::PerDivision { n: 15 },
            ),
        ),
        (
            "a week, rules, proportional",
            spec(30, second_week, rules.clone(), Strata::Proportional),
        ),
        (
            "two divisions, rules",
            spec(30, support, rules, Strata::None),
        ),
    ]
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
