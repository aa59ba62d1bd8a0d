//! Imports of generated exports, checked in the store they were written to: the search index
//! built on the side for a first load matches one built in the store, a repeated key is
//! rejected, and a file found to be Windows-1252 late is read again in it.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;
use signoff::import::{import_file, Options, Report};
use signoff::store::Db;

fn generate(path: &Path, rows: u64) {
    let until = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).expect("a date");
    let mut w = csv::Writer::from_path(path).expect("create");
    signoff::synthetic_export::write_helpdesk(&mut w, rows, 7, until).expect("generate");
    w.flush().expect("flush");
}

fn options() -> Options {
    Options {
        profile: None,
        profiles_dir: None,
        source: None,
        encoding: None,
        delimiter: None,
        date_order: None,
        dry_run: false,
        accept_incomplete: false,
        accept_degraded: false,
        allow_unlinked: false,
        rejects: None,
        batch_rows: 500,
        max_field_bytes: 16 << 20,
        progress: false,
        imported_by: "test".into(),
        now: 1_800_000_000,
        after_import: Default::default(),
        write_wait: Duration::ZERO,
    }
}

fn import(db: &mut Db, file: &Path, opts: &Options) -> Report {
    import_file(db, file, opts, &|d: &str| d.to_string()).expect("import")
}

fn open(dir: &Path, name: &str) -> Db {
    Db::open(&dir.join(name), Duration::from_secs(5)).expect("open store")
}

/// A connection of the test's own to the store `db` writes.
fn sql(db: &Db) -> Connection {
    Connection::open(&db.path).expect("connect")
}

fn scalar(db: &Db, query: &str) -> i64 {
    sql(db).query_row(query, [], |r| r.get(0)).expect(query)
}

/// The external ids a search finds.
fn found(db: &Db, query: &str) -> Vec<String> {
    let conn = sql(db);
    let mut st = conn
        .prepare(
            "SELECT c.external_id FROM complaints_fts f JOIN complaints c ON c.id = f.rowid
             WHERE complaints_fts MATCH ?1 AND c.source = 'helpdesk' ORDER BY c.external_id",
        )
        .expect("prepare");
    let rows = st
        .query_map([query], |r| r.get(0))
        .expect("query")
        .collect::<rusqlite::Result<Vec<String>>>();
    rows.expect("rows")
}

fn search_index_is_sound(db: &Db) {
    sql(db)
        .execute(
            "INSERT INTO complaints_fts(complaints_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .expect("the search index matches the complaints");
}

const QUERIES: &[&str] = &[
    "refund",
    "\"on hold\"",
    "complaint_text : (manager OR \"someone in charge\")",
    "charg*",
    "chloe OR jose OR zoe",
];

#[test]
fn a_bulk_import_indexes_for_search_on_the_side_as_a_top_up_would() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("tickets.csv");
    generate(&file, 3000);
    // Into an empty store: the search index is built in a twin and copied in.
    let mut bulk = open(dir.path(), "bulk.db");
    let r = import(&mut bulk, &file, &options());
    assert_eq!((r.counts.read, r.counts.inserted), (3000, 3000));
    search_index_is_sound(&bulk);
    // Into a store that holds a complaint already: indexed at the end, in the store.
    let mut topped = open(dir.path(), "topped.db");
    let mut other = options();
    other.source = Some("elsewhere".into());
    let first = dir.path().join("first.csv");
    let text = std::fs::read_to_string(&file).expect("read");
    let two_lines: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(&first, two_lines).expect("write");
    import(&mut topped, &first, &other);
    import(&mut topped, &file, &options());
    search_index_is_sound(&topped);
    for q in QUERIES {
        let hits = found(&bulk, q);
        assert!(!hits.is_empty(), "{q} finds something");
        assert_eq!(hits, found(&topped, q), "{q}");
    }
    // Nothing is left next to the store.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".search-")), "{names:?}");

    // The copied index takes later changes like any other.
    let changed = dir.path().join("changed.csv");
    std::fs::write(&changed, text.replacen("refund", "zzyzx", 40)).expect("write");
    let r = import(&mut bulk, &changed, &options());
    assert!(r.counts.updated > 0, "{:?}", r.counts);
    assert_eq!(r.counts.updated + r.counts.unchanged, 3000);
    search_index_is_sound(&bulk);
    assert_eq!(found(&bulk, "zzyzx*").len() as u64, r.counts.updated);
}

#[test]
fn a_bulk_import_rejects_a_repeated_key_and_indexes_the_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("tickets.csv");
    generate(&file, 50);
    let mut text = std::fs::read_to_string(&file).expect("read");
    let second = text.lines().nth(2).expect("a row").to_string();
    text.push_str(&second.replacen("Dear", "Dearest", 1));
    text.push('\n');
    std::fs::write(&file, text).expect("write");
    let mut db = open(dir.path(), "s.db");
    let r = import(&mut db, &file, &options());
    assert_eq!(
        (r.counts.read, r.counts.inserted, r.counts.rejected),
        (51, 50, 1)
    );
    assert!(
        r.first_rejects[0].contains("it was first on line 3"),
        "{:?}",
        r.first_rejects
    );
    search_index_is_sound(&db);
}

#[test]
fn an_import_that_finds_windows_1252_late_starts_again_in_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("late.csv");
    generate(&file, 200);
    // ASCII throughout, so that UTF-8 and Windows-1252 read it alike...
    let mut bytes: Vec<u8> = std::fs::read_to_string(&file)
        .expect("read")
        .chars()
        .map(|c| if c.is_ascii() { c as u8 } else { b'?' })
        .collect();
    assert!(bytes.len() > 16 * 1024, "the first 8 KB look like UTF-8");
    // ...but for a row at the end: café and a euro sign, in Windows-1252.
    bytes.extend_from_slice(
        b"T-9999999,2026-11-19 10:00:00,email,Ren\xe9e Caf\xe9,,Billing,,,\x80 12 twice,,,,,\n",
    );
    let ascii = bytes;
    std::fs::write(&file, &ascii).expect("write");
    let mut db = open(dir.path(), "s.db");
    let r = import(&mut db, &file, &options());
    assert_eq!(r.encoding, "windows-1252");
    assert_eq!(r.counts.rejected, 0, "{:?}", r.first_rejects);
    assert!(r.rejects_file.is_none());
    let who: String = sql(&db)
        .query_row(
            "SELECT customer || ' ' || complaint_text FROM complaints WHERE external_id = 'T-9999999'",
            [],
            |r| r.get(0),
        )
        .expect("row");
    assert_eq!(who, "Renée Café € 12 twice");
    assert_eq!(scalar(&db, "SELECT count(*) FROM imports"), 1);
}
