//! Who is told what: each person's share of the open work, as events that are notified once
//! each (the store keeps a sent log by event key), or all of it as a daily digest.

use serde::Serialize;

/// An open push-back or one answered and waiting for the executive, as the store reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PushBackItem {
    pub decision_id: i64,
    pub external_id: String,
    pub division: String,
    pub by: String,
    pub at: i64,
    pub reasons: String,
    pub note: String,
    pub due_at: Option<i64>,
    /// The division's answer, when it has answered: (decision id, what kind, by whom, when).
    pub answer: Option<(i64, String, String, i64)>,
}

/// A CAR whose customer has not been called back yet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallBack {
    pub car_id: i64,
    pub external_id: String,
    pub division: String,
    pub due_at: i64,
}

/// Someone who may be told: login, name, role, divisions.
#[derive(Debug, Clone)]
pub struct Recipient<'a> {
    pub login: &'a str,
    pub name: &'a str,
    pub executive: bool,
    pub divisions: &'a [String],
}

/// What an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum What {
    Overdue,
    DueSoon,
    PushedBack,
    CallBackOverdue,
    CallBackDue,
    Answered,
}

impl What {
    fn key(self) -> &'static str {
        match self {
            What::Overdue => "overdue",
            What::DueSoon => "due-soon",
            What::PushedBack => "push-back",
            What::CallBackOverdue => "call-back-overdue",
            What::CallBackDue => "call-back-due",
            What::Answered => "answered",
        }
    }

    fn heading(self) -> &'static str {
        match self {
            What::Overdue => "Push-backs overdue: the answer is late",
            What::DueSoon => "Push-backs due soon",
            What::PushedBack => "Pushed back to you",
            What::CallBackOverdue => "Call-backs overdue: the customer is still waiting",
            What::CallBackDue => "Call-backs due soon",
            What::Answered => "Answered, waiting for your review",
        }
    }
}

/// One thing one person should hear about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Unique per event and person: what the sent log remembers.
    pub key: String,
    pub login: String,
    pub what: What,
    pub external_id: String,
    /// One or more lines that say it.
    pub lines: Vec<String>,
}

/// How far ahead to warn, in seconds.
#[derive(Debug, Clone, Copy)]
pub struct Horizon {
    pub answer_due: i64,
    pub callback_due: i64,
}

/// Every event for these people now, in the order a message lists them.
pub fn events(
    people: &[Recipient],
    push_backs: &[PushBackItem],
    callbacks: &[CallBack],
    now: i64,
    horizon: Horizon,
    fmt_time: &dyn Fn(i64) -> String,
) -> Vec<Event> {
    let mut out = Vec::new();
    for p in people {
        let mut add = |what: What, id: i64, ext: &str, lines: Vec<String>| {
            out.push(Event {
                key: format!("{}:{id}:{}", what.key(), p.login),
                login: p.login.to_string(),
                what,
                external_id: ext.to_string(),
                lines,
            })
        };
        for b in push_backs {
            match &b.answer {
                None if p.divisions.contains(&b.division) => {
                    let mut lines = vec![
                        format!(
                            "{} ({}): pushed back by {} on {} — {}",
                            b.external_id,
                            b.division,
                            b.by,
                            fmt_time(b.at),
                            b.reasons
                        ),
                        format!("  “{}”", b.note),
                    ];
                    if let Some(due) = b.due_at {
                        lines.push(format!("  answer due {}", fmt_time(due)));
                    }
                    add(
                        What::PushedBack,
                        b.decision_id,
                        &b.external_id,
                        lines.clone(),
                    );
                    match b.due_at {
                        Some(due) if now > due => {
                            add(What::Overdue, b.decision_id, &b.external_id, lines)
                        }
                        Some(due) if due - now <= horizon.answer_due => {
                            add(What::DueSoon, b.decision_id, &b.external_id, lines)
                        }
                        _ => {}
                    }
                }
                Some((id, kind, by, at)) if p.executive => add(
                    What::Answered,
                    *id,
                    &b.external_id,
                    vec![
                        format!(
                            "{} ({}): {} by {} on {}, to your push-back of {}",
                            b.external_id,
                            b.division,
                            kind.replace('_', " "),
                            by,
                            fmt_time(*at),
                            fmt_time(b.at)
                        ),
                        format!("  you asked: “{}”", b.note),
                    ],
                ),
                _ => {}
            }
        }
        for c in callbacks
            .iter()
            .filter(|c| p.divisions.contains(&c.division))
        {
            let line = format!(
                "CAR-{} for {} ({}): call the customer back by {}",
                c.car_id,
                c.external_id,
                c.division,
                fmt_time(c.due_at)
            );
            if now > c.due_at {
                add(What::CallBackOverdue, c.car_id, &c.external_id, vec![line]);
            } else if c.due_at - now <= horizon.callback_due {
                add(What::CallBackDue, c.car_id, &c.external_id, vec![line]);
            }
        }
    }
    // A push-back that is overdue or due soon is listed once, under that heading.
    let urgent: std::collections::HashSet<(String, String)> = out
        .iter()
        .filter(|e| matches!(e.what, What::Overdue | What::DueSoon))
        .map(|e| (e.login.clone(), e.external_id.clone()))
        .collect();
    out.retain(|e| {
        e.what != What::PushedBack || !urgent.contains(&(e.login.clone(), e.external_id.clone()))
    });
    out.sort_by(|a, b| (&a.login, a.what).cmp(&(&b.login, b.what)));
    out
}

/// One person's message: a subject and a plain-text body listing their events by heading.
pub fn message(name: &str, events: &[&Event], digest: bool) -> (String, String) {
    let urgent = events
        .iter()
        .filter(|e| matches!(e.what, What::Overdue | What::CallBackOverdue))
        .count();
    let subject = format!(
        "signoff: {} item{} for you{}{}",
        events.len(),
        if events.len() == 1 { "" } else { "s" },
        if urgent > 0 {
            format!(", {urgent} overdue")
        } else {
            String::new()
        },
        if digest { " (daily digest)" } else { "" }
    );
    let mut body = format!("Hello {name},\n");
    let mut heading = None;
    for e in events {
        if heading != Some(e.what) {
            body.push_str(&format!("\n{}:\n", e.what.heading()));
            heading = Some(e.what);
        }
        for l in &e.lines {
            body.push_str(&format!("  {l}\n"));
        }
    }
    body.push_str("\nOpen them with `signoff review`, or one with `signoff show REF`.\n");
    (subject, body)
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
