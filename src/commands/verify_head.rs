//! The end of each chain, remembered outside the store (in the verifier's data directory, one
//! file per store), as Certificate Transparency clients remember tree heads: a chain that is now
//! shorter than the head last verified, or no longer holds it, was truncated or rewritten.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::platform_data_dir;
use crate::domain::complaint::hex;

/// One chain's end: how many records, and the last one's id and hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub records: u64,
    pub id: i64,
    pub hash: String,
}

/// What was verified last for one store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Remembered {
    pub store: String,
    pub verified_at: i64,
    pub decisions: Option<Head>,
    pub car_steps: Option<Head>,
}

/// Where the heads of `store` are kept: the verifier's own data directory.
pub fn file_for(store: &Path) -> Option<PathBuf> {
    let canonical = store.canonicalize().unwrap_or_else(|_| store.to_path_buf());
    let key = hex(&Sha256::digest(canonical.display().to_string().as_bytes()));
    platform_data_dir().map(|d| {
        d.join("verified-heads")
            .join(format!("{}.json", &key[..24]))
    })
}

/// Where the heads of a PostgreSQL store are kept, by its URL as it is shown (without its
/// password).
pub fn file_for_url(shown: &str) -> Option<PathBuf> {
    let key = hex(&Sha256::digest(shown.trim().as_bytes()));
    platform_data_dir().map(|d| {
        d.join("verified-heads")
            .join(format!("{}.json", &key[..24]))
    })
}

pub fn load(file: &Path) -> anyhow::Result<Option<Remembered>> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(anyhow::anyhow!("{}: {e}", file.display())),
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        anyhow::anyhow!(
            "{}: not a remembered head ({e}); remove it to start again",
            file.display()
        )
    })
}

/// Writes the file whole (a temporary file renamed over it), readable by its owner only.
pub fn save(file: &Path, r: &Remembered) -> anyhow::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    let err = |e: std::io::Error| anyhow::anyhow!("{}: {e}", file.display());
    std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
    let mut out = crate::files::Output::create(file).map_err(err)?;
    use std::io::Write;
    out.write_all(serde_json::to_string_pretty(r)?.as_bytes())
        .map_err(err)?;
    out.commit().map_err(err)
}

/// What a chain (its hashes in order) says about a head it once had; None when it still holds
/// it.
pub fn against(chain: &[&str], was: &Head, what: &str, when: &str) -> Option<String> {
    let n = was.records as usize;
    if n == 0 {
        return None;
    }
    if chain.len() < n {
        return Some(format!(
            "the {what} chain is shorter than when it was verified on {when}: {} records now, {n} then \
             (the last was #{} {}): records were removed",
            chain.len(),
            was.id,
            &was.hash[..16.min(was.hash.len())]
        ));
    }
    if chain[n - 1] != was.hash {
        return Some(format!(
            "the {what} chain no longer holds the head verified on {when} (record {n}, #{} {}): \
             it was rewritten",
            was.id,
            &was.hash[..16.min(was.hash.len())]
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorter_and_diverged_chains_are_named() {
        let was = Head {
            records: 2,
            id: 2,
            hash: "b".repeat(64),
        };
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        let c = "c".repeat(64);
        assert_eq!(against(&[&a, &b], &was, "decision", "d"), None);
        assert_eq!(against(&[&a, &b, &c], &was, "decision", "d"), None);
        assert!(against(&[&a], &was, "decision", "d").is_some_and(|m| m.contains("shorter")));
        assert!(
            against(&[&a, &c, &b], &was, "decision", "d").is_some_and(|m| m.contains("rewritten"))
        );
    }

    #[test]
    fn each_postgres_store_has_its_own_file() {
        let one = file_for_url("postgresql://dana@db.example.com/signoff");
        if one.is_none() {
            return; // no data directory on this machine
        }
        assert_eq!(
            one,
            file_for_url(" postgresql://dana@db.example.com/signoff ")
        );
        assert_ne!(one, file_for_url("postgresql://dana@db.example.com/other"));
    }
}
