//! The one pass of a flags refresh. The connection's thread reads every complaint once, in id
//! order, and hands owned rows to a worker that decides the local flags, normalises and groups
//! the replies and counts each day: reading and judging then share the two cores. A complaint
//! with a stored thread is judged on it (`thread_scan`, `domain::thread_checks`).

use std::collections::HashMap;
use std::sync::mpsc;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, Row};

use super::flags::{CheckSettings, Tally};
use super::reply_groups::Grouper;
use super::thread_scan::{self, Thread};
use crate::domain::flags::{self as rules, response_bucket, Facts, Flag, Phrases};
use crate::domain::thread;
use crate::domain::thread_checks;

pub(super) struct FlagRow {
    pub(super) flag: Flag,
    pub(super) complaint_id: i64,
    pub(super) received_at: i64,
    pub(super) division: u32,
    pub(super) value: Option<i64>,
    pub(super) note: Option<String>,
}

/// The result of one pass, before it is written.
#[derive(Default)]
pub(super) struct Pass {
    pub(super) divisions: Vec<String>,
    pub(super) flags: Vec<FlagRow>,
    /// (complaint, group, received_at, division) of every reply long enough to judge, in
    /// complaint order; a thread's company messages are a reply each (one per group).
    pub(super) replies: Vec<(i64, u32, i64, u32)>,
    pub(super) groups: Vec<super::reply_groups::Group>,
    pub(super) daily: HashMap<(i64, u32), Tally>,
    pub(super) complaints: i64,
}

/// What the worker needs of one complaint.
struct Owned {
    id: i64,
    division: u32,
    facts: Facts,
    likelihood: Option<u8>,
    /// The reply, when there is one that is a reply (not a portal's status line).
    reply: Option<Reply>,
    /// The stored thread, for the few complaints that have one.
    thread: Option<Box<Thread>>,
}

struct Reply {
    text: String,
    complaint: String,
    names: [String; 2],
}

const BATCH: usize = 2048;

fn text<'a>(r: &'a Row, i: usize) -> Option<&'a str> {
    match r.get_ref(i) {
        Ok(ValueRef::Text(b)) => std::str::from_utf8(b).ok(),
        _ => None,
    }
}

fn first_contacts(conn: &Connection) -> rusqlite::Result<HashMap<i64, i64>> {
    let mut st = conn.prepare(
        "SELECT complaint_id, min(happened_at) FROM car_events WHERE step = 'contact' GROUP BY 1",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

pub(super) fn scan(conn: &Connection, s: &CheckSettings, now: i64) -> rusqlite::Result<Pass> {
    let contacts = first_contacts(conn)?;
    let mut threads = thread_scan::Reader::new(conn)?;
    let (tx, rx) = mpsc::sync_channel::<Vec<Owned>>(4);
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || judge(rx, s, now));
        let mut divisions: Vec<String> = Vec::new();
        let mut division_ids: HashMap<String, u32> = HashMap::new();
        let read = (|| -> rusqlite::Result<()> {
            let mut st = conn.prepare(
                "SELECT id, source, division, received_at, responded_at, wants_contact,
                     likelihood, customer, responder, response_text, complaint_text,
                     outcome_response IS NOT NULL OR outcome_timely IS NOT NULL, outcome_timely,
                     message_count IS NOT NULL
                 FROM complaints ORDER BY id",
            )?;
            let mut rows = st.query([])?;
            let mut batch = Vec::with_capacity(BATCH);
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                let name = text(r, 2).unwrap_or_default();
                let division = match division_ids.get(name) {
                    Some(d) => *d,
                    None => {
                        divisions.push(name.to_string());
                        division_ids.insert(name.to_string(), divisions.len() as u32 - 1);
                        divisions.len() as u32 - 1
                    }
                };
                let response = text(r, 9).filter(|t| !t.trim().is_empty());
                let source = text(r, 1).unwrap_or_default();
                let status_line = s.status_sources.iter().any(|x| x == source);
                let thread = if r.get(13)? {
                    Some(Box::new(threads.read(id)?))
                } else {
                    None
                };
                batch.push(Owned {
                    id,
                    division,
                    facts: Facts {
                        received_at: r.get(3)?,
                        has_response: response.is_some(),
                        responded_at: r.get(4)?,
                        wants_contact: r.get::<_, Option<bool>>(5)? == Some(true),
                        first_contact: contacts.get(&id).copied(),
                        outcome: r.get(11)?,
                        timely: r.get(12)?,
                    },
                    likelihood: r.get(6)?,
                    reply: response.filter(|_| !status_line).map(|t| Reply {
                        text: t.to_string(),
                        complaint: text(r, 10).unwrap_or_default().to_string(),
                        names: [7, 8].map(|i| text(r, i).unwrap_or_default().to_string()),
                    }),
                    thread,
                });
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

/// The worker: every flag but the canned ones, the reply groups and the daily tallies.
fn judge(rx: mpsc::Receiver<Vec<Owned>>, s: &CheckSettings, now: i64) -> Pass {
    let (asked, offered) = (Phrases::new(&s.asked), Phrases::new(&s.offered));
    let mut grouper = Grouper::new(&s.canned);
    let mut p = Pass::default();
    let mut lowered = String::new();
    for o in rx.into_iter().flatten() {
        let f = &o.facts;
        p.complaints += 1;
        let t = p
            .daily
            .entry((f.received_at.div_euclid(86_400), o.division))
            .or_default();
        t.complaints += 1;
        t.wants_contact += i64::from(f.wants_contact);
        t.detractors += i64::from(o.likelihood.is_some_and(|l| l <= s.detractor_max));
        if f.has_response {
            t.responded += 1;
            match f.responded_at {
                Some(at) => {
                    let d = (at - f.received_at).max(0);
                    t.rt[response_bucket(d)] += 1;
                    t.rt_seconds += d;
                }
                None => t.rt_unknown += 1,
            }
        }
        let mut flag = |flag: Flag, value: Option<i64>, note: Option<String>| {
            p.flags.push(FlagRow {
                flag,
                complaint_id: o.id,
                received_at: f.received_at,
                division: o.division,
                value,
                note,
            });
        };
        if rules::late(f, now, s.late_secs).is_some() {
            t.late += 1;
            flag(
                Flag::Late,
                f.responded_at.map(|at| at - f.received_at),
                (f.timely == Some(false)).then(|| rules::UNTIMELY.to_string()),
            );
        }
        if let Some(th) = &o.thread {
            let shape = thread::shape(&th.messages);
            let ignored = thread_checks::contact_ignored(&shape, &th.contacts, now, s.contact_secs);
            if let Some(waited) = ignored {
                t.contact_ignored += 1;
                let note = thread_checks::LAST_MESSAGE.to_string();
                flag(Flag::ContactIgnored, Some(waited), Some(note));
            }
            if let Some(n) = thread_checks::unanswered_writing(&shape, s.unanswered_writes) {
                flag(Flag::UnansweredWriting, Some(n as i64), None);
            }
        } else if let Some(first) = rules::contact_ignored(f, now, s.contact_secs) {
            t.contact_ignored += 1;
            flag(Flag::ContactIgnored, first, None);
        }
        // A complaint not yet answered, or answered by a status line, is left to the late check.
        let Some(reply) = &o.reply else { continue };
        let complaint = rules::lower_into(&reply.complaint, &mut lowered);
        if asked.find(complaint).is_some() {
            let answer = reply.text.to_lowercase();
            if let Some(phrase) =
                rules::escalation_refused(complaint, Some(&answer), &asked, &offered)
            {
                t.escalation_refused += 1;
                flag(Flag::EscalationRefused, None, Some(phrase.to_string()));
            }
        }
        let names = [reply.names[0].as_str(), reply.names[1].as_str()];
        let at = (o.id, f.received_at, o.division);
        match &o.thread {
            Some(th) => grouper.thread(&mut p.groups, &mut p.replies, at, th, names),
            None => grouper.row(&mut p.groups, &mut p.replies, at, &reply.text, names),
        }
    }
    p
}
