//! Reading an export's bytes: encoding, BOM, and the decoded text stream the CSV parser reads.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};

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
    let mut f = File::open(path)?;
    let mut head = vec![0u8; HEAD];
    let n = read_full(&mut f, &mut head)?;
    head.truncate(n);
    let guess = head_encoding(&head)?;
    if !guess.confirmed_by_scan() {
        return Ok(guess);
    }
    let mut scan = Utf8Scan::default();
    scan.feed(&head);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match f.read(&mut buf)? {
            0 => break,
            k => scan.feed(&buf[..k]),
        }
    }
    Ok(scan.verdict())
}

/// What a file's first bytes (up to [`HEAD`] of them; fewer when that is the whole file) tell:
/// UTF-16 by its BOM; an empty, blank, packed or binary file; or UTF-8 (with or without BOM),
/// or Windows-1252 when those bytes are mostly not UTF-8 — a guess that only the whole file
/// confirms (see [`Utf8Scan`]). A file whose every byte turns out to be UTF-8 is UTF-8
/// whatever else, so a reader that checks every byte anyway need not look twice.
pub fn head_encoding(head: &[u8]) -> Result<Encoding, DecodeError> {
    let n = head.len();
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
        // A sequence cut off by the end of the head says nothing.
        Err(e) if e.error_len().is_some() => {
            let mut scan = Utf8Scan::default();
            scan.feed(head);
            Ok(scan.verdict())
        }
        _ => Ok(enc),
    }
}

impl Encoding {
    /// Whether this encoding, as [`head_encoding`] tells it, holds only once the whole file
    /// has been scanned: UTF-8 and Windows-1252 differ only in bytes a head may not show.
    pub fn confirmed_by_scan(self) -> bool {
        matches!(
            self,
            Encoding::Utf8 | Encoding::Utf8Bom | Encoding::Windows1252
        )
    }
}

/// How much of a file's start [`head_encoding`] reads.
pub const HEAD: usize = 8192;

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

pub(super) fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Counts valid multi-byte UTF-8 sequences and invalid bytes of a byte stream fed to it in
/// pieces of any size, for the verdict between UTF-8 and Windows-1252 on the whole file.
#[derive(Debug, Default, Clone)]
pub struct Utf8Scan {
    valid_multibyte: u64,
    invalid: u64,
    /// An incomplete sequence at the end of the last piece.
    carry: [u8; 4],
    carry_len: usize,
    /// The first bytes of the stream, for its BOM.
    first: [u8; 3],
    seen: usize,
}

impl Utf8Scan {
    pub fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes.iter().take(3usize.saturating_sub(self.seen)) {
            self.first[self.seen] = b;
            self.seen += 1;
        }
        let mut i = 0;
        // Complete the carried sequence a byte at a time: it ends as soon as it is whole or
        // broken, and a broken one's bytes after its bad part are read again.
        while self.carry_len > 0 && i < bytes.len() {
            self.carry[self.carry_len] = bytes[i];
            self.carry_len += 1;
            i += 1;
            match std::str::from_utf8(&self.carry[..self.carry_len]) {
                Ok(s) => {
                    self.valid_multibyte += count_multibyte(s.as_bytes());
                    self.carry_len = 0;
                }
                Err(e) => {
                    if let Some(bad) = e.error_len() {
                        self.invalid += 1;
                        let skip = e.valid_up_to() + bad;
                        let rest = self.carry;
                        let len = std::mem::take(&mut self.carry_len);
                        self.scan(&rest[skip..len]);
                    }
                }
            }
        }
        self.scan(&bytes[i..]);
    }

    fn scan(&mut self, b: &[u8]) {
        let mut i = 0;
        while i < b.len() {
            match std::str::from_utf8(&b[i..]) {
                Ok(s) => {
                    self.valid_multibyte += count_multibyte(s.as_bytes());
                    return;
                }
                Err(e) => {
                    let good = e.valid_up_to();
                    self.valid_multibyte += count_multibyte(&b[i..i + good]);
                    i += good;
                    match e.error_len() {
                        Some(bad) => {
                            self.invalid += 1;
                            i += bad;
                        }
                        None => {
                            let rest = &b[i..];
                            self.carry[..rest.len()].copy_from_slice(rest);
                            self.carry_len = rest.len();
                            return;
                        }
                    }
                }
            }
        }
    }

    /// (valid multi-byte sequences, invalid bytes) of what was fed, its end included.
    fn counts(&self) -> (u64, u64) {
        (
            self.valid_multibyte,
            self.invalid + u64::from(self.carry_len > 0),
        )
    }

    /// UTF-8 (with or without BOM, as the stream began) if what was fed is, or mostly is;
    /// Windows-1252 otherwise.
    pub fn verdict(&self) -> Encoding {
        let (valid_multibyte, invalid) = self.counts();
        if invalid == 0 || valid_multibyte > invalid * 4 {
            if self.first[..self.seen] == [0xEF, 0xBB, 0xBF] {
                Encoding::Utf8Bom
            } else {
                Encoding::Utf8
            }
        } else {
            Encoding::Windows1252
        }
    }
}

/// A [`Utf8Scan`] shared between the stream that feeds it and whoever asks for its verdict.
pub type SharedScan = Arc<Mutex<Utf8Scan>>;

/// Passes a stream's bytes on untouched, feeding them to a shared [`Utf8Scan`] on the way, so
/// that the pass that reads the records also gives the verdict on the whole file.
pub struct Scanned<R> {
    inner: R,
    scan: SharedScan,
}

impl<R: Read> Scanned<R> {
    pub fn new(inner: R) -> (Scanned<R>, SharedScan) {
        let scan = Arc::new(Mutex::new(Utf8Scan::default()));
        (
            Scanned {
                inner,
                scan: scan.clone(),
            },
            scan,
        )
    }
}

impl<R: Read> Read for Scanned<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        if let Ok(mut s) = self.scan.lock() {
            s.feed(&out[..n]);
        }
        Ok(n)
    }
}

fn count_multibyte(b: &[u8]) -> u64 {
    b.iter().filter(|&&c| c >= 0xC0).count() as u64
}

/// The file as a UTF-8 byte stream (BOM removed, line endings made LF), ready for the CSV
/// parser.
pub fn open_decoded(path: &Path, enc: Encoding) -> std::io::Result<Box<dyn Read + Send>> {
    decoded(File::open(path)?, enc)
}

/// A stream of the file's bytes from its first, decoded as [`open_decoded`] does.
pub fn decoded<R: Read + Send + 'static>(
    mut raw: R,
    enc: Encoding,
) -> std::io::Result<Box<dyn Read + Send>> {
    match enc.transcoder() {
        None => {
            if enc == Encoding::Utf8Bom {
                let mut bom = [0u8; 3];
                read_full(&mut raw, &mut bom)?;
            }
            Ok(Box::new(Newlines::new(raw)))
        }
        Some(e) => Ok(Box::new(Newlines::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(e))
                .bom_override(true)
                .build(raw),
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
    fn a_scan_counts_alike_whatever_the_pieces_it_is_fed_in() {
        let mut data = Vec::new();
        for i in 0..2000u32 {
            data.extend_from_slice("é€😀a".as_bytes());
            // Broken sequences: a lone continuation, a cut three-byte one, a bad lead byte.
            match i % 4 {
                0 => data.push(0x80),
                1 => data.extend_from_slice(&[0xE2, 0x82]),
                2 => data.push(0xFF),
                _ => data.extend_from_slice(&[0xF0, 0x9F, 0x98]),
            }
        }
        data.extend_from_slice(&[0xE2, 0x82]);
        let mut whole = Utf8Scan::default();
        whole.feed(&data);
        let expected = whole.counts();
        assert!(expected.0 > 0 && expected.1 > 0, "{expected:?}");
        for piece in [1, 2, 3, 5, 7, 4096] {
            let mut scan = Utf8Scan::default();
            for chunk in data.chunks(piece) {
                scan.feed(chunk);
            }
            assert_eq!(scan.counts(), expected, "pieces of {piece}");
        }
    }

    #[test]
    fn utf8_split_across_reads_is_not_counted_invalid() {
        let mut data = vec![b'a'; (1 << 20) - 1];
        data.extend_from_slice("é".as_bytes());
        for piece in [1, 2, 3, 4096, 1 << 20] {
            let mut scan = Utf8Scan::default();
            for chunk in data.chunks(piece) {
                scan.feed(chunk);
            }
            assert_eq!(scan.counts(), (1, 0), "pieces of {piece}");
        }
    }
}
