//! A signed complaint's letter, read from the store: the sign-off in force and the thread it
//! covers (`domain::letter`).

use rusqlite::Connection;

use crate::domain::decision::{self, Status};
use crate::domain::letter::{self, Letter};

use super::decisions as sd;

/// The letter of a complaint, or why it has none now (not signed, pushed back, its text changed
/// since it was signed).
pub fn of(
    conn: &Connection,
    complaint_id: i64,
    now: i64,
) -> rusqlite::Result<Result<Letter, String>> {
    let (_, mut c, ..) = conn.query_row(
        &format!(
            "SELECT {} FROM complaints WHERE id = ?1",
            super::queries::COLUMNS
        ),
        [complaint_id],
        super::queries::complaint_from_row,
    )?;
    super::threads::attach(conn, complaint_id, &mut c)?;
    let ds = sd::for_complaint(conn, complaint_id)?;
    let st = decision::status(&ds, &sd::current_text_hash(conn, complaint_id)?, now);
    if let Some(why) = letter::refusal(&c.external_id, &st) {
        return Ok(Err(why));
    }
    let Status::Signed { decision, .. } = st else {
        return Ok(Err(format!("{} is not signed", c.external_id)));
    };
    let Some(d) = ds.iter().find(|d| d.id == decision) else {
        return Ok(Err(format!("{}: its sign-off is missing", c.external_id)));
    };
    let thread = super::threads::thread(conn, complaint_id, &c)?;
    Ok(letter::letter(&c, &thread, d))
}

/// The letter a sign-off put in the outbox, if that sign-off is still the one in force: a
/// retracted sign-off, one pushed back since, or one whose conversation changed sends nothing.
pub fn for_sign_off(
    conn: &Connection,
    complaint_id: i64,
    decision_id: i64,
    now: i64,
) -> rusqlite::Result<Result<Letter, String>> {
    match of(conn, complaint_id, now)? {
        Ok(l) if l.decision_id == decision_id => Ok(Ok(l)),
        Ok(l) => Ok(Err(format!(
            "{}: a later sign-off (decision {}) carries the letter now",
            l.external_id, l.decision_id
        ))),
        Err(why) => Ok(Err(why)),
    }
}
