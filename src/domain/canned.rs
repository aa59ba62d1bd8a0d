//! Canned replies: the same text, names and numbers aside, sent to many customers.
//!
//! A reply is normalised (lower case, punctuation dropped, whitespace folded; names, numbers,
//! dates, e-mail addresses and links masked) so that "Dear Ann, your reference is 830957" and
//! "Dear Ben, your reference is 538121" are one text. Identical normalised texts form a group;
//! groups whose word shingles overlap enough (Jaccard, estimated with MinHash and found with
//! locality-sensitive hashing) join one cluster, so lightly edited copies of a template count too.

use std::collections::HashSet;

pub use super::canned_lsh::{
    band_key, bucket_ends, cluster, sig_bytes, sig_from_bytes, signature, similarity, BANDS, HASHES,
};
/// Settings of the check, from the configuration.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Settings {
    pub min_customers: u32,
    pub min_words: u32,
    pub near_threshold: f64,
    pub shingle_words: usize,
    pub greetings: Vec<String>,
}

/// Turns replies into their normalised form.
pub struct Normaliser {
    greetings: HashSet<String>,
}

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

#[derive(Clone, Copy, PartialEq)]
enum Tok {
    Word,
    Number,
    Name,
    Date,
    Email,
    Link,
}

impl Normaliser {
    pub fn new(greetings: &[String]) -> Normaliser {
        Normaliser {
            greetings: greetings.iter().map(|g| g.to_lowercase()).collect(),
        }
    }

    /// The normalised text and its number of words. `names` are the customer's and the
    /// responder's names as written anywhere (split into words here). Runs once per reply on
    /// the whole store, so it keeps to a handful of allocations.
    pub fn normalise(&self, text: &str, names: &[&str]) -> (String, u32) {
        let names: Vec<String> = names
            .iter()
            .flat_map(|n| n.split(|c: char| !c.is_alphanumeric()))
            .filter(|w| w.chars().count() > 1)
            .map(str::to_lowercase)
            .collect();
        // Every token's lower-case text lives in one buffer; tokens are ranges into it.
        let mut lower = String::with_capacity(text.len());
        let mut toks: Vec<(Tok, std::ops::Range<usize>)> = Vec::with_capacity(64);
        for raw in text.split(|c: char| c.is_whitespace() || ",;!?()[]{}\"<>*".contains(c)) {
            let kind = if raw.contains('@') {
                Tok::Email
            } else if raw.starts_with("http://")
                || raw.starts_with("https://")
                || raw.starts_with("www.")
            {
                Tok::Link
            } else {
                Tok::Word
            };
            let core = raw.trim_matches(|c: char| !c.is_alphanumeric());
            if core.is_empty() && kind == Tok::Word {
                continue;
            }
            let start = lower.len();
            if core.is_ascii() {
                lower.extend(core.bytes().map(|b| char::from(b.to_ascii_lowercase())));
            } else {
                lower.extend(core.chars().flat_map(char::to_lowercase));
            }
            let word = &lower[start..];
            let after_greeting = toks.last().is_some_and(|(k, r)| {
                *k == Tok::Word && self.greetings.contains(&lower[r.clone()])
            });
            let kind = match kind {
                Tok::Word if word.chars().any(char::is_numeric) => Tok::Number,
                Tok::Word if names.iter().any(|n| n == word) || after_greeting => Tok::Name,
                Tok::Word if WEEKDAYS.contains(&word) => Tok::Date,
                k => k,
            };
            toks.push((kind, start..lower.len()));
        }
        // A month is a date when a number stands next to it ("4 October", "May 12"): "may" alone
        // is a verb.
        for i in 0..toks.len() {
            let near_number = |j: Option<usize>| {
                j.and_then(|j| toks.get(j))
                    .is_some_and(|t| t.0 == Tok::Number)
            };
            if toks[i].0 == Tok::Word
                && MONTHS.contains(&&lower[toks[i].1.clone()])
                && (near_number(i.checked_sub(1)) || near_number(Some(i + 1)))
            {
                toks[i].0 = Tok::Date;
            }
        }
        let mut out = String::with_capacity(lower.len() + toks.len());
        for (kind, range) in &toks {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(match kind {
                Tok::Word => &lower[range.clone()],
                Tok::Number => "<n>",
                Tok::Name => "<name>",
                Tok::Date => "<date>",
                Tok::Email => "<email>",
                Tok::Link => "<link>",
            });
        }
        (out, toks.len() as u32)
    }
}

/// "this exact reply went to 1 204 customers", with its near-identical variants when it has any.
pub fn explain(customers: u64, cluster_customers: u64) -> String {
    let exact = format!(
        "this exact reply went to {} customer{}",
        thousands(customers),
        if customers == 1 { "" } else { "s" }
    );
    if cluster_customers > customers {
        format!(
            "{exact}; with near-identical variants, to {}",
            thousands(cluster_customers)
        )
    } else {
        exact
    }
}

/// 1204 as "1 204".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// A stable 64-bit hash (the same in every build, unlike std's), good enough to key texts.
pub fn hash64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15 ^ bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = mix(h ^ u64::from_le_bytes(w));
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    mix(h ^ u64::from_le_bytes(tail))
}

pub(super) fn mix(mut x: u64) -> u64 {
    // The splitmix64 finaliser.
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
#[path = "canned_tests.rs"]
mod tests;
