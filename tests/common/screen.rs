//! The review screen opened in-process on a test store at the tests' clock, drawn on a
//! ratatui TestBackend.

use std::path::Path;
use std::time::Duration;

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use signoff::config::{Config, Person, Role};
use signoff::store::Db;
use signoff::tui::app::{Action, App, Tab};
use signoff::tui::keymap::Keymap;
use signoff::tui::theme::Theme;
use signoff::tui::{perform_all, prepare, view, Open, Session};

/// [`super::NOW`] in seconds.
pub const NOW: i64 = 1_795_262_400;

/// The screen Dana Reyes (executive) opens on the store, at NOW.
pub fn open(db: &Path) -> (Session, App) {
    let db = Db::open(db, Duration::from_secs(5)).expect("open");
    let dana = Person {
        login: "dana".into(),
        keys: vec![],
        name: "Dana Reyes".into(),
        title: "Chief Executive".into(),
        role: Role::Executive,
        divisions: vec![],
        email: None,
    };
    let mut cfg = Config::defaults().expect("config");
    cfg.people = vec![dana.clone()];
    let mut s = Session {
        db,
        keys: Keymap::new(&cfg.review.keys).expect("keys"),
        cfg,
        person: dana,
        clock: {
            let t = chrono::DateTime::from_timestamp(NOW, 0).expect("now");
            std::sync::Arc::new(move || t)
        },
        signer: Default::default(),
        theme: Theme::plain(),
    };
    let app = prepare(&mut s, &Open::default()).expect("prepare");
    (s, app)
}

/// The whole screen at 200 × 50, as text.
pub fn render(s: &Session, app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    let cx = view::Ctx {
        theme: &s.theme,
        keys: &s.keys,
        now: NOW,
    };
    t.draw(|f| view::draw(f, app, &cx)).expect("draw");
    t.backend().to_string()
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
