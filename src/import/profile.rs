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
        "messages",
        include_str!("../../config/profiles/messages.toml"),
    ),
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
    #[error(
        "no profile named {0:?} (built in: cfpb, cfpb-legacy, helpdesk, social, messages, generic)"
    )]
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
    /// One row per message, grouped into threads by `external_id` (helpdesk conversation
    /// exports).
    #[serde(default)]
    pub thread: Option<ThreadSpec>,
    /// How ids are read: what a spreadsheet tool may have done to them.
    #[serde(default)]
    pub ids: Ids,
    /// Other names a column goes by, keyed by the name the profile uses for it.
    #[serde(default)]
    pub aliases: BTreeMap<String, Vec<String>>,
    /// What the `customer` field identifies a customer by, for linking complaints across
    /// sources (the `contact` field is read by its shape).
    #[serde(default)]
    pub customer_id_kind: crate::domain::customer::IdKind,
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
    /// The complaint's text when `complaint` is empty: other columns standing in for words
    /// the export does not publish (a CFPB row's issue and sub-issue).
    pub complaint_fallback: Option<Column>,
    pub outcome_response: Option<Column>,
    pub outcome_public_response: Option<Column>,
    pub outcome_timely: Option<Column>,
    pub outcome_disputed: Option<Column>,
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
            ("complaint_fallback", &self.complaint_fallback),
            ("outcome_response", &self.outcome_response),
            ("outcome_public_response", &self.outcome_public_response),
            ("outcome_timely", &self.outcome_timely),
            ("outcome_disputed", &self.outcome_disputed),
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
    /// The column holding the id of the message a row answers.
    pub reply_to: String,
    /// Where a thread's division comes from: `row` (the division field of the message that
    /// opens it) or `replier` (the company author who answers first, mapped through the
    /// divisions' `aliases`; a thread nobody answered keeps the division field).
    #[serde(default)]
    pub division_from: DivisionFrom,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DivisionFrom {
    #[default]
    Row,
    Replier,
}

/// A helpdesk conversation export: one row per message, the rows of one ticket sharing its
/// `external_id`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadSpec {
    /// The column saying who wrote the message.
    pub author_type: String,
    /// Values of `author_type` (compared without regard to case) for each kind of author.
    pub customer_values: Vec<String>,
    pub company_values: Vec<String>,
    #[serde(default)]
    pub note_values: Vec<String>,
}

/// What is done to every id (`external_id`, and `link.reply_to`) before it is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ids {
    /// Leading and trailing white space is dropped.
    #[serde(default = "yes")]
    pub trim: bool,
    /// Ids are compared in lower case.
    #[serde(default)]
    pub lowercase: bool,
    /// A trailing `.0` (or `.00`…) that spreadsheet tools and pandas add to whole numbers is
    /// dropped, so that `3.0` and `3` are the same id.
    #[serde(default)]
    pub strip_decimal_zero: bool,
}

fn yes() -> bool {
    true
}

impl Default for Ids {
    fn default() -> Self {
        Ids {
            trim: true,
            lowercase: false,
            strip_decimal_zero: false,
        }
    }
}

impl Ids {
    /// The id as the profile compares it.
    pub fn normalise(&self, id: &mut String) {
        if self.trim {
            let t = id.trim();
            if t.len() != id.len() {
                *id = t.to_string();
            }
        }
        if self.strip_decimal_zero {
            if let Some(dot) = id.rfind('.') {
                let (int, frac) = id.split_at(dot);
                if !int.is_empty()
                    && int.bytes().all(|b| b.is_ascii_digit())
                    && frac.len() > 1
                    && frac[1..].bytes().all(|b| b == b'0')
                {
                    id.truncate(dot);
                }
            }
        }
        if self.lowercase {
            let lower = id.to_lowercase();
            if lower != *id {
                *id = lower;
            }
        }
    }
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
        if self.link.is_some() && self.thread.is_some() {
            return Err(bad(
                "[link] and [thread] are two ways of building threads: give one".into(),
            ));
        }
        if let Some(t) = &self.thread {
            if t.customer_values.is_empty() || t.company_values.is_empty() {
                return Err(bad(
                    "thread.customer_values and thread.company_values must each list a value"
                        .into(),
                ));
            }
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
        self.check_aliases().map_err(bad)
    }

    /// Every alias names a column the profile reads, and no alias could be read as another
    /// column: which one a header meant would be a guess.
    fn check_aliases(&self) -> Result<(), String> {
        let read = self.read_columns();
        let mut taken: Vec<(String, &str)> =
            read.iter().map(|c| (normalize_header(c), *c)).collect();
        for (column, aliases) in &self.aliases {
            let key = normalize_header(column);
            if !read.iter().any(|c| normalize_header(c) == key) {
                return Err(format!(
                    "aliases: {column:?} is not a column the profile reads (it reads {})",
                    read.join(", ")
                ));
            }
            for alias in aliases {
                let a = normalize_header(alias);
                if a.is_empty() {
                    return Err(format!("aliases: {column:?} has an empty alias"));
                }
                if let Some((_, other)) = taken
                    .iter()
                    .find(|(n, c)| *n == a && normalize_header(c) != key)
                {
                    return Err(format!(
                        "aliases: {alias:?}, an alias of {column:?}, also names column {other:?}"
                    ));
                }
                taken.push((a, column.as_str()));
            }
        }
        Ok(())
    }

    /// Every column the profile reads, as it names them, once each.
    fn read_columns(&self) -> Vec<&str> {
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
            .chain(self.thread.iter().map(|t| t.author_type.as_str()))
            .collect();
        cols.sort_unstable();
        cols.dedup();
        cols
    }

    /// The names a header may give a column, normalised: its own and its aliases.
    pub fn column_names(&self, column: &str) -> Vec<String> {
        let key = normalize_header(column);
        let mut names = vec![key.clone()];
        for (c, aliases) in &self.aliases {
            if normalize_header(c) == key {
                names.extend(aliases.iter().map(|a| normalize_header(a)));
            }
        }
        names
    }

    /// Where the header holds a column (by any of its names), the first place if several.
    pub fn find_column(&self, header: &[String], column: &str) -> Option<usize> {
        let names = self.column_names(column);
        header
            .iter()
            .position(|h| names.contains(&normalize_header(h)))
    }

    /// Columns that must be present for a header to match this profile.
    pub fn required_columns(&self) -> Vec<&str> {
        let optional: Vec<String> = self
            .header_optional
            .columns
            .iter()
            .map(|o| normalize_header(o))
            .collect();
        self.read_columns()
            .into_iter()
            .filter(|c| !optional.contains(&normalize_header(c)))
            .collect()
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
            }))
            .chain(
                self.thread
                    .iter()
                    .map(|t| ("thread.author_type", std::slice::from_ref(&t.author_type))),
            );
        for (field, cols) in mapped {
            for c in cols {
                let want = self.column_names(c);
                let at: Vec<usize> = names
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| want.contains(n))
                    .map(|(i, _)| i)
                    .collect();
                if at.len() > 1 {
                    let written: Vec<&str> = at.iter().map(|&i| header[i].trim()).collect();
                    let spellings = if written.iter().all(|w| *w == written[0]) {
                        String::new()
                    } else {
                        let shown: Vec<String> = written.iter().map(|w| format!("{w:?}")).collect();
                        format!(", as {}", shown.join(", "))
                    };
                    let numbers: Vec<String> = at.iter().map(|i| (i + 1).to_string()).collect();
                    return Some(format!(
                        "the header names column {c:?} more than once (columns {}){spellings}; the profile reads {field} from it, and which one holds it is unclear: rename or remove the others",
                        numbers.join(", ")
                    ));
                }
            }
        }
        None
    }

    /// Whether a record looks like this profile's header: it names every required column,
    /// by the profile's name for it or an alias.
    pub fn header_matches(&self, record: &[String]) -> bool {
        let names: Vec<String> = record.iter().map(|s| normalize_header(s)).collect();
        self.required_columns().iter().all(|c| {
            let want = self.column_names(c);
            names.iter().any(|n| want.contains(n))
        })
    }
}

/// The fields a profile can map; mapping's `Field` follows this order.
pub const FIELD_NAMES: [&str; 19] = [
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
    "complaint_fallback",
    "outcome_response",
    "outcome_public_response",
    "outcome_timely",
    "outcome_disputed",
];

/// The form in which header names compare: a leading BOM dropped, letters lowercased, and
/// every run of other characters (spaces, `_`, `-`, `?`, `.`, `/`, brackets, ...) one space,
/// none at either end (surrounding tabs and line breaks too). So `Date received`, `date_received`, ` DATE-RECEIVED ` and
/// `Date__received` are one name, as are `Timely response?` and `timely_response`. Control
/// characters are kept as they are: a header name holding a line break or a NUL is a broken
/// export, and matching it would hide that.
pub fn normalize_header(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    for c in s.trim_start_matches('\u{feff}').trim().chars() {
        if c.is_alphanumeric() || c.is_control() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    out
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
            [
                "cfpb",
                "cfpb-legacy",
                "helpdesk",
                "social",
                "messages",
                "generic"
            ]
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

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn header_names_compare_by_their_words() {
        for (a, b) in [
            ("Date received", "date_received"),
            ("Date received", "Date_received"),
            ("Date received", " DATE-RECEIVED "),
            ("Date received", "date__received"),
            ("Timely response?", "timely_response"),
            ("ZIP code", "Zip-Code"),
            ("Ticket ID", "\u{feff}ticket id\t"),
        ] {
            assert_eq!(normalize_header(a), normalize_header(b), "{a:?} {b:?}");
        }
        assert_eq!(
            normalize_header("Consumer consent provided?"),
            "consumer consent provided"
        );
        // A line break or NUL inside a name is kept: that header is broken, not a variant.
        assert_ne!(
            normalize_header("Ticket\nID"),
            normalize_header("Ticket ID")
        );
        assert_ne!(normalize_header("Cre\0ated"), normalize_header("Created"));
        assert_ne!(normalize_header("Subissue"), normalize_header("Sub-issue"));
    }

    #[test]
    fn snake_case_cfpb_headers_match_both_cfpb_profiles() {
        let hdr = strings(&[
            "date_received",
            "product",
            "sub_product",
            "issue",
            "sub_issue",
            "consumer_complaint_narrative",
            "company_public_response",
            "company",
            "state",
            "zip_code",
            "tags",
            "consumer_consent_provided",
            "submitted_via",
            "date_sent_to_company",
            "company_response_to_consumer",
            "timely_response",
            "consumer_disputed",
            "complaint_id",
        ]);
        for name in ["cfpb", "cfpb-legacy"] {
            let p = resolve(name, None).expect("profile");
            assert!(p.header_matches(&hdr), "{name}");
            assert_eq!(p.repeated_column(&hdr), None, "{name}");
            assert_eq!(p.find_column(&hdr, "Complaint ID"), Some(17));
        }
    }

    #[test]
    fn aliases_match_and_a_column_named_twice_is_refused() {
        let p = resolve("cfpb", None).expect("cfpb");
        let api = strings(&[
            "complaint_id",
            "date_received",
            "product",
            "issue",
            "complaint_what_happened",
            "company_response",
            "company",
            "submitted_via",
        ]);
        assert!(p.header_matches(&api));
        assert_eq!(p.find_column(&api, "Consumer complaint narrative"), Some(4));
        let mut twice = api.clone();
        twice.push("Consumer complaint narrative".into());
        let why = p.repeated_column(&twice).expect("named twice");
        assert!(
            why.contains("\"Consumer complaint narrative\" more than once (columns 5, 9), as \"complaint_what_happened\", \"Consumer complaint narrative\""),
            "{why}"
        );
        let mut spelled_twice = api;
        spelled_twice.push("Date Received".into());
        let why = p.repeated_column(&spelled_twice).expect("named twice");
        assert!(why.contains("(columns 2, 9)"), "{why}");
    }

    #[test]
    fn aliases_must_name_a_column_and_only_one() {
        let base = "name='x'\nsource='x'\n[fields]\nexternal_id='Id'\nreceived_at='When'\ncomplaint='Text'\ndivision='Team'\n[dates]\nformats=['%Y']\n";
        let p = Profile::parse(
            &format!("{base}[aliases]\nwhen = ['Created at']\n"),
            "x.toml",
        )
        .expect("an alias");
        let hdr = strings(&["id", "created_at", "text", "team"]);
        assert!(p.header_matches(&hdr));
        let err = Profile::parse(&format!("{base}[aliases]\nNope = ['a']\n"), "x.toml")
            .expect_err("not a column");
        assert!(
            err.to_string()
                .contains("\"Nope\" is not a column the profile reads"),
            "{err}"
        );
        let err = Profile::parse(&format!("{base}[aliases]\nWhen = ['text']\n"), "x.toml")
            .expect_err("another column");
        assert!(
            err.to_string().contains("also names column \"Text\""),
            "{err}"
        );
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
