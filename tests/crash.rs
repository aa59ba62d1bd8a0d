//! An import killed with SIGKILL part-way leaves the store exactly as before, and a re-run
//! converges to the same content as an uninterrupted import.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::Env;

/// Row count and a hash over every complaint's content, in key order.
fn digest(env: &Env) -> (i64, String) {
    use sha2::Digest;
    let conn = env.conn();
    let mut st = conn
        .prepare("SELECT content_hash FROM complaints ORDER BY source, external_id")
        .expect("prepare");
    let mut h = sha2::Sha256::new();
    let mut n = 0;
    let mut rows = st.query([]).expect("query");
    while let Some(r) = rows.next().expect("row") {
        h.update(r.get::<_, Vec<u8>>(0).expect("hash"));
        n += 1;
    }
    (n, format!("{:x}", h.finalize()))
}

fn integrity(env: &Env) -> String {
    env.conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity")
}

/// A store to compare with and a generated export in its folder (`SIGNOFF_CRASH_ROWS` rows,
/// 30 000 by default).
fn big_export() -> (Env, std::path::PathBuf, u64) {
    let rows = std::env::var("SIGNOFF_CRASH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30_000u64);
    let reference = Env::new();
    let big = reference.dir.path().join("big.csv");
    reference
        .cmd("alex")
        .args([
            "generate",
            "--rows",
            &rows.to_string(),
            "--until",
            "2026-11-20",
            "--out",
        ])
        .arg(&big)
        .assert()
        .success();
    (reference, big, rows)
}

#[test]
fn sigkill_during_import_loses_nothing_and_rerun_converges() {
    let (reference, big, rows) = big_export();
    reference.import_json(&reference.fixture("hd_clean.csv"), &[]);
    let t0 = Instant::now();
    reference.import_json(&big, &[]);
    let full = t0.elapsed();
    let want = digest(&reference);
    assert_eq!(want.0, rows as i64 + 10);

    let env = Env::new();
    env.import_json(&env.fixture("hd_clean.csv"), &[]);
    let before = digest(&env);
    // Moments spread over the import, drawn from a fixed sequence so a failure can be replayed.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut killed = 0;
    for _ in 0..10 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let at = Duration::from_millis(20 + x % (full.as_millis() as u64 / 2).max(1));
        let mut child = env
            .std_cmd("alex")
            .arg("import")
            .arg(&big)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(at);
        let finished = child.try_wait().expect("wait").is_some();
        if !finished {
            child.kill().expect("SIGKILL");
            child.wait().expect("reap");
            killed += 1;
        }
        assert_eq!(integrity(&env), "ok");
        let now = digest(&env);
        if now == want {
            // The import committed before the kill landed: it must then be whole.
            break;
        }
        assert!(!finished, "a finished import left the store incomplete");
        assert_eq!(
            now, before,
            "a killed import left rows behind (killed at {at:?})"
        );
        assert_eq!(env.count("SELECT count(*) FROM imports"), 1);
    }
    assert!(
        killed >= 3,
        "the import finished too fast to be killed part-way"
    );
    env.import_json(&big, &[]);
    assert_eq!(integrity(&env), "ok");
    assert_eq!(digest(&env), want);
    let hits = env.count("SELECT count(*) FROM complaints_fts WHERE complaints_fts MATCH 'refund'");
    let ref_hits =
        reference.count("SELECT count(*) FROM complaints_fts WHERE complaints_fts MATCH 'refund'");
    assert_eq!(hits, ref_hits);
}

/// The same for a first import into an empty store, whose search index is built in a file of
/// its own and copied in before the commit: a kill leaves an empty store and no such file.
#[test]
fn sigkill_during_a_first_bulk_import_leaves_an_empty_store_and_no_side_file() {
    let (reference, big, rows) = big_export();
    let t0 = Instant::now();
    reference.import_json(&big, &[]);
    let full = t0.elapsed();
    let want = digest(&reference);
    assert_eq!(want.0, rows as i64);

    let env = Env::new();
    // Opening the store creates it: the import below then finds it empty.
    env.cmd("alex").arg("stats").assert().success();
    let side_files = || {
        std::fs::read_dir(env.dir.path())
            .expect("dir")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".search-"))
            .count()
    };
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut killed = 0;
    for _ in 0..6 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let at = Duration::from_millis(20 + x % (full.as_millis() as u64 * 8 / 10).max(1));
        let mut child = env
            .std_cmd("alex")
            .arg("import")
            .arg(&big)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(at);
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        killed += 1;
        assert_eq!(integrity(&env), "ok");
        assert_eq!(
            env.count("SELECT count(*) FROM complaints"),
            0,
            "killed at {at:?}"
        );
        assert_eq!(env.count("SELECT count(*) FROM imports"), 0);
        assert_eq!(
            env.count("SELECT count(*) FROM complaints_fts_data WHERE id NOT IN (1, 10)"),
            0
        );
        assert_eq!(side_files(), 0, "killed at {at:?}");
    }
    assert!(
        killed >= 3,
        "the import finished too fast to be killed part-way"
    );
    env.import_json(&big, &[]);
    assert_eq!(integrity(&env), "ok");
    assert_eq!(digest(&env), want);
    assert_eq!(side_files(), 0);
    let q = "SELECT count(*) FROM complaints_fts WHERE complaints_fts MATCH 'refund'";
    assert_eq!(env.count(q), reference.count(q));
    assert!(env.count(q) > 0);
}
