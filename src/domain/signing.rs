//! What a signature covers: the canonical form of a decision or CAR step, and the signer the
//! store calls while it appends one (the key itself lives in `sign`, never in the store).

use serde::Serialize;

use super::car::CarEvent;
use super::decision::Decision;

/// The sshsig namespace of every signoff signature, as `ssh-keygen -Y sign -n signoff` uses it.
pub const NAMESPACE: &str = "signoff";

/// Signs the canonical form of a record while the store appends it: the chain position
/// (`prev_hash`) and the hash of the exact text are only known inside the write transaction.
pub trait RecordSigner: Send + Sync {
    /// The armored SSH signature (`-----BEGIN SSH SIGNATURE-----`) over `message`, or None
    /// when this person's records go unsigned.
    fn sign(&self, message: &[u8]) -> Result<Option<String>, String>;
}

/// Records go unsigned: nobody in the configuration has a key and signing is not required.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unsigned;

impl RecordSigner for Unsigned {
    fn sign(&self, _message: &[u8]) -> Result<Option<String>, String> {
        Ok(None)
    }
}

/// A person who cannot sign now (no key to hand, say): every record is refused with the reason,
/// so a screen can open for reading and say why a decision was not saved.
#[derive(Debug, Clone)]
pub struct CannotSign(pub String);

impl RecordSigner for CannotSign {
    fn sign(&self, _message: &[u8]) -> Result<Option<String>, String> {
        Err(self.0.clone())
    }
}

/// The time, read each time it is needed: the system clock, or one a test injects through the
/// library. Nothing a user can set (no flag, no variable) changes it.
pub type Clock = std::sync::Arc<dyn Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync>;

/// A signer that can be cloned into settings shared with an import.
#[derive(Clone)]
pub struct SharedSigner(pub std::sync::Arc<dyn RecordSigner>);

impl Default for SharedSigner {
    fn default() -> Self {
        SharedSigner(std::sync::Arc::new(Unsigned))
    }
}

impl std::fmt::Debug for SharedSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedSigner")
    }
}

/// A decision as signed: every field a reader relies on, in a fixed order, one JSON line.
#[derive(Serialize)]
struct DecisionRecord<'a> {
    record: &'static str,
    kind: &'static str,
    complaint: i64,
    sample: Option<i64>,
    text_hash: &'a str,
    statement: Option<&'a str>,
    reasons: Option<&'a str>,
    note: Option<&'a str>,
    due_at: Option<i64>,
    body: Option<&'a str>,
    retracts: Option<i64>,
    actor: &'a str,
    actor_name: &'a str,
    actor_title: &'a str,
    at: i64,
    prev_hash: &'a str,
}

/// A CAR step as signed.
#[derive(Serialize)]
struct CarStepRecord<'a> {
    record: &'static str,
    car: i64,
    complaint: i64,
    step: &'static str,
    due_at: Option<i64>,
    category: Option<&'a str>,
    worked: Option<bool>,
    text: &'a str,
    happened_at: i64,
    actor: &'a str,
    actor_name: &'a str,
    at: i64,
    prev_hash: &'a str,
}

fn line(value: &impl Serialize) -> Vec<u8> {
    // Serialising plain strings, numbers and nulls cannot fail.
    let mut out = serde_json::to_vec(value).unwrap_or_default();
    out.push(b'\n');
    out
}

impl Decision {
    /// The bytes a decision's signature covers: `ssh-keygen -Y verify -n signoff` checks them.
    pub fn canonical(&self) -> Vec<u8> {
        line(&DecisionRecord {
            record: "signoff-decision/1",
            kind: self.kind.as_str(),
            complaint: self.complaint_id,
            sample: self.sample_id,
            text_hash: &self.text_hash,
            statement: self.statement.as_deref(),
            reasons: self.reasons.as_deref(),
            note: self.note.as_deref(),
            due_at: self.due_at,
            body: self.body.as_deref(),
            retracts: self.retracts,
            actor: &self.actor,
            actor_name: &self.actor_name,
            actor_title: &self.actor_title,
            at: self.at,
            prev_hash: &self.prev_hash,
        })
    }
}

impl CarEvent {
    /// The bytes a CAR step's signature covers.
    pub fn canonical(&self) -> Vec<u8> {
        line(&CarStepRecord {
            record: "signoff-car-step/1",
            car: self.car_id,
            complaint: self.complaint_id,
            step: self.step.as_str(),
            due_at: self.due_at,
            category: self.category.as_deref(),
            worked: self.worked,
            text: &self.text,
            happened_at: self.happened_at,
            actor: &self.actor,
            actor_name: &self.actor_name,
            at: self.at,
            prev_hash: &self.prev_hash,
        })
    }
}
