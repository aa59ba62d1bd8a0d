//! The one pass of a flags refresh. The connection's thread reads every complaint once, in id
//! order, and hands owned rows to a worker that judges them (`flag_judge`), groups the replies
//! and counts each day: reading and judging then share the two cores. A complaint with a stored
//! thread is judged on it (`thread_scan`, `domain::thread_checks`).

use std::collections::HashMap;
use std::sync::mpsc;

use rusqlite::Connection;

use super::check_seen::Seen;
use super::flag_judge::{self, owned, Judge, LocalFlag, Owned, COLUMNS};
use super::flags::{CheckSettings, Tally};
use super::reply_groups::{Group, Grouper, Placed};
use super::thread_scan;

pub(super) struct FlagRow {
    pub(super) complaint_id: i64,
    pub(super) received_at: i64,
    pub(super) division: u32,
    pub(super) local: LocalFlag,
}

/// The result of one pass, before it is written.
#[derive(Default)]
pub(super) struct Pass {
    pub(super) divisions: Vec<String>,
    pub(super) flags: Vec<FlagRow>,
    /// Every reply long enough to judge, in complaint order; a thread's company messages are a
    /// reply each (one per group).
    pub(super) replies: Vec<Placed>,
    pub(super) groups: Vec<Group>,
    pub(super) daily: HashMap<(i64, u32), Tally>,
    /// Each complaint's verdict, in id order, canned aside until the groups are settled.
    pub(super) seen: Vec<(i64, u32, Seen)>,
    pub(super) complaints: i64,
}

const BATCH: usize = 2048;

fn first_contacts(conn: &Connection) -> rusqlite::Result<HashMap<i64, i64>> {
    let mut st = conn.prepare(
        "SELECT complaint_id, min(happened_at) FROM car_events WHERE step = 'contact' GROUP BY 1",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// Judges every complaint; `known` are the reply texts already met, in the order first met.
pub(super) fn scan(
    conn: &Connection,
    s: &CheckSettings,
    now: i64,
    known: Vec<Group>,
) -> rusqlite::Result<Pass> {
    let contacts = first_contacts(conn)?;
    let mut threads = thread_scan::Reader::new(conn)?;
    let (tx, rx) = mpsc::sync_channel::<Vec<Owned>>(4);
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || judge(rx, s, now, known));
        let mut divisions: Vec<String> = Vec::new();
        let mut division_ids: HashMap<String, u32> = HashMap::new();
        let read = (|| -> rusqlite::Result<()> {
            let mut st = conn.prepare(&format!("SELECT {COLUMNS} FROM complaints ORDER BY id"))?;
            let mut rows = st.query([])?;
            let mut batch = Vec::with_capacity(BATCH);
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                let name = flag_judge::text(r, 2).unwrap_or_default();
                let division = match division_ids.get(name) {
                    Some(d) => *d,
                    None => {
                        divisions.push(name.to_string());
                        division_ids.insert(name.to_string(), divisions.len() as u32 - 1);
                        divisions.len() as u32 - 1
                    }
                };
                let thread = match flag_judge::has_thread(r)? {
                    true => Some(Box::new(threads.read(id)?)),
                    false => None,
                };
                batch.push(owned(r, s, division, contacts.get(&id).copied(), thread)?);
                if batch.len() == BATCH
                    && tx
                        .send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                        .is_err()
                {
                    break;
                }
            }
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
            Ok(())
        })();
        drop(tx);
        // A panic in the worker is a bug: raise it here rather than write half a pass.
        let mut pass = worker
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        read?;
        pass.divisions = divisions;
        Ok(pass)
    })
}

/// The worker: every flag but the canned and repeat ones, the reply groups and the tallies.
fn judge(rx: mpsc::Receiver<Vec<Owned>>, s: &CheckSettings, now: i64, known: Vec<Group>) -> Pass {
    let mut judge = Judge::new(s, now);
    let mut grouper = Grouper::new(known, s.canned.shingle_words);
    let mut p = Pass::default();
    for o in rx.into_iter().flatten() {
        let j = judge.judge(&o);
        let received_at = o.facts.received_at;
        p.complaints += 1;
        p.daily
            .entry((received_at.div_euclid(86_400), o.division))
            .or_default()
            .add(&j.counts);
        let seen = Seen::new(received_at, o.customer_no, &j.counts, j.due_at);
        p.seen.push((o.id, o.division, seen));
        for local in j.flags {
            p.flags.push(FlagRow {
                complaint_id: o.id,
                received_at,
                division: o.division,
                local,
            });
        }
        let at = (o.id, received_at, o.division);
        grouper.place(&mut p.replies, at, &j.replies);
    }
    p.groups = grouper.groups;
    p
}
