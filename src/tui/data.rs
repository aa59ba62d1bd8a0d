//! What the review screen shows of the store: a complaint's detail with its decisions,
//! status and flags, the sample on screen, the dashboard. The queries are `store::screen`'s.

use rusqlite::Connection;

use crate::domain::decision;
use crate::domain::thread::Message;
use crate::domain::Complaint;
use crate::store::decisions as sd;
use crate::store::samples::Sample;
use crate::store::screen;

pub use super::figures::{dashboard, Dashboard};
pub use crate::store::screen::{customer_hits, search, Detail, Hit, Row};

#[derive(Debug, Clone, PartialEq)]
pub struct SampleInfo {
    pub id: i64,
    pub label: String,
    pub population: u64,
    pub plan: String,
    pub confidence: f64,
}

impl From<&Sample> for SampleInfo {
    fn from(s: &Sample) -> Self {
        SampleInfo {
            id: s.id,
            label: s.label.clone(),
            population: s.population,
            plan: s.spec.plan.describe(),
            confidence: s.confidence,
        }
    }
}

/// Targets for the failure-mode flags, in seconds (`checks.late_hours`, `checks.contact_hours`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlagTargets {
    pub late_secs: i64,
    pub contact_secs: i64,
}

pub fn detail(
    conn: &Connection,
    id: i64,
    now: i64,
    manager_phrases: &[String],
    targets: FlagTargets,
) -> rusqlite::Result<Detail> {
    let mut d = screen::detail(conn, id)?;
    d.thread = thread_of(conn, &d)?;
    d.decisions = sd::for_complaint(conn, id)?;
    let text = sd::current_text_hash(conn, id)?;
    d.status = decision::status(&d.decisions, &text, now);
    use crate::domain::flags::Flag;
    use crate::tui::flag_list::{merge, Topic};
    let lower = d.complaint_text.to_lowercase();
    let mut glance = Vec::new();
    if manager_phrases
        .iter()
        .any(|p| !p.is_empty() && lower.contains(&p.to_lowercase()))
    {
        glance.push((Topic::Manager, "asked for a manager".to_string()));
    }
    if d.wants_contact == Some(true) {
        glance.push((Topic::Contact, "asked to be contacted".to_string()));
    }
    if d.response_text.is_none() {
        glance.push((Topic::NoResponse, "no response sent".to_string()));
    }
    // The stored checks (canned replies, ignored contact requests, refused escalations, late
    // answers), as the last refresh computed them; they say the glance's facts more exactly.
    let flags =
        crate::store::flag_reads::for_complaint(conn, id, targets.late_secs, targets.contact_secs)?;
    let mut checks = Vec::new();
    for f in flags {
        let topic = match f.flag {
            Flag::Repeat => {
                d.repeat = Some(f.explanation);
                continue;
            }
            Flag::ContactIgnored => Topic::Contact,
            Flag::EscalationRefused => Topic::Manager,
            Flag::Late if d.response_text.is_none() => Topic::NoResponse,
            _ => Topic::Other,
        };
        checks.push((topic, f.explanation));
    }
    d.flags = merge(glance, checks);
    if let Some(car) = crate::store::cars::for_complaint(conn, id, now)? {
        d.flags.push(format!(
            "CAR {} {}{}",
            car.id,
            car.state.label(),
            if car.overdue { " · overdue" } else { "" }
        ));
    }
    Ok(d)
}

/// The stored thread, or the row's complaint and response as its messages, with the
/// executive's own letters to the customer.
fn thread_of(conn: &Connection, d: &Detail) -> rusqlite::Result<Vec<Message>> {
    let row = Complaint {
        customer: d.customer.clone(),
        received_at: d.received_at,
        channel: d.channel.clone(),
        complaint_text: d.complaint_text.clone(),
        response_text: d.response_text.clone(),
        responded_at: d.responded_at,
        responder: d.responder.clone(),
        ..Complaint::default()
    };
    crate::store::threads::conversation(conn, d.complaint_id, &row)
}
