//! Keys as the screen reads them: each mode's table decides what a key does, and the footer
//! offers exactly that table. No terminal and no store: keys go through `Keymap::action` for the
//! mode shown, then `App::update`.

mod common;

use common::app::{app, detail, keymap, press, type_char};
use crossterm::event::{KeyCode, KeyModifiers};
use signoff::config::{Person, Role};
use signoff::domain::decision::Status;
use signoff::tui::app::{Action, App, Effect, Mode, PlanField, PushFocus};
use signoff::tui::bindings::Key;
use signoff::tui::keymap::Keymap;
use signoff::tui::theme::Theme;
use signoff::tui::view;

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

fn footer(a: &App, km: &Keymap, width: usize) -> String {
    let theme = Theme::plain();
    let cx = view::Ctx {
        theme: &theme,
        keys: km,
        now: 0,
    };
    view::footer_hints(a, &cx, width)
}

/// Every binding the footer offers does what it says when its first key is pressed.
fn footer_keys_do_what_they_say(a: &App, km: &Keymap) {
    for b in km.bindings(a.shown()).iter().filter(|b| b.footer) {
        let Some(Key::Press(code, mods)) = b.keys.first().copied() else {
            continue;
        };
        let got = km.action(crossterm::event::KeyEvent::new(code, mods), a.shown());
        assert_eq!(
            got.as_ref(),
            Some(&b.action),
            "{:?} in {:?}",
            b.words,
            a.shown()
        );
    }
}

/// The plan editor, through the question a sample with unreviewed items asks first.
fn open_plan(a: &mut App) {
    assert_eq!(a.update(Action::DrawSample), Effect::None);
    assert!(matches!(a.mode, Mode::ConfirmDraw { .. }));
    assert_eq!(a.update(Action::Confirm), Effect::CountPopulation);
    assert!(matches!(a.mode, Mode::Plan(_)));
}

fn with_sample(mut a: App) -> App {
    a.sample = Some(signoff::tui::data::SampleInfo {
        id: 1,
        label: "2026-W47".into(),
        population: 100,
        plan: "n = 3".into(),
        confidence: 95.0,
    });
    a
}

#[test]
fn the_footer_offers_the_keys_of_the_mode_on_screen() {
    let km = keymap();
    let mut a = with_sample(app(Role::Executive));
    let normal = footer(&a, &km, 200);
    assert!(
        normal.contains("a sign") && normal.contains("p push back"),
        "{normal}"
    );
    assert!(!normal.contains("u undo"), "nothing to undo yet: {normal}");
    footer_keys_do_what_they_say(&a, &km);

    type_char(&mut a, &km, '?');
    assert!(matches!(a.mode, Mode::Help));
    let help = footer(&a, &km, 200);
    assert!(
        help.contains("Esc/? close") && !help.contains("Ctrl-S"),
        "{help}"
    );
    footer_keys_do_what_they_say(&a, &km);
    press(&mut a, &km, KeyCode::Esc, NONE);

    type_char(&mut a, &km, 'a');
    let sign = footer(&a, &km, 200);
    assert!(
        sign.contains("y/Enter sign") && !sign.contains("Tab"),
        "{sign}"
    );
    press(&mut a, &km, KeyCode::Esc, NONE);

    type_char(&mut a, &km, '/');
    let search = footer(&a, &km, 200);
    assert!(
        search.contains("Enter search") && search.contains("Ctrl-U clear"),
        "{search}"
    );
    assert!(!search.contains("next field"), "{search}");
    press(&mut a, &km, KeyCode::Esc, NONE);

    open_plan(&mut a);
    let plan = footer(&a, &km, 200);
    assert!(
        plan.contains("Enter draw") && !plan.contains("Ctrl-S"),
        "{plan}"
    );
    footer_keys_do_what_they_say(&a, &km);
}

#[test]
fn without_a_sample_the_footer_offers_no_decision() {
    let km = keymap();
    let mut a = App::new(person(), vec![], 5, vec![]);
    a.set_rows(vec![]);
    let f = footer(&a, &km, 200);
    for absent in ["a sign", "p push back", "u undo", "n next"] {
        assert!(!f.contains(absent), "{f}");
    }
    assert!(f.contains("s draw") && f.contains("? help"), "{f}");
    // A key the footer does not offer does nothing, and says so.
    assert_eq!(type_char(&mut a, &km, 'a'), Effect::None);
    let m = a.message.as_ref().map(|m| m.1.clone()).unwrap_or_default();
    assert!(m.contains("a does nothing here"), "{m}");
}

fn person() -> Person {
    Person {
        login: "dana".into(),
        name: "Dana Reyes".into(),
        title: "Chief Executive".into(),
        role: Role::Executive,
        keys: vec![],
        email: None,
        divisions: vec![],
    }
}

#[test]
fn a_narrow_footer_keeps_help_and_the_way_out() {
    let km = keymap();
    let mut a = with_sample(app(Role::Executive));
    let f = footer(&a, &km, 30);
    assert!(f.chars().count() <= 30, "{f}");
    assert!(f.contains("? help") && f.contains("q quit"), "{f}");
    a.update(Action::Sign);
    let f = footer(&a, &km, 18);
    assert!(f.contains("y/Enter sign"), "the confirm key first: {f}");
    a.update(Action::Cancel);
    a.update(Action::PushBack);
    let f = footer(&a, &km, 30);
    assert!(
        f.contains("Ctrl-S save") && f.contains("Esc/q cancel"),
        "{f}"
    );
}

#[test]
fn ctrl_u_clears_the_search_field_and_control_keys_type_nothing() {
    let km = keymap();
    let mut a = with_sample(app(Role::Executive));
    type_char(&mut a, &km, '/');
    for c in "refund".chars() {
        type_char(&mut a, &km, c);
    }
    assert_eq!(a.query, "refund");
    press(&mut a, &km, KeyCode::Char('u'), CTRL);
    assert_eq!(a.query, "", "Ctrl-U clears, it types no u");
    press(&mut a, &km, KeyCode::Char('w'), CTRL);
    type_char(&mut a, &km, 'q');
    assert_eq!(a.query, "q", "q is a letter in a text field");
    assert!(matches!(a.mode, Mode::SearchInput));
}

#[test]
fn arrows_move_across_the_reasons_grid() {
    let km = keymap();
    let mut a = App::new(
        common::app::person(Role::Executive),
        ["canned", "late", "rude", "wrong", "other"]
            .map(String::from)
            .to_vec(),
        5,
        vec![],
    );
    a.set_rows(vec![common::app::row(1, "Billing", Status::Pending, None)]);
    a.detail_loaded(detail(1, Status::Pending));
    type_char(&mut a, &km, 'p');
    // Two columns, top to bottom: canned late rude | wrong other.
    let cursor = |a: &App| match &a.mode {
        Mode::PushBack(f) => f.cursor,
        _ => panic!("the form closed"),
    };
    press(&mut a, &km, KeyCode::Right, NONE);
    assert_eq!(cursor(&a), 3);
    press(&mut a, &km, KeyCode::Down, NONE);
    assert_eq!(cursor(&a), 4);
    press(&mut a, &km, KeyCode::Right, NONE);
    assert_eq!(cursor(&a), 4, "no third column");
    press(&mut a, &km, KeyCode::Left, NONE);
    assert_eq!(cursor(&a), 1);
    press(&mut a, &km, KeyCode::Char(' '), NONE);
    let Mode::PushBack(f) = &a.mode else {
        panic!("the form closed")
    };
    assert_eq!(f.reasons[1], ("late".to_string(), true));
}

#[test]
fn q_closes_a_form_except_where_it_is_typed() {
    let km = keymap();
    let mut a = with_sample(app(Role::Executive));
    type_char(&mut a, &km, 'p');
    type_char(&mut a, &km, 'q');
    assert!(matches!(a.mode, Mode::Normal), "q on the reasons closes");

    type_char(&mut a, &km, 'p');
    press(&mut a, &km, KeyCode::Tab, NONE);
    type_char(&mut a, &km, 'q');
    let Mode::PushBack(f) = &a.mode else {
        panic!("q in the note is a letter")
    };
    assert_eq!(f.focus, PushFocus::Note);
    assert_eq!(f.note.lines().join(""), "q");
    // Back on the grid, q asks first: the note holds text.
    press(&mut a, &km, KeyCode::BackTab, KeyModifiers::SHIFT);
    type_char(&mut a, &km, 'q');
    assert!(
        matches!(a.mode, Mode::PushBack(_)),
        "asked before discarding"
    );
    type_char(&mut a, &km, 'q');
    assert!(matches!(a.mode, Mode::Normal), "the second q discards");

    open_plan(&mut a);
    type_char(&mut a, &km, 'q');
    assert!(matches!(a.mode, Mode::Normal), "q closes the plan editor");
}

#[test]
fn the_plan_editor_drops_an_error_once_the_fields_change() {
    let km = keymap();
    let mut a = with_sample(app(Role::Executive));
    open_plan(&mut a);
    press(&mut a, &km, KeyCode::Char('u'), CTRL);
    type_char(&mut a, &km, '0');
    assert_eq!(press(&mut a, &km, KeyCode::Enter, NONE), Effect::None);
    let error = |a: &App| match &a.mode {
        Mode::Plan(p) => p.error.clone(),
        _ => panic!("the editor closed"),
    };
    assert!(error(&a).is_some_and(|e| e.contains("between 0 and 100")));
    press(&mut a, &km, KeyCode::Backspace, NONE);
    assert_eq!(error(&a), None, "stale once the field changed");
    press(&mut a, &km, KeyCode::Tab, NONE);
    let Mode::Plan(p) = &a.mode else {
        panic!("the editor closed")
    };
    assert_eq!(p.focus, PlanField::Tolerable);
}

#[test]
fn drawing_over_an_unfinished_sample_asks_first() {
    let km = keymap();
    let mut a = with_sample(app(Role::Executive));
    assert_eq!(type_char(&mut a, &km, 's'), Effect::None);
    assert!(matches!(a.mode, Mode::ConfirmDraw { unreviewed: 3 }));
    assert_eq!(type_char(&mut a, &km, 'n'), Effect::None);
    assert!(
        matches!(a.mode, Mode::Normal),
        "any other key keeps the sample"
    );
    type_char(&mut a, &km, 's');
    assert_eq!(type_char(&mut a, &km, 'y'), Effect::CountPopulation);
    assert!(matches!(a.mode, Mode::Plan(_)));
}

#[test]
fn help_scrolls_within_its_room_and_closes_on_its_keys_only() {
    let km = keymap();
    let mut a = with_sample(app(Role::Executive));
    type_char(&mut a, &km, '?');
    a.set_help_room(3);
    for _ in 0..5 {
        type_char(&mut a, &km, 'j');
    }
    assert_eq!(a.help_scroll, 3);
    press(&mut a, &km, KeyCode::PageUp, NONE);
    assert_eq!(a.help_scroll, 0);
    type_char(&mut a, &km, 'x');
    assert!(
        matches!(a.mode, Mode::Help),
        "a stray key does not close it"
    );
    type_char(&mut a, &km, '?');
    assert!(matches!(a.mode, Mode::Normal));
}

#[test]
fn the_letter_keys_are_offered_where_they_apply() {
    let km = keymap();
    let signed = Status::Signed {
        decision: 3,
        by: "Dana Reyes".into(),
        at: 0,
    };

    // An executive on an unsigned item: r writes to the customer; L is not offered and says why.
    let mut a = with_sample(app(Role::Executive));
    let f = footer(&a, &km, 200);
    assert!(f.contains("r write") && !f.contains("L letter"), "{f}");
    assert_eq!(type_char(&mut a, &km, 'L'), Effect::None);
    let m = a.message.take().map(|m| m.1).unwrap_or_default();
    assert!(m.contains("is not signed"), "{m}");

    // On a signed item, L writes its letter.
    a.detail_loaded(detail(1, signed.clone()));
    let f = footer(&a, &km, 200);
    assert!(f.contains("L letter"), "{f}");
    footer_keys_do_what_they_say(&a, &km);
    assert_eq!(
        type_char(&mut a, &km, 'L'),
        Effect::Letter { complaint_id: 1 }
    );

    // r opens the letter form: its footer is its table's, and q is typed, not quitting.
    type_char(&mut a, &km, 'r');
    assert!(matches!(a.mode, Mode::ReachOut(_)), "r opens the letter");
    let form = footer(&a, &km, 200);
    assert!(
        form.contains("Ctrl-S to outbox") && form.contains("Esc cancel"),
        "{form}"
    );
    assert!(
        !form.contains("L letter") && !form.contains("a sign"),
        "{form}"
    );
    footer_keys_do_what_they_say(&a, &km);
    for c in "quite so".chars() {
        type_char(&mut a, &km, c);
    }
    assert!(matches!(a.mode, Mode::ReachOut(_)), "q was typed");
    assert_eq!(
        press(&mut a, &km, KeyCode::Char('s'), CTRL),
        Effect::ReachOut {
            complaint_id: 1,
            text: "quite so".into()
        }
    );

    // A division head's r is still the revised response; L is theirs too on a signed item.
    let mut h = with_sample(app(Role::DivisionHead));
    h.detail_loaded(detail(1, signed));
    let f = footer(&h, &km, 200);
    assert!(f.contains("L letter") && !f.contains("r write"), "{f}");
    type_char(&mut h, &km, 'r');
    assert!(!matches!(h.mode, Mode::ReachOut(_)));
    let m = h.message.take().map(|m| m.1).unwrap_or_default();
    assert!(m.contains("no open push-back"), "{m}");

    // The help box lists both for an executive.
    let every: Vec<_> = km
        .bindings(signoff::tui::bindings::Shown::Browse(
            signoff::tui::bindings::Browse::everything(Role::Executive),
        ))
        .into_iter()
        .filter_map(|b| b.words.map(|w| (b.label(), w.1)))
        .collect();
    assert!(
        every.iter().any(|(k, w)| k == "L" && w.contains("letter")),
        "{every:?}"
    );
    assert!(
        every
            .iter()
            .any(|(k, w)| k == "r" && w.contains("customer")),
        "{every:?}"
    );
}
