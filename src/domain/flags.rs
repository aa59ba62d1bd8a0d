//! The failure-mode flags of the product brief, as pure rules over one complaint's facts:
//! contact ignored, escalation refused, late (canned replies need the whole store: see
//! `canned`; the checks that read a stored thread are in `thread_checks`). Each flag carries
//! enough to explain itself.

use memchr::memmem::Finder;
use serde::Serialize;

use super::thread_checks;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flag {
    Canned,
    ContactIgnored,
    EscalationRefused,
    Late,
    /// A customer's complaint with another of theirs shortly before it (`domain::customer`).
    Repeat,
    /// The customer wrote several times before the company first answered (`thread_checks`).
    UnansweredWriting,
}

impl Flag {
    pub const ALL: [Flag; 6] = [
        Flag::Canned,
        Flag::ContactIgnored,
        Flag::EscalationRefused,
        Flag::Late,
        Flag::Repeat,
        Flag::UnansweredWriting,
    ];

    /// The name stored and used as a sampling rule.
    pub fn name(self) -> &'static str {
        match self {
            Flag::Canned => "canned",
            Flag::ContactIgnored => "contact-ignored",
            Flag::EscalationRefused => "escalation-refused",
            Flag::Late => "late",
            Flag::Repeat => "repeat",
            Flag::UnansweredWriting => "unanswered-writing",
        }
    }

    pub fn parse(s: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.name() == s)
    }

    /// A short glyph-free label for lists.
    pub fn label(self) -> &'static str {
        match self {
            Flag::Canned => "canned reply",
            Flag::ContactIgnored => "contact ignored",
            Flag::EscalationRefused => "escalation refused",
            Flag::Late => "late",
            Flag::Repeat => "repeat customer",
            Flag::UnansweredWriting => "wrote repeatedly before an answer",
        }
    }
}

/// Lower-case phrases matched as whole words (a phrase is found in "the manager." but not in
/// "management").
pub struct Phrases {
    finders: Vec<(String, Finder<'static>)>,
}

impl Phrases {
    pub fn new(phrases: &[String]) -> Phrases {
        Phrases {
            finders: phrases
                .iter()
                .map(|p| p.trim().to_lowercase())
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let f = Finder::new(p.as_bytes()).into_owned();
                    (p, f)
                })
                .collect(),
        }
    }

    /// The first phrase found in `lower` (already lower-cased).
    pub fn find(&self, lower: &str) -> Option<&str> {
        let bytes = lower.as_bytes();
        self.finders.iter().find_map(|(p, f)| {
            f.find_iter(bytes)
                .any(|at| {
                    let before = lower[..at].chars().next_back();
                    let after = lower[at + p.len()..].chars().next();
                    !before.is_some_and(char::is_alphanumeric)
                        && !after.is_some_and(char::is_alphanumeric)
                })
                .then_some(p.as_str())
        })
    }
}

/// `text` in lower case, into `buf` (reused between calls: the checks lower every complaint).
pub fn lower_into<'a>(text: &str, buf: &'a mut String) -> &'a str {
    buf.clear();
    if text.is_ascii() {
        buf.push_str(text);
        buf.make_ascii_lowercase();
    } else {
        buf.extend(text.chars().flat_map(char::to_lowercase));
    }
    buf
}

/// The facts about one complaint that the local checks need. Times are Unix seconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts {
    pub received_at: i64,
    pub has_response: bool,
    pub responded_at: Option<i64>,
    pub wants_contact: bool,
    /// The first CAR contact with the customer, if any.
    pub first_contact: Option<i64>,
    /// A regulator's outcome was recorded: the company answered the regulator.
    pub outcome: bool,
    /// The regulator's verdict on the company's answer ("Timely response?"), if it gave one.
    pub timely: Option<bool>,
}

/// The note of a late flag judged on the regulator's "Timely response? No".
pub const UNTIMELY: &str = "untimely";

/// Late: answered after `target` seconds, or not answered and `target` has passed. A response
/// without a time (some portals give none) cannot be judged. A regulator's verdict decides
/// instead when it gave one ("Timely response? No" is late); a recorded outcome without one
/// cannot be judged. Returns the delay so far (for a regulator's "late", the answer's if timed,
/// else the wait so far).
pub fn late(f: &Facts, now: i64, target: i64) -> Option<i64> {
    match f.timely {
        Some(false) => {
            return Some(f.responded_at.unwrap_or(now) - f.received_at);
        }
        Some(true) => return None,
        None if f.outcome && !f.has_response => return None,
        None => {}
    }
    match (f.has_response, f.responded_at) {
        (true, Some(at)) => (at - f.received_at > target).then_some(at - f.received_at),
        (true, None) => None,
        (false, _) => (now - f.received_at > target).then_some(now - f.received_at),
    }
}

/// Contact ignored: the customer asked to be contacted and neither a response nor a CAR contact
/// came within `window` seconds. Judged only once the window has passed. Returns how long the
/// first contact took, if one came at all.
pub fn contact_ignored(f: &Facts, now: i64, window: i64) -> Option<Option<i64>> {
    if !f.wants_contact || now - f.received_at <= window {
        return None;
    }
    let response = f.responded_at.filter(|_| f.has_response);
    let first = match (response, f.first_contact) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
    .map(|t| t - f.received_at);
    match first {
        Some(d) if d <= window => None,
        other => Some(other),
    }
}

/// Escalation refused: the complaint asks for a manager and the response offers none. Returns
/// the phrase that asked. Complaints not yet answered are left to the late check.
pub fn escalation_refused<'a>(
    complaint_lower: &str,
    response_lower: Option<&str>,
    asked: &'a Phrases,
    offered: &Phrases,
) -> Option<&'a str> {
    let response = response_lower?;
    let phrase = asked.find(complaint_lower)?;
    offered.find(response).is_none().then_some(phrase)
}

/// A stored local flag in words. `value` is the delay it was judged on (the answer's, or the
/// first reply's or call's), None when none came; `waited` is how long the customer had waited
/// when the check ran. Canned replies are explained by their group (`canned::explain`); a
/// thread's flags by `thread_checks`.
pub fn explain(
    flag: Flag,
    value: Option<i64>,
    note: Option<&str>,
    waited: i64,
    late_secs: i64,
    contact_secs: i64,
) -> String {
    let hours = |s: i64| format!("{} h", s / 3600);
    if flag == Flag::Late && note == Some(UNTIMELY) {
        return "the company answered the CFPB late (Timely response? No)".into();
    }
    if flag == Flag::ContactIgnored && note == Some(thread_checks::LAST_MESSAGE) {
        return thread_checks::explain_contact_ignored(value, contact_secs);
    }
    match (flag, value) {
        (Flag::Late, Some(d)) => format!(
            "answered after {}; the target is {}",
            duration(d),
            hours(late_secs)
        ),
        (Flag::Late, None) => format!(
            "no response after {}; the target is {}",
            duration(waited),
            hours(late_secs)
        ),
        (Flag::ContactIgnored, Some(d)) => format!(
            "asked to be contacted; the first reply or call came after {}, not within {}",
            duration(d),
            hours(contact_secs)
        ),
        (Flag::ContactIgnored, None) => format!(
            "asked to be contacted; no reply or call within {}",
            hours(contact_secs)
        ),
        (Flag::EscalationRefused, _) => format!(
            "asked for \"{}\"; the response offers no one to escalate to",
            note.unwrap_or("a manager")
        ),
        (Flag::Canned, _) => "a canned reply".into(),
        // The store words it in full, naming the others (`store::customers::explain`).
        (Flag::Repeat, n) => format!(
            "{} complaint from this customer",
            super::customer::ordinal(n.unwrap_or(2))
        ),
        (Flag::UnansweredWriting, n) => thread_checks::explain_unanswered_writing(n),
    }
}

/// "3.5 h", "2.1 days".
pub fn duration(secs: i64) -> String {
    let h = secs as f64 / 3600.0;
    if h < 48.0 {
        format!("{h:.1} h")
    } else {
        format!("{:.1} days", h / 24.0)
    }
}

/// Response-time buckets of the review pack, upper bounds in hours.
pub const RESPONSE_BUCKETS_HOURS: [i64; 5] = [4, 24, 48, 72, 168];

/// Bucket labels, the last one open-ended.
pub const RESPONSE_BUCKET_LABELS: [&str; 6] =
    ["< 4 h", "4–24 h", "1–2 d", "2–3 d", "3–7 d", "> 7 d"];

/// The bucket of a response delay.
pub fn response_bucket(secs: i64) -> usize {
    RESPONSE_BUCKETS_HOURS
        .iter()
        .position(|h| secs < h * 3600)
        .unwrap_or(RESPONSE_BUCKETS_HOURS.len())
}

#[cfg(test)]
#[path = "flags_tests.rs"]
mod tests;
