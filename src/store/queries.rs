//! Reading complaints back.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::domain::thread::Message;
use crate::domain::{Complaint, Outcome};

/// A stored complaint with its id and provenance.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Stored {
    pub id: i64,
    #[serde(flatten)]
    pub complaint: ComplaintJson,
    pub import_id: i64,
    pub source_file: String,
    pub source_line: i64,
}

/// The serialisable face of a complaint.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ComplaintJson {
    pub source: String,
    pub external_id: String,
    pub received_at: i64,
    pub channel: Option<String>,
    pub customer: Option<String>,
    pub contact: Option<String>,
    /// The normalised customer identity that links complaints across sources.
    pub customer_key: Option<String>,
    pub division: String,
    pub product: Option<String>,
    pub subject: Option<String>,
    pub complaint_text: String,
    pub response_text: Option<String>,
    pub responded_at: Option<i64>,
    pub responder: Option<String>,
    pub likelihood: Option<u8>,
    pub wants_contact: Option<bool>,
    /// The complaint text was put together from other fields: the consumer's own words were
    /// not published.
    pub text_from_fields: bool,
    pub outcome: Option<Outcome>,
    /// The thread as it is read and signed: the stored messages, or the row's complaint and
    /// response.
    pub messages: Vec<Message>,
    /// The export gave the conversation (its messages are stored), rather than one complaint
    /// and one response.
    pub threaded: bool,
}

impl From<&Complaint> for ComplaintJson {
    fn from(c: &Complaint) -> Self {
        ComplaintJson {
            source: c.source.clone(),
            external_id: c.external_id.clone(),
            received_at: c.received_at,
            channel: c.channel.clone(),
            customer: c.customer.clone(),
            contact: c.contact.clone(),
            customer_key: c.customer_key.clone(),
            division: c.division.clone(),
            product: c.product.clone(),
            subject: c.subject.clone(),
            complaint_text: c.complaint_text.clone(),
            response_text: c.response_text.clone(),
            responded_at: c.responded_at,
            responder: c.responder.clone(),
            likelihood: c.likelihood,
            wants_contact: c.wants_contact,
            text_from_fields: c.text_from_fields,
            outcome: c.outcome.clone(),
            messages: crate::domain::thread::of(c),
            threaded: !c.messages.is_empty(),
        }
    }
}

pub const COLUMNS: &str = "id, source, external_id, received_at, channel, customer, contact, \
    division, product, subject, complaint_text, response_text, responded_at, responder, \
    likelihood, wants_contact, import_id, source_file, source_line, \
    text_from_fields, outcome_response, outcome_public_response, outcome_timely, outcome_disputed, \
    customer_key";

pub fn complaint_from_row(r: &Row) -> rusqlite::Result<(i64, Complaint, i64, String, i64)> {
    Ok((
        r.get(0)?,
        Complaint {
            source: r.get(1)?,
            external_id: r.get(2)?,
            received_at: r.get(3)?,
            channel: r.get(4)?,
            customer: r.get(5)?,
            contact: r.get(6)?,
            customer_key: r.get(24)?,
            division: r.get(7)?,
            product: r.get(8)?,
            subject: r.get(9)?,
            complaint_text: r.get(10)?,
            response_text: r.get(11)?,
            responded_at: r.get(12)?,
            responder: r.get(13)?,
            likelihood: r.get(14)?,
            wants_contact: r.get(15)?,
            text_from_fields: r.get::<_, Option<bool>>(19)? == Some(true),
            outcome: outcome_from_row(r, 20)?,
            // The caller attaches stored messages (`threads::attach`) where it needs them.
            messages: Vec::new(),
        },
        r.get(16)?,
        r.get(17)?,
        r.get(18)?,
    ))
}

/// The four outcome columns from `at` on; None when all are NULL.
pub fn outcome_from_row(r: &Row, at: usize) -> rusqlite::Result<Option<Outcome>> {
    let o = Outcome {
        response: r.get(at)?,
        public_response: r.get(at + 1)?,
        timely: r.get(at + 2)?,
        disputed: r.get(at + 3)?,
    };
    Ok((o != Outcome::default()).then_some(o))
}

pub fn complaint_by_key(
    conn: &Connection,
    source: &str,
    external_id: &str,
) -> rusqlite::Result<Complaint> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM complaints WHERE source = ?1 AND external_id = ?2"),
        params![source, external_id],
        complaint_from_row,
    )
    .and_then(|(id, mut c, ..)| {
        super::threads::attach(conn, id, &mut c)?;
        Ok(c)
    })
}

pub fn complaint_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Stored>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM complaints WHERE id = ?1"),
        params![id],
        complaint_from_row,
    )
    .optional()?
    .map(|(id, mut c, import_id, source_file, source_line)| {
        super::threads::attach(conn, id, &mut c)?;
        Ok(Stored {
            id,
            complaint: ComplaintJson::from(&c),
            import_id,
            source_file,
            source_line,
        })
    })
    .transpose()
}

/// A complaint's external id and division, for messages about it.
pub fn external_id_and_division(
    conn: &Connection,
    id: i64,
) -> rusqlite::Result<Option<(String, String)>> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached("SELECT external_id, division FROM complaints WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// A complaint's external id, for messages about it.
pub fn external_id(conn: &Connection, id: i64) -> rusqlite::Result<String> {
    conn.query_row(
        "SELECT external_id FROM complaints WHERE id = ?1",
        [id],
        |r| r.get(0),
    )
}

/// A complaint's division, to check it against what a person may see.
pub fn division(conn: &Connection, id: i64) -> rusqlite::Result<String> {
    conn.query_row(
        "SELECT division FROM complaints WHERE id = ?1",
        params![id],
        |row| row.get(0),
    )
}

/// The id, when a complaint has it.
pub fn exists(conn: &Connection, id: i64) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM complaints WHERE id = ?1",
        params![id],
        |r| r.get(0),
    )
    .optional()
}

/// The complaints with this external id, each with its source: one per source at most.
pub fn by_external_id(
    conn: &Connection,
    external_id: &str,
) -> rusqlite::Result<Vec<(i64, String)>> {
    let mut st = conn.prepare_cached("SELECT id, source FROM complaints WHERE external_id = ?1")?;
    let rows = st.query_map(params![external_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    rows.collect()
}

/// The complaint with this external id in `source`, with its source.
pub fn by_source_and_external_id(
    conn: &Connection,
    source: &str,
    external_id: &str,
) -> rusqlite::Result<Vec<(i64, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT id, source FROM complaints WHERE source = ?1 AND external_id = ?2",
    )?;
    let rows = st.query_map(params![source, external_id], |row| {
        Ok((row.get(0)?, row.get(1)?))
    })?;
    rows.collect()
}

/// What a list of complaints shows of one: where it comes from, when, and what it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub external_id: String,
    pub source: String,
    pub division: String,
    pub received_at: i64,
    pub subject: Option<String>,
    pub complaint_text: String,
}

pub fn listed(conn: &Connection, id: i64) -> rusqlite::Result<Listed> {
    let mut st = conn.prepare_cached(
        "SELECT external_id, source, division, received_at, subject, complaint_text FROM complaints WHERE id = ?1",
    )?;
    st.query_row(params![id], |r| {
        Ok(Listed {
            external_id: r.get(0)?,
            source: r.get(1)?,
            division: r.get(2)?,
            received_at: r.get(3)?,
            subject: r.get(4)?,
            complaint_text: r.get(5)?,
        })
    })
}
