//! The first rows of an export read without a profile, for drafting one. Decoding is the
//! importer's (encoding, BOM, line endings, quoting); the header is found by the shape of the
//! rows after it, since there is no profile yet whose column names could find it.

use std::io::Read;
use std::path::Path;

use csv::ByteRecord;

use super::decode::{open_decoded, regular_file_size, sniff, DecodeError, Encoding};
use super::parse::reader;

/// How much of the file's start is read: enough for a sample, never the whole of a big file.
const PEEK_BYTES: u64 = 1 << 20;
/// The delimiters the importer tries, in its order.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

#[derive(Debug, thiserror::Error)]
pub enum PeekError {
    #[error("{0}")]
    Decode(#[from] DecodeError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("no line among the first {0} looks like a header: no delimiter (comma, semicolon, tab, pipe) splits it into columns that the rows after it share; name one with --delimiter")]
    NoHeader(usize),
}

/// What the start of a file shows.
#[derive(Debug, Clone)]
pub struct Peek {
    pub encoding: Encoding,
    pub delimiter: u8,
    /// The line the header starts on (1-based, stray lines before it counted).
    pub header_line: u64,
    pub header: Vec<String>,
    /// The rows after the header that have as many fields as it, up to the limit asked for.
    pub rows: Vec<Vec<String>>,
    /// Rows read with a different number of fields (the import would reject them).
    pub ragged: usize,
}

/// A record and the line it starts on.
type Line = (u64, Vec<String>);

/// Reads the start of `path`: its encoding (unless given), delimiter (unless given), the
/// header among the first `search_lines` lines, and up to `max_rows` rows after it.
pub fn peek(
    path: &Path,
    encoding: Option<Encoding>,
    delimiter: Option<u8>,
    search_lines: usize,
    max_rows: usize,
) -> Result<Peek, PeekError> {
    regular_file_size(path)?;
    let encoding = match encoding {
        Some(e) => e,
        None => sniff(path)?,
    };
    let mut text = Vec::new();
    open_decoded(path, encoding)?
        .take(PEEK_BYTES)
        .read_to_end(&mut text)?;
    let cut_short = text.len() as u64 == PEEK_BYTES;
    let delimiters: Vec<u8> = match delimiter {
        Some(d) => vec![d],
        None => DELIMITERS.to_vec(),
    };
    let mut best: Option<(u8, usize, Vec<Line>)> = None;
    for d in delimiters {
        let mut records = read_records(&text, d, search_lines + max_rows);
        if cut_short {
            // The last record may end beyond what was read.
            records.pop();
        }
        let Some(at) = header_index(&records, search_lines) else {
            continue;
        };
        let width = records[at].1.len();
        if best.as_ref().is_none_or(|(_, w, _)| width > *w) {
            best = Some((d, width, records[at..].to_vec()));
        }
    }
    let Some((delimiter, width, mut records)) = best else {
        return Err(PeekError::NoHeader(search_lines));
    };
    let (header_line, header) = records.remove(0);
    let header = header
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let ragged = records.iter().filter(|(_, r)| r.len() != width).count();
    let rows = records
        .into_iter()
        .map(|(_, r)| r)
        .filter(|r| r.len() == width)
        .take(max_rows)
        .collect();
    Ok(Peek {
        encoding,
        delimiter,
        header_line,
        header,
        rows,
        ragged,
    })
}

fn read_records(text: &[u8], delimiter: u8, limit: usize) -> Vec<Line> {
    let mut rdr = reader(text, delimiter);
    let mut rec = ByteRecord::new();
    let mut out = Vec::new();
    while out.len() < limit {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => out.push((
                rec.position().map_or(0, |p| p.line()),
                rec.iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect(),
            )),
            _ => break,
        }
    }
    out
}

/// The header: the first record among the first `search_lines` lines with at least two
/// fields, all named, whose number of fields most of the records after it share. A file with
/// a header and no rows has its first such record as the header.
fn header_index(records: &[Line], search_lines: usize) -> Option<usize> {
    records
        .iter()
        .enumerate()
        .take_while(|(_, (line, _))| *line as usize <= search_lines)
        .find(|(i, (_, fields))| {
            let width = fields.len();
            if width < 2 || fields.iter().any(|f| f.trim().is_empty()) {
                return false;
            }
            let after = &records[i + 1..];
            let same = after.iter().filter(|(_, r)| r.len() == width).count();
            after.is_empty() || same * 2 > after.len()
        })
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peek_text(text: &str) -> Result<Peek, PeekError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("f.csv");
        std::fs::write(&p, text).expect("write");
        peek(&p, None, None, 20, 100)
    }

    #[test]
    fn finds_the_header_after_stray_lines_and_the_delimiter() {
        let p = peek_text("Export of 2026-11-20\n\nby: ops, weekly\nId;When;Text\n1;2026-11-20;a, b\n2;2026-11-21;c\n")
            .expect("peek");
        assert_eq!(p.delimiter, b';');
        assert_eq!(p.header_line, 4);
        assert_eq!(p.header, ["Id", "When", "Text"]);
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0][2], "a, b");
    }

    #[test]
    fn quoted_line_breaks_and_ragged_rows() {
        let p = peek_text("\u{feff}a,b,c\r\n1,\"x\r\ny\",3\r\n2,3\r\n4,5,6\r\n").expect("peek");
        assert_eq!(p.header, ["a", "b", "c"]);
        assert_eq!(p.rows, [["1", "x\ny", "3"], ["4", "5", "6"]]);
        assert_eq!(p.ragged, 1);
    }

    #[test]
    fn one_column_is_no_header() {
        assert!(matches!(
            peek_text("just\nwords\nhere\n"),
            Err(PeekError::NoHeader(20))
        ));
        assert!(matches!(peek_text(""), Err(PeekError::Decode(_))));
    }
}
