//! Thread building: the rows of a threaded export (one row per message) become complaints whose
//! thread holds those messages, in time order.
//!
//! With `[link]` rows answer rows by id: a customer message that answers nothing in the export
//! (nor a message the store holds) opens a conversation; every row that answers it, directly or
//! through other rows, is a message of its thread. With `[thread]` the rows of one ticket share
//! its id. The store is read through [`Stored`], so this module speaks no SQL.

use std::collections::HashMap;

use crate::domain::thread::{self, Author, Message};
use crate::domain::Complaint;

use super::mapping::RowMessage;
use super::profile::DivisionFrom;

/// What the store already holds, as the thread builder asks for it.
pub trait Stored {
    /// The stored complaint with this external id, its stored messages attached.
    fn complaint(&mut self, external_id: &str) -> Result<Option<Complaint>, String>;
    /// The external id of the complaint whose thread holds a message with this id.
    fn owner_of_message(&mut self, message_id: &str) -> Result<Option<String>, String>;
}

/// How rows are put together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Link(DivisionFrom),
    Ticket,
}

/// One row of the export, as the mapper read it.
pub struct Row {
    pub line: u64,
    pub msg: RowMessage,
}

/// A complaint put together from rows, ready to be written.
pub struct Built {
    /// The line of the row that opens it (or of its first row in the file).
    pub line: u64,
    pub complaint: Complaint,
    /// Rows of this file it holds.
    pub rows: u64,
}

/// A row that could not be placed in a thread, with the reason.
pub struct Unplaced {
    pub row: usize,
    pub reason: String,
}

pub struct Threads {
    pub built: Vec<Built>,
    pub unplaced: Vec<Unplaced>,
    /// Rows that answer another message.
    pub links: u64,
    /// Of those, the ones whose message is neither in the export nor in the store.
    pub dangling: u64,
}

/// Builds the threads of an export's rows. `division` maps a division name (or, for
/// `division_from = "replier"`, the replier's handle) to the configured one.
pub fn build(
    rows: &[Row],
    mode: Mode,
    stored: &mut dyn Stored,
    division: &dyn Fn(&str) -> String,
) -> Result<Threads, String> {
    let mut out = Threads {
        built: Vec::new(),
        unplaced: Vec::new(),
        links: 0,
        dangling: 0,
    };
    // Rows by the key of the complaint they belong to, in the order keys first appear.
    let mut groups: Vec<(String, bool, Vec<usize>)> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    let mut place = |key: String, in_store: bool, i: usize| {
        let g = *group_of.entry(key.clone()).or_insert_with(|| {
            groups.push((key, in_store, Vec::new()));
            groups.len() - 1
        });
        groups[g].2.push(i);
    };
    match mode {
        Mode::Ticket => {
            for (i, r) in rows.iter().enumerate() {
                place(r.msg.complaint.external_id.clone(), false, i);
            }
        }
        Mode::Link(_) => {
            let mut by_id: HashMap<&str, usize> = HashMap::new();
            for (i, r) in rows.iter().enumerate() {
                let id = r.msg.complaint.external_id.as_str();
                if let Some(&first) = by_id.get(id) {
                    out.unplaced.push(Unplaced {
                        row: i,
                        reason: format!(
                            "message {id:?} appears again: it was first on line {}",
                            rows[first].line
                        ),
                    });
                    continue;
                }
                by_id.insert(id, i);
            }
            let repeated: Vec<usize> = out.unplaced.iter().map(|u| u.row).collect();
            // The row each row's chain of answers leads up to within the export.
            for (i, r) in rows.iter().enumerate() {
                if repeated.contains(&i) {
                    continue;
                }
                if r.msg.reply_to.is_some() {
                    out.links += 1;
                }
                let mut top = i;
                let mut hops = 0;
                let mut looped = false;
                while let Some(parent) = rows[top].msg.reply_to.as_deref() {
                    match by_id.get(parent) {
                        Some(&p) if hops <= rows.len() => {
                            top = p;
                            hops += 1;
                        }
                        Some(_) => {
                            looped = true;
                            break;
                        }
                        None => break,
                    }
                }
                if looped {
                    out.unplaced.push(Unplaced {
                        row: i,
                        reason: format!(
                            "its chain of replies loops back on itself (through message {:?}): \
                             it answers no conversation",
                            rows[top].msg.complaint.external_id
                        ),
                    });
                    continue;
                }
                let t = &rows[top].msg;
                let Some(answers) = t.reply_to.as_deref().filter(|p| !by_id.contains_key(p)) else {
                    place(t.complaint.external_id.clone(), false, i);
                    continue;
                };
                // The chain leaves the export: the message it answers may be stored.
                let owner = match stored.owner_of_message(answers)? {
                    Some(o) => Some(o),
                    None => stored.complaint(answers)?.map(|c| c.external_id),
                };
                match owner {
                    Some(o) => place(o, true, i),
                    None => {
                        if i == top {
                            out.dangling += 1;
                        }
                        if t.author == Author::Customer {
                            // A customer message answering nothing we hold opens a conversation.
                            place(t.complaint.external_id.clone(), false, i);
                        } else {
                            let reason = if i == top {
                                format!(
                                    "answers message {answers:?}, which is neither in this file \
                                     nor in the store"
                                )
                            } else {
                                format!(
                                    "belongs to the conversation of message {answers:?}, which \
                                     is neither in this file nor in the store"
                                )
                            };
                            out.unplaced.push(Unplaced { row: i, reason });
                        }
                    }
                }
            }
        }
    }
    for (key, in_store, idx) in groups {
        let file_messages: Vec<Message> = idx
            .iter()
            .map(|&i| message(&rows[i].msg, mode != Mode::Ticket))
            .collect();
        let stored_c = stored.complaint(&key)?;
        let mut c = match (in_store, stored_c) {
            (true, Some(mut s)) => {
                // Replies to a stored conversation join its thread.
                if s.messages.is_empty() {
                    s.messages = thread::opening_pair(&s);
                }
                thread::merge(&mut s.messages, file_messages);
                s
            }
            (true, None) => return Err(format!("the stored complaint {key:?} disappeared")),
            (false, stored_c) => {
                let mut c = opening_row(rows, &idx);
                c.messages = file_messages;
                // A later export of a stored thread adds to it; a complaint stored without a
                // thread (from a one-row-per-complaint export) takes the file's.
                if let Some(s) = stored_c.filter(|s| !s.messages.is_empty()) {
                    let mut merged = s.messages;
                    thread::merge(&mut merged, std::mem::take(&mut c.messages));
                    c.messages = merged;
                }
                c.messages.sort_by_key(|m| m.at.unwrap_or(i64::MAX));
                c
            }
        };
        thread::summarise(&mut c);
        if mode == Mode::Link(DivisionFrom::Replier) {
            if let Some(name) = c
                .messages
                .iter()
                .find(|m| m.author == Author::Company)
                .and_then(|m| m.name.as_deref())
            {
                c.division = division(name);
            }
        }
        out.built.push(Built {
            line: rows[idx[0]].line,
            complaint: c,
            rows: idx.len() as u64,
        });
    }
    Ok(out)
}

/// A row as a message of its thread. In a linked export each row is a message with an id of
/// its own; in a ticket export the id is the ticket's, so the message has none.
fn message(r: &RowMessage, linked: bool) -> Message {
    let c = &r.complaint;
    Message {
        id: linked.then(|| c.external_id.clone()),
        author: r.author,
        name: c.customer.clone(),
        at: Some(c.received_at),
        channel: c.channel.clone(),
        text: c.complaint_text.clone(),
    }
}

/// The complaint's own fields: those of its first customer row (or its first row), with fields
/// that row leaves empty taken from the others.
fn opening_row(rows: &[Row], idx: &[usize]) -> Complaint {
    let first = idx
        .iter()
        .copied()
        .filter(|&i| rows[i].msg.author == Author::Customer)
        .min_by_key(|&i| rows[i].msg.complaint.received_at)
        .unwrap_or(idx[0]);
    let mut c = rows[first].msg.complaint.clone();
    if rows[first].msg.author != Author::Customer {
        c.customer = None;
        c.customer_key = None;
    }
    for &i in idx {
        let o = &rows[i].msg.complaint;
        fill(&mut c.contact, &o.contact);
        fill(&mut c.channel, &o.channel);
        fill(&mut c.product, &o.product);
        fill(&mut c.subject, &o.subject);
        if c.likelihood.is_none() {
            c.likelihood = o.likelihood;
        }
        if c.wants_contact.is_none() {
            c.wants_contact = o.wants_contact;
        }
        if c.customer_key.is_none() && rows[i].msg.author == Author::Customer {
            c.customer_key = o.customer_key.clone();
        }
    }
    c
}

fn fill(into: &mut Option<String>, from: &Option<String>) {
    if into.is_none() {
        into.clone_from(from);
    }
}
