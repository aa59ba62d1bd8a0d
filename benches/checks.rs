//! The failure-mode checks (canned replies, contact ignored, escalation refused, late) over a
//! 1 000 000-complaint store: budget 10 s. Also the clustering alone on a million distinct
//! replies, the worst case for the near-duplicate search, which generated data does not reach.
//!
//! cargo bench --bench checks            (SIGNOFF_BENCH_ROWS=1000000 by default)

#[path = "support/store.rs"]
#[allow(dead_code)]
mod support;

use std::time::{Duration, Instant};

use signoff::commands::flags::settings;
use signoff::config::Config;
use signoff::domain::canned::{cluster, hash64, signature, HASHES};
use signoff::store::Db;
use support::{checks_store, median, peak_rss_mb, secs, NOW};

/// User and system CPU time of this process so far: on a shared machine the wall time says
/// as much about the neighbours as about the code.
fn cpu_time() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let u = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut u);
        u
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

fn main() {
    let rows: u64 = std::env::var("SIGNOFF_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let (path, import) = checks_store(rows);
    println!("store: {} ({rows} complaints)", path.display());
    if let Some(t) = import {
        println!("import with CARs and checks inside it: {}", secs(t));
    }
    let mut db = Db::open(&path, Duration::from_secs(5)).expect("open store");
    let s = settings(&Config::defaults().expect("defaults"));
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let (t, c) = (Instant::now(), cpu_time());
        let summary = db
            .refresh_checks_outside_write_lock(&s, "bench", NOW)
            .expect("refresh");
        times.push(t.elapsed());
        cpu.push(cpu_time() - c);
        last = Some(summary);
    }
    if let Some(sm) = last {
        println!(
            "checks (refresh, 3 runs): median {} wall, {} CPU (both threads) · {} complaints, {} flagged, {} canned groups",
            secs(median(times)),
            secs(median(cpu)),
            sm.complaints,
            sm.flagged,
            sm.canned_groups
        );
    }
    for (flag, n) in rusqlite::Connection::open(&path)
        .expect("open")
        .prepare("SELECT flag, count(*) FROM complaint_flags GROUP BY flag")
        .expect("prepare")
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .expect("query")
        .map(|r| r.expect("row"))
    {
        println!("  {flag:<20} {n}");
    }

    // Worst case for the near-duplicate search: every reply distinct (30 words drawn from a
    // 20 000-word vocabulary), so every one is signed and clustered.
    let texts: Vec<String> = (0..rows)
        .map(|i| {
            let words: Vec<String> = (0..30u64)
                .map(|j| format!("w{}", hash64(&(i * 64 + j).to_le_bytes()) % 20_000))
                .collect();
            words.join(" ")
        })
        .collect();
    let t = Instant::now();
    let sigs: Vec<[u16; HASHES]> = texts.iter().map(|t| signature(t, 3)).collect();
    let signing = t.elapsed();
    let t = Instant::now();
    let roots = cluster(&sigs, 0.8);
    let clustering = t.elapsed();
    let clusters = roots
        .iter()
        .enumerate()
        .filter(|(i, r)| *i as u32 == **r)
        .count();
    println!(
        "{rows} distinct 30-word replies: signatures {} + clustering {} → {clusters} clusters",
        secs(signing),
        secs(clustering)
    );
    println!("peak RSS of the bench process: {:.1} MB", peak_rss_mb());
}
