//! Signing records with the person's own SSH key (`sshsig`, as `ssh-keygen -Y sign` and git's SSH
//! signing make them) and checking them against the verifier's own trust root.

mod signer;
mod trust;

pub use signer::{generate_ed25519, write_key_pair, KeySigner, SignerSource};
pub use trust::{parse_time, TrustRoot, TrustedKey};

use ssh_key::{HashAlg, PublicKey, SshSig};

use crate::domain::signing::NAMESPACE;

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("{0}")]
    Setup(String),
    #[error("{path}: {message}")]
    File { path: String, message: String },
}

/// What a record's signature shows, checked against the trust root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Signed by one of the actor's keys, valid at the record's time.
    Valid {
        fingerprint: String,
    },
    Unsigned,
    /// Not an SSH signature at all.
    Malformed(String),
    /// An SSH signature made for another purpose (namespace).
    WrongNamespace(String),
    /// Made with a key that is not listed for the actor (or for nobody at all).
    NotTheActorsKey {
        fingerprint: String,
    },
    /// One of the actor's keys, outside the dates it is valid for.
    KeyNotValidThen {
        fingerprint: String,
    },
    /// The actor's key, but the signature does not cover this record: it was altered.
    DoesNotMatch {
        fingerprint: String,
    },
}

impl Check {
    pub fn is_valid(&self) -> bool {
        matches!(self, Check::Valid { .. })
    }

    /// A sentence for `verify`; None when the signature holds.
    pub fn problem(&self, actor: &str) -> Option<String> {
        Some(match self {
            Check::Valid { .. } => return None,
            Check::Unsigned => "unsigned: nothing binds it to its actor".into(),
            Check::Malformed(e) => format!("forged: its signature is not an SSH signature ({e})"),
            Check::WrongNamespace(ns) => {
                format!("forged: signed for {ns:?}, not for signoff")
            }
            Check::NotTheActorsKey { fingerprint } => format!(
                "forged: signed with {fingerprint}, which is not a key of {actor} in your trust root"
            ),
            Check::KeyNotValidThen { fingerprint } => format!(
                "signed with {actor}'s key {fingerprint} outside the dates it is valid for"
            ),
            Check::DoesNotMatch { fingerprint } => format!(
                "altered: {actor}'s signature ({fingerprint}) does not cover what the record says now"
            ),
        })
    }
}

/// The SHA-256 fingerprint as `ssh-keygen -l` prints it.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// Checks `armored` over `message` for `actor` at `at` (Unix seconds) against `trust`.
pub fn check(
    trust: &TrustRoot,
    actor: &str,
    at: i64,
    message: &[u8],
    armored: Option<&str>,
) -> Check {
    let Some(armored) = armored else {
        return Check::Unsigned;
    };
    let sig = match SshSig::from_pem(armored) {
        Ok(s) => s,
        Err(e) => return Check::Malformed(e.to_string()),
    };
    if sig.namespace() != NAMESPACE {
        return Check::WrongNamespace(sig.namespace().to_string());
    }
    let key = PublicKey::from(sig.public_key().clone());
    let fingerprint = fingerprint(&key);
    let listed: Vec<&TrustedKey> = trust
        .keys_of(actor)
        .filter(|k| k.key.key_data() == key.key_data())
        .collect();
    if listed.is_empty() {
        return Check::NotTheActorsKey { fingerprint };
    }
    if !listed.iter().any(|k| k.valid_at(at)) {
        return Check::KeyNotValidThen { fingerprint };
    }
    match key.verify(NAMESPACE, message, &sig) {
        Ok(()) => Check::Valid { fingerprint },
        Err(_) => Check::DoesNotMatch { fingerprint },
    }
}

/// The fingerprint of the key that made an armored signature, if it parses.
pub fn signed_by(armored: &str) -> Option<String> {
    let sig = SshSig::from_pem(armored).ok()?;
    Some(fingerprint(&PublicKey::from(sig.public_key().clone())))
}
