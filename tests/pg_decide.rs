//! Deciding on the PostgreSQL store through the same rules as SQLite: a division head's revised
//! response is made by the server from the signed decision, for a row and for a stored thread,
//! and the decision covers the text as it reads afterwards. Needs a server (SIGNOFF_TEST_PG);
//! skipped without one, except under CI.

mod common;

use common::pg::{grant, meta, records, server, TestDb};
use signoff::domain::decision::{Kind, Status};
use signoff::domain::people::{Actor, Role};
use signoff::domain::signing::Unsigned;
use signoff::domain::thread::{hash_messages, Author, Message};
use signoff::domain::Complaint;
use signoff::store::pg::PgStore;
use signoff::store::workflow::WorkflowError;
use signoff::store::Store;

const AT: i64 = 1_764_000_000;

fn complaint(id: &str, division: &str) -> Complaint {
    Complaint {
        source: "helpdesk".into(),
        external_id: id.into(),
        received_at: 1_763_000_000,
        division: division.into(),
        complaint_text: format!("Complaint {id}: charged twice"),
        response_text: Some("We are sorry; it is fixed.".into()),
        responded_at: Some(1_763_003_600),
        ..Complaint::default()
    }
}

fn message(author: Author, name: &str, at: i64, text: &str) -> Message {
    Message {
        id: None,
        author,
        name: Some(name.into()),
        at: Some(at),
        channel: Some("chat".into()),
        text: text.into(),
    }
}

fn actor(db: &TestDb, who: &str, role: Role, divisions: &[&str]) -> Actor {
    Actor {
        login: db.login(who),
        name: format!("{who} (test)"),
        title: "test".into(),
        role,
        divisions: divisions.iter().map(|d| d.to_string()).collect(),
    }
}

/// A store with a row complaint and a threaded one in Billing, and one in Support.
fn loaded(db: &TestDb) -> Vec<Complaint> {
    let mut owner = PgStore::connect(&db.owner_url()).expect("connect as owner");
    owner.migrate().expect("migrate");
    owner
        .sync_people(&[
            grant(db, "alex", "admin", &[]),
            grant(db, "dana", "executive", &[]),
            grant(db, "priya", "division_head", &["Billing"]),
        ])
        .expect("sync");
    let mut threaded = complaint("B-2", "Billing");
    threaded.messages = vec![
        message(Author::Customer, "Ann", 1_763_000_000, "Charged twice."),
        message(Author::Company, "Agent 7", 1_763_003_600, "Refunded."),
        message(Author::Customer, "Ann", 1_763_010_000, "Still not back."),
    ];
    threaded.response_text = Some("Refunded.".into());
    let week = vec![
        complaint("B-1", "Billing"),
        threaded,
        complaint("S-1", "Support"),
    ];
    let mut alex = PgStore::connect(&db.url_for("alex")).expect("connect as admin");
    alex.load(&meta("week.csv"), records(&week)).expect("load");
    week
}

fn id_of(s: &mut dyn Store, ext: &str) -> i64 {
    s.complaints_by_external_id(ext).expect("find")[0].0
}

#[test]
fn a_revised_answer_is_made_by_the_server_and_signed_as_it_reads() {
    let Some(url) = server("a_revised_answer_is_made_by_the_server_and_signed_as_it_reads") else {
        return;
    };
    let db = TestDb::new(&url);
    let week = loaded(&db);
    let mut dana = PgStore::connect(&db.url_for("dana")).expect("dana");
    let mut priya = PgStore::connect(&db.url_for("priya")).expect("priya");
    let (exec, head) = (
        actor(&db, "dana", Role::Executive, &[]),
        actor(&db, "priya", Role::DivisionHead, &["Billing"]),
    );
    let reasons = vec!["canned".to_string()];
    for ext in ["B-1", "B-2"] {
        let id = id_of(&mut dana, ext);
        Store::push_back(
            &mut dana,
            &exec,
            &Unsigned,
            id,
            &reasons,
            "Call back.",
            AT + 99,
            AT,
        )
        .expect("push back");
    }

    // A row: the revision replaces its response.
    let b1 = id_of(&mut priya, "B-1");
    let d = Store::answer(
        &mut priya,
        &head,
        &Unsigned,
        b1,
        Kind::Revise,
        "Refunded today.\n",
        AT + 10,
    )
    .expect("revise");
    let now = Store::current_text_hash(&mut priya, b1).expect("hash");
    assert_eq!(d.text_hash, now, "the answer covers the revised text");
    assert_eq!(
        now,
        signoff::domain::complaint::signed_text_hash(
            &week[0].complaint_text,
            Some("Refunded today.")
        )
    );
    let history = db.psql_owner(&format!(
        "SELECT cause || ':' || response_text FROM complaint_history WHERE complaint_id = {b1}"
    ));
    assert_eq!(history.stdout.trim(), "revision:We are sorry; it is fixed.");

    // A stored thread: the revision is the company's latest message, and the row's response
    // is the company's messages in order.
    let b2 = id_of(&mut priya, "B-2");
    let d = Store::answer(
        &mut priya,
        &head,
        &Unsigned,
        b2,
        Kind::Revise,
        "Refund sent again.",
        AT + 20,
    )
    .expect("revise thread");
    let mut thread = week[1].messages.clone();
    thread.push(Message {
        id: None,
        author: Author::Company,
        name: Some(head.name.clone()),
        at: Some(AT + 20),
        channel: Some("chat".into()),
        text: "Refund sent again.".into(),
    });
    assert_eq!(d.text_hash, hash_messages(&thread));
    assert_eq!(
        Store::current_text_hash(&mut dana, b2).expect("hash"),
        d.text_hash
    );
    let row = db.psql_owner(&format!(
        "SELECT message_count || '|' || response_text FROM complaints WHERE id = {b2}"
    ));
    assert_eq!(row.stdout.trim(), "4|Refunded.\n\nRefund sent again.");

    // Back to the executive: signed, and the signature stands.
    let signed = Store::approve(&mut dana, &exec, &Unsigned, b2, None, AT + 30).expect("sign");
    let (_, st) = Store::status_of(&mut dana, b2, AT + 40).expect("status");
    assert!(matches!(st, Status::Signed { .. }), "{st:?}");
    assert_eq!(signed.text_hash, d.text_hash);
    let letter = db.psql_owner(&format!(
        "SELECT kind || ':' || author FROM outbox WHERE decision_id = {}",
        signed.id
    ));
    assert_eq!(letter.stdout.trim(), format!("letter:{}", exec.login));

    // The head sees no other division's complaint, and the server refuses her a decision on one
    // even when the rules in signoff are fooled into letting her try.
    let s1 = id_of(&mut dana, "S-1");
    assert!(Store::complaint_exists(&mut priya, s1)
        .expect("exists")
        .is_none());
    let mut fooled = head.clone();
    fooled.divisions.push("Support".into());
    Store::push_back(
        &mut dana,
        &exec,
        &Unsigned,
        s1,
        &reasons,
        "Call back.",
        AT + 99,
        AT + 50,
    )
    .expect("push back S-1");
    let refused = Store::answer(
        &mut priya,
        &fooled,
        &Unsigned,
        s1,
        Kind::Dispute,
        "Not ours.",
        AT + 60,
    )
    .expect_err("refused");
    assert!(
        matches!(
            refused,
            WorkflowError::Conflict(_) | WorkflowError::Refused(_)
        ),
        "{refused:?}"
    );
    // Nor may she change a response but through a signed answer.
    let direct = db.psql_as(
        "priya",
        &format!("UPDATE complaints SET response_text = 'x' WHERE id = {b1}"),
    );
    assert!(
        direct.stdout.contains("UPDATE 0") || !direct.ok,
        "{direct:?}"
    );
    let kept = db.psql_owner(&format!(
        "SELECT response_text FROM complaints WHERE id = {b1}"
    ));
    assert_eq!(kept.stdout.trim(), "Refunded today.");
}
