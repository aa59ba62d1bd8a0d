use super::*;

const H: i64 = 3600;

fn push_back(id: i64, division: &str, due_at: i64, answer: bool) -> PushBackItem {
    PushBackItem {
        decision_id: id,
        external_id: format!("T-{id}"),
        division: division.into(),
        by: "Dana Reyes".into(),
        at: 0,
        reasons: "canned".into(),
        note: "Say sorry and mean it".into(),
        due_at: Some(due_at),
        answer: answer.then(|| (id + 100, "revise".into(), "Priya Shah".into(), 10)),
    }
}

fn people() -> (Vec<String>, Vec<String>) {
    (vec!["Billing".to_string()], vec![])
}

fn run(push_backs: &[PushBackItem], callbacks: &[CallBack], now: i64) -> Vec<Event> {
    let (billing, none) = people();
    let who = [
        Recipient {
            login: "priya",
            name: "Priya Shah",
            executive: false,
            divisions: &billing,
        },
        Recipient {
            login: "dana",
            name: "Dana Reyes",
            executive: true,
            divisions: &none,
        },
    ];
    events(
        &who,
        push_backs,
        callbacks,
        now,
        Horizon {
            answer_due: 24 * H,
            callback_due: 4 * H,
        },
        &|t| format!("t{t}"),
    )
}

#[test]
fn each_person_hears_what_is_theirs() {
    let items = [
        push_back(1, "Billing", 100 * H, false),
        push_back(2, "Support", 100 * H, false),
        push_back(3, "Billing", 100 * H, true),
    ];
    let e = run(&items, &[], 0);
    let keys: Vec<&str> = e.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["answered:103:dana", "push-back:1:priya"]);
    assert!(e[1].lines.iter().any(|l| l.contains("Say sorry")));
    assert!(e[1].lines.iter().any(|l| l.contains("due t360000")));
}

#[test]
fn due_soon_and_overdue_are_their_own_events_and_replace_the_plain_one() {
    let items = [push_back(1, "Billing", 30 * H, false)];
    let soon = run(&items, &[], 10 * H);
    assert_eq!(
        soon.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(),
        ["due-soon:1:priya"]
    );
    let late = run(&items, &[], 31 * H);
    assert_eq!(
        late.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(),
        ["overdue:1:priya"]
    );
    let early = run(&items, &[], 0);
    assert_eq!(early[0].what, What::PushedBack);
}

#[test]
fn call_backs_go_to_the_heads_of_their_division() {
    let cars = [
        CallBack {
            car_id: 5,
            external_id: "T-5".into(),
            division: "Billing".into(),
            due_at: 3 * H,
        },
        CallBack {
            car_id: 6,
            external_id: "T-6".into(),
            division: "Billing".into(),
            due_at: 20 * H,
        },
        CallBack {
            car_id: 7,
            external_id: "T-7".into(),
            division: "Billing".into(),
            due_at: -H,
        },
    ];
    let e = run(&[], &cars, 0);
    assert_eq!(
        e.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(),
        ["call-back-overdue:7:priya", "call-back-due:5:priya"]
    );
    let refs: Vec<&Event> = e.iter().collect();
    let (subject, body) = message("Priya Shah", &refs, false);
    assert_eq!(subject, "signoff: 2 items for you, 1 overdue");
    assert!(body.starts_with("Hello Priya Shah,"));
    assert!(body.contains("Call-backs overdue"));
    assert!(body.contains("CAR-5 for T-5"));
    let (digest, _) = message("Priya Shah", &refs[..1], true);
    assert_eq!(digest, "signoff: 1 item for you, 1 overdue (daily digest)");
}
