//! Reading an export's bytes: encoding, BOM, and the decoded text stream the CSV parser reads.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use encoding_rs::{Encoding as RsEncoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Windows1252,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8 (BOM)",
            Encoding::Windows1252 => "windows-1252",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
        }
    }

    /// `--encoding` values.
    pub fn from_flag(s: &str) -> Option<Encoding> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "windows-1252" | "cp1252" | "latin1" | "latin-1" | "iso-8859-1" => {
                Some(Encoding::Windows1252)
            }
            "utf-16le" | "utf16le" => Some(Encoding::Utf16Le),
            "utf-16be" | "utf16be" => Some(Encoding::Utf16Be),
            _ => None,
        }
    }

    fn transcoder(self) -> Option<&'static RsEncoding> {
        match self {
            Encoding::Utf8 | Encoding::Utf8Bom => None,
            Encoding::Windows1252 => Some(WINDOWS_1252),
            Encoding::Utf16Le => Some(UTF_16LE),
            Encoding::Utf16Be => Some(UTF_16BE),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the file is empty")]
    Empty,
    #[error(
        "this is a binary file, not a CSV export ({0} of its first {1} bytes are control bytes)"
    )]
    Binary(usize, usize),
    #[error("this is {0}, not a CSV export: {1}")]
    Packed(&'static str, &'static str),
    #[error("the file holds no text: only {0}")]
    Blank(&'static str),
    #[error("this looks like UTF-16 text without a byte-order mark: say so with --encoding {0}")]
    Utf16NoBom(&'static str),
    #[error("this is {0}, not a file: {1}")]
    NotAFile(&'static str, &'static str),
}

/// Formats a CSV export is often mistaken for, by their first bytes.
const PACKED: &[(&[u8], &str, &str)] = &[
    (
        b"PK\x03\x04",
        "a ZIP archive (an Excel .xlsx workbook is one too)",
        "unzip it, or save the sheet as CSV",
    ),
    (
        b"PK\x05\x06",
        "an empty ZIP archive",
        "export the data as CSV",
    ),
    (
        b"\x1f\x8b",
        "a gzip-compressed file",
        "decompress it first (gunzip)",
    ),
    (
        b"BZh",
        "a bzip2-compressed file",
        "decompress it first (bunzip2)",
    ),
    (
        b"\xfd7zXZ\x00",
        "an xz-compressed file",
        "decompress it first (unxz)",
    ),
    (
        b"(\xb5/\xfd",
        "a zstd-compressed file",
        "decompress it first (unzstd)",
    ),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "extract it first"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an Excel 97-2003 workbook (.xls)",
        "save the sheet as CSV",
    ),
    (b"%PDF-", "a PDF document", "export the data as CSV"),
    (
        b"SQLite format 3\x00",
        "an SQLite database",
        "export the table as CSV",
    ),
];

/// The size of a regular file (or what it points to); anything else (a folder, a pipe, a
/// device) is refused by name: the import reads a file several times, and a pipe only once.
pub fn regular_file_size(path: &Path) -> Result<u64, DecodeError> {
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        return Ok(meta.len());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        const SAVE: &str = "the import reads a file more than once, so save it to a file first";
        let t = meta.file_type();
        if t.is_fifo() {
            return Err(DecodeError::NotAFile("a pipe", SAVE));
        }
        if t.is_char_device() || t.is_block_device() {
            return Err(DecodeError::NotAFile("a device", SAVE));
        }
        if t.is_socket() {
            return Err(DecodeError::NotAFile("a socket", SAVE));
        }
    }
    if meta.is_dir() {
        return Err(DecodeError::NotAFile(
            "a folder",
            "name the export files in it",
        ));
    }
    Err(DecodeError::NotAFile(
        "something else",
        "name an export file",
    ))
}

/// Reads the whole file once to tell UTF-8 from Windows-1252: a file that is valid UTF-8 (after
/// an optional BOM) is UTF-8. Mostly-valid UTF-8 with a few bad bytes stays UTF-8, so the
/// records holding those bytes are rejected by name rather than the whole file being misread.
pub fn sniff(path: &Path) -> Result<Encoding, DecodeError> {
    match sniff_head(path)? {
        head @ (Encoding::Utf8 | Encoding::Utf8Bom) => scan_verdict(path, head),
        other => Ok(other),
    }
}

/// What the first 8 KB tell: UTF-16 by its BOM, an empty, blank, packed or binary file, or
/// UTF-8 (with or without BOM) — which only [`sniff`], reading the whole file, can confirm.
/// (When those 8 KB are not UTF-8 already, it reads the whole file.) A file whose every byte
/// turns out to be UTF-8 is UTF-8 whatever else, so a reader that checks every byte anyway
/// need not sniff.
pub fn sniff_head(path: &Path) -> Result<Encoding, DecodeError> {
    let mut f = File::open(path)?;
    let mut head = [0u8; HEAD];
    let n = read_full(&mut f, &mut head)?;
    let head = &head[..n];
    if n == 0 {
        return Err(DecodeError::Empty);
    }
    if let Some((_, what, hint)) = PACKED.iter().find(|(magic, ..)| head.starts_with(magic)) {
        return Err(DecodeError::Packed(what, hint));
    }
    if n < HEAD {
        // The whole file is in hand: one with no text at all says so.
        if let Some(e) = blank(head) {
            return Err(e);
        }
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return Ok(Encoding::Utf16Le);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Ok(Encoding::Utf16Be);
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    if control * 20 > n {
        return Err(match utf16_without_bom(head) {
            Some(flag) => DecodeError::Utf16NoBom(flag),
            None => DecodeError::Binary(control, n),
        });
    }
    let bom = head.starts_with(&[0xEF, 0xBB, 0xBF]);
    let enc = if bom {
        Encoding::Utf8Bom
    } else {
        Encoding::Utf8
    };
    match std::str::from_utf8(head) {
        // A sequence cut off by the end of the 8 KB says nothing.
        Err(e) if e.error_len().is_some() => scan_verdict(path, enc),
        _ => Ok(enc),
    }
}

/// How much of a file's start [`sniff_head`] reads.
const HEAD: usize = 8192;

/// Text in UTF-16 without its BOM: mostly ASCII, so one byte of nearly every pair is zero.
fn utf16_without_bom(head: &[u8]) -> Option<&'static str> {
    let pairs = head.len() / 2;
    let zeros = |first: usize| {
        head.chunks_exact(2)
            .filter(|p| p[first] == 0 && p[1 - first] != 0)
            .count()
    };
    let most = |k: usize| pairs >= 8 && k * 10 >= pairs * 9;
    if most(zeros(1)) {
        Some("utf-16le")
    } else if most(zeros(0)) {
        Some("utf-16be")
    } else {
        None
    }
}

/// A file that is only a byte-order mark, or only blank lines, in UTF-8 or UTF-16.
fn blank(all: &[u8]) -> Option<DecodeError> {
    let (bom, rest, unit) = if let Some(r) = all.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        (true, r, 1)
    } else if let Some(r) = all
        .strip_prefix(&[0xFF, 0xFE])
        .or_else(|| all.strip_prefix(&[0xFE, 0xFF]))
    {
        (true, r, 2)
    } else {
        (false, all, 1)
    };
    if rest.is_empty() {
        return bom.then_some(DecodeError::Blank("a byte-order mark"));
    }
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c);
    let all_space = match unit {
        1 => rest.iter().all(space),
        _ => rest.iter().all(|b| *b == 0 || space(b)),
    };
    all_space.then_some(DecodeError::Blank("blank lines"))
}

/// UTF-8 (as `head` says, with or without BOM) if the whole file is, or mostly is.
fn scan_verdict(path: &Path, head: Encoding) -> Result<Encoding, DecodeError> {
    let f = File::open(path)?;
    let (valid_multibyte, invalid) = scan_utf8(BufReader::with_capacity(1 << 20, f))?;
    Ok(if invalid == 0 || valid_multibyte > invalid * 4 {
        head
    } else {
        Encoding::Windows1252
    })
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Counts valid multi-byte UTF-8 sequences and invalid bytes, streaming.
fn scan_utf8(mut r: impl Read) -> std::io::Result<(u64, u64)> {
    let mut buf = vec![0u8; 1 << 20];
    let mut carry = 0usize;
    let (mut valid_mb, mut invalid) = (0u64, 0u64);
    loop {
        let n = r.read(&mut buf[carry..])?;
        let end = carry + n;
        let eof = n == 0;
        let mut i = 0;
        while i < end {
            match std::str::from_utf8(&buf[i..end]) {
                Ok(s) => {
                    valid_mb += count_multibyte(s.as_bytes());
                    i = end;
                }
                Err(e) => {
                    let good = e.valid_up_to();
                    valid_mb += count_multibyte(&buf[i..i + good]);
                    i += good;
                    match e.error_len() {
                        Some(bad) => {
                            invalid += 1;
                            i += bad;
                        }
                        None if eof => {
                            invalid += 1;
                            i = end;
                        }
                        None => break,
                    }
                }
            }
        }
        if eof {
            break;
        }
        // Keep an incomplete trailing sequence for the next read.
        buf.copy_within(i..end, 0);
        carry = end - i;
    }
    Ok((valid_mb, invalid))
}

fn count_multibyte(b: &[u8]) -> u64 {
    b.iter().filter(|&&c| c >= 0xC0).count() as u64
}

/// The file as a UTF-8 byte stream (BOM removed, line endings made LF), ready for the CSV
/// parser.
pub fn open_decoded(path: &Path, enc: Encoding) -> std::io::Result<Box<dyn Read + Send>> {
    let mut f = File::open(path)?;
    match enc.transcoder() {
        None => {
            if enc == Encoding::Utf8Bom {
                f.seek(SeekFrom::Start(3))?;
            }
            Ok(Box::new(Newlines::new(f)))
        }
        Some(e) => Ok(Box::new(Newlines::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(e))
                .bom_override(true)
                .build(f),
        ))),
    }
}

/// Turns CRLF and lone CR into LF. Fields keep LF line breaks either way (the mapper normalises
/// them), and the CSV parser then counts lines the way an editor does. Works in the caller's
/// buffer: the text is not copied once more on its way to the parser.
pub struct Newlines<R> {
    inner: R,
    /// The last byte handed out was a CR: an LF that follows belongs to it.
    after_cr: bool,
}

impl<R: Read> Newlines<R> {
    pub fn new(inner: R) -> Self {
        Newlines {
            inner,
            after_cr: false,
        }
    }
}

impl<R: Read> Read for Newlines<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let n = self.inner.read(out)?;
            if n == 0 {
                return Ok(0);
            }
            let mut r = usize::from(self.after_cr && out[0] == b'\n');
            self.after_cr = false;
            let mut w = 0;
            while let Some(i) = memchr::memchr(b'\r', &out[r..n]) {
                if w != r {
                    out.copy_within(r..r + i, w);
                }
                w += i;
                out[w] = b'\n';
                w += 1;
                r += i + 1;
                if r == n {
                    self.after_cr = true;
                    break;
                }
                if out[r] == b'\n' {
                    r += 1;
                }
            }
            if r < n {
                if w != r {
                    out.copy_within(r..n, w);
                }
                w += n - r;
            }
            if w > 0 {
                return Ok(w);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniff_bytes(b: &[u8]) -> Result<Encoding, DecodeError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("f.csv");
        std::fs::write(&p, b).expect("write");
        sniff(&p)
    }

    #[test]
    fn encodings_are_told_apart() {
        assert_eq!(
            sniff_bytes("a,b\nJosé,1\n".as_bytes()).ok(),
            Some(Encoding::Utf8)
        );
        assert_eq!(
            sniff_bytes(b"\xEF\xBB\xBFa,b\n").ok(),
            Some(Encoding::Utf8Bom)
        );
        assert_eq!(
            sniff_bytes(b"a,b\nJos\xe9 \x80,1\n").ok(),
            Some(Encoding::Windows1252)
        );
        assert_eq!(sniff_bytes(b"\xFF\xFEa\0,\0").ok(), Some(Encoding::Utf16Le));
        assert!(matches!(sniff_bytes(b""), Err(DecodeError::Empty)));
        assert!(matches!(
            sniff_bytes(&[0u8, 1, 2, 3, 4, 5, 6, 7, 8]),
            Err(DecodeError::Binary(..))
        ));
        assert!(matches!(
            sniff_bytes(b"PK\x03\x04\x14\0"),
            Err(DecodeError::Packed(..))
        ));
        assert!(matches!(
            sniff_bytes(b"\xEF\xBB\xBF"),
            Err(DecodeError::Blank(_))
        ));
        assert!(matches!(
            sniff_bytes(b"\n \r\n\t"),
            Err(DecodeError::Blank(_))
        ));
        assert!(matches!(
            sniff_bytes(b"a\0,\0b\0\n\0c\0,\0d\0\n\0e\0,\0f\0\n\0"),
            Err(DecodeError::Utf16NoBom("utf-16le"))
        ));
    }

    #[test]
    fn windows_1252_is_transcoded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("f.csv");
        std::fs::write(&p, b"caf\xe9 \x80 \x92").expect("write");
        let mut s = String::new();
        open_decoded(&p, Encoding::Windows1252)
            .expect("open")
            .read_to_string(&mut s)
            .expect("read");
        assert_eq!(s, "café € ’");
    }

    #[test]
    fn line_endings_become_lf_across_reads() {
        let data = b"a\r\nb\rc\n\r\nd".repeat(300_000);
        let mut out = Vec::new();
        Newlines::new(&data[..])
            .read_to_end(&mut out)
            .expect("read");
        assert_eq!(out, b"a\nb\nc\n\nd".repeat(300_000));
    }

    #[test]
    fn utf8_split_across_reads_is_not_counted_invalid() {
        let mut data = vec![b'a'; (1 << 20) - 1];
        data.extend_from_slice("é".as_bytes());
        let (mb, bad) = scan_utf8(&data[..]).expect("scan");
        assert_eq!((mb, bad), (1, 0));
    }
}
