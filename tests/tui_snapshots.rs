//! Whole-screen snapshots with ratatui's TestBackend: each view at 80 × 24 and 200 × 50, and the
//! too-small screen, on fixed data and a fixed clock.

use std::path::Path;
use std::time::Duration;

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use signoff::config::{Config, Person, Role};
use signoff::domain::sample::{Plan, Strata};
use signoff::import::{import_file, Options};
use signoff::store::samples::{draw_and_record, Filters, Spec};
use signoff::store::{workflow, Db};
use signoff::tui::app::{Action, App};
use signoff::tui::keymap::Keymap;
use signoff::tui::theme::Theme;
use signoff::tui::{perform_all, prepare, view, Open, Session};

const NOW: i64 = 1_795_262_400; // 2026-11-21 12:00 UTC

fn person(login: &str, role: Role, divisions: &[&str]) -> Person {
    Person {
        login: login.into(),
        keys: vec![],
        email: None,
        name: if login == "dana" {
            "Dana Reyes".into()
        } else {
            "Priya Shah".into()
        },
        title: if login == "dana" {
            "Chief Executive".into()
        } else {
            "Head of Billing".into()
        },
        role,
        divisions: divisions.iter().map(|d| d.to_string()).collect(),
    }
}

/// A store holding the clean helpdesk fixture and one sample of 6 drawn with a fixed seed.
fn store(dir: &Path) -> Db {
    let mut db = Db::open(&dir.join("s.db"), Duration::from_secs(5)).expect("open");
    let opts = Options {
        profile: None,
        profiles_dir: None,
        source: None,
        encoding: None,
        delimiter: None,
        date_order: None,
        dry_run: false,
        accept_incomplete: false,
        accept_degraded: false,
        allow_unlinked: false,
        rejects: Some(dir.join("rejects.csv")),
        batch_rows: 100,
        max_field_bytes: 16 << 20,
        progress: false,
        imported_by: "alex".into(),
        now: NOW,
        after_import: Default::default(),
        write_wait: std::time::Duration::ZERO,
    };
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/hd_clean.csv");
    import_file(&mut db, &fixture, &opts, &|d: &str| d.to_string()).expect("import");
    let spec = Spec {
        plan: Plan::Size {
            n: 6,
            confidence: 95.0,
        },
        filters: Filters::default(),
        includes: vec![],
        strata: Strata::None,
        detractor_max: 6,
        manager_phrases: vec!["manager".into()],
        negative_phrases: vec![],
    };
    draw_and_record(&mut db.conn, &spec, 42, "2026-W47", "dana", NOW).expect("draw");
    db
}

fn session(db: Db, who: Person) -> Session {
    let mut cfg = Config::defaults().expect("config");
    cfg.people = vec![who.clone()];
    Session {
        db,
        keys: Keymap::new(&cfg.review.keys).expect("keys"),
        cfg,
        person: who,
        clock: {
            let t = chrono::DateTime::from_timestamp(NOW, 0).expect("now");
            std::sync::Arc::new(move || t)
        },
        signer: Default::default(),
        theme: Theme::plain(),
    }
}

fn render(s: &Session, app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    let cx = view::Ctx {
        theme: &s.theme,
        keys: &s.keys,
        now: NOW,
    };
    t.draw(|f| view::draw(f, app, &cx)).expect("draw");
    t.backend().to_string()
}

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

#[test]
fn division_head_sees_their_push_backs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut db = store(dir.path());
    let dana = person("dana", Role::Executive, &[]);
    let billing: i64 = db
        .conn
        .query_row(
            "SELECT id FROM complaints WHERE division = 'Billing' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("billing complaint");
    workflow::push_back(
        &mut db.conn,
        &dana,
        &signoff::domain::signing::Unsigned,
        billing,
        &["canned".into()],
        "Call the customer.",
        NOW + 86_400,
        NOW,
    )
    .expect("push back");
    let mut s = session(db, person("priya", Role::DivisionHead, &["Billing"]));
    let app = prepare(&mut s, &Open::default()).expect("prepare");
    assert_eq!(app.rows.len(), 1);
    both("division_head", &s, &app);
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
