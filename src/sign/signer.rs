//! The person's private key: in the running ssh-agent, or in a key file named by
//! `[signing] key_file`. Only signatures leave it; the key never reaches the store.

use std::path::{Path, PathBuf};

use ssh_agent_client_rs::Client;
use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

use super::{fingerprint, SignError};
use crate::domain::signing::{RecordSigner, NAMESPACE};

/// Where the private key is looked for.
#[derive(Debug, Clone)]
pub enum SignerSource {
    /// An OpenSSH private key file (unencrypted; keep encrypted keys in the agent).
    KeyFile(PathBuf),
    /// The ssh-agent listening on this socket ($SSH_AUTH_SOCK).
    Agent(PathBuf),
}

enum Backend {
    File(Box<PrivateKey>),
    /// The agent's socket: each signature is one short conversation with it.
    Agent(PathBuf),
}

/// Signs with one key that the trust root lists for the person.
pub struct KeySigner {
    backend: Backend,
    public: PublicKey,
}

impl KeySigner {
    /// Finds the person's key at `source` among `listed` (their keys valid now): a key that is
    /// not listed for them would make signatures that `verify` calls forged, so it is refused.
    pub fn open(
        source: &SignerSource,
        login: &str,
        listed: &[&PublicKey],
    ) -> Result<Self, SignError> {
        let is_listed = |k: &PublicKey| listed.iter().any(|l| l.key_data() == k.key_data());
        let names = || {
            listed
                .iter()
                .map(|k| fingerprint(k))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match source {
            SignerSource::KeyFile(path) => {
                let file_err = |message: String| SignError::File {
                    path: path.display().to_string(),
                    message,
                };
                let key = read_private_key(path).map_err(file_err)?;
                if key.is_encrypted() {
                    return Err(file_err(
                        "the key is protected by a passphrase: add it to ssh-agent (ssh-add) and \
                         leave [signing] key_file empty"
                            .into(),
                    ));
                }
                let public = key.public_key().clone();
                if !is_listed(&public) {
                    return Err(file_err(format!(
                        "its key {} is not among the keys listed for {login} ({})",
                        fingerprint(&public),
                        names()
                    )));
                }
                Ok(KeySigner {
                    backend: Backend::File(Box::new(key)),
                    public,
                })
            }
            SignerSource::Agent(sock) => {
                let agent_err =
                    |e: String| SignError::Setup(format!("ssh-agent at {}: {e}", sock.display()));
                let mut client = Client::connect(sock).map_err(|e| agent_err(e.to_string()))?;
                let ids = client
                    .list_all_identities()
                    .map_err(|e| agent_err(e.to_string()))?;
                let public = ids
                    .into_iter()
                    .filter_map(|id| match id {
                        ssh_agent_client_rs::Identity::PublicKey(k) => Some(k.into_owned()),
                        _ => None,
                    })
                    .find(|k| is_listed(k))
                    .ok_or_else(|| {
                        agent_err(format!(
                            "none of its keys is listed for {login} ({}): ssh-add the right one, \
                             or name it with [signing] key_file",
                            names()
                        ))
                    })?;
                Ok(KeySigner {
                    backend: Backend::Agent(sock.clone()),
                    public,
                })
            }
        }
    }

    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign_bytes(&self, message: &[u8]) -> Result<SshSig, String> {
        match &self.backend {
            Backend::File(key) => key
                .sign(NAMESPACE, HashAlg::Sha512, message)
                .map_err(|e| e.to_string()),
            Backend::Agent(sock) => {
                let data = SshSig::signed_data(NAMESPACE, HashAlg::Sha512, message)
                    .map_err(|e| e.to_string())?;
                let mut client = Client::connect(sock)
                    .map_err(|e| format!("ssh-agent at {}: {e}", sock.display()))?;
                let sig = client
                    .sign(&self.public, &data)
                    .map_err(|e| format!("ssh-agent refused to sign: {e}"))?;
                SshSig::new(
                    self.public.key_data().clone(),
                    NAMESPACE,
                    HashAlg::Sha512,
                    sig,
                )
                .map_err(|e| e.to_string())
            }
        }
    }
}

impl RecordSigner for KeySigner {
    fn sign(&self, message: &[u8]) -> Result<Option<String>, String> {
        let sig = self.sign_bytes(message)?;
        sig.to_pem(LineEnding::LF)
            .map(Some)
            .map_err(|e| e.to_string())
    }
}

/// Private key files are small; a bigger file is not a key (and `/dev/zero` must not hang us).
const KEY_FILE_LIMIT: u64 = 64 * 1024;

fn read_private_key(path: &Path) -> Result<PrivateKey, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut text = Vec::new();
    file.take(KEY_FILE_LIMIT + 1)
        .read_to_end(&mut text)
        .map_err(|e| e.to_string())?;
    if text.len() as u64 > KEY_FILE_LIMIT {
        return Err("too big to be an SSH private key".into());
    }
    PrivateKey::from_openssh(&text).map_err(|e| format!("not an OpenSSH private key ({e})"))
}

/// A new Ed25519 key pair for `comment`, from the operating system's randomness.
pub fn generate_ed25519(comment: &str) -> Result<PrivateKey, SignError> {
    let mut seed = [0u8; 32];
    rand_core::TryRngCore::try_fill_bytes(&mut rand_core::OsRng, &mut seed)
        .map_err(|e| SignError::Setup(format!("no randomness for a key: {e}")))?;
    let pair = ssh_key::private::Ed25519Keypair::from_seed(&seed);
    PrivateKey::new(ssh_key::private::KeypairData::Ed25519(pair), comment)
        .map_err(|e| SignError::Setup(e.to_string()))
}

/// Writes a private key in OpenSSH format, readable by its owner only, and its `.pub`.
pub fn write_key_pair(key: &PrivateKey, path: &Path) -> Result<(), SignError> {
    let err = |message: String| SignError::File {
        path: path.display().to_string(),
        message,
    };
    let text = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| err(e.to_string()))?;
    use std::io::Write;
    let mut f = crate::files::Output::create(path).map_err(|e| err(e.to_string()))?;
    f.write_all(text.as_bytes())
        .map_err(|e| err(e.to_string()))?;
    f.commit().map_err(|e| err(e.to_string()))?;
    let public = key
        .public_key()
        .to_openssh()
        .map_err(|e| err(e.to_string()))?;
    let pub_path = PathBuf::from(format!("{}.pub", path.display()));
    std::fs::write(&pub_path, format!("{public}\n")).map_err(|e| SignError::File {
        path: pub_path.display().to_string(),
        message: e.to_string(),
    })
}
