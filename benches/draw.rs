//! Drawing a stratified 59-item sample with two must-include rules from a 1 000 000-complaint
//! store, side by side with `ORDER BY random() LIMIT 59` over the same population.
//!
//! cargo bench --bench draw            (SIGNOFF_BENCH_ROWS=1000000 by default)
//!
//! The store is built once under target/bench-data with the crate's generator and importer.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use signoff::domain::sample::{Include, Plan, Rule, Strata};
use signoff::store::samples::{draw, Filters, Spec};
use signoff::store::Db;

const UNTIL: &str = "2026-11-20";
/// 2026-11-21 00:00 UTC: the default window is the 7 days before.
const NOW: i64 = 1_795_219_200;

pub fn bench_store(rows: u64) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let db = dir.join(format!("store-{rows}.db"));
    if db.exists() {
        return db;
    }
    let bin = env!("CARGO_BIN_EXE_signoff");
    let csv = dir.join(format!("helpdesk-{rows}.csv"));
    if !csv.exists() {
        eprintln!("generating {rows} rows → {}", csv.display());
        let ok = Command::new(bin)
            .args([
                "generate",
                "--rows",
                &rows.to_string(),
                "--until",
                UNTIL,
                "--out",
            ])
            .arg(&csv)
            .status()
            .expect("generate");
        assert!(ok.success());
    }
    let cfg = dir.join("bench.toml");
    std::fs::write(
        &cfg,
        "[identity]\ntrust_env_user = true\n[[people]]\nlogin = \"bench\"\nname = \"Bench\"\ntitle = \"Admin\"\nrole = \"admin\"\n",
    )
    .expect("config");
    let tmp = dir.join(format!("store-{rows}.db.building"));
    let _ = std::fs::remove_file(&tmp);
    eprintln!("importing into {}", tmp.display());
    let ok = Command::new(bin)
        .arg("--db")
        .arg(&tmp)
        .arg("--config")
        .arg(&cfg)
        .env("SIGNOFF_USER", "bench")
        .arg("import")
        .arg(&csv)
        .status()
        .expect("import");
    assert!(ok.success());
    // Fold the WAL in before renaming, so the store is one file.
    {
        let c = rusqlite::Connection::open(&tmp).expect("open");
        c.pragma_update(None, "wal_checkpoint", "TRUNCATE").ok();
        c.pragma_update(None, "journal_mode", "DELETE")
            .expect("journal");
    }
    std::fs::rename(&tmp, &db).expect("rename");
    db
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let rows: u64 = std::env::var("SIGNOFF_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let path = bench_store(rows);
    let db = Db::open(&path, Duration::from_secs(5)).expect("open store");
    let week = Filters {
        since: Some(NOW - 7 * 86_400),
        ..Default::default()
    };
    let all = Filters::default();
    let spec = |filters: Filters, includes: Vec<Include>| Spec {
        plan: Plan::Size {
            n: 59,
            confidence: 95.0,
        },
        filters,
        includes,
        strata: Strata::Proportional,
        detractor_max: 6,
        manager_phrases: vec!["manager".into(), "supervisor".into()],
        negative_phrases: vec!["worst".into()],
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
    let cases = [
        (
            "last 7 days, 2 rules at 10 %",
            spec(week.clone(), rules(0.10)),
            Some(NOW - 7 * 86_400),
        ),
        (
            "last 7 days, no rules",
            spec(week, vec![]),
            Some(NOW - 7 * 86_400),
        ),
        ("whole store, no rules", spec(all.clone(), vec![]), None),
        (
            "whole store, 2 rules at 0.1 %",
            spec(all, rules(0.001)),
            None,
        ),
    ];
    println!("store: {} ({rows} complaints)", path.display());
    println!(
        "{:<34} {:>10} {:>8} {:>12} {:>14} {:>8}",
        "draw (59, stratified)", "population", "items", "ours median", "ORDER BY random()", "ratio"
    );
    for (name, sp, since) in cases {
        // Warm the cache once, then time.
        let first = draw(&db.conn, &sp, 1, i64::MAX).expect("draw");
        let ours: Vec<Duration> = (0..15u64)
            .map(|seed| {
                let t = Instant::now();
                let d = draw(&db.conn, &sp, seed, i64::MAX).expect("draw");
                std::hint::black_box(d);
                t.elapsed()
            })
            .collect();
        let anchor: Vec<Duration> = (0..5)
            .map(|_| {
                let t = Instant::now();
                let ids: Vec<i64> = match since {
                    Some(s) => {
                        let mut st = db
                            .conn
                            .prepare_cached("SELECT id FROM complaints WHERE received_at >= ?1 ORDER BY random() LIMIT 59")
                            .expect("prepare");
                        st.query_map([s], |r| r.get(0)).expect("q").map(|r| r.expect("row")).collect()
                    }
                    None => {
                        let mut st = db
                            .conn
                            .prepare_cached("SELECT id FROM complaints ORDER BY random() LIMIT 59")
                            .expect("prepare");
                        st.query_map([], |r| r.get(0)).expect("q").map(|r| r.expect("row")).collect()
                    }
                };
                std::hint::black_box(ids);
                t.elapsed()
            })
            .collect();
        let (o, a) = (median(ours), median(anchor));
        println!(
            "{:<34} {:>10} {:>8} {:>12} {:>14} {:>7.1}×",
            name,
            first.population,
            first.items.len(),
            ms(o),
            ms(a),
            a.as_secs_f64() / o.as_secs_f64()
        );
    }
}
