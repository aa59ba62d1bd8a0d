//! Writing a refresh's pass: every table the checks keep is replaced whole, in key order, and
//! the registry of reply texts is written back with its clusters and LSH buckets, from which
//! later updates place new replies (`canned_update`).

use std::collections::HashMap;
use std::time::Instant;

use rusqlite::{params, CachedStatement, Transaction};

use super::customers::{self, Repeat};
use super::flag_scan::Pass;
use super::flags::{CheckSettings, Summary};
use super::thread_scan;
use crate::domain::canned::{self, bucket_ends, sig_bytes, Normaliser, BANDS};
use crate::domain::flags::Flag;

/// Whether a group is canned: it reached enough customers, alone or with its cluster.
pub(super) fn is_canned(s: &CheckSettings, customers: i64, cluster_customers: i64) -> bool {
    let min = i64::from(s.canned.min_customers);
    customers > 0 && (customers >= min || cluster_customers >= min)
}

/// The groups' clusters as a refresh settles them, whichever store keeps them.
pub(super) struct Clusters {
    /// Each group's cluster, as the index of its first group.
    pub(super) roots: Vec<u32>,
    /// Per root, the customers of its cluster's groups.
    pub(super) customers: Vec<i64>,
    /// Whether each group is canned.
    pub(super) canned: Vec<bool>,
}

/// Clusters a pass's groups and says which are canned.
pub(super) fn clusters(s: &CheckSettings, p: &Pass) -> Clusters {
    let sigs: Vec<_> = p.groups.iter().map(|g| g.sig).collect();
    let roots = canned::cluster(&sigs, s.canned.near_threshold);
    let mut customers = vec![0i64; p.groups.len()];
    for (g, root) in p.groups.iter().zip(&roots) {
        customers[*root as usize] += i64::from(g.customers);
    }
    let canned = p
        .groups
        .iter()
        .zip(&roots)
        .map(|(g, &root)| is_canned(s, i64::from(g.customers), customers[root as usize]))
        .collect();
    Clusters {
        roots,
        customers,
        canned,
    }
}

/// What the canned groups add to a pass: the canned replies per day, division and group, and
/// the complaints that received one (in id order), each counted once in its day's tally and
/// marked canned in its verdict.
pub(super) fn count_canned(p: &mut Pass, canned: &[bool]) -> CannedCounts {
    let mut daily: HashMap<(i64, u32, i64), i64> = HashMap::new();
    let mut ids: Vec<i64> = Vec::new();
    for &(id, g, received_at, division) in &p.replies {
        if !canned[g as usize] {
            continue;
        }
        let day = received_at.div_euclid(86_400);
        // A thread's replies may fall in several canned groups: the complaint counts once.
        if ids.last() != Some(&id) {
            ids.push(id);
            if let Some(t) = p.daily.get_mut(&(day, division)) {
                t.canned += 1;
            }
        }
        *daily
            .entry((day, division, p.groups[g as usize].seq))
            .or_default() += 1;
    }
    let mut next_canned = ids.iter().peekable();
    for (id, _, seen) in p.seen.iter_mut() {
        if next_canned.next_if(|c| **c == *id).is_some() {
            seen.set_canned(true);
        }
    }
    CannedCounts { daily, ids }
}

pub(super) struct CannedCounts {
    pub(super) daily: HashMap<(i64, u32, i64), i64>,
    pub(super) ids: Vec<i64>,
}

/// How many complaints carry a flag of any kind.
pub(super) fn flagged(p: &Pass, canned_ids: &[i64], repeats: &[Repeat]) -> i64 {
    let mut ids: Vec<i64> = p.flags.iter().map(|f| f.complaint_id).collect();
    ids.extend(canned_ids);
    ids.extend(repeats.iter().map(|r| r.complaint_id));
    ids.sort_unstable();
    ids.dedup();
    ids.len() as i64
}

/// Stores the registry of texts and the canned groups.
fn settle_canned(
    tx: &Transaction,
    s: &CheckSettings,
    p: &Pass,
    c: &Clusters,
) -> rusqlite::Result<()> {
    let sigs: Vec<_> = p.groups.iter().map(|g| g.sig).collect();
    let (roots, cluster_customers) = (&c.roots, &c.customers);
    tx.execute_batch(
        "DELETE FROM canned_groups; DELETE FROM reply_texts; DELETE FROM reply_clusters;
         DELETE FROM reply_buckets;",
    )?;
    let normaliser = Normaliser::new(&s.canned.greetings);
    let mut example = tx.prepare_cached(
        "SELECT response_text, coalesce(customer, ''), coalesce(responder, '')
         FROM complaints WHERE id = ?1",
    )?;
    let mut group = tx.prepare_cached(
        "INSERT INTO canned_groups (id, cluster, customers, cluster_customers, words,
             example_complaint, normalised) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut text = tx.prepare_cached(
        "INSERT INTO reply_texts (seq, hash, words, sig, cluster, customers)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for ((g, &root), &yes) in p.groups.iter().zip(roots).zip(&c.canned) {
        let (root, customers) = (root as usize, i64::from(g.customers));
        let cluster = p.groups[root].seq;
        text.execute(params![
            g.seq,
            g.hash as i64,
            g.words,
            sig_bytes(&g.sig),
            cluster,
            customers
        ])?;
        let Some((first, seq)) = g.example.filter(|_| yes) else {
            continue;
        };
        // Normalised again from its example rather than kept for every group: a store of
        // distinct replies would otherwise hold them all in memory.
        let (reply, customer, responder): (String, String, String) = match seq {
            Some(seq) => thread_scan::example(tx, first, seq)?,
            None => example.query_row(params![first], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?,
        };
        let (normalised, _) = normaliser.normalise(&reply, &[&customer, &responder]);
        group.execute(params![
            g.seq,
            cluster,
            customers,
            cluster_customers[root],
            g.words,
            first,
            normalised
        ])?;
    }
    let mut put =
        tx.prepare_cached("INSERT INTO reply_clusters (root, customers) VALUES (?1, ?2)")?;
    for (i, &root) in roots.iter().enumerate() {
        if root as usize == i {
            put.execute(params![p.groups[i].seq, cluster_customers[i]])?;
        }
    }
    let mut put = tx.prepare_cached(
        "INSERT INTO reply_buckets (band, key, head, last) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for band in 0..BANDS {
        for (key, head, last) in bucket_ends(&sigs, band) {
            let seq = |i: u32| p.groups[i as usize].seq;
            put.execute(params![band as i64, key as i64, seq(head), seq(last)])?;
        }
    }
    Ok(())
}

pub(super) fn write(
    tx: &Transaction,
    p: &mut Pass,
    repeats: &[Repeat],
    started: Instant,
    s: &CheckSettings,
    by: &str,
    now: i64,
) -> rusqlite::Result<Summary> {
    let clusters = clusters(s, p);
    settle_canned(tx, s, p, &clusters)?;
    let canned = &clusters.canned;
    let counted = count_canned(p, canned);
    customers::relink(tx)?;
    // Without a WHERE clause SQLite drops the pages wholesale rather than row by row.
    tx.execute_batch(
        "DELETE FROM complaint_flags; DELETE FROM canned_members; DELETE FROM reply_members;
         DELETE FROM canned_daily; DELETE FROM check_daily; DELETE FROM check_seen;",
    )?;
    write_flags(tx, p, repeats)?;
    // The replies, in complaint order: canned ones are members of their group.
    let mut member =
        tx.prepare_cached("INSERT INTO canned_members (complaint_id, group_id) VALUES (?1, ?2)")?;
    let mut other =
        tx.prepare_cached("INSERT INTO reply_members (complaint_id, seq) VALUES (?1, ?2)")?;
    for &(id, g, _, _) in &p.replies {
        let seq = p.groups[g as usize].seq;
        match canned[g as usize] {
            true => member.execute(params![id, seq])?,
            false => other.execute(params![id, seq])?,
        };
    }
    let mut ins = tx.prepare_cached(
        "INSERT INTO canned_daily (day, division, group_id, replies) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for ((day, division, group), n) in &counted.daily {
        ins.execute(params![day, p.divisions[*division as usize], group, n])?;
    }
    let mut ins = tx.prepare_cached(super::flag_tally::INSERT_DAY)?;
    for ((day, division), t) in &p.daily {
        super::flag_tally::put_day(&mut ins, *day, &p.divisions[*division as usize], t)?;
    }
    let mut ins = tx.prepare_cached(super::check_seen::INSERT)?;
    for (id, division, seen) in &p.seen {
        super::check_seen::put(&mut ins, *id, seen, &p.divisions[*division as usize])?;
    }
    let flagged = flagged(p, &counted.ids, repeats);
    let canned_groups = canned.iter().filter(|c| **c).count() as i64;
    let millis = started.elapsed().as_millis() as i64;
    let settings = serde_json::to_string(s).unwrap_or_default();
    tx.execute(
        "INSERT INTO check_runs (at, run_by, complaints, flagged, canned_groups, millis, settings)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            now,
            by,
            p.complaints,
            flagged,
            canned_groups,
            millis,
            settings
        ],
    )?;
    tx.execute(
        "INSERT OR REPLACE INTO check_state (id, as_of, settings) VALUES (1, ?1, ?2)",
        params![now, settings],
    )?;
    Ok(Summary {
        complaints: p.complaints,
        flagged,
        canned_groups,
        millis,
    })
}

/// The local flags and the repeats, in key order, so that every row lands at the end of the
/// table's tree (flags sort as their names).
fn write_flags(tx: &Transaction, p: &Pass, repeats: &[Repeat]) -> rusqlite::Result<()> {
    let mut order: Vec<usize> = (0..p.flags.len()).collect();
    order.sort_unstable_by_key(|&i| (p.flags[i].local.flag, p.flags[i].complaint_id));
    let before_repeat = order.partition_point(|&i| p.flags[i].local.flag < Flag::Repeat);
    let mut ins = tx.prepare_cached(super::flag_tally::INSERT_FLAG)?;
    let put = |ins: &mut CachedStatement, flags: &[usize]| -> rusqlite::Result<()> {
        for f in flags.iter().map(|&i| &p.flags[i]) {
            let division = &p.divisions[f.division as usize];
            super::flag_tally::put_flag(ins, f.complaint_id, f.received_at, division, &f.local)?;
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
            None::<String>,
            None::<i64>
        ])?;
    }
    put(&mut ins, &order[before_repeat..])
}
