//! The verifier's trust root from the configuration, and the signer a person's records are
//! made with.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::{Config, KeySpec, Person};
use crate::domain::signing::{SharedSigner, Unsigned};
use crate::error::{refused, usage};
use crate::sign::{self, KeySigner, SignerSource, TrustRoot};

use super::Ctx;

/// The keys of `[[people]]` and of `[signing] allowed_signers`.
pub fn trust_root(cfg: &Config) -> anyhow::Result<TrustRoot> {
    let mut trust = TrustRoot::default();
    for p in &cfg.people {
        for (i, spec) in p.keys.iter().enumerate() {
            let at =
                |what: &str, e: String| usage(format!("people {}: keys[{i}]{what}: {e}", p.login));
            let (key, after, before) = match spec {
                KeySpec::Plain(k) => (k.as_str(), None, None),
                KeySpec::Dated {
                    key,
                    valid_after,
                    valid_before,
                } => (
                    key.as_str(),
                    valid_after.as_deref(),
                    valid_before.as_deref(),
                ),
            };
            let after = after
                .map(sign::parse_time)
                .transpose()
                .map_err(|e| at(".valid_after", e))?;
            let before = before
                .map(sign::parse_time)
                .transpose()
                .map_err(|e| at(".valid_before", e))?;
            trust
                .add(&p.login, key, after, before)
                .map_err(|e| at("", e))?;
        }
    }
    if !cfg.signing.allowed_signers.is_empty() {
        let path = PathBuf::from(&cfg.signing.allowed_signers);
        let text = crate::files::read_small(&path, crate::files::SMALL_FILE_LIMIT)
            .map_err(|e| usage(format!("[signing] allowed_signers {}: {e}", path.display())))?;
        trust
            .load_allowed_signers(&path, &text)
            .map_err(|e| usage(format!("[signing] allowed_signers {e}")))?;
    }
    Ok(trust)
}

/// Whether an unsigned decision is refused: `[signing] required`, by default once anyone has a
/// key.
pub fn required(cfg: &Config, trust: &TrustRoot) -> bool {
    cfg.signing.required.unwrap_or(!trust.is_empty())
}

impl Ctx {
    /// The signer of `person`'s records: see [`signer_for`].
    pub fn signer(&self, person: &Person) -> anyhow::Result<SharedSigner> {
        signer_for(&self.cfg, person, self.now.timestamp())
    }
}

/// The signer of `person`'s records: their key (from `[signing] key_file`, where `{login}`
/// stands for their login, or the running ssh-agent) when the trust root lists one for them,
/// valid at `now`. Refused when signing is required and no such key can be used.
pub fn signer_for(cfg: &Config, person: &Person, now: i64) -> anyhow::Result<SharedSigner> {
    let trust = trust_root(cfg)?;
    let required = required(cfg, &trust);
    let listed = trust.valid_keys(&person.login, now);
    let source = if !cfg.signing.key_file.is_empty() {
        Some(SignerSource::KeyFile(PathBuf::from(
            cfg.signing.key_file.replace("{login}", &person.login),
        )))
    } else {
        std::env::var_os("SSH_AUTH_SOCK")
            .filter(|s| !s.is_empty())
            .map(|s| SignerSource::Agent(PathBuf::from(s)))
    };
    if listed.is_empty() {
        if required {
            return Err(refused(format!(
                "decisions must be signed, and no key valid now is listed for {}: add their \
                 public key to `keys` in their [[people]] entry or to [signing] allowed_signers",
                person.login
            )));
        }
        return Ok(SharedSigner(Arc::new(Unsigned)));
    }
    let Some(source) = source else {
        if required {
            return Err(refused(format!(
                "decisions must be signed with {}'s key, and there is none to sign with: \
                 start ssh-agent and ssh-add the key, or name it with [signing] key_file",
                person.login
            )));
        }
        return Ok(SharedSigner(Arc::new(Unsigned)));
    };
    let signer = KeySigner::open(&source, &person.login, &listed)
        .map_err(|e| refused(format!("cannot sign as {}: {e}", person.login)))?;
    Ok(SharedSigner(Arc::new(signer)))
}
