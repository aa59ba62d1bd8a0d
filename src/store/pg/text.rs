//! What a complaint holds now, as a signature covers it: its stored thread, or the row's
//! complaint and response, hashed exactly as the SQLite store hashes them.

use std::collections::HashMap;

use postgres::GenericClient;

use crate::domain::complaint::signed_text_hash;
use crate::domain::thread::{hash_messages, Author, Message};

/// A complaint's stored messages, in order (empty when the row is its own thread).
pub(crate) fn stored_messages(
    c: &mut impl GenericClient,
    complaint_id: i64,
) -> Result<Vec<Message>, postgres::Error> {
    Ok(c.query(
        "SELECT author, name, at, channel, text, ext_id FROM messages
         WHERE complaint_id = $1 ORDER BY seq",
        &[&complaint_id],
    )?
    .iter()
    .map(|r| Message {
        author: Author::parse(r.get::<_, &str>(0)).unwrap_or(Author::Note),
        name: r.get(1),
        at: r.get(2),
        channel: r.get(3),
        text: r.get(4),
        id: r.get(5),
    })
    .collect())
}

/// The hashes a sign-off of each complaint records now, read in two statements whatever their
/// number; those the connection cannot see are left out.
pub(crate) fn text_hashes(
    c: &mut impl GenericClient,
    ids: &[i64],
) -> Result<HashMap<i64, String>, postgres::Error> {
    let mut out = HashMap::with_capacity(ids.len());
    let mut threaded: Vec<i64> = Vec::new();
    for r in c.query(
        "SELECT id, complaint_text, response_text, message_count IS NOT NULL
         FROM complaints WHERE id = ANY($1)",
        &[&ids],
    )? {
        match r.get::<_, bool>(3) {
            true => threaded.push(r.get(0)),
            false => {
                let response: Option<&str> = r.get(2);
                out.insert(r.get(0), signed_text_hash(r.get(1), response));
            }
        }
    }
    if threaded.is_empty() {
        return Ok(out);
    }
    let mut threads: HashMap<i64, Vec<Message>> = HashMap::new();
    for r in c.query(
        "SELECT complaint_id, author, name, at, channel, text, ext_id FROM messages
         WHERE complaint_id = ANY($1) ORDER BY complaint_id, seq",
        &[&threaded],
    )? {
        threads.entry(r.get(0)).or_default().push(Message {
            author: Author::parse(r.get::<_, &str>(1)).unwrap_or(Author::Note),
            name: r.get(2),
            at: r.get(3),
            channel: r.get(4),
            text: r.get(5),
            id: r.get(6),
        });
    }
    for id in threaded {
        let messages = threads.remove(&id).unwrap_or_default();
        out.insert(id, hash_messages(&messages));
    }
    Ok(out)
}

/// The hash a sign-off of the complaint records now; None when the connection cannot see it.
pub(crate) fn text_hash(
    c: &mut impl GenericClient,
    complaint_id: i64,
) -> Result<Option<String>, postgres::Error> {
    let Some(row) = c.query_opt(
        "SELECT complaint_text, response_text, message_count IS NOT NULL
         FROM complaints WHERE id = $1",
        &[&complaint_id],
    )?
    else {
        return Ok(None);
    };
    let (text, response, threaded): (String, Option<String>, bool) =
        (row.get(0), row.get(1), row.get(2));
    if threaded {
        return Ok(Some(hash_messages(&stored_messages(c, complaint_id)?)));
    }
    Ok(Some(signed_text_hash(&text, response.as_deref())))
}
