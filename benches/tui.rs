//! The review screen on a 1 000 000-complaint store: start to first frame, key press to next
//! frame, the first page of a search, and peak memory. The update + render path is timed
//! directly, in-process, against ratatui's TestBackend at 200 × 50.
//!
//! cargo bench --bench tui

mod support;

use std::time::{Duration, Instant};

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use signoff::config::{Config, Person, Role};
use signoff::domain::sample::Plan;
use signoff::store::Db;
use signoff::tui::app::Action;
use signoff::tui::keymap::Keymap;
use signoff::tui::theme::Theme;
use signoff::tui::{perform_all, prepare, view, Open, Session};
use support::{bench_store, median, ms, peak_rss_mb, NOW};

fn session(path: &std::path::Path) -> Session {
    let cfg = Config::defaults().expect("config");
    Session {
        db: Box::new(Db::open(path, Duration::from_secs(5)).expect("open")),
        keys: Keymap::new(&cfg.review.keys).expect("keys"),
        cfg,
        person: Person {
            login: "bench".into(),
            name: "Dana Reyes".into(),
            title: "Chief Executive".into(),
            role: Role::Executive,
            divisions: vec![],
            keys: vec![],
            email: None,
        },
        clock: {
            let t = chrono::DateTime::from_timestamp(NOW, 0).expect("now");
            std::sync::Arc::new(move || t)
        },
        signer: Default::default(),
        theme: Theme::named("dark", false),
    }
}

fn main() {
    let rows = support::rows();
    let path = bench_store(rows);
    {
        // The screen opens on the latest sample: make sure there is one.
        let mut s = session(&path);
        if s.db.latest_sample().expect("latest").is_none() {
            let spec = s
                .cfg
                .sampling
                .weekly_spec(
                    NOW,
                    Plan::Confidence {
                        confidence: 95.0,
                        tolerable: 5.0,
                    },
                )
                .expect("spec");
            s.db.draw_and_record(&spec, 1, "bench", "bench", NOW)
                .expect("draw");
        }
    }
    let mut starts = Vec::new();
    let mut keys = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        let mut s = session(&path);
        let mut app = prepare(&mut s, &Open::default()).expect("prepare");
        let mut term = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
        let cx = view::Ctx {
            theme: &s.theme,
            keys: &s.keys,
            now: NOW,
        };
        term.draw(|f| view::draw(f, &app, &cx)).expect("draw");
        starts.push(t.elapsed());
        for i in 0..30 {
            let t = Instant::now();
            let eff = app.update(if i % 10 == 9 {
                Action::Top
            } else {
                Action::Down
            });
            perform_all(&mut s, &mut app, eff);
            let cx = view::Ctx {
                theme: &s.theme,
                keys: &s.keys,
                now: NOW,
            };
            term.draw(|f| view::draw(f, &app, &cx)).expect("draw");
            keys.push(t.elapsed());
        }
    }
    let mut s = session(&path);
    let mut searches = Vec::new();
    for q in [
        "refund",
        "manager",
        "engineer never turned",
        "parcel rain",
        "zzzz",
    ] {
        let mut times = Vec::new();
        let mut n = 0;
        for _ in 0..5 {
            let t = Instant::now();
            n =
                s.db.search(q, None, signoff::tui::SEARCH_PAGE)
                    .expect("search")
                    .len();
            times.push(t.elapsed());
        }
        searches.push((q, n, median(times)));
    }
    let max_key = keys.iter().max().copied().unwrap_or_default();
    println!("store: {} ({rows} complaints)", path.display());
    println!("{:<40} {:>12} {:>10}", "work", "median", "budget");
    println!(
        "{:<40} {:>12} {:>10}",
        "start to first frame (200×50)",
        ms(median(starts)),
        "150 ms"
    );
    println!(
        "{:<40} {:>12} {:>10}",
        "key press to next frame",
        ms(median(keys.clone())),
        "16 ms"
    );
    println!(
        "{:<40} {:>12} {:>10}",
        "key press to next frame, worst of 210",
        ms(max_key),
        "16 ms"
    );
    for (q, n, t) in searches {
        println!(
            "{:<40} {:>12} {:>10}",
            format!("search \"{q}\", first page ({n} hits)"),
            ms(t),
            "30 ms"
        );
    }
    println!(
        "{:<40} {:>9.1} MB {:>10}",
        "peak RSS of this process",
        peak_rss_mb(),
        "60 MB"
    );
}
