//! The customer behind a complaint: one normalised identity (an e-mail address, a phone number
//! or a social handle) that links complaints across sources, and when a complaint is a repeat
//! of that customer's earlier ones.

use serde::Deserialize;

/// What kind of identity a value is. `Auto` tells by its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdKind {
    #[default]
    Auto,
    Email,
    Phone,
    Handle,
}

/// The fewest digits a value needs to be taken for a phone number by its shape: fewer are a
/// postcode or an account number.
const PHONE_DIGITS: usize = 7;

/// `email:ana@example.com`: trimmed and lowercased (no provider-specific rules).
pub fn email(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| prefixed("email:", &[v]))
}

/// `phone:+447700900123`: the digits, with a leading `+` kept; formatting dropped.
pub fn phone(value: &str) -> Option<String> {
    let v = value.trim();
    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let plus = if v.starts_with('+') { "+" } else { "" };
    Some(format!("phone:{plus}{digits}"))
}

/// `handle:twitter:acmefan`: lowercased, without a leading `@`, under the source it came from
/// (a handle on one network says nothing about the same name on another).
pub fn handle(value: &str, source: &str) -> Option<String> {
    let v = value.trim().trim_start_matches('@').trim();
    (!v.is_empty()).then(|| prefixed("handle:", &[source.trim(), ":", v]))
}

/// `prefix` and the parts, lowercased, in one allocation; ASCII without Unicode tables.
fn prefixed(prefix: &str, parts: &[&str]) -> String {
    let len = prefix.len() + parts.iter().map(|p| p.len()).sum::<usize>();
    let mut out = String::with_capacity(len);
    out.push_str(prefix);
    for part in parts {
        for c in part.chars() {
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        }
    }
    out
}

fn looks_like_email(v: &str) -> bool {
    let Some((local, domain)) = v.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !v.chars().any(char::is_whitespace)
        && domain
            .split_once('.')
            .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
}

fn looks_like_phone(v: &str) -> bool {
    v.chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        && v.chars().filter(char::is_ascii_digit).count() >= PHONE_DIGITS
}

fn looks_like_handle(v: &str) -> bool {
    v.strip_prefix('@')
        .is_some_and(|h| !h.is_empty() && !h.contains('@') && !h.chars().any(char::is_whitespace))
}

/// The key of one value of the given kind; `Auto` reads e-mails (an `@` with a dot after it),
/// phone numbers (digits and formatting only, at least seven digits) and `@handles`, and
/// gives nothing for anything else (a name, a postcode).
pub fn key(value: &str, kind: IdKind, source: &str) -> Option<String> {
    let v = value.trim();
    match kind {
        IdKind::Email => email(v),
        IdKind::Phone => phone(v),
        IdKind::Handle => handle(v, source),
        IdKind::Auto if looks_like_email(v) => email(v),
        IdKind::Auto if looks_like_phone(v) => phone(v),
        IdKind::Auto if looks_like_handle(v) => handle(v, source),
        IdKind::Auto => None,
    }
}

/// A complaint's customer key: from its contact (an e-mail or phone, told by shape), else from
/// its customer field read as `customer_kind` (a profile's `customer_id_kind`).
pub fn key_of(
    contact: Option<&str>,
    customer: Option<&str>,
    customer_kind: IdKind,
    source: &str,
) -> Option<String> {
    contact
        .and_then(|c| key(c, IdKind::Auto, source))
        .or_else(|| customer.and_then(|c| key(c, customer_kind, source)))
}

/// The customer key as a number (64-bit FNV-1a, halved to stay non-negative), for the store's
/// links of a customer's complaints: numbers sort and compare far faster than the text. It is
/// stored, so it must never change. Two keys may share a number; readers compare the keys too.
pub fn number(key: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 1) as i64
}

/// For one customer's complaints as (received_at, id), sorted: each complaint that has at
/// least one other received in the `window` seconds before it, as (its index, the index of the
/// first of those others). The others are then `first..index`, and the complaint is the
/// `index - first + 1`th in the window. Complaints received at the same moment count in id
/// order.
pub fn repeats(dated: &[(i64, i64)], window: i64) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut first = 0;
    for (i, &(at, _)) in dated.iter().enumerate() {
        while dated[first].0 < at.saturating_sub(window) {
            first += 1;
        }
        if first < i {
            out.push((i, first));
        }
    }
    out
}

/// "1st", "2nd", "3rd", "11th", "22nd".
pub fn ordinal(n: i64) -> String {
    let suffix = match (n % 100, n % 10) {
        (11..=13, _) => "th",
        (_, 1) => "st",
        (_, 2) => "nd",
        (_, 3) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The most earlier complaints a repeat names before "and N more".
pub const NAMED_OTHERS: usize = 5;

/// "3rd complaint from this customer in 90 days (T-1, T-2)": `named` are the first of the
/// `ordinal_n - 1` others, oldest first; those past them are counted.
pub fn explain_repeat(ordinal_n: i64, days: i64, named: &[&str]) -> String {
    let more = (ordinal_n - 1).saturating_sub(named.len() as i64);
    let mut named = named.join(", ");
    if more > 0 {
        named.push_str(&format!(" and {more} more"));
    }
    format!(
        "{} complaint from this customer in {days} days ({named})",
        ordinal(ordinal_n)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stored numbers never change: pinned against an independent FNV-1a computation.
    #[test]
    fn numbers_are_stable() {
        assert_eq!(number("email:ana@example.com"), 9039165571805397639);
        assert_eq!(number(""), 7347990519673328018);
        assert_ne!(number("email:a@b.co"), number("email:a@b.cO"));
    }

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(
            key("  Ana@Example.COM ", IdKind::Auto, "helpdesk").as_deref(),
            Some("email:ana@example.com")
        );
        assert_eq!(
            key("ana.b@example.com", IdKind::Auto, "x").as_deref(),
            Some("email:ana.b@example.com")
        );
        // No dot after the @: not an e-mail by shape.
        assert_eq!(key("ana@localhost", IdKind::Auto, "x"), None);
        assert_eq!(
            key("ana@localhost", IdKind::Email, "x").as_deref(),
            Some("email:ana@localhost")
        );
    }

    #[test]
    fn phones_keep_digits_and_a_leading_plus() {
        for v in ["+44 7700 900123", "+44 (7700) 900-123", " +447700900123"] {
            assert_eq!(
                key(v, IdKind::Auto, "x").as_deref(),
                Some("phone:+447700900123"),
                "{v}"
            );
        }
        assert_eq!(
            key("07700 900123", IdKind::Auto, "x").as_deref(),
            Some("phone:07700900123")
        );
        // Too few digits, or letters: a postcode, a name.
        assert_eq!(key("90210", IdKind::Auto, "x"), None);
        assert_eq!(key("CA, 90210", IdKind::Auto, "x"), None);
        assert_eq!(key("Ana Silva", IdKind::Auto, "x"), None);
        assert_eq!(key("n/a", IdKind::Phone, "x"), None);
    }

    #[test]
    fn handles_are_lowercased_without_the_at_under_their_source() {
        assert_eq!(
            key("@AcmeFan", IdKind::Auto, "twitter").as_deref(),
            Some("handle:twitter:acmefan")
        );
        assert_eq!(
            key("AcmeFan", IdKind::Handle, "Twitter").as_deref(),
            Some("handle:twitter:acmefan")
        );
        // A numeric author id is a handle when the profile says so, not a phone number.
        assert_eq!(
            key("115712345", IdKind::Handle, "social").as_deref(),
            Some("handle:social:115712345")
        );
        assert_eq!(key(" @ ", IdKind::Handle, "social"), None);
        // A handle and an e-mail never collide.
        assert_ne!(
            key("ana", IdKind::Handle, "x"),
            key("ana", IdKind::Email, "x")
        );
    }

    #[test]
    fn the_contact_wins_over_the_customer_field() {
        assert_eq!(
            key_of(
                Some("ANA@example.com"),
                Some("Ana Silva"),
                IdKind::Auto,
                "helpdesk"
            )
            .as_deref(),
            Some("email:ana@example.com")
        );
        assert_eq!(
            key_of(None, Some("Ana Silva"), IdKind::Auto, "helpdesk"),
            None
        );
        assert_eq!(
            key_of(Some("call me"), Some("acmefan"), IdKind::Handle, "social").as_deref(),
            Some("handle:social:acmefan")
        );
    }

    #[test]
    fn repeats_count_the_others_in_the_window_before() {
        let day = 86_400;
        let window = 90 * day;
        // One 200 days before, then three within 90 days.
        let dated = [(0, 1), (200 * day, 2), (230 * day, 3), (260 * day, 4)];
        assert_eq!(repeats(&dated, window), vec![(2, 1), (3, 1)]);
        // Exactly at the window's edge still counts; the same moment counts in id order.
        let dated = [(0, 1), (window, 2), (window, 3)];
        assert_eq!(repeats(&dated, window), vec![(1, 0), (2, 0)]);
        assert!(repeats(&[(5, 1)], window).is_empty());
        assert!(repeats(&[], window).is_empty());
    }

    #[test]
    fn ordinals_and_explanations() {
        let words: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            words,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st",
                "111th"
            ]
        );
        assert_eq!(
            explain_repeat(3, 90, &["T-1", "T-2"]),
            "3rd complaint from this customer in 90 days (T-1, T-2)"
        );
        let named = ["a", "b", "c", "d", "e"];
        assert_eq!(
            explain_repeat(8, 90, &named),
            "8th complaint from this customer in 90 days (a, b, c, d, e and 2 more)"
        );
    }
}
