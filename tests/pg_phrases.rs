//! The phrase rules' matches a PostgreSQL store keeps (`phrase_rule_sets`), as a SQLite import
//! keeps them: each load brings them up to date for new and changed complaints, a draw over the
//! whole store picks from them, a set kept for other phrases is not used, and a division head
//! reads none of them. Needs a server (SIGNOFF_TEST_PG); skipped without one, except under CI.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::draw_story::{complaint, specs, MANAGER};
use common::pg::{grant, records, server, TestDb};

use signoff::domain::draw::{draw, LIST_LIMIT};
use signoff::domain::draw_memory::MemoryPopulation;
use signoff::domain::sample::{Filters, Include, Plan, Rule, Spec, Strata};
use signoff::domain::Complaint;
use signoff::store::complaints::{begin_import, upsert, ImportMeta};
use signoff::store::draw::phrase_query;
use signoff::store::pg::{PgImportMeta, PgStore};
use signoff::store::rule_sets::PhraseRule;
use signoff::store::Db;

const TERRIBLE: &str = "terrible";

fn meta(file: &str) -> PgImportMeta<'_> {
    PgImportMeta {
        source: "t",
        profile: "generic",
        ..common::pg::meta(file)
    }
}

/// The phrase rules as the configuration of the draw story gives them.
fn rules(manager: &str, negative: &str) -> Vec<PhraseRule> {
    vec![
        PhraseRule {
            rule: Rule::AskedForManager.name().into(),
            query: phrase_query(&[manager.to_string()]),
        },
        PhraseRule {
            rule: Rule::Negative.name().into(),
            query: phrase_query(&[negative.to_string()]),
        },
    ]
}

/// A migrated store with alex (admin), dana (executive) and priya (head of Billing); returns
/// alex's connection, who loads.
fn store(db: &TestDb) -> PgStore {
    let mut owner = PgStore::connect(&db.owner_url()).expect("connect as owner");
    owner.migrate().expect("migrate");
    owner
        .sync_people(&[
            grant(db, "alex", "admin", &[]),
            grant(db, "dana", "executive", &[]),
            grant(db, "priya", "division_head", &["Billing"]),
        ])
        .expect("sync");
    connect(db, "alex")
}

fn connect(db: &TestDb, who: &str) -> PgStore {
    PgStore::connect(&db.url_for(who)).unwrap_or_else(|e| panic!("connect as {who}: {e}"))
}

/// The ids (1, 2, … in the order given) of the complaints whose text holds the word.
fn holding(complaints: &[Complaint], word: &str) -> BTreeSet<i64> {
    complaints
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.complaint_text
                .split(|ch: char| !ch.is_alphanumeric())
                .any(|w| w.eq_ignore_ascii_case(word))
        })
        .map(|(i, _)| i as i64 + 1)
        .collect()
}

/// Each kept set, by rule: its query, the complaint id it is right up to, and its ids.
fn kept(store: &mut PgStore) -> Vec<(String, String, i64, BTreeSet<i64>)> {
    let mut sets: Vec<_> = store
        .phrase_sets()
        .expect("kept sets")
        .into_iter()
        .map(|k| {
            let ids: BTreeSet<i64> = k.set.ids().collect();
            assert_eq!(k.set.matches, ids.len() as u64, "{}: its count", k.rule);
            (k.rule, k.query, k.max_id, ids)
        })
        .collect();
    sets.sort();
    sets
}

/// The story's complaints, then the second load: complaint 22 no longer asks for a manager,
/// complaint 5 turns terrible, complaint 26 asks for a manager instead of being terrible, and
/// thirty new ones.
fn story() -> (Vec<Complaint>, Vec<Complaint>) {
    let first: Vec<Complaint> = (0..300).map(complaint).collect();
    let mut second = first.clone();
    second[22].complaint_text = "All sorted now".into();
    second[5].complaint_text = "A terrible delay".into();
    second[26].complaint_text = "Put me through to a manager".into();
    second.extend((300..330).map(complaint));
    (first, second)
}

#[test]
fn each_load_keeps_the_phrase_rules_matches_for_new_and_changed_complaints() {
    let Some(url) =
        server("each_load_keeps_the_phrase_rules_matches_for_new_and_changed_complaints")
    else {
        return;
    };
    let db = TestDb::new(&url);
    let mut alex = store(&db);
    let (first, second) = story();
    let rules = rules(MANAGER, TERRIBLE);
    let expect = |cs: &[Complaint], max_id: i64| {
        vec![
            (
                Rule::AskedForManager.name().to_string(),
                phrase_query(&[MANAGER.to_string()]),
                max_id,
                holding(cs, MANAGER),
            ),
            (
                Rule::Negative.name().to_string(),
                phrase_query(&[TERRIBLE.to_string()]),
                max_id,
                holding(cs, TERRIBLE),
            ),
        ]
    };
    alex.load_keeping(&meta("w1.csv"), &rules, records(&first))
        .expect("first load");
    assert_eq!(kept(&mut alex), expect(&first, 300));
    assert!(holding(&first, MANAGER).contains(&23));
    assert!(!holding(&first, TERRIBLE).contains(&6));

    // Changed rows that stop matching leave the set, changed rows that start matching and new
    // rows that match join it.
    let counts = alex
        .load_keeping(&meta("w2.csv"), &rules, records(&second))
        .expect("second load");
    assert_eq!((counts.inserted, counts.updated), (30, 3));
    let now = kept(&mut alex);
    assert_eq!(now, expect(&second, 330));
    assert!(!now[0].3.contains(&23) && now[0].3.contains(&27) && now[0].3.contains(&309));
    assert!(now[1].3.contains(&6) && !now[1].3.contains(&27));

    // A load that does not name the rules keeps the sets the store keeps, for their phrases.
    let mut third = second.clone();
    third[0].complaint_text = "Nothing to report".into();
    third.push(Complaint {
        external_id: "late".into(),
        complaint_text: "terrible, and I want a manager".into(),
        ..complaint(400)
    });
    alex.load(&meta("w3.csv"), records(&third))
        .expect("third load");
    assert_eq!(kept(&mut alex), expect(&third, 331));

    // Nothing new: the sets stay as they are.
    alex.load_keeping(&meta("w3.csv"), &rules, records(&third))
        .expect("same again");
    assert_eq!(kept(&mut alex), expect(&third, 331));
}

/// Writes complaints into a SQLite store as an import writes them, with the counts and phrase
/// matches an import keeps for a draw.
fn sqlite_import(db: &Db, complaints: &[Complaint], file: &str) {
    let mut conn = rusqlite::Connection::open(&db.path).expect("own connection");
    let tx = conn.transaction().expect("tx");
    let import = begin_import(
        &tx,
        &ImportMeta {
            source: "t",
            profile: "generic",
            file_name: file,
            file_size: 0,
            encoding: "utf-8",
            delimiter: "comma",
            imported_by: "test",
            started_at: 0,
        },
    )
    .expect("import");
    for (i, c) in complaints.iter().enumerate() {
        upsert(&tx, import, c, &c.content_hash(), file, i as u64 + 2, 0).expect("upsert");
    }
    signoff::store::stats::refresh_division_counts(&tx).expect("counts");
    signoff::store::rule_sets::recount(&tx).expect("rule counts");
    signoff::store::rule_sets::refresh_phrase_rules(&tx, &rules(MANAGER, TERRIBLE), None)
        .expect("phrase sets");
    tx.commit().expect("commit");
}

/// The story's draws on both stores and in memory, every spec, listed and by picks.
fn draws_agree(exec: &mut PgStore, sqlite: &Db, held: &MemoryPopulation, what: &str) {
    let conn = rusqlite::Connection::open(&sqlite.path).expect("sqlite");
    for (name, sp) in specs() {
        for limit in [LIST_LIMIT, 50] {
            for seed in [0, 3, 20261129] {
                let what = format!("{what}: {name}, limit {limit}, seed {seed}");
                let stored = exec.draw_with_limit(&sp, seed, 1, limit).expect("draw");
                let lite = signoff::store::draw::draw_with_limit(&conn, &sp, seed, 1, limit)
                    .expect("sqlite draw");
                let from_memory = match draw(held, &sp, seed, 1, limit) {
                    Ok(d) => d,
                    Err(e) => match e {},
                };
                assert!(!stored.items.is_empty(), "{what}");
                assert_eq!(stored.items, lite.items, "{what}: as on SQLite");
                assert_eq!(stored.items, from_memory.items, "{what}: as in memory");
                assert_eq!(stored.population, lite.population, "{what}");
                assert_eq!(stored.strata, lite.strata, "{what}");
            }
        }
    }
}

fn in_memory(complaints: &[Complaint], manager: &str, negative: &str) -> MemoryPopulation {
    let mut held = MemoryPopulation::new(complaints.to_vec());
    held.keep_phrase_matches(Rule::AskedForManager, &[manager.to_string()]);
    held.keep_phrase_matches(Rule::Negative, &[negative.to_string()]);
    held
}

#[test]
fn a_draw_with_rules_picks_from_the_kept_sets_as_sqlite_does_after_each_load() {
    let Some(url) =
        server("a_draw_with_rules_picks_from_the_kept_sets_as_sqlite_does_after_each_load")
    else {
        return;
    };
    let db = TestDb::new(&url);
    let mut alex = store(&db);
    let mut dana = connect(&db, "dana");
    let dir = tempfile::tempdir().expect("tempdir");
    let lite = Db::open(&dir.path().join("s.db"), Duration::from_secs(5)).expect("sqlite");
    let (first, second) = story();
    let rules = rules(MANAGER, TERRIBLE);

    alex.load_keeping(&meta("w1.csv"), &rules, records(&first))
        .expect("first load");
    sqlite_import(&lite, &first, "w1.csv");
    draws_agree(
        &mut dana,
        &lite,
        &in_memory(&first, MANAGER, TERRIBLE),
        "first load",
    );

    alex.load_keeping(&meta("w2.csv"), &rules, records(&second))
        .expect("second load");
    sqlite_import(&lite, &second, "w2.csv");
    draws_agree(
        &mut dana,
        &lite,
        &in_memory(&second, MANAGER, TERRIBLE),
        "second load",
    );

    // The draw reads the kept set, not a search: with the manager set emptied behind the
    // store's back (as the owner, whom nothing stops), a listed draw takes no manager items.
    let all = Spec {
        plan: Plan::Size {
            n: 5,
            confidence: 95.0,
        },
        filters: Filters::default(),
        includes: vec![Include {
            rule: Rule::AskedForManager,
            share: 1.0,
        }],
        strata: Strata::None,
        detractor_max: 6,
        manager_phrases: vec![MANAGER.into()],
        negative_phrases: vec![TERRIBLE.into()],
    };
    let reason = format!("rule:{}", Rule::AskedForManager.name());
    let managers = |d: &signoff::domain::draw::Drawn| {
        d.items
            .iter()
            .filter(|i| i.reason == reason)
            .map(|i| i.complaint_id)
            .collect::<BTreeSet<i64>>()
    };
    let before = dana.draw(&all, 1, 1).expect("draw");
    assert_eq!(managers(&before), holding(&second, MANAGER));
    let out = db.psql_owner(&format!(
        "UPDATE phrase_rule_sets SET bits = '\\x'::bytea, matches = 0 WHERE rule = '{}'",
        Rule::AskedForManager.name()
    ));
    assert!(out.ok, "{}", out.stderr);
    let emptied = dana.draw(&all, 1, 1).expect("draw");
    assert!(managers(&emptied).is_empty(), "{:?}", emptied.items);
}

#[test]
fn a_set_kept_for_other_phrases_is_not_used_and_the_next_load_makes_it_again() {
    let Some(url) =
        server("a_set_kept_for_other_phrases_is_not_used_and_the_next_load_makes_it_again")
    else {
        return;
    };
    let db = TestDb::new(&url);
    let mut alex = store(&db);
    let mut dana = connect(&db, "dana");
    let (first, second) = story();
    // Kept for the phrases as they were: the manager rule looked for "wait".
    alex.load_keeping(&meta("w1.csv"), &rules("wait", TERRIBLE), records(&first))
        .expect("first load");
    assert_eq!(kept(&mut alex)[0].3, holding(&first, "wait"));
    assert_ne!(holding(&first, "wait"), holding(&first, MANAGER));

    // The configuration now says "manager": the draw searches rather than read the set kept
    // for "wait", and draws what a store keeping "manager" draws.
    let held = in_memory(&first, MANAGER, TERRIBLE);
    for (name, sp) in specs() {
        for limit in [LIST_LIMIT, 50] {
            let stored = dana.draw_with_limit(&sp, 7, 1, limit).expect("draw");
            let from_memory = match draw(&held, &sp, 7, 1, limit) {
                Ok(d) => d,
                Err(e) => match e {},
            };
            assert_eq!(stored.items, from_memory.items, "{name}, limit {limit}");
        }
    }

    // The next load, with the phrases as configured now, makes the set again for them.
    alex.load_keeping(&meta("w2.csv"), &rules(MANAGER, TERRIBLE), records(&second))
        .expect("second load");
    let now = kept(&mut alex);
    assert_eq!(now[0].1, phrase_query(&[MANAGER.to_string()]));
    assert_eq!(now[0].3, holding(&second, MANAGER));
    assert_eq!(now[1].3, holding(&second, TERRIBLE));
}

#[test]
fn a_division_head_reads_and_writes_no_kept_set() {
    let Some(url) = server("a_division_head_reads_and_writes_no_kept_set") else {
        return;
    };
    let db = TestDb::new(&url);
    let mut alex = store(&db);
    let (first, _) = story();
    alex.load_keeping(&meta("w1.csv"), &rules(MANAGER, TERRIBLE), records(&first))
        .expect("load");
    assert_eq!(kept(&mut alex).len(), 2);

    // The sets cover every division: a head sees none of them, through signoff or psql.
    let mut priya = connect(&db, "priya");
    assert!(priya.phrase_sets().expect("read as a head").is_empty());
    let read = db.psql_as("priya", "SELECT count(*) FROM phrase_rule_sets");
    assert!(read.ok, "{}", read.stderr);
    assert_eq!(read.stdout.trim(), "0");
    // Nor may a head change them, which would steer an executive's draw.
    for sql in [
        "UPDATE phrase_rule_sets SET matches = 0",
        "DELETE FROM phrase_rule_sets",
        "INSERT INTO phrase_rule_sets VALUES ('x', 'q', 0, 0, '\\x'::bytea)",
    ] {
        let out = db.psql_as("priya", sql);
        assert!(!out.ok, "{sql}: {}", out.stdout);
    }
    assert_eq!(kept(&mut alex).len(), 2);
    // A head's draw (refused when recorded) still sees only their division's matches.
    let sp = &specs()[1].1;
    let drawn = priya.draw(sp, 1, 1).expect("a head's draw");
    assert!(drawn
        .items
        .iter()
        .all(|i| first[i.complaint_id as usize - 1].division == "Billing"));
}
