//! The review pack's picks on the PostgreSQL store: the period's most-sent canned replies and
//! the complaints worth reading in full, read as SQLite reads them (`store::report_picks`), a
//! list of complaints at a time rather than one by one.

use std::collections::{HashMap, HashSet};

use crate::domain::report::{GroupFact, Verbatim};
use crate::domain::verbatim::Candidate;
use crate::store::report_picks::{add_details, flagged, quote, with_pushed_back, Quoted};
use crate::store::Result;

use super::complaint_reads::likelihood;
use super::report::Reader;

/// The canned replies most sent in [start, end), with how often they were sent in all.
pub(super) fn canned_groups(
    r: &mut Reader,
    divisions: Option<&[String]>,
    start: i64,
    end: i64,
    limit: i64,
) -> Result<Vec<GroupFact>> {
    let rows = r.query(
        "SELECT g.id, m.n, g.customers, g.cluster_customers, g.normalised
         FROM (SELECT group_id, sum(replies)::bigint AS n FROM canned_daily
               WHERE day >= $1 AND day < $2
                 AND ($3::text[] IS NULL OR division = ANY($3))
               GROUP BY group_id) m
         JOIN canned_groups g ON g.id = m.group_id
         ORDER BY m.n DESC, g.id LIMIT $4",
        &[
            &start.div_euclid(86_400),
            &end.div_euclid(86_400),
            &divisions,
            &limit,
        ],
    )?;
    Ok(rows
        .iter()
        .map(|r| GroupFact {
            id: r.get(0),
            customers_in_period: r.get(1),
            customers_all: r.get(2),
            cluster_customers: r.get(3),
            normalised: r.get(4),
        })
        .collect())
}

/// Complaints received in [start, end) with a flag, or pushed back in the period
/// (`report_picks::candidates` says which flags and why).
pub(super) fn candidates(
    r: &mut Reader,
    divisions: Option<&[String]>,
    start: i64,
    end: i64,
    pushed_back: &HashSet<i64>,
) -> Result<Vec<Candidate>> {
    let rows = r
        .query(
            "SELECT complaint_id, flag, received_at FROM complaint_flags
             WHERE received_at >= $1 AND received_at < $2
               AND ($3::text[] IS NULL OR division = ANY($3))",
            &[&start, &end, &divisions],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let by_id = flagged(rows);
    let unflagged: Vec<i64> = pushed_back
        .iter()
        .filter(|id| !by_id.contains_key(id))
        .copied()
        .collect();
    let facts: HashMap<i64, (i64, Option<u8>)> = r
        .query(
            "SELECT id, received_at, likelihood FROM complaints WHERE id = ANY($1)",
            &[&unflagged],
        )?
        .iter()
        .map(|r| (r.get(0), (r.get(1), likelihood(r.get(2)))))
        .collect();
    with_pushed_back(by_id, pushed_back, |id| {
        facts.get(&id).copied().ok_or_else(|| {
            r.said(format!(
                "complaint {id} is not in the store, or not yours to see"
            ))
        })
    })
}

/// Adds the likelihood and the canned flag to the candidates.
pub(super) fn details(r: &mut Reader, cands: &mut [Candidate]) -> Result<()> {
    let ids: Vec<i64> = cands.iter().map(|c| c.complaint_id).collect();
    let known: HashMap<i64, (Option<u8>, bool)> = r
        .query(
            "SELECT c.id, c.likelihood,
                 EXISTS (SELECT 1 FROM canned_members m WHERE m.complaint_id = c.id)
             FROM complaints c WHERE c.id = ANY($1)",
            &[&ids],
        )?
        .iter()
        .map(|r| (r.get(0), (likelihood(r.get(1)), r.get(2))))
        .collect();
    for c in cands.iter_mut() {
        let (l, canned) = known.get(&c.complaint_id).copied().unwrap_or_default();
        add_details(c, l, canned);
    }
    Ok(())
}

/// The chosen complaints with their text, cut to `chars`, in the order given.
pub(super) fn verbatims(
    r: &mut Reader,
    picked: &[Candidate],
    chars: usize,
) -> Result<Vec<Verbatim>> {
    let ids: Vec<i64> = picked.iter().map(|c| c.complaint_id).collect();
    let mut rows: HashMap<i64, Quoted> = r
        .query(
            "SELECT id, external_id, division, received_at, likelihood, complaint_text,
                 response_text
             FROM complaints WHERE id = ANY($1)",
            &[&ids],
        )?
        .iter()
        .map(|r| {
            let q = Quoted {
                external_id: r.get(1),
                division: r.get(2),
                received_at: r.get(3),
                likelihood: likelihood(r.get(4)),
                complaint: r.get(5),
                response: r.get(6),
            };
            (r.get(0), q)
        })
        .collect();
    picked
        .iter()
        .map(|c| match rows.remove(&c.complaint_id) {
            Some(q) => Ok(quote(c, q, chars)),
            None => Err(r.said(format!(
                "complaint {} is not in the store, or not yours to see",
                c.complaint_id
            ))),
        })
        .collect()
}
