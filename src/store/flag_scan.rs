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
    pass(s, now, known, |feed| {
        let mut st = conn.prepare(&format!("SELECT {COLUMNS} FROM complaints ORDER BY id"))?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let division = feed.division(flag_judge::text(r, 2).unwrap_or_default());
            let thread = match flag_judge::has_thread(r)? {
                true => Some(Box::new(threads.read(id)?)),
                false => None,
            };
            if !feed.push(owned(r, s, division, contacts.get(&id).copied(), thread)?) {
                break;
            }
        }
        Ok(())
    })
}

/// What a store's reader hands the pass's worker: each complaint, in id order, with its
/// division numbered as first met.
pub(super) struct Feed {
    tx: mpsc::SyncSender<Vec<Owned>>,
    batch: Vec<Owned>,
    divisions: Vec<String>,
    division_ids: HashMap<String, u32>,
}

impl Feed {
    /// The number of a division's name.
    pub(super) fn division(&mut self, name: &str) -> u32 {
        match self.division_ids.get(name) {
            Some(d) => *d,
            None => {
                self.divisions.push(name.to_string());
                let d = self.divisions.len() as u32 - 1;
                self.division_ids.insert(name.to_string(), d);
                d
            }
        }
    }

    /// Hands over one complaint; false when the worker has stopped.
    pub(super) fn push(&mut self, o: Owned) -> bool {
        self.batch.push(o);
        if self.batch.len() < BATCH {
            return true;
        }
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.tx.send(full).is_ok()
    }
}

/// One pass: `read` hands every complaint to the feed on this thread while a worker judges
/// them, so that reading and judging share the two cores.
pub(super) fn pass<E>(
    s: &CheckSettings,
    now: i64,
    known: Vec<Group>,
    read: impl FnOnce(&mut Feed) -> Result<(), E>,
) -> Result<Pass, E> {
    let (tx, rx) = mpsc::sync_channel::<Vec<Owned>>(4);
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || judge(rx, s, now, known));
        let mut feed = Feed {
            tx,
            batch: Vec::with_capacity(BATCH),
            divisions: Vec::new(),
            division_ids: HashMap::new(),
        };
        let read = read(&mut feed);
        let Feed {
            tx,
            batch,
            divisions,
            ..
        } = feed;
        if !batch.is_empty() {
            let _ = tx.send(batch);
        }
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
