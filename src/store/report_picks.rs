//! The review pack's picks: the period's most-sent canned replies and the complaints worth
//! reading in full.

use std::collections::{HashMap, HashSet};

use rusqlite::{params, Connection};

use super::flag_reads::scope_param;
use crate::domain::flags::Flag;
use crate::domain::report::{GroupFact, Verbatim};
use crate::domain::text::one_line;
use crate::domain::verbatim::Candidate;

/// The canned replies most sent in [start, end), with how often they were sent in all.
pub fn canned_groups(
    conn: &Connection,
    divisions: Option<&[String]>,
    start: i64,
    end: i64,
    limit: i64,
) -> rusqlite::Result<Vec<GroupFact>> {
    let mut st = conn.prepare_cached(
        "SELECT g.id, m.n, g.customers, g.cluster_customers, g.normalised
         FROM (SELECT group_id, sum(replies) AS n FROM canned_daily
               WHERE day >= ?1 AND day < ?2
                 AND (?3 IS NULL OR division IN (SELECT value FROM json_each(?3)))
               GROUP BY group_id) m
         JOIN canned_groups g ON g.id = m.group_id
         ORDER BY m.n DESC, g.id LIMIT ?4",
    )?;
    let days = (start.div_euclid(86_400), end.div_euclid(86_400));
    let rows = st.query_map(
        params![days.0, days.1, scope_param(divisions), limit],
        |r| {
            Ok(GroupFact {
                id: r.get(0)?,
                customers_in_period: r.get(1)?,
                customers_all: r.get(2)?,
                cluster_customers: r.get(3)?,
                normalised: r.get(4)?,
            })
        },
    )?;
    rows.collect()
}

/// Complaints received in [start, end) with a local flag (late, contact ignored, escalation
/// refused), or pushed back in the period, with what is known against them. Canned replies and
/// overdue CARs are added by `details` and the caller, for the front runners only: a canned reply
/// alone seldom makes a complaint worth reading, and on some stores most replies are canned.
pub fn candidates(
    conn: &Connection,
    divisions: Option<&[String]>,
    start: i64,
    end: i64,
    pushed_back: &HashSet<i64>,
) -> rusqlite::Result<Vec<Candidate>> {
    let mut st = conn.prepare_cached(
        "SELECT complaint_id, flag, received_at FROM complaint_flags
         WHERE received_at >= ?1 AND received_at < ?2
           AND (?3 IS NULL OR division IN (SELECT value FROM json_each(?3)))",
    )?;
    let rows = st
        .query_map(params![start, end, scope_param(divisions)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut fact =
        conn.prepare_cached("SELECT received_at, likelihood FROM complaints WHERE id = ?1")?;
    with_pushed_back(flagged(rows), pushed_back, |id| {
        fact.query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?)))
    })
}

/// The flagged complaints as candidates: rows of (complaint, flag, received_at), in any order.
/// Each candidate's flags are put in their own order, so that what the pack says of a complaint
/// does not depend on the order a store returns its rows in.
pub(crate) fn flagged(rows: Vec<(i64, String, i64)>) -> HashMap<i64, Candidate> {
    let mut by_id: HashMap<i64, Candidate> = HashMap::new();
    for (id, flag, received_at) in rows {
        let c = by_id.entry(id).or_insert_with(|| Candidate {
            complaint_id: id,
            received_at,
            ..Default::default()
        });
        c.flags.extend(Flag::parse(&flag));
    }
    for c in by_id.values_mut() {
        c.flags.sort_unstable();
    }
    by_id
}

/// Adds the complaints pushed back to the flagged ones; `fact` gives (received_at,
/// likelihood) of one that is not flagged.
pub(crate) fn with_pushed_back<E>(
    mut by_id: HashMap<i64, Candidate>,
    pushed_back: &HashSet<i64>,
    mut fact: impl FnMut(i64) -> Result<(i64, Option<u8>), E>,
) -> Result<Vec<Candidate>, E> {
    for id in pushed_back {
        if !by_id.contains_key(id) {
            let (received_at, likelihood) = fact(*id)?;
            by_id.insert(
                *id,
                Candidate {
                    complaint_id: *id,
                    received_at,
                    likelihood,
                    ..Default::default()
                },
            );
        }
        if let Some(c) = by_id.get_mut(id) {
            c.pushed_back = true;
        }
    }
    Ok(by_id.into_values().collect())
}

/// What `details` adds to a candidate: its likelihood when not known yet, and whether its
/// reply was canned (the canned flag goes first).
pub(crate) fn add_details(c: &mut Candidate, likelihood: Option<u8>, canned: bool) {
    if c.likelihood.is_none() {
        c.likelihood = likelihood;
    }
    if canned {
        c.flags.insert(0, Flag::Canned);
    }
}

/// A chosen complaint as the pack quotes it, its texts cut to `chars`.
pub(crate) struct Quoted {
    pub external_id: String,
    pub division: String,
    pub received_at: i64,
    pub likelihood: Option<u8>,
    pub complaint: String,
    pub response: Option<String>,
}

pub(crate) fn quote(c: &Candidate, q: Quoted, chars: usize) -> Verbatim {
    Verbatim {
        complaint_id: c.complaint_id,
        external_id: q.external_id,
        division: q.division,
        received_at: q.received_at,
        likelihood: q.likelihood,
        why: c.why(),
        complaint: one_line(&q.complaint, chars),
        response: q.response.map(|t| one_line(&t, chars)),
    }
}

/// Adds the likelihood and the canned flag to the candidates.
pub fn details(conn: &Connection, cands: &mut [Candidate]) -> rusqlite::Result<()> {
    let mut likelihood = conn.prepare_cached("SELECT likelihood FROM complaints WHERE id = ?1")?;
    let mut canned = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM canned_members WHERE complaint_id = ?1)")?;
    for c in cands.iter_mut() {
        let known: Option<u8> = match c.likelihood {
            Some(l) => Some(l),
            None => likelihood.query_row(params![c.complaint_id], |r| r.get(0))?,
        };
        let is_canned = canned.query_row(params![c.complaint_id], |r| r.get::<_, bool>(0))?;
        add_details(c, known, is_canned);
    }
    Ok(())
}

/// The chosen complaints with their text, cut to `chars`.
pub fn verbatims(
    conn: &Connection,
    picked: &[Candidate],
    chars: usize,
) -> rusqlite::Result<Vec<Verbatim>> {
    let mut st = conn.prepare_cached(
        "SELECT external_id, division, received_at, likelihood, complaint_text, response_text
         FROM complaints WHERE id = ?1",
    )?;
    picked
        .iter()
        .map(|c| {
            st.query_row(params![c.complaint_id], |r| {
                let q = Quoted {
                    external_id: r.get(0)?,
                    division: r.get(1)?,
                    received_at: r.get(2)?,
                    likelihood: r.get(3)?,
                    complaint: r.get(4)?,
                    response: r.get(5)?,
                };
                Ok(quote(c, q, chars))
            })
        })
        .collect()
}
