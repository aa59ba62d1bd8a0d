//! The checks (flags, canned replies, repeats, the daily tallies) on PostgreSQL: one pass over
//! the complaints judges each as SQLite's refresh does (`flag_scan`, `flag_judge`, the same
//! clustering and repeat rules), and one write replaces every table the checks keep. The store
//! keeps no registry of reply texts, so each refresh groups the replies afresh in id order, as a
//! first refresh on SQLite does. Only those who see every division refresh: a division head
//! neither reads nor writes what other divisions' complaints add up to.

use std::collections::HashMap;
use std::time::Instant;

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{ToSql, Type};
use postgres::{GenericClient, Transaction};

use super::complaint_reads::likelihood;
use super::{PgError, PgStore};
use crate::domain::canned::Normaliser;
use crate::domain::flags::Flag;
use crate::domain::thread::{Author, Message};
use crate::store::customers::{Repeat, RepeatScan};
use crate::store::flag_judge::{owned_of, Raw};
use crate::store::flag_scan::{pass, Pass};
use crate::store::flag_write::{clusters, count_canned, flagged};
use crate::store::flags::{CheckSettings, Summary, Tally};
use crate::store::thread_scan::Thread;

/// Refreshes wait for one another: two at once would each delete what the other wrote.
pub(super) const CHECKS_LOCK: i64 = 0x5349_474e_4348_4b53; // "SIGNCHKS"

/// Complaints read per statement: a stretch of ids at a time keeps memory flat on any store.
const STRETCH: i64 = 5000;

impl PgStore {
    /// Recomputes every flag from the complaints as they are now and replaces the stored ones,
    /// in one transaction of its own.
    pub fn refresh_checks(
        &mut self,
        s: &CheckSettings,
        by: &str,
        now: i64,
    ) -> Result<Summary, PgError> {
        let url = self.url.clone();
        let err = |e: postgres::Error| PgError {
            url: url.clone(),
            message: super::describe(&e),
        };
        let mut tx = self.client.transaction().map_err(err)?;
        let summary = refresh_in(&mut tx, s, by, now).map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(summary)
    }
}

/// A refresh in the caller's transaction (an import's, so that its complaints are judged with
/// it).
pub(super) fn refresh_in(
    tx: &mut Transaction,
    s: &CheckSettings,
    by: &str,
    now: i64,
) -> Result<Summary, postgres::Error> {
    let started = Instant::now();
    let mark = |phase: &str| {
        tracing::debug!(
            phase,
            secs = started.elapsed().as_secs_f64(),
            "checks refresh"
        );
    };
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CHECKS_LOCK])?;
    let mut p = scan(tx, s, now)?;
    mark("judged");
    let repeats = repeats(tx, s.repeat_days)?;
    mark("repeats");
    let clusters = clusters(s, &p);
    let counted = count_canned(&mut p, &clusters.canned);
    mark("clustered");
    tx.batch_execute(
        "DELETE FROM complaint_flags; DELETE FROM canned_members; DELETE FROM canned_daily;
         DELETE FROM check_daily; DELETE FROM check_seen; DELETE FROM canned_groups;",
    )?;
    write_flags(tx, &p, &repeats)?;
    write_groups(tx, s, &p, &clusters)?;
    mark("flags and groups written");
    let canned = &clusters.canned;
    copy(
        tx,
        "canned_members (complaint_id, group_id)",
        &[Type::INT8, Type::INT8],
        p.replies.iter().filter(|r| canned[r.1 as usize]),
        |w, &(id, g, _, _)| w.write(&[&id, &p.groups[g as usize].seq]),
    )?;
    copy(
        tx,
        "canned_daily (day, division, group_id, replies)",
        &[Type::INT8, Type::TEXT, Type::INT8, Type::INT8],
        counted.daily.iter(),
        |w, ((day, division, group), n)| {
            w.write(&[day, &p.divisions[*division as usize], group, n])
        },
    )?;
    copy(
        tx,
        "check_daily (day, division, complaints, responded, canned, contact_ignored,
             escalation_refused, late, wants_contact, detractors, rt_0, rt_1, rt_2, rt_3, rt_4,
             rt_5, rt_unknown, rt_seconds)",
        &[&[Type::INT8, Type::TEXT][..], &[Type::INT8; 16]].concat(),
        p.daily.iter(),
        |w, ((day, division), t)| {
            let key: [&(dyn ToSql + Sync); 2] = [day, &p.divisions[*division as usize]];
            w.write(&[&key[..], &tally_cells(t)[..]].concat())
        },
    )?;
    copy(
        tx,
        "check_seen (complaint_id, received_at, division, customer_no, counts, rt_seconds,
             due_at)",
        &[
            Type::INT8,
            Type::INT8,
            Type::TEXT,
            Type::INT8,
            Type::INT8,
            Type::INT8,
            Type::INT8,
        ],
        p.seen.iter(),
        |w, (id, division, seen)| {
            w.write(&[
                id,
                &seen.received_at,
                &p.divisions[*division as usize],
                &seen.customer_no,
                &i64::from(seen.counts),
                &seen.rt_seconds,
                &seen.due_at,
            ])
        },
    )?;
    mark("tallies written");
    let flagged = flagged(&p, &counted.ids, &repeats);
    let canned_groups = canned.iter().filter(|c| **c).count() as i64;
    let millis = started.elapsed().as_millis() as i64;
    let settings = serde_json::to_string(s).unwrap_or_default();
    tx.execute(
        "INSERT INTO check_runs (at, run_by, complaints, flagged, canned_groups, millis, settings)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &now,
            &by,
            &p.complaints,
            &flagged,
            &canned_groups,
            &millis,
            &settings,
        ],
    )?;
    tx.execute(
        "INSERT INTO check_state (id, as_of, settings, history_seen)
             VALUES (1, $1, $2, (SELECT coalesce(max(id), 0) FROM complaint_history))
         ON CONFLICT (id) DO UPDATE SET as_of = excluded.as_of, settings = excluded.settings,
             history_seen = excluded.history_seen",
        &[&now, &settings],
    )?;
    Ok(Summary {
        complaints: p.complaints,
        flagged,
        canned_groups,
        millis,
    })
}

/// A day's tallies as the 16 cells of `check_daily` after its key, in column order.
pub(super) fn tally_cells(t: &Tally) -> [&(dyn ToSql + Sync); 16] {
    [
        &t.complaints,
        &t.responded,
        &t.canned,
        &t.contact_ignored,
        &t.escalation_refused,
        &t.late,
        &t.wants_contact,
        &t.detractors,
        &t.rt[0],
        &t.rt[1],
        &t.rt[2],
        &t.rt[3],
        &t.rt[4],
        &t.rt[5],
        &t.rt_unknown,
        &t.rt_seconds,
    ]
}

/// The complaint columns a judgement reads, in the order [`raw`] takes them.
pub(super) const COLUMNS: &str = "id, source, division, received_at, responded_at,
    wants_contact, likelihood, customer, responder, response_text, complaint_text,
    outcome_response IS NOT NULL OR outcome_timely IS NOT NULL, outcome_timely,
    message_count IS NOT NULL, customer_no";

pub(super) fn raw(r: &postgres::Row) -> Raw<'_> {
    Raw {
        id: r.get(0),
        source: r.get(1),
        received_at: r.get(3),
        responded_at: r.get(4),
        wants_contact: r.get(5),
        likelihood: likelihood(r.get(6)),
        customer: r.get(7),
        responder: r.get(8),
        response_text: r.get(9),
        complaint_text: r.get(10),
        outcome: r.get(11),
        timely: r.get(12),
        customer_no: r.get(14),
    }
}

/// Judges every complaint, a stretch of ids at a time, while the pass's worker judges.
fn scan(tx: &mut Transaction, s: &CheckSettings, now: i64) -> Result<Pass, postgres::Error> {
    let first: HashMap<i64, i64> = tx
        .query(
            "SELECT complaint_id, min(happened_at) FROM car_events WHERE step = 'contact'
             GROUP BY 1",
            &[],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let select = tx.prepare(&format!(
        "SELECT {COLUMNS} FROM complaints WHERE id > $1 ORDER BY id LIMIT {STRETCH}"
    ))?;
    pass(s, now, Vec::new(), |feed| {
        let mut after = 0i64;
        loop {
            let rows = tx.query(&select, &[&after])?;
            let Some(last) = rows.last() else {
                return Ok(());
            };
            after = last.get(0);
            let threaded: Vec<i64> = rows
                .iter()
                .filter(|r| r.get::<_, bool>(13))
                .map(|r| r.get(0))
                .collect();
            let mut threads = threads(tx, &threaded)?;
            for r in &rows {
                let raw = raw(r);
                let division = feed.division(r.get(2));
                let thread = threads.remove(&raw.id).map(Box::new);
                let o = owned_of(&raw, s, division, first.get(&raw.id).copied(), thread);
                if !feed.push(o) {
                    return Ok(());
                }
            }
        }
    })
}

/// The stored threads of some complaints, with their CAR contacts.
pub(super) fn threads<C: GenericClient>(
    c: &mut C,
    ids: &[i64],
) -> Result<HashMap<i64, Thread>, postgres::Error> {
    let mut out: HashMap<i64, Thread> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    for r in c.query(
        "SELECT complaint_id, seq, author, name, at, text FROM messages
         WHERE complaint_id = ANY($1) ORDER BY complaint_id, seq",
        &[&ids],
    )? {
        let t = out.entry(r.get(0)).or_insert_with(|| Thread {
            messages: Vec::new(),
            seqs: Vec::new(),
            contacts: Vec::new(),
        });
        let seq: i32 = r.get(1);
        t.seqs.push(seq as u32);
        t.messages.push(Message {
            // The schema allows no other author; an unknown one answers no one.
            author: Author::parse(r.get(2)).unwrap_or(Author::Note),
            name: r.get(3),
            at: r.get(4),
            id: None,
            channel: None,
            text: r.get(5),
        });
    }
    for r in c.query(
        "SELECT complaint_id, happened_at FROM car_events
         WHERE step = 'contact' AND complaint_id = ANY($1) ORDER BY id",
        &[&ids],
    )? {
        if let Some(t) = out.get_mut(&r.get::<_, i64>(0)) {
            t.contacts.push(r.get(1));
        }
    }
    Ok(out)
}

/// Every customer's repeats, in complaint order.
fn repeats(tx: &mut Transaction, days: i64) -> Result<Vec<Repeat>, postgres::Error> {
    let mut scan = RepeatScan::new(days);
    // Streamed: every complaint with a customer passes through once.
    let mut rows = tx.query_raw(
        "SELECT customer_no, received_at, id FROM complaints
         WHERE customer_no IS NOT NULL ORDER BY customer_no, received_at, id",
        std::iter::empty::<i64>(),
    )?;
    while let Some(r) = rows.next()? {
        scan.add(r.get(0), r.get(1), r.get(2));
    }
    drop(rows);
    let found = scan.finish();
    // Divisions of the repeats only: a store of regular customers has nearly as many repeats
    // as complaints, but most stores far fewer.
    let ids: Vec<i64> = found.iter().map(|f| f.0).collect();
    let divisions: HashMap<i64, String> = tx
        .query(
            "SELECT id, division FROM complaints WHERE id = ANY($1)",
            &[&ids],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    Ok(found
        .into_iter()
        .map(|(id, received_at, ordinal)| Repeat {
            complaint_id: id,
            received_at,
            division: divisions.get(&id).cloned().unwrap_or_default(),
            ordinal,
        })
        .collect())
}

/// The local flags and the repeats.
fn write_flags(tx: &mut Transaction, p: &Pass, repeats: &[Repeat]) -> Result<(), postgres::Error> {
    let types = [
        Type::TEXT,
        Type::INT8,
        Type::INT8,
        Type::TEXT,
        Type::INT8,
        Type::TEXT,
        Type::INT8,
    ];
    let columns = "complaint_flags (flag, complaint_id, received_at, division, value, note, since)";
    copy(tx, columns, &types, p.flags.iter(), |w, f| {
        w.write(&[
            &f.local.flag.name(),
            &f.complaint_id,
            &f.received_at,
            &p.divisions[f.division as usize],
            &f.local.value,
            &f.local.note,
            &f.local.since,
        ])
    })?;
    copy(tx, columns, &types, repeats.iter(), |w, r| {
        w.write(&[
            &Flag::Repeat.name(),
            &r.complaint_id,
            &r.received_at,
            &r.division,
            &Some(r.ordinal),
            &None::<String>,
            &None::<i64>,
        ])
    })
}

/// The canned groups, each with its text normalised again from its example.
fn write_groups(
    tx: &mut Transaction,
    s: &CheckSettings,
    p: &Pass,
    c: &crate::store::flag_write::Clusters,
) -> Result<(), postgres::Error> {
    let canned: Vec<usize> = (0..p.groups.len()).filter(|&i| c.canned[i]).collect();
    let mut rows: Vec<i64> = Vec::new();
    let (mut threaded, mut seqs): (Vec<i64>, Vec<i32>) = (Vec::new(), Vec::new());
    for &i in &canned {
        match p.groups[i].example {
            Some((first, Some(seq))) => {
                threaded.push(first);
                seqs.push(seq as i32);
            }
            Some((first, None)) => rows.push(first),
            None => {}
        }
    }
    // (complaint, seq) → the reply, the customer's name and the answer's author.
    let mut examples: HashMap<(i64, Option<i32>), (String, String, String)> = HashMap::new();
    for r in tx.query(
        "SELECT id, coalesce(response_text, ''), coalesce(customer, ''), coalesce(responder, '')
         FROM complaints WHERE id = ANY($1)",
        &[&rows],
    )? {
        examples.insert((r.get(0), None), (r.get(1), r.get(2), r.get(3)));
    }
    for r in tx.query(
        "SELECT m.complaint_id, m.seq, m.text, coalesce(c.customer, ''),
             coalesce(m.name, c.responder, '')
         FROM unnest($1::bigint[], $2::int[]) AS x(complaint_id, seq)
         JOIN messages m ON m.complaint_id = x.complaint_id AND m.seq = x.seq
         JOIN complaints c ON c.id = m.complaint_id",
        &[&threaded, &seqs],
    )? {
        examples.insert((r.get(0), Some(r.get(1))), (r.get(2), r.get(3), r.get(4)));
    }
    let normaliser = Normaliser::new(&s.canned.greetings);
    let types = [Type::INT8; 6]
        .into_iter()
        .chain([Type::TEXT])
        .collect::<Vec<_>>();
    copy(
        tx,
        "canned_groups (id, cluster, customers, cluster_customers, words, example_complaint,
             normalised)",
        &types,
        canned.iter(),
        |w, &i| {
            let g = &p.groups[i];
            let root = c.roots[i] as usize;
            let (first, seq) = g.example.unwrap_or((0, None));
            let none = (String::new(), String::new(), String::new());
            let (reply, customer, responder) = examples
                .get(&(first, seq.map(|s| s as i32)))
                .unwrap_or(&none);
            let (normalised, _) = normaliser.normalise(reply, &[customer, responder]);
            w.write(&[
                &g.seq,
                &p.groups[root].seq,
                &i64::from(g.customers),
                &c.customers[root],
                &i64::from(g.words),
                &first,
                &normalised,
            ])
        },
    )
}

/// Copies rows into a table: in the binary format into a temporary table of the same columns,
/// then in one statement into the table (the server takes no `COPY` into a table under
/// row-level security).
fn copy<T>(
    tx: &mut Transaction,
    table: &str,
    types: &[Type],
    rows: impl Iterator<Item = T>,
    mut write: impl FnMut(&mut BinaryCopyInWriter, T) -> Result<(), postgres::Error>,
) -> Result<(), postgres::Error> {
    let (name, columns) = table.split_once(' ').unwrap_or((table, ""));
    tx.batch_execute(&format!(
        "CREATE TEMPORARY TABLE check_stage ON COMMIT DROP AS
             SELECT {cols} FROM {name} WITH NO DATA",
        cols = columns.trim().trim_start_matches('(').trim_end_matches(')'),
    ))?;
    {
        let sink = tx.copy_in("COPY check_stage FROM STDIN (FORMAT binary)")?;
        let mut w = BinaryCopyInWriter::new(sink, types);
        for row in rows {
            write(&mut w, row)?;
        }
        w.finish()?;
    }
    tx.batch_execute(&format!(
        "INSERT INTO {table} SELECT * FROM check_stage; DROP TABLE check_stage;"
    ))
}
