//! The executive's own letter to a customer, checked and put in the outbox: the same for the
//! command line (`signoff reach-out`) and the review screen (`r`).

use crate::config::Person;
use crate::domain::letter::sender_domain;
use crate::domain::outreach::{self, Outreach};
use crate::store::Store;

/// Puts `person`'s letter about complaint `id` in the outbox, signed with her name and title,
/// from the sender `from`; or says why it cannot go (no words, no address).
pub fn queue(
    db: &mut dyn Store,
    from: &str,
    person: &Person,
    id: i64,
    text: &str,
    at: i64,
) -> Result<Outreach, String> {
    let (ext, to) = db.recipient_of(id).map_err(|e| e.to_string())?;
    let mut o = outreach::draft(
        id,
        &ext,
        to.as_deref(),
        text,
        (&person.login, &person.name, &person.title),
        at,
        &sender_domain(from),
    )?;
    o.text = super::compose::outreach_text(&o.text, &person.name, &person.title);
    db.queue_outreach(&o).map_err(|e| e.to_string())?;
    Ok(o)
}
