//! Reading the stored flags on PostgreSQL, as `store::flag_reads` reads them on SQLite: per
//! complaint (the detail pane, `signoff flags C`), per division (`signoff flags`) and the
//! canned groups with their members. Row-level security keeps a division head to their own
//! divisions' rows; the division filters narrow further.

use postgres::GenericClient;

use super::{PgError, PgStore};
use crate::domain::canned::explain;
use crate::domain::customer;
use crate::domain::flags::{self, Flag};
use crate::store::flag_reads::{CannedGroup, DivisionCounts, Explained, Member, Run};

impl PgStore {
    /// The last refresh.
    pub fn last_check_run(&mut self) -> Result<Option<Run>, PgError> {
        last_run(&mut self.client).map_err(|e| self.err(e))
    }

    /// Flagged complaints per division, in the divisions given (None: all).
    pub fn flag_counts(
        &mut self,
        divisions: Option<&[String]>,
    ) -> Result<Vec<DivisionCounts>, PgError> {
        let rows = self
            .client
            .query(
                "SELECT d.division, sum(complaints)::bigint, sum(responded)::bigint,
                     sum(canned)::bigint, sum(contact_ignored)::bigint,
                     sum(escalation_refused)::bigint, sum(late)::bigint,
                     (SELECT count(*) FROM complaint_flags f
                      WHERE f.division = d.division AND f.flag = 'repeat'),
                     (SELECT count(*) FROM complaint_flags f
                      WHERE f.division = d.division AND f.flag = 'unanswered-writing')
                 FROM check_daily d
                 WHERE $1::text[] IS NULL OR d.division = ANY($1)
                 GROUP BY d.division ORDER BY d.division",
                &[&divisions],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows
            .iter()
            .map(|r| DivisionCounts {
                division: r.get(0),
                complaints: r.get(1),
                responded: r.get(2),
                canned: r.get(3),
                contact_ignored: r.get(4),
                escalation_refused: r.get(5),
                late: r.get(6),
                repeat: r.get(7),
                unanswered_writing: r.get(8),
            })
            .collect())
    }

    /// A complaint's flags, each with what raised it; the targets are the configured ones, in
    /// seconds.
    pub fn explained_flags(
        &mut self,
        complaint_id: i64,
        late_secs: i64,
        contact_secs: i64,
    ) -> Result<Vec<Explained>, PgError> {
        explained(&mut self.client, complaint_id, late_secs, contact_secs).map_err(|e| self.err(e))
    }

    /// The largest canned groups first, counted within the divisions given.
    pub fn canned_groups(
        &mut self,
        divisions: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<CannedGroup>, PgError> {
        let rows = self
            .client
            .query(
                "SELECT g.id, g.cluster, m.n, g.cluster_customers, g.words, g.normalised,
                     g.customers
                 FROM canned_groups g
                 JOIN (SELECT group_id, sum(replies)::bigint AS n FROM canned_daily
                       WHERE $1::text[] IS NULL OR division = ANY($1)
                       GROUP BY group_id) m ON m.group_id = g.id
                 ORDER BY g.cluster_customers DESC, m.n DESC, g.id LIMIT $2",
                &[&divisions, &limit],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows
            .iter()
            .map(|r| {
                let (all, cluster): (i64, i64) = (r.get(6), r.get(3));
                CannedGroup {
                    id: r.get(0),
                    cluster: r.get(1),
                    customers: r.get(2),
                    cluster_customers: cluster,
                    words: r.get(4),
                    normalised: r.get(5),
                    explanation: explain(all as u64, cluster as u64),
                }
            })
            .collect())
    }

    /// The complaints that received a canned group's reply, the last imported first.
    pub fn canned_group_members(
        &mut self,
        group: i64,
        divisions: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<Member>, PgError> {
        let rows = self
            .client
            .query(
                "SELECT c.id, c.external_id, c.source, c.division, c.received_at
                 FROM canned_members m JOIN complaints c ON c.id = m.complaint_id
                 WHERE m.group_id = $1 AND ($2::text[] IS NULL OR c.division = ANY($2))
                 ORDER BY m.complaint_id DESC LIMIT $3",
                &[&group, &divisions, &limit],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows
            .iter()
            .map(|r| Member {
                complaint_id: r.get(0),
                external_id: r.get(1),
                source: r.get(2),
                division: r.get(3),
                received_at: r.get(4),
            })
            .collect())
    }
}

pub(super) fn last_run<C: GenericClient>(c: &mut C) -> Result<Option<Run>, postgres::Error> {
    let row = c.query_opt(
        "SELECT at, run_by, complaints, flagged, canned_groups, millis FROM check_runs
         ORDER BY id DESC LIMIT 1",
        &[],
    )?;
    Ok(row.map(|r| Run {
        at: r.get(0),
        run_by: r.get(1),
        complaints: r.get(2),
        flagged: r.get(3),
        canned_groups: r.get(4),
        millis: r.get(5),
    }))
}

fn explained<C: GenericClient>(
    c: &mut C,
    complaint_id: i64,
    late_secs: i64,
    contact_secs: i64,
) -> Result<Vec<Explained>, postgres::Error> {
    let mut out = Vec::new();
    // A thread may have received several canned replies: each is explained by its group.
    for r in c.query(
        "SELECT g.id, g.customers, g.cluster_customers FROM canned_members m
         JOIN canned_groups g ON g.id = m.group_id WHERE m.complaint_id = $1 ORDER BY g.id",
        &[&complaint_id],
    )? {
        let (customers, cluster): (i64, i64) = (r.get(1), r.get(2));
        out.push(Explained {
            flag: Flag::Canned,
            explanation: explain(customers as u64, cluster as u64),
            group: Some(r.get(0)),
        });
    }
    // Waits still running are told as of when the flags were last brought up to date, with
    // the repeat window the last refresh judged by.
    let state = c.query_opt(
        "SELECT (SELECT as_of FROM check_state WHERE id = 1),
             (SELECT at FROM check_runs ORDER BY id DESC LIMIT 1),
             (SELECT (settings::jsonb ->> 'repeat_days')::bigint FROM check_runs
              ORDER BY id DESC LIMIT 1)",
        &[],
    )?;
    let (as_of, run_at, repeat_days): (Option<i64>, Option<i64>, Option<i64>) = match &state {
        Some(r) => (r.get(0), r.get(1), r.get(2)),
        None => (None, None, None),
    };
    let run_at = as_of.or(run_at).unwrap_or(0);
    let rows = c.query(
        "SELECT flag, value, note, received_at, since FROM complaint_flags
         WHERE complaint_id = $1 AND flag IN ('contact-ignored', 'escalation-refused', 'late',
             'repeat', 'unanswered-writing')
         ORDER BY flag",
        &[&complaint_id],
    )?;
    for r in rows {
        let (name, value, note, received_at, since): (
            String,
            Option<i64>,
            Option<String>,
            i64,
            Option<i64>,
        ) = (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        let value = since.map(|since| run_at - since).or(value);
        match (Flag::parse(&name), repeat_days) {
            (Some(Flag::Repeat), Some(days)) => out.push(Explained {
                flag: Flag::Repeat,
                explanation: explain_repeat(c, complaint_id, value.unwrap_or(2), days)?,
                group: None,
            }),
            (Some(flag), _) => out.push(Explained {
                flag,
                explanation: flags::explain(
                    flag,
                    value,
                    note.as_deref(),
                    run_at - received_at,
                    late_secs,
                    contact_secs,
                ),
                group: None,
            }),
            (None, _) => {}
        }
    }
    Ok(out)
}

/// A stored repeat in words, naming the customer's complaints in the `days` before it (those
/// the reader may see), oldest first.
fn explain_repeat<C: GenericClient>(
    c: &mut C,
    complaint_id: i64,
    ordinal: i64,
    days: i64,
) -> Result<String, postgres::Error> {
    let limit = customer::NAMED_OTHERS as i64;
    let names: Vec<String> = c
        .query(
            "SELECT o.external_id FROM complaints c
                 JOIN complaints o ON o.customer_key = c.customer_key
                     AND o.customer_no = c.customer_no
             WHERE c.id = $1 AND o.received_at >= c.received_at - $2
               AND (o.received_at < c.received_at
                    OR (o.received_at = c.received_at AND o.id < c.id))
             ORDER BY o.received_at, o.id LIMIT $3",
            &[&complaint_id, &days.saturating_mul(86_400), &limit],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let named: Vec<&str> = names.iter().map(String::as_str).collect();
    Ok(customer::explain_repeat(ordinal, days, &named))
}
