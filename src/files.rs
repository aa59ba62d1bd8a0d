//! Files besides the store and the exports: small text files read whole (configuration,
//! profiles, revised responses) and the files signoff writes (reports, rejects, generated
//! exports). Used by the commands and the import alike.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The most a configuration file, a profile or a revised response may hold. Each is a page or
/// two of text; a path that names a device or a log by mistake is refused instead of read
/// until memory runs out.
pub const SMALL_FILE_LIMIT: u64 = 4 << 20;

/// Reads a small text file whole, refusing one larger than `limit` bytes without reading on.
pub fn read_small(path: &Path, limit: u64) -> io::Result<String> {
    read_small_from(File::open(path)?, limit)
}

/// As [`read_small`], from any reader (standard input, say).
pub fn read_small_from(r: impl Read, limit: u64) -> io::Result<String> {
    let mut text = String::new();
    r.take(limit.saturating_add(1)).read_to_string(&mut text)?;
    if text.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "larger than {} — is this the right file?",
                human_bytes(limit)
            ),
        ));
    }
    Ok(text)
}

fn human_bytes(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// The identity of an existing file: its device and inode, so that a hard link, a symbolic
/// link or another spelling of the same path is recognised as the same file.
#[cfg(unix)]
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(path: &Path) -> Option<PathBuf> {
    path.canonicalize().ok()
}

/// When `out` is one of `protected` (each a path and what it is), what it is.
pub fn same_file<'a>(out: &Path, protected: &'a [(PathBuf, String)]) -> Option<&'a str> {
    let id = identity(out)?;
    protected
        .iter()
        .find(|(p, _)| identity(p).as_ref() == Some(&id))
        .map(|(_, what)| what.as_str())
}

/// The files that make up an SQLite store at `store`, each with what it is.
pub fn store_files(store: &Path) -> Vec<(PathBuf, String)> {
    [
        ("", "the store itself"),
        ("-wal", "the store's write-ahead log"),
        ("-shm", "the store's shared-memory file"),
        ("-journal", "the store's rollback journal"),
    ]
    .into_iter()
    .map(|(suffix, what)| {
        let mut name = store.as_os_str().to_os_string();
        name.push(suffix);
        (PathBuf::from(name), format!("{what} ({})", store.display()))
    })
    .collect()
}

/// An output file written beside its destination under a temporary name, readable by its
/// owner only, and renamed into place by [`Output::commit`]: a reader never sees half of it,
/// a failed write leaves what was there before, and a file of that name that was readable by
/// others is replaced, not reused.
pub struct Output {
    file: Option<File>,
    tmp: PathBuf,
    dest: PathBuf,
}

impl Output {
    pub fn create(dest: &Path) -> io::Result<Output> {
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = dest
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
        let mut last = None;
        for attempt in 0..100u32 {
            let mut tmp_name = std::ffi::OsString::from(".");
            tmp_name.push(name);
            tmp_name.push(format!(".{}.{attempt}.tmp", std::process::id()));
            let tmp = dir.join(tmp_name);
            let mut o = std::fs::OpenOptions::new();
            o.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                o.mode(0o600);
            }
            match o.open(&tmp) {
                Ok(file) => {
                    return Ok(Output {
                        file: Some(file),
                        tmp,
                        dest: dest.to_path_buf(),
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no temporary name left")))
    }

    /// Where the file goes.
    pub fn path(&self) -> &Path {
        &self.dest
    }

    /// Flushes the file to disk and renames it into place.
    pub fn commit(mut self) -> io::Result<()> {
        if let Some(f) = self.file.take() {
            f.sync_all()?;
        }
        std::fs::rename(&self.tmp, &self.dest)
    }

    fn file(&mut self) -> io::Result<&mut File> {
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("output already committed"))
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file()?.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file()?.flush()
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_file_is_read_and_a_large_one_refused() {
        assert_eq!(read_small_from(&b"abc"[..], 3).expect("test"), "abc");
        let e = read_small_from(io::repeat(0), 1 << 20).expect_err("fails");
        assert!(e.to_string().contains("larger than 1 MiB"), "{e}");
    }

    #[test]
    fn a_hard_link_is_the_same_file() {
        let dir = tempfile::tempdir().expect("test");
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::fs::write(&a, "x").expect("test");
        std::fs::hard_link(&a, &b).expect("test");
        let protected = vec![(a.clone(), "the store".to_string())];
        assert_eq!(same_file(&b, &protected), Some("the store"));
        assert_eq!(same_file(&dir.path().join("c"), &protected), None);
    }

    #[cfg(unix)]
    #[test]
    fn an_output_replaces_a_wider_file_with_a_private_one() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("test");
        let dest = dir.path().join("out.txt");
        std::fs::write(&dest, "old").expect("test");
        std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o644)).expect("test");
        let mut o = Output::create(&dest).expect("test");
        o.write_all(b"new").expect("test");
        assert_eq!(std::fs::read_to_string(&dest).expect("test"), "old");
        o.commit().expect("test");
        assert_eq!(std::fs::read_to_string(&dest).expect("test"), "new");
        let mode = std::fs::metadata(&dest).expect("test").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::read_dir(dir.path()).expect("test").count(), 1);
    }

    #[test]
    fn an_output_dropped_unfinished_leaves_nothing() {
        let dir = tempfile::tempdir().expect("test");
        let dest = dir.path().join("out.txt");
        let mut o = Output::create(&dest).expect("test");
        o.write_all(b"half").expect("test");
        drop(o);
        assert_eq!(std::fs::read_dir(dir.path()).expect("test").count(), 0);
    }
}
