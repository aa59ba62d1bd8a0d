//! Keeping the checks on PostgreSQL as of now: a load that wrote complaints refreshes them
//! whole (`checks`); otherwise, and before the flags are read, the complaints whose deadline
//! has passed (a complaint turns late, a contact request goes unanswered, with nothing else
//! changing: `domain::deadlines`) are judged again, each one's old share of the daily tallies
//! taken out and its new one put in (`check_seen`), as SQLite's updates do. Their replies,
//! customer and date are as they were, so their canned groups and repeats stand.

use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{GenericClient, Transaction};

use super::checks::{raw, refresh_in, tally_cells, threads, CHECKS_LOCK, COLUMNS};
use super::{PgError, PgStore};
use crate::store::check_seen::Seen;
use crate::store::flag_judge::{owned_of, Judge};
use crate::store::flags::{CheckSettings, Tally};

/// The flags a deadline raises or clears, as opposed to those of the replies and customers.
const TIMED: &str = "('contact-ignored', 'escalation-refused', 'late', 'unanswered-writing')";

impl PgStore {
    /// Raises the flags that time alone raised since the checks were last brought up to date,
    /// unless another refresh holds them or the login does not see every division (a division
    /// head may not write what other divisions add up to). Returns whether it caught up.
    pub fn catch_up_checks_if_free(&mut self, now: i64) -> Result<bool, PgError> {
        let url = self.url.clone();
        let err = |e: postgres::Error| PgError {
            url: url.clone(),
            message: super::describe(&e),
        };
        let mut tx = self.client.transaction().map_err(err)?;
        let sees_all: bool = tx
            .query_one("SELECT signoff_sees_all()", &[])
            .map_err(err)?
            .get(0);
        let free: bool = tx
            .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&CHECKS_LOCK])
            .map_err(err)?
            .get(0);
        if !sees_all || !free {
            return Ok(false);
        }
        // A response revised since the last refresh may have joined or left a canned group,
        // which only a whole pass settles; the revisions are few, and so are these passes.
        let revised = tx
            .query_one(
                "SELECT s.settings, s.history_seen < (SELECT coalesce(max(id), 0)
                                                      FROM complaint_history)
                 FROM check_state s WHERE s.id = 1",
                &[],
            )
            .map(|r| (r.get::<_, String>(0), r.get::<_, bool>(1)));
        let done = match revised {
            Ok((settings, true)) => match serde_json::from_str::<CheckSettings>(&settings) {
                Ok(s) => {
                    let by: String = tx
                        .query_one("SELECT session_user::text", &[])
                        .map_err(err)?
                        .get(0);
                    refresh_in(&mut tx, &s, &by, now).map_err(err)?;
                    true
                }
                Err(_) => catch_up_in(&mut tx, now).map_err(err)?,
            },
            _ => catch_up_in(&mut tx, now).map_err(err)?,
        };
        tx.commit().map_err(err)?;
        Ok(done)
    }

    /// The settings the stored flags were judged with, if a refresh ran.
    pub fn checks_judged_with(&mut self) -> Result<Option<CheckSettings>, PgError> {
        judged_with(&mut self.client).map_err(|e| self.err(e))
    }

    /// When the stored flags were last brought up to date.
    pub fn checks_as_of(&mut self) -> Result<Option<i64>, PgError> {
        let row = self
            .client
            .query_opt("SELECT as_of FROM check_state WHERE id = 1", &[])
            .map_err(|e| self.err(e))?;
        Ok(row.map(|r| r.get(0)))
    }
}

/// After a load: a refresh when it wrote complaints or the stored flags were judged with other
/// settings (or never); else the deadlines that passed.
pub(super) fn after_load(
    tx: &mut Transaction,
    s: &CheckSettings,
    by: &str,
    now: i64,
    wrote: bool,
) -> Result<(), postgres::Error> {
    if wrote || judged_with(tx)?.as_ref() != Some(s) {
        refresh_in(tx, s, by, now)?;
    } else {
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHECKS_LOCK])?;
        catch_up_in(tx, now)?;
    }
    Ok(())
}

pub(super) fn judged_with<C: GenericClient>(
    c: &mut C,
) -> Result<Option<CheckSettings>, postgres::Error> {
    let row = c.query_opt("SELECT settings FROM check_state WHERE id = 1", &[])?;
    Ok(row.and_then(|r| serde_json::from_str(r.get::<_, &str>(0)).ok()))
}

/// Re-judges the complaints whose deadline has passed by `now`, with the settings the stored
/// flags were judged with; the caller holds the checks' lock. False when never refreshed.
fn catch_up_in(tx: &mut Transaction, now: i64) -> Result<bool, postgres::Error> {
    let Some(s) = judged_with(tx)? else {
        return Ok(false);
    };
    let mut old: HashMap<i64, (Seen, String)> = HashMap::new();
    for r in tx.query(
        "SELECT complaint_id, received_at, division, customer_no, counts, rt_seconds, due_at
         FROM check_seen WHERE due_at IS NOT NULL AND due_at <= $1",
        &[&now],
    )? {
        let seen = Seen {
            received_at: r.get(1),
            customer_no: r.get(3),
            counts: r.get::<_, i64>(4) as u32,
            rt_seconds: r.get(5),
            due_at: r.get(6),
        };
        old.insert(r.get(0), (seen, r.get(2)));
    }
    let mut ids: Vec<i64> = old.keys().copied().collect();
    ids.sort_unstable();
    if !ids.is_empty() {
        rejudge(tx, &s, &ids, &old, now)?;
    }
    tx.execute(
        "UPDATE check_state SET as_of = GREATEST(as_of, $1) WHERE id = 1",
        &[&now],
    )?;
    Ok(true)
}

/// Judges `ids` again and replaces their timed flags, verdicts and shares of the tallies.
fn rejudge(
    tx: &mut Transaction,
    s: &CheckSettings,
    ids: &[i64],
    old: &HashMap<i64, (Seen, String)>,
    now: i64,
) -> Result<(), postgres::Error> {
    let first: HashMap<i64, i64> = tx
        .query(
            "SELECT complaint_id, min(happened_at) FROM car_events
             WHERE step = 'contact' AND complaint_id = ANY($1) GROUP BY 1",
            &[&ids],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let rows = tx.query(
        &format!("SELECT {COLUMNS} FROM complaints WHERE id = ANY($1) ORDER BY id"),
        &[&ids],
    )?;
    let threaded: Vec<i64> = rows
        .iter()
        .filter(|r| r.get::<_, bool>(13))
        .map(|r| r.get(0))
        .collect();
    let mut threads = threads(tx, &threaded)?;
    tx.execute(
        &format!("DELETE FROM complaint_flags WHERE complaint_id = ANY($1) AND flag IN {TIMED}"),
        &[&ids],
    )?;
    let insert = tx.prepare(
        "INSERT INTO complaint_flags (flag, complaint_id, received_at, division, value, note,
             since) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )?;
    let update = tx.prepare(
        "UPDATE check_seen SET counts = $2, rt_seconds = $3, due_at = $4 WHERE complaint_id = $1",
    )?;
    let mut judge = Judge::new(s, now);
    let mut deltas: HashMap<(i64, String), Tally> = HashMap::new();
    for r in &rows {
        let raw = raw(r);
        let Some((before, division)) = old.get(&raw.id) else {
            continue;
        };
        let thread = threads.remove(&raw.id).map(Box::new);
        let o = owned_of(&raw, s, 0, first.get(&raw.id).copied(), thread);
        let j = judge.judge(&o);
        for f in &j.flags {
            tx.execute(
                &insert,
                &[
                    &f.flag.name(),
                    &o.id,
                    &o.facts.received_at,
                    division,
                    &f.value,
                    &f.note,
                    &f.since,
                ],
            )?;
        }
        // Its day, division and replies are as they were: it stays as canned as it was.
        let mut seen = Seen::new(before.received_at, before.customer_no, &j.counts, j.due_at);
        seen.set_canned(before.canned());
        let d = deltas.entry((before.day(), division.clone())).or_default();
        d.add(&before.tally(-1));
        d.add(&seen.tally(1));
        tx.execute(
            &update,
            &[
                &o.id,
                &i64::from(seen.counts),
                &seen.rt_seconds,
                &seen.due_at,
            ],
        )?;
    }
    let apply = tx.prepare(
        "UPDATE check_daily SET complaints = complaints + $3, responded = responded + $4,
             canned = canned + $5, contact_ignored = contact_ignored + $6,
             escalation_refused = escalation_refused + $7, late = late + $8,
             wants_contact = wants_contact + $9, detractors = detractors + $10,
             rt_0 = rt_0 + $11, rt_1 = rt_1 + $12, rt_2 = rt_2 + $13, rt_3 = rt_3 + $14,
             rt_4 = rt_4 + $15, rt_5 = rt_5 + $16, rt_unknown = rt_unknown + $17,
             rt_seconds = rt_seconds + $18
         WHERE day = $1 AND division = $2",
    )?;
    for ((day, division), t) in &deltas {
        let key: [&(dyn ToSql + Sync); 2] = [day, division];
        tx.execute(&apply, &[&key[..], &tally_cells(t)[..]].concat())?;
    }
    Ok(())
}
