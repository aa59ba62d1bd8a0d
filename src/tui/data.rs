//! What the review screen shows of the store: a complaint's detail with its decisions,
//! status and flags, the sample on screen, the dashboard, each read through `Db`'s methods.

use crate::domain::decision;
use crate::domain::thread::Message;
use crate::domain::Complaint;
use crate::store::samples::Sample;
use crate::store::{Store, StoreError};

pub use super::figures::{dashboard, Dashboard};
pub use crate::store::screen::{Detail, Hit, Row};

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
    db: &mut dyn Store,
    id: i64,
    now: i64,
    manager_phrases: &[String],
    targets: FlagTargets,
) -> Result<Detail, StoreError> {
    let mut d = db.screen_detail(id)?;
    d.thread = thread_of(db, &d)?;
    d.decisions = db.decisions_of(id)?;
    let text = db.current_text_hash(id)?;
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
    let flags = db.flags_of(id, targets.late_secs, targets.contact_secs)?;
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
    if let Some(car) = db.car_of_complaint(id, now)? {
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
fn thread_of(db: &mut dyn Store, d: &Detail) -> Result<Vec<Message>, StoreError> {
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
    db.conversation(d.complaint_id, &row)
}
