//! Whole-screen snapshots with ratatui's TestBackend: each view at 80 × 24 and 200 × 50, the
//! compact layout at 30 × 8 and 20 × 5, and the too-small screen, on fixed data and a fixed
//! clock.

mod common;

use common::own::sql;

use common::screen::{person, render, session, store, NOW};
use signoff::config::Role;
use signoff::tui::app::{Action, App};
use signoff::tui::{perform_all, prepare, Open, Session};

fn both(name: &str, s: &Session, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), render(s, app, 80, 24));
    insta::assert_snapshot!(format!("{name}_200x50"), render(s, app, 200, 50));
}

#[test]
fn executive_queue_help_forms_and_dashboard() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = session(store(dir.path()), person("dana", Role::Executive, &[]));
    let mut app = prepare(&mut s, &Open::default()).expect("prepare");
    both("queue", &s, &app);

    let eff = app.update(Action::Sign);
    perform_all(&mut s, &mut app, eff);
    both("sign_confirm", &s, &app);
    let eff = app.update(Action::Confirm);
    perform_all(&mut s, &mut app, eff);
    both("queue_after_sign", &s, &app);

    app.update(Action::Help);
    both("help", &s, &app);
    app.update(Action::Cancel);

    app.update(Action::PushBack);
    both("push_back_form", &s, &app);
    app.update(Action::Cancel);

    app.update(Action::NextTab);
    let eff = app.update(Action::NextTab);
    perform_all(&mut s, &mut app, eff);
    both("dashboard", &s, &app);

    insta::assert_snapshot!("too_small", render(&s, &app, 19, 5));
    insta::assert_snapshot!("smallest", render(&s, &app, 20, 5));
}

/// The compact layout: list lines without frames, the detail below when there is room, and
/// dialogs that show their confirm key first.
fn small(name: &str, s: &Session, app: &App) -> [String; 2] {
    let screens = [render(s, app, 30, 8), render(s, app, 20, 5)];
    insta::assert_snapshot!(format!("{name}_30x8"), screens[0]);
    insta::assert_snapshot!(format!("{name}_20x5"), screens[1]);
    screens
}

#[test]
fn small_terminals_keep_rows_and_confirm_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = session(store(dir.path()), person("dana", Role::Executive, &[]));
    let mut app = prepare(&mut s, &Open::default()).expect("prepare");
    for screen in small("queue", &s, &app) {
        let rows = screen
            .lines()
            .skip(1)
            .filter(|l| {
                let l = l.trim_start_matches(['"', '›', ' ']);
                l.starts_with(['·', '✓', '✗', '↩', '!'])
            })
            .count();
        assert!(rows >= 2, "the queue shows its rows:\n{screen}");
    }
    app.update(Action::Sign);
    for screen in small("sign_confirm", &s, &app) {
        assert!(screen.contains("y / Enter: sign"), "{screen}");
    }
    app.update(Action::Cancel);
    app.update(Action::Help);
    small("help", &s, &app);
    app.update(Action::Cancel);
    app.update(Action::DrawSample);
    for screen in small("draw_over", &s, &app) {
        assert!(screen.contains("y / Enter: draw"), "{screen}");
    }
    let enlarge = render(&s, &app, 20, 4);
    assert!(enlarge.contains("enlarge the"), "{enlarge}");
}

#[test]
fn division_head_sees_every_sampled_item_grouped_by_status() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut db = store(dir.path());
    let dana = person("dana", Role::Executive, &[]);
    let billing: i64 = sql(&db)
        .query_row(
            "SELECT id FROM complaints WHERE division = 'Billing' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("billing complaint");
    db.push_back(
        &dana.actor(),
        &signoff::domain::signing::Unsigned,
        billing,
        &["canned".into()],
        "Call the customer.",
        NOW + 86_400,
        NOW,
    )
    .expect("push back");
    let sampled: i64 = sql(&db)
        .query_row(
            "SELECT count(*) FROM sample_items si JOIN complaints c ON c.id = si.complaint_id
             WHERE c.division = 'Billing' AND si.complaint_id != ?1",
            [billing],
            |r| r.get(0),
        )
        .expect("sampled");
    assert!(sampled > 0, "the fixture's sample holds Billing items");
    let mut s = session(db, person("priya", Role::DivisionHead, &["Billing"]));
    let app = prepare(&mut s, &Open::default()).expect("prepare");
    // The push-back first, then every other sampled Billing item awaiting review.
    assert_eq!(app.rows.len() as i64, sampled + 1);
    assert_eq!(app.current().map(|r| r.complaint_id), Some(billing));
    both("division_head", &s, &app);
    small("division_head", &s, &app);
}

#[test]
fn search_shows_hits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = session(store(dir.path()), person("dana", Role::Executive, &[]));
    let mut app = prepare(&mut s, &Open::default()).expect("prepare");
    app.update(Action::Search);
    for c in "refund".chars() {
        app.update(Action::Input(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char(c),
            crossterm::event::KeyModifiers::NONE,
        )));
    }
    let eff = app.update(Action::Confirm);
    perform_all(&mut s, &mut app, eff);
    assert!(!app.hits.is_empty());
    both("search", &s, &app);
}

#[test]
fn the_help_box_names_the_saved_views() {
    let km = common::app::keymap();
    let a = common::app::app(Role::Executive);
    let lines = km.bindings(signoff::tui::bindings::Shown::Browse(
        signoff::tui::bindings::Browse::everything(Role::Executive),
    ));
    assert!(lines
        .iter()
        .any(|b| b.words.is_some_and(|w| w.1.contains("saved views"))));
    let theme = signoff::tui::theme::Theme::plain();
    let cx = signoff::tui::view::Ctx {
        theme: &theme,
        keys: &km,
        now: 0,
    };
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 40)).expect("t");
    let mut a = a;
    a.update(Action::Help);
    t.draw(|f| signoff::tui::view::draw(f, &a, &cx))
        .expect("draw");
    let screen = t.backend().to_string();
    assert!(screen.contains("1 detractors"), "{screen}");
    assert!(screen.contains("view: detractors"), "{screen}");
    assert!(screen.contains("jump to it in the queue"), "{screen}");
}
