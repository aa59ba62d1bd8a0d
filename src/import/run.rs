//! One file's import: read its shape, then stream its records to the store's loader, which
//! writes them in one transaction.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use csv::ByteRecord;

use super::decode::{regular_file_size, DecodeError, Encoding, SharedScan};
use super::intake::{Intake, Stop};
use super::parse::{Batches, Item, Parser};
use super::profile::DateOrder;
use super::rejects::Rejects;
use super::shape::{lossy, sniff, verdict, Open, Sniffed};
use super::threads::{self as th, Mode as ThreadMode};
use crate::domain::Complaint;
use crate::store::complaints::{Counts, ImportMeta, Upsert};
use crate::store::loader::{ImportLoader, LoadError, LoadOptions};
use crate::store::pg::PgStore;
use crate::store::Db;

#[derive(Debug, Clone)]
pub struct Options {
    pub profile: Option<String>,
    pub profiles_dir: Option<PathBuf>,
    pub source: Option<String>,
    pub encoding: Option<Encoding>,
    pub delimiter: Option<u8>,
    pub date_order: Option<DateOrder>,
    pub dry_run: bool,
    /// Import the complete rows of a file that ends inside a quoted field (cut short), the
    /// cut row rejected, instead of failing it.
    pub accept_incomplete: bool,
    /// Apply updates whose text looks like a damaged copy of the stored text instead of
    /// holding them back (see [`crate::domain::degrade`]).
    pub accept_degraded: bool,
    /// Import a threaded export even when most of its rows answer messages that are neither in
    /// it nor in the store (ids that do not match, say), instead of failing it.
    pub allow_unlinked: bool,
    pub rejects: Option<PathBuf>,
    pub batch_rows: usize,
    /// A record with a field longer than this is rejected, naming the column, without the
    /// field being held in memory.
    pub max_field_bytes: usize,
    pub progress: bool,
    pub imported_by: String,
    pub now: i64,
    /// CARs to open and flags to refresh before the import commits.
    pub after_import: crate::store::cars::AfterImport,
    /// How long to wait for another writer (another import) to finish, beyond the store's
    /// busy timeout.
    pub write_wait: Duration,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub file: String,
    pub import_id: Option<i64>,
    pub profile: String,
    pub profile_detected: bool,
    pub encoding: &'static str,
    pub delimiter: String,
    pub header_line: u64,
    #[serde(flatten)]
    pub counts: Counts,
    pub rejects_file: Option<String>,
    /// The first few reject reasons, as "line N: reason".
    pub first_rejects: Vec<String>,
    /// The first few updates held back as damaged copies, as "line N: why".
    pub first_degraded: Vec<String>,
    /// Why the file is incomplete, when it ends inside a quoted field and was imported
    /// anyway (`accept_incomplete`); null otherwise.
    pub incomplete: Option<String>,
    pub dry_run: bool,
    /// For a threaded export (`[link]` or `[thread]` profiles): how its rows became
    /// conversations; null for other exports.
    pub threads: Option<ThreadCounts>,
}

/// How a threaded export's rows became conversations.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ThreadCounts {
    /// Complaints its rows make up (new, updated or unchanged).
    pub conversations: u64,
    /// Rows that answer another message.
    pub links: u64,
    /// Of those, rows answering a message that is neither in the file nor in the store.
    pub dangling: u64,
}

/// Why a file could not be imported at all.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ImportError {
    pub file: String,
    pub message: String,
    /// True for problems with the command (a bad profile, say) rather than with the file.
    pub usage: bool,
    /// True when the store refused the login what an import does: nothing was kept.
    pub refused: bool,
}

/// The store an import writes to.
pub enum Target<'a> {
    Sqlite(&'a mut Db),
    Pg(&'a mut PgStore),
}

fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".into(),
        b',' => "comma".into(),
        b';' => "semicolon".into(),
        b'|' => "pipe".into(),
        other => (other as char).to_string(),
    }
}

pub fn default_rejects_path(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map_or_else(|| "import".into(), |s| s.to_string_lossy().into_owned());
    file.with_file_name(format!("{stem}.rejects.csv"))
}

/// Imports one file in one transaction. `division` maps an export's division name to the
/// configured one.
///
/// The file's shape is read once from its start, then its records are read in one pass.
/// Two threads share the work when the machine has two cores or more: one reads and maps the
/// records, this one hands them to the store's loader (which may index them for search on a
/// third).
pub fn import_file(
    db: &mut Db,
    path: &Path,
    opts: &Options,
    division: &(dyn Fn(&str) -> String + Sync),
) -> Result<Report, ImportError> {
    import_file_into(Target::Sqlite(db), path, opts, division)
}

/// [`import_file`], into either store.
pub fn import_file_into(
    mut target: Target<'_>,
    path: &Path,
    opts: &Options,
    division: &(dyn Fn(&str) -> String + Sync),
) -> Result<Report, ImportError> {
    let open =
        || -> std::io::Result<Box<dyn Read + Send>> { Ok(Box::new(std::fs::File::open(path)?)) };
    import_into(&mut target, path, &open, opts, division)
}

/// [`import_file`], the file read through `open`, which opens it from its first byte: once for
/// its shape, once for its records.
#[cfg(test)]
pub(crate) fn import_from(
    db: &mut Db,
    path: &Path,
    open: &Open,
    opts: &Options,
    division: &(dyn Fn(&str) -> String + Sync),
) -> Result<Report, ImportError> {
    import_into(&mut Target::Sqlite(db), path, open, opts, division)
}

fn import_into(
    target: &mut Target<'_>,
    path: &Path,
    open: &Open,
    opts: &Options,
    division: &(dyn Fn(&str) -> String + Sync),
) -> Result<Report, ImportError> {
    let mut encoding = opts.encoding;
    loop {
        match import_pass(target, path, open, opts, division, encoding)? {
            Pass::Done(report) => return Ok(*report),
            Pass::Again(enc) => encoding = Some(enc),
        }
    }
}

/// How a pass over the file ended.
enum Pass {
    Done(Box<Report>),
    /// The file turned out to be in this encoding, not the one assumed: nothing was kept.
    Again(Encoding),
}

/// One pass over the file in `encoding`, or, when that is not known, in the one its first bytes
/// suggest: reading the whole file first to be sure would cost a pass of its own, and the
/// parser checks every byte anyway. The pass that reads the records scans their bytes for the
/// verdict on the whole file, and only a file whose verdict is not what its start suggested is
/// read again, in the encoding it is in.
fn import_pass(
    target: &mut Target<'_>,
    path: &Path,
    open: &Open,
    opts: &Options,
    division: &(dyn Fn(&str) -> String + Sync),
    encoding: Option<Encoding>,
) -> Result<Pass, ImportError> {
    let started = std::time::Instant::now();
    let shown = path.display().to_string();
    let fail = |message: String, usage: bool| ImportError {
        file: shown.clone(),
        message,
        usage,
        refused: false,
    };
    let file_size = regular_file_size(path).map_err(|e| match e {
        DecodeError::Io(e) => fail(e.to_string(), false),
        other => fail(other.to_string(), false),
    })?;
    let stamp = FileStamp::of(path).map_err(|e| fail(e.to_string(), false))?;
    let shape = match sniff(open, path, opts, encoding, &fail)? {
        Sniffed::Shape(s) => s,
        Sniffed::Again(enc) => return Ok(Pass::Again(enc)),
    };
    let enc = shape.encoding;
    tracing::debug!(
        phase = "file read for its shape",
        secs = started.elapsed().as_secs_f64(),
        "import"
    );
    let source = opts
        .source
        .clone()
        .unwrap_or_else(|| shape.profile.source.clone());
    let file_name = path
        .file_name()
        .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
    let progress = opts.progress.then(|| {
        let pb = indicatif::ProgressBar::new(file_size);
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        pb.set_message(file_name.clone());
        pb
    });
    let mut intake = Intake::new(
        shown.clone(),
        Rejects::new(
            opts.rejects
                .clone()
                .unwrap_or_else(|| default_rejects_path(path)),
            shape.header.clone(),
            !opts.dry_run,
        ),
        opts.accept_incomplete,
        progress.clone().map(|pb| (pb, file_size)),
    );
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) > 1;
    let delimiter = delimiter_name(shape.delimiter);
    let load = LoadOptions {
        meta: ImportMeta {
            source: &source,
            profile: &shape.profile.name,
            file_name: &file_name,
            file_size,
            encoding: enc.label(),
            delimiter: &delimiter,
            imported_by: &opts.imported_by,
            started_at: opts.now,
        },
        dry_run: opts.dry_run,
        accept_degraded: opts.accept_degraded,
        after_import: &opts.after_import,
        write_wait: opts.write_wait,
    };
    let (stream, scan) = shape.stream(open).map_err(|e| fail(e.to_string(), false))?;
    let thread_mode = match (&shape.profile.link, &shape.profile.thread) {
        (Some(l), _) => Some(ThreadMode::Link(l.division_from)),
        (None, Some(_)) => Some(ThreadMode::Ticket),
        (None, None) => None,
    };
    let parser = Parser::new(
        stream,
        shape.delimiter,
        shape.header_index,
        shape.mapper,
        division,
        opts.max_field_bytes,
    );
    let (spent, spent_rx) = mpsc::channel::<Vec<Item>>();
    let batch_rows = opts.batch_rows.max(1);
    let work = PassWork {
        parser,
        batch_rows,
        spent: spent_rx,
        threads,
        intake: &mut intake,
        thread_mode,
        division,
        opts,
        scan,
        enc,
        path,
        stamp,
        shown: &shown,
        profile: &shape.profile.name,
        profile_detected: shape.auto,
        header_line: shape.header_line,
        delimiter: &delimiter,
    };
    let result = match target {
        Target::Sqlite(db) => db.load(&load, spent, |loader| write_pass(loader, work)),
        Target::Pg(pg) => pg.load_import(&load, spent, |loader| write_pass(loader, work)),
    };
    if let Some(pb) = &progress {
        pb.finish_and_clear();
    }
    result.map_err(|e| match e {
        Stop::Import(e) => e,
        Stop::Store(LoadError::Refused(e)) => ImportError {
            file: shown.clone(),
            message: format!(
                "{e} — this login may not import into the store: nothing was imported"
            ),
            usage: false,
            refused: true,
        },
        Stop::Store(LoadError::Pg(e)) => fail(e.to_string(), false),
        Stop::Store(e) => fail(format!("store: {e}"), false),
    })
}

/// What the writing part of a pass works with, whichever store it writes to.
struct PassWork<'a, 'p> {
    parser: Parser<'p>,
    batch_rows: usize,
    spent: mpsc::Receiver<Vec<Item>>,
    /// Whether the records are read on a thread of their own.
    threads: bool,
    intake: &'a mut Intake,
    thread_mode: Option<ThreadMode>,
    division: &'p (dyn Fn(&str) -> String + Sync),
    opts: &'a Options,
    scan: Option<SharedScan>,
    enc: Encoding,
    path: &'a Path,
    stamp: FileStamp,
    shown: &'a str,
    profile: &'a str,
    profile_detected: bool,
    header_line: u64,
    delimiter: &'a str,
}

/// Reads the records and hands them to the store's loader, then commits: the body of a load.
fn write_pass<L: ImportLoader<Vec<Item>>>(
    loader: &mut L,
    w: PassWork<'_, '_>,
) -> Result<Pass, Stop> {
    let PassWork {
        parser,
        batch_rows,
        spent: spent_rx,
        threads,
        intake,
        thread_mode,
        division,
        opts,
        scan,
        enc,
        path,
        stamp,
        shown,
        profile,
        profile_detected,
        header_line,
        delimiter,
    } = w;
    let fail = |message: String, usage: bool| ImportError {
        file: shown.to_string(),
        message,
        usage,
        refused: false,
    };
    let (all_utf8, thread_counts) = std::thread::scope(|scope| -> Result<_, Stop> {
        let mut batches = Batches::start(scope, parser, batch_rows, spent_rx, threads)
            .map_err(|e| fail(format!("cannot start the parser: {e}"), false))?;
        while let Some(mut batch) = batches.next() {
            let inserted = intake.batch(loader, &mut batch)?;
            loader.batch_written(batch, inserted)?;
        }
        let all_utf8 = batches.all_utf8();
        let mut thread_counts = None;
        if let Some(mode) = thread_mode {
            let (new_rows, tc) = write_threads(
                loader,
                mode,
                std::mem::take(&mut intake.thread_rows),
                division,
                opts.allow_unlinked,
                &mut intake.counts,
                &mut intake.rejects,
            )
            .map_err(|e| fail(e, false))?;
            thread_counts = Some(tc);
            loader.rows_written(new_rows)?;
        }
        Ok((all_utf8, thread_counts))
    })?;
    // A file whose every record is UTF-8 is UTF-8; otherwise the scan of its bytes decides.
    if let Some(scan) = &scan {
        if enc == Encoding::Windows1252 || !all_utf8 {
            let verdict = verdict(scan);
            if verdict != enc {
                loader.abort()?;
                return Ok(Pass::Again(verdict));
            }
        }
    }
    loader.finish()?;
    // A file still being written (or replaced) was read partly old, partly new.
    if FileStamp::of(path).ok().as_ref() != Some(&stamp) {
        return Err(fail(
            "the file changed while it was being imported (its size or modification time \
             is not what it was when the import began): nothing was imported; import it \
             again once it is complete"
                .into(),
            false,
        )
        .into());
    }
    let rejects_file = intake
        .rejects
        .finish()
        .map_err(|e| fail(format!("rejects file: {e}"), false))?;
    let import_id = loader.commit(&intake.counts, rejects_file.as_deref())?;
    Ok(Pass::Done(Box::new(Report {
        file: shown.to_string(),
        import_id,
        profile: profile.to_string(),
        profile_detected,
        encoding: enc.label(),
        delimiter: delimiter.to_string(),
        header_line,
        counts: intake.counts.clone(),
        rejects_file,
        first_rejects: intake.rejects.first.clone(),
        first_degraded: intake.rejects.first_degraded.clone(),
        incomplete: intake.incomplete.clone(),
        dry_run: opts.dry_run,
        threads: thread_counts,
    })))
}

/// Conversations of a threaded export written at once (their keys looked up together).
const THREAD_CHUNK: usize = 1_000;

/// What tells a file that changed: its size and modification time.
#[derive(Debug, PartialEq, Eq)]
struct FileStamp(u64, Option<std::time::SystemTime>);

impl FileStamp {
    fn of(path: &Path) -> std::io::Result<FileStamp> {
        let m = std::fs::metadata(path)?;
        Ok(FileStamp(m.len(), m.modified().ok()))
    }
}

/// What the thread builder reads of the store.
struct StoreLookup<'l, L> {
    loader: &'l mut L,
}

impl<L: ImportLoader<Vec<Item>>> th::Stored for StoreLookup<'_, L> {
    fn complaint(&mut self, external_id: &str) -> Result<Option<Complaint>, String> {
        self.loader
            .stored(external_id)
            .map_err(|e| format!("store: {e}"))
    }

    fn owner_of_message(&mut self, message_id: &str) -> Result<Option<String>, String> {
        self.loader
            .owner_of_message(message_id)
            .map_err(|e| format!("store: {e}"))
    }
}

/// Builds the threads of a threaded export's rows and writes their complaints. Rows are
/// counted by what happened to their complaint. Returns the complaints it inserted, with their
/// ids, for the search index.
fn write_threads<L: ImportLoader<Vec<Item>>>(
    loader: &mut L,
    mode: ThreadMode,
    rows: Vec<(th::Row, ByteRecord)>,
    division: &(dyn Fn(&str) -> String + Sync),
    allow_unlinked: bool,
    counts: &mut Counts,
    rejects: &mut Rejects,
) -> Result<(Vec<(i64, Complaint)>, ThreadCounts), String> {
    let (rows, recs): (Vec<th::Row>, Vec<ByteRecord>) = rows.into_iter().unzip();
    let mut lookup = StoreLookup {
        loader: &mut *loader,
    };
    let threads = th::build(&rows, mode, &mut lookup, division)?;
    if threads.dangling * 2 > threads.links && !allow_unlinked {
        return Err(format!(
            "{} of the {} rows that answer another message answer one that is neither in this \
             file nor in the store: its ids do not link (a spreadsheet tool may have rewritten \
             them, as 12345.0; see the profile's [ids]). Nothing was imported; pass \
             --allow-unlinked to import it as it is",
            threads.dangling, threads.links
        ));
    }
    let tc = ThreadCounts {
        conversations: threads.built.len() as u64,
        links: threads.links,
        dangling: threads.dangling,
    };
    for u in &threads.unplaced {
        counts.rejected += 1;
        rejects
            .add(rows[u.row].line, &u.reason, lossy(&recs[u.row]))
            .map_err(|e| e.to_string())?;
    }
    let mut inserted = Vec::new();
    // A chunk of conversations at a time, for a store that looks their keys up together.
    let mut built = threads.built.into_iter().peekable();
    while built.peek().is_some() {
        let chunk: Vec<(th::Built, [u8; 32])> = built
            .by_ref()
            .take(THREAD_CHUNK)
            .map(|b| {
                let h = b.complaint.content_hash();
                (b, h)
            })
            .collect();
        loader
            .prefetch(chunk.iter().map(|(b, h)| (&b.complaint, h)))
            .map_err(|e| e.to_string())?;
        for (b, h) in chunk {
            let c = b.complaint;
            let (outcome, id) = loader.write(&c, &h, b.line).map_err(|e| e.to_string())?;
            match outcome {
                Upsert::Inserted => counts.inserted += b.rows,
                Upsert::Updated => counts.updated += b.rows,
                Upsert::Unchanged => counts.unchanged += b.rows,
                Upsert::Degraded { field, damage } => {
                    counts.degraded += b.rows;
                    rejects.held_back(b.line, &c, field, damage);
                }
                Upsert::Duplicate { first_line } => {
                    counts.rejected += b.rows;
                    rejects
                        .add(
                            b.line,
                            &format!(
                                "{:?} appears again: it was first on line {first_line} of this \
                                 file",
                                c.external_id
                            ),
                            Vec::new(),
                        )
                        .map_err(|e| e.to_string())?;
                }
            }
            if let (Upsert::Inserted, Some(id)) = (outcome, id) {
                inserted.push((id, c));
            }
        }
    }
    Ok((inserted, tc))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn generate(path: &Path, rows: u64) {
        let until = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).expect("a date");
        let mut w = csv::Writer::from_path(path).expect("create");
        crate::synthetic_export::write_helpdesk(&mut w, rows, 7, until).expect("generate");
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

    /// Opens `file` as the import would, counting the opens and the bytes read.
    struct Counted {
        file: std::fs::File,
        bytes: std::sync::Arc<std::sync::atomic::AtomicU64>,
    }

    impl Read for Counted {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.file.read(out)?;
            self.bytes
                .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
            Ok(n)
        }
    }

    /// Imports `file`, returning the report, how often it was opened and how many bytes
    /// were read of it.
    fn import_counted(db: &mut Db, file: &Path, opts: &Options) -> (Report, usize, u64) {
        use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
        let opens = AtomicUsize::new(0);
        let bytes = std::sync::Arc::new(AtomicU64::new(0));
        let open = || -> std::io::Result<Box<dyn Read + Send>> {
            opens.fetch_add(1, Ordering::Relaxed);
            Ok(Box::new(Counted {
                file: std::fs::File::open(file)?,
                bytes: bytes.clone(),
            }))
        };
        let r = import_from(db, file, &open, opts, &|d: &str| d.to_string()).expect("import");
        (
            r,
            opens.load(Ordering::Relaxed),
            bytes.load(Ordering::Relaxed),
        )
    }

    fn open(dir: &Path, name: &str) -> Db {
        Db::open(&dir.join(name), Duration::from_secs(5)).expect("open store")
    }

    #[test]
    fn a_file_is_read_once_for_its_shape_and_once_for_its_records() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("tickets.csv");
        // More rows than the shape is read from: the first read stops at a prefix.
        generate(&file, 12_000);
        let len = std::fs::metadata(&file).expect("meta").len();
        for (store, dry_run) in [("a.db", true), ("a.db", false), ("a.db", false)] {
            let mut db = open(dir.path(), store);
            let mut opts = options();
            opts.dry_run = dry_run;
            let (r, opens, bytes) = import_counted(&mut db, &file, &opts);
            assert_eq!(r.counts.read, 12_000);
            assert_eq!(r.encoding, "utf-8");
            assert_eq!(opens, 2, "opened for the shape, then for the records");
            assert!(
                bytes >= len && bytes < 2 * len,
                "{bytes} bytes read of {len}"
            );
        }
        // A small file is read whole for its shape, and its encoding settled then.
        let small = dir.path().join("small.csv");
        generate(&small, 100);
        let mut db = open(dir.path(), "b.db");
        let (_, opens, bytes) = import_counted(&mut db, &small, &options());
        let len = std::fs::metadata(&small).expect("meta").len();
        assert_eq!((opens, bytes), (2, 2 * len));
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
        let (r, opens, _) = import_counted(&mut db, &file, &options());
        // Its start read as UTF-8 to its end, then read again in Windows-1252: the shape, then
        // the records.
        assert_eq!(opens, 3);
        assert_eq!(r.encoding, "windows-1252");
        assert_eq!(r.counts.rejected, 0, "{:?}", r.first_rejects);
        assert!(r.rejects_file.is_none());
    }

    /// An export of `rows` generated rows in ASCII, then one row in Windows-1252 at its end
    /// or, with `first`, at its start.
    fn ascii_with_a_windows_1252_row(path: &Path, rows: u64, first: bool) {
        generate(path, rows);
        let text: Vec<u8> = std::fs::read_to_string(path)
            .expect("read")
            .chars()
            .map(|c| if c.is_ascii() { c as u8 } else { b'?' })
            .collect();
        let row: &[u8] =
            b"T-9999999,2026-11-19 10:00:00,email,Ren\xe9e Caf\xe9,,Billing,,,\x80 12 twice,,,,,\n";
        let header_end = text.iter().position(|&b| b == b'\n').expect("a header") + 1;
        let mut bytes = text[..header_end].to_vec();
        if first {
            bytes.extend_from_slice(row);
        }
        bytes.extend_from_slice(&text[header_end..]);
        if !first {
            bytes.extend_from_slice(row);
        }
        std::fs::write(path, bytes).expect("write");
    }

    #[test]
    fn a_large_file_found_windows_1252_by_its_records_is_read_again_in_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("late.csv");
        // More rows than the shape is read from: only the pass over the records sees the end.
        ascii_with_a_windows_1252_row(&file, 6000, false);
        let mut db = open(dir.path(), "s.db");
        let (r, opens, _) = import_counted(&mut db, &file, &options());
        // The shape and the records as UTF-8, then again as Windows-1252.
        assert_eq!(opens, 4);
        assert_eq!(r.encoding, "windows-1252");
        assert_eq!(
            (r.counts.read, r.counts.inserted, r.counts.rejected),
            (6001, 6001, 0)
        );
        assert!(r.rejects_file.is_none());
        assert!(r.import_id.is_some());

        // A file whose start is Windows-1252 is read as such from the start.
        let early = dir.path().join("early.csv");
        ascii_with_a_windows_1252_row(&early, 6000, true);
        let mut db = open(dir.path(), "t.db");
        let (r, opens, _) = import_counted(&mut db, &early, &options());
        assert_eq!(opens, 2);
        assert_eq!(r.encoding, "windows-1252");
        assert_eq!((r.counts.read, r.counts.rejected), (6001, 0));
    }
}
