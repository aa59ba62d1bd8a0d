//! Shared by the benches: the 1 000 000-complaint store, built once with the crate's own
//! generator and importer under target/bench-data.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

pub const UNTIL: &str = "2026-11-20";
/// 2026-11-21 00:00 UTC: the default window is the 7 days before.
pub const NOW: i64 = 1_795_219_200;

/// signoff with its clock at the benches' `NOW`: the library's entry behind `examples/fixed_clock`
/// (the `signoff` binary reads only the system clock). `scripts/bench.sh` builds it first.
pub fn clocked_signoff() -> Command {
    let exe = Path::new(env!("CARGO_BIN_EXE_signoff"))
        .parent()
        .map(|d| d.join("examples").join("fixed_clock"))
        .expect("target folder");
    assert!(
        exe.exists(),
        "{} is missing: run `cargo build --release --examples` first (scripts/bench.sh does)",
        exe.display()
    );
    let mut c = Command::new(exe);
    c.env("SIGNOFF_TEST_CLOCK", "2026-11-21T00:00:00Z");
    c
}

pub fn rows() -> u64 {
    std::env::var("SIGNOFF_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

pub fn bench_store(rows: u64) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench dir");
    // Named for the store's schema: a store built before the sampling rules' counts were kept
    // (schema 4) would draw as a store upgraded in place does until its next import.
    let db = dir.join(format!("store-v4-{rows}.db"));
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
    let tmp = dir.join(format!("store-v4-{rows}.db.building"));
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

pub fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Peak resident memory of this process so far, in MB.
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}
