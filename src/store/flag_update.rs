//! The checks kept up to date for what changed, at a cost proportional to it: the complaints an
//! import wrote, an answer revised or a CAR step touched are judged again; so are those whose
//! deadline has passed (a complaint turns late, a contact request goes unanswered, with nothing
//! else changing: `domain::deadlines`), found through an index on the deadline. Each one's old
//! share of the tallies is taken out and its new one put in (`check_seen`), its replies move
//! between the canned groups (`canned_update`) and its customer's repeats are counted again over
//! the stretch it can change (`repeat_update`). What comes out is what `signoff flags --refresh`
//! would write; a test holds the two to that.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use rusqlite::{params, Connection, TransactionBehavior};

use super::canned_update::{self, Change};
use super::check_seen::{self, Seen};
use super::flag_judge::{self, has_thread, owned, Judge, Judged, Owned, COLUMNS};
use super::flag_tally::{put_flag, Deltas, INSERT_FLAG};
use super::flags::{judged_with, CheckSettings, Tally};
use super::repeat_update::{self, Moved};
use super::thread_scan;

/// Brings the stored checks up to date for `ids` and for every complaint whose deadline has
/// passed by `now`, with the settings the stored flags were judged with. A store whose flags
/// were never refreshed has none to keep up to date: false, and nothing done.
pub fn touch(conn: &Connection, ids: &[i64], now: i64) -> rusqlite::Result<bool> {
    let Some(s) = judged_with(conn)? else {
        return Ok(false);
    };
    update(conn, &s, ids, now)?;
    Ok(true)
}

/// Re-judges the complaints whose deadline has passed by `now`: what reading the flags as of
/// `now` needs. Returns false when the store was never refreshed.
pub fn catch_up(conn: &Connection, now: i64) -> rusqlite::Result<bool> {
    touch(conn, &[], now)
}

/// [`catch_up`] in a write transaction of its own, for a reader about to read the flags: it
/// does not wait for another writer (an import, which catches up itself) and then leaves the
/// flags as they are. Returns whether it caught up.
pub fn catch_up_if_free(conn: &mut Connection, now: i64) -> rusqlite::Result<bool> {
    let patience: i64 = conn.pragma_query_value(None, "busy_timeout", |r| r.get(0))?;
    conn.busy_timeout(Duration::ZERO)?;
    let result = (|| {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let done = catch_up(&tx, now)?;
        tx.commit()?;
        Ok(done)
    })();
    conn.busy_timeout(Duration::from_millis(patience.max(0) as u64))?;
    match result {
        Err(e) if super::patience::busy(&e) => Ok(false),
        other => other,
    }
}

/// [`touch`] with the settings given, which must be those the stored flags were judged with
/// (else refresh). Returns how many complaints were judged.
pub fn update(
    conn: &Connection,
    s: &CheckSettings,
    ids: &[i64],
    now: i64,
) -> rusqlite::Result<usize> {
    let mut all: Vec<i64> = ids.to_vec();
    all.extend(check_seen::due(conn, now)?);
    all.sort_unstable();
    all.dedup();
    let written: HashSet<i64> = ids.iter().copied().collect();
    // A few thousand at a time, so that memory holds no more texts than that whatever was
    // imported; one update after another ends as one would.
    let mut judged = 0;
    for chunk in all.chunks(CHUNK) {
        judged += update_some(conn, s, chunk, &written, now)?;
    }
    conn.execute(
        "UPDATE check_state SET as_of = max(as_of, ?1) WHERE id = 1",
        params![now],
    )?;
    Ok(judged)
}

const CHUNK: usize = 2048;

/// Judges `all` again; `written` are those whose text, customer or date may have changed.
fn update_some(
    conn: &Connection,
    s: &CheckSettings,
    all: &[i64],
    written: &HashSet<i64>,
    now: i64,
) -> rusqlite::Result<usize> {
    let started = std::time::Instant::now();
    let mark = |phase: &str| {
        tracing::debug!(
            phase,
            secs = started.elapsed().as_secs_f64(),
            "checks update"
        );
    };
    let old = check_seen::read(conn, all)?;
    // A complaint judged again only because its deadline passed has the replies, customer and
    // date it had: its canned groups and its customer's repeats stand.
    let settled = |id: &i64| !written.contains(id) && old.contains_key(id);
    let judged = judge(conn, s, all, now)?;
    mark("judged");
    let mut drop = conn.prepare_cached(
        "DELETE FROM complaint_flags WHERE complaint_id = ?1
           AND flag IN ('contact-ignored', 'escalation-refused', 'late', 'unanswered-writing')",
    )?;
    let mut ins = conn.prepare_cached(INSERT_FLAG)?;
    for (division, o, j) in &judged {
        // A complaint new to the checks has no flags yet.
        if old.contains_key(&o.id) {
            drop.execute(params![o.id])?;
        }
        for f in &j.flags {
            put_flag(&mut ins, o.id, o.facts.received_at, division, f)?;
        }
    }
    let mut deltas = Deltas::default();
    let changes: Vec<Change> = judged
        .iter()
        .filter(|(_, o, _)| !settled(&o.id))
        .map(|(division, o, j)| Change {
            id: o.id,
            before: old.get(&o.id).map(|(s, d)| (s.day(), d.as_str())),
            after: (o.facts.received_at.div_euclid(86_400), division.as_str()),
            replies: &j.replies,
        })
        .collect();
    mark("local flags");
    let placed = canned_update::apply(conn, s, &changes, &mut deltas)?;
    let moved = &placed.moved;
    mark("canned replies");
    // A complaint still of the same customer and date changes no one's repeats, its own
    // included.
    let moves: Vec<Moved> = judged
        .iter()
        .filter(|(_, o, _)| !settled(&o.id))
        .map(|(division, o, _)| Moved {
            id: o.id,
            before: old.get(&o.id).map(|(s, _)| (s.customer_no, s.received_at)),
            after: (o.customer_no, o.facts.received_at),
            division,
        })
        .filter(|m| m.before != Some(m.after))
        .collect();
    repeat_update::apply(conn, s.repeat_days, &moves)?;
    // One moved to another division keeps its repeat, under its new division.
    let mut moved_division = conn.prepare_cached(
        "UPDATE complaint_flags SET division = ?2 WHERE flag = 'repeat' AND complaint_id = ?1",
    )?;
    for (division, o, _) in &judged {
        if old.get(&o.id).is_some_and(|(_, d)| d != division) {
            moved_division.execute(params![o.id, division])?;
        }
    }
    mark("repeats");
    let mut canned = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM canned_members WHERE complaint_id = ?1)")?;
    let mut is_canned = |id: i64| canned.query_row(params![id], |r| r.get::<_, bool>(0));
    for (division, o, j) in &judged {
        let mut seen = Seen::new(o.facts.received_at, o.customer_no, &j.counts, j.due_at);
        let canned = match old.get(&o.id) {
            Some((before, _)) if settled(&o.id) => match moved.binary_search(&o.id) {
                Ok(_) => is_canned(o.id)?,
                Err(_) => before.canned(),
            },
            _ => placed.canned.contains(&o.id),
        };
        seen.set_canned(canned);
        if let Some((before, d)) = old.get(&o.id) {
            deltas.day(before.day(), d, &before.tally(-1));
        }
        deltas.day(seen.day(), division, &seen.tally(1));
        check_seen::write(conn, o.id, &seen, division, old.contains_key(&o.id))?;
    }
    // Members of groups that became canned, or stopped being, without changing themselves.
    let judged_ids: HashSet<i64> = judged.iter().map(|(_, o, _)| o.id).collect();
    for (id, (mut seen, division)) in check_seen::read(conn, moved)? {
        let now_canned = is_canned(id)?;
        if judged_ids.contains(&id) || now_canned == seen.canned() {
            continue;
        }
        let change = Tally {
            canned: if now_canned { 1 } else { -1 },
            ..Tally::default()
        };
        deltas.day(seen.day(), &division, &change);
        seen.set_canned(now_canned);
        check_seen::write(conn, id, &seen, &division, true)?;
    }
    deltas.apply(conn)?;
    mark("tallies");
    Ok(judged.len())
}

/// Reads and judges the complaints `ids`, with each one's division.
fn judge(
    conn: &Connection,
    s: &CheckSettings,
    ids: &[i64],
    now: i64,
) -> rusqlite::Result<Vec<(String, Owned, Judged)>> {
    let mut judge = Judge::new(s, now);
    let mut threads = thread_scan::Reader::for_some(conn)?;
    // Ids that follow one another (an import's new rows) are read in one stretch.
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM complaints WHERE id BETWEEN ?1 AND ?2 ORDER BY id"
    ))?;
    let mut contacts = conn.prepare_cached(
        "SELECT k.complaint_id, min(e.happened_at) FROM cars k
             JOIN car_events e ON e.car_id = k.id AND e.step = 'contact'
         WHERE k.complaint_id BETWEEN ?1 AND ?2 GROUP BY 1",
    )?;
    let mut out = Vec::with_capacity(ids.len());
    for run in ids.chunk_by(|a, b| *b == a + 1) {
        let (lo, hi) = (run[0], run[run.len() - 1]);
        let first: HashMap<i64, i64> = contacts
            .query_map(params![lo, hi], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut rows = st.query(params![lo, hi])?;
        // Complaints are never deleted; an id that names none has nothing to judge.
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let division = flag_judge::text(r, 2).unwrap_or_default().to_string();
            let thread = match has_thread(r)? {
                true => Some(Box::new(threads.read(id)?)),
                false => None,
            };
            let o = owned(r, s, 0, first.get(&id).copied(), thread)?;
            let j = judge.judge(&o);
            out.push((division, o, j));
        }
    }
    Ok(out)
}
