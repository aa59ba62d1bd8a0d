//! The review screen on an organisation's PostgreSQL store, opened in-process as each person's
//! own login: the same queue, header and search as on SQLite for the same week, a sign-off made
//! from the search view, and a division head's list limited by the server to their divisions.
//! Needs a server (SIGNOFF_TEST_PG); skipped without one, except under CI.

mod common;

use std::path::Path;

use common::pg::{people_env, server, TestDb};
use common::screen::{person, render_wide};
use common::week::{drawn, env, MON};
use common::Env;
use signoff::config::Role;
use signoff::store::pg::PgStore;
use signoff::tui::app::{Action, App, Tab};
use signoff::tui::{perform_all, prepare, Open, Session};

/// The week's configuration with each person a login of the test database.
fn pg_env(db: &TestDb) -> Env {
    let plain = env();
    let config = std::fs::read_to_string(&plain.config).expect("config");
    people_env(db, &config, &["dana", "priya", "lee", "alex", "sam"])
}

/// The week imported and drawn on PostgreSQL as on SQLite (`common::week::drawn`).
fn pg_week(env: &Env, db: &TestDb) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rollup/week.csv");
    let file = env.dir.path().join("week.csv");
    std::fs::copy(src, &file).expect("copy");
    let run = |who: &str, args: &[&str]| {
        let out = env
            .cmd(who)
            .env("SIGNOFF_DB", db.url_for(who))
            .env("SIGNOFF_TEST_CLOCK", MON)
            .args(args)
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run("alex", &["import", file.to_str().expect("path")]);
    run(
        "dana",
        &[
            "sample",
            "--per-division",
            "3",
            "--all",
            "--seed",
            "7",
            "--division",
            "Billing,Support,Logistics",
        ],
    );
}

/// The screen as `who` opens it on the PostgreSQL store.
fn open_pg(db: &TestDb, who: &str, role: Role, divisions: &[&str]) -> (Session, App) {
    let store = PgStore::connect(&db.url_for(who)).expect("connect");
    let mut p = person(who, role, divisions);
    p.login = db.login(who);
    let mut s = common::screen::session_on(Box::new(store), p);
    let app = prepare(&mut s, &Open::default()).expect("prepare");
    (s, app)
}

fn queue(app: &App) -> Vec<(String, String, String)> {
    app.rows
        .iter()
        .map(|r| {
            (
                r.external_id.clone(),
                r.division.clone(),
                r.status.label().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_screen_on_postgresql_shows_and_signs_what_sqlite_does() {
    let Some(admin) = server("the_screen_on_postgresql_shows_and_signs_what_sqlite_does") else {
        return;
    };
    let lite = env();
    drawn(&lite);
    let (_lite_s, lite_app) = common::screen::open(&lite.db);

    let db = TestDb::new(&admin);
    let env = pg_env(&db);
    pg_week(&env, &db);
    let (mut s, mut app) = open_pg(&db, "dana", Role::Executive, &[]);
    assert_eq!(
        queue(&app),
        queue(&lite_app),
        "the same queue on both stores"
    );
    let header = render_wide(&s, &app)
        .lines()
        .next()
        .expect("header")
        .to_string();
    assert!(
        header.contains("0 / 9 reviewed · 0 pushed back"),
        "{header}"
    );

    // The detail of the first item, with its conversation.
    let eff = app.update(Action::Top);
    perform_all(&mut s, &mut app, eff);
    let shown = app.detail.as_ref().expect("detail");
    assert_eq!(shown.external_id, app.rows[0].external_id);
    assert!(!shown.thread.is_empty());

    // `/`, a word of the Credit card complaint, Enter; sign the hit from the search view.
    let eff = app.update(Action::Search);
    perform_all(&mut s, &mut app, eff);
    for c in "Spain".chars() {
        let key = crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c));
        let eff = app.update(Action::Input(key));
        perform_all(&mut s, &mut app, eff);
    }
    let eff = app.update(Action::Confirm);
    perform_all(&mut s, &mut app, eff);
    assert_eq!(app.tab, Tab::Search);
    assert_eq!(app.hits.len(), 1, "one hit for Spain");
    assert_eq!(app.hits[0].division, "Credit card");
    for action in [Action::Sign, Action::Confirm] {
        let eff = app.update(action);
        perform_all(&mut s, &mut app, eff);
    }
    let kept = db.psql_owner(
        "SELECT count(*) FROM decisions d JOIN complaints c ON c.id = d.complaint_id
         WHERE c.external_id = 'W-C1' AND d.kind = 'approve' AND d.sample_id IS NULL",
    );
    assert_eq!(kept.stdout.trim(), "1", "signed ad hoc: {kept:?}");
    let header = render_wide(&s, &app)
        .lines()
        .next()
        .expect("header")
        .to_string();
    assert!(header.contains("0 / 9 reviewed"), "{header}");

    // Sign the first sampled item from the queue: the header counts it.
    let eff = app.update(Action::NextTab);
    perform_all(&mut s, &mut app, eff);
    while app.tab != Tab::Queue {
        let eff = app.update(Action::NextTab);
        perform_all(&mut s, &mut app, eff);
    }
    let eff = app.update(Action::Top);
    perform_all(&mut s, &mut app, eff);
    for action in [Action::Sign, Action::Confirm] {
        let eff = app.update(action);
        perform_all(&mut s, &mut app, eff);
    }
    let header = render_wide(&s, &app)
        .lines()
        .next()
        .expect("header")
        .to_string();
    assert!(header.contains("1 / 9 reviewed"), "{header}");

    // The head of Logistics sees the sample's Logistics items only: the server's rule.
    let (_sam_s, sam_app) = open_pg(&db, "sam", Role::DivisionHead, &["Logistics"]);
    assert_eq!(sam_app.rows.len(), 3);
    assert!(sam_app.rows.iter().all(|r| r.division == "Logistics"));
}
