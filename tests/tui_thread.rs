//! A threaded complaint on the review screen: the detail pane reads it as a conversation (who,
//! when, how long each reply took, what went unanswered), the queue shows how many messages it
//! holds, and paging scrolls to the end of the thread and no further.

mod common;

use common::own::sql;

use std::path::Path;
use std::time::Duration;

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use signoff::config::{Config, Person, Role};
use signoff::domain::sample::{Plan, Strata};
use signoff::store::samples::{Filters, Spec};
use signoff::store::Db;
use signoff::tui::app::{Action, App};
use signoff::tui::keymap::Keymap;
use signoff::tui::theme::Theme;
use signoff::tui::{prepare, view, Open, Session};

const NOW: i64 = 1_795_262_400; // 2026-11-21 12:00 UTC
/// The three complaints of `common::threads`, all in one sample.
fn store(dir: &Path) -> Db {
    let mut db = Db::open(&dir.join("s.db"), Duration::from_secs(5)).expect("open");
    common::threads::seed(&mut db, NOW);
    let spec = Spec {
        plan: Plan::Size {
            n: 3,
            confidence: 95.0,
        },
        filters: Filters::default(),
        includes: vec![],
        strata: Strata::None,
        detractor_max: 6,
        manager_phrases: vec![],
        negative_phrases: vec![],
    };
    db.draw_and_record(&spec, 7, "2026-W47", "dana", NOW)
        .expect("draw");
    db
}

fn session(db: Db) -> Session {
    let who = Person {
        login: "dana".into(),
        keys: vec![],
        email: None,
        name: "Dana Reyes".into(),
        title: "Chief Executive".into(),
        role: Role::Executive,
        divisions: vec![],
    };
    let mut cfg = Config::defaults().expect("config");
    cfg.people = vec![who.clone()];
    Session {
        db: Box::new(db),
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

/// Draws a frame and, as the loop does, tells the app how far the detail can scroll.
fn frame(s: &Session, app: &mut App, w: u16, h: u16) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    let cx = view::Ctx {
        theme: &s.theme,
        keys: &s.keys,
        now: NOW,
    };
    let area = t.draw(|f| view::draw(f, app, &cx)).expect("draw").area;
    let (max, page) = view::detail_room(app, &cx, area);
    app.set_detail_room(max, page);
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect()
}

#[test]
fn a_long_thread_reads_as_a_conversation_and_pages_to_its_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = store(dir.path());
    let (stored, count): (i64, Option<i64>) = sql(&db)
        .query_row(
            "SELECT (SELECT count(*) FROM messages WHERE complaint_id = c.id), c.message_count
             FROM complaints c WHERE external_id = 'T-THREAD'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("thread row");
    assert_eq!((stored, count), (12, Some(12)));

    let mut s = session(db);
    let mut app = prepare(&mut s, &Open::default()).expect("prepare");
    let counts: Vec<(String, u32)> = app
        .rows
        .iter()
        .map(|r| (r.external_id.clone(), r.messages))
        .collect();
    assert!(counts.contains(&("T-THREAD".into(), 12)), "{counts:?}");
    assert!(counts.contains(&("T-PLAIN".into(), 2)), "{counts:?}");
    assert!(counts.contains(&("T-OPEN".into(), 1)), "{counts:?}");
    let at = app
        .visible
        .iter()
        .position(|&i| app.rows[i].external_id == "T-THREAD")
        .expect("the thread is in the sample");
    let eff = app.update(Action::Click(at));
    signoff::tui::perform_all(&mut s, &mut app, eff);
    let d = app.detail.as_ref().expect("detail");
    assert_eq!(d.external_id, "T-THREAD");
    assert_eq!(d.thread.len(), 12);

    let top = frame(&s, &mut app, 80, 24);
    insta::assert_snapshot!("thread_top_80x24", top.join("\n"));
    let wide = frame(&s, &mut app, 200, 50);
    insta::assert_snapshot!("thread_200x50", wide.join("\n"));

    // Page down until the pane stops moving: the thread's last line sits on its last row.
    frame(&s, &mut app, 80, 24);
    let mut presses = 0;
    loop {
        let before = app.scroll;
        app.update(Action::PageDown);
        frame(&s, &mut app, 80, 24);
        if app.scroll == before {
            break;
        }
        presses += 1;
        assert!(presses < 50, "paging never reached the end");
    }
    assert!(presses >= 2, "a 12-message thread is longer than a page");
    assert_eq!(app.scroll, app.scroll_max);
    let end = frame(&s, &mut app, 80, 24);
    insta::assert_snapshot!("thread_end_80x24", end.join("\n"));
    let last_row = &end[21];
    assert!(last_row.contains(common::threads::LAST_LINE), "{last_row}");

    // Up a page and back: the same end, never blank rows past it.
    app.update(Action::PageUp);
    assert!(app.scroll < app.scroll_max);
    app.update(Action::ScrollDetail(1000));
    assert_eq!(app.scroll, app.scroll_max);
    assert_eq!(frame(&s, &mut app, 80, 24), end);

    // A taller screen holds more: the scroll shrinks to fit, the end still on the last row.
    let before = app.scroll_max;
    let tall = frame(&s, &mut app, 80, 40);
    assert!(app.scroll_max < before);
    assert_eq!(app.scroll, app.scroll_max);
    assert!(
        tall[37].contains(common::threads::LAST_LINE),
        "{}",
        tall.join("\n")
    );
}
