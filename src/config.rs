//! Layered configuration: built-in defaults → file → SIGNOFF_* environment → flags.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::domain::people::Actor;
use crate::domain::sample::{parse_include, Filters, Plan, Spec, Strata};

/// The commented default configuration, built into the binary.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {error}")]
    Read { path: String, error: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub store: StoreConfig,
    pub identity: IdentityConfig,
    pub signing: SigningConfig,
    #[serde(default)]
    pub divisions: Vec<Division>,
    #[serde(default)]
    pub people: Vec<Person>,
    pub import: ImportConfig,
    pub sampling: SamplingConfig,
    pub decisions: DecisionsConfig,
    pub cars: CarsConfig,
    pub checks: ChecksConfig,
    pub report: ReportConfig,
    pub review: ReviewConfig,
    pub mail: MailConfig,
    pub notify: NotifyConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    pub path: String,
    pub busy_timeout_ms: u64,
    /// How long a write (a decision, a draw, a CAR step) waits in all for another writer, such
    /// as an import, before giving up; 0 waits as long as it takes.
    pub write_wait_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityConfig {
    pub trust_env_user: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningConfig {
    /// An OpenSSH private key file; empty means the running ssh-agent ($SSH_AUTH_SOCK).
    pub key_file: String,
    /// An OpenSSH `allowed_signers` file whose principals are logins; empty means none.
    pub allowed_signers: String,
    /// Refuse to save an unsigned decision; unset means "once anyone has a key".
    #[serde(default)]
    pub required: Option<bool>,
}

/// A person's public key: `"ssh-ed25519 AAAA… dana@laptop"`, or a table with the dates it is
/// valid between (for rotation).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum KeySpec {
    Plain(String),
    Dated {
        key: String,
        #[serde(default)]
        valid_after: Option<String>,
        #[serde(default)]
        valid_before: Option<String>,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Division {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

pub use crate::domain::people::Role;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub login: String,
    pub name: String,
    pub title: String,
    pub role: Role,
    #[serde(default)]
    pub divisions: Vec<String>,
    /// Public keys whose signatures are this person's (the verifier's trust root).
    #[serde(default)]
    pub keys: Vec<KeySpec>,
    /// Where `signoff notify` writes to them.
    #[serde(default)]
    pub email: Option<String>,
}

impl Person {
    /// Who acts, as the store records and checks it.
    pub fn actor(&self) -> Actor {
        Actor {
            login: self.login.clone(),
            name: self.name.clone(),
            title: self.title.clone(),
            role: self.role,
            divisions: self.divisions.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportConfig {
    pub profiles_dir: String,
    pub batch_rows: usize,
    pub max_field_bytes: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamplingConfig {
    pub confidence: f64,
    pub tolerable: f64,
    pub window_days: u32,
    pub include: Vec<String>,
    pub detractor_max: u8,
    pub weak_proof_percent: f64,
    pub phrases: Phrases,
}

impl SamplingConfig {
    /// The configured weekly draw under `plan`: the last `window_days` before `now`, the
    /// configured rules, not stratified. The screen's `s` and its plan editor draw it.
    pub fn weekly_spec(&self, now: i64, plan: Plan) -> Result<Spec, String> {
        let includes = self
            .include
            .iter()
            .map(|raw| parse_include(raw))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Spec {
            plan,
            filters: Filters {
                since: Some(now - i64::from(self.window_days) * 86_400),
                ..Default::default()
            },
            includes,
            strata: Strata::None,
            detractor_max: self.detractor_max,
            manager_phrases: self.phrases.asked_for_manager.clone(),
            negative_phrases: self.phrases.negative.clone(),
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phrases {
    pub asked_for_manager: Vec<String>,
    pub negative: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionsConfig {
    pub reasons: Vec<String>,
    pub due_working_days: u32,
}

/// Corrective action requests: when imports open them and how they are worked.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarsConfig {
    pub open_when: Vec<String>,
    pub likelihood_max: u8,
    pub due_hours: u32,
    pub max_age_days: u32,
    pub check_after_days: u32,
    pub causes: Vec<String>,
}

/// The failure-mode checks behind `signoff flags`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecksConfig {
    pub refresh_after_import: bool,
    pub late_hours: u32,
    pub contact_hours: u32,
    /// A complaint is a repeat when its customer complained within this many days before.
    pub repeat_days: u32,
    /// A thread is flagged when the customer wrote this many times before the first answer.
    pub unanswered_writes: u32,
    pub status_sources: Vec<String>,
    pub canned: CannedConfig,
    pub escalation: EscalationConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CannedConfig {
    pub min_customers: u32,
    pub min_words: u32,
    pub near_threshold: f64,
    pub shingle_words: u32,
    pub greetings: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationConfig {
    pub languages: Vec<String>,
    /// Phrases per language code that ask for a manager.
    pub asked: BTreeMap<String, Vec<String>>,
    /// Phrases per language code that offer one.
    pub offered: BTreeMap<String, Vec<String>>,
}

impl EscalationConfig {
    /// The phrases of the configured languages, from `asked` or `offered`.
    pub fn phrases<'a>(&'a self, table: &'a BTreeMap<String, Vec<String>>) -> Vec<String> {
        self.languages
            .iter()
            .filter_map(|l| table.get(l))
            .flatten()
            .cloned()
            .collect()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    pub trend_periods: u32,
    pub verbatims: u32,
    pub excerpt_chars: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewConfig {
    pub theme: String,
    pub mouse: bool,
    pub log_file: String,
    #[serde(default)]
    pub keys: BTreeMap<String, String>,
    #[serde(default)]
    pub views: Vec<ViewConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewConfig {
    pub name: String,
    pub division: Option<String>,
    pub status: Option<String>,
    pub likelihood_max: Option<u8>,
    pub wants_contact: Option<bool>,
}

/// How the outbox reaches the mail server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain SMTP: a relay on this host or a trusted network only.
    None,
    /// SMTP upgraded to TLS with STARTTLS (submission, port 587); refused without it.
    Starttls,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
}

/// `[mail]`: the server letters and notifications go through.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    pub host: String,
    /// 0: the usual port for `security` (25, 587 or 465).
    pub port: u16,
    pub security: Security,
    pub user: String,
    /// The name of the environment variable that holds the password (never the password).
    pub password_env: String,
    /// The sender, as `Name <address>` or an address.
    pub from: String,
    pub timeout_secs: u64,
    /// Where the review screen writes a letter; empty: the current directory.
    pub letters_dir: String,
}

/// `[notify]`: how far ahead `signoff notify` warns.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// A push-back's answer due within this many hours is announced as due.
    pub answer_due_hours: u32,
    /// A CAR's call-back due within this many hours is announced as due.
    pub callback_due_hours: u32,
}

/// Where the configuration layers come from; the environment is passed in so tests control it.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    /// --config PATH
    pub file: Option<PathBuf>,
    /// The SIGNOFF_* variables of the environment.
    pub env: BTreeMap<String, String>,
}

impl Sources {
    pub fn from_process(file: Option<PathBuf>) -> Self {
        let env = std::env::vars()
            .filter(|(k, _)| k.starts_with("SIGNOFF_"))
            .collect();
        Sources { file, env }
    }
}

/// The platform config file (…/signoff/config.toml), if the platform has a config directory.
pub fn platform_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "signoff").map(|d| d.config_dir().join("config.toml"))
}

/// The platform data directory for the store and the demo.
pub fn platform_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "signoff").map(|d| d.data_dir().to_path_buf())
}

impl Config {
    pub fn defaults() -> Result<Config, ConfigError> {
        Self::from_value(
            parse_toml(DEFAULT_TOML, "built-in defaults")?,
            "built-in defaults",
        )
    }

    /// Loads all layers. Returns the config and the file it read, if any.
    pub fn load(src: &Sources) -> Result<(Config, Option<PathBuf>), ConfigError> {
        let mut value = parse_toml(DEFAULT_TOML, "built-in defaults")?;
        let file = match (&src.file, src.env.get("SIGNOFF_CONFIG")) {
            (Some(p), _) => Some((p.clone(), true)),
            (None, Some(p)) if !p.is_empty() => Some((PathBuf::from(p), true)),
            _ => platform_config_path().map(|p| (p, false)),
        };
        let mut used = None;
        if let Some((path, required)) = file {
            match crate::files::read_small(&path, crate::files::SMALL_FILE_LIMIT) {
                Ok(text) => {
                    let layer = parse_toml(&text, &path.display().to_string())?;
                    merge(&mut value, layer);
                    used = Some(path);
                }
                Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(ConfigError::Read {
                        path: path.display().to_string(),
                        error: e,
                    })
                }
            }
        }
        apply_env(&mut value, &src.env)?;
        let origin = used
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "configuration".into());
        let cfg = Self::from_value(value, &origin)?;
        Ok((cfg, used))
    }

    fn from_value(value: toml::Value, origin: &str) -> Result<Config, ConfigError> {
        let cfg: Config = value
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Parse {
                path: origin.to_string(),
                message: e.message().to_string(),
            })?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let mut seen = std::collections::HashSet::new();
        for p in &self.people {
            if !seen.insert(p.login.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "people: login {:?} is listed twice",
                    p.login
                )));
            }
            if p.role == Role::DivisionHead && p.divisions.is_empty() {
                return Err(ConfigError::Invalid(format!(
                    "people: {} is a division_head but names no divisions",
                    p.login
                )));
            }
        }
        let s = &self.sampling;
        if !(s.confidence > 0.0 && s.confidence < 100.0) {
            return Err(ConfigError::Invalid(
                "sampling.confidence must be between 0 and 100".into(),
            ));
        }
        if !(s.tolerable > 0.0 && s.tolerable < 100.0) {
            return Err(ConfigError::Invalid(
                "sampling.tolerable must be between 0 and 100".into(),
            ));
        }
        if self.decisions.reasons.is_empty() {
            return Err(ConfigError::Invalid(
                "decisions.reasons must name at least one reason".into(),
            ));
        }
        for rule in &self.cars.open_when {
            crate::domain::car::OpenRule::parse(rule)
                .map_err(|e| ConfigError::Invalid(format!("cars.open_when: {e}")))?;
        }
        if self.cars.causes.is_empty() {
            return Err(ConfigError::Invalid(
                "cars.causes must name at least one root-cause category".into(),
            ));
        }
        let canned = &self.checks.canned;
        if !(canned.near_threshold > 0.0 && canned.near_threshold <= 1.0)
            || canned.shingle_words == 0
        {
            return Err(ConfigError::Invalid(
                "checks.canned: near_threshold must be above 0 and at most 1, shingle_words at least 1"
                    .into(),
            ));
        }
        let esc = &self.checks.escalation;
        if let Some(l) = esc
            .languages
            .iter()
            .find(|l| !esc.asked.contains_key(*l) || !esc.offered.contains_key(*l))
        {
            return Err(ConfigError::Invalid(format!(
                "checks.escalation: language {l:?} needs phrase lists in both asked and offered"
            )));
        }
        Ok(())
    }

    /// The store path: flag, then SIGNOFF_DB (already in `store.path`), then the platform default.
    pub fn store_path(&self) -> Result<PathBuf, ConfigError> {
        if !self.store.path.is_empty() {
            return Ok(PathBuf::from(&self.store.path));
        }
        platform_data_dir()
            .map(|d| d.join("signoff.db"))
            .ok_or_else(|| {
                ConfigError::Invalid(
                    "no platform data directory: give the store with --db or SIGNOFF_DB".into(),
                )
            })
    }

    /// The canonical division name for a value found in an export.
    pub fn canonical_division<'a>(&'a self, raw: &'a str) -> &'a str {
        for d in &self.divisions {
            if d.name.eq_ignore_ascii_case(raw)
                || d.aliases.iter().any(|a| a.eq_ignore_ascii_case(raw))
            {
                return &d.name;
            }
        }
        raw
    }

    pub fn person(&self, login: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.login == login)
    }

    pub fn profiles_dir(&self) -> Option<&Path> {
        (!self.import.profiles_dir.is_empty()).then(|| Path::new(&self.import.profiles_dir))
    }
}

fn parse_toml(text: &str, origin: &str) -> Result<toml::Value, ConfigError> {
    text.parse::<toml::Value>().map_err(|e| ConfigError::Parse {
        path: origin.to_string(),
        message: e.to_string(),
    })
}

/// Tables merge key by key; any other value (lists included) replaces the one below.
fn merge(base: &mut toml::Value, layer: toml::Value) {
    match (base, layer) {
        (toml::Value::Table(b), toml::Value::Table(l)) => {
            for (k, v) in l {
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, l) => *b = l,
    }
}

fn apply_env(value: &mut toml::Value, env: &BTreeMap<String, String>) -> Result<(), ConfigError> {
    for (name, raw) in env {
        let path: Vec<String> = match name.as_str() {
            "SIGNOFF_DB" => vec!["store".into(), "path".into()],
            "SIGNOFF_CONFIG" | "SIGNOFF_USER" | "SIGNOFF_LOG" => continue,
            n => match n.strip_prefix("SIGNOFF_") {
                Some(rest) if rest.contains("__") => {
                    rest.split("__").map(|s| s.to_ascii_lowercase()).collect()
                }
                _ => continue,
            },
        };
        // Who you are, and whether your decisions must be signed, are never the environment's
        // to say: only a configuration file sets them.
        if path.first().is_some_and(|s| s == "identity")
            || (path.first().is_some_and(|s| s == "signing")
                && path.get(1).is_some_and(|s| s == "required"))
        {
            return Err(ConfigError::Env {
                name: name.clone(),
                message: format!(
                    "{} is read from the configuration file only, never from the environment",
                    path.join(".")
                ),
            });
        }
        let parsed = parse_env_value(raw);
        set_path(value, &path, parsed).map_err(|message| ConfigError::Env {
            name: name.clone(),
            message,
        })?;
    }
    Ok(())
}

/// Sets an existing key; unknown sections and keys are errors so typos do not pass silently.
fn set_path(value: &mut toml::Value, path: &[String], new: toml::Value) -> Result<(), String> {
    let (last, parents) = path.split_last().ok_or("empty name")?;
    let mut cur = value;
    for (i, key) in parents.iter().enumerate() {
        cur = cur
            .as_table_mut()
            .and_then(|t| t.get_mut(key))
            .ok_or_else(|| format!("there is no section {}", path[..=i].join(".")))?;
    }
    let table = cur
        .as_table_mut()
        .ok_or_else(|| format!("{} is not a section", parents.join(".")))?;
    if !table.contains_key(last) {
        return Err(format!("there is no setting {}", path.join(".")));
    }
    table.insert(last.clone(), new);
    Ok(())
}

/// An environment value is read as a TOML value when it is one (numbers, booleans, lists),
/// and as a plain string otherwise.
fn parse_env_value(raw: &str) -> toml::Value {
    format!("v = {raw}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(file: Option<PathBuf>, env: &[(&str, &str)]) -> Sources {
        Sources {
            file,
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn defaults_parse_and_have_reasons() {
        let c = Config::defaults().expect("defaults");
        assert!(c.decisions.reasons.contains(&"canned".to_string()));
        assert!(c.people.is_empty());
        assert_eq!(c.sampling.window_days, 7);
    }

    #[test]
    fn layers_override_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("c.toml");
        std::fs::write(
            &f,
            "[sampling]\nconfidence = 90.0\nwindow_days = 14\n[[people]]\nlogin='a'\nname='A'\ntitle='T'\nrole='admin'\n",
        )
        .expect("write");
        let (c, used) = Config::load(&sources(
            Some(f.clone()),
            &[
                ("SIGNOFF_SAMPLING__WINDOW_DAYS", "30"),
                ("SIGNOFF_DB", "/x/y.db"),
            ],
        ))
        .expect("load");
        assert_eq!(used, Some(f));
        assert_eq!(c.sampling.confidence, 90.0);
        assert_eq!(c.sampling.window_days, 30);
        assert_eq!(c.sampling.tolerable, 5.0);
        assert_eq!(c.store.path, "/x/y.db");
        assert_eq!(c.people.len(), 1);
    }

    #[test]
    fn unknown_keys_and_bad_env_are_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("c.toml");
        std::fs::write(&f, "[sampling]\nconfidense = 90.0\n").expect("write");
        let err = Config::load(&sources(Some(f), &[])).expect_err("typo");
        assert!(err.to_string().contains("confidense"), "{err}");
        let err = Config::load(&sources(Some(PathBuf::from("/nonexistent/c.toml")), &[]))
            .expect_err("missing");
        assert!(err.to_string().contains("/nonexistent/c.toml"));
        let err =
            Config::load(&sources(None, &[("SIGNOFF_SAMPLING__NOPE", "1")])).expect_err("bad env");
        assert!(err.to_string().contains("SIGNOFF_SAMPLING__NOPE"), "{err}");
    }

    #[test]
    fn division_aliases_map_to_canonical_name() {
        let mut c = Config::defaults().expect("defaults");
        c.divisions[0].aliases = vec!["Accounts".into()];
        assert_eq!(c.canonical_division("accounts"), "Billing");
        assert_eq!(c.canonical_division("billing"), "Billing");
        assert_eq!(c.canonical_division("Elsewhere"), "Elsewhere");
    }

    #[test]
    fn the_weekly_draw_is_the_window_with_the_configured_rules() {
        let mut c = Config::defaults().expect("defaults").sampling;
        let plan = Plan::Size {
            n: 5,
            confidence: 95.0,
        };
        let spec = c.weekly_spec(10 * 86_400, plan.clone()).expect("spec");
        assert_eq!(spec.filters.since, Some(3 * 86_400));
        assert_eq!(spec.includes.len(), c.include.len());
        assert_eq!(spec.strata, Strata::None);
        c.include = vec!["no-such-rule".into()];
        assert!(c
            .weekly_spec(0, plan)
            .is_err_and(|e| e.contains("not a rule")));
    }
}
