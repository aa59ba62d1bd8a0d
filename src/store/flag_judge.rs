//! Judging one complaint as the checks see it: its local flags, the moment one of them would
//! change if nothing else did, what it adds to its day's tallies and the normalised texts of
//! its replies for the canned check. The full pass (`flag_scan`) and the updates for what
//! changed (`flag_update`) judge through here alike.

use rusqlite::types::ValueRef;
use rusqlite::Row;

use super::flags::{CheckSettings, Tally};
use super::thread_scan::Thread;
use crate::domain::canned::{hash64, Normaliser};
use crate::domain::deadlines;
use crate::domain::flags::{self as rules, response_bucket, Facts, Flag, Phrases};
use crate::domain::thread;
use crate::domain::thread_checks;

/// The complaint columns a judgement reads, in the order [`owned`] takes them.
pub(super) const COLUMNS: &str = "id, source, division, received_at, responded_at, wants_contact,
    likelihood, customer, responder, response_text, complaint_text,
    outcome_response IS NOT NULL OR outcome_timely IS NOT NULL, outcome_timely,
    message_count IS NOT NULL, customer_no";

/// What a judgement needs of one complaint, owned so that another thread may judge it.
pub(super) struct Owned {
    pub(super) id: i64,
    pub(super) division: u32,
    pub(super) customer_no: Option<i64>,
    pub(super) facts: Facts,
    pub(super) likelihood: Option<u8>,
    /// The reply, when there is one that is a reply (not a portal's status line).
    pub(super) reply: Option<Reply>,
    /// The stored thread, for the few complaints that have one.
    pub(super) thread: Option<Box<Thread>>,
}

pub(super) struct Reply {
    text: String,
    complaint: String,
    names: [String; 2],
}

pub(super) fn text<'a>(r: &'a Row, i: usize) -> Option<&'a str> {
    match r.get_ref(i) {
        Ok(ValueRef::Text(b)) => std::str::from_utf8(b).ok(),
        _ => None,
    }
}

/// Whether the row of [`COLUMNS`] says the complaint has a stored thread.
pub(super) fn has_thread(r: &Row) -> rusqlite::Result<bool> {
    r.get(13)
}

/// A complaint's columns as the judge reads them, whichever store they come from.
pub(super) struct Raw<'a> {
    pub(super) id: i64,
    pub(super) source: &'a str,
    pub(super) received_at: i64,
    pub(super) responded_at: Option<i64>,
    pub(super) wants_contact: Option<bool>,
    pub(super) likelihood: Option<u8>,
    pub(super) customer: Option<&'a str>,
    pub(super) responder: Option<&'a str>,
    pub(super) response_text: Option<&'a str>,
    pub(super) complaint_text: Option<&'a str>,
    /// Whether a regulator's portal recorded an outcome (a response or its timeliness).
    pub(super) outcome: bool,
    pub(super) timely: Option<bool>,
    pub(super) customer_no: Option<i64>,
}

/// A row of [`COLUMNS`] as the judge takes it; `division` is the caller's number for the
/// division's name (column 2).
pub(super) fn owned(
    r: &Row,
    s: &CheckSettings,
    division: u32,
    first_contact: Option<i64>,
    thread: Option<Box<Thread>>,
) -> rusqlite::Result<Owned> {
    let raw = Raw {
        id: r.get(0)?,
        source: text(r, 1).unwrap_or_default(),
        received_at: r.get(3)?,
        responded_at: r.get(4)?,
        wants_contact: r.get(5)?,
        likelihood: r.get(6)?,
        customer: text(r, 7),
        responder: text(r, 8),
        response_text: text(r, 9),
        complaint_text: text(r, 10),
        outcome: r.get(11)?,
        timely: r.get(12)?,
        customer_no: r.get(14)?,
    };
    Ok(owned_of(&raw, s, division, first_contact, thread))
}

/// The judge's copy of a complaint's columns.
pub(super) fn owned_of(
    r: &Raw,
    s: &CheckSettings,
    division: u32,
    first_contact: Option<i64>,
    thread: Option<Box<Thread>>,
) -> Owned {
    let response = r.response_text.filter(|t| !t.trim().is_empty());
    let status_line = s.status_sources.iter().any(|x| x == r.source);
    Owned {
        id: r.id,
        division,
        customer_no: r.customer_no,
        facts: Facts {
            received_at: r.received_at,
            has_response: response.is_some(),
            responded_at: r.responded_at,
            wants_contact: r.wants_contact == Some(true),
            first_contact,
            outcome: r.outcome,
            timely: r.timely,
        },
        likelihood: r.likelihood,
        reply: response.filter(|_| !status_line).map(|t| Reply {
            text: t.to_string(),
            complaint: r.complaint_text.unwrap_or_default().to_string(),
            names: [r.customer, r.responder].map(|n| n.unwrap_or_default().to_string()),
        }),
        thread,
    }
}

/// A local flag as stored.
pub(super) struct LocalFlag {
    pub(super) flag: Flag,
    pub(super) value: Option<i64>,
    pub(super) note: Option<String>,
    /// When the wait began, for a flag that holds because nothing came yet.
    pub(super) since: Option<i64>,
}

/// One distinct normalised reply of a complaint, long enough to judge.
pub(super) struct ReplyText {
    pub(super) hash: u64,
    pub(super) words: u32,
    pub(super) normalised: String,
    /// The thread message it was first met in, when the complaint has a thread.
    pub(super) example_seq: Option<u32>,
}

/// The verdict on one complaint.
pub(super) struct Judged {
    pub(super) flags: Vec<LocalFlag>,
    pub(super) due_at: Option<i64>,
    /// What it adds to its day and division, the canned count aside (that needs the groups).
    pub(super) counts: Tally,
    pub(super) replies: Vec<ReplyText>,
}

/// Judges complaints with one set of settings as of one moment.
pub(super) struct Judge<'s> {
    s: &'s CheckSettings,
    now: i64,
    asked: Phrases,
    offered: Phrases,
    normaliser: Normaliser,
    lowered: String,
}

impl<'s> Judge<'s> {
    pub(super) fn new(s: &'s CheckSettings, now: i64) -> Judge<'s> {
        Judge {
            s,
            now,
            asked: Phrases::new(&s.asked),
            offered: Phrases::new(&s.offered),
            normaliser: Normaliser::new(&s.canned.greetings),
            lowered: String::new(),
        }
    }

    pub(super) fn judge(&mut self, o: &Owned) -> Judged {
        let (s, now, f) = (self.s, self.now, &o.facts);
        let mut t = Tally {
            complaints: 1,
            wants_contact: i64::from(f.wants_contact),
            detractors: i64::from(o.likelihood.is_some_and(|l| l <= s.detractor_max)),
            ..Tally::default()
        };
        if f.has_response {
            t.responded = 1;
            match f.responded_at {
                Some(at) => {
                    let d = (at - f.received_at).max(0);
                    t.rt[response_bucket(d)] = 1;
                    t.rt_seconds = d;
                }
                None => t.rt_unknown = 1,
            }
        }
        let mut flags = Vec::new();
        let mut flag = |flag, value, note, since| {
            flags.push(LocalFlag {
                flag,
                value,
                note,
                since,
            })
        };
        if rules::late(f, now, s.late_secs).is_some() {
            t.late = 1;
            let note = (f.timely == Some(false)).then(|| rules::UNTIMELY.to_string());
            flag(
                Flag::Late,
                f.responded_at.map(|at| at - f.received_at),
                note,
                None,
            );
        }
        let mut due = deadlines::late(f, now, s.late_secs);
        if let Some(th) = &o.thread {
            let shape = thread::shape(&th.messages);
            let ignored = thread_checks::contact_ignored(&shape, &th.contacts, now, s.contact_secs);
            let waiting = deadlines::thread_contact(&shape, &th.contacts, now, s.contact_secs);
            due = deadlines::earliest([due, waiting]);
            if ignored.is_some() {
                t.contact_ignored = 1;
                // A wait still running is told as of when it is read (`since`), not stored.
                let called = shape
                    .unanswered_since
                    .is_some_and(|since| th.contacts.iter().any(|&c| c >= since));
                let note = Some(thread_checks::LAST_MESSAGE.to_string());
                match called {
                    true => flag(Flag::ContactIgnored, ignored, note, None),
                    false => flag(Flag::ContactIgnored, None, note, shape.unanswered_since),
                }
            }
            if let Some(n) = thread_checks::unanswered_writing(&shape, s.unanswered_writes) {
                flag(Flag::UnansweredWriting, Some(n as i64), None, None);
            }
        } else {
            due = deadlines::earliest([due, deadlines::contact(f, now, s.contact_secs)]);
            if let Some(first) = rules::contact_ignored(f, now, s.contact_secs) {
                t.contact_ignored = 1;
                flag(Flag::ContactIgnored, first, None, None);
            }
        }
        let mut j = Judged {
            flags,
            due_at: due,
            counts: t,
            replies: Vec::new(),
        };
        // A complaint not yet answered, or answered by a status line, is left to the late check.
        let Some(reply) = &o.reply else { return j };
        let complaint = rules::lower_into(&reply.complaint, &mut self.lowered);
        if self.asked.find(complaint).is_some() {
            let answer = reply.text.to_lowercase();
            let refused =
                rules::escalation_refused(complaint, Some(&answer), &self.asked, &self.offered);
            if let Some(phrase) = refused {
                j.counts.escalation_refused = 1;
                j.flags.push(LocalFlag {
                    flag: Flag::EscalationRefused,
                    value: None,
                    note: Some(phrase.to_string()),
                    since: None,
                });
            }
        }
        let [customer, responder] = [reply.names[0].as_str(), reply.names[1].as_str()];
        match &o.thread {
            // Each company message is a reply of its own: a template pasted into the third
            // answer of a conversation is as canned as one sent alone.
            Some(th) => {
                for (i, m) in thread_checks::company_replies(&th.messages) {
                    let names = [customer, m.name.as_deref().unwrap_or(responder)];
                    self.add_reply(&mut j.replies, &m.text, names, Some(th.seqs[i]));
                }
            }
            None => self.add_reply(&mut j.replies, &reply.text, [customer, responder], None),
        }
        j
    }

    /// Adds a reply's normalised text unless it is too short or the complaint has it already:
    /// a complaint counts once in a group however many of its messages fall in it.
    fn add_reply(
        &self,
        out: &mut Vec<ReplyText>,
        text: &str,
        names: [&str; 2],
        example_seq: Option<u32>,
    ) {
        let (normalised, words) = self.normaliser.normalise(text, &names);
        if words < self.s.canned.min_words {
            return;
        }
        let hash = hash64(normalised.as_bytes());
        if out.iter().all(|r| r.hash != hash) {
            out.push(ReplyText {
                hash,
                words,
                normalised,
                example_seq,
            });
        }
    }
}
