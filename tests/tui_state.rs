//! `App::update` for every action, without a terminal or a store.

mod common;

use common::app::{app, detail, key};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use signoff::config::Role;
use signoff::domain::decision::{Kind, Status};
use signoff::tui::app::{Action, Effect, Mode, Tab};
use signoff::tui::data::Hit;

#[test]
fn moving_loads_the_detail_of_the_new_line() {
    let mut a = app(Role::Executive);
    assert_eq!(a.update(Action::Down), Effect::LoadDetail(2));
    assert_eq!(a.update(Action::Bottom), Effect::LoadDetail(3));
    assert_eq!(a.update(Action::Down), Effect::None);
    a.detail_loaded(detail(3, Status::Pending));
    assert_eq!(a.update(Action::Top), Effect::LoadDetail(1));
    assert_eq!(a.update(Action::Up), Effect::None);
    a.update(Action::PageDown);
    assert_eq!(a.scroll, 10);
    a.update(Action::ScrollDetail(-4));
    assert_eq!(a.scroll, 6);
    a.detail_loaded(detail(1, Status::Pending));
    assert_eq!(a.update(Action::Click(2)), Effect::LoadDetail(3));
    assert_eq!(a.update(Action::Click(9)), Effect::None);
}

#[test]
fn the_detail_scrolls_no_further_than_the_last_frame_left_room_for() {
    let mut a = app(Role::Executive);
    a.set_detail_room(25, 12);
    for _ in 0..3 {
        a.update(Action::PageDown);
    }
    assert_eq!(a.scroll, 25);
    a.update(Action::PageUp);
    assert_eq!(a.scroll, 13);
    a.update(Action::ScrollDetail(100));
    assert_eq!(a.scroll, 25);
    // A taller screen (or a shorter complaint) pulls the scroll back to its end.
    a.set_detail_room(4, 30);
    assert_eq!(a.scroll, 4);
    a.update(Action::ScrollDetail(-100));
    assert_eq!(a.scroll, 0);
}

#[test]
fn signing_asks_for_the_statement_then_saves() {
    let mut a = app(Role::Executive);
    assert_eq!(a.update(Action::Sign), Effect::None);
    match &a.mode {
        Mode::ConfirmSign { statement, .. } => {
            assert_eq!(
                statement,
                "I, Dana Reyes, Chief Executive, approve this message."
            )
        }
        _ => panic!("no confirmation"),
    }
    assert_eq!(a.update(Action::Confirm), Effect::Sign { complaint_id: 1 });
    // Cancelling signs nothing.
    a.update(Action::Sign);
    assert_eq!(a.update(Action::Cancel), Effect::None);
    assert!(matches!(a.mode, Mode::Normal));
}

#[test]
fn a_saved_decision_moves_on_to_the_next_unreviewed_item() {
    let mut a = app(Role::Executive);
    let d = signoff::domain::decision::Decision {
        id: 7,
        complaint_id: 1,
        sample_id: None,
        kind: Kind::Approve,
        actor: "dana".into(),
        actor_name: "Dana Reyes".into(),
        actor_title: "Chief Executive".into(),
        at: 0,
        statement: None,
        reasons: None,
        note: None,
        due_at: None,
        body: None,
        retracts: None,
        text_hash: String::new(),
        prev_hash: String::new(),
        hash: String::new(),
        signature: None,
    };
    let signed = Status::Signed {
        decision: 7,
        by: "Dana Reyes".into(),
        at: 0,
    };
    let eff = a.decision_saved(d, detail(1, signed));
    assert_eq!(eff, Effect::LoadDetail(2));
    assert_eq!(a.reviewed(), (1, 3, 0));
    assert_eq!(a.update(Action::Undo), Effect::Retract { decision_id: 7 });
}

#[test]
fn reopening_starts_on_the_next_unreviewed_item() {
    let mut a = app(Role::Executive);
    let signed = Status::Signed {
        decision: 7,
        by: "Dana Reyes".into(),
        at: 0,
    };
    let mut rows = a.rows.clone();
    rows[0].status = signed.clone();
    rows[1].status = signed;
    a.selected = 0;
    a.detail = None;
    a.set_rows(rows);
    assert_eq!(a.open_on_work(), Effect::LoadDetail(3));
}

#[test]
fn push_back_needs_a_reason_and_a_note() {
    let mut a = app(Role::Executive);
    a.update(Action::PushBack);
    assert!(matches!(a.mode, Mode::PushBack(_)));
    assert_eq!(a.update(Action::Save), Effect::None);
    let Mode::PushBack(f) = &a.mode else {
        panic!("form closed")
    };
    assert!(f.error.as_deref().unwrap_or("").contains("reason"));
    a.update(Action::Toggle);
    a.update(Action::Save);
    let Mode::PushBack(f) = &a.mode else {
        panic!("form closed")
    };
    assert!(f.error.as_deref().unwrap_or("").contains("note"));
    a.update(Action::FocusNext);
    for c in "Call back.".chars() {
        a.update(key(c));
    }
    // Esc with text asks before discarding.
    a.update(Action::Cancel);
    assert!(matches!(a.mode, Mode::PushBack(_)));
    assert_eq!(
        a.update(Action::Save),
        Effect::PushBack {
            complaint_id: 1,
            reasons: vec!["canned".into()],
            note: "Call back.".into(),
            due_days: 5
        }
    );
    // The form is kept until the store confirms, and given back on failure.
    assert!(a.pending.is_some());
    let form = a.pending.take();
    a.decision_failed("the store is busy".into(), form);
    assert!(matches!(a.mode, Mode::PushBack(_)));
    // Quitting with unsaved text asks.
    a.mode = std::mem::replace(&mut a.mode, Mode::Normal);
    assert!(a.unsaved());
}

#[test]
fn quit_asks_only_when_text_would_be_lost() {
    let mut a = app(Role::Executive);
    assert_eq!(a.update(Action::Quit), Effect::Quit);
    a.update(Action::PushBack);
    a.update(Action::FocusNext);
    a.update(key('x'));
    a.update(Action::Cancel);
    a.update(Action::Cancel);
    assert!(matches!(a.mode, Mode::Normal), "second Esc discards");
    assert_eq!(a.update(Action::ForceQuit), Effect::Quit);
}

#[test]
fn roles_limit_the_keys() {
    let mut a = app(Role::DivisionHead);
    assert_eq!(a.update(Action::Sign), Effect::None);
    assert!(a
        .message
        .as_ref()
        .is_some_and(|m| m.1.contains("executive")));
    // No open push-back: nothing to answer.
    assert_eq!(a.update(Action::Answer(Kind::Revise)), Effect::None);
    a.detail_loaded(detail(
        1,
        Status::PushedBack {
            decision: 1,
            due_at: None,
            overdue: false,
        },
    ));
    a.update(Action::Answer(Kind::Revise));
    let Mode::Answer(f) = &a.mode else {
        panic!("no form")
    };
    assert_eq!(
        f.body.lines().join("\n"),
        "reply",
        "revise starts from the current response"
    );
    let mut e = app(Role::Executive);
    assert_eq!(e.update(Action::Answer(Kind::Dispute)), Effect::None);
}

#[test]
fn saved_views_filter_the_queue() {
    let mut a = app(Role::Executive);
    assert_eq!(a.update(Action::SavedView(1)), Effect::LoadDetail(2));
    assert_eq!(a.visible.len(), 1);
    a.update(Action::SavedView(0));
    assert_eq!(a.visible.len(), 3);
    a.update(Action::SavedView(5));
    assert!(a
        .message
        .as_ref()
        .is_some_and(|m| m.1.contains("no saved view")));
}

#[test]
fn search_runs_and_jumps() {
    let mut a = app(Role::Executive);
    a.update(Action::Search);
    for c in "refund".chars() {
        a.update(key(c));
    }
    assert_eq!(a.update(Action::Confirm), Effect::Search("refund".into()));
    assert_eq!(a.tab, Tab::Search);
    let eff = a.search_done(vec![Hit {
        complaint_id: 3,
        external_id: "T-3".into(),
        division: "Billing".into(),
        received_at: 0,
        snippet: "[refund]".into(),
    }]);
    assert_eq!(eff, Effect::LoadDetail(3));
    a.detail_loaded(detail(3, Status::Pending));
    assert_eq!(a.update(Action::Confirm), Effect::None);
    assert_eq!(a.tab, Tab::Queue);
    assert_eq!(a.current_id(), Some(3));
}

#[test]
fn o_lists_the_customers_other_complaints() {
    let mut a = app(Role::Executive);
    // No identity: nothing to list, and the screen says why.
    assert_eq!(a.update(Action::Others), Effect::None);
    assert_eq!(a.tab, Tab::Queue);
    assert!(a
        .message
        .as_ref()
        .is_some_and(|m| m.1.contains("no customer")));
    let mut d = detail(1, Status::Pending);
    d.customer_key = Some("email:ana@example.com".into());
    d.repeat = Some("3rd complaint from this customer in 90 days (T-7, T-8)".into());
    a.detail_loaded(d);
    assert_eq!(
        a.update(Action::Others),
        Effect::Others {
            customer_key: "email:ana@example.com".into(),
            complaint_id: 1,
        }
    );
    assert_eq!(a.tab, Tab::Search);
    let hit = |id: i64| Hit {
        complaint_id: id,
        external_id: format!("T-{id}"),
        division: "Billing".into(),
        received_at: 0,
        snippet: "helpdesk · fee".into(),
    };
    assert_eq!(a.search_done(vec![hit(8), hit(7)]), Effect::LoadDetail(8));
    assert!(a.message.as_ref().is_some_and(|m| m
        .1
        .contains("2 matches for \"customer email:ana@example.com\"")));
    assert_eq!(a.update(Action::Down), Effect::LoadDetail(7));
}

#[test]
fn tabs_cycle_and_the_dashboard_loads() {
    let mut a = app(Role::Executive);
    a.update(Action::NextTab);
    assert_eq!(a.tab, Tab::Search);
    assert_eq!(a.update(Action::NextTab), Effect::LoadDashboard);
    a.update(Action::NextTab);
    assert_eq!(a.tab, Tab::Queue);
    a.update(Action::PrevTab);
    assert_eq!(a.tab, Tab::Dashboard);
    a.update(Action::Help);
    assert!(matches!(a.mode, Mode::Help));
    a.update(Action::Cancel);
    assert!(matches!(a.mode, Mode::Normal));
}

#[test]
fn next_unreviewed_and_the_plan_editor() {
    let mut a = app(Role::Executive);
    assert_eq!(a.update(Action::NextUnreviewed), Effect::LoadDetail(2));
    a.update(Action::DrawSample);
    assert!(matches!(a.mode, Mode::Plan(_)));
    a.update(Action::Input(KeyEvent::new(
        KeyCode::Backspace,
        KeyModifiers::NONE,
    )));
    a.update(Action::Input(KeyEvent::new(
        KeyCode::Backspace,
        KeyModifiers::NONE,
    )));
    a.update(key('9'));
    a.update(key('0'));
    assert_eq!(
        a.update(Action::Confirm),
        Effect::DrawSample {
            confidence: 90.0,
            tolerable: 5.0
        }
    );
}
