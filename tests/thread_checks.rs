//! The checks on stored threads: a refresh over complaints written with their conversation
//! judges contact ignored on the customer's last message, counts the messages written before
//! the first answer, and reads each company message as a reply of its own to the canned check.

use std::collections::HashSet;
use std::time::Duration;

use signoff::commands::flags::settings;
use signoff::config::Config;
use signoff::domain::sample::{Include, Plan, Rule, Strata};
use signoff::domain::thread::{self, Author, Message};
use signoff::domain::Complaint;
use signoff::store::complaints::{begin_import, upsert, ImportMeta};
use signoff::store::samples::{Filters, Spec};
use signoff::store::Db;

#[path = "common/own.rs"]
mod own;
use own::sql;

const H: i64 = 3600;
const T0: i64 = 1_790_000_000;
/// The checks run four days after the first message.
const NOW: i64 = T0 + 96 * H;

const TEMPLATE: &str = "Thank you for contacting us. We have passed your case to the team \
                        responsible and they will be in touch with you shortly.";

fn msg(author: Author, hours: i64, text: &str) -> Message {
    Message {
        author,
        name: Some(
            if author == Author::Customer {
                "kim"
            } else {
                "agent"
            }
            .into(),
        ),
        at: Some(T0 + hours * H),
        channel: Some("social".into()),
        text: text.into(),
        ..Message::default()
    }
}

fn threaded(id: &str, messages: Vec<Message>) -> Complaint {
    let mut c = Complaint {
        source: "social".into(),
        external_id: id.into(),
        division: "Support".into(),
        messages,
        ..Complaint::default()
    };
    thread::summarise(&mut c);
    c
}

fn row(id: &str, response: &str) -> Complaint {
    Complaint {
        source: "social".into(),
        external_id: id.into(),
        received_at: T0,
        division: "Support".into(),
        complaint_text: format!("complaint {id}"),
        response_text: Some(response.into()),
        responded_at: Some(T0 + H),
        ..Complaint::default()
    }
}

/// The store, refreshed, and the id of each complaint by its external id.
fn store(complaints: &[Complaint]) -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = Db::open(&dir.path().join("s.db"), Duration::from_secs(5)).expect("open");
    let mut own = sql(&db);
    let tx = own.transaction().expect("tx");
    let import = begin_import(
        &tx,
        &ImportMeta {
            source: "social",
            profile: "social",
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
    signoff::store::stats::refresh_division_counts(&tx).expect("counts");
    signoff::store::rule_sets::recount(&tx).expect("rule counts");
    let s = settings(&Config::defaults().expect("defaults"));
    signoff::store::flags::refresh(&tx, &s, "test", NOW).expect("refresh");
    tx.commit().expect("commit");
    (dir, db)
}

fn id(db: &Db, external: &str) -> i64 {
    sql(db)
        .query_row(
            "SELECT id FROM complaints WHERE external_id = ?1",
            [external],
            |r| r.get(0),
        )
        .expect("id")
}

/// (flag, value, note) of a complaint.
fn flags(db: &Db, external: &str) -> Vec<(String, Option<i64>, Option<String>)> {
    let conn = sql(db);
    let mut st = conn
        .prepare("SELECT flag, value, note FROM complaint_flags WHERE complaint_id = ?1 ORDER BY 1")
        .expect("prepare");
    let rows = st
        .query_map([id(db, external)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .expect("query");
    rows.map(|r| r.expect("row")).collect()
}

fn has(db: &Db, external: &str, flag: &str) -> bool {
    flags(db, external).iter().any(|f| f.0 == flag)
}

#[test]
fn contact_ignored_is_judged_on_the_last_customer_message() {
    let (_d, db) = store(&[
        // Answered within the hour; the follow-up at 10 h was never answered.
        threaded(
            "FOLLOW-UP",
            vec![
                msg(Author::Customer, 0, "my parcel is lost"),
                msg(Author::Company, 1, "we are looking into it"),
                msg(Author::Customer, 10, "any news?"),
            ],
        ),
        // The customer asked to be called and the first answer took three days, but their last
        // message was answered.
        Complaint {
            wants_contact: Some(true),
            ..threaded(
                "ANSWERED",
                vec![
                    msg(Author::Customer, 0, "my parcel is lost"),
                    msg(Author::Company, 72, "sorry for the wait, it is found"),
                    msg(Author::Customer, 73, "when will it come?"),
                    msg(Author::Note, 74, "check with the depot"),
                    msg(Author::Company, 75, "tomorrow"),
                ],
            )
        },
        // The follow-up came an hour before the check: not yet judged.
        threaded(
            "RECENT",
            vec![
                msg(Author::Customer, 0, "hello"),
                msg(Author::Company, 1, "hi"),
                msg(Author::Customer, 95, "one more thing"),
            ],
        ),
    ]);
    let follow_up = flags(&db, "FOLLOW-UP");
    assert_eq!(
        follow_up,
        [(
            "contact-ignored".to_string(),
            None,
            Some("last-message".to_string())
        )],
        "no contact request is needed"
    );
    // A wait still running is stored as when it began, and told as of when it is read.
    let since: Option<i64> = sql(&db)
        .query_row(
            "SELECT since FROM complaint_flags WHERE complaint_id = ?1",
            [id(&db, "FOLLOW-UP")],
            |r| r.get(0),
        )
        .expect("since");
    assert_eq!(since, Some(T0 + 10 * H), "the wait runs from the follow-up");
    assert!(!has(&db, "ANSWERED", "contact-ignored"));
    assert!(
        has(&db, "ANSWERED", "late"),
        "the slow first answer is late"
    );
    assert!(flags(&db, "RECENT").is_empty());
    let explained = db
        .flags_of(id(&db, "FOLLOW-UP"), 48 * H, 48 * H)
        .expect("explain");
    assert_eq!(
        explained[0].explanation,
        "the customer's last message went 3.6 days without a reply or call; the target is 48 h"
    );
}

#[test]
fn writing_three_times_before_an_answer_is_flagged_and_drawn_by_its_rule() {
    let (_d, db) = store(&[
        threaded(
            "THRICE",
            vec![
                msg(Author::Customer, 0, "hello?"),
                msg(Author::Customer, 1, "is anyone there?"),
                msg(Author::Note, 2, "busy day"),
                msg(Author::Customer, 3, "hello??"),
                msg(Author::Company, 4, "sorry, here now"),
            ],
        ),
        threaded(
            "TWICE",
            vec![
                msg(Author::Customer, 0, "hello?"),
                msg(Author::Customer, 1, "is anyone there?"),
                msg(Author::Company, 2, "here"),
                msg(Author::Customer, 3, "thanks"),
                msg(Author::Customer, 4, "bye"),
                msg(Author::Company, 5, "bye"),
            ],
        ),
        row("ROW", "we are sorry"),
    ]);
    assert_eq!(
        flags(&db, "THRICE"),
        [("unanswered-writing".to_string(), Some(3), None)]
    );
    assert!(flags(&db, "TWICE").is_empty());
    assert!(flags(&db, "ROW").is_empty());
    let explained = db
        .flags_of(id(&db, "THRICE"), 48 * H, 48 * H)
        .expect("explain");
    assert_eq!(explained.len(), 1);
    assert_eq!(
        explained[0].explanation,
        "wrote 3 times before anyone answered"
    );
    let counts = db.flag_counts(None).expect("counts");
    assert_eq!(counts[0].unanswered_writing, 1);
    // A sampling rule like the other flags: every match is drawn, with its reason.
    let spec = Spec {
        plan: Plan::Size {
            n: 0,
            confidence: 95.0,
        },
        filters: Filters {
            include_sampled: true,
            ..Filters::default()
        },
        includes: vec![Include {
            rule: Rule::UnansweredWriting,
            share: 1.0,
        }],
        strata: Strata::None,
        detractor_max: 6,
        manager_phrases: vec![],
        negative_phrases: vec![],
    };
    let drawn = db.draw_with_limit(&spec, 7, 1, u64::MAX).expect("draw");
    let picked: Vec<(i64, &str)> = drawn
        .items
        .iter()
        .map(|i| (i.complaint_id, i.reason.as_str()))
        .collect();
    assert_eq!(picked, [(id(&db, "THRICE"), "rule:unanswered-writing")]);
}

#[test]
fn a_canned_company_message_inside_a_thread_is_found() {
    // The template goes to five complaints: three rows, a thread where it is the second
    // answer, and a thread where it is sent twice. Joined, the second thread's answers match
    // no one's; the third counts once.
    let (_d, db) = store(&[
        threaded(
            "SECOND",
            vec![
                msg(Author::Customer, 0, "my order never came"),
                msg(
                    Author::Company,
                    1,
                    "Could you send us the order number from your confirmation e-mail please?",
                ),
                msg(Author::Customer, 2, "it is 12345"),
                msg(Author::Company, 3, TEMPLATE),
            ],
        ),
        threaded(
            "TWICE",
            vec![
                msg(Author::Customer, 0, "broken"),
                msg(Author::Company, 1, TEMPLATE),
                msg(Author::Customer, 2, "still broken"),
                msg(Author::Company, 3, TEMPLATE),
            ],
        ),
        row("R1", TEMPLATE),
        row("R2", TEMPLATE),
        row("R3", TEMPLATE),
        row(
            "OTHER",
            "We refunded the charge to your card; it shows within five days.",
        ),
    ]);
    let members: HashSet<i64> = sql(&db)
        .prepare("SELECT complaint_id FROM canned_members")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    let expected: HashSet<i64> = ["SECOND", "TWICE", "R1", "R2", "R3"]
        .iter()
        .map(|e| id(&db, e))
        .collect();
    assert_eq!(members, expected);
    // One group, of five customers, whose example is the thread's message alone.
    let (customers, example, normalised): (i64, i64, String) = sql(&db)
        .query_row(
            "SELECT customers, example_complaint, normalised FROM canned_groups",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("one group");
    assert_eq!(customers, 5);
    assert_eq!(example, id(&db, "SECOND"));
    assert!(
        normalised.starts_with("thank you for contacting us") && !normalised.contains("order"),
        "{normalised}"
    );
    let canned_daily: i64 = sql(&db)
        .query_row("SELECT sum(canned) FROM check_daily", [], |r| r.get(0))
        .expect("daily");
    assert_eq!(canned_daily, 5, "a complaint is canned once");
}

#[test]
fn a_thread_is_a_member_of_every_canned_group_it_received() {
    const FIX: &str = "Your refund has been approved and will reach the card you paid with \
                       within five working days.";
    let threads: Vec<Complaint> = (1..=5)
        .map(|i| {
            threaded(
                &format!("T{i}"),
                vec![
                    msg(Author::Customer, 0, "charged twice"),
                    msg(Author::Company, 1, TEMPLATE),
                    msg(Author::Customer, 2, "any news?"),
                    msg(Author::Company, 3, FIX),
                ],
            )
        })
        .collect();
    let (_d, db) = store(&threads);
    let groups = db.canned_groups(None, 10).expect("groups");
    assert_eq!(groups.len(), 2, "the acknowledgement and the refund");
    for g in &groups {
        assert_eq!(g.customers, 5, "{g:?}");
        let members = db.canned_group_members(g.id, None, 10).expect("members");
        assert_eq!(members.len(), 5, "{g:?}");
    }
    let explained = db.flags_of(id(&db, "T3"), 48 * H, 48 * H).expect("explain");
    let canned: Vec<Option<i64>> = explained
        .iter()
        .filter(|e| e.flag == signoff::domain::flags::Flag::Canned)
        .map(|e| e.group)
        .collect();
    let mut ids: Vec<Option<i64>> = groups.iter().map(|g| Some(g.id)).collect();
    ids.sort();
    assert_eq!(canned, ids, "each canned reply explained by its group");
    let canned_daily: i64 = sql(&db)
        .query_row("SELECT sum(canned) FROM check_daily", [], |r| r.get(0))
        .expect("daily");
    assert_eq!(canned_daily, 5, "a complaint counts once as canned");
}
