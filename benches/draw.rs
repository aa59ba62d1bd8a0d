//! Drawing a stratified 59-item sample with two must-include rules from a 1 000 000-complaint
//! store, side by side with `ORDER BY random() LIMIT 59` over the same population.
//!
//! cargo bench --bench draw            (SIGNOFF_BENCH_ROWS=1000000 by default)
//!
//! The store is built once under target/bench-data with the crate's generator and importer.

mod support;

use std::time::{Duration, Instant};

use support::{bench_store, median, ms, peak_rss_mb, NOW};

use signoff::domain::sample::{Include, Plan, Rule, Strata};
use signoff::store::samples::{Filters, Spec};
use signoff::store::Db;

fn main() {
    let rows = support::rows();
    let path = bench_store(rows);
    let db = Db::open(&path, Duration::from_secs(5)).expect("open store");
    // The anchor's queries run on a connection of their own, with the store's memory map.
    let anchor_conn = rusqlite::Connection::open(&path).expect("open store");
    anchor_conn
        .pragma_update(None, "mmap_size", 1i64 << 30)
        .expect("mmap");
    // The configured phrases, as `signoff sample` uses them.
    let cfg = signoff::config::Config::defaults().expect("default config");
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
        let first = db.draw(&sp, 1, i64::MAX).expect("draw");
        let ours: Vec<Duration> = (0..15u64)
            .map(|seed| {
                let t = Instant::now();
                let d = db.draw(&sp, seed, i64::MAX).expect("draw");
                std::hint::black_box(d);
                t.elapsed()
            })
            .collect();
        let anchor: Vec<Duration> = (0..5)
            .map(|_| {
                let t = Instant::now();
                let ids: Vec<i64> = match since {
                    Some(s) => {
                        let mut st = anchor_conn
                            .prepare_cached("SELECT id FROM complaints WHERE received_at >= ?1 ORDER BY random() LIMIT 59")
                            .expect("prepare");
                        st.query_map([s], |r| r.get(0)).expect("q").map(|r| r.expect("row")).collect()
                    }
                    None => {
                        let mut st = anchor_conn
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
    println!("peak RSS of the bench process: {:.1} MB", peak_rss_mb());
}
