//! Handing a message to the mail server, through lettre's SMTP client, step by step: so that a
//! failure is known to be before the message was handed over (it did not go) or after (it may
//! have), which is what lets the outbox send each message once.

use std::cell::RefCell;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use lettre::address::Address;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};

use crate::config::{MailConfig, Security};

/// Why a message did not go, or may not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server never took the message: refused it (for good when `lasting`, else for now),
    /// or could not be reached or spoken to before the message was handed over.
    NotSent {
        lasting: bool,
        /// The server could not be reached at all: the messages after this one will not go
        /// either.
        unreachable: bool,
        reason: String,
    },
    /// The connection failed while or after the message was handed over, before the server
    /// said whether it took it: it may have.
    Uncertain(String),
}

/// Somewhere messages go.
pub trait Transport {
    /// Delivers one message from `from` to `to`; the server's reply when it took it.
    fn send(&self, from: &str, to: &str, message_id: &str, bytes: &[u8])
        -> Result<String, Failure>;
    /// "smtp.example.com:587 (STARTTLS)".
    fn describe(&self) -> String;
}

/// An SMTP server, as `[mail]` names it; one connection for the whole run.
pub struct Smtp {
    host: String,
    port: u16,
    security: Security,
    timeout: Duration,
    credentials: Option<Credentials>,
    conn: RefCell<Option<SmtpConnection>>,
}

impl Smtp {
    /// The server of `[mail]`; `password` is the value of the variable `password_env` names.
    pub fn new(cfg: &MailConfig, password: Option<String>) -> Result<Smtp, String> {
        if cfg.host.trim().is_empty() {
            return Err("no mail server: set [mail] host (or use --dry-run DIR)".into());
        }
        let credentials = match (cfg.user.trim(), password) {
            ("", _) => None,
            (user, Some(p)) => Some(Credentials::new(user.to_string(), p)),
            (user, None) => {
                return Err(format!(
                    "[mail] user is {user:?} but no password: set password_env to the name of the \
                     environment variable that holds it, and set that variable"
                ))
            }
        };
        let port = match (cfg.port, cfg.security) {
            (0, Security::None) => 25,
            (0, Security::Starttls) => 587,
            (0, Security::Tls) => 465,
            (p, _) => p,
        };
        Ok(Smtp {
            host: cfg.host.trim().to_string(),
            port,
            security: cfg.security,
            timeout: Duration::from_secs(cfg.timeout_secs.max(1)),
            credentials,
            conn: RefCell::new(None),
        })
    }

    fn tls(&self) -> Result<TlsParameters, String> {
        TlsParameters::new(self.host.clone()).map_err(|e| format!("TLS for {}: {e}", self.host))
    }

    /// Connects, greets, upgrades to TLS and logs in.
    fn connect(&self) -> Result<SmtpConnection, String> {
        let hello = ClientId::default();
        let wrapper = match self.security {
            Security::Tls => Some(self.tls()?),
            _ => None,
        };
        let mut c = SmtpConnection::connect(
            (self.host.as_str(), self.port),
            Some(self.timeout),
            &hello,
            wrapper.as_ref(),
            None,
        )
        .map_err(|e| e.to_string())?;
        if self.security == Security::Starttls {
            if !c.can_starttls() {
                return Err("the server does not offer STARTTLS, and [mail] security = \"starttls\" requires it".into());
            }
            c.starttls(&self.tls()?, &hello)
                .map_err(|e| e.to_string())?;
        }
        if let Some(cred) = &self.credentials {
            c.auth(DEFAULT_MECHANISMS, cred)
                .map_err(|e| format!("login refused: {e}"))?;
        }
        Ok(c)
    }
}

fn not_sent(e: &lettre::transport::smtp::Error) -> Failure {
    Failure::NotSent {
        lasting: e.is_permanent(),
        unreachable: false,
        reason: e.to_string(),
    }
}

impl Transport for Smtp {
    fn send(&self, from: &str, to: &str, _id: &str, bytes: &[u8]) -> Result<String, Failure> {
        let bad = |what: &str, v: &str| Failure::NotSent {
            lasting: true,
            unreachable: false,
            reason: format!("{what} {v:?} is not an e-mail address"),
        };
        let from: Address = from
            .parse::<Mailbox>()
            .map_err(|_| bad("[mail] from", from))?
            .email;
        let to: Address = to.parse().map_err(|_| bad("the recipient", to))?;
        let mut slot = self.conn.borrow_mut();
        let mut c = match slot.take() {
            Some(c) if !c.has_broken() => c,
            _ => self.connect().map_err(|reason| Failure::NotSent {
                lasting: false,
                unreachable: true,
                reason: format!("{}: {reason}", self.describe()),
            })?,
        };
        let mut options = Vec::new();
        if !bytes.is_ascii() {
            if !c.server_info().supports_feature(Extension::EightBitMime) {
                return Err(Failure::NotSent {
                    lasting: true,
                    unreachable: false,
                    reason: "the message is not ASCII and the server does not take 8-bit mail"
                        .into(),
                });
            }
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        // Until the message itself is handed over, a failure means it did not go.
        c.command(Mail::new(Some(from), options))
            .map_err(|e| not_sent(&e))?;
        c.command(Rcpt::new(to, vec![])).map_err(|e| not_sent(&e))?;
        c.command(Data).map_err(|e| not_sent(&e))?;
        match c.message(bytes) {
            Ok(reply) => {
                *slot = Some(c);
                Ok(format!(
                    "{} {}",
                    reply.code(),
                    reply.message().collect::<Vec<_>>().join(" ")
                ))
            }
            // The server answered the message with a refusal: it did not take it.
            Err(e) if e.status().is_some() => Err(not_sent(&e)),
            Err(e) => Err(Failure::Uncertain(format!(
                "the connection failed after the message was handed over, before the server \
                 confirmed it: {e}"
            ))),
        }
    }

    fn describe(&self) -> String {
        let how = match self.security {
            Security::None => "plain SMTP",
            Security::Starttls => "STARTTLS",
            Security::Tls => "TLS",
        };
        format!("{}:{} ({how})", self.host, self.port)
    }
}

/// A folder that takes each message as `MESSAGE-ID.eml`: the dry run, which sends nothing.
pub struct Folder(pub PathBuf);

impl Transport for Folder {
    fn send(
        &self,
        _from: &str,
        to: &str,
        message_id: &str,
        bytes: &[u8],
    ) -> Result<String, Failure> {
        let name: String = message_id
            .trim_matches(['<', '>'])
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || ".-_@".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = self.0.join(format!("{name}.eml"));
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(&self.0)?;
            let mut out = crate::files::Output::create(&path)?;
            out.write_all(bytes)?;
            out.commit()
        };
        write().map_err(|e| Failure::NotSent {
            lasting: false,
            unreachable: true,
            reason: format!("{}: {e}", path.display()),
        })?;
        Ok(format!("written to {} (for {to})", path.display()))
    }

    fn describe(&self) -> String {
        format!(
            "the folder {} (a dry run: nothing is sent)",
            self.0.display()
        )
    }
}
