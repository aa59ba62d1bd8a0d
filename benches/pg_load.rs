//! The PostgreSQL loader beside its anchor: `psql \copy` of the same rows, as CSV, into a plain
//! table with the same columns and no index. The loader copies the rows into staging tables,
//! merges them into the store (keys, the search column and its GIN index, the indexes the draw
//! and the screens use) and writes the provenance, in one transaction.
//!
//! Then the review pack (gathered and rendered as HTML) over a year of weekly samples and their
//! decisions, as the executive and as a division head (budget 1 s, as on SQLite).
//!
//! Needs a server: SIGNOFF_TEST_PG (a superuser URL; `scripts/pg-test-server.sh` starts one).
//! SIGNOFF_BENCH_ROWS sets the size (default 1 000 000), SIGNOFF_BENCH_DECISIONS the decisions
//! the pack reads (default 100 000).
//!
//! cargo bench --bench pg_load

#[path = "support/pg_pack.rs"]
mod pg_pack;

use std::io::Write;
use std::process::Command;
use std::time::Instant;

use signoff::domain::sample::{Filters, Include, Plan, Rule, Spec, Strata};
use signoff::domain::Complaint;
use signoff::store::pg::{PersonGrant, PgImportMeta, PgRecord, PgStore};

const WORDS: &[&str] = &[
    "parcel",
    "refund",
    "charged",
    "twice",
    "login",
    "password",
    "late",
    "delivery",
    "agent",
    "invoice",
    "broken",
    "damaged",
    "waiting",
    "weeks",
    "nobody",
    "answered",
    "account",
    "card",
    "cancel",
    "order",
    "replacement",
    "missing",
    "wrong",
    "address",
    "courier",
    "support",
];
const DIVISIONS: &[&str] = &["Billing", "Support", "Logistics", "Sales", "Claims"];

fn text(seed: u64, words: usize) -> String {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut out = Vec::with_capacity(words);
    for _ in 0..words {
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51afd7ed558ccd);
        out.push(WORDS[(x % WORDS.len() as u64) as usize]);
    }
    out.join(" ")
}

fn complaints(n: u64) -> Vec<Complaint> {
    (0..n)
        .map(|i| Complaint {
            source: "helpdesk".into(),
            external_id: format!("HD-{i:07}"),
            received_at: 1_735_689_600 + (i as i64) * 30,
            channel: Some(["email", "web", "phone"][(i % 3) as usize].into()),
            customer: Some(format!("Customer {}", i % 50_000)),
            contact: Some(format!("c{}@example.com", i % 50_000)),
            customer_key: Some(format!("mail:c{}@example.com", i % 50_000)),
            division: DIVISIONS[(i % 5) as usize].into(),
            product: Some("Card".into()),
            subject: Some(text(i ^ 0x55, 4)),
            // One in 97 asks for a manager, as the sampling rule looks for.
            complaint_text: if i % 97 == 0 {
                format!("{} so I want to speak to a manager", text(i, 24))
            } else {
                text(i, 28)
            },
            response_text: Some(text(i ^ 0xaa, 22)),
            responded_at: Some(1_735_689_600 + (i as i64) * 30 + 7200),
            responder: Some(format!("Agent {}", i % 40)),
            likelihood: Some((i % 11) as u8),
            wants_contact: Some(i % 7 == 0),
            ..Complaint::default()
        })
        .collect()
}

fn csv_field(s: Option<&str>) -> String {
    match s {
        None => String::new(),
        Some(s) => format!("\"{}\"", s.replace('"', "\"\"")),
    }
}

fn psql(url: &str, sql: &str) {
    let out = Command::new("psql")
        .args([url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .expect("psql");
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn main() {
    let Ok(admin) = std::env::var("SIGNOFF_TEST_PG") else {
        eprintln!("pg_load: skipped: set SIGNOFF_TEST_PG to a PostgreSQL superuser URL");
        return;
    };
    let rows: u64 = std::env::var("SIGNOFF_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(b, _)| b)
        .to_string();
    let db = "signoff_bench_load";
    let url = format!("{base}/{db}");
    psql(
        &admin,
        &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
    );
    psql(&admin, &format!("CREATE DATABASE {db}"));

    let cs = complaints(rows);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let csv = dir.join(format!("pg-load-{rows}.csv"));
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&csv).expect("csv"));
        for c in &cs {
            writeln!(
                f,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                c.source,
                c.external_id,
                c.received_at,
                csv_field(c.channel.as_deref()),
                csv_field(c.customer.as_deref()),
                csv_field(c.contact.as_deref()),
                c.division,
                csv_field(c.product.as_deref()),
                csv_field(c.subject.as_deref()),
                csv_field(Some(&c.complaint_text)),
                csv_field(c.response_text.as_deref()),
                c.responded_at.unwrap_or(0),
                csv_field(c.responder.as_deref()),
                c.likelihood.unwrap_or(0),
                c.wants_contact.unwrap_or(false),
                c.customer_key.as_deref().unwrap_or(""),
            )
            .expect("write");
        }
    }
    let mb = std::fs::metadata(&csv).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;

    // The anchor: psql \copy into a plain table.
    psql(
        &url,
        "CREATE TABLE plain (source TEXT, external_id TEXT, received_at BIGINT, channel TEXT,
             customer TEXT, contact TEXT, division TEXT, product TEXT, subject TEXT,
             complaint_text TEXT, response_text TEXT, responded_at BIGINT, responder TEXT,
             likelihood SMALLINT, wants_contact BOOLEAN, customer_key TEXT)",
    );
    let t = Instant::now();
    psql(
        &url,
        &format!("\\copy plain FROM '{}' WITH (FORMAT csv)", csv.display()),
    );
    let anchor = t.elapsed();
    psql(&url, "DROP TABLE plain");

    let mut owner = PgStore::connect(&url).expect("connect");
    owner.migrate().expect("migrate");
    owner
        .sync_people(&[PersonGrant {
            login: "signoff_bench_admin".into(),
            name: "Bench Admin".into(),
            title: "Admin".into(),
            role: "admin".into(),
            divisions: vec![],
        }])
        .expect("sync");
    let meta = PgImportMeta {
        source: "helpdesk",
        profile: "helpdesk",
        file_name: "bench.csv",
        file_size: (mb * 1e6) as u64,
        encoding: "utf-8",
        delimiter: ",",
        started_at: 1_764_000_000,
        rows_read: rows,
        rejected: 0,
        rejects_file: None,
        dry_run: false,
    };
    // Loaded as an admin, under the row-level security every person works under.
    let host = base.split_once("://").map_or(base.as_str(), |(_, h)| h);
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let mut importer = PgStore::connect(&format!("postgresql://signoff_bench_admin@{host}/{db}"))
        .expect("connect as the admin");
    let records = cs.iter().enumerate().map(|(i, c)| PgRecord {
        complaint: c,
        hash: c.content_hash(),
        line: i as u64 + 2,
    });
    // As `signoff import` loads: keeping the configured phrase rules' matches for the draw.
    let cfg = signoff::config::Config::defaults().expect("default config");
    let phrase_rules = signoff::commands::car::phrase_rules(&cfg);
    let t = Instant::now();
    let counts = importer
        .load_keeping(&meta, &phrase_rules, records)
        .expect("load");
    let load = t.elapsed();
    assert_eq!(counts.inserted, rows);

    let records = cs.iter().enumerate().map(|(i, c)| PgRecord {
        complaint: c,
        hash: c.content_hash(),
        line: i as u64 + 2,
    });
    let t = Instant::now();
    let again = importer
        .load_keeping(&meta, &phrase_rules, records)
        .expect("reload");
    let reload = t.elapsed();
    assert_eq!(again.unchanged, rows);

    // The 59-item stratified draw, as the executive, beside its anchor.
    owner
        .sync_people(&[
            PersonGrant {
                login: "signoff_bench_admin".into(),
                name: "Bench Admin".into(),
                title: "Admin".into(),
                role: "admin".into(),
                divisions: vec![],
            },
            PersonGrant {
                login: "signoff_bench_exec".into(),
                name: "Bench Executive".into(),
                title: "Chief Executive".into(),
                role: "executive".into(),
                divisions: vec![],
            },
            PersonGrant {
                login: "signoff_bench_head".into(),
                name: "Bench Head".into(),
                title: "Head of Billing".into(),
                role: "division_head".into(),
                divisions: vec!["Billing".into()],
            },
        ])
        .expect("sync");
    psql(&url, "VACUUM ANALYZE complaints");
    let mut exec = PgStore::connect(&format!("postgresql://signoff_bench_exec@{host}/{db}"))
        .expect("connect as the executive");
    let last = cs.last().map_or(0, |c| c.received_at);
    let spec = |filters: Filters, includes: Vec<Include>| Spec {
        plan: Plan::Size {
            n: 59,
            confidence: 95.0,
        },
        filters,
        includes,
        strata: Strata::Proportional,
        detractor_max: cfg.sampling.detractor_max,
        manager_phrases: cfg.sampling.phrases.asked_for_manager.clone(),
        negative_phrases: cfg.sampling.phrases.negative.clone(),
    };
    let rules = |share: f64| {
        vec![
            Include {
                rule: Rule::AskedForManager,
                share,
            },
            Include {
                rule: Rule::WouldNotRecommend,
                share,
            },
        ]
    };
    let week = Filters {
        since: Some(last - 7 * 86_400),
        ..Default::default()
    };
    let cases = [
        (
            "whole store, 2 rules at 0.1 %",
            spec(Filters::default(), rules(0.001)),
        ),
        ("whole store, no rules", spec(Filters::default(), vec![])),
        ("last 7 days, 2 rules at 10 %", spec(week, rules(0.10))),
    ];
    let mut draws = Vec::new();
    for (name, sp) in &cases {
        let mut times = Vec::new();
        for seed in 0..9u64 {
            let t = Instant::now();
            let drawn = exec.draw(sp, seed, 1).expect("draw");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(!drawn.items.is_empty());
        }
        times.sort_by(f64::total_cmp);
        draws.push((name, times[times.len() / 2]));
    }
    let anchor_draw = {
        let mut plain = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
        let mut times = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            let rows = plain
                .query("SELECT id FROM complaints ORDER BY random() LIMIT 59", &[])
                .expect("anchor");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(rows.len(), 59);
        }
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };

    let screen = screen(
        &mut exec,
        &format!("postgresql://signoff_bench_exec@{host}/{db}"),
        last + 3_600,
    );

    // The failure-mode checks, refreshed whole as each import does on PostgreSQL, then caught
    // up as `signoff report` does before reading them.
    let settings = signoff::commands::flags::settings(&cfg);
    let t = Instant::now();
    let checked = importer
        .refresh_checks(&settings, "signoff_bench_admin", last + 3_600)
        .expect("refresh the checks");
    let refresh = t.elapsed();
    let t = Instant::now();
    exec.catch_up_checks_if_free(last + 3_600)
        .expect("catch up");
    let catch_up = t.elapsed();

    let decisions = std::env::var("SIGNOFF_BENCH_DECISIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let decisions = pg_pack::add_decisions(&url, last + 3_600, decisions);
    let mut packs = pg_pack::measure(
        "executive",
        &format!("postgresql://signoff_bench_exec@{host}/{db}"),
        None,
        last + 3_600,
    );
    packs.extend(pg_pack::measure(
        "head of Billing",
        &format!("postgresql://signoff_bench_head@{host}/{db}"),
        Some(vec!["Billing".into()]),
        last + 3_600,
    ));

    println!("pg_load: {rows} rows, {mb:.0} MB of CSV");
    println!(
        "  psql \\copy into a plain table   {:>8.2} s",
        anchor.as_secs_f64()
    );
    println!(
        "  loader into an empty store       {:>8.2} s   {:.2}x the anchor",
        load.as_secs_f64(),
        load.as_secs_f64() / anchor.as_secs_f64()
    );
    println!(
        "  the same rows again (unchanged)  {:>8.2} s",
        reload.as_secs_f64()
    );
    for (name, ms) in &draws {
        println!("  59-item draw, {name:<30} {ms:>8.2} ms (median of 9, as the executive)");
    }
    println!("  ORDER BY random() LIMIT 59 (owner)       {anchor_draw:>8.2} ms (median of 5)");
    println!(
        "  review screen, start to first frame      {:>8.2} ms (median of 7; budget 150 ms)",
        screen.start
    );
    println!(
        "  review screen, key press to next frame   {:>8.2} ms (median of 210; budget 16 ms)",
        screen.key
    );
    println!(
        "  review screen, worst key press of 210    {:>8.2} ms",
        screen.worst_key
    );
    for (q, n, ms) in &screen.searches {
        println!("  search {q:<32} {ms:>8.2} ms ({n} hits, median of 5)");
    }
    println!(
        "  checks refresh (admin)                 {:>8.2} s ({} complaints, {} flagged, {} canned groups)",
        refresh.as_secs_f64(),
        checked.complaints,
        checked.flagged,
        checked.canned_groups
    );
    println!(
        "  checks catch-up before a read (exec)   {:>8.2} ms",
        catch_up.as_secs_f64() * 1000.0
    );
    for p in &packs {
        println!(
            "  review pack, {:<16} {:<10} {:>8.2} ms gather, {:>8.2} ms +html (median of 5; \
             {decisions} decisions; budget 1 s)",
            p.who, p.period, p.gather, p.html
        );
    }
    drop(exec);
    drop(owner);
    drop(importer);
    // SIGNOFF_BENCH_KEEP=1 leaves the store and its logins, to look into a figure.
    if std::env::var_os("SIGNOFF_BENCH_KEEP").is_some() {
        println!("pg_load: kept database {db}");
        return;
    }
    psql(
        &admin,
        &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
    );
    for g in ["executive", "division_head", "admin"] {
        psql(&admin, &format!("DROP ROLE IF EXISTS {db}_signoff_{g}"));
    }
    psql(&admin, "DROP ROLE IF EXISTS signoff_bench_admin");
    psql(&admin, "DROP ROLE IF EXISTS signoff_bench_exec");
    psql(&admin, "DROP ROLE IF EXISTS signoff_bench_head");
}

/// The review screen's figures on the store, in milliseconds.
struct Screen {
    start: f64,
    key: f64,
    worst_key: f64,
    searches: Vec<(&'static str, usize, f64)>,
}

fn median_ms(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times.get(times.len() / 2).copied().unwrap_or(0.0)
}

/// The executive draws the week's sample, then opens the review screen on it (in-process,
/// against ratatui's TestBackend at 200 × 50, as `benches/tui.rs` does on SQLite): start to
/// first frame, key press to next frame, the first page of a search.
fn screen(exec: &mut PgStore, url: &str, now: i64) -> Screen {
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;
    use signoff::config::{Config, Person, Role};
    use signoff::store::Store;
    use signoff::tui::app::Action;
    use signoff::tui::keymap::Keymap;
    use signoff::tui::theme::Theme;
    use signoff::tui::{perform_all, prepare, view, Open, Session};

    let cfg = Config::defaults().expect("config");
    let spec = cfg
        .sampling
        .weekly_spec(
            now,
            Plan::Confidence {
                confidence: 95.0,
                tolerable: 5.0,
            },
        )
        .expect("spec");
    Store::draw_and_record(exec, &spec, 1, "bench", "signoff_bench_exec", now).expect("draw");
    let session = || Session {
        db: Box::new(PgStore::connect(url).expect("connect")),
        keys: Keymap::new(&cfg.review.keys).expect("keys"),
        cfg: cfg.clone(),
        person: Person {
            login: "signoff_bench_exec".into(),
            name: "Bench Executive".into(),
            title: "Chief Executive".into(),
            role: Role::Executive,
            divisions: vec![],
            keys: vec![],
            email: None,
        },
        clock: {
            let t = chrono::DateTime::from_timestamp(now, 0).expect("now");
            std::sync::Arc::new(move || t)
        },
        signer: Default::default(),
        theme: Theme::named("dark", false),
    };
    let mut starts = Vec::new();
    let mut keys = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        let mut s = session();
        let mut app = prepare(&mut s, &Open::default()).expect("prepare");
        let mut term = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
        let cx = view::Ctx {
            theme: &s.theme,
            keys: &s.keys,
            now,
        };
        term.draw(|f| view::draw(f, &app, &cx)).expect("draw");
        starts.push(t.elapsed().as_secs_f64() * 1000.0);
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
                now,
            };
            term.draw(|f| view::draw(f, &app, &cx)).expect("draw");
            keys.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let mut s = session();
    let mut searches = Vec::new();
    for q in ["refund", "manager", "engineer never turned", "zzzz"] {
        let mut times = Vec::new();
        let mut n = 0;
        for _ in 0..5 {
            let t = Instant::now();
            n =
                s.db.search(q, None, signoff::tui::SEARCH_PAGE)
                    .expect("search")
                    .len();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        searches.push((q, n, median_ms(times)));
    }
    let worst_key = keys.iter().copied().fold(0.0, f64::max);
    Screen {
        start: median_ms(starts),
        key: median_ms(keys),
        worst_key,
        searches,
    }
}
