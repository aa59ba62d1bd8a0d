//! The PostgreSQL store's loader: an import's records copied in and merged in one transaction.
//! Needs a server (SIGNOFF_TEST_PG); skipped without one, except under CI.

mod common;

use common::pg::{grant, meta, records, server, TestDb};
use signoff::domain::thread::{Author, Message};
use signoff::domain::Complaint;
use signoff::store::pg::PgStore;

fn complaint(id: &str, division: &str, text: &str) -> Complaint {
    Complaint {
        source: "helpdesk".into(),
        external_id: id.into(),
        received_at: 1_763_000_000,
        division: division.into(),
        complaint_text: text.into(),
        response_text: Some("We are sorry; it is fixed.".into()),
        responded_at: Some(1_763_003_600),
        likelihood: Some(4),
        wants_contact: Some(true),
        customer_key: Some("mail:ann@example.com".into()),
        ..Complaint::default()
    }
}

/// A store migrated, with an admin to load as.
fn store(db: &TestDb) -> PgStore {
    let mut owner = PgStore::connect(&db.owner_url()).expect("connect as owner");
    owner.migrate().expect("migrate");
    owner
        .sync_people(&[
            grant(db, "alex", "admin", &[]),
            grant(db, "priya", "division_head", &["Billing"]),
        ])
        .expect("sync");
    PgStore::connect(&db.url_for("alex")).expect("connect as admin")
}

#[test]
fn a_load_inserts_then_leaves_unchanged_then_updates_with_history() {
    let Some(url) = server("a_load_inserts_then_leaves_unchanged_then_updates_with_history") else {
        return;
    };
    let db = TestDb::new(&url);
    let mut admin = store(&db);
    let mut week = vec![
        complaint("B-1", "Billing", "Charged twice for one order"),
        complaint("S-1", "Support", "Cannot log in since Monday"),
        complaint("B-1", "Billing", "A later copy of the same ticket"),
    ];
    let mut thread = complaint("S-2", "Support", "Where is my parcel?");
    thread.messages = vec![
        Message {
            id: Some("m1".into()),
            author: Author::Customer,
            name: Some("Ann".into()),
            at: Some(1_763_000_000),
            channel: Some("email".into()),
            text: "Where is my parcel?".into(),
        },
        Message {
            id: Some("m2".into()),
            author: Author::Company,
            name: Some("Agent 7".into()),
            at: Some(1_763_007_200),
            channel: Some("email".into()),
            text: "It left the depot today.".into(),
        },
    ];
    week.push(thread);
    let first = admin
        .load(&meta("week1.csv"), records(&week))
        .expect("first load");
    assert_eq!(
        (
            first.inserted,
            first.updated,
            first.unchanged,
            first.duplicates
        ),
        (3, 0, 0, 1)
    );
    let q = |sql: &str| db.psql_owner(sql).stdout.trim().to_string();
    // The first row of a repeated key is the one kept.
    assert_eq!(
        q("SELECT complaint_text || '|' || source_line FROM complaints WHERE external_id = 'B-1'"),
        "Charged twice for one order|2"
    );
    assert_eq!(
        q("SELECT string_agg(author || ':' || text, ' / ' ORDER BY seq) FROM messages"),
        "customer:Where is my parcel? / company:It left the depot today."
    );
    assert_eq!(
        q("SELECT message_count FROM complaints WHERE external_id = 'S-2'"),
        "2"
    );
    // The counts a draw reads instead of counting.
    assert_eq!(
        q("SELECT string_agg(division || '=' || complaints, ',' ORDER BY division) FROM division_counts"),
        "Billing=1,Support=2"
    );
    assert_eq!(
        q("SELECT sum(complaints) FROM rule_counts WHERE likelihood BETWEEN 0 AND 6 AND wants_contact = 1"),
        "3"
    );
    // Search finds the thread's words through the index.
    assert_eq!(
        q("SELECT count(*) FROM complaints WHERE search @@ plainto_tsquery('simple', 'log in')"),
        "1"
    );

    // The same file again: nothing changes, nothing is rewritten.
    let again = admin
        .load(&meta("week1.csv"), records(&week))
        .expect("again");
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 3));
    assert_eq!(q("SELECT count(*) FROM complaint_history"), "0");

    // A changed response: updated, with the earlier text kept.
    week[1].response_text = Some("We reset your password.".into());
    let later = admin
        .load(&meta("week2.csv"), records(&week))
        .expect("update");
    assert_eq!((later.inserted, later.updated, later.unchanged), (0, 1, 2));
    assert_eq!(
        q("SELECT response_text || '|' || source_file FROM complaints WHERE external_id = 'S-1'"),
        "We reset your password.|week2.csv"
    );
    assert_eq!(
        q("SELECT response_text FROM complaint_history"),
        "We are sorry; it is fixed."
    );
    // The thread of an unchanged complaint is kept as it was.
    assert_eq!(q("SELECT count(*) FROM messages"), "2");
    assert_eq!(
        q("SELECT string_agg(inserted || '/' || updated || '/' || unchanged || ' by ' || (imported_by = current_user)::text, ', ' ORDER BY id) FROM imports"),
        "3/0/0 by false, 0/0/3 by false, 0/1/2 by false"
    );
}

#[test]
fn a_dry_run_or_a_refused_load_keeps_nothing() {
    let Some(url) = server("a_dry_run_or_a_refused_load_keeps_nothing") else {
        return;
    };
    let db = TestDb::new(&url);
    let mut admin = store(&db);
    let week = vec![complaint("B-1", "Billing", "Charged twice")];
    let mut dry = meta("week1.csv");
    dry.dry_run = true;
    let counts = admin.load(&dry, records(&week)).expect("dry run");
    assert_eq!(counts.inserted, 1);
    let q = |sql: &str| db.psql_owner(sql).stdout.trim().to_string();
    assert_eq!(q("SELECT count(*) FROM complaints"), "0");
    assert_eq!(q("SELECT count(*) FROM imports"), "0");
    // A division head may not import: the server refuses, and nothing is kept.
    let mut head = PgStore::connect(&db.url_for("priya")).expect("connect as head");
    let err = head
        .load(&meta("week1.csv"), records(&week))
        .expect_err("refused");
    assert!(err.to_string().contains("permission denied"), "{err}");
    assert_eq!(q("SELECT count(*) FROM complaints"), "0");
}

fn new_decision(
    complaint_id: i64,
    kind: signoff::domain::decision::Kind,
    actor: &str,
    at: i64,
) -> signoff::store::decisions::NewDecision {
    signoff::store::decisions::NewDecision {
        complaint_id,
        sample_id: None,
        kind,
        actor: actor.to_string(),
        actor_name: "Someone".into(),
        actor_title: "Title".into(),
        at,
        statement: Some(format!("I, {actor}, approve this message.")),
        reasons: None,
        note: None,
        due_at: None,
        body: None,
        retracts: None,
    }
}

#[test]
fn decisions_are_signed_chained_and_checked_as_in_sqlite() {
    use signoff::domain::decision::{Kind, GENESIS};
    use signoff::sign::{generate_ed25519, write_key_pair, KeySigner, SignerSource, TrustRoot};
    let Some(url) = server("decisions_are_signed_chained_and_checked_as_in_sqlite") else {
        return;
    };
    let db = TestDb::new(&url);
    let mut admin = store(&db);
    let mut owner = PgStore::connect(&db.owner_url()).expect("owner");
    let dana = db.login("dana");
    let priya = db.login("priya");
    owner
        .sync_people(&[
            grant(&db, "alex", "admin", &[]),
            grant(&db, "priya", "division_head", &["Billing"]),
            grant(&db, "dana", "executive", &[]),
        ])
        .expect("sync");
    let week = vec![
        complaint("B-1", "Billing", "Charged twice for one order"),
        complaint("S-1", "Support", "Cannot log in since Monday"),
    ];
    admin
        .load(&meta("week1.csv"), records(&week))
        .expect("load");
    let id = |ext: &str| -> i64 {
        db.psql_owner(&format!(
            "SELECT id FROM complaints WHERE external_id = '{ext}'"
        ))
        .stdout
        .trim()
        .parse()
        .expect("id")
    };
    let (b1, s1) = (id("B-1"), id("S-1"));

    // Dana signs with her own SSH key; the trust root is the verifier's, not the store's.
    let dir = tempfile::tempdir().expect("tempdir");
    let key = generate_ed25519("dana").expect("key");
    let key_path = dir.path().join("id_ed25519");
    write_key_pair(&key, &key_path).expect("write key");
    let public = key.public_key().to_openssh().expect("public key");
    let mut trust = TrustRoot::default();
    trust.add(&dana, &public, None, None).expect("trust");
    let listed = trust.valid_keys(&dana, 1_764_100_000);
    let signer = KeySigner::open(&SignerSource::KeyFile(key_path), &dana, &listed).expect("signer");

    let mut exec = PgStore::connect(&db.url_for("dana")).expect("exec");
    let first = exec
        .append_decision(
            new_decision(s1, Kind::Approve, &dana, 1_764_100_000),
            &signer,
        )
        .expect("sign S-1");
    let second = exec
        .append_decision(
            new_decision(b1, Kind::PushBack, &dana, 1_764_100_100),
            &signer,
        )
        .expect("push back B-1");
    let mut head = PgStore::connect(&db.url_for("priya")).expect("head");
    let answer = head
        .append_decision(
            new_decision(b1, Kind::Revise, &priya, 1_764_100_200),
            &signature_free(),
        )
        .expect("answer B-1");
    // A head may not sign; the server says so and the chain is as it was.
    let err = head
        .append_decision(
            new_decision(b1, Kind::Approve, &priya, 1_764_100_300),
            &signature_free(),
        )
        .expect_err("a head may not sign");
    assert!(
        matches!(err, signoff::store::pg::PgAppendError::Refused(_)),
        "{err}"
    );
    // Nor reach a complaint of another division.
    let err = head
        .append_decision(
            new_decision(s1, Kind::Revise, &priya, 1_764_100_300),
            &signature_free(),
        )
        .expect_err("not hers");
    assert!(
        err.to_string().contains("not in the store, or not yours"),
        "{err}"
    );

    // One chain across divisions, each link and hash as the domain computes it.
    let chain = exec.decisions().expect("read");
    assert_eq!(chain.len(), 3);
    assert_eq!(chain[0].prev_hash, GENESIS);
    for pair in chain.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
    }
    for (d, made) in chain.iter().zip([&first, &second, &answer]) {
        assert_eq!(d.hash, d.compute_hash());
        assert_eq!(d.hash, made.hash);
        assert_eq!(d.id, made.id);
    }
    assert_eq!(
        chain[0].text_hash,
        signoff::domain::complaint::signed_text_hash(
            "Cannot log in since Monday",
            Some("We are sorry; it is fixed.")
        )
    );
    // Dana's records check against her key, over what the store holds now.
    for d in &chain[..2] {
        let check = signoff::sign::check(
            &trust,
            &d.actor,
            d.at,
            &d.canonical(),
            d.signature.as_deref(),
        );
        assert!(check.is_valid(), "{:?}", check);
    }
    // The division head reads only her division's decisions.
    let hers = head.decisions().expect("read");
    assert_eq!(
        hers.iter().map(|d| d.complaint_id).collect::<Vec<_>>(),
        vec![b1, b1]
    );
}

fn signature_free() -> signoff::domain::signing::Unsigned {
    signoff::domain::signing::Unsigned
}

#[test]
fn a_bulk_load_builds_the_search_indexes_once_and_keeps_them() {
    let Some(url) = server("a_bulk_load_builds_the_search_indexes_once_and_keeps_them") else {
        return;
    };
    let db = TestDb::new(&url);
    let mut admin = store(&db);
    let many: Vec<Complaint> = (0..12_000)
        .map(|i| {
            complaint(
                &format!("B-{i}"),
                "Billing",
                &format!("parcel number {i} never came"),
            )
        })
        .collect();
    let counts = admin
        .load(&meta("year.csv"), records(&many))
        .expect("bulk load");
    assert_eq!(counts.inserted, 12_000);
    let q = |sql: &str| db.psql_owner(sql).stdout.trim().to_string();
    assert_eq!(
        q(
            "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes
           WHERE indexname IN ('complaints_search', 'complaints_text_search', 'messages_search')"
        ),
        "complaints_search,complaints_text_search,messages_search"
    );
    assert_eq!(
        q("SELECT count(*) FROM complaints WHERE search @@ plainto_tsquery('simple', 'number 11999')"),
        "1"
    );
    // The right to rebuild them is lent to importers only.
    let head = db.psql_as("priya", "SELECT signoff_search_indexes(false)");
    assert!(
        !head.ok && head.stderr.contains("only those who import"),
        "{}",
        head.stderr
    );
    assert_eq!(
        q("SELECT count(*) FROM pg_indexes WHERE indexname = 'complaints_search'"),
        "1"
    );
}

#[test]
fn postgres_draws_what_the_population_in_memory_draws() {
    use common::draw_story::{complaint, specs, MANAGER};
    use signoff::domain::draw::{draw, LIST_LIMIT};
    use signoff::domain::draw_memory::MemoryPopulation;
    use signoff::domain::sample::Rule;
    let Some(url) = server("postgres_draws_what_the_population_in_memory_draws") else {
        return;
    };
    let db = TestDb::new(&url);
    let mut admin = store(&db);
    let complaints: Vec<Complaint> = (0..1200).map(complaint).collect();
    admin
        .load(&meta("t.csv"), records(&complaints))
        .expect("load");
    // As a SQLite store whose imports keep the phrase rules' matches up to date.
    let mut held = MemoryPopulation::new(complaints);
    held.keep_phrase_matches(Rule::AskedForManager, &[MANAGER.to_string()]);
    held.keep_phrase_matches(Rule::Negative, &["terrible".to_string()]);
    // The executive draws, under the row-level security she works under.
    let mut owner = PgStore::connect(&db.owner_url()).expect("owner");
    owner
        .sync_people(&[
            grant(&db, "alex", "admin", &[]),
            grant(&db, "dana", "executive", &[]),
        ])
        .expect("sync");
    let mut exec = PgStore::connect(&db.url_for("dana")).expect("exec");
    for (name, sp) in specs() {
        let sp = &sp;
        // Listed, and drawn by random picks.
        for limit in [LIST_LIMIT, 50] {
            for seed in [0, 1, 7, 20261129] {
                let what = format!("{name}, limit {limit}, seed {seed}");
                let stored = exec.draw_with_limit(sp, seed, 1, limit).expect("draw");
                let from_memory = match draw(&held, sp, seed, 1, limit) {
                    Ok(d) => d,
                    Err(e) => match e {},
                };
                assert!(!stored.items.is_empty(), "{what}");
                assert_eq!(stored.items, from_memory.items, "{what}");
                assert_eq!(stored.population, from_memory.population, "{what}");
                assert_eq!(stored.strata, from_memory.strata, "{what}");
            }
        }
    }
}

#[test]
fn the_loader_tells_each_row_as_it_is_written_and_stages_in_chunks() {
    use signoff::store::complaints::Upsert;
    let Some(url) = server("the_loader_tells_each_row_as_it_is_written_and_stages_in_chunks")
    else {
        return;
    };
    let db = TestDb::new(&url);
    let mut admin = store(&db);
    // More rows than one chunk stages.
    let many: Vec<Complaint> = (0..4500)
        .map(|i| {
            let division = if i % 2 == 0 { "Billing" } else { "Support" };
            complaint(&format!("K-{i}"), division, &format!("Charged £{i} twice"))
        })
        .collect();
    let hashes: Vec<[u8; 32]> = many.iter().map(Complaint::content_hash).collect();
    let mut loader = admin.loader(false, None).expect("begin");
    loader.prefetch(many.iter().zip(&hashes)).expect("prefetch");
    for (i, (c, h)) in many.iter().zip(&hashes).enumerate() {
        let got = loader.write(c, h, i as u64 + 2).expect("write");
        assert_eq!(got, Upsert::Inserted, "row {i}");
    }
    // A key seen before, in an earlier chunk: the first row of it stays.
    let repeat = complaint("K-0", "Billing", "A later copy");
    assert_eq!(
        loader
            .write(&repeat, &repeat.content_hash(), 9_000)
            .expect("write"),
        Upsert::Duplicate { first_line: 2 }
    );
    let counts = loader.commit(&meta("many.csv"), None).expect("commit");
    assert_eq!((counts.inserted, counts.duplicates), (4500, 1));
    let q = |sql: &str| db.psql_owner(sql).stdout.trim().to_string();
    assert_eq!(q("SELECT count(*) FROM complaints"), "4500");
    assert_eq!(
        q("SELECT complaint_text FROM complaints WHERE external_id = 'K-0'"),
        "Charged £0 twice"
    );

    // Next week: one text changed, one a damaged copy (the pound sign lost), the rest as they
    // were; the damaged one is held back, the stored text kept.
    let mut next = many.clone();
    next[1].complaint_text = "Charged £1 three times".into();
    next[2].complaint_text = "Charged ?2 twice".into();
    let mut loader = admin.loader(false, None).expect("begin");
    let hashes: Vec<[u8; 32]> = next.iter().map(Complaint::content_hash).collect();
    loader.prefetch(next.iter().zip(&hashes)).expect("prefetch");
    let mut outcomes = Vec::new();
    for (i, (c, h)) in next.iter().zip(&hashes).enumerate() {
        outcomes.push(loader.write(c, h, i as u64 + 2).expect("write"));
    }
    assert_eq!(outcomes[1], Upsert::Updated);
    assert!(
        matches!(
            outcomes[2],
            Upsert::Degraded {
                field: "complaint_text",
                ..
            }
        ),
        "{:?}",
        outcomes[2]
    );
    assert_eq!(
        outcomes.iter().filter(|o| **o == Upsert::Unchanged).count(),
        4498
    );
    let counts = loader.commit(&meta("next.csv"), None).expect("commit");
    assert_eq!(
        (counts.updated, counts.unchanged, counts.degraded),
        (1, 4498, 1)
    );
    assert_eq!(
        q("SELECT complaint_text FROM complaints WHERE external_id IN ('K-1', 'K-2') ORDER BY external_id"),
        "Charged £1 three times\nCharged £2 twice"
    );
    assert_eq!(
        q("SELECT updated || '/' || unchanged || '/' || degraded FROM imports ORDER BY id DESC LIMIT 1"),
        "1/4498/1"
    );
}
