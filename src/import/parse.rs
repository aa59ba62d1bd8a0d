//! The reading side of an import: the records after the header, mapped and validated, in
//! batches — made on a thread of their own, or on the writer's when there is one core.

use std::collections::HashMap;
use std::io::Read;
use std::sync::mpsc;

use csv::ByteRecord;

use super::mapping::{Mapped, Mapper};
use super::records::Records;
use crate::domain::Complaint;

/// A CSV reader over decoded text: records of any length, no header handling.
pub(super) fn reader<R: Read>(r: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(1 << 20)
        .from_reader(r)
}

/// One record as read, and what it maps to (with the complaint's content hash), or the reason
/// it is rejected; or why the file cannot be read on.
#[allow(clippy::large_enum_variant)]
pub(super) enum Item {
    Record {
        line: u64,
        byte: u64,
        rec: ByteRecord,
        result: Result<(Mapped, [u8; 32]), String>,
    },
    /// The last record, which the end of the file cut off inside a quoted field that opened
    /// on line `opened`: incomplete, whatever it maps to.
    Cut {
        line: u64,
        opened: u64,
        rec: ByteRecord,
    },
    Fatal(String),
}

impl Item {
    /// The complaint a record mapped to, if it did.
    pub(super) fn complaint(&self) -> Option<&Complaint> {
        match self {
            Item::Record {
                result: Ok((Mapped::Complaint(c), _)),
                ..
            } => Some(c),
            _ => None,
        }
    }
}

/// The loader's search indexer reads a written batch's inserted complaints in place.
impl crate::store::loader::Batch for Vec<Item> {
    fn complaint(&self, slot: u32) -> Option<&Complaint> {
        self.get(slot as usize).and_then(Item::complaint)
    }
}

/// Reads, maps and validates the records after the header, a batch at a time.
pub(super) struct Parser<'a> {
    rdr: Records<Box<dyn Read + Send>>,
    header_index: usize,
    /// Records read so far, the header and any lines before it included.
    index: usize,
    mapper: Mapper,
    division: &'a (dyn Fn(&str) -> String + Sync),
    /// Records and complaints of written batches, to fill again: a large import then allocates
    /// little per row.
    records: Vec<ByteRecord>,
    complaints: Vec<Complaint>,
    /// The configured name of each division name the export uses: a handful of values.
    divisions: HashMap<String, String>,
    /// Every record read so far is valid UTF-8: then so is the file (its other bytes are
    /// delimiters, quotes and line breaks), whatever its first bytes suggested.
    utf8: bool,
    done: bool,
    /// Fields longer than this are left out and their record rejected.
    max_field: usize,
}

impl<'a> Parser<'a> {
    /// A parser of `text`, the file's decoded stream from its first byte.
    pub(super) fn new(
        text: Box<dyn Read + Send>,
        delimiter: u8,
        header_index: usize,
        mapper: Mapper,
        division: &'a (dyn Fn(&str) -> String + Sync),
        max_field: usize,
    ) -> Parser<'a> {
        Parser {
            rdr: Records::new(text, delimiter, max_field),
            max_field,
            header_index,
            index: 0,
            mapper,
            division,
            records: Vec::new(),
            complaints: Vec::new(),
            divisions: HashMap::new(),
            utf8: true,
            done: false,
        }
    }

    /// Takes a written batch back, keeping its records and complaints to fill again.
    pub(super) fn recycle(&mut self, used: &mut Vec<Item>) {
        for item in used.drain(..) {
            match item {
                Item::Record { rec, result, .. } => {
                    self.records.push(rec);
                    if let Ok((Mapped::Complaint(c), _)) = result {
                        self.complaints.push(c);
                    }
                }
                Item::Cut { rec, .. } => self.records.push(rec),
                Item::Fatal(_) => {}
            }
        }
    }

    /// Adds up to `n` items to `batch`; false once the file is read or has failed (the last
    /// item then says why).
    pub(super) fn fill(&mut self, batch: &mut Vec<Item>, n: usize) -> bool {
        while !self.done && batch.len() < n {
            let mut rec = self.records.pop().unwrap_or_default();
            match self.rdr.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => self.done = true,
                Err(e) => {
                    self.done = true;
                    let line = self.rdr.position().line();
                    batch.push(Item::Fatal(format!("line {line}: {e}")));
                }
            }
            if self.done {
                break;
            }
            self.index += 1;
            if let Some(opened) = self.rdr.cut_short() {
                // The end of the file: nothing follows this record.
                self.done = true;
                let line = rec.position().map_or(0, |p| p.line());
                batch.push(if self.index <= self.header_index + 1 {
                    Item::Fatal(format!("line {line}: {}", cut_short(opened)))
                } else {
                    Item::Cut { line, opened, rec }
                });
                break;
            }
            if self.index <= self.header_index + 1 {
                self.utf8 &= is_utf8(&rec);
                continue;
            }
            batch.push(self.item(rec));
        }
        !self.done
    }

    fn item(&mut self, rec: ByteRecord) -> Item {
        let (line, byte) = rec.position().map_or((0, 0), |p| (p.line(), p.byte()));
        let span = self.rdr.position().line().saturating_sub(line);
        if let Some(o) = self.rdr.oversized() {
            let column = self
                .mapper
                .header()
                .get(o.column)
                .map_or_else(|| format!("{}", o.column + 1), |h| format!("{h:?}"));
            return Item::Record {
                line,
                byte,
                rec,
                result: Err(format!(
                    "column {column}: the field holds {} bytes, more than import.max_field_bytes \
                     ({}) allows; it was not read",
                    o.bytes, self.max_field
                )),
            };
        }
        let spare = self.complaints.pop().unwrap_or_default();
        let result = match self.mapper.map_reusing(&rec, spare) {
            Ok(Mapped::Complaint(mut c)) => {
                self.canonical_division(&mut c.division);
                let h = c.content_hash();
                Ok((Mapped::Complaint(c), h))
            }
            Ok(Mapped::Message(mut m)) => {
                self.canonical_division(&mut m.complaint.division);
                Ok((Mapped::Message(m), [0u8; 32]))
            }
            Err(reason) if !is_utf8(&rec) => {
                self.utf8 = false;
                Err(reason)
            }
            Err(reason) if span > 1 && reason.starts_with("expected") => Err(format!(
                "{reason}; the record runs from line {line} to line {}: is a quote left open?",
                line + span - 1
            )),
            Err(reason) => Err(reason),
        };
        Item::Record {
            line,
            byte,
            rec,
            result,
        }
    }

    /// Renames the export's division to the configured one, remembering the answers.
    fn canonical_division(&mut self, d: &mut String) {
        match self.divisions.get(d.as_str()) {
            Some(c) if c == d => {}
            Some(c) => {
                d.clear();
                d.push_str(c);
            }
            None => {
                let c = (self.division)(d);
                if self.divisions.len() < 1024 {
                    self.divisions.insert(d.clone(), c.clone());
                }
                *d = c;
            }
        }
    }

    /// The parser thread: sends batches of `n` until the file is read or the writer stops;
    /// then whether every record was UTF-8.
    fn run(
        mut self,
        n: usize,
        out: mpsc::SyncSender<Vec<Item>>,
        spent: mpsc::Receiver<Vec<Item>>,
    ) -> bool {
        loop {
            let mut batch = None;
            while let Ok(mut used) = spent.try_recv() {
                self.recycle(&mut used);
                batch.get_or_insert(used);
            }
            let mut batch = batch.unwrap_or_else(|| Vec::with_capacity(n));
            let more = self.fill(&mut batch, n);
            if !batch.is_empty() && out.send(batch).is_err() || !more {
                return self.utf8;
            }
        }
    }
}

/// What a file that ends inside a quoted field is told.
pub(super) fn cut_short(opened: u64) -> String {
    format!("the file ends inside a quoted field opened on line {opened}: it looks cut short")
}

/// A record that mapped is text; one that did not may be why.
fn is_utf8(rec: &ByteRecord) -> bool {
    rec.iter().all(|f| std::str::from_utf8(f).is_ok())
}

/// Where the writer gets its batches of `n` items: from the parser thread, or by parsing them
/// itself. Written batches go back to the parser through `spent` (whoever finishes with them
/// sends them), to be freed on the thread that allocated them, or filled again.
pub(super) enum Batches<'a, 'scope> {
    Thread(
        mpsc::Receiver<Vec<Item>>,
        std::thread::ScopedJoinHandle<'scope, bool>,
    ),
    Inline {
        parser: Box<Parser<'a>>,
        n: usize,
        spent: mpsc::Receiver<Vec<Item>>,
        more: bool,
    },
}

impl<'a, 'scope> Batches<'a, 'scope> {
    pub(super) fn start(
        scope: &'scope std::thread::Scope<'scope, '_>,
        parser: Parser<'a>,
        n: usize,
        spent: mpsc::Receiver<Vec<Item>>,
        thread: bool,
    ) -> std::io::Result<Batches<'a, 'scope>>
    where
        'a: 'scope,
    {
        if !thread {
            return Ok(Batches::Inline {
                parser: Box::new(parser),
                n,
                spent,
                more: true,
            });
        }
        // A few batches in flight keep both threads busy; more would only hold memory.
        let (out, batches) = mpsc::sync_channel::<Vec<Item>>(4);
        let handle = std::thread::Builder::new()
            .name("import-parse".into())
            .spawn_scoped(scope, move || parser.run(n, out, spent))?;
        Ok(Batches::Thread(batches, handle))
    }

    /// Whether every record was UTF-8; once [`Batches::next`] has returned None.
    pub(super) fn all_utf8(self) -> bool {
        match self {
            Batches::Thread(batches, handle) => {
                drop(batches);
                handle.join().unwrap_or(false)
            }
            Batches::Inline { parser, .. } => parser.utf8,
        }
    }

    pub(super) fn next(&mut self) -> Option<Vec<Item>> {
        match self {
            Batches::Thread(batches, _) => batches.recv().ok(),
            Batches::Inline {
                parser,
                n,
                spent,
                more,
            } => {
                if !*more {
                    return None;
                }
                let mut batch = None;
                while let Ok(mut used) = spent.try_recv() {
                    parser.recycle(&mut used);
                    batch.get_or_insert(used);
                }
                let mut batch = batch.unwrap_or_else(|| Vec::with_capacity(*n));
                *more = parser.fill(&mut batch, *n);
                Some(batch)
            }
        }
    }
}
