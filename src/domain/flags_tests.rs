use super::*;

const H: i64 = 3600;

#[test]
fn phrases_match_whole_words_only() {
    let p = Phrases::new(&["manager".into(), "speak to your boss".into()]);
    assert_eq!(p.find("i want the manager."), Some("manager"));
    assert_eq!(p.find("manager"), Some("manager"));
    assert_eq!(p.find("poor management, managers"), None);
    assert_eq!(
        p.find("let me speak to your boss now"),
        Some("speak to your boss")
    );
    assert_eq!(p.find("ça, le manager"), Some("manager"));
    assert_eq!(Phrases::new(&[" ".into()]).find("x"), None);
}

#[test]
fn late_needs_a_known_time_or_no_response() {
    let f = Facts {
        received_at: 0,
        has_response: true,
        responded_at: Some(50 * H),
        ..Default::default()
    };
    assert_eq!(late(&f, 100 * H, 48 * H), Some(50 * H));
    assert_eq!(late(&f, 100 * H, 72 * H), None);
    let portal = Facts {
        responded_at: None,
        ..f
    };
    assert_eq!(late(&portal, 100 * H, 1), None);
    let silent = Facts {
        has_response: false,
        responded_at: None,
        ..f
    };
    assert_eq!(late(&silent, 10 * H, 48 * H), None);
    assert_eq!(late(&silent, 49 * H, 48 * H), Some(49 * H));
    // A regulator's verdict decides; an outcome without one cannot be judged.
    let regulator = Facts {
        outcome: true,
        ..silent
    };
    assert_eq!(late(&regulator, 900 * H, 48 * H), None);
    let untimely = Facts {
        timely: Some(false),
        ..regulator
    };
    assert_eq!(late(&untimely, 10 * H, 48 * H), Some(10 * H));
    let timely = Facts {
        timely: Some(true),
        ..regulator
    };
    assert_eq!(late(&timely, 900 * H, 48 * H), None);
    assert_eq!(
        explain(Flag::Late, None, Some(UNTIMELY), 10 * H, 48 * H, 48 * H),
        "the company answered the CFPB late (Timely response? No)"
    );
}

#[test]
fn contact_is_ignored_only_after_the_window_without_reply_or_call() {
    let asked = Facts {
        received_at: 0,
        wants_contact: true,
        ..Default::default()
    };
    assert_eq!(
        contact_ignored(&asked, 47 * H, 48 * H),
        None,
        "still in time"
    );
    assert_eq!(contact_ignored(&asked, 49 * H, 48 * H), Some(None));
    let answered = Facts {
        has_response: true,
        responded_at: Some(10 * H),
        ..asked
    };
    assert_eq!(contact_ignored(&answered, 99 * H, 48 * H), None);
    let late_reply = Facts {
        has_response: true,
        responded_at: Some(60 * H),
        ..asked
    };
    assert_eq!(
        contact_ignored(&late_reply, 99 * H, 48 * H),
        Some(Some(60 * H))
    );
    let called = Facts {
        first_contact: Some(20 * H),
        ..late_reply
    };
    assert_eq!(contact_ignored(&called, 99 * H, 48 * H), None);
    let not_asked = Facts {
        wants_contact: false,
        ..asked
    };
    assert_eq!(contact_ignored(&not_asked, 99 * H, 48 * H), None);
}

#[test]
fn escalation_is_refused_when_the_reply_offers_nobody() {
    let asked = Phrases::new(&["manager".into(), "vorgesetzten".into()]);
    let offered = Phrases::new(&["team leader".into(), "manager".into()]);
    let c = "ich möchte ihren vorgesetzten sprechen";
    assert_eq!(
        escalation_refused(c, Some("danke für ihre nachricht"), &asked, &offered),
        Some("vorgesetzten")
    );
    assert_eq!(
        escalation_refused(c, Some("i passed it to my team leader"), &asked, &offered),
        None
    );
    assert_eq!(escalation_refused(c, None, &asked, &offered), None);
    assert_eq!(
        escalation_refused("refund please", Some("ok"), &asked, &offered),
        None
    );
}

#[test]
fn buckets_and_durations_read_well() {
    assert_eq!(response_bucket(0), 0);
    assert_eq!(response_bucket(4 * H), 1);
    assert_eq!(response_bucket(30 * H), 2);
    assert_eq!(response_bucket(200 * H), 5);
    assert_eq!(duration(90 * 60), "1.5 h");
    assert_eq!(duration(72 * H), "3.0 days");
    assert_eq!(Flag::parse("late"), Some(Flag::Late));
    assert_eq!(Flag::parse("nope"), None);
}

#[test]
fn thread_flags_are_named_and_explained_like_the_others() {
    let f = Flag::parse("unanswered-writing");
    assert_eq!(f, Some(Flag::UnansweredWriting));
    assert_eq!(
        explain(Flag::UnansweredWriting, Some(3), None, 0, 48 * H, 48 * H),
        "wrote 3 times before anyone answered"
    );
    // A thread's contact-ignored flag holds how long the last message waited.
    let note = Some(crate::domain::thread_checks::LAST_MESSAGE);
    assert_eq!(
        explain(
            Flag::ContactIgnored,
            Some(50 * H),
            note,
            900 * H,
            48 * H,
            48 * H
        ),
        "the customer's last message went 2.1 days without a reply or call; the target is 48 h"
    );
    assert_eq!(
        explain(
            Flag::ContactIgnored,
            Some(50 * H),
            None,
            900 * H,
            48 * H,
            48 * H
        ),
        "asked to be contacted; the first reply or call came after 2.1 days, not within 48 h"
    );
}

#[test]
fn every_flag_is_a_sampling_rule() {
    for f in Flag::ALL {
        let include = crate::domain::sample::parse_include(f.name());
        assert_eq!(include.map(|i| i.rule.name()), Ok(f.name()));
    }
}
