//! One file's import: detect its shape, then read, write and index it in one transaction.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use chrono::FixedOffset;
use csv::ByteRecord;
use rusqlite::{Connection, TransactionBehavior};

use super::dates::{parse_offset, DateParser};
use super::decode::{open_decoded, regular_file_size, sniff, sniff_head, DecodeError, Encoding};
use super::mapping::{Mapped, Mapper};
use super::parse::{cut_short, reader, Batches, Item, Parser};
use super::profile::{self, DateOrder, Profile};
use super::records::Records;
use super::threads::{self as th, Mode as ThreadMode};
use crate::domain::Complaint;
use crate::store::complaints::{self as sc, Counts, ImportMeta, SearchTwin, Upsert};
use crate::store::{rule_sets, Db};

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
}

const SAMPLE_BYTES: usize = 256 * 1024;
const PRESCAN_RECORDS: usize = 5000;

struct Detected {
    profile: Profile,
    auto: bool,
    delimiter: u8,
    /// Index of the header among the parsed records (stray lines before it count).
    header_index: usize,
    header_line: u64,
    header: Vec<String>,
}

fn lossy(rec: &ByteRecord) -> Vec<String> {
    rec.iter()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect()
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

/// Finds the header line, the delimiter and (when not given) the profile.
fn detect(
    path: &Path,
    enc: Encoding,
    opts: &Options,
    fail: &dyn Fn(String, bool) -> ImportError,
) -> Result<Detected, ImportError> {
    let profiles = match &opts.profile {
        Some(p) => vec![profile::resolve(p, opts.profiles_dir.as_deref())
            .map_err(|e| fail(e.to_string(), true))?],
        None => profile::all_profiles(opts.profiles_dir.as_deref())
            .map_err(|e| fail(e.to_string(), true))?,
    };
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    open_decoded(path, enc)
        .and_then(|r| r.take(SAMPLE_BYTES as u64).read_to_end(&mut sample))
        .map_err(|e| fail(e.to_string(), false))?;
    let delimiters: Vec<u8> = match opts.delimiter {
        Some(d) => vec![d],
        None => vec![b',', b';', b'\t', b'|'],
    };
    let search = profiles
        .iter()
        .map(|p| p.header.skip_lines + p.header.search_lines)
        .max()
        .unwrap_or(20);
    let mut best: Option<HeaderCandidate> = None;
    let mut first_line: Option<Vec<String>> = None;
    for &d in &delimiters {
        let mut rdr = reader(&sample[..], d);
        let mut rec = ByteRecord::new();
        let mut index = 0;
        while let Ok(true) = rdr.read_byte_record(&mut rec) {
            let line = rec.position().map_or(0, |p| p.line());
            if line as usize > search {
                break;
            }
            let fields = lossy(&rec);
            if first_line.is_none() && d == delimiters[0] {
                first_line = Some(fields.clone());
            }
            let matching: Vec<&Profile> = profiles
                .iter()
                .filter(|p| line as usize > p.header.skip_lines && p.header_matches(&fields))
                .collect();
            if !matching.is_empty() {
                let key = (line, -(fields.len() as i64));
                if best.as_ref().is_none_or(|b| key < (b.0, b.1)) {
                    best = Some((line, key.1, d, index, fields, matching));
                }
                break;
            }
            index += 1;
        }
    }
    let Some((header_line, _, delimiter, header_index, mut header, matching)) = best else {
        let shown = first_line
            .map(|f| f.join(","))
            .unwrap_or_default()
            .chars()
            .take(120)
            .collect::<String>();
        let why = super::nomatch::message(
            &profiles,
            opts.profile.is_some(),
            &sample,
            &delimiters,
            search,
            &shown,
            path,
        );
        return Err(fail(why, false));
    };
    if sample.len() == SAMPLE_BYTES {
        // The sample may end inside the header: read it whole.
        header =
            full_record(path, enc, delimiter, header_index, opts.max_field_bytes).unwrap_or(header);
    }
    let auto = opts.profile.is_none();
    let profile = if matching.len() == 1 {
        matching[0].clone()
    } else {
        // Profiles that share a header (cfpb and cfpb-legacy) differ in their dates.
        let mut scored: Vec<(usize, &Profile)> = matching
            .iter()
            .map(|p| {
                let m = mapper_for(p, &header, opts, p.dates.order);
                let (_, idx) = m.date_column("received_at");
                let vals = column_values(path, enc, delimiter, header_index, &idx, 200, opts);
                (
                    m.parsers().0.parse_count(vals.iter().map(String::as_str)),
                    *p,
                )
            })
            .collect();
        scored.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
        scored[0].1.clone()
    };
    if let Some(problem) = profile.repeated_column(&header) {
        return Err(fail(format!("line {header_line}: {problem}"), false));
    }
    Ok(Detected {
        profile,
        auto,
        delimiter,
        header_index,
        header_line,
        header,
    })
}

fn mapper_for(p: &Profile, header: &[String], opts: &Options, order: DateOrder) -> Mapper {
    let offset = parse_offset(&p.dates.utc_offset).unwrap_or_else(utc);
    let dp = || DateParser::new(&p.dates.formats, offset, order);
    let source = opts.source.clone().unwrap_or_else(|| p.source.clone());
    Mapper::new(p, header, &source, dp(), dp()).with_now(opts.now)
}

fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).expect("a zero offset is valid")
}

/// Record `index` of the file, the header lines before it counted.
fn full_record(
    path: &Path,
    enc: Encoding,
    delimiter: u8,
    index: usize,
    max_field: usize,
) -> Option<Vec<String>> {
    let mut rdr = Records::new(open_decoded(path, enc).ok()?, delimiter, max_field);
    let mut rec = ByteRecord::new();
    for _ in 0..=index {
        if !rdr.read_byte_record(&mut rec).ok()? {
            return None;
        }
    }
    Some(lossy(&rec))
}

/// Values of some columns of the first `limit` data records, for date checks.
fn column_values(
    path: &Path,
    enc: Encoding,
    delimiter: u8,
    header_index: usize,
    idx: &[usize],
    limit: usize,
    opts: &Options,
) -> Vec<String> {
    let Ok(r) = open_decoded(path, enc) else {
        return Vec::new();
    };
    let mut rdr = Records::new(r, delimiter, opts.max_field_bytes);
    let mut rec = ByteRecord::new();
    let mut out = Vec::new();
    let mut i = 0;
    while let Ok(true) = rdr.read_byte_record(&mut rec) {
        if i > header_index {
            for &c in idx {
                if let Some(v) = rec.get(c) {
                    out.push(String::from_utf8_lossy(v).into_owned());
                }
            }
            if i - header_index >= limit {
                break;
            }
        }
        i += 1;
    }
    out
}

/// A header found in the sample: (line, -columns, delimiter, record index, header, profiles).
type HeaderCandidate<'a> = (u64, i64, u8, usize, Vec<String>, Vec<&'a Profile>);

struct Rejects {
    path: PathBuf,
    header: Vec<String>,
    writer: Option<csv::Writer<crate::files::Output>>,
    first: Vec<String>,
    /// The first few updates held back as damaged copies, as "line N: why": listed as rejects
    /// are, but not written to the rejects file (they need no fixing, only a clean copy).
    first_degraded: Vec<String>,
    enabled: bool,
}

impl Rejects {
    fn add(&mut self, line: u64, reason: &str, fields: Vec<String>) -> std::io::Result<()> {
        if self.first.len() < 10 {
            self.first.push(format!("line {line}: {reason}"));
        }
        if !self.enabled {
            return Ok(());
        }
        if self.writer.is_none() {
            let mut w = csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(crate::files::Output::create(&self.path)?);
            let mut h = vec!["line".to_string(), "reason".to_string()];
            h.extend(self.header.iter().cloned());
            w.write_record(&h)?;
            self.writer = Some(w);
        }
        let mut row = vec![line.to_string(), reason.to_string()];
        row.extend(fields);
        if let Some(w) = self.writer.as_mut() {
            w.write_record(&row)?;
        }
        Ok(())
    }

    fn finish(&mut self) -> std::io::Result<Option<String>> {
        match self.writer.take() {
            Some(w) => {
                w.into_inner()
                    .map_err(|e| std::io::Error::other(e.to_string()))?
                    .commit()?;
                Ok(Some(self.path.display().to_string()))
            }
            None => Ok(None),
        }
    }

    /// Notes an update held back as a damaged copy, among the first few shown.
    fn held_back(
        &mut self,
        line: u64,
        c: &Complaint,
        field: &str,
        damage: crate::domain::degrade::Damage,
    ) {
        if self.first_degraded.len() < 10 {
            self.first_degraded.push(format!(
                "line {line}: {:?}: {field}: {damage}; the stored text is kept \
                 (--accept-degraded applies it)",
                c.external_id
            ));
        }
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
/// Three threads share the work when the machine has two cores or more: one reads and maps
/// the records, this one writes them, and, when the store is empty, a third builds the search
/// index of the new rows in a file of its own, which this one copies in before the commit.
pub fn import_file(
    db: &mut Db,
    path: &Path,
    opts: &Options,
    division: &(dyn Fn(&str) -> String + Sync),
) -> Result<Report, ImportError> {
    let mut encoding = opts.encoding;
    loop {
        match import_pass(db, path, opts, division, encoding)? {
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
/// parser checks every byte anyway. Only a file with bytes that are not UTF-8 needs the full
/// look, at the end, and a second pass if it is Windows-1252 after all.
fn import_pass(
    db: &mut Db,
    path: &Path,
    opts: &Options,
    division: &(dyn Fn(&str) -> String + Sync),
    encoding: Option<Encoding>,
) -> Result<Pass, ImportError> {
    let clock = Phases::start();
    let shown = path.display().to_string();
    let fail = |message: String, usage: bool| ImportError {
        file: shown.clone(),
        message,
        usage,
    };
    let decode_err = |e| match e {
        DecodeError::Io(e) => fail(e.to_string(), false),
        other => fail(other.to_string(), false),
    };
    let file_size = regular_file_size(path).map_err(decode_err)?;
    let stamp = FileStamp::of(path).map_err(|e| fail(e.to_string(), false))?;
    let (enc, provisional) = match encoding {
        Some(e) => (e, false),
        None => {
            let e = sniff_head(path).map_err(decode_err)?;
            (e, matches!(e, Encoding::Utf8 | Encoding::Utf8Bom))
        }
    };
    let det = detect(path, enc, opts, &fail)?;
    let order = opts.date_order.unwrap_or(det.profile.dates.order);
    let mut mapper = mapper_for(&det.profile, &det.header, opts, order);
    for field in ["received_at", "responded_at"] {
        let (col, idx) = mapper.date_column(field);
        if idx.is_empty() {
            continue;
        }
        let vals = column_values(
            path,
            enc,
            det.delimiter,
            det.header_index,
            &idx,
            PRESCAN_RECORDS,
            opts,
        );
        let (r, s) = mapper.parsers_mut();
        let parser = if field == "received_at" { r } else { s };
        parser
            .detect_order(&col, vals.iter().map(String::as_str))
            .map_err(|e| fail(e.to_string(), false))?;
    }
    clock.mark("file read for its shape");
    let source = opts
        .source
        .clone()
        .unwrap_or_else(|| det.profile.source.clone());
    let file_name = path
        .file_name()
        .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned());
    let mut rejects = Rejects {
        path: opts
            .rejects
            .clone()
            .unwrap_or_else(|| default_rejects_path(path)),
        header: det.header.clone(),
        writer: None,
        first: Vec::new(),
        first_degraded: Vec::new(),
        enabled: !opts.dry_run,
    };
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
    let mut counts = Counts::default();
    let mut incomplete: Option<String> = None;
    let sql = |e: rusqlite::Error| fail(format!("store: {e}"), false);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) > 1;

    let store_path = db.path.clone();
    let busy = Duration::from_millis(
        db.conn
            .pragma_query_value(None, "busy_timeout", |r| r.get::<_, i64>(0))
            .map_err(sql)?
            .max(0) as u64,
    );
    // Declared before the import's connection, so that it is dropped after it.
    let mut _wal_again: Option<WalAgain> = None;
    // The import runs on a connection of its own: its settings stay with it, and no search
    // index state cached by an earlier use of `db.conn` outlives an index copied in below.
    let mut conn = db.connect_again().map_err(sql)?;
    let first_load = threads && !opts.dry_run && sc::store_is_empty(&conn).map_err(sql)?;
    // A first load into an empty store writes straight into the file, unless someone else
    // has the store open.
    if first_load {
        drop(conn);
        let load = db.rollback_journal().map_err(sql)?;
        conn = match load {
            Some(c) => {
                _wal_again = Some(WalAgain { db, busy });
                c
            }
            None => db.connect_again().map_err(sql)?,
        };
    }
    // Another import holds the store for its whole transaction: wait for it as long as
    // writes may wait.
    conn.busy_timeout(busy.max(opts.write_wait)).map_err(sql)?;
    // A bounded cache, and a sorter that spills to temporary files: memory does not grow
    // with the file.
    conn.pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)
        .map_err(sql)?;
    conn.pragma_update(None, "temp_store", "FILE")
        .map_err(sql)?;
    // A file to build the search index in must be attached before the transaction begins.
    let twin = if first_load {
        Some(search_twin(&conn, &store_path).map_err(sql)?)
    } else {
        None
    };
    // Deferred, not immediate, so that the twin's file stays unlocked: the first statement
    // writes, which takes the store's write lock (waiting as long as the busy timeout allows).
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Deferred)
        .map_err(sql)?;
    let import_id = sc::begin_import(
        &tx,
        &ImportMeta {
            source: &source,
            profile: &det.profile.name,
            file_name: &file_name,
            file_size,
            encoding: enc.label(),
            delimiter: &delimiter_name(det.delimiter),
            imported_by: &opts.imported_by,
            started_at: opts.now,
        },
    )
    .map_err(sql)?;
    let state = sc::load_state(&tx, &source).map_err(sql)?;
    let search = match twin {
        Some(t) if state.max_id == 0 && state.search_index_empty => SearchIndex::Twin(t),
        _ if opts.dry_run => SearchIndex::Skip,
        _ => SearchIndex::AtEnd,
    };
    // Keeping an index up to date costs a B-tree descent per row; building it again costs a
    // sort of the whole table after the last row, on the critical path. Up to a couple of
    // million rows the secondary indexes fit in the import's cache, so keeping them is cheaper
    // (measured: 0.7 s saved on a 1 M-row first load); past that, rebuild when the file may
    // hold half as many rows as the store.
    let file_rows = (file_size / BYTES_PER_ROW_GUESS) as i64;
    let rebuilt = if state.max_id + file_rows > KEEP_INDEXES_UP_TO && file_rows >= state.max_id / 2
    {
        sc::secondary_indexes(&tx).map_err(sql)?
    } else {
        Vec::new()
    };
    sc::drop_indexes(&tx, &rebuilt).map_err(sql)?;
    clock.mark("store ready");

    let (spent, spent_rx) = mpsc::channel::<Vec<Item>>();
    let parser = Parser::open(
        path,
        enc,
        det.delimiter,
        det.header_index,
        mapper,
        division,
        opts.max_field_bytes,
    )
    .map_err(|e| fail(e.to_string(), false))?;
    let batch_rows = opts.batch_rows.max(1);
    type Written = (Option<String>, bool, Option<ThreadCounts>);
    let result = std::thread::scope(|scope| -> Result<Written, ImportError> {
        let mut batches = Batches::start(scope, parser, batch_rows, spent_rx, threads)
            .map_err(|e| fail(format!("cannot start the parser: {e}"), false))?;
        let (to_index, mut indexer) = match search {
            SearchIndex::Twin(twin) => {
                let (to_index, work) = mpsc::sync_channel::<IndexWork>(4);
                let spent = spent.clone();
                let handle = std::thread::Builder::new()
                    .name("import-index".into())
                    .spawn_scoped(scope, move || index_on_the_side(twin, work, spent))
                    .map_err(|e| fail(format!("cannot start the indexer: {e}"), false))?;
                (Some(to_index), Some(handle))
            }
            _ => (None, None),
        };
        // The indexer's outcome; a closed channel to it means it stopped, and says why here.
        let indexer_result = |handle: Option<IndexerHandle<'_>>| match handle.map(|h| h.join()) {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) => Err(sql(e)),
            Some(Err(_)) => Err(fail("store: the search indexer failed".into(), false)),
        };
        let stopped = |handle| match indexer_result(handle) {
            Err(e) => e,
            Ok(()) => fail("store: the search indexer stopped".into(), false),
        };
        let mut writer = sc::Writer::new(&tx, import_id, &file_name, opts.now)
            .map_err(sql)?
            .insert_first(!state.source_has_rows)
            .defer_search_index(true)
            .accept_degraded(opts.accept_degraded);
        let mut thread_rows: Vec<(th::Row, ByteRecord)> = Vec::new();
        let mut thread_counts: Option<ThreadCounts> = None;
        let thread_mode = match (&det.profile.link, &det.profile.thread) {
            (Some(l), _) => Some(ThreadMode::Link(l.division_from)),
            (None, Some(_)) => Some(ThreadMode::Ticket),
            (None, None) => None,
        };
        while let Some(mut batch) = batches.next() {
            let mut new_rows: Vec<(u32, i64)> = Vec::new();
            for (i, item) in batch.iter_mut().enumerate() {
                let (line, byte, rec, result) = match item {
                    Item::Fatal(m) => return Err(fail(std::mem::take(m), false)),
                    Item::Cut { line, opened, rec } => {
                        let why = cut_short(*opened);
                        if !opts.accept_incomplete {
                            return Err(fail(
                                format!(
                                    "{why} (or its quote was never closed): nothing of it was \
                                     imported. Import a complete copy, or pass \
                                     --accept-incomplete to import the rows before line {line}"
                                ),
                                false,
                            ));
                        }
                        counts.read += 1;
                        counts.rejected += 1;
                        rejects.add(*line, &why, lossy(rec)).map_err(|e| {
                            fail(
                                format!("rejects file {}: {e}", rejects.path.display()),
                                false,
                            )
                        })?;
                        incomplete = Some(why);
                        continue;
                    }
                    Item::Record {
                        line,
                        byte,
                        rec,
                        result,
                    } => (*line, *byte, rec, result),
                };
                counts.read += 1;
                if let Some(pb) = &progress {
                    if counts.read % 4096 == 0 {
                        pb.set_position(byte.min(file_size));
                    }
                }
                let rejected = match result {
                    Err(reason) => Some(std::mem::take(reason)),
                    Ok((Mapped::Message(m), _)) => {
                        let msg = (**m).clone();
                        thread_rows.push((th::Row { line, msg }, std::mem::take(rec)));
                        None
                    }
                    Ok((Mapped::Complaint(c), h)) => {
                        match writer.write(c, h, line).map_err(sql)? {
                            (Upsert::Inserted, id) => {
                                counts.inserted += 1;
                                new_rows.push((i as u32, id));
                                None
                            }
                            (Upsert::Updated, _) => {
                                counts.updated += 1;
                                None
                            }
                            (Upsert::Unchanged, _) => {
                                counts.unchanged += 1;
                                None
                            }
                            (Upsert::Degraded { field, damage }, _) => {
                                counts.degraded += 1;
                                rejects.held_back(line, c, field, damage);
                                None
                            }
                            (Upsert::Duplicate { first_line }, _) => Some(format!(
                                "{:?} appears again: it was first on line {first_line} of this file",
                                c.external_id
                            )),
                        }
                    }
                };
                if let Some(reason) = rejected {
                    counts.rejected += 1;
                    rejects.add(line, &reason, lossy(rec)).map_err(|e| {
                        fail(
                            format!("rejects file {}: {e}", rejects.path.display()),
                            false,
                        )
                    })?;
                }
            }
            match &to_index {
                Some(t) => {
                    if t.send(IndexWork::Batch(batch, new_rows)).is_err() {
                        return Err(stopped(indexer.take()));
                    }
                }
                None => {
                    let _ = spent.send(batch);
                }
            }
        }
        let all_utf8 = batches.all_utf8();
        if let Some(mode) = thread_mode {
            let (new_rows, tc) = write_threads(
                &tx,
                &mut writer,
                &source,
                mode,
                thread_rows,
                division,
                opts.allow_unlinked,
                &mut counts,
                &mut rejects,
            )
            .map_err(|e| fail(e, false))?;
            thread_counts = Some(tc);
            if let Some(t) = &to_index {
                if t.send(IndexWork::Rows(new_rows)).is_err() {
                    return Err(stopped(indexer.take()));
                }
            }
        }
        let written = writer.finish().map_err(sql)?;
        drop(writer);
        clock.mark("rows written");
        // The indexer finishes its queue meanwhile.
        drop(to_index);
        sc::create_indexes(&tx, &rebuilt).map_err(sql)?;
        clock.mark("indexes built");
        if indexer.is_some() {
            indexer_result(indexer.take())?;
            clock.mark("search index built");
            sc::install_search_twin(&tx).map_err(sql)?;
        } else if !opts.dry_run {
            sc::index_for_search(&tx, state.max_id).map_err(sql)?;
        }
        clock.mark("search index in place");
        // What sampling rules count and pick from moves by what the import wrote: the counts by
        // its rows' old and new values, the phrase matches by its rows searched again alone.
        if !opts.dry_run {
            written.tally.apply(&tx).map_err(sql)?;
            let changed: Vec<i64> = written
                .changed
                .iter()
                .copied()
                .filter(|&id| id <= state.max_id)
                .collect();
            rule_sets::update_phrase_rules(
                &tx,
                &opts.after_import.phrase_rules,
                Some(state.max_id),
                &changed,
            )
            .map_err(sql)?;
        }
        clock.mark("sampling rules");
        // CARs and checks read the new rows, and may search them.
        crate::store::cars::after_import(&tx, &written, &opts.after_import)
            .map_err(|e| fail(format!("store: {e}"), false))?;
        clock.mark("after-import rules and checks");
        // A file still being written (or replaced) was read partly old, partly new.
        if FileStamp::of(path).ok().as_ref() != Some(&stamp) {
            return Err(fail(
                "the file changed while it was being imported (its size or modification time \
                 is not what it was when the import began): nothing was imported; import it \
                 again once it is complete"
                    .into(),
                false,
            ));
        }
        let rejects_file = rejects
            .finish()
            .map_err(|e| fail(format!("rejects file: {e}"), false))?;
        Ok((rejects_file, all_utf8, thread_counts))
    });
    if let Some(pb) = &progress {
        pb.finish_and_clear();
    }
    let (rejects_file, all_utf8, threads) = result?;
    if provisional && !all_utf8 {
        let verdict = sniff(path).map_err(decode_err)?;
        if verdict != enc {
            tx.rollback().map_err(sql)?;
            // Its rows are rejected for bytes that the right encoding reads.
            if let Some(f) = &rejects_file {
                let _ = std::fs::remove_file(f);
            }
            return Ok(Pass::Again(verdict));
        }
    }
    sc::finish_import(
        &tx,
        import_id,
        &counts,
        chrono::Utc::now().timestamp(),
        rejects_file.as_deref(),
    )
    .map_err(sql)?;
    let import_id = if opts.dry_run {
        tx.rollback().map_err(sql)?;
        None
    } else {
        tx.commit().map_err(sql)?;
        Some(import_id)
    };
    clock.mark("committed");
    Ok(Pass::Done(Box::new(Report {
        file: shown.clone(),
        import_id,
        profile: det.profile.name.clone(),
        profile_detected: det.auto,
        encoding: enc.label(),
        delimiter: delimiter_name(det.delimiter),
        header_line: det.header_line,
        counts,
        rejects_file,
        first_rejects: rejects.first.clone(),
        first_degraded: rejects.first_degraded.clone(),
        incomplete,
        dry_run: opts.dry_run,
        threads,
    })))
}

/// What tells a file that changed: its size and modification time.
#[derive(Debug, PartialEq, Eq)]
struct FileStamp(u64, Option<std::time::SystemTime>);

impl FileStamp {
    fn of(path: &Path) -> std::io::Result<FileStamp> {
        let m = std::fs::metadata(path)?;
        Ok(FileStamp(m.len(), m.modified().ok()))
    }
}

/// Puts the store back in WAL mode after a first load in rollback-journal mode, however the
/// load ended (see [`Db::rollback_journal`]).
struct WalAgain<'a> {
    db: &'a mut Db,
    busy: Duration,
}

impl Drop for WalAgain<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.db.back_to_wal(self.busy) {
            tracing::warn!(error = %e, "store left in rollback-journal mode until next opened");
        }
    }
}

/// Cache of the import's connection, in KiB. Most of a large import is appended, so a modest
/// cache holds the pages being filled and the hot part of the key index.
const IMPORT_CACHE_KIB: i64 = 64 * 1024;
/// Rows a store may reach in an import that keeps its secondary indexes up to date as it goes.
const KEEP_INDEXES_UP_TO: i64 = 2_000_000;
/// Bytes per row of an export, roughly: to tell a bulk load from a top-up before reading it.
const BYTES_PER_ROW_GUESS: u64 = 256;

/// How the rows an import inserts get into the search index (updated rows are re-indexed as
/// they are written).
enum SearchIndex {
    /// The store is empty: a thread of its own indexes the new rows in a twin of the search
    /// table, which becomes the store's before the commit.
    Twin(SearchTwin),
    /// One `INSERT ... SELECT` of the new rows after the last one is written: one pass, in id
    /// order, flushed in large pieces.
    AtEnd,
    /// A dry run: the transaction is rolled back anyway.
    Skip,
}

/// Work for the search indexer.
enum IndexWork {
    /// A written batch, with (position in the batch, id) of the rows it inserted.
    Batch(Vec<Item>, Vec<(u32, i64)>),
    /// Complaints completed after the file was read (linked exports), with their ids.
    Rows(Vec<(i64, Complaint)>),
}

type IndexerHandle<'scope> = std::thread::ScopedJoinHandle<'scope, rusqlite::Result<()>>;

/// The indexer thread: indexes what the writer inserted, hands the batches back to the parser.
fn index_on_the_side(
    mut twin: SearchTwin,
    work: mpsc::Receiver<IndexWork>,
    spent: mpsc::Sender<Vec<Item>>,
) -> rusqlite::Result<()> {
    for w in work {
        match w {
            IndexWork::Batch(batch, rows) => {
                twin.add(rows.iter().filter_map(|&(i, id)| {
                    batch
                        .get(i as usize)
                        .and_then(Item::complaint)
                        .map(|c| (id, c))
                }))?;
                let _ = spent.send(batch);
            }
            IndexWork::Rows(rows) => twin.add(rows.iter().map(|(id, c)| (*id, c)))?,
        }
    }
    twin.finish()
}

/// Creates a search twin next to the store and attaches it to `conn`. Its name is removed at
/// once (both connections hold it open), so a killed import leaves nothing behind.
fn search_twin(conn: &Connection, store: &Path) -> rusqlite::Result<SearchTwin> {
    let name = store
        .file_name()
        .map_or_else(|| "store".into(), |n| n.to_string_lossy().into_owned());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let path = store.with_file_name(format!(".{name}.search-{}-{nanos}.tmp", std::process::id()));
    let twin = SearchTwin::create(&path, conn)?;
    let attached = sc::attach_search_twin(conn, &path);
    let _ = std::fs::remove_file(&path);
    attached?;
    Ok(twin)
}

/// Import phases, with their times, for `tracing`.
struct Phases(std::time::Instant);

impl Phases {
    fn start() -> Phases {
        Phases(std::time::Instant::now())
    }

    fn mark(&self, phase: &str) {
        tracing::debug!(phase, secs = self.0.elapsed().as_secs_f64(), "import");
    }
}

/// What the thread builder reads of the store.
struct StoreLookup<'a> {
    tx: &'a rusqlite::Transaction<'a>,
    source: &'a str,
}

impl th::Stored for StoreLookup<'_> {
    fn complaint(&mut self, external_id: &str) -> Result<Option<Complaint>, String> {
        match crate::store::queries::complaint_by_key(self.tx, self.source, external_id) {
            Ok(c) => Ok(Some(c)),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(format!("store: {e}")),
        }
    }

    fn owner_of_message(&mut self, message_id: &str) -> Result<Option<String>, String> {
        crate::store::threads::complaint_of_message(self.tx, self.source, message_id)
            .map_err(|e| format!("store: {e}"))
    }
}

/// Builds the threads of a threaded export's rows and writes their complaints. Rows are
/// counted by what happened to their complaint. Returns the complaints it inserted, with their
/// ids, for the search index.
#[allow(clippy::too_many_arguments)]
fn write_threads(
    tx: &rusqlite::Transaction,
    writer: &mut sc::Writer,
    source: &str,
    mode: ThreadMode,
    rows: Vec<(th::Row, ByteRecord)>,
    division: &(dyn Fn(&str) -> String + Sync),
    allow_unlinked: bool,
    counts: &mut Counts,
    rejects: &mut Rejects,
) -> Result<(Vec<(i64, Complaint)>, ThreadCounts), String> {
    let (rows, recs): (Vec<th::Row>, Vec<ByteRecord>) = rows.into_iter().unzip();
    let mut lookup = StoreLookup { tx, source };
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
    for b in threads.built {
        let c = b.complaint;
        let h = c.content_hash();
        let (outcome, id) = writer.write(&c, &h, b.line).map_err(|e| e.to_string())?;
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
                            "{:?} appears again: it was first on line {first_line} of this file",
                            c.external_id
                        ),
                        Vec::new(),
                    )
                    .map_err(|e| e.to_string())?;
            }
        }
        if outcome == Upsert::Inserted {
            inserted.push((id, c));
        }
    }
    Ok((inserted, tc))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::cli::{GenerateArgs, GenerateFormat};

    fn generate(path: &Path, rows: u64) {
        crate::commands::generate::run(GenerateArgs {
            format: GenerateFormat::Helpdesk,
            rows,
            out: Some(path.to_path_buf()),
            seed: 7,
            until: Some("2026-11-20".into()),
        })
        .expect("generate");
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

    fn scalar(db: &Db, sql: &str) -> i64 {
        db.conn.query_row(sql, [], |r| r.get(0)).expect(sql)
    }

    /// The external ids a search finds.
    fn found(db: &Db, query: &str) -> Vec<String> {
        let mut st = db
            .conn
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
        db.conn
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
        let who: String = db
            .conn
            .query_row(
                "SELECT customer || ' ' || complaint_text FROM complaints WHERE external_id = 'T-9999999'",
                [],
                |r| r.get(0),
            )
            .expect("row");
        assert_eq!(who, "Renée Café € 12 twice");
        assert_eq!(scalar(&db, "SELECT count(*) FROM imports"), 1);
    }
}
