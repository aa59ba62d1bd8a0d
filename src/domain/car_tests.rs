use super::*;

const EXEC: Actor = Actor::Executive;
const HEAD: Actor = Actor::OwnDivisionHead;

fn ev(step: Step, worked: Option<bool>, at: i64) -> CarEvent {
    CarEvent {
        id: 0,
        car_id: 1,
        complaint_id: 7,
        step,
        actor: "priya".into(),
        actor_name: "Priya Shah".into(),
        at,
        happened_at: at,
        due_at: (step == Step::Open).then_some(at + 86_400),
        category: None,
        worked,
        text: "x".into(),
        prev_hash: super::super::decision::GENESIS.into(),
        hash: String::new(),
        signature: None,
    }
}

#[test]
fn the_happy_path_walks_every_state() {
    let mut s = State::Open;
    for (step, want) in [
        (Step::Contact, State::Contacted),
        (Step::Cause, State::RootCause),
        (Step::Act, State::ActionTaken),
        (Step::Check, State::Checked { worked: true }),
        (Step::Close, State::Closed),
    ] {
        s = next(s, step, true, HEAD).expect("allowed");
        assert_eq!(s, want);
    }
    assert!(matches!(
        next(s, Step::Contact, true, EXEC),
        Err(StepError::Invalid(_))
    ));
}

#[test]
fn steps_out_of_order_are_invalid_and_say_what_is_next() {
    let err = next(State::Open, Step::Act, true, HEAD).expect_err("skip");
    assert!(err.to_string().contains("next is contact"), "{err}");
    assert!(matches!(
        next(State::Contacted, Step::Check, true, HEAD),
        Err(StepError::Invalid(_))
    ));
    assert!(matches!(
        next(State::Open, Step::Open, true, EXEC),
        Err(StepError::Invalid(_))
    ));
    // Another call later on is recorded without moving the CAR back.
    assert_eq!(
        next(State::ActionTaken, Step::Contact, true, HEAD),
        Ok(State::ActionTaken)
    );
}

#[test]
fn a_failed_check_reopens_cause_or_action() {
    let failed = next(State::ActionTaken, Step::Check, false, EXEC).expect("check");
    assert_eq!(failed, State::Checked { worked: false });
    assert_eq!(next(failed, Step::Cause, true, HEAD), Ok(State::RootCause));
    assert_eq!(next(failed, Step::Act, true, HEAD), Ok(State::ActionTaken));
    assert!(matches!(
        next(failed, Step::Close, true, HEAD),
        Err(StepError::Refused(_))
    ));
    assert_eq!(next(failed, Step::Close, true, EXEC), Ok(State::Closed));
}

#[test]
fn who_may_take_steps() {
    for step in [Step::Contact, Step::Cause, Step::Close] {
        assert!(matches!(
            next(State::Open, step, true, Actor::Other),
            Err(StepError::Refused(_))
        ));
    }
    // Executives may force a close; division heads only after a check that worked.
    assert_eq!(
        next(State::Open, Step::Close, true, EXEC),
        Ok(State::Closed)
    );
    assert!(matches!(
        next(State::Contacted, Step::Close, true, HEAD),
        Err(StepError::Refused(_))
    ));
}

#[test]
fn state_folds_events_and_overdue_needs_no_contact() {
    let mut evs = vec![ev(Step::Open, None, 100)];
    assert_eq!(state(&evs), State::Open);
    assert!(!overdue(State::Open, 100 + 86_400, 100 + 86_400));
    assert!(overdue(State::Open, 100 + 86_400, 100 + 86_401));
    evs.push(ev(Step::Contact, None, 200));
    evs.push(ev(Step::Contact, None, 250));
    assert_eq!(state(&evs), State::Contacted);
    assert!(!overdue(state(&evs), 0, i64::MAX));
    evs.push(ev(Step::Cause, None, 300));
    evs.push(ev(Step::Act, None, 400));
    assert_eq!(check_from(&evs, 7), Some(400 + 7 * 86_400));
    evs.push(ev(Step::Check, Some(false), 500));
    assert_eq!(state(&evs), State::Checked { worked: false });
    evs.push(ev(Step::Act, None, 600));
    assert_eq!(check_from(&evs, 0), Some(600));
    evs.push(ev(Step::Check, Some(true), 700));
    evs.push(ev(Step::Close, None, 800));
    assert_eq!(state(&evs), State::Closed);
}

#[test]
fn rules_parse_and_name_their_origin() {
    assert_eq!(
        OpenRule::parse("would-not-recommend"),
        Ok(OpenRule::WouldNotRecommend)
    );
    assert_eq!(
        OpenRule::parse("source:cfpb").map(|r| r.origin()),
        Ok("rule:source:cfpb".to_string())
    );
    assert!(OpenRule::parse("source:").is_err());
    assert!(OpenRule::parse("grumpy").is_err());
}

#[test]
fn the_hash_covers_every_field_but_the_id() {
    let a = ev(Step::Check, Some(true), 5);
    let h = a.compute_hash();
    let mut b = a.clone();
    b.worked = Some(false);
    assert_ne!(h, b.compute_hash());
    let mut c = a.clone();
    c.happened_at = 4;
    assert_ne!(h, c.compute_hash());
    let mut d = a.clone();
    d.id = 99;
    assert_eq!(h, d.compute_hash());
}
