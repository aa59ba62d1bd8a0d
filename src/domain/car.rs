//! Corrective action requests (ISO 9001 §10.2): the steps, who may take them, and the
//! append-only, hash-chained events that record them.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::complaint::hex;

/// One recorded step of a CAR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Open,
    Contact,
    Cause,
    Act,
    Check,
    Close,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Open => "open",
            Step::Contact => "contact",
            Step::Cause => "cause",
            Step::Act => "act",
            Step::Check => "check",
            Step::Close => "close",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        Some(match s {
            "open" => Step::Open,
            "contact" => Step::Contact,
            "cause" => Step::Cause,
            "act" => Step::Act,
            "check" => Step::Check,
            "close" => Step::Close,
            _ => return None,
        })
    }
}

/// Where a CAR stands: the result of its steps so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Open,
    Contacted,
    RootCause,
    ActionTaken,
    /// Effectiveness checked: the action worked, or it did not and needs another cause or action.
    Checked {
        worked: bool,
    },
    Closed,
}

impl State {
    pub fn label(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Contacted => "contacted",
            State::RootCause => "root cause",
            State::ActionTaken => "action taken",
            State::Checked { worked: true } => "checked: worked",
            State::Checked { worked: false } => "checked: did not work",
            State::Closed => "closed",
        }
    }
}

/// Who is asking, relative to the CAR's division.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Executive,
    /// The head of the division that owns the complaint.
    OwnDivisionHead,
    /// Anyone else: admins, heads of other divisions.
    Other,
}

/// Why a step cannot be taken: `Refused` is about the person, `Invalid` about the CAR's state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Invalid(String),
}

/// The state after `actor` takes `step` (a check that the action `worked` or not) on a CAR in
/// `state`, or why they may not. A forced close (from any state but a successful check) is the
/// executive's call.
pub fn next(state: State, step: Step, worked: bool, actor: Actor) -> Result<State, StepError> {
    use State as S;
    if actor == Actor::Other {
        return Err(StepError::Refused(format!(
            "only executives and the owning division's head may {} a CAR",
            verb(step)
        )));
    }
    let next = match (state, step) {
        (S::Closed, _) => return Err(StepError::Invalid("the CAR is closed".into())),
        (_, Step::Open) => return Err(StepError::Invalid("the CAR is open already".into())),
        // Further calls are recorded at any stage; only the first one moves the CAR on.
        (S::Open, Step::Contact) => S::Contacted,
        (s, Step::Contact) => s,
        (S::Contacted | S::Checked { worked: false }, Step::Cause) => S::RootCause,
        (S::RootCause | S::Checked { worked: false }, Step::Act) => S::ActionTaken,
        (S::ActionTaken, Step::Check) => S::Checked { worked },
        (S::Checked { worked: true }, Step::Close) => S::Closed,
        (_, Step::Close) if actor == Actor::Executive => S::Closed,
        (_, Step::Close) => {
            return Err(StepError::Refused(
                "only an executive may close a CAR before its action is checked and worked".into(),
            ))
        }
        (s, step) => {
            return Err(StepError::Invalid(format!(
                "a CAR that is {} cannot take the step {:?}: next is {}",
                s.label(),
                step.as_str(),
                next_steps(s).join(" or ")
            )))
        }
    };
    Ok(next)
}

/// The commands that move a CAR on from `state`, for hints.
pub fn next_steps(state: State) -> Vec<&'static str> {
    match state {
        State::Open => vec!["contact"],
        State::Contacted => vec!["cause"],
        State::RootCause => vec!["act"],
        State::ActionTaken => vec!["check"],
        State::Checked { worked: true } => vec!["close"],
        State::Checked { worked: false } => vec!["cause", "act"],
        State::Closed => vec![],
    }
}

fn verb(step: Step) -> &'static str {
    match step {
        Step::Open => "open",
        Step::Contact => "record a contact on",
        Step::Cause => "record the root cause of",
        Step::Act => "record an action on",
        Step::Check => "check",
        Step::Close => "close",
    }
}

/// The state after a sequence of recorded events (each valid when it was recorded).
pub fn state(events: &[CarEvent]) -> State {
    events.iter().fold(State::Open, |s, e| match (s, e.step) {
        (_, Step::Open) => s,
        (State::Open, Step::Contact) => State::Contacted,
        (s, Step::Contact) => s,
        (_, Step::Cause) => State::RootCause,
        (_, Step::Act) => State::ActionTaken,
        (_, Step::Check) => State::Checked {
            worked: e.worked.unwrap_or(false),
        },
        (_, Step::Close) => State::Closed,
    })
}

/// Overdue: past due and nobody has reached the customer yet.
/// What does not hold in the CAR steps' chain, read in chain order: a broken link or a step
/// whose content no longer matches its hash, by step id.
pub fn chain_problems(events: &[CarEvent]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut prev = crate::domain::decision::GENESIS.to_string();
    for e in events {
        if e.prev_hash != prev {
            problems.push(format!(
                "step {}: the link to the step before it is broken",
                e.id
            ));
        }
        if e.compute_hash() != e.hash {
            problems.push(format!(
                "step {}: its content no longer matches its hash",
                e.id
            ));
        }
        prev = e.hash.clone();
    }
    problems
}

pub fn overdue(state: State, due_at: i64, now: i64) -> bool {
    state == State::Open && now > due_at
}

/// The earliest time the last action's effectiveness may be checked.
pub fn check_from(events: &[CarEvent], check_after_days: u32) -> Option<i64> {
    events
        .iter()
        .rev()
        .find(|e| e.step == Step::Act)
        .map(|e| e.happened_at + i64::from(check_after_days) * 86_400)
}

/// A rule that opens a CAR when an import brings in a matching complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenRule {
    WouldNotRecommend,
    WantsContact,
    Source(String),
}

impl OpenRule {
    pub fn parse(s: &str) -> Result<OpenRule, String> {
        match s.trim() {
            "would-not-recommend" => Ok(OpenRule::WouldNotRecommend),
            "wants-contact" => Ok(OpenRule::WantsContact),
            other => match other.strip_prefix("source:") {
                Some(src) if !src.trim().is_empty() => Ok(OpenRule::Source(src.trim().into())),
                _ => Err(format!(
                    "{s:?} is not a rule (rules: would-not-recommend, wants-contact, source:NAME)"
                )),
            },
        }
    }

    /// Why a complaint with these facts matches, in words; None when it does not.
    pub fn matches(
        &self,
        likelihood: Option<u8>,
        wants_contact: Option<bool>,
        source: &str,
        likelihood_max: u8,
    ) -> Option<String> {
        match self {
            OpenRule::WouldNotRecommend => likelihood
                .filter(|l| *l <= likelihood_max)
                .map(|l| format!("would not recommend: {l}/10")),
            OpenRule::WantsContact => {
                (wants_contact == Some(true)).then(|| "asked to be contacted".into())
            }
            OpenRule::Source(s) => (s == source).then(|| format!("a complaint through {s}")),
        }
    }

    /// The name recorded as the CAR's origin: "rule:wants-contact", "rule:source:cfpb".
    pub fn origin(&self) -> String {
        match self {
            OpenRule::WouldNotRecommend => "rule:would-not-recommend".into(),
            OpenRule::WantsContact => "rule:wants-contact".into(),
            OpenRule::Source(s) => format!("rule:source:{s}"),
        }
    }
}

/// One step as stored. `hash` covers every field but `id` and `hash`, `prev_hash` included, so
/// the events of all CARs form one chain, like decisions do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CarEvent {
    pub id: i64,
    pub car_id: i64,
    pub complaint_id: i64,
    pub step: Step,
    pub actor: String,
    pub actor_name: String,
    /// When it was recorded.
    pub at: i64,
    /// When it happened (a call made earlier in the day, say).
    pub happened_at: i64,
    /// Only on the open step.
    pub due_at: Option<i64>,
    /// Only on the cause step.
    pub category: Option<String>,
    /// Only on the check step.
    pub worked: Option<bool>,
    pub text: String,
    pub prev_hash: String,
    pub hash: String,
    /// The actor's SSH signature over [`CarEvent::canonical`]; None when made unsigned.
    pub signature: Option<String>,
}

impl CarEvent {
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        let mut put = |s: Option<&str>| match s {
            Some(s) => {
                h.update((s.len() as u64).to_le_bytes());
                h.update(s.as_bytes());
            }
            None => h.update(u64::MAX.to_le_bytes()),
        };
        put(Some("car-event/1"));
        put(Some(&self.car_id.to_string()));
        put(Some(&self.complaint_id.to_string()));
        put(Some(self.step.as_str()));
        put(Some(&self.actor));
        put(Some(&self.actor_name));
        put(Some(&self.at.to_string()));
        put(Some(&self.happened_at.to_string()));
        put(self.due_at.map(|d| d.to_string()).as_deref());
        put(self.category.as_deref());
        put(self.worked.map(|w| if w { "1" } else { "0" }));
        put(Some(&self.text));
        put(Some(&self.prev_hash));
        hex(&h.finalize())
    }
}

#[cfg(test)]
#[path = "car_tests.rs"]
mod tests;
