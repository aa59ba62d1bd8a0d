//! What the checks read of stored threads. Only complaints with `message_count` set have one,
//! and most stores hold few among millions of rows: each thread is read by its key as the pass
//! meets its row, so a store without threads reads nothing more than its rows.

use std::collections::HashMap;

use rusqlite::{params, Connection, Statement};

use crate::domain::thread::{Author, Message};

/// A complaint's stored thread, as the checks' worker needs it.
pub(super) struct Thread {
    pub(super) messages: Vec<Message>,
    /// Each message's `seq`, by which a canned group finds its example message again.
    pub(super) seqs: Vec<u32>,
    /// The times of the complaint's CAR contacts: a call answers a message as a reply does.
    pub(super) contacts: Vec<i64>,
}

/// Reads threads during one pass.
pub(super) struct Reader<'c> {
    messages: Statement<'c>,
    /// Every threaded complaint's CAR contacts, read at once for a pass over the store; None
    /// when a few complaints are judged, each looking its own up.
    contacts: Option<HashMap<i64, Vec<i64>>>,
    one: Statement<'c>,
}

impl<'c> Reader<'c> {
    pub(super) fn new(conn: &'c Connection) -> rusqlite::Result<Reader<'c>> {
        // CAR contacts are few; CROSS JOIN keeps SQLite walking them and looking each
        // complaint up by its key rather than scanning the complaints for threads.
        let mut st = conn.prepare(
            "SELECT e.complaint_id, e.happened_at
             FROM car_events e CROSS JOIN complaints c ON c.id = e.complaint_id
             WHERE e.step = 'contact' AND c.message_count IS NOT NULL",
        )?;
        let mut contacts: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            contacts.entry(r.get(0)?).or_default().push(r.get(1)?);
        }
        let mut r = Reader::for_some(conn)?;
        r.contacts = Some(contacts);
        Ok(r)
    }

    /// A reader for a few complaints.
    pub(super) fn for_some(conn: &'c Connection) -> rusqlite::Result<Reader<'c>> {
        Ok(Reader {
            messages: conn.prepare(
                "SELECT seq, author, name, at, text FROM messages
                 WHERE complaint_id = ?1 ORDER BY seq",
            )?,
            contacts: None,
            one: conn.prepare(CONTACTS)?,
        })
    }

    /// The thread of a complaint whose row says it has one.
    pub(super) fn read(&mut self, complaint_id: i64) -> rusqlite::Result<Thread> {
        let mut t = Thread {
            messages: Vec::new(),
            seqs: Vec::new(),
            contacts: match &mut self.contacts {
                Some(all) => all.remove(&complaint_id).unwrap_or_default(),
                None => contacts(&mut self.one, complaint_id)?,
            },
        };
        let mut rows = self.messages.query(params![complaint_id])?;
        while let Some(r) = rows.next()? {
            let author: String = r.get(1)?;
            t.seqs.push(r.get(0)?);
            t.messages.push(Message {
                // The schema allows no other author; an unknown one answers no one.
                author: Author::parse(&author).unwrap_or(Author::Note),
                name: r.get(2)?,
                at: r.get(3)?,
                id: None,
                channel: None,
                text: r.get(4)?,
            });
        }
        Ok(t)
    }
}

/// A complaint's CAR contacts, through its CAR.
const CONTACTS: &str = "SELECT e.happened_at FROM cars k JOIN car_events e ON e.car_id = k.id
     WHERE k.complaint_id = ?1 AND e.step = 'contact' ORDER BY e.id";

fn contacts(st: &mut Statement, complaint_id: i64) -> rusqlite::Result<Vec<i64>> {
    let rows = st.query_map(params![complaint_id], |r| r.get(0))?;
    rows.collect()
}

/// A canned group's example when it is a thread's message: its text, and the customer's and
/// the message author's names, which the pass masked when it normalised it (the author's, or
/// the complaint's responder when the message names none).
pub(super) fn example(
    conn: &Connection,
    complaint_id: i64,
    seq: u32,
) -> rusqlite::Result<(String, String, String)> {
    conn.prepare_cached(
        "SELECT m.text, coalesce(c.customer, ''), coalesce(m.name, c.responder, '')
         FROM messages m JOIN complaints c ON c.id = m.complaint_id
         WHERE m.complaint_id = ?1 AND m.seq = ?2",
    )?
    .query_row(params![complaint_id, seq], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
}
