//! Canned replies: the same text, names and numbers aside, sent to many customers.
//!
//! A reply is normalised (lower case, punctuation dropped, whitespace folded; names, numbers,
//! dates, e-mail addresses and links masked) so that "Dear Ann, your reference is 830957" and
//! "Dear Ben, your reference is 538121" are one text. Identical normalised texts form a group;
//! groups whose word shingles overlap enough (Jaccard, estimated with MinHash and found with
//! locality-sensitive hashing) join one cluster, so lightly edited copies of a template count too.

use std::collections::HashSet;

/// Hashes per MinHash signature: 8 bands of 4, so pairs at 0.8 similarity meet in some band
/// 98.5 % of the time, while pairs below 0.5 rarely do.
pub const HASHES: usize = 32;
const BAND_ROWS: usize = 4;

/// Settings of the check, from the configuration.
#[derive(Debug, Clone, serde::Serialize)]
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

fn mix(mut x: u64) -> u64 {
    // The splitmix64 finaliser.
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The MinHash signature of a normalised text's shingles of `k` words. Each position keeps the
/// low 16 bits of its minimum: two different minima then agree by chance once in 65 536.
pub fn signature(normalised: &str, k: usize) -> [u16; HASHES] {
    let words: Vec<u64> = normalised
        .split(' ')
        .map(|w| hash64(w.as_bytes()))
        .collect();
    let k = k.max(1).min(words.len().max(1));
    let mut mins = [u64::MAX; HASHES];
    for win in words.windows(k) {
        let shingle = win.iter().fold(0u64, |acc, w| mix(acc.rotate_left(23) ^ w));
        for (i, m) in mins.iter_mut().enumerate() {
            // Cheap independent permutations: a multiply-add per position, then a mix of the top.
            let v = shingle
                .wrapping_mul(MULS[i])
                .wrapping_add(MULS[HASHES - 1 - i]);
            *m = (*m).min(v ^ (v >> 29));
        }
    }
    mins.map(|m| m as u16)
}

/// Odd constants for the permutations (splitmix64 outputs of 1..=32, forced odd).
const MULS: [u64; HASHES] = {
    let mut out = [0u64; HASHES];
    let mut i = 0;
    while i < HASHES {
        let mut x = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out[i] = (x ^ (x >> 31)) | 1;
        i += 1;
    }
    out
};

/// The estimated Jaccard similarity of two signatures.
pub fn similarity(a: &[u16; HASHES], b: &[u16; HASHES]) -> f64 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / HASHES as f64
}

/// Clusters of near-duplicate signatures: for each input, the index of its cluster's root.
/// Candidates meet in an LSH band; each is compared with the first and the previous member of
/// its bucket, which finds every cluster whose members are all alike, at linear cost.
pub fn cluster(sigs: &[[u16; HASHES]], threshold: f64) -> Vec<u32> {
    let mut parent: Vec<u32> = (0..sigs.len() as u32).collect();
    fn root(parent: &mut [u32], mut i: u32) -> u32 {
        while parent[i as usize] != i {
            let up = parent[parent[i as usize] as usize];
            parent[i as usize] = up;
            i = up;
        }
        i
    }
    let mut keys: Vec<(u64, u32)> = Vec::with_capacity(sigs.len());
    for band in 0..HASHES / BAND_ROWS {
        keys.clear();
        for (i, s) in sigs.iter().enumerate() {
            let rows = &s[band * BAND_ROWS..(band + 1) * BAND_ROWS];
            let key = rows.iter().fold(0u64, |acc, r| (acc << 16) | u64::from(*r));
            keys.push((key, i as u32));
        }
        keys.sort_unstable();
        for run in keys.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
            let head = run[0].1;
            for pair in run.windows(2) {
                for other in [head, pair[0].1] {
                    let me = pair[1].1;
                    if similarity(&sigs[me as usize], &sigs[other as usize]) >= threshold {
                        let (a, b) = (root(&mut parent, me), root(&mut parent, other));
                        if a != b {
                            parent[a.max(b) as usize] = a.min(b);
                        }
                    }
                }
            }
        }
    }
    (0..sigs.len() as u32)
        .map(|i| root(&mut parent, i))
        .collect()
}

#[cfg(test)]
#[path = "canned_tests.rs"]
mod tests;
