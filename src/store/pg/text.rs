//! What a complaint holds now, as a signature covers it: its stored thread, or the row's
//! complaint and response, hashed exactly as the SQLite store hashes them.

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
