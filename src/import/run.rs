//! One file's import: detect its shape, parse on one thread, write on another, in one transaction.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use chrono::FixedOffset;
use csv::ByteRecord;
use rusqlite::TransactionBehavior;

use super::dates::{parse_offset, DateParser};
use super::decode::{open_decoded, sniff, DecodeError, Encoding};
use super::mapping::{Mapped, Mapper, Reply};
use super::profile::{self, DateOrder, Profile};
use crate::domain::Complaint;
use crate::store::complaints::{self as sc, Counts, ImportMeta, Upsert};
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
    pub rejects: Option<PathBuf>,
    pub batch_rows: usize,
    pub progress: bool,
    pub imported_by: String,
    pub now: i64,
    /// CARs to open and flags to refresh before the import commits.
    pub after_import: crate::store::cars::AfterImport,
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
    pub dry_run: bool,
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

fn reader(r: impl Read, delimiter: u8) -> csv::Reader<impl Read> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(r)
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
    let Some((header_line, _, delimiter, header_index, header, matching)) = best else {
        let shown = first_line
            .map(|f| f.join(","))
            .unwrap_or_default()
            .chars()
            .take(120)
            .collect::<String>();
        return Err(match &opts.profile {
            Some(_) => {
                let p = &profiles[0];
                fail(
                    format!(
                        "line 1: the header does not match profile {}: it needs the columns {}; the file begins {:?}",
                        p.name,
                        p.required_columns().join(", "),
                        shown
                    ),
                    false,
                )
            }
            None => fail(
                format!(
                    "line 1: no profile matches the header (tried {}); the file begins {:?}. Name one with --profile",
                    profiles.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", "),
                    shown
                ),
                false,
            ),
        });
    };
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
                let vals = column_values(path, enc, delimiter, header_index, &idx, 200);
                (
                    m.parsers().0.parse_count(vals.iter().map(String::as_str)),
                    *p,
                )
            })
            .collect();
        scored.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
        scored[0].1.clone()
    };
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
    Mapper::new(p, header, &source, dp(), dp())
}

fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).expect("a zero offset is valid")
}

/// Values of some columns of the first `limit` data records, for date checks.
fn column_values(
    path: &Path,
    enc: Encoding,
    delimiter: u8,
    header_index: usize,
    idx: &[usize],
    limit: usize,
) -> Vec<String> {
    let Ok(r) = open_decoded(path, enc) else {
        return Vec::new();
    };
    let mut rdr = reader(r, delimiter);
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

#[allow(clippy::large_enum_variant)]
enum Item {
    Record {
        line: u64,
        byte: u64,
        rec: ByteRecord,
        result: Result<(Mapped, [u8; 32]), String>,
    },
    Fatal(String),
}

struct Rejects {
    path: PathBuf,
    header: Vec<String>,
    writer: Option<csv::Writer<std::fs::File>>,
    first: Vec<String>,
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
            let mut o = std::fs::OpenOptions::new();
            o.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                o.mode(0o600);
            }
            let mut w = csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(o.open(&self.path)?);
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
            Some(mut w) => {
                w.flush()?;
                Ok(Some(self.path.display().to_string()))
            }
            None => Ok(None),
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
pub fn import_file(
    db: &mut Db,
    path: &Path,
    opts: &Options,
    division: &(dyn Fn(&str) -> String + Sync),
) -> Result<Report, ImportError> {
    let shown = path.display().to_string();
    let fail = |message: String, usage: bool| ImportError {
        file: shown.clone(),
        message,
        usage,
    };
    let file_size = std::fs::metadata(path)
        .map_err(|e| fail(e.to_string(), false))?
        .len();
    let enc = match opts.encoding {
        Some(e) => e,
        None => sniff(path).map_err(|e| match e {
            DecodeError::Io(e) => fail(e.to_string(), false),
            other => fail(other.to_string(), false),
        })?,
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
        );
        let (r, s) = mapper.parsers_mut();
        let parser = if field == "received_at" { r } else { s };
        parser
            .detect_order(&col, vals.iter().map(String::as_str))
            .map_err(|e| fail(e.to_string(), false))?;
    }
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

    let (tx_items, rx_items) = mpsc::sync_channel::<Vec<Item>>(8);
    let batch_rows = opts.batch_rows.max(1);
    let header_index = det.header_index;
    let delimiter = det.delimiter;
    let path_owned = path.to_path_buf();
    let mut counts = Counts::default();
    let division_map = division;
    let result = std::thread::scope(
        |scope| -> Result<(Option<i64>, Option<String>), ImportError> {
            scope.spawn(move || {
            let send_fatal = |m: String| {
                let _ = tx_items.send(vec![Item::Fatal(m)]);
            };
            let r = match open_decoded(&path_owned, enc) {
                Ok(r) => r,
                Err(e) => return send_fatal(e.to_string()),
            };
            let mut rdr = reader(r, delimiter);
            let mut batch = Vec::with_capacity(batch_rows);
            let mut index = 0usize;
            loop {
                let mut rec = ByteRecord::new();
                match rdr.read_byte_record(&mut rec) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => return send_fatal(format!("line {}: {e}", rdr.position().line())),
                }
                index += 1;
                if index <= header_index + 1 {
                    continue;
                }
                let (line, byte) = rec.position().map_or((0, 0), |p| (p.line(), p.byte()));
                let span = rdr.position().line().saturating_sub(line);
                let result = mapper.map(&rec).map_err(|reason| {
                    if span > 1 && reason.starts_with("expected") {
                        format!("{reason}; the record runs from line {line} to line {}: is a quote left open?", line + span - 1)
                    } else {
                        reason
                    }
                });
                let result = result.map(|mut m| {
                    if let Mapped::Complaint(c) = &mut m {
                        c.division = division_map(&c.division);
                        let h = c.content_hash();
                        return (m, h);
                    }
                    (m, [0u8; 32])
                });
                batch.push(Item::Record { line, byte, rec, result });
                if batch.len() >= batch_rows
                    && tx_items
                        .send(std::mem::replace(&mut batch, Vec::with_capacity(batch_rows)))
                        .is_err()
                {
                    return;
                }
            }
            if !batch.is_empty() {
                let _ = tx_items.send(batch);
            }
        });

            let sql = |e: rusqlite::Error| fail(format!("store: {e}"), false);
            db.conn
                .pragma_update(None, "cache_size", -262_144)
                .map_err(sql)?;
            let tx = db
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
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
            let mut inbound: Vec<(u64, Complaint, [u8; 32])> = Vec::new();
            let mut replies: Vec<(u64, Reply, ByteRecord)> = Vec::new();
            let linked = det.profile.link.is_some();
            for batch in rx_items {
                for item in batch {
                    match item {
                        Item::Fatal(m) => return Err(fail(m, false)),
                        Item::Record {
                            line,
                            byte,
                            rec,
                            result,
                        } => {
                            counts.read += 1;
                            if let Some(pb) = &progress {
                                if counts.read % 4096 == 0 {
                                    pb.set_position(byte.min(file_size));
                                }
                            }
                            match result {
                                Err(reason) => {
                                    counts.rejected += 1;
                                    rejects.add(line, &reason, lossy(&rec)).map_err(|e| {
                                        fail(
                                            format!("rejects file {}: {e}", rejects.path.display()),
                                            false,
                                        )
                                    })?;
                                }
                                Ok((Mapped::Complaint(c), h)) if linked => {
                                    inbound.push((line, c, h))
                                }
                                Ok((Mapped::Reply(r), _)) => replies.push((line, r, rec)),
                                Ok((Mapped::Complaint(c), h)) => {
                                    match sc::upsert(
                                        &tx, import_id, &c, &h, &file_name, line, opts.now,
                                    )
                                    .map_err(sql)?
                                    {
                                        Upsert::Inserted => counts.inserted += 1,
                                        Upsert::Updated => counts.updated += 1,
                                        Upsert::Unchanged => counts.unchanged += 1,
                                        Upsert::Duplicate { first_line } => {
                                            counts.rejected += 1;
                                            let reason = format!("{:?} appears again: it was first on line {first_line} of this file", c.external_id);
                                            rejects.add(line, &reason, lossy(&rec)).map_err(
                                                |e| {
                                                    fail(
                                                        format!(
                                                            "rejects file {}: {e}",
                                                            rejects.path.display()
                                                        ),
                                                        false,
                                                    )
                                                },
                                            )?;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if linked {
                link_replies(
                    &tx,
                    import_id,
                    &source,
                    &file_name,
                    opts.now,
                    inbound,
                    replies,
                    &mut counts,
                    &mut rejects,
                )
                .map_err(|e| fail(e, false))?;
            }
            crate::store::stats::refresh_division_counts(&tx).map_err(sql)?;
            let rejects_file = rejects
                .finish()
                .map_err(|e| fail(format!("rejects file: {e}"), false))?;
            crate::store::cars::after_import(&tx, import_id, &opts.after_import).map_err(sql)?;
            sc::finish_import(
                &tx,
                import_id,
                &counts,
                chrono::Utc::now().timestamp(),
                rejects_file.as_deref(),
            )
            .map_err(sql)?;
            if opts.dry_run {
                tx.rollback().map_err(sql)?;
                Ok((None, rejects_file))
            } else {
                tx.commit().map_err(sql)?;
                Ok((Some(import_id), rejects_file))
            }
        },
    );
    if let Some(pb) = &progress {
        pb.finish_and_clear();
    }
    let (import_id, rejects_file) = result?;
    Ok(Report {
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
        dry_run: opts.dry_run,
    })
}

/// Attaches each reply to the customer message it answers (following replies to replies), then
/// writes the completed complaints. Rows are counted by what happened to their complaint.
#[allow(clippy::too_many_arguments)]
fn link_replies(
    tx: &rusqlite::Transaction,
    import_id: i64,
    source: &str,
    file: &str,
    now: i64,
    inbound: Vec<(u64, Complaint, [u8; 32])>,
    replies: Vec<(u64, Reply, ByteRecord)>,
    counts: &mut Counts,
    rejects: &mut Rejects,
) -> Result<(), String> {
    let inbound_ids: HashMap<&str, usize> = inbound
        .iter()
        .enumerate()
        .map(|(i, (_, c, _))| (c.external_id.as_str(), i))
        .collect();
    let reply_parent: HashMap<&str, &str> = replies
        .iter()
        .map(|(_, r, _)| (r.id.as_str(), r.reply_to.as_str()))
        .collect();
    let mut attached: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut to_stored: HashMap<String, Vec<usize>> = HashMap::new();
    for (ri, (line, r, rec)) in replies.iter().enumerate() {
        let mut root = r.reply_to.as_str();
        let mut hops = 0;
        while let Some(parent) = reply_parent.get(root) {
            root = parent;
            hops += 1;
            if hops > 100 {
                break;
            }
        }
        if let Some(&i) = inbound_ids.get(root) {
            attached.entry(i).or_default().push(ri);
            continue;
        }
        let stored: Option<i64> = tx
            .query_row(
                "SELECT id FROM complaints WHERE source = ?1 AND external_id = ?2",
                rusqlite::params![source, root],
                |row| row.get(0),
            )
            .ok();
        if stored.is_some() {
            to_stored.entry(root.to_string()).or_default().push(ri);
        } else {
            counts.rejected += 1;
            rejects
                .add(
                    *line,
                    &format!(
                        "answers message {root:?}, which is neither in this file nor in the store"
                    ),
                    lossy(rec),
                )
                .map_err(|e| e.to_string())?;
        }
    }
    let apply = |c: &mut Complaint, idx: &[usize]| {
        let mut rs: Vec<&Reply> = idx.iter().map(|&i| &replies[i].1).collect();
        rs.sort_by_key(|r| r.at);
        c.response_text = Some(
            rs.iter()
                .map(|r| r.text.as_str())
                .collect::<Vec<_>>()
                .join("\n\n"),
        );
        c.responded_at = rs.first().map(|r| r.at);
        c.responder = rs.first().and_then(|r| r.author.clone());
    };
    let tally = |outcome: Upsert, rows: u64, counts: &mut Counts| match outcome {
        Upsert::Inserted => counts.inserted += rows,
        Upsert::Updated => counts.updated += rows,
        Upsert::Unchanged => counts.unchanged += rows,
        Upsert::Duplicate { .. } => counts.rejected += rows,
    };
    for (i, (line, mut c, _)) in inbound.into_iter().enumerate() {
        let idx = attached.remove(&i).unwrap_or_default();
        if !idx.is_empty() {
            apply(&mut c, &idx);
        }
        let h = c.content_hash();
        let outcome =
            sc::upsert(tx, import_id, &c, &h, file, line, now).map_err(|e| e.to_string())?;
        if let Upsert::Duplicate { first_line } = outcome {
            rejects
                .add(
                    line,
                    &format!(
                        "{:?} appears again: it was first on line {first_line} of this file",
                        c.external_id
                    ),
                    Vec::new(),
                )
                .map_err(|e| e.to_string())?;
        }
        tally(outcome, 1 + idx.len() as u64, counts);
    }
    for (root, idx) in to_stored {
        let mut c = crate::store::queries::complaint_by_key(tx, source, &root)
            .map_err(|e| e.to_string())?;
        apply(&mut c, &idx);
        let h = c.content_hash();
        let line = replies[idx[0]].0;
        let outcome =
            sc::upsert(tx, import_id, &c, &h, file, line, now).map_err(|e| e.to_string())?;
        tally(outcome, idx.len() as u64, counts);
    }
    Ok(())
}
