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

/// What the first 8 KB tell: UTF-16 by its BOM, an empty or binary file, or UTF-8 (with or
/// without BOM) — which only [`sniff`], reading the whole file, can confirm. (When those 8 KB
/// are not UTF-8 already, it reads the whole file.) A file whose every byte turns out to be
/// UTF-8 is UTF-8 whatever else, so a reader that checks every byte anyway need not sniff.
pub fn sniff_head(path: &Path) -> Result<Encoding, DecodeError> {
    let mut f = File::open(path)?;
    let mut head = [0u8; 8192];
    let n = read_full(&mut f, &mut head)?;
    let head = &head[..n];
    if n == 0 {
        return Err(DecodeError::Empty);
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
        return Err(DecodeError::Binary(control, n));
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
