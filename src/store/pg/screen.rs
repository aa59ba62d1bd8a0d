//! What the review screen reads from the PostgreSQL store: a queue line, a complaint's detail
//! and conversation, search hits, a customer's other complaints, the recommend scores, the
//! letter a sign-off sends. Row-level security answers for the person who connected.

use postgres::{GenericClient, Row as PgRow};

use crate::domain::decision::{self, Status};
use crate::domain::letter::{self, Letter};
use crate::domain::outreach::{self, Delivery};
use crate::domain::recommend::ScoreDay;
use crate::domain::rollup::Item;
use crate::domain::text::one_line;
use crate::domain::thread::{self, Message};
use crate::domain::{Complaint, Outcome};
use crate::store::customers::Other;
use crate::store::queries::{ComplaintJson, Stored};
use crate::store::screen::{Detail, Hit, Row};

use super::decisions::decisions_where;
use super::{describe, text, PgError, PgStore};

/// The columns [`complaint_from_row`] reads, in its order.
const COLUMNS: &str = "id, source, external_id, received_at, channel, customer, contact, \
    division, product, subject, complaint_text, response_text, responded_at, responder, \
    likelihood, wants_contact, import_id, source_file, source_line, \
    text_from_fields, outcome_response, outcome_public_response, outcome_timely, outcome_disputed, \
    customer_key";

fn likelihood(v: Option<i16>) -> Option<u8> {
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
    fn pg(&self, e: postgres::Error) -> PgError {
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
        Ok(Some(Stored {
            id,
            complaint: ComplaintJson::from(&c),
            import_id: row.get(16),
            source_file: row.get(17),
            source_line: row.get(18),
        }))
    }

    /// A complaint's row and its stored messages, if this login may see it.
    fn complaint_row(&mut self, id: i64) -> Result<Option<Complaint>, PgError> {
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
        Ok(Some(c))
    }

    /// A complaint's decisions, oldest first.
    pub fn decisions_of(
        &mut self,
        complaint_id: i64,
    ) -> Result<Vec<crate::domain::decision::Decision>, PgError> {
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

    /// A queue line for a complaint, with its status now as the roll-up counts it.
    fn row(&mut self, id: i64, reason: String, now: i64) -> Result<Option<Row>, PgError> {
        let found = self
            .client
            .query_opt(
                "SELECT external_id, division, received_at, channel, subject, complaint_text,
                        likelihood, wants_contact,
                        coalesce(message_count, 1 + (response_text IS NOT NULL)::int)
                 FROM complaints WHERE id = $1",
                &[&id],
            )
            .map_err(|e| self.pg(e))?;
        let Some(r) = found else {
            return Ok(None);
        };
        let subject: Option<String> = r.get(4);
        let text_: String = r.get(5);
        let mut row = Row {
            complaint_id: id,
            external_id: r.get(0),
            division: r.get(1),
            received_at: r.get(2),
            channel: r.get(3),
            subject: one_line(subject.as_deref().unwrap_or(&text_), 120),
            likelihood: likelihood(r.get(6)),
            wants_contact: r.get(7),
            status: Status::Pending,
            reason,
            messages: r.get::<_, i32>(8).max(0) as u32,
            pushed_back: false,
        };
        let ds = self.decisions_of(id)?;
        let hash = self.current_text_hash(id)?;
        let item = Item::of(id, &row.division, &row.reason, &ds, &hash, now);
        (row.status, row.pushed_back) = (item.status, item.pushed_back);
        Ok(Some(row))
    }

    /// The sample's items, in draw order, limited to the divisions the person may see.
    pub fn sample_rows(
        &mut self,
        sample_id: i64,
        scope: Option<&[String]>,
        now: i64,
    ) -> Result<Vec<Row>, PgError> {
        let items = self
            .client
            .query(
                "SELECT complaint_id, reason FROM sample_items WHERE sample_id = $1
                 ORDER BY position",
                &[&sample_id],
            )
            .map_err(|e| self.pg(e))?;
        let mut out = Vec::with_capacity(items.len());
        for it in items {
            if let Some(row) = self.row(it.get(0), it.get(1), now)? {
                if scope.is_none_or(|s| s.contains(&row.division)) {
                    out.push(row);
                }
            }
        }
        Ok(out)
    }

    /// A division head's list: every item of the sample in their divisions, and any other
    /// complaint of theirs still in play (pushed back, answered, or signed before its text
    /// changed).
    pub fn division_rows(
        &mut self,
        divisions: &[String],
        sample: Option<i64>,
        now: i64,
    ) -> Result<Vec<Row>, PgError> {
        let listed = self
            .client
            .query(
                "SELECT si.complaint_id, si.reason, true, si.position FROM sample_items si
                   JOIN complaints c ON c.id = si.complaint_id
                  WHERE si.sample_id = $2 AND c.division = ANY($1)
                 UNION
                 SELECT DISTINCT d.complaint_id, '', false, 0 FROM decisions d
                   JOIN complaints c ON c.id = d.complaint_id
                  WHERE c.division = ANY($1)
                    AND d.complaint_id NOT IN (SELECT complaint_id FROM sample_items
                                               WHERE sample_id IS NOT DISTINCT FROM $2)
                 ORDER BY 3 DESC, 4, 1",
                &[&divisions, &sample],
            )
            .map_err(|e| self.pg(e))?;
        let mut rows = Vec::new();
        for l in listed {
            let in_sample: bool = l.get(2);
            let Some(row) = self.row(l.get(0), l.get(1), now)? else {
                continue;
            };
            let in_play = matches!(
                row.status,
                Status::PushedBack { .. }
                    | Status::Answered { .. }
                    | Status::SignedTextChanged { .. }
            );
            if in_sample || in_play {
                rows.push(row);
            }
        }
        Ok(rows)
    }

    /// The newest complaints whose words (or whose messages' words) hold every word typed, in
    /// the divisions given.
    pub fn search(
        &mut self,
        query: &str,
        scope: Option<&[String]>,
        limit: usize,
    ) -> Result<Vec<Hit>, PgError> {
        let words: Vec<String> = query
            .split_whitespace()
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_alphanumeric())
                    .collect::<String>()
            })
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let typed = words.join(" ");
        let limit = i32::try_from(limit).unwrap_or(i32::MAX);
        let rows = self
            .client
            .query(
                "WITH q AS (SELECT plainto_tsquery('simple', $1) AS q),
                      hit AS (SELECT signoff_search_newest(q.q, $3::int, $2::text[]) AS id FROM q)
                 SELECT c.id, c.external_id, c.division, c.received_at,
                        ts_headline('simple',
                            coalesce(c.subject, '') || ' ' || c.complaint_text || ' '
                            || coalesce(c.response_text, ''),
                            q.q, 'StartSel=[, StopSel=], MaxWords=12, MinWords=4, MaxFragments=1, FragmentDelimiter=…')
                 FROM complaints c JOIN hit USING (id), q
                 ORDER BY c.id DESC",
                &[&typed, &scope, &limit],
            )
            .map_err(|e| self.pg(e))?;
        Ok(rows
            .iter()
            .map(|r| Hit {
                complaint_id: r.get(0),
                external_id: r.get(1),
                division: r.get(2),
                received_at: r.get(3),
                snippet: one_line(r.get::<_, &str>(4), 200),
            })
            .collect())
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
    fn others(
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

    /// The customer's complaints other than `except`, the newest first, as search hits.
    pub fn customer_hits(
        &mut self,
        key: &str,
        except: i64,
        scope: Option<&[String]>,
        limit: usize,
    ) -> Result<Vec<Hit>, PgError> {
        Ok(self
            .others(key, except, scope, limit as i64)?
            .into_iter()
            .map(|(o, about)| Hit {
                complaint_id: o.id,
                snippet: one_line(&format!("{} · {about}", o.source), 200),
                external_id: o.external_id,
                division: o.division,
                received_at: o.received_at,
            })
            .collect())
    }

    /// Likelihood-to-recommend scores of complaints received in [start, end), per day and
    /// division.
    pub fn score_days(
        &mut self,
        divisions: Option<&[String]>,
        start: i64,
        end: i64,
    ) -> Result<Vec<ScoreDay>, PgError> {
        let rows = self
            .client
            .query(
                "SELECT div(received_at, 86400)::bigint, division, likelihood::int, count(*)
                 FROM complaints
                 WHERE received_at >= $1 AND received_at < $2 AND likelihood IS NOT NULL
                   AND ($3::text[] IS NULL OR division = ANY($3))
                 GROUP BY 1, 2, 3 ORDER BY 1, 2",
                &[&start, &end, &divisions],
            )
            .map_err(|e| self.pg(e))?;
        Ok(ScoreDay::gather(rows.iter().map(|r| {
            (
                r.get::<_, i64>(0),
                r.get::<_, String>(1),
                i64::from(r.get::<_, i32>(2)),
                r.get::<_, i64>(3),
            )
        })))
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
