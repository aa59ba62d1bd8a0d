//! Mapping profiles: which column holds which field, how dates look, how values map.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// The profiles built into the binary, by name.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("cfpb", include_str!("../../config/profiles/cfpb.toml")),
    (
        "cfpb-legacy",
        include_str!("../../config/profiles/cfpb-legacy.toml"),
    ),
    (
        "helpdesk",
        include_str!("../../config/profiles/helpdesk.toml"),
    ),
    ("social", include_str!("../../config/profiles/social.toml")),
    (
        "generic",
        include_str!("../../config/profiles/generic.toml"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("profile {origin}: {message}")]
    Invalid { origin: String, message: String },
    #[error("profile {origin}: {error}")]
    Read {
        origin: String,
        error: std::io::Error,
    },
    #[error("no profile named {0:?} (built in: cfpb, cfpb-legacy, helpdesk, social, generic)")]
    Unknown(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub source: String,
    #[serde(default)]
    pub header: HeaderSpec,
    pub fields: Fields,
    #[serde(default)]
    pub header_optional: Optional,
    pub dates: DateSpec,
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    pub defaults: BTreeMap<String, String>,
    #[serde(default)]
    pub link: Option<Link>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderSpec {
    #[serde(default)]
    pub skip_lines: usize,
    #[serde(default = "default_search_lines")]
    pub search_lines: usize,
}

fn default_search_lines() -> usize {
    20
}

impl Default for HeaderSpec {
    fn default() -> Self {
        HeaderSpec {
            skip_lines: 0,
            search_lines: default_search_lines(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Optional {
    #[serde(default)]
    pub columns: Vec<String>,
}

/// A field is one column, several columns joined, or several with an explicit separator.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Column {
    One(String),
    Many(Vec<String>),
    Joined { columns: Vec<String>, join: String },
}

impl Column {
    pub fn columns(&self) -> &[String] {
        match self {
            Column::One(c) => std::slice::from_ref(c),
            Column::Many(cs) => cs,
            Column::Joined { columns, .. } => columns,
        }
    }

    pub fn separator(&self) -> &str {
        match self {
            Column::Joined { join, .. } => join,
            _ => ", ",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fields {
    pub external_id: Column,
    pub received_at: Column,
    pub complaint: Column,
    pub division: Option<Column>,
    pub channel: Option<Column>,
    pub customer: Option<Column>,
    pub contact: Option<Column>,
    pub product: Option<Column>,
    pub subject: Option<Column>,
    pub response: Option<Column>,
    pub responded_at: Option<Column>,
    pub responder: Option<Column>,
    pub likelihood: Option<Column>,
    pub wants_contact: Option<Column>,
}

impl Fields {
    /// Every (field name, column spec) the profile maps.
    pub fn all(&self) -> Vec<(&'static str, &Column)> {
        let mut v = vec![
            ("external_id", &self.external_id),
            ("received_at", &self.received_at),
            ("complaint", &self.complaint),
        ];
        let opt = [
            ("division", &self.division),
            ("channel", &self.channel),
            ("customer", &self.customer),
            ("contact", &self.contact),
            ("product", &self.product),
            ("subject", &self.subject),
            ("response", &self.response),
            ("responded_at", &self.responded_at),
            ("responder", &self.responder),
            ("likelihood", &self.likelihood),
            ("wants_contact", &self.wants_contact),
        ];
        v.extend(
            opt.into_iter()
                .filter_map(|(n, c)| c.as_ref().map(|c| (n, c))),
        );
        v
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    Auto,
    Dmy,
    Mdy,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateSpec {
    pub formats: Vec<String>,
    #[serde(default = "auto")]
    pub order: DateOrder,
    #[serde(default = "utc")]
    pub utc_offset: String,
}

fn auto() -> DateOrder {
    DateOrder::Auto
}
fn utc() -> String {
    "+00:00".into()
}

/// Rows that answer other rows (social exports).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// The column telling customer messages from replies.
    pub direction: String,
    /// Values of `direction` that mark a customer message (compared without regard to case).
    pub inbound_values: Vec<String>,
    /// The column holding the id of the message a reply answers.
    pub reply_to: String,
}

impl Profile {
    pub fn parse(text: &str, origin: &str) -> Result<Profile, ProfileError> {
        let p: Profile = toml::from_str(text).map_err(|e| ProfileError::Invalid {
            origin: origin.to_string(),
            message: e.message().to_string(),
        })?;
        p.check(origin)?;
        Ok(p)
    }

    fn check(&self, origin: &str) -> Result<(), ProfileError> {
        let bad = |message: String| ProfileError::Invalid {
            origin: origin.to_string(),
            message,
        };
        if self.dates.formats.is_empty() {
            return Err(bad("dates.formats is empty".into()));
        }
        if super::dates::parse_offset(&self.dates.utc_offset).is_none() {
            return Err(bad(format!(
                "dates.utc_offset {:?} is not an offset from UTC (write UTC, +02:00 or -05:30)",
                self.dates.utc_offset
            )));
        }
        if self.fields.division.is_none() && !self.defaults.contains_key("division") {
            return Err(bad(
                "fields.division is not mapped and defaults.division is not set".into(),
            ));
        }
        for key in self.values.keys().chain(self.defaults.keys()) {
            if !FIELD_NAMES.contains(&key.as_str()) {
                return Err(bad(format!(
                    "{key:?} is not a field (fields are {})",
                    FIELD_NAMES.join(", ")
                )));
            }
        }
        for f in &self.dates.formats {
            // chrono reports a bad format only when it is used, so try it now.
            if chrono::format::StrftimeItems::new(f)
                .any(|i| matches!(i, chrono::format::Item::Error))
            {
                return Err(bad(format!("date format {f:?} is not valid")));
            }
        }
        Ok(())
    }

    /// Columns that must be present for a header to match this profile.
    pub fn required_columns(&self) -> Vec<&str> {
        let mut cols: Vec<&str> = self
            .fields
            .all()
            .into_iter()
            .flat_map(|(_, c)| c.columns().iter().map(String::as_str))
            .chain(
                self.link
                    .iter()
                    .flat_map(|l| [l.direction.as_str(), l.reply_to.as_str()]),
            )
            .filter(|c| {
                !self
                    .header_optional
                    .columns
                    .iter()
                    .any(|o| o.eq_ignore_ascii_case(c))
            })
            .collect();
        cols.sort_unstable();
        cols.dedup();
        cols
    }

    /// A column the profile reads that the header names more than once: which one holds the
    /// field would be a guess.
    pub fn repeated_column(&self, header: &[String]) -> Option<String> {
        let names: Vec<String> = header.iter().map(|s| normalize_header(s)).collect();
        let mapped = self
            .fields
            .all()
            .into_iter()
            .map(|(field, c)| (field, c.columns()))
            .chain(self.link.iter().flat_map(|l| {
                [
                    ("link.direction", std::slice::from_ref(&l.direction)),
                    ("link.reply_to", std::slice::from_ref(&l.reply_to)),
                ]
            }));
        for (field, cols) in mapped {
            for c in cols {
                let want = normalize_header(c);
                let at: Vec<String> = names
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n == want)
                    .map(|(i, _)| (i + 1).to_string())
                    .collect();
                if at.len() > 1 {
                    return Some(format!(
                        "the header names column {c:?} more than once (columns {}); the profile reads {field} from it, and which one holds it is unclear: rename or remove the others",
                        at.join(", ")
                    ));
                }
            }
        }
        None
    }

    /// Whether a record looks like this profile's header.
    pub fn header_matches(&self, record: &[String]) -> bool {
        let names: Vec<String> = record.iter().map(|s| normalize_header(s)).collect();
        self.required_columns()
            .iter()
            .all(|c| names.iter().any(|n| *n == normalize_header(c)))
    }
}

/// The fields a profile can map; mapping's `Field` follows this order.
pub const FIELD_NAMES: [&str; 14] = [
    "external_id",
    "received_at",
    "complaint",
    "division",
    "channel",
    "customer",
    "contact",
    "product",
    "subject",
    "response",
    "responded_at",
    "responder",
    "likelihood",
    "wants_contact",
];

/// Header names compare without regard to case, surrounding space or a leading BOM.
pub fn normalize_header(s: &str) -> String {
    s.trim_start_matches('\u{feff}').trim().to_lowercase()
}

/// Every available profile: built-ins, replaced or extended by a folder's *.toml files.
pub fn all_profiles(dir: Option<&Path>) -> Result<Vec<Profile>, ProfileError> {
    let mut out: Vec<Profile> = Vec::new();
    for (name, text) in BUILT_IN {
        out.push(Profile::parse(text, &format!("{name} (built in)"))?);
    }
    if let Some(dir) = dir {
        let entries = std::fs::read_dir(dir).map_err(|e| ProfileError::Read {
            origin: dir.display().to_string(),
            error: e,
        })?;
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        for p in paths {
            let prof = load_path(&p)?;
            out.retain(|o| o.name != prof.name);
            out.push(prof);
        }
    }
    Ok(out)
}

pub fn load_path(path: &Path) -> Result<Profile, ProfileError> {
    let origin = path.display().to_string();
    let text = crate::files::read_small(path, crate::files::SMALL_FILE_LIMIT).map_err(|e| {
        ProfileError::Read {
            origin: origin.clone(),
            error: e,
        }
    })?;
    Profile::parse(&text, &origin)
}

/// `--profile NAME|PATH`: a name among the available profiles, or a path to a TOML file.
pub fn resolve(arg: &str, dir: Option<&Path>) -> Result<Profile, ProfileError> {
    let looks_like_path = arg.contains('/') || arg.ends_with(".toml");
    if looks_like_path {
        return load_path(Path::new(arg));
    }
    all_profiles(dir)?
        .into_iter()
        .find(|p| p.name == arg)
        .ok_or_else(|| ProfileError::Unknown(arg.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_profiles_parse() {
        let all = all_profiles(None).expect("profiles");
        let names: Vec<_> = all.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["cfpb", "cfpb-legacy", "helpdesk", "social", "generic"]
        );
    }

    #[test]
    fn header_matching_ignores_case_and_optional_columns() {
        let p = resolve("helpdesk", None).expect("helpdesk");
        let hdr: Vec<String> = [
            "ticket id",
            "CREATED",
            "Requester",
            "Group",
            "Description",
            "Public reply",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert!(p.header_matches(&hdr));
        assert!(!p.header_matches(&hdr[1..]));
    }

    #[test]
    fn bad_profiles_are_named() {
        let err = Profile::parse("name='x'\nsource='x'\n[fields]\nexternal_id='a'\nreceived_at='b'\ncomplaint='c'\n[dates]\nformats=['%Y']\n", "x.toml")
            .expect_err("no division");
        assert!(err.to_string().contains("x.toml"));
        assert!(err.to_string().contains("division"));
        assert!(matches!(
            resolve("nope", None),
            Err(ProfileError::Unknown(_))
        ));
    }
}
