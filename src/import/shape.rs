//! A file's shape, read once from its start: encoding and BOM, delimiter, header line, profile,
//! and the date order of its date columns, all in one [`Shape`]. The import then streams the
//! file once more, from its first byte, for the records.

use std::io::{Cursor, Read};
use std::path::Path;

use chrono::FixedOffset;
use csv::ByteRecord;

use super::dates::{parse_offset, DateParser};
use super::decode::{
    decoded, head_encoding, read_full, DecodeError, Encoding, Scanned, SharedScan,
};
use super::mapping::Mapper;
use super::parse::reader;
use super::profile::{self, DateOrder, Profile};
use super::records::Records;
use super::run::{ImportError, Options};

/// Opens the file from its first byte: the import calls it once to read the shape and once to
/// stream the records.
pub type Open<'a> = dyn Fn() -> std::io::Result<Box<dyn Read + Send>> + 'a;

/// How much decoded text the header and delimiter are looked for in.
const SAMPLE_BYTES: usize = 256 * 1024;
/// Data records whose dates tell the date order (and, between profiles sharing a header, the
/// profile). A prefix suffices: the order is settled by the first date that reads only one way,
/// and a later date that reads only the other way is not misread but rejected with its row,
/// by line, when the records are mapped. The file is not read a second time to look further.
const PRESCAN_RECORDS: usize = 5000;
/// Data records whose dates choose between profiles that share a header.
const CHOICE_RECORDS: usize = 200;

/// What an import needs to know of a file before it reads its records.
pub(super) struct Shape {
    pub(super) encoding: Encoding,
    /// The encoding is a guess from the file's start (UTF-8 or Windows-1252), which the pass
    /// reading the records confirms on the way.
    pub(super) provisional: bool,
    pub(super) delimiter: u8,
    /// Index of the header among the parsed records (stray lines before it count).
    pub(super) header_index: usize,
    pub(super) header_line: u64,
    pub(super) header: Vec<String>,
    pub(super) profile: Profile,
    /// The profile was detected, not given.
    pub(super) auto: bool,
    /// Maps the records, its date parsers set to the file's date order.
    pub(super) mapper: Mapper,
}

/// What reading a file's start found.
pub(super) enum Sniffed {
    Shape(Box<Shape>),
    /// The file was read to its end, and it is in this encoding, not the one its first bytes
    /// suggested: read it again in this one.
    Again(Encoding),
}

/// A header found in the sample: (line, -columns, delimiter, record index, header, profiles).
type HeaderCandidate<'a> = (u64, i64, u8, usize, Vec<String>, Vec<&'a Profile>);

pub(super) fn lossy(rec: &ByteRecord) -> Vec<String> {
    rec.iter()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect()
}

/// The date values of the first data records, for one profile that matches the header.
#[derive(Default)]
struct Evidence {
    received: Vec<String>,
    /// How many of `received` come from the first [`CHOICE_RECORDS`] records.
    received_for_choice: usize,
    responded: Vec<String>,
}

/// Reads the shape of the file `open` opens (once), from its start: `encoding` when given,
/// else guessed from its first bytes.
pub(super) fn sniff(
    open: &Open,
    path: &Path,
    opts: &Options,
    encoding: Option<Encoding>,
    fail: &dyn Fn(String, bool) -> ImportError,
) -> Result<Sniffed, ImportError> {
    let io = |e: std::io::Error| fail(e.to_string(), false);
    let mut raw = open().map_err(io)?;
    let (enc, mut provisional, head) = match encoding {
        Some(e) => (e, false, Vec::new()),
        None => {
            let mut head = vec![0u8; super::decode::HEAD];
            let n = read_full(&mut raw, &mut head).map_err(io)?;
            head.truncate(n);
            let e = head_encoding(&head).map_err(|e| match e {
                DecodeError::Io(e) => io(e),
                other => fail(other.to_string(), false),
            })?;
            (e, e.confirmed_by_scan(), head)
        }
    };
    let raw = Cursor::new(head).chain(raw);
    let (mut text, scan) = if provisional {
        let (r, scan) = Scanned::new(raw);
        (decoded(r, enc).map_err(io)?, Some(scan))
    } else {
        (decoded(raw, enc).map_err(io)?, None)
    };
    let profiles = match &opts.profile {
        Some(p) => vec![profile::resolve(p, opts.profiles_dir.as_deref())
            .map_err(|e| fail(e.to_string(), true))?],
        None => profile::all_profiles(opts.profiles_dir.as_deref())
            .map_err(|e| fail(e.to_string(), true))?,
    };
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    (&mut text)
        .take(SAMPLE_BYTES as u64)
        .read_to_end(&mut sample)
        .map_err(io)?;
    let found = find_header(&profiles, &sample, opts, path, fail)?;
    let (header_line, _, delimiter, header_index, mut header, matching) = found;

    // The rest of the start: the header whole (the sample may end inside it), then the dates
    // of the first records.
    let mut rdr = Records::new(
        Cursor::new(&sample[..]).chain(&mut text),
        delimiter,
        opts.max_field_bytes,
    );
    let mut rec = ByteRecord::new();
    let mut whole = false;
    let mut broken = false;
    let mut full_header = None;
    for index in 0..=header_index {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) if index == header_index => full_header = Some(lossy(&rec)),
            Ok(true) => {}
            Ok(false) => whole = true,
            Err(_) => broken = true,
        }
        if whole || broken {
            break;
        }
    }
    if sample.len() == SAMPLE_BYTES {
        header = full_header.unwrap_or(header);
    }
    let mappers: Vec<Mapper> = matching
        .iter()
        .map(|p| mapper_for(p, &header, opts, p.dates.order))
        .collect();
    let columns: Vec<(Vec<usize>, Vec<usize>)> = mappers
        .iter()
        .map(|m| {
            (
                m.date_column("received_at").1,
                m.date_column("responded_at").1,
            )
        })
        .collect();
    let mut evidence: Vec<Evidence> = matching.iter().map(|_| Evidence::default()).collect();
    let mut records = 0;
    while !whole && !broken && records < PRESCAN_RECORDS {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => whole = true,
            Err(_) => break,
        }
        if whole {
            break;
        }
        records += 1;
        for ((received, responded), ev) in columns.iter().zip(&mut evidence) {
            let values = |idx: &[usize], out: &mut Vec<String>| {
                out.extend(
                    idx.iter()
                        .filter_map(|&c| rec.get(c))
                        .map(|v| String::from_utf8_lossy(v).into_owned()),
                )
            };
            values(received, &mut ev.received);
            values(responded, &mut ev.responded);
            if records <= CHOICE_RECORDS {
                ev.received_for_choice = ev.received.len();
            }
        }
    }
    drop(rdr);
    // Read to its end, the file gives the verdict on its encoding here and now.
    if let (true, Some(scan)) = (whole, &scan) {
        let verdict = verdict(scan);
        if verdict != enc {
            return Ok(Sniffed::Again(verdict));
        }
        provisional = false;
    }

    let auto = opts.profile.is_none();
    let chosen = if matching.len() == 1 {
        0
    } else {
        // Profiles that share a header (cfpb and cfpb-legacy) differ in their dates.
        let mut scored: Vec<(usize, usize)> = mappers
            .iter()
            .zip(&evidence)
            .enumerate()
            .map(|(i, (m, ev))| {
                let vals = &ev.received[..ev.received_for_choice];
                (
                    m.parsers().0.parse_count(vals.iter().map(String::as_str)),
                    i,
                )
            })
            .collect();
        scored.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
        scored[0].1
    };
    let profile = matching[chosen].clone();
    if let Some(problem) = profile.repeated_column(&header) {
        return Err(fail(format!("line {header_line}: {problem}"), false));
    }
    let order = opts.date_order.unwrap_or(profile.dates.order);
    let mut mapper = mapper_for(&profile, &header, opts, order);
    let ev = &evidence[chosen];
    for (field, vals) in [
        ("received_at", &ev.received),
        ("responded_at", &ev.responded),
    ] {
        let (col, idx) = mapper.date_column(field);
        if idx.is_empty() {
            continue;
        }
        let (r, s) = mapper.parsers_mut();
        let parser = if field == "received_at" { r } else { s };
        parser
            .detect_order(&col, vals.iter().map(String::as_str))
            .map_err(|e| fail(e.to_string(), false))?;
    }
    Ok(Sniffed::Shape(Box::new(Shape {
        encoding: enc,
        provisional,
        delimiter,
        header_index,
        header_line,
        header,
        profile,
        auto,
        mapper,
    })))
}

/// Finds the header line, the delimiter and the profiles that match, in the sample.
fn find_header<'p>(
    profiles: &'p [Profile],
    sample: &[u8],
    opts: &Options,
    path: &Path,
    fail: &dyn Fn(String, bool) -> ImportError,
) -> Result<HeaderCandidate<'p>, ImportError> {
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
        let mut rdr = reader(sample, d);
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
    best.ok_or_else(|| {
        let shown = first_line
            .map(|f| f.join(","))
            .unwrap_or_default()
            .chars()
            .take(120)
            .collect::<String>();
        let why = super::nomatch::message(
            profiles,
            opts.profile.is_some(),
            sample,
            &delimiters,
            search,
            &shown,
            path,
        );
        fail(why, false)
    })
}

/// The verdict of a whole file's scan on its encoding.
pub(super) fn verdict(scan: &SharedScan) -> Encoding {
    match scan.lock() {
        Ok(s) => s.verdict(),
        Err(poisoned) => poisoned.into_inner().verdict(),
    }
}

impl Shape {
    /// The file from its first byte, decoded, for the records; and, while the encoding is
    /// provisional, the scan that gives the verdict on it once the stream is read.
    pub(super) fn stream(
        &self,
        open: &Open,
    ) -> std::io::Result<(Box<dyn Read + Send>, Option<SharedScan>)> {
        let raw = open()?;
        if self.provisional {
            let (r, scan) = Scanned::new(raw);
            Ok((decoded(r, self.encoding)?, Some(scan)))
        } else {
            Ok((decoded(raw, self.encoding)?, None))
        }
    }
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
