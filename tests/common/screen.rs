//! A store and a session for whole-screen tests: the clean helpdesk fixture, one sample of 6
//! drawn with a fixed seed, a fixed clock, and frames drawn on ratatui's test backend; or the
//! screen opened in-process on any test store (`open`), as Dana Reyes at the tests' clock.

use std::path::Path;
use std::time::Duration;

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use signoff::config::{Config, Person, Role};
use signoff::domain::sample::{Plan, Strata};
use signoff::import::{import_file, Options};
use signoff::store::samples::{Filters, Spec};
use signoff::store::{Db, Store};
use signoff::tui::app::{Action, App, Tab};
use signoff::tui::keymap::Keymap;
use signoff::tui::theme::Theme;
use signoff::tui::{perform_all, prepare, view, Open, Session};

/// [`super::NOW`] in seconds: 2026-11-21 12:00 UTC.
pub const NOW: i64 = 1_795_262_400;

pub fn person(login: &str, role: Role, divisions: &[&str]) -> Person {
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
pub fn store(dir: &Path) -> Db {
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
    db.draw_and_record(&spec, 42, "2026-W47", "dana", NOW)
        .expect("draw");
    db
}

pub fn session(db: Db, who: Person) -> Session {
    session_on(Box::new(db), who)
}

/// A session on any store.
pub fn session_on(db: Box<dyn Store>, who: Person) -> Session {
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

pub fn render(s: &Session, app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    let cx = view::Ctx {
        theme: &s.theme,
        keys: &s.keys,
        now: NOW,
    };
    t.draw(|f| view::draw(f, app, &cx)).expect("draw");
    t.backend().to_string()
}

/// The screen Dana Reyes (executive) opens on a test store, at NOW.
pub fn open(db: &Path) -> (Session, App) {
    let db = Db::open(db, Duration::from_secs(5)).expect("open");
    let mut s = session(db, person("dana", Role::Executive, &[]));
    let app = prepare(&mut s, &Open::default()).expect("prepare");
    (s, app)
}

/// The whole screen at 200 × 50, as text.
pub fn render_wide(s: &Session, app: &App) -> String {
    render(s, app, 200, 50)
}

/// Moves to the dashboard tab, loading it.
pub fn dashboard(s: &mut Session, app: &mut App) {
    for _ in 0..Tab::ALL.len() {
        if app.tab == Tab::Dashboard {
            break;
        }
        let eff = app.update(Action::NextTab);
        perform_all(s, app, eff);
    }
    assert!(app.dashboard.is_some(), "the dashboard loaded");
}
