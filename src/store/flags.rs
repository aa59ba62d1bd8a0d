//! Rebuilding the failure-mode flags: one pass over the complaints computes every flag, the
//! canned-reply groups and the daily tallies; one write replaces what the last run left.

use std::collections::HashMap;
use std::time::Instant;

use rusqlite::{params, CachedStatement, Connection, Transaction, TransactionBehavior};
use serde::Serialize;

use super::customers::{self, Repeat};
use super::flag_scan::{scan, Pass};
use super::thread_scan;
use crate::domain::canned::{self, Normaliser};
use crate::domain::flags::Flag;

/// The checks' settings, from the configuration.
#[derive(Debug, Clone, Serialize)]
pub struct CheckSettings {
    pub canned: canned::Settings,
    /// Sources whose response is a status line, not a reply: not judged canned or refusing.
    pub status_sources: Vec<String>,
    pub late_secs: i64,
    pub contact_secs: i64,
    pub asked: Vec<String>,
    pub offered: Vec<String>,
    pub detractor_max: u8,
    /// The repeat check's window, in days.
    pub repeat_days: i64,
    /// Customer messages before the first answer that flag a thread (`thread_checks`).
    pub unanswered_writes: u32,
}

/// One day's counts for one division.
pub type Tally = crate::domain::report::DayCounts;

/// What a refresh did.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub complaints: i64,
    pub flagged: i64,
    pub canned_groups: i64,
    pub millis: i64,
}

/// The canned replies of a pass: members in complaint order, with (day, division, group) counts.
struct Canned {
    groups: i64,
    members: Vec<(i64, i64)>,
    daily: HashMap<(i64, u32, i64), i64>,
}

/// Recomputes every flag from the complaints as they are now and replaces the stored ones, in
/// the caller's transaction (an import's, so that its complaints are seen and judged with it).
pub fn refresh(
    tx: &Transaction,
    s: &CheckSettings,
    by: &str,
    now: i64,
) -> rusqlite::Result<Summary> {
    let started = Instant::now();
    let mut pass = scan(tx, s, now)?;
    let repeats = customers::repeats(tx, s.repeat_days, None)?;
    let canned = settle_canned(tx, s, &mut pass)?;
    write(tx, &pass, &canned, &repeats, started, s, by, now)
}

/// A refresh that reads without holding the write lock and takes it only to replace the
/// results, so people signing meanwhile are not kept waiting for the whole pass. A complaint
/// imported in between is judged by the next refresh (imports run one themselves).
pub fn refresh_outside_write_lock(
    conn: &mut Connection,
    s: &CheckSettings,
    by: &str,
    now: i64,
) -> rusqlite::Result<Summary> {
    let started = Instant::now();
    let mut pass = scan(conn, s, now)?;
    let repeats = customers::repeats(conn, s.repeat_days, None)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let canned = settle_canned(&tx, s, &mut pass)?;
    let summary = write(&tx, &pass, &canned, &repeats, started, s, by, now)?;
    tx.commit()?;
    Ok(summary)
}

/// Groups the replies into near-duplicate clusters; a reply is canned when its group, or its
/// cluster, went to enough customers. Stores the canned groups.
fn settle_canned(tx: &Transaction, s: &CheckSettings, p: &mut Pass) -> rusqlite::Result<Canned> {
    let sigs: Vec<_> = p.groups.iter().map(|g| g.sig).collect();
    let roots = canned::cluster(&sigs, s.canned.near_threshold);
    let mut cluster_customers = vec![0u64; p.groups.len()];
    for (g, root) in p.groups.iter().zip(&roots) {
        cluster_customers[*root as usize] += u64::from(g.customers);
    }
    let min = u64::from(s.canned.min_customers);
    // Store ids follow group order; a cluster is named by its first canned group's id.
    let mut store_id = vec![0i64; p.groups.len()];
    let mut cluster_name = vec![0i64; p.groups.len()];
    let mut next = 0;
    for (i, g) in p.groups.iter().enumerate() {
        let root = roots[i] as usize;
        if u64::from(g.customers) >= min || cluster_customers[root] >= min {
            next += 1;
            store_id[i] = next;
            if cluster_name[root] == 0 {
                cluster_name[root] = next;
            }
        }
    }
    tx.execute("DELETE FROM canned_groups", [])?;
    let normaliser = Normaliser::new(&s.canned.greetings);
    let mut example = tx.prepare_cached(
        "SELECT response_text, coalesce(customer, ''), coalesce(responder, '')
         FROM complaints WHERE id = ?1",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO canned_groups (id, cluster, customers, cluster_customers, words,
             example_complaint, normalised) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (i, g) in p
        .groups
        .iter()
        .enumerate()
        .filter(|(i, _)| store_id[*i] > 0)
    {
        // Normalised again from an example rather than kept for every group: a store of
        // distinct replies would otherwise hold them all in memory.
        let (reply, customer, responder): (String, String, String) = match g.example_seq {
            Some(seq) => thread_scan::example(tx, g.example, seq)?,
            None => example.query_row(params![g.example], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?,
        };
        let (normalised, _) = normaliser.normalise(&reply, &[&customer, &responder]);
        let root = roots[i] as usize;
        insert.execute(params![
            store_id[i],
            cluster_name[root],
            g.customers,
            cluster_customers[root] as i64,
            g.words,
            g.example,
            normalised
        ])?;
    }
    let mut c = Canned {
        groups: next,
        members: Vec::new(),
        daily: HashMap::new(),
    };
    for &(id, g, received_at, division) in &p.replies {
        let group = store_id[g as usize];
        if group > 0 {
            let day = received_at.div_euclid(86_400);
            // A thread's replies come one after another, each in a group of its own: the
            // complaint is a member of every canned one, and counts once as canned.
            if c.members.last().map(|m| m.0) != Some(id) {
                if let Some(t) = p.daily.get_mut(&(day, division)) {
                    t.canned += 1;
                }
            }
            *c.daily.entry((day, division, group)).or_default() += 1;
            c.members.push((id, group));
        }
    }
    Ok(c)
}

#[allow(clippy::too_many_arguments)]
fn write(
    tx: &Transaction,
    p: &Pass,
    c: &Canned,
    repeats: &[Repeat],
    started: Instant,
    s: &CheckSettings,
    by: &str,
    now: i64,
) -> rusqlite::Result<Summary> {
    customers::relink(tx)?;
    // Without a WHERE clause SQLite drops the pages wholesale rather than row by row.
    tx.execute_batch(
        "DELETE FROM complaint_flags; DELETE FROM canned_members;
         DELETE FROM canned_daily; DELETE FROM check_daily;",
    )?;
    let mut order: Vec<usize> = (0..p.flags.len()).collect();
    // Key order, so every row lands at the end of the table's tree (flags sort as their names).
    order.sort_unstable_by_key(|&i| (p.flags[i].flag, p.flags[i].complaint_id));
    let before_repeat = order.partition_point(|&i| p.flags[i].flag < Flag::Repeat);
    let mut ins = tx.prepare_cached(
        "INSERT INTO complaint_flags (flag, complaint_id, received_at, division, value, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let put = |ins: &mut CachedStatement, flags: &[usize]| -> rusqlite::Result<()> {
        for f in flags.iter().map(|&i| &p.flags[i]) {
            ins.execute(params![
                f.flag.name(),
                f.complaint_id,
                f.received_at,
                p.divisions[f.division as usize],
                f.value,
                f.note
            ])?;
        }
        Ok(())
    };
    put(&mut ins, &order[..before_repeat])?;
    // The repeats come in complaint order.
    for r in repeats {
        ins.execute(params![
            "repeat",
            r.complaint_id,
            r.received_at,
            r.division,
            r.ordinal,
            None::<String>
        ])?;
    }
    put(&mut ins, &order[before_repeat..])?;
    let mut ins =
        tx.prepare_cached("INSERT INTO canned_members (complaint_id, group_id) VALUES (?1, ?2)")?;
    for (id, group) in &c.members {
        ins.execute(params![id, group])?;
    }
    let mut ins = tx.prepare_cached(
        "INSERT INTO canned_daily (day, division, group_id, replies) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for ((day, division, group), n) in &c.daily {
        ins.execute(params![day, p.divisions[*division as usize], group, n])?;
    }
    let mut ins = tx.prepare_cached(
        "INSERT INTO check_daily (day, division, complaints, responded, canned, contact_ignored,
             escalation_refused, late, wants_contact, detractors, rt_0, rt_1, rt_2, rt_3, rt_4,
             rt_5, rt_unknown, rt_seconds)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?;
    for ((day, division), t) in &p.daily {
        ins.execute(params![
            day,
            p.divisions[*division as usize],
            t.complaints,
            t.responded,
            t.canned,
            t.contact_ignored,
            t.escalation_refused,
            t.late,
            t.wants_contact,
            t.detractors,
            t.rt[0],
            t.rt[1],
            t.rt[2],
            t.rt[3],
            t.rt[4],
            t.rt[5],
            t.rt_unknown,
            t.rt_seconds
        ])?;
    }
    let mut ids: Vec<i64> = p.flags.iter().map(|f| f.complaint_id).collect();
    ids.extend(c.members.iter().map(|m| m.0));
    ids.extend(repeats.iter().map(|r| r.complaint_id));
    ids.sort_unstable();
    ids.dedup();
    let flagged = ids.len() as i64;
    let millis = started.elapsed().as_millis() as i64;
    tx.execute(
        "INSERT INTO check_runs (at, run_by, complaints, flagged, canned_groups, millis, settings)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            now,
            by,
            p.complaints,
            flagged,
            c.groups,
            millis,
            serde_json::to_string(s).unwrap_or_default()
        ],
    )?;
    Ok(Summary {
        complaints: p.complaints,
        flagged,
        canned_groups: c.groups,
        millis,
    })
}
