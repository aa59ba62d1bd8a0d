//! CSV records read with a cap on each field: a field longer than the cap is not kept (its
//! record is then rejected, naming the column), so a file with one enormous field imports the
//! rest of its rows in bounded memory instead of holding that field whole. It also tells a
//! file that ends inside a quoted field (cut short, most likely) from one that ends cleanly:
//! csv_core reads both alike.

use std::io::Read;

use csv::{ByteRecord, Position};
use csv_core::ReadFieldResult;

/// What the CSV reader keeps of input at a time.
const INPUT_BYTES: usize = 1 << 20;
/// A field's buffer grows in steps up to the cap; most fields fit the first.
const FIRST_FIELD_BYTES: usize = 4096;

/// A field longer than the cap: its column (0-based) and how long it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Oversized {
    pub column: usize,
    pub bytes: u64,
}

/// Reads records as `csv::Reader` does (no header handling, records of any length, the same
/// quoting rules and line counting), keeping no field longer than `max_field` bytes.
pub struct Records<R> {
    inner: R,
    core: csv_core::Reader,
    input: Box<[u8]>,
    start: usize,
    end: usize,
    eof: bool,
    field: Vec<u8>,
    max_field: usize,
    byte: u64,
    record: u64,
    oversized: Option<Oversized>,
    quoting: Quoting,
    cut_short: Option<u64>,
}

/// Where the field being read stands with its quotes, followed as csv_core reads it (quote
/// `"`, doubled to escape, no escape character), so that the end of the input inside a
/// quoted field can be told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    /// Nothing of the field read yet; at the start of a record, line breaks are blank lines.
    Start { record: bool },
    /// Inside a quoted field that opened on this line.
    Quoted { line: u64 },
    /// A quote inside a quoted field: doubled, or the closing one.
    Closing { line: u64 },
    /// An unquoted field, or a quoted one that has closed: quotes are text from here on.
    Plain,
}

impl Quoting {
    /// Follows the bytes csv_core consumed for the field; `line` is its line before them.
    fn follow(mut self, bytes: &[u8], line: u64) -> Quoting {
        let mut i = 0;
        while i < bytes.len() {
            self = match self {
                Quoting::Plain => return Quoting::Plain,
                Quoting::Start { record: true } if matches!(bytes[i], b'\r' | b'\n') => self,
                Quoting::Start { .. } if bytes[i] == b'"' => {
                    let breaks = memchr::memchr_iter(b'\n', &bytes[..i]).count() as u64;
                    Quoting::Quoted {
                        line: line + breaks,
                    }
                }
                Quoting::Start { .. } => return Quoting::Plain,
                Quoting::Quoted { line } => match memchr::memchr(b'"', &bytes[i..]) {
                    Some(at) => {
                        i += at;
                        Quoting::Closing { line }
                    }
                    None => return self,
                },
                Quoting::Closing { line } if bytes[i] == b'"' => Quoting::Quoted { line },
                Quoting::Closing { .. } => return Quoting::Plain,
            };
            i += 1;
        }
        self
    }
}

impl<R: Read> Records<R> {
    pub fn new(inner: R, delimiter: u8, max_field: usize) -> Records<R> {
        Records {
            inner,
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            input: vec![0; INPUT_BYTES].into_boxed_slice(),
            start: 0,
            end: 0,
            eof: false,
            field: vec![0; FIRST_FIELD_BYTES.min(max_field.max(1))],
            max_field,
            byte: 0,
            record: 0,
            oversized: None,
            quoting: Quoting::Start { record: true },
            cut_short: None,
        }
    }

    /// Where the reader is: the next record starts here.
    pub fn position(&self) -> Position {
        let mut p = Position::new();
        p.set_byte(self.byte)
            .set_line(self.core.line())
            .set_record(self.record);
        p
    }

    /// The first field of the last record read that was longer than the cap (it was read as
    /// empty).
    pub fn oversized(&self) -> Option<Oversized> {
        self.oversized
    }

    /// When the last record read ends because the input ended inside a quoted field: the line
    /// on which that field's quote opened. The record is then incomplete (its last field
    /// holds whatever the input had left), and the input was most likely cut short.
    pub fn cut_short(&self) -> Option<u64> {
        self.cut_short
    }

    /// Reads the next record into `rec`; false at the end of the input.
    pub fn read_byte_record(&mut self, rec: &mut ByteRecord) -> std::io::Result<bool> {
        rec.clear();
        rec.set_position(Some(self.position()));
        self.oversized = None;
        self.cut_short = None;
        let mut len = 0usize;
        let mut total = 0u64;
        let mut dropping = false;
        loop {
            if self.start == self.end && !self.eof {
                self.start = 0;
                self.end = read_some(&mut self.inner, &mut self.input)?;
                self.eof = self.end == 0;
            }
            let input = &self.input[self.start..self.end];
            let line = self.core.line();
            let (res, nin, nout) = self.core.read_field(input, &mut self.field[len..]);
            self.quoting = self.quoting.follow(&input[..nin], line);
            self.start += nin;
            self.byte += nin as u64;
            total += nout as u64;
            if !dropping {
                len += nout;
            }
            match res {
                ReadFieldResult::InputEmpty => {}
                ReadFieldResult::OutputFull => {
                    if dropping {
                        continue;
                    }
                    // One byte beyond the cap tells a field of exactly the cap from a longer one.
                    if len <= self.max_field {
                        let grown = (self.field.len() * 2).min(self.max_field + 1);
                        self.field.resize(grown.max(len + 1), 0);
                    } else {
                        // Past the cap: the rest of the field is read into the same space
                        // and let go.
                        dropping = true;
                        len = 0;
                    }
                }
                ReadFieldResult::Field { record_end } => {
                    // Only the end of the input ends a field that is still inside its quotes.
                    if let Quoting::Quoted { line } = self.quoting {
                        self.cut_short = Some(line);
                    }
                    self.quoting = Quoting::Start { record: record_end };
                    if dropping || len > self.max_field {
                        if self.oversized.is_none() {
                            self.oversized = Some(Oversized {
                                column: rec.len(),
                                bytes: total,
                            });
                        }
                        rec.push_field(b"");
                    } else {
                        rec.push_field(&self.field[..len]);
                    }
                    len = 0;
                    total = 0;
                    dropping = false;
                    if record_end {
                        self.record += 1;
                        return Ok(true);
                    }
                }
                ReadFieldResult::End => return Ok(false),
            }
        }
    }
}

fn read_some(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str, cap: usize) -> Vec<(u64, Vec<String>, Option<Oversized>)> {
        let mut r = Records::new(text.as_bytes(), b',', cap);
        let mut rec = ByteRecord::new();
        let mut out = Vec::new();
        while r.read_byte_record(&mut rec).expect("test") {
            let line = rec.position().expect("test").line();
            let fields = rec
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            out.push((line, fields, r.oversized()));
        }
        out
    }

    #[test]
    fn records_read_as_the_csv_crate_reads_them() {
        let text = "a,b\n\n\"x\ny\",\"q\"\"q\"\r\nlast,no eol";
        let mut theirs = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut mine = Records::new(text.as_bytes(), b',', 1 << 20);
        let (mut a, mut b) = (ByteRecord::new(), ByteRecord::new());
        loop {
            let more = theirs.read_byte_record(&mut a).expect("test");
            assert_eq!(mine.read_byte_record(&mut b).expect("test"), more);
            if !more {
                break;
            }
            assert_eq!(a, b);
            assert_eq!(a.position(), b.position());
            assert_eq!(theirs.position(), &mine.position());
        }
    }

    #[test]
    fn a_field_over_the_cap_is_left_out_and_named() {
        let big = "x".repeat(100);
        let text = format!("id,text\n1,{big}\n2,\"{big}\n{big}\"\n3,small\n");
        let got = all(&text, 64);
        assert_eq!(got.len(), 4);
        assert_eq!(
            got[1],
            (
                2,
                vec!["1".into(), String::new()],
                Some(Oversized {
                    column: 1,
                    bytes: 100
                })
            )
        );
        assert_eq!(got[2].2.map(|o| o.bytes), Some(201));
        assert_eq!(got[3], (5, vec!["3".into(), "small".into()], None));
        assert_eq!(all(&text, 100)[1].2, None);
    }

    /// The line each record starts on, and where its cut-short field opened if it has one.
    fn cuts(text: &str, chunk: usize) -> Vec<(u64, Option<u64>)> {
        // Read in small pieces too: a quote may fall on either side of a boundary.
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut r = Records::new(Trickle(text.as_bytes(), chunk), b',', 1 << 20);
        let mut rec = ByteRecord::new();
        let mut out = Vec::new();
        while r.read_byte_record(&mut rec).expect("test") {
            out.push((rec.position().expect("test").line(), r.cut_short()));
        }
        out
    }

    #[test]
    fn the_end_of_the_input_inside_quotes_is_told_apart() {
        for chunk in [1, 2, 3, 7, 1 << 20] {
            let cut = "id,text\n1,\"whole\"\r\n\n2,\"a \"\"quoted\"\" word,\nthen cut";
            assert_eq!(
                cuts(cut, chunk),
                [(1, None), (2, None), (2, Some(4))],
                "{chunk}"
            );
            let late = "id,text\n1,x\n2,y,\"\n\nmore";
            assert_eq!(cuts(late, chunk), [(1, None), (2, None), (3, Some(3))]);
            // Ends that are not cuts: a closed quote, a doubled quote, quotes as text.
            for whole in [
                "id,text\n1,\"closed\"",
                "id,text\n1,\"closed\"\n",
                "id,text\n1,\"ends with \"\"\"",
                "id,text\n1,a \"quote",
                "id,text\n1,\"closed\"then \"text",
                "id,text\n1,\"\"",
            ] {
                assert!(
                    cuts(whole, chunk).iter().all(|(_, c)| c.is_none()),
                    "{whole:?} in pieces of {chunk}"
                );
            }
        }
    }
}
