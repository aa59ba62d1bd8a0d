//! The stored messages of a complaint's thread (`domain::thread`).

use rusqlite::{params, Connection};

use crate::domain::thread::{Author, Message};
use crate::domain::Complaint;

const INSERT: &str =
    "INSERT INTO messages (complaint_id, seq, ext_id, author, name, at, channel, text)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/// Replaces the stored messages of a complaint with these (none: its row is its thread).
pub fn replace(conn: &Connection, complaint_id: i64, messages: &[Message]) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM messages WHERE complaint_id = ?1")?
        .execute(params![complaint_id])?;
    let mut st = conn.prepare_cached(INSERT)?;
    for (i, m) in messages.iter().enumerate() {
        st.execute(params![
            complaint_id,
            i as i64,
            m.id,
            m.author.as_str(),
            m.name,
            m.at,
            m.channel,
            m.text
        ])?;
    }
    Ok(())
}

/// The stored messages of a complaint, in order; empty when its row is its thread.
pub fn stored(conn: &Connection, complaint_id: i64) -> rusqlite::Result<Vec<Message>> {
    let mut st = conn.prepare_cached(
        "SELECT author, name, at, channel, text, ext_id FROM messages
         WHERE complaint_id = ?1 ORDER BY seq",
    )?;
    let rows = st.query_map(params![complaint_id], |r| {
        let author: String = r.get(0)?;
        Ok(Message {
            author: Author::parse(&author).unwrap_or(Author::Note),
            name: r.get(1)?,
            at: r.get(2)?,
            channel: r.get(3)?,
            text: r.get(4)?,
            id: r.get(5)?,
        })
    })?;
    rows.collect()
}

/// Fills a complaint read from its row with its stored messages.
pub fn attach(conn: &Connection, complaint_id: i64, c: &mut Complaint) -> rusqlite::Result<()> {
    c.messages = stored(conn, complaint_id)?;
    Ok(())
}

/// The thread of a stored complaint as it is read and signed.
pub fn thread(
    conn: &Connection,
    complaint_id: i64,
    c: &Complaint,
) -> rusqlite::Result<Vec<Message>> {
    let stored = stored(conn, complaint_id)?;
    if stored.is_empty() {
        Ok(crate::domain::thread::opening_pair(c))
    } else {
        Ok(stored)
    }
}

/// The conversation as it is read: the thread, with the executive's own letters to the customer
/// in time order (`domain::outreach`; a sign-off does not cover them).
pub fn conversation(
    conn: &Connection,
    complaint_id: i64,
    c: &Complaint,
) -> rusqlite::Result<Vec<Message>> {
    let letters = super::outbox::outreach_messages(conn, complaint_id)?;
    let thread = thread(conn, complaint_id, c)?;
    if letters.is_empty() {
        return Ok(thread);
    }
    Ok(crate::domain::outreach::with_letters(thread, letters))
}

/// Messages in the store, counting a complaint without stored messages as its row's one or two.
pub fn total(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COALESCE(SUM(COALESCE(message_count, 1 + (response_text IS NOT NULL))), 0)
         FROM complaints",
        [],
        |r| r.get(0),
    )
}

/// The external id of the complaint whose stored thread holds the message with this export id,
/// or whose executive's letter carried it as its Message-ID, among complaints of `source`.
pub fn complaint_of_message(
    conn: &Connection,
    source: &str,
    message_id: &str,
) -> rusqlite::Result<Option<String>> {
    use rusqlite::OptionalExtension;
    let found = conn
        .prepare_cached(
            "SELECT c.external_id FROM messages m JOIN complaints c ON c.id = m.complaint_id
             WHERE m.ext_id = ?2 AND c.source = ?1 LIMIT 1",
        )?
        .query_row(params![source, message_id], |r| r.get(0))
        .optional()?;
    match found {
        Some(ext) => Ok(Some(ext)),
        // A reply to the executive's own letter answers its Message-ID.
        None => super::outbox::complaint_of_letter(conn, source, message_id),
    }
}
