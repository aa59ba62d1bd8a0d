//! A division head's list: every sampled item of their divisions grouped by status, the most
//! urgent first, and after an answer the next push-back.

mod common;

use common::app::{detail, keymap, person, row};
use signoff::config::Role;
use signoff::domain::decision::{Decision, Kind, Status};
use signoff::tui::app::{Action, App, Effect, Group};
use signoff::tui::bindings::Shown;

fn pushed(overdue: bool) -> Status {
    Status::PushedBack {
        decision: 1,
        due_at: None,
        overdue,
    }
}

fn answered() -> Status {
    Status::Answered {
        decision: 2,
        kind: Kind::Revise,
    }
}

fn signed() -> Status {
    Status::Signed {
        decision: 3,
        by: "Dana Reyes".into(),
        at: 0,
    }
}

/// Items 1 to 6 in draw order, with statuses all over the place.
fn head() -> App {
    let mut a = App::new(person(Role::DivisionHead), vec![], 5, vec![]);
    a.set_rows(vec![
        row(1, "Billing", signed(), None),
        row(2, "Billing", pushed(false), None),
        row(3, "Billing", Status::Pending, None),
        row(4, "Billing", answered(), None),
        row(5, "Billing", pushed(true), None),
        row(6, "Billing", pushed(false), None),
    ]);
    a
}

fn order(a: &App) -> Vec<i64> {
    a.visible.iter().map(|&i| a.rows[i].complaint_id).collect()
}

fn answer(id: i64) -> Decision {
    Decision {
        id: 40 + id,
        complaint_id: id,
        sample_id: None,
        kind: Kind::CorrectiveAction,
        actor: "priya".into(),
        actor_name: "Priya Shah".into(),
        actor_title: "Head of Billing".into(),
        at: 0,
        statement: None,
        reasons: None,
        note: None,
        due_at: None,
        body: Some("Called and refunded.".into()),
        retracts: None,
        text_hash: String::new(),
        prev_hash: String::new(),
        hash: String::new(),
        signature: None,
    }
}

#[test]
fn the_list_runs_from_overdue_to_signed_and_opens_on_the_first_push_back() {
    let mut a = head();
    assert_eq!(order(&a), [5, 2, 6, 4, 3, 1]);
    let groups: Vec<Group> = a
        .visible
        .iter()
        .map(|&i| Group::of(&a.rows[i].status))
        .collect();
    assert_eq!(
        groups,
        [
            Group::Overdue,
            Group::Open,
            Group::Open,
            Group::Answered,
            Group::Pending,
            Group::Signed
        ]
    );
    a.update(Action::Bottom);
    assert_eq!(a.open_on_work(), Effect::LoadDetail(5));
}

#[test]
fn an_answer_moves_the_item_to_its_group_and_the_selection_to_the_next_push_back() {
    let mut a = head();
    a.open_on_work();
    a.detail_loaded(detail(5, pushed(true)));
    let eff = a.decision_saved(answer(5), detail(5, answered()));
    assert_eq!(eff, Effect::LoadDetail(2));
    assert_eq!(order(&a), [2, 6, 4, 5, 3, 1]);
    assert!(a
        .message
        .as_ref()
        .is_some_and(|m| m.1.contains("corrective action") && m.1.ends_with("saved")));
    a.detail_loaded(detail(2, pushed(false)));
    assert_eq!(
        a.decision_saved(answer(2), detail(2, answered())),
        Effect::LoadDetail(6)
    );
    a.detail_loaded(detail(6, pushed(false)));
    assert_eq!(
        a.decision_saved(answer(6), detail(6, answered())),
        Effect::None
    );
    let m = a.message.clone().map(|m| m.1).unwrap_or_default();
    assert!(m.ends_with("every push-back is answered"), "{m}");
    // `n` finds nothing left to answer either.
    assert_eq!(a.update(Action::NextUnreviewed), Effect::None);
}

#[test]
fn the_answer_keys_are_offered_on_an_open_push_back_only() {
    let km = keymap();
    let mut a = head();
    a.open_on_work();
    a.detail_loaded(detail(5, pushed(true)));
    let offered = |a: &App| -> Vec<Action> {
        km.bindings(a.shown())
            .into_iter()
            .filter(|b| b.footer)
            .map(|b| b.action)
            .collect()
    };
    assert!(matches!(a.shown(), Shown::Browse(b) if b.answerable));
    assert!(offered(&a).contains(&Action::Answer(Kind::Revise)));
    a.update(Action::Bottom);
    a.detail_loaded(detail(1, signed()));
    assert!(!offered(&a).contains(&Action::Answer(Kind::Revise)));
    assert!(!offered(&a).contains(&Action::Sign));
}
