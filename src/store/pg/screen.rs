//! What the review screen lists from the PostgreSQL store: queue lines with their status as
//! the roll-up counts it, a division head's list, search hits, a customer's other complaints as
//! hits, and the recommend scores of the dashboard.

use postgres::GenericClient;

use crate::domain::decision::Status;
use crate::domain::recommend::ScoreDay;
use crate::domain::rollup::Item;
use crate::domain::text::one_line;
use crate::store::screen::{Hit, Row};

use super::complaint_reads::likelihood;
use super::{PgError, PgStore};

impl PgStore {
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
        score_days(&mut self.client, divisions, start, end).map_err(|e| self.pg(e))
    }
}

/// The recommend scores of complaints received in [start, end), per day and division, in the
/// divisions given (None: all the connection may see).
pub(super) fn score_days(
    c: &mut impl GenericClient,
    divisions: Option<&[String]>,
    start: i64,
    end: i64,
) -> Result<Vec<ScoreDay>, postgres::Error> {
    let rows = c.query(
        "SELECT div(received_at, 86400)::bigint, division, likelihood::int, count(*)
         FROM complaints
         WHERE received_at >= $1 AND received_at < $2 AND likelihood IS NOT NULL
           AND ($3::text[] IS NULL OR division = ANY($3))
         GROUP BY 1, 2, 3 ORDER BY 1, 2",
        &[&start, &end, &divisions],
    )?;
    Ok(ScoreDay::gather(rows.iter().map(|r| {
        (
            r.get::<_, i64>(0),
            r.get::<_, String>(1),
            i64::from(r.get::<_, i32>(2)),
            r.get::<_, i64>(3),
        )
    })))
}
