//! Whether a re-imported text is a damaged copy of the text already stored: what a
//! spreadsheet or a wrong encoding does to an export (`it’s` saved as `it__`, `café` as
//! `caf?` or `caf\u{fffd}`, a long narrative cut at a cell's limit). Such a copy would replace
//! good text with worse and void the signatures over it, so an import holds it back.
//!
//! The new text is a damaged copy of the stored one when, once whitespace is normalised
//! (every run of whitespace, line breaks included, counts as one space; leading and trailing
//! whitespace is dropped), it reads as the stored text, or as a strict prefix of it, except
//! that some non-ASCII characters of the stored text became placeholders, and
//! - at least one character became placeholders, or
//! - it is a prefix much shorter than the stored text: at least a tenth shorter, or cut at
//!   the spreadsheet cell limit of [`CELL_LIMIT`] characters.
//!
//! A placeholder stands for one character: `_`, `?` or U+FFFD, repeated up to as many times
//! as the character has bytes in UTF-8 (`’` may become `_`, `__` or `___`). Whitespace
//! differences alone, an ASCII character that changed, text added, or a prefix only a little
//! shorter are not damage: they are edits, and update the stored text as any other.

use std::fmt;

use super::Complaint;

/// The most characters a spreadsheet cell holds: a longer field is cut to exactly this many.
pub const CELL_LIMIT: usize = 32_767;

/// How a new text is a damaged copy of the stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Damage {
    /// Characters of the stored text that became placeholders.
    pub replaced: usize,
    /// The new text is only the start of the stored one.
    pub cut: bool,
    /// Characters of the new text...
    pub kept: usize,
    /// ...and of the stored one.
    pub of: usize,
}

impl Damage {
    pub fn cut_short(&self) -> bool {
        self.cut
    }
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.replaced > 0 {
            let s = if self.replaced == 1 { "" } else { "s" };
            write!(
                f,
                "{} non-ASCII character{s} of the stored text became _, ? or \u{fffd}",
                self.replaced
            )?;
            if self.cut_short() {
                f.write_str(", and ")?;
            }
        }
        if self.cut_short() {
            write!(
                f,
                "it is cut short: {} of the stored {} characters",
                self.kept, self.of
            )?;
        }
        Ok(())
    }
}

/// Whether `new` is a damaged copy of `stored` (see the module's description).
pub fn damaged_copy(stored: &str, new: &str) -> Option<Damage> {
    if stored == new {
        return None;
    }
    let s = normalised(stored);
    let n = normalised(new);
    // Positions in `n` the stored text so far can have reached, each with the fewest
    // placeholders that reach it; a handful at most, since the paths meet again.
    let mut states: Vec<(usize, usize)> = vec![(0, 0)];
    let mut next: Vec<(usize, usize)> = Vec::new();
    // The longest prefix of `s` that all of `n` copies: (its length, placeholders).
    let mut copied: Option<(usize, usize)> = None;
    for (i, &c) in s.iter().enumerate() {
        for &(j, r) in &states {
            if j == n.len() {
                copied = Some((i, r));
            }
        }
        next.clear();
        for &(j, r) in &states {
            if n.get(j) == Some(&c) {
                reach(&mut next, j + 1, r);
            }
            if !c.is_ascii() {
                for p in PLACEHOLDERS {
                    let run = n[j.min(n.len())..]
                        .iter()
                        .take(c.len_utf8())
                        .take_while(|&&x| x == p)
                        .count();
                    for k in 1..=run {
                        reach(&mut next, j + k, r + 1);
                    }
                }
            }
        }
        std::mem::swap(&mut states, &mut next);
        if states.is_empty() {
            break;
        }
    }
    let whole = states
        .iter()
        .filter(|&&(j, _)| j == n.len())
        .map(|&(_, r)| r)
        .min();
    let damage = |replaced, cut| Damage {
        replaced,
        cut,
        kept: new.chars().count(),
        of: stored.chars().count(),
    };
    match (whole, copied) {
        (Some(r), _) if r > 0 => Some(damage(r, false)),
        (Some(_), _) => None,
        (None, Some((kept, r))) => {
            let much_shorter = kept * 10 <= s.len() * 9
                || new.chars().count() == CELL_LIMIT
                || new.encode_utf16().count() == CELL_LIMIT;
            (r > 0 || much_shorter).then(|| damage(r, true))
        }
        (None, None) => None,
    }
}

/// A field whose new text is a damaged copy of the stored one, with its name and how; the
/// first such field in the order of the record.
pub fn damaged_complaint(stored: &Complaint, new: &Complaint) -> Option<(&'static str, Damage)> {
    let fields: [(&'static str, Option<&str>, Option<&str>); 6] = [
        (
            "customer",
            stored.customer.as_deref(),
            new.customer.as_deref(),
        ),
        ("product", stored.product.as_deref(), new.product.as_deref()),
        ("subject", stored.subject.as_deref(), new.subject.as_deref()),
        (
            "complaint_text",
            Some(&stored.complaint_text),
            Some(&new.complaint_text),
        ),
        (
            "response_text",
            stored.response_text.as_deref(),
            new.response_text.as_deref(),
        ),
        (
            "responder",
            stored.responder.as_deref(),
            new.responder.as_deref(),
        ),
    ];
    fields
        .into_iter()
        .find_map(|(name, old, new)| {
            // A text that is gone is a copy cut short to nothing.
            let old = old?;
            damaged_copy(old, new.unwrap_or("")).map(|d| (name, d))
        })
        .or_else(|| damaged_message(stored, new))
}

/// A message of a stored thread whose new copy (the same id, or the same place in a thread
/// without ids) is damaged.
fn damaged_message(stored: &Complaint, new: &Complaint) -> Option<(&'static str, Damage)> {
    stored.messages.iter().enumerate().find_map(|(i, old)| {
        let copy = match &old.id {
            Some(id) => new.messages.iter().find(|m| m.id.as_ref() == Some(id)),
            None => new.messages.get(i),
        }?;
        damaged_copy(&old.text, &copy.text).map(|d| ("message", d))
    })
}

const PLACEHOLDERS: [char; 3] = ['_', '?', '\u{fffd}'];

/// Adds a reachable position, keeping the fewest placeholders for each.
fn reach(states: &mut Vec<(usize, usize)>, j: usize, r: usize) {
    match states.iter_mut().find(|(k, _)| *k == j) {
        Some(s) => s.1 = s.1.min(r),
        None => states.push((j, r)),
    }
}

/// The text's characters with every run of whitespace as one space, none at either end.
fn normalised(text: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORED: &str = "I was told it’s fixed, but the café still can’t pay by card.\r\n\
                          Three weeks now — Zoë";

    fn damaged(new: &str) -> Option<Damage> {
        damaged_copy(STORED, new)
    }

    #[test]
    fn non_ascii_letters_turned_placeholders_are_damage() {
        for (new, replaced) in [
            (
                "I was told it__s fixed, but the caf? still can__t pay by card.\r\nThree weeks now __ Zo?",
                5,
            ),
            (
                "I was told it?s fixed, but the café still can’t pay by card.\r\nThree weeks now — Zoë",
                1,
            ),
            (
                "I was told it\u{fffd}\u{fffd}\u{fffd}s fixed, but the caf\u{fffd} still can’t pay by card.\r\nThree weeks now — Zoë",
                2,
            ),
            // Line endings changed too: still a damaged copy.
            (
                "I was told it_s fixed, but the café still can’t pay by card.\nThree weeks now — Zoë",
                1,
            ),
        ] {
            let d = damaged(new).unwrap_or_else(|| panic!("{new:?} is damaged"));
            assert_eq!(d.replaced, replaced, "{new:?}");
            assert!(!d.cut_short(), "{new:?}");
        }
        // More placeholders than the character has bytes is not one character's.
        assert_eq!(damaged_copy("café", "caf???"), None);
        // A placeholder over an ASCII character is an edit, not damage.
        assert_eq!(damaged_copy("cafe bar", "caf? bar"), None);
        // Placeholders that were in the stored text already are its own.
        assert_eq!(damaged_copy("what?", "what?"), None);
        assert_eq!(
            damaged_copy("é_é", "___").map(|d| d.replaced),
            Some(2),
            "the paths that meet again are followed"
        );
    }

    #[test]
    fn a_much_shorter_prefix_is_cut_short() {
        let long = format!("{} and then the line went dead", STORED);
        let d = damaged_copy(&long, STORED).expect("cut");
        assert!(d.cut_short() && d.replaced == 0, "{d:?}");
        assert_eq!(
            d.to_string(),
            format!(
                "it is cut short: {} of the stored {} characters",
                d.kept, d.of
            )
        );
        let half: String = STORED.chars().take(40).collect();
        assert!(damaged(&half).is_some_and(|d| d.cut_short()));
        assert_eq!(
            damaged_copy("Please call me back", "").map(|d| (d.cut, d.kept, d.of)),
            Some((true, 0, 19))
        );
        // A prefix only a little shorter is an edit...
        let whole = "Please call me back today, or tomorrow at the latest.";
        assert_eq!(damaged_copy(whole, whole.trim_end_matches('.')), None);
        // ...unless it is mangled as well, or at a spreadsheet cell's limit.
        assert!(damaged_copy("Zoë wants a call back today.", "Zo? wants a call back").is_some());
        let text = "x".repeat(CELL_LIMIT + 100);
        assert!(damaged_copy(&text, &text[..CELL_LIMIT]).is_some());
        assert_eq!(damaged_copy(&text, &text[..CELL_LIMIT - 1]), None);
        let both =
            damaged_copy("It’s broken, and I want a refund today", "It_s broken").expect("both");
        assert_eq!((both.replaced, both.cut_short()), (1, true));
        assert!(both.to_string().contains("became _, ? or"), "{both}");
        assert!(both.to_string().contains("cut short"), "{both}");
    }

    #[test]
    fn edits_and_whitespace_are_not_damage() {
        for new in [
            STORED,
            // Whitespace and line endings only.
            "I was told it’s fixed,  but the café still can’t pay by card.\nThree weeks now — Zoë\n",
            "  I was told it’s fixed, but the café still\tcan’t pay by card. Three weeks now — Zoë",
            // Different words.
            "I was told it’s fixed, but the café still can’t pay by card. Four weeks now — Zoë",
            // More text.
            "I was told it’s fixed, but the café still can’t pay by card.\r\nThree weeks now — Zoë. Please call.",
            // Better text: the placeholders of an earlier import repaired.
            "I was told it’s fixed, but the café still can’t pay by card.\r\nThree weeks now — Zoë!",
        ] {
            assert_eq!(damaged(new), None, "{new:?}");
        }
        assert_eq!(damaged_copy("caf? is shut", "café is shut"), None);
        assert_eq!(damaged_copy("", "new text"), None);
        assert_eq!(damaged_copy("  \n", ""), None);
    }

    #[test]
    fn a_complaint_names_its_first_damaged_field() {
        let stored = Complaint {
            customer: Some("Renée Côté".into()),
            complaint_text: STORED.into(),
            response_text: Some("We’re sorry.".into()),
            ..Default::default()
        };
        let mut new = stored.clone();
        assert_eq!(damaged_complaint(&stored, &new), None);
        new.response_text = Some("We__re sorry.".into());
        assert_eq!(
            damaged_complaint(&stored, &new).map(|(f, d)| (f, d.replaced)),
            Some(("response_text", 1))
        );
        new.customer = Some("Ren?e C?t?".into());
        assert_eq!(
            damaged_complaint(&stored, &new).map(|(f, _)| f),
            Some("customer")
        );
        // A reply that is gone is text cut to nothing; a reply that is new is an edit.
        let mut gone = stored.clone();
        gone.response_text = None;
        assert_eq!(
            damaged_complaint(&stored, &gone).map(|(f, d)| (f, d.kept)),
            Some(("response_text", 0))
        );
        assert_eq!(damaged_complaint(&gone, &stored), None);
        let mut edited = stored.clone();
        edited.complaint_text.push_str(" Call me.");
        edited.likelihood = Some(2);
        assert_eq!(damaged_complaint(&stored, &edited), None);
    }
}
