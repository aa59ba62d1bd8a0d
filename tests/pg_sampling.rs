//! Samples and the roll-up on the PostgreSQL store: a sample drawn and recorded there holds
//! what a SQLite store records for the same complaints, spec and seed, replays alike, and its
//! items are judged alike from the same decisions; row-level security keeps a division head to
//! their divisions and keeps them from recording samples. Needs a server (SIGNOFF_TEST_PG);
//! skipped without one, except under CI.

mod common;

use std::time::Duration;

use common::draw_story::{complaint, specs, MANAGER};
use common::pg::{grant, records, server, TestDb};

use signoff::domain::decision::{Kind, Status};
use signoff::domain::sample::Rule;
use signoff::domain::signing::Unsigned;
use signoff::domain::Complaint;
use signoff::store::complaints::{begin_import, upsert, ImportMeta};
use signoff::store::decisions::NewDecision;
use signoff::store::draw::phrase_query;
use signoff::store::pg::{PgImportMeta, PgStore};
use signoff::store::rule_sets::PhraseRule;
use signoff::store::Db;

const DRAWN_AT: i64 = 1_800_000_000;
const NOW: i64 = 1_800_100_000;

fn meta(file: &str) -> PgImportMeta<'_> {
    PgImportMeta {
        source: "t",
        profile: "generic",
        ..common::pg::meta(file)
    }
}

/// A migrated store holding the complaints, with its people: alex (admin), dana and erin
/// (executives), priya (head of Billing) and lee (head of Support).
fn pg_store(db: &TestDb, complaints: &[Complaint]) {
    let mut owner = PgStore::connect(&db.owner_url()).expect("connect as owner");
    owner.migrate().expect("migrate");
    owner
        .sync_people(&[
            grant(db, "alex", "admin", &[]),
            grant(db, "dana", "executive", &[]),
            grant(db, "erin", "executive", &[]),
            grant(db, "priya", "division_head", &["Billing"]),
            grant(db, "lee", "division_head", &["Support"]),
        ])
        .expect("sync");
    let mut admin = PgStore::connect(&db.url_for("alex")).expect("connect as admin");
    admin
        .load(&meta("t.csv"), records(complaints))
        .expect("load");
}

fn connect(db: &TestDb, who: &str) -> PgStore {
    PgStore::connect(&db.url_for(who)).unwrap_or_else(|e| panic!("connect as {who}: {e}"))
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
    signoff::store::rule_sets::refresh_phrase_rules(
        &tx,
        &[
            PhraseRule {
                rule: Rule::AskedForManager.name().into(),
                query: phrase_query(&[MANAGER.to_string()]),
            },
            PhraseRule {
                rule: Rule::Negative.name().into(),
                query: phrase_query(&["terrible".to_string()]),
            },
        ],
        None,
    )
    .expect("phrase sets");
    tx.commit().expect("commit");
}

fn sqlite_store(complaints: &[Complaint]) -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(&dir.path().join("s.db"), Duration::from_secs(5)).expect("open");
    sqlite_import(&db, complaints, "t.csv");
    (dir, db)
}

fn sqlite_decide(db: &Db, d: NewDecision) {
    let mut conn = rusqlite::Connection::open(&db.path).expect("own connection");
    let tx = conn.transaction().expect("tx");
    signoff::store::decisions::append(&tx, d, &Unsigned).expect("append on SQLite");
    tx.commit().expect("commit");
}

fn decision(complaint_id: i64, sample_id: Option<i64>, kind: Kind, actor: &str) -> NewDecision {
    NewDecision {
        complaint_id,
        sample_id,
        kind,
        actor: actor.to_string(),
        actor_name: format!("{actor} (test)"),
        actor_title: "Title".into(),
        at: DRAWN_AT + 1_000,
        statement: Some(format!("I, {actor}, decided this.")),
        reasons: None,
        note: None,
        due_at: None,
        body: None,
        retracts: None,
    }
}

fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).expect("json")
}

#[test]
fn a_sample_recorded_on_postgres_is_the_one_sqlite_records_and_is_judged_alike() {
    let Some(url) =
        server("a_sample_recorded_on_postgres_is_the_one_sqlite_records_and_is_judged_alike")
    else {
        return;
    };
    let mut complaints: Vec<Complaint> = (0..600).map(complaint).collect();
    let db = TestDb::new(&url);
    pg_store(&db, &complaints);
    let (_dir, mut lite) = sqlite_store(&complaints);
    let dana = db.login("dana");
    let priya = db.login("priya");
    let mut exec = connect(&db, "dana");

    assert_eq!(exec.next_sample_id().expect("next id"), 1);
    assert!(exec.latest_sample().expect("latest").is_none());

    // Every spec of the draw contract, one after another: each sample leaves out the items of
    // those before it, so the boundary each took matters too.
    let specs = specs();
    for (i, (name, spec)) in specs.iter().enumerate() {
        let seed = u64::MAX - i as u64 * 7_919;
        let label = format!("week {i}");
        let (id, drawn) = exec
            .draw_and_record(spec, seed, &label, &dana, DRAWN_AT + i as i64)
            .unwrap_or_else(|e| panic!("{name}: draw on PostgreSQL: {e}"));
        let (lite_id, lite_drawn) = lite
            .draw_and_record(spec, seed, &label, &dana, DRAWN_AT + i as i64)
            .unwrap_or_else(|e| panic!("{name}: draw on SQLite: {e}"));
        assert_eq!(id, Some(i as i64 + 1), "{name}");
        assert_eq!(id, lite_id, "{name}");
        assert!(!drawn.items.is_empty(), "{name}");
        assert_eq!(drawn, lite_drawn, "{name}");
        assert_eq!(exec.next_sample_id().expect("next id"), i as i64 + 2);
    }

    // The recorded rows, read back, are SQLite's: spec, seed (past i64::MAX), population,
    // fingerprint, confidence and strata.
    let samples = exec.samples().expect("samples");
    assert_eq!(samples.len(), specs.len());
    assert_eq!(
        json(&samples),
        json(&lite.samples().expect("SQLite samples"))
    );
    assert!(samples[0].seed > i64::MAX as u64);
    assert!(samples.iter().any(|s| s.strata.is_some()));
    assert!(samples.iter().any(|s| s.strata.is_none()));
    for s in &samples {
        let items = exec.sample_items(s.id).expect("items");
        assert_eq!(
            items,
            lite.sample_items(s.id).expect("SQLite items"),
            "{}",
            s.id
        );
        // Replayed from what was recorded, the same items in the same order.
        let replay = exec.draw(&s.spec, s.seed, s.id).expect("replay");
        assert_eq!(replay.items, items, "replay of {}", s.id);
        assert_eq!(replay.fingerprint, s.fingerprint, "replay of {}", s.id);
    }

    // Found by label (the latest with it), by id, with or without '#'.
    let by_label = exec.sample("week 2").expect("by label").expect("found");
    assert_eq!(by_label.id, 3);
    assert_eq!(json(&by_label), json(&samples[2]));
    assert_eq!(exec.sample("#2").expect("by #id").map(|s| s.id), Some(2));
    assert_eq!(exec.sample("4").expect("by id").map(|s| s.id), Some(4));
    assert!(exec.sample("no such sample").expect("none").is_none());
    let latest = exec.latest_sample().expect("latest").expect("one");
    assert_eq!(latest.id, samples.len() as i64);
    assert_eq!(
        json(&latest),
        json(&lite.latest_sample().expect("SQLite latest").expect("one"))
    );

    // Decisions on the first sample, the same on both stores: signed, pushed back (one
    // overdue, one answered by Billing's head, one retracted), and one signed whose text
    // changes afterwards.
    let first = exec.sample_items(1).expect("items");
    let division = |id: i64| complaints[id as usize - 1].division.clone();
    let billing: Vec<i64> = first
        .iter()
        .map(|it| it.complaint_id)
        .filter(|id| division(*id) == "Billing")
        .collect();
    let others: Vec<i64> = first
        .iter()
        .map(|it| it.complaint_id)
        .filter(|id| division(*id) != "Billing")
        .collect();
    assert!(billing.len() >= 4 && others.len() >= 3, "{first:?}");
    let push_back = |id: i64, due_at: i64, reasons: &str| NewDecision {
        reasons: Some(reasons.into()),
        due_at: Some(due_at),
        note: Some("Please look again.".into()),
        ..decision(id, Some(1), Kind::PushBack, &dana)
    };
    let mut made: Vec<(NewDecision, bool)> = vec![
        (decision(billing[0], Some(1), Kind::Approve, &dana), false),
        (decision(others[0], Some(1), Kind::Approve, &dana), false),
        (push_back(billing[1], NOW - 10, "tone,facts"), false),
        (push_back(billing[2], NOW + 86_400, "facts"), false),
        (push_back(others[1], NOW + 86_400, "tone"), false),
        (
            NewDecision {
                body: Some("We have rewritten the reply.".into()),
                ..decision(billing[2], Some(1), Kind::Revise, &priya)
            },
            true,
        ),
        (decision(billing[3], Some(1), Kind::Approve, &dana), false),
    ];
    // The push-back on others[1] is retracted: its decision is the fifth of the chain.
    made.push((
        NewDecision {
            retracts: Some(5),
            ..decision(others[1], Some(1), Kind::Retract, &dana)
        },
        false,
    ));
    let mut head = connect(&db, "priya");
    for (d, by_head) in made {
        let who = if by_head { &mut head } else { &mut exec };
        who.append_decision(d.clone(), &Unsigned)
            .unwrap_or_else(|e| panic!("append on PostgreSQL: {e}"));
        sqlite_decide(&lite, d);
    }
    // A complaint decided outside any sample, for the ad hoc figures.
    let sampled: Vec<i64> = samples
        .iter()
        .flat_map(|s| exec.sample_items(s.id).expect("items"))
        .map(|it| it.complaint_id)
        .collect();
    let ad_hoc = (1..=complaints.len() as i64)
        .find(|id| !sampled.contains(id))
        .expect("an unsampled complaint");
    exec.append_decision(decision(ad_hoc, None, Kind::Approve, &dana), &Unsigned)
        .expect("ad hoc on PostgreSQL");
    sqlite_decide(&lite, decision(ad_hoc, None, Kind::Approve, &dana));

    // billing[3]'s response changes after it was signed, on both stores.
    let changed = billing[3] as usize - 1;
    complaints[changed].response_text = Some("A new reply, after the sign-off.".into());
    let mut admin = connect(&db, "alex");
    let reload = admin
        .load(&meta("t2.csv"), records(&complaints))
        .expect("reload");
    assert_eq!(reload.updated, 1);
    sqlite_import(&lite, &complaints[changed..=changed], "t2.csv");

    let reviewed = exec.reviewed_of_sample(1, None, NOW).expect("roll-up");
    assert_eq!(
        reviewed,
        lite.reviewed_of_sample(1, None, NOW).expect("SQLite")
    );
    assert_eq!(reviewed.len(), first.len());
    let status = |id: i64| {
        reviewed
            .iter()
            .find(|it| it.complaint_id == id)
            .map(|it| it.status.clone())
            .expect("item")
    };
    assert!(matches!(status(billing[0]), Status::Signed { .. }));
    assert!(matches!(
        status(billing[1]),
        Status::PushedBack { overdue: true, .. }
    ));
    assert!(matches!(status(billing[2]), Status::Answered { .. }));
    assert!(matches!(
        status(billing[3]),
        Status::SignedTextChanged { .. }
    ));
    assert_eq!(status(others[1]), Status::Pending);
    // Scoped to divisions.
    let support = vec!["Support".to_string()];
    let scoped = exec
        .reviewed_of_sample(1, Some(&support), NOW)
        .expect("scoped");
    assert!(!scoped.is_empty());
    assert!(scoped.iter().all(|it| it.division == "Support"));
    assert_eq!(
        scoped,
        lite.reviewed_of_sample(1, Some(&support), NOW)
            .expect("SQLite")
    );
    assert!(exec
        .reviewed_of_sample(1, Some(&[]), NOW)
        .expect("none")
        .is_empty());

    // Every sample's items, all or only those decided since; the ad hoc complaint.
    for since in [None, Some(DRAWN_AT), Some(DRAWN_AT + 2_000)] {
        for scope in [None, Some(support.as_slice())] {
            assert_eq!(
                exec.reviewed_of_all_samples(scope, since, NOW)
                    .expect("all samples"),
                lite.reviewed_of_all_samples(scope, since, NOW)
                    .expect("SQLite all samples"),
                "since {since:?}, {scope:?}"
            );
        }
    }
    let decided_items = exec
        .reviewed_of_all_samples(None, Some(DRAWN_AT), NOW)
        .expect("decided");
    // The six complaints of the first sample decided on.
    assert_eq!(decided_items.len(), 6);
    for decided in [None, Some((DRAWN_AT, NOW)), Some((NOW, NOW + 1))] {
        let pg = exec.reviewed_ad_hoc(None, decided, NOW).expect("ad hoc");
        assert_eq!(
            pg,
            lite.reviewed_ad_hoc(None, decided, NOW)
                .expect("SQLite ad hoc"),
            "{decided:?}"
        );
        let ids: Vec<i64> = pg.iter().map(|it| it.complaint_id).collect();
        let want = if decided == Some((NOW, NOW + 1)) {
            vec![]
        } else {
            vec![ad_hoc]
        };
        assert_eq!(ids, want, "{decided:?}");
    }

    // What each sample proves, as SQLite says it.
    for s in &samples {
        assert_eq!(
            exec.sample_bound(s, NOW).expect("bound"),
            lite.sample_bound(s, NOW).expect("SQLite bound"),
            "sample {}",
            s.id
        );
    }
}

#[test]
fn a_division_head_reads_their_own_items_and_may_not_record_a_sample() {
    let Some(url) = server("a_division_head_reads_their_own_items_and_may_not_record_a_sample")
    else {
        return;
    };
    let complaints: Vec<Complaint> = (0..300).map(complaint).collect();
    let db = TestDb::new(&url);
    pg_store(&db, &complaints);
    let dana = db.login("dana");
    let mut exec = connect(&db, "dana");
    let specs = specs();
    let (_, spec) = &specs[0];
    let (id, drawn) = exec
        .draw_and_record(spec, 11, "week 1", &dana, DRAWN_AT)
        .expect("draw");
    let id = id.expect("a sample");
    for it in drawn.items.iter().take(4) {
        exec.append_decision(
            decision(it.complaint_id, Some(id), Kind::Approve, &dana),
            &Unsigned,
        )
        .expect("sign");
    }
    let all = exec.reviewed_of_sample(id, None, NOW).expect("all");
    assert!(all.iter().any(|it| it.division == "Billing"));
    assert!(all.iter().any(|it| it.division != "Billing"));

    // Priya heads Billing: she reads Billing's items only, whatever she asks for.
    let mut priya = connect(&db, "priya");
    let billing = vec!["Billing".to_string()];
    let hers = priya.reviewed_of_sample(id, None, NOW).expect("hers");
    assert_eq!(
        hers,
        exec.reviewed_of_sample(id, Some(&billing), NOW)
            .expect("Billing's")
    );
    assert!(!hers.is_empty());
    assert!(priya
        .reviewed_of_sample(id, Some(&["Support".to_string()]), NOW)
        .expect("not hers")
        .is_empty());
    assert!(priya
        .sample_items(id)
        .expect("items")
        .iter()
        .all(|it| complaints[it.complaint_id as usize - 1].division == "Billing"));
    assert_eq!(
        priya
            .reviewed_of_all_samples(None, None, NOW)
            .expect("all samples"),
        hers
    );
    // She sees the sample itself.
    assert_eq!(
        priya.latest_sample().expect("latest").map(|s| s.id),
        Some(id)
    );

    // Recording a sample is an executive's: the server refuses her, and keeps nothing.
    let priya_login = db.login("priya");
    let billing_only = signoff::domain::sample::Spec {
        filters: signoff::domain::sample::Filters {
            divisions: billing.clone(),
            include_sampled: true,
            ..Default::default()
        },
        ..spec.clone()
    };
    let err = priya
        .draw_and_record(&billing_only, 12, "hers", &priya_login, DRAWN_AT)
        .expect_err("a head may not record a sample");
    assert!(
        err.to_string()
            .contains("permission denied for table samples"),
        "{err}"
    );
    // Nor may an executive record one in someone else's name.
    let err = exec
        .draw_and_record(spec, 13, "not mine", &priya_login, DRAWN_AT)
        .expect_err("drawn_by is who connected");
    assert!(err.to_string().contains("row-level security"), "{err}");
    assert_eq!(exec.samples().expect("samples").len(), 1);
    assert_eq!(exec.next_sample_id().expect("next"), id + 1);
    // The refused draws left the samples' lock free (their sessions still open): another
    // executive draws at once.
    let held = db.psql_owner(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    assert_eq!(held.stdout.trim(), "0", "{}", held.stderr);
    let mut erin = connect(&db, "erin");
    let erin_login = db.login("erin");
    let (next, _) = erin
        .draw_and_record(spec, 14, "erin's", &erin_login, DRAWN_AT)
        .expect("erin draws");
    assert_eq!(next, Some(id + 1));
}

#[test]
fn executives_drawing_at_once_take_one_id_each_and_never_the_same_items() {
    let Some(url) = server("executives_drawing_at_once_take_one_id_each_and_never_the_same_items")
    else {
        return;
    };
    let complaints: Vec<Complaint> = (0..600).map(complaint).collect();
    let db = TestDb::new(&url);
    pg_store(&db, &complaints);
    let (_, spec) = specs().remove(0);
    let threads: Vec<_> = ["dana", "erin"]
        .into_iter()
        .flat_map(|who| [(who, 0u64), (who, 1)])
        .map(|(who, n)| {
            let url = db.url_for(who);
            let login = db.login(who);
            let spec = spec.clone();
            std::thread::spawn(move || {
                let mut store = PgStore::connect(&url).expect("connect");
                let (id, drawn) = store
                    .draw_and_record(&spec, 100 + n, &format!("{login} {n}"), &login, DRAWN_AT)
                    .expect("draw");
                (id.expect("a sample"), drawn.items)
            })
        })
        .collect();
    let mut drawn: Vec<_> = threads
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .collect();
    drawn.sort_by_key(|(id, _)| *id);
    assert_eq!(
        drawn.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
    // Each sample left out the items of those recorded before it.
    let mut seen = std::collections::HashSet::new();
    for (id, items) in &drawn {
        for it in items {
            assert!(
                seen.insert(it.complaint_id),
                "sample {id} drew {} again",
                it.complaint_id
            );
        }
    }
    let mut exec = connect(&db, "dana");
    for (id, items) in &drawn {
        assert_eq!(&exec.sample_items(*id).expect("items"), items);
    }
}
