//! The verifier's trust root: which public keys belong to which person, and when they are
//! valid. Read from the configuration (`[[people]] keys`) and an OpenSSH `allowed_signers`
//! file, never from the store.

use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use ssh_key::PublicKey;

use super::SignError;

/// One key of one person, with the window it is valid in (Unix seconds, either end open).
#[derive(Debug, Clone)]
pub struct TrustedKey {
    pub login: String,
    pub key: PublicKey,
    pub valid_after: Option<i64>,
    pub valid_before: Option<i64>,
}

impl TrustedKey {
    pub fn valid_at(&self, at: i64) -> bool {
        self.valid_after.is_none_or(|a| at >= a) && self.valid_before.is_none_or(|b| at < b)
    }
}

#[derive(Debug, Clone, Default)]
pub struct TrustRoot {
    keys: Vec<TrustedKey>,
}

impl TrustRoot {
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn keys_of<'a>(&'a self, login: &'a str) -> impl Iterator<Item = &'a TrustedKey> + 'a {
        self.keys.iter().filter(move |k| k.login == login)
    }

    /// The keys of `login` valid at `at`.
    pub fn valid_keys<'a>(&'a self, login: &'a str, at: i64) -> Vec<&'a PublicKey> {
        self.keys_of(login)
            .filter(|k| k.valid_at(at))
            .map(|k| &k.key)
            .collect()
    }

    /// Adds a key written as in `authorized_keys` (`ssh-ed25519 AAAA… comment`).
    pub fn add(
        &mut self,
        login: &str,
        key: &str,
        valid_after: Option<i64>,
        valid_before: Option<i64>,
    ) -> Result<(), String> {
        let key = PublicKey::from_openssh(key.trim())
            .map_err(|e| format!("not an OpenSSH public key ({e})"))?;
        self.keys.push(TrustedKey {
            login: login.to_string(),
            key,
            valid_after,
            valid_before,
        });
        Ok(())
    }

    /// Adds the lines of an OpenSSH `allowed_signers` file: `principals [options] key`, where
    /// the principals are logins, `namespaces=` must allow `signoff` when given, and
    /// `valid-after=` / `valid-before=` bound the key's validity. `cert-authority` lines are
    /// refused: signoff checks plain keys.
    pub fn load_allowed_signers(&mut self, path: &Path, text: &str) -> Result<(), SignError> {
        let shown = path.display().to_string();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |message: String| SignError::File {
                path: format!("{shown}:{}", n + 1),
                message,
            };
            let (principals, rest) = split_field(line);
            let (options, key) = if looks_like_key_type(first_word(rest)) {
                (None, rest)
            } else {
                let (opts, key) = split_field(rest);
                (Some(opts), key)
            };
            let mut after = None;
            let mut before = None;
            let mut for_us = true;
            for opt in options.map(split_options).unwrap_or_default() {
                let (name, value) = match opt.split_once('=') {
                    Some((n, v)) => (n.to_ascii_lowercase(), v.trim_matches('"').to_string()),
                    None => (opt.to_ascii_lowercase(), String::new()),
                };
                match name.as_str() {
                    "namespaces" => {
                        for_us = value
                            .split(',')
                            .any(|ns| ns == crate::domain::signing::NAMESPACE || ns == "*")
                    }
                    "valid-after" => after = Some(openssh_time(&value).map_err(&err)?),
                    "valid-before" => before = Some(openssh_time(&value).map_err(&err)?),
                    "cert-authority" => {
                        return Err(err(
                            "cert-authority keys are not supported: list each person's key".into(),
                        ))
                    }
                    other => return Err(err(format!("unknown option {other:?}"))),
                }
            }
            if !for_us {
                continue;
            }
            for login in principals.split(',').filter(|p| !p.is_empty()) {
                self.add(login, key, after, before).map_err(&err)?;
            }
        }
        Ok(())
    }
}

fn first_word(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or("")
}

fn looks_like_key_type(w: &str) -> bool {
    w.starts_with("ssh-") || w.starts_with("ecdsa-") || w.starts_with("sk-")
}

/// The first whitespace-separated field (double quotes protect spaces) and the rest.
fn split_field(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => return (&s[..i], s[i..].trim_start()),
            _ => {}
        }
    }
    (s, "")
}

/// Comma-separated options, commas inside double quotes kept.
fn split_options(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// `YYYYMMDD[HHMM[SS]][Z]` as in allowed_signers (read as UTC).
fn openssh_time(v: &str) -> Result<i64, String> {
    let digits = v.trim_end_matches(['Z', 'z']);
    let padded = match digits.len() {
        8 => format!("{digits}000000"),
        12 => format!("{digits}00"),
        14 => digits.to_string(),
        _ => return Err(format!("time {v:?}: use YYYYMMDD[HHMM[SS]]")),
    };
    NaiveDateTime::parse_from_str(&padded, "%Y%m%d%H%M%S")
        .map(|t| t.and_utc().timestamp())
        .map_err(|_| format!("time {v:?}: use YYYYMMDD[HHMM[SS]]"))
}

/// A validity date in the configuration: `YYYY-MM-DD` (midnight UTC) or RFC 3339.
pub fn parse_time(v: &str) -> Result<i64, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.timestamp());
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp())
        .ok_or_else(|| format!("{v:?}: use YYYY-MM-DD or an RFC 3339 time"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICo0WONLuAyX9kw3r3tfvC8hmS3BaXvTIPGb/JtBnZSe dana@laptop";

    #[test]
    fn allowed_signers_lines_with_options() {
        let mut t = TrustRoot::default();
        let text = format!(
            "# people\ndana,dreyes namespaces=\"git,signoff\",valid-after=\"20260101\",valid-before=\"20270101Z\" {KEY}\n\
             priya namespaces=\"git\" {KEY}\nlee {KEY}\n"
        );
        t.load_allowed_signers(Path::new("allowed"), &text)
            .expect("parses");
        let jan = parse_time("2026-01-01").expect("date");
        assert_eq!(t.valid_keys("dana", jan).len(), 1);
        assert_eq!(t.valid_keys("dana", jan - 1).len(), 0);
        assert_eq!(t.valid_keys("dreyes", jan + 86_400).len(), 1);
        assert_eq!(
            t.valid_keys("dana", parse_time("2027-01-01").expect("d"))
                .len(),
            0
        );
        assert_eq!(
            t.keys_of("priya").count(),
            0,
            "a key for git only is not ours"
        );
        assert_eq!(t.valid_keys("lee", 0).len(), 1);
    }

    #[test]
    fn bad_lines_are_named() {
        let mut t = TrustRoot::default();
        let e = t
            .load_allowed_signers(Path::new("allowed"), "\ndana ssh-ed25519 AAAAnotbase64\n")
            .expect_err("bad key");
        assert!(e.to_string().starts_with("allowed:2:"), "{e}");
        let e = t
            .load_allowed_signers(Path::new("a"), &format!("dana cert-authority {KEY}"))
            .expect_err("CA");
        assert!(e.to_string().contains("cert-authority"), "{e}");
        let e = t
            .load_allowed_signers(Path::new("a"), &format!("dana valid-after=\"2026\" {KEY}"))
            .expect_err("time");
        assert!(e.to_string().contains("YYYYMMDD"), "{e}");
    }
}
