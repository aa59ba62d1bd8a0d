//! What the review screen reads: a queue line, a complaint's detail, a page of search hits,
//! a customer's other complaints. Every read is bounded by what one screen shows.

use rusqlite::{params, Connection};

use crate::domain::decision::{Decision, Status};
use crate::domain::rollup::Item;
use crate::domain::text::one_line;
use crate::domain::thread::Message;

use super::queries::outcome_from_row;

/// One line of the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub complaint_id: i64,
    pub external_id: String,
    pub division: String,
    pub received_at: i64,
    pub channel: Option<String>,
    pub subject: String,
    pub likelihood: Option<u8>,
    pub wants_contact: Option<bool>,
    pub status: Status,
    /// Why it is in the sample ("random", "rule:wants-contact"), empty outside a sample.
    pub reason: String,
    /// Messages in the complaint's thread (its row alone: 1, or 2 with a response).
    pub messages: u32,
    /// Pushed back at least once, whatever came after (`domain::rollup`).
    pub pushed_back: bool,
}

impl Row {
    /// The row as the roll-up counts it (`domain::rollup`): the header's figures.
    pub fn item(&self) -> Item {
        Item {
            complaint_id: self.complaint_id,
            division: self.division.clone(),
            reason: self.reason.clone(),
            status: self.status.clone(),
            pushed_back: self.pushed_back,
            reasons: Vec::new(),
            reviewed_at: None,
        }
    }
}

/// Everything the detail pane shows about one complaint.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub complaint_id: i64,
    pub external_id: String,
    pub source: String,
    pub division: String,
    pub channel: Option<String>,
    pub customer: Option<String>,
    /// The normalised customer identity: `o` lists the customer's other complaints.
    pub customer_key: Option<String>,
    /// "3rd complaint from this customer in 90 days (…)", when the last check found it a repeat.
    pub repeat: Option<String>,
    pub product: Option<String>,
    pub subject: Option<String>,
    pub received_at: i64,
    pub complaint_text: String,
    pub response_text: Option<String>,
    pub responder: Option<String>,
    pub responded_at: Option<i64>,
    pub likelihood: Option<u8>,
    pub wants_contact: Option<bool>,
    /// The text is the issue the consumer chose: their own words were not published.
    pub text_from_fields: bool,
    pub outcome: Option<crate::domain::Outcome>,
    pub decisions: Vec<Decision>,
    pub status: Status,
    pub flags: Vec<String>,
    /// The conversation as it is read and signed: the stored messages, or the row's complaint
    /// and response.
    pub thread: Vec<Message>,
}

/// One search hit.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub complaint_id: i64,
    pub external_id: String,
    pub division: String,
    pub received_at: i64,
    pub snippet: String,
}

/// A queue line for complaint `id`, with its status now as the roll-up counts it.
pub fn row(conn: &Connection, id: i64, reason: String, now: i64) -> rusqlite::Result<Row> {
    let mut st = conn.prepare_cached(
        "SELECT external_id, division, received_at, channel, subject, complaint_text, likelihood,
                wants_contact, COALESCE(message_count, 1 + (response_text IS NOT NULL))
         FROM complaints WHERE id = ?1",
    )?;
    let mut row = st.query_row(params![id], |r| {
        let subject: Option<String> = r.get(4)?;
        let text: String = r.get(5)?;
        Ok(Row {
            complaint_id: id,
            external_id: r.get(0)?,
            division: r.get(1)?,
            received_at: r.get(2)?,
            channel: r.get(3)?,
            subject: one_line(subject.as_deref().unwrap_or(&text), 120),
            likelihood: r.get(6)?,
            wants_contact: r.get(7)?,
            status: Status::Pending,
            reason,
            messages: r.get(8)?,
            pushed_back: false,
        })
    })?;
    let item = super::rollup::item(conn, id, &row.division, &row.reason, now)?;
    (row.status, row.pushed_back) = (item.status, item.pushed_back);
    Ok(row)
}

/// The complaint's columns as the detail pane shows them; its thread, decisions, status and
/// flags are the caller's to add.
pub fn detail(conn: &Connection, id: i64) -> rusqlite::Result<Detail> {
    conn.query_row(
        "SELECT external_id, source, division, channel, customer, product, subject, received_at,
                complaint_text, response_text, responder, responded_at, likelihood, wants_contact,
                text_from_fields, outcome_response, outcome_public_response, outcome_timely,
                outcome_disputed, customer_key
         FROM complaints WHERE id = ?1",
        params![id],
        |r| {
            Ok(Detail {
                complaint_id: id,
                external_id: r.get(0)?,
                source: r.get(1)?,
                division: r.get(2)?,
                channel: r.get(3)?,
                customer: r.get(4)?,
                customer_key: r.get(19)?,
                repeat: None,
                product: r.get(5)?,
                subject: r.get(6)?,
                received_at: r.get(7)?,
                complaint_text: r.get(8)?,
                response_text: r.get(9)?,
                responder: r.get(10)?,
                responded_at: r.get(11)?,
                likelihood: r.get(12)?,
                wants_contact: r.get(13)?,
                text_from_fields: r.get::<_, Option<bool>>(14)? == Some(true),
                outcome: outcome_from_row(r, 15)?,
                decisions: Vec::new(),
                status: Status::Pending,
                flags: Vec::new(),
                thread: Vec::new(),
            })
        },
    )
}

/// The newest matches first: FTS5 walks its postings in descending id order and stops at the
/// page size, so a common word costs no more than a rare one.
pub fn search(
    conn: &Connection,
    query: &str,
    scope: Option<&[String]>,
    limit: usize,
) -> rusqlite::Result<Vec<Hit>> {
    let fts = fts_query(query);
    if fts.is_empty() {
        return Ok(Vec::new());
    }
    let mut st = conn.prepare_cached(
        "SELECT f.rowid, snippet(complaints_fts, -1, '[', ']', '…', 12) FROM complaints_fts f
         WHERE complaints_fts MATCH ?1 ORDER BY f.rowid DESC",
    )?;
    let mut rows = st.query(params![fts])?;
    let mut info = conn.prepare_cached(
        "SELECT external_id, division, received_at FROM complaints WHERE id = ?1",
    )?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let snippet: String = r.get(1)?;
        let (external_id, division, received_at): (String, String, i64) =
            info.query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        if scope.is_some_and(|s| !s.contains(&division)) {
            continue;
        }
        out.push(Hit {
            complaint_id: id,
            external_id,
            division,
            received_at,
            snippet: one_line(&snippet, 200),
        });
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

/// A customer's complaints other than `except`, the newest first, as search hits.
pub fn customer_hits(
    conn: &Connection,
    key: &str,
    except: i64,
    scope: Option<&[String]>,
    limit: usize,
) -> rusqlite::Result<Vec<Hit>> {
    let others = super::customers::others(conn, key, except, scope, limit as i64)?;
    let mut text = conn
        .prepare_cached("SELECT coalesce(subject, complaint_text) FROM complaints WHERE id = ?1")?;
    let mut out = Vec::with_capacity(others.len());
    for o in others {
        let about: String = text.query_row(params![o.id], |r| r.get(0))?;
        out.push(Hit {
            complaint_id: o.id,
            snippet: one_line(&format!("{} · {about}", o.source), 200),
            external_id: o.external_id,
            division: o.division,
            received_at: o.received_at,
        });
    }
    Ok(out)
}

/// Words typed by a person, as an FTS5 query: each word a quoted term (the index stems them),
/// all required; quoting keeps FTS5 syntax typed by a person from being interpreted.
fn fts_query(input: &str) -> String {
    input
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(" ")
}
