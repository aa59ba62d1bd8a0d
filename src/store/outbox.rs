//! The outbox: letters, outreach and notifications waiting to go, and what became of each
//! (`mail::deliver` drives a message through these states).

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use crate::domain::letter::is_address;
use crate::domain::outreach::{self, Delivery, Outreach};
use crate::domain::thread::Message;

/// One message in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub id: i64,
    pub kind: String,
    pub complaint_id: Option<i64>,
    pub decision_id: Option<i64>,
    pub recipient: Option<String>,
    pub subject: Option<String>,
    pub body: Option<String>,
    pub author: String,
    pub author_name: Option<String>,
    pub queued_at: i64,
    pub message_id: Option<String>,
    /// queued, sending (an attempt was recorded and its outcome was not), sent, failed,
    /// withdrawn.
    pub state: String,
    #[serde(skip)]
    pub content: Option<Vec<u8>>,
    pub attempts: i64,
    pub attempted_at: Option<i64>,
    pub sent_at: Option<i64>,
    pub reply: Option<String>,
    pub note: Option<String>,
}

const COLUMNS: &str = "id, kind, complaint_id, decision_id, recipient, subject, body, author, \
    author_name, queued_at, message_id, state, content, attempts, attempted_at, sent_at, reply, note";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Item> {
    Ok(Item {
        id: r.get(0)?,
        kind: r.get(1)?,
        complaint_id: r.get(2)?,
        decision_id: r.get(3)?,
        recipient: r.get(4)?,
        subject: r.get(5)?,
        body: r.get(6)?,
        author: r.get(7)?,
        author_name: r.get(8)?,
        queued_at: r.get(9)?,
        message_id: r.get(10)?,
        state: r.get(11)?,
        content: r.get(12)?,
        attempts: r.get(13)?,
        attempted_at: r.get(14)?,
        sent_at: r.get(15)?,
        reply: r.get(16)?,
        note: r.get(17)?,
    })
}

/// Puts a sign-off's letter in the outbox, addressed to the customer's e-mail address when the
/// import read one. Called inside the sign-off's own transaction: a sign-off and its letter are
/// saved together or not at all.
pub fn queue_letter(
    conn: &Connection,
    complaint_id: i64,
    decision_id: i64,
    author: &str,
    at: i64,
) -> rusqlite::Result<()> {
    let to = recipient_of(conn, complaint_id)?
        .1
        .filter(|v| is_address(v))
        .map(|v| v.trim().to_string());
    conn.prepare_cached(
        "INSERT INTO outbox (kind, complaint_id, decision_id, recipient, author, queued_at)
         VALUES ('letter', ?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![complaint_id, decision_id, to, author, at])?;
    Ok(())
}

/// Puts the executive's own letter in the outbox; from then on it is a message of the
/// complaint's conversation.
pub fn queue_outreach(conn: &mut Connection, o: &Outreach) -> rusqlite::Result<i64> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT INTO outbox (kind, complaint_id, recipient, subject, body, author, author_name,
             queued_at, message_id)
         VALUES ('outreach', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            o.complaint_id,
            o.to,
            o.subject,
            o.text,
            o.author,
            outreach::signature_name(&o.author_name, &o.author_title),
            o.at,
            o.message_id
        ],
    )?;
    let id = tx.last_insert_rowid();
    tx.commit()?;
    Ok(id)
}

/// The events of `keys` already in the notifications' sent log.
pub fn logged(conn: &Connection, keys: &[String]) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare_cached("SELECT 1 FROM notice_log WHERE event = ?1")?;
    let mut out = Vec::new();
    for k in keys {
        if st.exists(params![k])? {
            out.push(k.clone());
        }
    }
    Ok(out)
}

/// A notification for one person, for these events.
pub struct Notice<'a> {
    pub login: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub events: &'a [String],
    pub at: i64,
}

/// Queues a notification and logs its events, in one transaction; None (and nothing written)
/// when another run logged any of them first.
pub fn queue_notice(conn: &mut Connection, n: &Notice) -> rusqlite::Result<Option<i64>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if !logged(&tx, n.events)?.is_empty() {
        return Ok(None);
    }
    tx.execute(
        "INSERT INTO outbox (kind, recipient, subject, body, author, queued_at)
         VALUES ('notice', ?1, ?2, ?3, ?4, ?5)",
        params![n.to, n.subject, n.body, n.login, n.at],
    )?;
    let id = tx.last_insert_rowid();
    {
        let mut log = tx.prepare_cached(
            "INSERT INTO notice_log (event, login, outbox_id, at) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for e in n.events {
            log.execute(params![e, n.login, id, n.at])?;
        }
    }
    tx.commit()?;
    Ok(Some(id))
}

/// Messages still to go (queued) or whose last attempt has no recorded outcome (sending), in
/// the order they were queued; only of `kind` when given.
pub fn waiting(conn: &Connection, kind: Option<&str>) -> rusqlite::Result<Vec<Item>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE state IN ('queued', 'sending')
             AND (?1 IS NULL OR kind = ?1) ORDER BY id"
    ))?;
    let rows = st.query_map(params![kind], from_row)?;
    rows.collect()
}

pub fn by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Item>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"),
        params![id],
        from_row,
    )
    .optional()
}

/// The newest messages, for `send --list`.
pub fn recent(conn: &Connection, limit: i64) -> rusqlite::Result<Vec<Item>> {
    let mut st = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM outbox ORDER BY id DESC LIMIT ?1"
    ))?;
    let rows = st.query_map(params![limit], from_row)?;
    rows.collect()
}

/// An attempt about to be made: the exact bytes, their Message-ID and recipient.
pub struct Attempt<'a> {
    pub recipient: &'a str,
    pub message_id: &'a str,
    pub content: &'a [u8],
    pub at: i64,
}

/// Records the intent to deliver before the server is spoken to, committed. False when the
/// message is no longer as `seen_attempts` says (another run recorded an attempt since) or no
/// longer waiting: then this run must not send it.
pub fn intend(
    conn: &Connection,
    id: i64,
    seen_attempts: i64,
    a: &Attempt,
) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE outbox SET state = 'sending', recipient = ?2, message_id = ?3, content = ?4,
             attempts = attempts + 1, attempted_at = ?5, note = NULL
         WHERE id = ?1 AND state IN ('queued', 'sending') AND attempts = ?6",
        params![
            id,
            a.recipient,
            a.message_id,
            a.content,
            a.at,
            seen_attempts
        ],
    )? == 1)
}

/// The external id of a complaint, and the address to write to its customer at: the first of
/// its contact and customer fields shaped like an e-mail address, else its contact as the
/// import read it.
pub fn recipient_of(
    conn: &Connection,
    complaint_id: i64,
) -> rusqlite::Result<(String, Option<String>)> {
    let (ext, contact, customer): (String, Option<String>, Option<String>) = conn.query_row(
        "SELECT external_id, contact, customer FROM complaints WHERE id = ?1",
        params![complaint_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let address = [contact.clone(), customer]
        .into_iter()
        .flatten()
        .find(|v| is_address(v));
    Ok((ext, address.or(contact)))
}

/// The server took it.
pub fn mark_sent(conn: &Connection, id: i64, reply: &str, at: i64) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE outbox SET state = 'sent', sent_at = ?3, reply = ?2, note = NULL WHERE id = ?1",
        params![id, reply, at],
    )?;
    Ok(())
}

/// It did not go this time (the server was away, or said try later): it waits again, with the
/// bytes of its attempt kept for the next one.
pub fn mark_deferred(conn: &Connection, id: i64, note: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE outbox SET state = 'queued', note = ?2 WHERE id = ?1",
        params![id, note],
    )?;
    Ok(())
}

/// It will not go: the server refused it for good, or it has nowhere to go.
pub fn mark_failed(conn: &Connection, id: i64, note: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE outbox SET state = 'failed', note = ?2 WHERE id = ?1",
        params![id, note],
    )?;
    Ok(())
}

/// It must not go any more: its sign-off was retracted or no longer covers the conversation.
pub fn mark_withdrawn(conn: &Connection, id: i64, note: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE outbox SET state = 'withdrawn', note = ?2
         WHERE id = ?1 AND state IN ('queued', 'sending')",
        params![id, note],
    )?;
    Ok(())
}

/// The executive's letters about a complaint, as messages of its conversation.
pub fn outreach_messages(conn: &Connection, complaint_id: i64) -> rusqlite::Result<Vec<Message>> {
    let mut st = conn.prepare_cached(
        "SELECT message_id, coalesce(author_name, author), queued_at, coalesce(body, ''), state
         FROM outbox WHERE kind = 'outreach' AND complaint_id = ?1 AND state <> 'withdrawn'
         ORDER BY id",
    )?;
    let rows = st.query_map(params![complaint_id], |r| {
        let state: String = r.get(4)?;
        let delivery = match state.as_str() {
            "sent" => Delivery::Sent,
            "failed" => Delivery::Failed,
            _ => Delivery::Waiting,
        };
        let id: Option<String> = r.get(0)?;
        Ok(outreach::as_message(
            id.as_deref().unwrap_or_default(),
            &r.get::<_, String>(1)?,
            r.get(2)?,
            &r.get::<_, String>(3)?,
            delivery,
        ))
    })?;
    rows.collect()
}

/// The external id of the complaint an outreach letter with this Message-ID (with or without
/// its angle brackets) was written about, among complaints of `source`.
pub fn complaint_of_letter(
    conn: &Connection,
    source: &str,
    message_id: &str,
) -> rusqlite::Result<Option<String>> {
    let bare = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    conn.prepare_cached(
        "SELECT c.external_id FROM outbox o JOIN complaints c ON c.id = o.complaint_id
         WHERE o.kind = 'outreach' AND o.message_id = ?2 AND c.source = ?1 LIMIT 1",
    )?
    .query_row(params![source, format!("<{bare}>")], |r| r.get(0))
    .optional()
}
