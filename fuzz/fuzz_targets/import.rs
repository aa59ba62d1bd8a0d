//! Arbitrary bytes as an export file, through the whole import: encoding and header detection,
//! CSV parsing, mapping, validation and the store's upserts.
//!
//! Every input is imported as a dry run into a store that holds the clean helpdesk fixture (so
//! rows can be inserted, updated or unchanged), which must be left as it was; one input in 16
//! (chosen by its bytes, so a crash reproduces) is also imported for real into a new store.
//! Either way the rows must add up, and a refusal must name the file and not be a usage error.

#![no_main]

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use signoff::import::{import_file, Options, Report};
use signoff::store::Db;

struct World {
    dir: tempfile::TempDir,
    file: PathBuf,
    seeded: Mutex<Db>,
    complaints: i64,
}

const CLEAN: &[u8] = include_bytes!("../../tests/fixtures/import/hd_clean.csv");

fn options(dry_run: bool, dir: &Path) -> Options {
    Options {
        profile: None,
        profiles_dir: None,
        source: None,
        encoding: None,
        delimiter: None,
        date_order: None,
        dry_run,
        accept_incomplete: true,
        accept_degraded: false,
        rejects: Some(dir.join("export.rejects.csv")),
        batch_rows: 7,
        max_field_bytes: 1 << 20,
        progress: false,
        imported_by: "fuzz".into(),
        now: 1_795_262_400,
        after_import: Default::default(),
        write_wait: std::time::Duration::ZERO,
    }
}

fn division(d: &str) -> String {
    d.to_string()
}

fn count(db: &Db, sql: &str) -> i64 {
    db.conn.query_row(sql, [], |r| r.get(0)).expect("count")
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut db =
            Db::open(&dir.path().join("seeded.db"), Duration::from_secs(5)).expect("store");
        let clean = dir.path().join("clean.csv");
        std::fs::write(&clean, CLEAN).expect("write");
        import_file(&mut db, &clean, &options(false, dir.path()), &division).expect("seed");
        let complaints = count(&db, "SELECT count(*) FROM complaints");
        World {
            file: dir.path().join("export.csv"),
            dir,
            seeded: Mutex::new(db),
            complaints,
        }
    })
}

/// The rows add up; a refusal names the file and blames the file, not the command.
fn check(outcome: &Result<Report, signoff::import::ImportError>) {
    match outcome {
        Ok(r) => {
            let c = &r.counts;
            assert_eq!(
                c.read,
                c.inserted + c.updated + c.unchanged + c.degraded + c.rejected,
                "{c:?}"
            );
            assert!(r.first_rejects.len() as u64 <= c.rejected.min(10), "{r:?}");
            assert!(r.first_degraded.len() as u64 <= c.degraded.min(10), "{r:?}");
        }
        Err(e) => {
            assert!(!e.usage, "{e}");
            assert!(e.to_string().contains("export.csv"), "{e}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let w = world();
    std::fs::write(&w.file, data).expect("write");
    let dry = {
        let mut db = w.seeded.lock().expect("store");
        let outcome = import_file(&mut db, &w.file, &options(true, w.dir.path()), &division);
        check(&outcome);
        if let Ok(r) = &outcome {
            assert!(r.import_id.is_none() && r.rejects_file.is_none(), "{r:?}");
        }
        assert_eq!(count(&db, "SELECT count(*) FROM complaints"), w.complaints);
        assert_eq!(count(&db, "SELECT count(*) FROM imports"), 1);
        outcome
    };
    let pick = data
        .iter()
        .fold(0u8, |a, b| a.wrapping_mul(31).wrapping_add(*b));
    if pick % 16 != 0 {
        return;
    }
    let fresh = tempfile::tempdir_in(w.dir.path()).expect("tempdir");
    let mut db = Db::open(&fresh.path().join("s.db"), Duration::from_secs(5)).expect("store");
    let real = import_file(&mut db, &w.file, &options(false, fresh.path()), &division);
    check(&real);
    match (&dry, &real) {
        (Ok(d), Ok(r)) => {
            assert_eq!(d.counts.read, r.counts.read);
            assert_eq!(d.counts.rejected, r.counts.rejected);
            assert_eq!(r.counts.updated + r.counts.unchanged, 0, "{r:?}");
            let stored = count(&db, "SELECT count(*) FROM complaints");
            assert!(stored as u64 <= r.counts.inserted, "{stored} {r:?}");
            let ok: String = db
                .conn
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .expect("integrity");
            assert_eq!(ok, "ok");
        }
        (Err(_), Err(_)) => {}
        (d, r) => panic!("the dry run and the import disagree: {d:?} / {r:?}"),
    }
});
