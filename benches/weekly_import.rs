//! The weekly import budget of the product brief, beside its anchor: a 5 000-row export imported
//! with default settings (CAR rules and the checks kept up to date inside the import) into the
//! 1 000 000-complaint store, against the same import into an empty store. Budget: at most
//! 1.5 × the anchor's time, and at most 100 MB peak resident memory.
//!
//! `cargo bench --bench weekly_import`; `SIGNOFF_BENCH_ROWS` (default 1 000 000) sizes the store,
//! `SIGNOFF_BENCH_RUNS` (default 5) the runs of each, `SIGNOFF_BENCH_TMP` (default
//! target/bench-data) where the copies of the store are made. The week is the crate's own
//! generator's next week (new tickets, renamed so they are new) and 500 tickets of the store's
//! last weeks that had no reply, answered since: 4 500 rows added and 500 updated. The store is
//! refreshed as of its generator's end (2026-11-21) and the week imported seven days later, so
//! the import also judges the complaints whose deadlines passed in between.

#[path = "support/store.rs"]
#[allow(dead_code, unused_imports)]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use signoff::store::Db;
use support::{checks_store, clocked_signoff, median};

const WEEK_ROWS: usize = 5000;
const UPDATED: usize = 500;
/// A week after the store's clock.
const CLOCK: &str = "2026-11-28T00:00:00Z";

/// Wall time and peak resident memory (KiB) of one child process, from `wait4`, which reports on
/// that child alone.
#[allow(clippy::zombie_processes)]
fn run(cmd: &mut Command) -> (f64, i64) {
    let t0 = Instant::now();
    let child = cmd.spawn().expect("spawn");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pid is our own child's, not yet waited for; both pointers are valid.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let secs = t0.elapsed().as_secs_f64();
    assert_eq!(pid, child.id() as libc::pid_t, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{cmd:?} failed: status {status}"
    );
    (secs, usage.ru_maxrss)
}

/// This process's resident memory now, in MB.
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn remove_store(db: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn read_csv(path: &Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(path).expect("read export");
    let mut out = vec![r.headers().expect("header").clone()];
    out.extend(r.records().map(|rec| rec.expect("row")));
    out
}

/// The week's export, made once: the generator's next week, renamed so its tickets are new, and
/// tickets of the store's last weeks without a reply, answered on the day they came.
fn week_file(dir: &Path, store_csv: &Path) -> PathBuf {
    let out = dir.join(format!("weekly-{WEEK_ROWS}.csv"));
    if out.exists() {
        return out;
    }
    let year = dir.join("weekly-year.csv");
    let bin = env!("CARGO_BIN_EXE_signoff");
    let weeks = 52 * (WEEK_ROWS - UPDATED);
    let ok = Command::new(bin)
        .args(["generate", "--rows", &weeks.to_string(), "--seed", "2"])
        .args(["--until", "2026-11-27", "--out"])
        .arg(&year)
        .status()
        .expect("generate");
    assert!(ok.success());
    let year_rows = read_csv(&year);
    let _ = std::fs::remove_file(&year);
    let mut w = csv::Writer::from_path(&out).expect("week file");
    w.write_record(&year_rows[0]).expect("header");
    // The store's last 60 000 rows, read without holding the other 940 000.
    let mut r = csv::Reader::from_path(store_csv).expect("store export");
    let mut tail = std::collections::VecDeque::with_capacity(60_000);
    for rec in r.records() {
        if tail.len() == 60_000 {
            tail.pop_front();
        }
        tail.push_back(rec.expect("row"));
    }
    let answered = tail.into_iter().filter(|r| r[9].is_empty()).take(UPDATED);
    for r in answered {
        let mut f: Vec<String> = r.iter().map(String::from).collect();
        f[9] = "Dear customer, we are sorry for the delay. Your case is now resolved and a \
                refund was issued today."
            .into();
        f[10] = format!("{} 23:59:00", &f[1][..10]);
        w.write_record(&f).expect("row");
    }
    for r in &year_rows[year_rows.len() - (WEEK_ROWS - UPDATED)..] {
        let mut f: Vec<String> = r.iter().map(String::from).collect();
        f[0] = format!("W-{}", &f[0][2..]);
        w.write_record(&f).expect("row");
    }
    w.flush().expect("flush");
    out
}

fn main() {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if !filter.is_empty() && !filter.iter().any(|f| "weekly_import".contains(f.as_str())) {
        return;
    }
    let rows: u64 = std::env::var("SIGNOFF_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let runs = std::env::var("SIGNOFF_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5usize)
        .max(1);
    let (base, _) = checks_store(rows);
    let data = base.parent().expect("bench dir").to_path_buf();
    let cfg = data.join("checks-bench.toml");
    // A store built before the checks kept their state (schema 12) is refreshed once, as its
    // first import would do.
    let judged = {
        let db = Db::open(&base, std::time::Duration::from_secs(5)).expect("open the store");
        db.checks_judged_with().expect("state").is_some()
    };
    if !judged {
        eprintln!("refreshing the checks of {} once", base.display());
        let (t, _) = run(clocked_signoff()
            .env("SIGNOFF_USER", "bench")
            .arg("--db")
            .arg(&base)
            .arg("--config")
            .arg(&cfg)
            .args(["flags", "--refresh"])
            .stdout(std::process::Stdio::null()));
        eprintln!("  {t:.1} s");
    }
    let tmp = std::env::var_os("SIGNOFF_BENCH_TMP").map_or_else(|| data.clone(), PathBuf::from);
    std::fs::create_dir_all(&tmp).expect("tmp dir");
    let week = week_file(&data, &data.join(format!("checks-helpdesk-{rows}.csv")));
    let import = |db: &Path| {
        run(clocked_signoff()
            .env("SIGNOFF_TEST_CLOCK", CLOCK)
            .env("SIGNOFF_USER", "bench")
            .arg("--db")
            .arg(db)
            .arg("--config")
            .arg(&cfg)
            .args(["import", "--json"])
            .arg(&week)
            .stdout(std::process::Stdio::null()))
    };
    // A child's peak memory starts from this process's at the fork: give back what preparing
    // the week took, and say what is left.
    // SAFETY: malloc_trim only returns free heap memory to the system.
    unsafe {
        libc::malloc_trim(0);
    }
    println!(
        "this process before the runs: {:.0} MB resident (a child's peak starts from it)",
        rss_mb()
    );
    println!(
        "weekly import bench: {WEEK_ROWS} rows ({UPDATED} of them updates) into {rows} complaints, {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let (big, empty) = (tmp.join("weekly-big.db"), tmp.join("weekly-empty.db"));
    let (mut into_big, mut into_empty) = ((Vec::new(), 0), (Vec::new(), 0));
    for i in 1..=runs {
        remove_store(&empty);
        let l = load();
        let (t, kib) = import(&empty);
        println!(
            "  run {i}: into an empty store   {t:6.3} s  peak {:4} MB  (load {l})",
            kib / 1024
        );
        into_empty.0.push(t);
        into_empty.1 = into_empty.1.max(kib);
        remove_store(&big);
        std::fs::copy(&base, &big).expect("copy the store");
        // A store at rest, as a real one is: not a gigabyte still on its way to the disk, which
        // the import's first checkpoint would wait for.
        std::fs::File::open(&big)
            .and_then(|f| f.sync_all())
            .expect("sync the copy");
        let l = load();
        let (t, kib) = import(&big);
        println!(
            "  run {i}: into {rows} complaints {t:6.3} s  peak {:4} MB  (load {l})",
            kib / 1024
        );
        into_big.0.push(t);
        into_big.1 = into_big.1.max(kib);
    }
    remove_store(&empty);
    remove_store(&big);
    let secs = |v: &[f64]| {
        median(
            v.iter()
                .map(|s| std::time::Duration::from_secs_f64(*s))
                .collect(),
        )
    };
    let (a, b) = (
        secs(&into_empty.0).as_secs_f64(),
        secs(&into_big.0).as_secs_f64(),
    );
    let peak = into_big.1 as f64 / 1024.0;
    println!();
    println!("| work | anchor: into an empty store | into {rows} complaints | ratio | peak RSS | budget |");
    println!("|---|---:|---:|---:|---:|---|");
    println!(
        "| {WEEK_ROWS}-row weekly import, default settings; median of {runs} | {a:.3} s | {b:.3} s | {:.2} × | {peak:.0} MB | ≤ 1.5 × and ≤ 100 MB: {} |",
        b / a,
        if b / a <= 1.5 && peak < 100.0 { "met" } else { "not met" }
    );
}
