//! Reading a complaint back from the PostgreSQL store as the commands and the screen show it:
//! its row and provenance, its detail, its conversation with the executive's own letters, the
//! same customer's other complaints, and the letter its sign-off sends. Row-level security
//! answers for the person who connected: a complaint they may not see is not found.

use postgres::{GenericClient, Row as PgRow};

use crate::domain::decision::{self, Decision, Status};
use crate::domain::letter::{self, Letter};
use crate::domain::outreach::{self, Delivery};
use crate::domain::thread::{self, Message};
use crate::domain::{Complaint, Outcome};
use crate::store::customers::Other;
use crate::store::queries::{ComplaintJson, Stored};
use crate::store::screen::Detail;

use super::decisions::decisions_where;
use super::{describe, text, PgError, PgStore};

/// The columns [`complaint_from_row`] reads, in its order.
const COLUMNS: &str = "id, source, external_id, received_at, channel, customer, contact, \
    division, product, subject, complaint_text, response_text, responded_at, responder, \
    likelihood, wants_contact, import_id, source_file, source_line, \
    text_from_fields, outcome_response, outcome_public_response, outcome_timely, outcome_disputed, \
    customer_key";

pub(super) fn likelihood(v: Option<i16>) -> Option<u8> {
    v.and_then(|v| u8::try_from(v).ok())
}

fn outcome(r: &PgRow, at: usize) -> Option<Outcome> {
    let o = Outcome {
        response: r.get(at),
        public_response: r.get(at + 1),
        timely: r.get(at + 2),
        disputed: r.get(at + 3),
    };
    (o != Outcome::default()).then_some(o)
}

/// A complaint's row, without its stored messages.
fn complaint_from_row(r: &PgRow) -> Complaint {
    Complaint {
        source: r.get(1),
        external_id: r.get(2),
        received_at: r.get(3),
        channel: r.get(4),
        customer: r.get(5),
        contact: r.get(6),
        customer_key: r.get(24),
        division: r.get(7),
        product: r.get(8),
        subject: r.get(9),
        complaint_text: r.get(10),
        response_text: r.get(11),
        responded_at: r.get(12),
        responder: r.get(13),
        likelihood: likelihood(r.get(14)),
        wants_contact: r.get(15),
        text_from_fields: r.get::<_, Option<bool>>(19) == Some(true),
        outcome: outcome(r, 20),
        messages: Vec::new(),
    }
}

/// The executive's own letters to the customer, as messages of the conversation.
fn outreach_messages(
    c: &mut impl GenericClient,
    complaint_id: i64,
) -> Result<Vec<Message>, postgres::Error> {
    Ok(c.query(
        "SELECT message_id, coalesce(author_name, author), queued_at, coalesce(body, ''), state
         FROM outbox WHERE kind = 'outreach' AND complaint_id = $1 AND state <> 'withdrawn'
         ORDER BY id",
        &[&complaint_id],
    )?
    .iter()
    .map(|r| {
        let delivery = match r.get::<_, &str>(4) {
            "sent" => Delivery::Sent,
            "failed" => Delivery::Failed,
            _ => Delivery::Waiting,
        };
        let id: Option<&str> = r.get(0);
        outreach::as_message(
            id.unwrap_or_default(),
            r.get::<_, &str>(1),
            r.get(2),
            r.get::<_, &str>(3),
            delivery,
        )
    })
    .collect())
}

impl PgStore {
    pub(super) fn pg(&self, e: postgres::Error) -> PgError {
        PgError {
            url: self.url.clone(),
            message: describe(&e),
        }
    }

    fn not_found(&self, id: i64) -> PgError {
        PgError {
            url: self.url.clone(),
            message: format!("no complaint {id}, or not one you may see"),
        }
    }

    /// A complaint as stored, with where it came from, if this login may see it.
    pub fn complaint(&mut self, id: i64) -> Result<Option<Stored>, PgError> {
        Ok(self
            .complaint_with_origin(id)?
            .map(|(c, (import_id, source_file, source_line))| Stored {
                id,
                complaint: ComplaintJson::from(&c),
                import_id,
                source_file,
                source_line,
            }))
    }

    /// A complaint's row and its stored messages, if this login may see it.
    fn complaint_row(&mut self, id: i64) -> Result<Option<Complaint>, PgError> {
        Ok(self.complaint_with_origin(id)?.map(|(c, _)| c))
    }

    /// A complaint with its stored messages and (import, file, line), if this login may see it.
    #[allow(clippy::type_complexity)]
    fn complaint_with_origin(
        &mut self,
        id: i64,
    ) -> Result<Option<(Complaint, (i64, String, i64))>, PgError> {
        let row = self
            .client
            .query_opt(
                &format!("SELECT {COLUMNS} FROM complaints WHERE id = $1"),
                &[&id],
            )
            .map_err(|e| self.pg(e))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let mut c = complaint_from_row(&row);
        c.messages = text::stored_messages(&mut self.client, id).map_err(|e| self.pg(e))?;
        Ok(Some((c, (row.get(16), row.get(17), row.get(18)))))
    }

    /// A complaint's decisions, oldest first.
    pub fn decisions_of(&mut self, complaint_id: i64) -> Result<Vec<Decision>, PgError> {
        decisions_where(
            &mut self.client,
            &self.url,
            "WHERE complaint_id = $1",
            &[&complaint_id],
        )
    }

    /// The complaint's columns as the detail pane shows them.
    pub fn screen_detail(&mut self, id: i64) -> Result<Detail, PgError> {
        let row = self
            .client
            .query_opt(
                &format!("SELECT {COLUMNS} FROM complaints WHERE id = $1"),
                &[&id],
            )
            .map_err(|e| self.pg(e))?
            .ok_or_else(|| self.not_found(id))?;
        let c = complaint_from_row(&row);
        Ok(Detail {
            complaint_id: id,
            external_id: c.external_id,
            source: c.source,
            division: c.division,
            channel: c.channel,
            customer: c.customer,
            customer_key: c.customer_key,
            repeat: None,
            product: c.product,
            subject: c.subject,
            received_at: c.received_at,
            complaint_text: c.complaint_text,
            response_text: c.response_text,
            responder: c.responder,
            responded_at: c.responded_at,
            likelihood: c.likelihood,
            wants_contact: c.wants_contact,
            text_from_fields: c.text_from_fields,
            outcome: c.outcome,
            decisions: Vec::new(),
            status: Status::Pending,
            flags: Vec::new(),
            thread: Vec::new(),
        })
    }

    /// The conversation as it is read: the stored thread (or the row's complaint and response),
    /// with the executive's own letters in time order.
    pub fn conversation(
        &mut self,
        complaint_id: i64,
        row: &Complaint,
    ) -> Result<Vec<Message>, PgError> {
        let stored =
            text::stored_messages(&mut self.client, complaint_id).map_err(|e| self.pg(e))?;
        let thread = if stored.is_empty() {
            thread::opening_pair(row)
        } else {
            stored
        };
        let letters = outreach_messages(&mut self.client, complaint_id).map_err(|e| self.pg(e))?;
        if letters.is_empty() {
            return Ok(thread);
        }
        Ok(outreach::with_letters(thread, letters))
    }

    /// The executive's own letters to the customer, as messages.
    pub fn outreach_messages(&mut self, complaint_id: i64) -> Result<Vec<Message>, PgError> {
        outreach_messages(&mut self.client, complaint_id).map_err(|e| self.pg(e))
    }

    /// The customer's complaints other than `except`, the newest first, within `divisions`
    /// (None: all), at most `limit`.
    pub fn customer_others(
        &mut self,
        key: &str,
        except: i64,
        divisions: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<Other>, PgError> {
        Ok(self
            .others(key, except, divisions, limit)?
            .into_iter()
            .map(|(o, _)| o)
            .collect())
    }

    /// The customer's other complaints, each with what it is about.
    pub(super) fn others(
        &mut self,
        key: &str,
        except: i64,
        divisions: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<(Other, String)>, PgError> {
        let rows = self
            .client
            .query(
                "SELECT id, source, external_id, division, received_at,
                        coalesce(subject, complaint_text)
                 FROM complaints
                 WHERE customer_key = $1 AND id <> $2
                   AND ($3::text[] IS NULL OR division = ANY($3))
                 ORDER BY received_at DESC, id DESC LIMIT $4",
                &[&key, &except, &divisions, &limit],
            )
            .map_err(|e| self.pg(e))?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    Other {
                        id: r.get(0),
                        source: r.get(1),
                        external_id: r.get(2),
                        division: r.get(3),
                        received_at: r.get(4),
                    },
                    r.get(5),
                )
            })
            .collect())
    }

    /// The letter of a complaint, or why it has none now.
    pub fn letter(
        &mut self,
        complaint_id: i64,
        now: i64,
    ) -> Result<Result<Letter, String>, PgError> {
        let c = self
            .complaint_row(complaint_id)?
            .ok_or_else(|| self.not_found(complaint_id))?;
        let ds = self.decisions_of(complaint_id)?;
        let st = decision::status(&ds, &self.current_text_hash(complaint_id)?, now);
        if let Some(why) = letter::refusal(&c.external_id, &st) {
            return Ok(Err(why));
        }
        let Status::Signed { decision, .. } = st else {
            return Ok(Err(format!("{} is not signed", c.external_id)));
        };
        let Some(d) = ds.iter().find(|d| d.id == decision) else {
            return Ok(Err(format!("{}: its sign-off is missing", c.external_id)));
        };
        let thread = thread::of(&c);
        Ok(letter::letter(&c, &thread, d))
    }
}
