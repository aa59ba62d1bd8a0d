//! The canned check kept up to date for the complaints that changed: their old replies leave
//! their groups, their new ones join theirs (`reply_registry`), and a group whose count or whose
//! cluster's count crossed the threshold becomes canned, or stops being, with every complaint in
//! it. The threshold being a handful of customers, such a group has a handful of members.

use std::collections::{BTreeSet, HashMap, HashSet};

use rusqlite::{params, Connection};

use super::check_seen;
use super::flag_judge::ReplyText;
use super::flag_tally::Deltas;
use super::flag_write::is_canned;
use super::flags::CheckSettings;
use super::reply_registry::Registry;

/// One changed complaint's replies, and the day and division it counts in before and after.
pub(super) struct Change<'a> {
    pub(super) id: i64,
    pub(super) before: Option<(i64, &'a str)>,
    pub(super) after: (i64, &'a str),
    pub(super) replies: &'a [ReplyText],
}

/// What an update made of the canned groups.
pub(super) struct Placed {
    /// The changed complaints that received a canned reply.
    pub(super) canned: HashSet<i64>,
    /// Other complaints whose canned verdict may have changed (members of groups that became
    /// canned or stopped being), in id order.
    pub(super) moved: Vec<i64>,
}

/// Brings the groups up to date for `changes`.
pub(super) fn apply(
    conn: &Connection,
    s: &CheckSettings,
    changes: &[Change],
    deltas: &mut Deltas,
) -> rusqlite::Result<Placed> {
    let mut reg = Registry::new(conn, s);
    // The old replies leave (a complaint new to the checks has none).
    for c in changes.iter().filter(|c| c.before.is_some()) {
        for (seq, canned) in memberships(conn, c.id)? {
            reg.add_customers(seq, -1);
            if canned {
                let (day, division) = c.before.unwrap_or(c.after);
                deltas.canned(day, division, seq, -1);
            }
        }
        conn.prepare_cached("DELETE FROM canned_members WHERE complaint_id = ?1")?
            .execute(params![c.id])?;
        conn.prepare_cached("DELETE FROM reply_members WHERE complaint_id = ?1")?
            .execute(params![c.id])?;
    }
    // The new ones join their texts, new texts their clusters.
    let mut joining: Vec<(usize, i64)> = Vec::new();
    let mut texts: HashMap<i64, &ReplyText> = HashMap::new();
    for (i, c) in changes.iter().enumerate() {
        for t in c.replies {
            let seq = reg.seq_of(t)?;
            reg.add_customers(seq, 1);
            joining.push((i, seq));
            texts.insert(seq, t);
        }
    }
    reg.settle()?;
    // Which texts may have changed verdict: those whose count changed and, in a cluster whose
    // count crossed the threshold, every text.
    let min = i64::from(s.canned.min_customers);
    let mut roots: BTreeSet<i64> = BTreeSet::new();
    let mut crossed: BTreeSet<i64> = BTreeSet::new();
    for (&old, &before) in &reg.before {
        let root = reg.resolved(old);
        roots.insert(root);
        if (before >= min) != (reg.total(root)? >= min) {
            crossed.insert(root);
        }
    }
    let mut judged: BTreeSet<i64> = reg.changed.iter().copied().collect();
    for root in &crossed {
        let mut st = conn.prepare_cached("SELECT seq FROM reply_texts WHERE cluster = ?1")?;
        let rows = st.query_map(params![root], |r| r.get::<_, i64>(0))?;
        for seq in rows {
            judged.insert(seq?);
        }
    }
    let mut moved: Vec<(i64, i64, i64)> = Vec::new();
    let mut canned_now: HashMap<i64, bool> = HashMap::new();
    for &seq in &judged {
        let (customers, root) = (reg.customers(seq)?, reg.root(seq)?);
        let now = is_canned(s, customers, reg.total(root)?);
        let was: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM canned_groups WHERE id = ?1)")?
            .query_row(params![seq], |r| r.get(0))?;
        canned_now.insert(seq, now);
        if now != was {
            for id in switch(conn, seq, now)? {
                moved.push((id, seq, if now { 1 } else { -1 }));
            }
        }
    }
    // The members that moved count in their days as the checks last saw them.
    let mut ids: Vec<i64> = moved.iter().map(|m| m.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let seen = check_seen::read(conn, &ids)?;
    for (id, seq, n) in &moved {
        if let Some((s, division)) = seen.get(id) {
            deltas.canned(s.day(), division, *seq, *n);
        }
    }
    // The changed complaints join their groups as they now stand.
    let mut member =
        conn.prepare_cached("INSERT INTO canned_members (complaint_id, group_id) VALUES (?1, ?2)")?;
    let mut other =
        conn.prepare_cached("INSERT INTO reply_members (complaint_id, seq) VALUES (?1, ?2)")?;
    let mut canned_ids = HashSet::new();
    for (i, seq) in joining {
        let c = &changes[i];
        // Every text a reply joined had its count change, so it was judged above.
        if canned_now.get(&seq).copied().unwrap_or(false) {
            member.execute(params![c.id, seq])?;
            deltas.canned(c.after.0, c.after.1, seq, 1);
            canned_ids.insert(c.id);
        } else {
            other.execute(params![c.id, seq])?;
        }
    }
    super::canned_groups::sync(conn, s, &reg, &roots, &canned_now, &texts)?;
    let mut moved: Vec<i64> = moved.into_iter().map(|m| m.0).collect();
    moved.sort_unstable();
    moved.dedup();
    Ok(Placed {
        canned: canned_ids,
        moved,
    })
}

/// A complaint's groups, and whether each is canned.
fn memberships(conn: &Connection, id: i64) -> rusqlite::Result<Vec<(i64, bool)>> {
    let mut out = Vec::new();
    let mut st =
        conn.prepare_cached("SELECT group_id FROM canned_members WHERE complaint_id = ?1")?;
    for seq in st.query_map(params![id], |r| r.get(0))? {
        out.push((seq?, true));
    }
    let mut st = conn.prepare_cached("SELECT seq FROM reply_members WHERE complaint_id = ?1")?;
    for seq in st.query_map(params![id], |r| r.get(0))? {
        out.push((seq?, false));
    }
    Ok(out)
}

/// Moves a group's members to the canned ones (or back); returns them.
fn switch(conn: &Connection, seq: i64, canned: bool) -> rusqlite::Result<Vec<i64>> {
    let (from, to) = match canned {
        true => (
            "SELECT complaint_id FROM reply_members WHERE seq = ?1",
            "DELETE FROM reply_members WHERE seq = ?1;
             INSERT INTO canned_members (complaint_id, group_id)",
        ),
        false => (
            "SELECT complaint_id FROM canned_members WHERE group_id = ?1",
            "DELETE FROM canned_members WHERE group_id = ?1;
             INSERT INTO reply_members (complaint_id, seq)",
        ),
    };
    let ids: Vec<i64> = conn
        .prepare_cached(from)?
        .query_map(params![seq], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let (delete, insert) = to.split_once(';').unwrap_or((to, ""));
    conn.prepare_cached(delete)?.execute(params![seq])?;
    let mut ins = conn.prepare_cached(&format!("{} VALUES (?1, ?2)", insert.trim()))?;
    for id in &ids {
        ins.execute(params![id, seq])?;
    }
    Ok(ids)
}
