use super::*;
use crate::domain::decision::GENESIS;

/// A decision of Dana's on complaint 1 at 100 + id; a push-back is due at 1 000.
pub(crate) fn d(id: i64, kind: Kind, reasons: Option<&str>) -> Decision {
    Decision {
        id,
        complaint_id: 1,
        sample_id: Some(1),
        kind,
        actor: "dana".into(),
        actor_name: "Dana Reyes".into(),
        actor_title: "Chief Executive".into(),
        at: 100 + id,
        statement: None,
        reasons: reasons.map(str::to_string),
        note: None,
        due_at: (kind == Kind::PushBack).then_some(1_000),
        body: None,
        retracts: None,
        text_hash: "t".into(),
        prev_hash: GENESIS.into(),
        hash: String::new(),
        signature: None,
    }
}

fn item(id: i64, division: &str, reason: &str, ds: &[Decision], now: i64) -> Item {
    Item::of(id, division, reason, ds, "t", now)
}

/// Billing: signed; pushed back, revised, signed again; pushed back and overdue.
/// Support: pending; pushed back and answered. Rules: one Billing item taken by a rule.
fn week(now: i64) -> Vec<Item> {
    let pb = |id| d(id, Kind::PushBack, Some("canned,late"));
    vec![
        item(1, "Billing", "random", &[d(1, Kind::Approve, None)], now),
        item(
            2,
            "Billing",
            "random",
            &[pb(2), d(3, Kind::Revise, None), d(4, Kind::Approve, None)],
            now,
        ),
        item(3, "Billing", "rule:late", &[pb(5)], now),
        item(4, "Support", "random", &[], now),
        item(
            5,
            "Support",
            "random",
            &[pb(6), d(7, Kind::Dispute, None)],
            now,
        ),
    ]
}

#[test]
fn counts_where_each_item_stands_and_what_it_went_through() {
    let r = roll_up(&week(2_000), 95.0);
    let b = r.division("Billing").expect("billing");
    assert_eq!(
        (b.sampled, b.reviewed, b.signed, b.pushed_back),
        (3, 3, 2, 2)
    );
    assert_eq!(
        (
            b.pushed_back_open,
            b.pushed_back_overdue,
            b.pushed_back_answered
        ),
        (1, 1, 0)
    );
    assert_eq!(b.sign_off_rate, Some(1.0 / 3.0));
    assert_eq!(b.push_back_rate, Some(2.0 / 3.0));
    assert_eq!((b.random_items, b.random_pushed_back), (2, 1));
    assert!(b.upper_bound.is_some());
    assert!(b
        .bound_statement
        .starts_with("1 of 2 pushed back: 95 % confident"));
    let s = r.division("Support").expect("support");
    assert_eq!((s.sampled, s.reviewed, s.pending), (2, 1, 1));
    assert_eq!(s.pushed_back_answered, 1);
    assert_eq!(s.upper_bound, None);
    assert_eq!(
        s.bound_statement,
        "1 of 2 random items reviewed: the bound is stated once all are"
    );
    let t = &r.total;
    assert_eq!(t.division, "all");
    assert_eq!((t.sampled, t.reviewed, t.pushed_back), (5, 4, 3));
    assert_eq!(t.sign_off_rate, Some(0.25));
    assert!(t.bound_statement.is_empty());
}

#[test]
fn a_retracted_push_back_is_no_push_back_and_not_overdue_before_its_date() {
    let mut undo = d(9, Kind::Retract, None);
    undo.retracts = Some(8);
    let it = item(
        7,
        "Billing",
        "random",
        &[d(8, Kind::PushBack, Some("canned")), undo],
        500,
    );
    assert!(!it.pushed_back && it.reasons.is_empty());
    assert_eq!(it.status, Status::Pending);
    let open = item(8, "Billing", "random", &[d(8, Kind::PushBack, None)], 500);
    let r = roll_up(&[it, open], 90.0);
    assert_eq!(r.total.pushed_back_open, 1);
    assert_eq!(r.total.pushed_back_overdue, 0);
}

#[test]
fn a_complaint_in_two_samples_counts_once_and_random_if_either_drew_it() {
    let ds = [d(1, Kind::Approve, None)];
    let items = [
        item(1, "Billing", "rule:late", &ds, 0),
        item(1, "Billing", "random", &ds, 0),
    ];
    let r = roll_up(&items, 95.0);
    assert_eq!(r.total.sampled, 1);
    assert_eq!(r.total.random_items, 1);
}
