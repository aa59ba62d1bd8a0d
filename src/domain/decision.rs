//! Decisions: append-only, hash-chained records of sign-offs, push-backs and answers.

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::complaint::hex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Approve,
    PushBack,
    Revise,
    CorrectiveAction,
    Dispute,
    Retract,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Approve => "approve",
            Kind::PushBack => "push_back",
            Kind::Revise => "revise",
            Kind::CorrectiveAction => "corrective_action",
            Kind::Dispute => "dispute",
            Kind::Retract => "retract",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "approve" => Kind::Approve,
            "push_back" => Kind::PushBack,
            "revise" => Kind::Revise,
            "corrective_action" => Kind::CorrectiveAction,
            "dispute" => Kind::Dispute,
            "retract" => Kind::Retract,
            _ => return None,
        })
    }

    pub fn is_answer(self) -> bool {
        matches!(self, Kind::Revise | Kind::CorrectiveAction | Kind::Dispute)
    }
}

/// The chain starts from this hash.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One decision as stored. `hash` covers every other field, `prev_hash` included.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub id: i64,
    pub complaint_id: i64,
    pub sample_id: Option<i64>,
    pub kind: Kind,
    pub actor: String,
    pub actor_name: String,
    pub actor_title: String,
    pub at: i64,
    pub statement: Option<String>,
    pub reasons: Option<String>,
    pub note: Option<String>,
    pub due_at: Option<i64>,
    pub body: Option<String>,
    pub retracts: Option<i64>,
    /// SHA-256 of the complaint and response text when the decision was made.
    pub text_hash: String,
    pub prev_hash: String,
    pub hash: String,
    /// The actor's SSH signature over [`Decision::canonical`]; None when made unsigned.
    pub signature: Option<String>,
}

impl Decision {
    /// The record hash: every field but `id` and `hash`, length-prefixed, then `prev_hash`.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        let mut put = |s: Option<&str>| match s {
            Some(s) => {
                h.update((s.len() as u64).to_le_bytes());
                h.update(s.as_bytes());
            }
            None => h.update(u64::MAX.to_le_bytes()),
        };
        put(Some(&self.complaint_id.to_string()));
        put(self.sample_id.map(|s| s.to_string()).as_deref());
        put(Some(self.kind.as_str()));
        put(Some(&self.actor));
        put(Some(&self.actor_name));
        put(Some(&self.actor_title));
        put(Some(&self.at.to_string()));
        put(self.statement.as_deref());
        put(self.reasons.as_deref());
        put(self.note.as_deref());
        put(self.due_at.map(|d| d.to_string()).as_deref());
        put(self.body.as_deref());
        put(self.retracts.map(|d| d.to_string()).as_deref());
        put(Some(&self.text_hash));
        put(Some(&self.prev_hash));
        hex(&h.finalize())
    }
}

/// "I, Dana Reyes, Chief Executive, approve this message."
pub fn signature_statement(name: &str, title: &str) -> String {
    format!("I, {name}, {title}, approve this message.")
}

/// `days` working days (Monday to Friday) after `from`, at the same time of day.
pub fn add_working_days(from: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let mut t = from;
    let mut left = days;
    while left > 0 {
        t += Duration::days(1);
        if !matches!(t.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    t
}

/// Where a complaint stands, from its decisions.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    /// Not decided yet.
    Pending,
    /// Signed, and the text is still the text that was signed.
    Signed { decision: i64, by: String, at: i64 },
    /// Signed, but the complaint or response text changed since: it needs signing again.
    SignedTextChanged { decision: i64 },
    /// Pushed back and not answered yet.
    PushedBack {
        decision: i64,
        due_at: Option<i64>,
        overdue: bool,
    },
    /// Answered by the division; waiting for the executive to review it again.
    Answered { decision: i64, kind: Kind },
}

impl Status {
    pub fn label(&self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Signed { .. } => "signed",
            Status::SignedTextChanged { .. } => "signed text changed",
            Status::PushedBack { overdue: true, .. } => "pushed back (overdue)",
            Status::PushedBack { .. } => "pushed back",
            Status::Answered { .. } => "answered",
        }
    }

    /// A one-character glyph for lists.
    pub fn glyph(&self) -> char {
        match self {
            Status::Pending => '·',
            Status::Signed { .. } => '✓',
            Status::SignedTextChanged { .. } => '!',
            Status::PushedBack { .. } => '✗',
            Status::Answered { .. } => '↩',
        }
    }

    /// Whether the executive has decided the item (signed or pushed back, whatever came after).
    pub fn reviewed(&self) -> bool {
        !matches!(self, Status::Pending)
    }
}

/// The decisions of one complaint in id order, minus those retracted.
pub fn effective(decisions: &[Decision]) -> Vec<&Decision> {
    let retracted: std::collections::HashSet<i64> =
        decisions.iter().filter_map(|d| d.retracts).collect();
    decisions
        .iter()
        .filter(|d| d.kind != Kind::Retract && !retracted.contains(&d.id))
        .collect()
}

/// The status of a complaint whose current text hashes to `current_text_hash`.
pub fn status(decisions: &[Decision], current_text_hash: &str, now: i64) -> Status {
    let eff = effective(decisions);
    match eff.last() {
        None => Status::Pending,
        Some(d) => match d.kind {
            Kind::Approve if d.text_hash == current_text_hash => Status::Signed {
                decision: d.id,
                by: d.actor_name.clone(),
                at: d.at,
            },
            Kind::Approve => Status::SignedTextChanged { decision: d.id },
            Kind::PushBack => Status::PushedBack {
                decision: d.id,
                due_at: d.due_at,
                overdue: d.due_at.is_some_and(|due| now > due),
            },
            k => Status::Answered {
                decision: d.id,
                kind: k,
            },
        },
    }
}

/// Whether the complaint was ever pushed back (an unfit item for the sample's bound).
pub fn ever_pushed_back(decisions: &[Decision]) -> bool {
    effective(decisions)
        .iter()
        .any(|d| d.kind == Kind::PushBack)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(id: i64, kind: Kind, text: &str) -> Decision {
        Decision {
            id,
            complaint_id: 1,
            sample_id: None,
            kind,
            actor: "dana".into(),
            actor_name: "Dana Reyes".into(),
            actor_title: "Chief Executive".into(),
            at: 100 + id,
            statement: None,
            reasons: None,
            note: None,
            due_at: (kind == Kind::PushBack).then_some(500),
            body: None,
            retracts: None,
            text_hash: text.into(),
            prev_hash: GENESIS.into(),
            hash: String::new(),
            signature: None,
        }
    }

    #[test]
    fn status_follows_the_last_effective_decision() {
        assert_eq!(status(&[], "t", 0), Status::Pending);
        let a = d(1, Kind::Approve, "t");
        assert!(matches!(
            status(std::slice::from_ref(&a), "t", 0),
            Status::Signed { decision: 1, .. }
        ));
        assert!(matches!(
            status(std::slice::from_ref(&a), "u", 0),
            Status::SignedTextChanged { decision: 1 }
        ));
        let p = d(2, Kind::PushBack, "t");
        assert!(matches!(
            status(&[a.clone(), p.clone()], "t", 400),
            Status::PushedBack { overdue: false, .. }
        ));
        assert!(matches!(
            status(&[a.clone(), p.clone()], "t", 600),
            Status::PushedBack { overdue: true, .. }
        ));
        let r = d(3, Kind::Revise, "t");
        assert!(matches!(
            status(&[p.clone(), r], "t", 0),
            Status::Answered {
                kind: Kind::Revise,
                ..
            }
        ));
        let mut undo = d(4, Kind::Retract, "t");
        undo.retracts = Some(2);
        assert!(matches!(
            status(&[a, p.clone(), undo.clone()], "t", 0),
            Status::Signed { .. }
        ));
        assert!(!ever_pushed_back(&[p, undo]));
    }

    #[test]
    fn hash_covers_fields_and_chain() {
        let a = d(1, Kind::Approve, "t");
        let h = a.compute_hash();
        let mut b = a.clone();
        b.note = Some("x".into());
        assert_ne!(h, b.compute_hash());
        let mut c = a.clone();
        c.prev_hash = "1".repeat(64);
        assert_ne!(h, c.compute_hash());
        let mut e = a.clone();
        e.id = 99;
        assert_eq!(h, e.compute_hash());
    }

    #[test]
    fn working_days_skip_weekends() {
        // Friday 2026-11-20 + 5 working days = Friday 2026-11-27.
        let fri = Utc
            .with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
            .single()
            .expect("date");
        assert_eq!(
            add_working_days(fri, 5),
            Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0)
                .single()
                .expect("date")
        );
        assert_eq!(add_working_days(fri, 1).weekday(), Weekday::Mon);
        assert_eq!(
            signature_statement("Dana Reyes", "Chief Executive"),
            "I, Dana Reyes, Chief Executive, approve this message."
        );
    }
}
