//! An app on fixed rows, with no store and no terminal, for the state and key tests.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use signoff::config::{Person, Role};
use signoff::domain::decision::Status;
use signoff::tui::app::{Action, App, Effect, SavedView};
use signoff::tui::data::{Detail, Row};
use signoff::tui::keymap::Keymap;

pub fn person(role: Role) -> Person {
    Person {
        login: "dana".into(),
        name: "Dana Reyes".into(),
        title: "Chief Executive".into(),
        role,
        keys: vec![],
        email: None,
        divisions: if role == Role::DivisionHead {
            vec!["Billing".into()]
        } else {
            vec![]
        },
    }
}

pub fn row(id: i64, division: &str, status: Status, likelihood: Option<u8>) -> Row {
    Row {
        complaint_id: id,
        external_id: format!("T-{id}"),
        division: division.into(),
        received_at: 1_795_000_000 + id,
        channel: Some("email".into()),
        subject: format!("subject {id}"),
        likelihood,
        wants_contact: Some(id % 2 == 0),
        status,
        reason: "random".into(),
        messages: 2,
        pushed_back: false,
    }
}

pub fn detail(id: i64, status: Status) -> Detail {
    Detail {
        complaint_id: id,
        external_id: format!("T-{id}"),
        source: "helpdesk".into(),
        division: "Billing".into(),
        channel: None,
        customer: None,
        customer_key: None,
        repeat: None,
        product: None,
        subject: None,
        received_at: 0,
        complaint_text: "text".into(),
        response_text: Some("reply".into()),
        responder: None,
        responded_at: None,
        likelihood: None,
        wants_contact: None,
        text_from_fields: false,
        outcome: None,
        decisions: vec![],
        status,
        flags: vec![],
        thread: vec![],
    }
}

pub fn app(role: Role) -> App {
    let views = vec![SavedView {
        name: "detractors".into(),
        division: None,
        status: None,
        likelihood_max: Some(6),
        wants_contact: None,
    }];
    let mut a = App::new(person(role), vec!["canned".into(), "late".into()], 5, views);
    let eff = a.set_rows(vec![
        row(1, "Billing", Status::Pending, Some(9)),
        row(2, "Support", Status::Pending, Some(2)),
        row(3, "Billing", Status::Pending, None),
    ]);
    assert_eq!(eff, Effect::LoadDetail(1));
    a.detail_loaded(detail(1, Status::Pending));
    a
}

pub fn key(c: char) -> Action {
    Action::Input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// The default keys.
pub fn keymap() -> Keymap {
    Keymap::new(&Default::default()).expect("keymap")
}

/// A key pressed on the screen: looked up in the table of the mode shown, then handed to the app.
pub fn press(a: &mut App, km: &Keymap, code: KeyCode, mods: KeyModifiers) -> Effect {
    match km.action(KeyEvent::new(code, mods), a.shown()) {
        Some(action) => a.update(action),
        None => Effect::None,
    }
}

/// A character key pressed on the screen.
pub fn type_char(a: &mut App, km: &Keymap, c: char) -> Effect {
    press(a, km, KeyCode::Char(c), KeyModifiers::NONE)
}
