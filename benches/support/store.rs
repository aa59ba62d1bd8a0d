//! Bench stores for the checks and the review pack, built once under target/bench-data with the
//! crate's own generator and importer (as benches/draw.rs does), and a copy of that store with a
//! year of weekly samples and their decisions.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use signoff::domain::decision::Kind;
use signoff::domain::sample::{Plan, Strata};
use signoff::domain::signing::Unsigned;
use signoff::store::decisions::{append, NewDecision};
use signoff::store::samples::{Filters, Spec};
use signoff::store::Db;

// The clock, the generator's end date and the small helpers every bench shares.
#[path = "mod.rs"]
mod common;
pub use common::{clocked_signoff, median, peak_rss_mb, NOW, UNTIL};

fn dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&d).expect("bench dir");
    d
}

fn run(cmd: &mut Command) {
    let ok = cmd.status().expect("run signoff");
    assert!(ok.success(), "{cmd:?} failed");
}

/// A store of `rows` generated helpdesk complaints, imported (CARs and flags included) by the
/// binary. Returns its path and, when built now, the import's wall time.
pub fn checks_store(rows: u64) -> (PathBuf, Option<Duration>) {
    let d = dir();
    let db = d.join(format!("checks-store-{rows}.db"));
    if db.exists() {
        return (db, None);
    }
    let bin = env!("CARGO_BIN_EXE_signoff");
    let csv = d.join(format!("checks-helpdesk-{rows}.csv"));
    if !csv.exists() {
        eprintln!("generating {rows} rows → {}", csv.display());
        run(Command::new(bin)
            .args([
                "generate",
                "--rows",
                &rows.to_string(),
                "--until",
                UNTIL,
                "--out",
            ])
            .arg(&csv));
    }
    let cfg = d.join("checks-bench.toml");
    std::fs::write(
        &cfg,
        "[identity]\ntrust_env_user = true\n[[people]]\nlogin = \"bench\"\nname = \"Bench\"\ntitle = \"Chief Executive\"\nrole = \"executive\"\n",
    )
    .expect("config");
    let tmp = d.join(format!("checks-store-{rows}.db.building"));
    let _ = std::fs::remove_file(&tmp);
    eprintln!("importing into {}", tmp.display());
    let t = Instant::now();
    run(clocked_signoff()
        .arg("--db")
        .arg(&tmp)
        .arg("--config")
        .arg(&cfg)
        .env("SIGNOFF_USER", "bench")
        .arg("import")
        .arg(&csv));
    let took = t.elapsed();
    fold_wal(&tmp);
    std::fs::rename(&tmp, &db).expect("rename");
    (db, Some(took))
}

fn fold_wal(p: &Path) {
    let c = rusqlite::Connection::open(p).expect("open");
    c.pragma_update(None, "wal_checkpoint", "TRUNCATE").ok();
    c.pragma_update(None, "journal_mode", "DELETE")
        .expect("journal");
}

/// The checks store plus 52 weekly samples whose items are all decided: `decisions` in all,
/// about 9 in 10 signed, the rest pushed back (a few of those answered).
pub fn report_store(rows: u64, decisions: u64) -> PathBuf {
    let (base, _) = checks_store(rows);
    let db_path = dir().join(format!("report-store-{rows}-{decisions}.db"));
    if db_path.exists() {
        return db_path;
    }
    let tmp = dir().join(format!("report-store-{rows}-{decisions}.db.building"));
    std::fs::copy(&base, &tmp).expect("copy store");
    eprintln!("adding {decisions} decisions to {}", tmp.display());
    let db = Db::open(&tmp, Duration::from_secs(5)).expect("open");
    // The store's own connection stays open; the decisions are written on one of the bench's.
    let mut own = rusqlite::Connection::open(&tmp).expect("open");
    let tx = own.transaction().expect("tx");
    let per_week = decisions / 52 + 1;
    let mut made = 0u64;
    for w in 0..52i64 {
        let start = NOW - (52 - w) * 7 * 86_400;
        let end = start + 7 * 86_400;
        let ids: Vec<i64> = {
            let mut st = tx
                .prepare("SELECT id FROM complaints WHERE received_at >= ?1 AND received_at < ?2 ORDER BY id LIMIT ?3")
                .expect("prepare");
            let rows = st
                .query_map([start, end, per_week as i64], |r| r.get(0))
                .expect("query");
            rows.map(|r| r.expect("row")).collect()
        };
        let spec = Spec {
            plan: Plan::Size {
                n: ids.len() as u64,
                confidence: 95.0,
            },
            filters: Filters {
                since: Some(start),
                until: Some(end),
                ..Default::default()
            },
            includes: vec![],
            strata: Strata::None,
            detractor_max: 6,
            manager_phrases: vec![],
            negative_phrases: vec![],
        };
        let drawn_at = end - 3600;
        tx.execute(
            "INSERT INTO samples (id, label, drawn_by, drawn_at, spec, seed, population, fingerprint, confidence)
             VALUES (?1, ?2, 'bench', ?3, ?4, '1', ?5, 'bench', 95.0)",
            rusqlite::params![w + 1, format!("week {w}"), drawn_at, serde_json::to_string(&spec).expect("spec"), ids.len() as i64 * 10],
        )
        .expect("sample");
        for (pos, id) in ids.iter().enumerate() {
            if made >= decisions {
                break;
            }
            tx.execute(
                "INSERT INTO sample_items (sample_id, position, complaint_id, reason) VALUES (?1, ?2, ?3, 'random')",
                rusqlite::params![w + 1, pos as i64, id],
            )
            .expect("item");
            let kind = if pos % 10 == 0 {
                Kind::PushBack
            } else {
                Kind::Approve
            };
            let d = |kind: Kind, at: i64| NewDecision {
                complaint_id: *id,
                sample_id: Some(w + 1),
                kind,
                actor: "bench".into(),
                actor_name: "Bench".into(),
                actor_title: "Chief Executive".into(),
                at,
                statement: None,
                reasons: (kind == Kind::PushBack).then(|| "canned,late".into()),
                note: (kind == Kind::PushBack).then(|| "Call back".into()),
                due_at: (kind == Kind::PushBack).then_some(at + 5 * 86_400),
                body: (kind == Kind::CorrectiveAction).then(|| "Fixed".into()),
                retracts: None,
            };
            append(&tx, d(kind, drawn_at + pos as i64), &Unsigned).expect("decision");
            made += 1;
            if kind == Kind::PushBack && pos % 30 == 0 && made < decisions {
                append(&tx, d(Kind::CorrectiveAction, drawn_at + 86_400), &Unsigned)
                    .expect("answer");
                made += 1;
            }
        }
    }
    tx.commit().expect("commit");
    drop(own);
    drop(db);
    fold_wal(&tmp);
    std::fs::rename(&tmp, &db_path).expect("rename");
    db_path
}

pub fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}
