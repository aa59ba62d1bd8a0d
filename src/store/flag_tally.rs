//! The rows the checks keep per flag and per day, written alike by a refresh (`flag_write`) and
//! by the updates for what changed (`flag_update`), which add and take out each complaint's
//! share of the daily tallies.

use std::collections::HashMap;

use rusqlite::{params, CachedStatement, Connection};

use super::flag_judge::LocalFlag;
use super::flags::Tally;

pub(super) const INSERT_FLAG: &str =
    "INSERT INTO complaint_flags (flag, complaint_id, received_at, division, value, note, since)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

pub(super) fn put_flag(
    ins: &mut CachedStatement,
    complaint_id: i64,
    received_at: i64,
    division: &str,
    f: &LocalFlag,
) -> rusqlite::Result<()> {
    ins.execute(params![
        f.flag.name(),
        complaint_id,
        received_at,
        division,
        f.value,
        f.note,
        f.since
    ])?;
    Ok(())
}

const DAY_COLUMNS: &str = "day, division, complaints, responded, canned, contact_ignored,
    escalation_refused, late, wants_contact, detractors, rt_0, rt_1, rt_2, rt_3, rt_4, rt_5,
    rt_unknown, rt_seconds";

pub(super) const INSERT_DAY: &str =
    "INSERT INTO check_daily (day, division, complaints, responded, canned, contact_ignored,
         escalation_refused, late, wants_contact, detractors, rt_0, rt_1, rt_2, rt_3, rt_4, rt_5,
         rt_unknown, rt_seconds)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";

pub(super) fn put_day(
    ins: &mut CachedStatement,
    day: i64,
    division: &str,
    t: &Tally,
) -> rusqlite::Result<()> {
    ins.execute(params![
        day,
        division,
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
    Ok(())
}

/// Changes to the daily tallies, gathered over an update and applied at once.
#[derive(Default)]
pub(super) struct Deltas {
    days: HashMap<(i64, String), Tally>,
    canned: HashMap<(i64, String, i64), i64>,
}

impl Deltas {
    /// Adds `t` (negative counts take out) to a day and division.
    pub(super) fn day(&mut self, day: i64, division: &str, t: &Tally) {
        let key = (day, division.to_string());
        self.days.entry(key).or_default().add(t);
    }

    /// Adds `n` replies of a canned group to a day and division.
    pub(super) fn canned(&mut self, day: i64, division: &str, group: i64, n: i64) {
        *self
            .canned
            .entry((day, division.to_string(), group))
            .or_default() += n;
    }

    /// Adds the changes to the stored tallies; a day left without complaints (a group without
    /// replies) loses its row, as a refresh would write none.
    pub(super) fn apply(&self, conn: &Connection) -> rusqlite::Result<()> {
        let sums: Vec<String> = DAY_COLUMNS
            .split(',')
            .map(str::trim)
            .skip(2)
            .map(|c| format!("{c} = {c} + excluded.{c}"))
            .collect();
        let mut add = conn.prepare_cached(&format!(
            "{INSERT_DAY} ON CONFLICT (day, division) DO UPDATE SET {}",
            sums.join(", ")
        ))?;
        let mut empty = conn.prepare_cached(
            "DELETE FROM check_daily WHERE day = ?1 AND division = ?2 AND complaints = 0",
        )?;
        for ((day, division), t) in &self.days {
            if *t != Tally::default() {
                put_day(&mut add, *day, division, t)?;
                // Only a day that lost complaints can be left without any.
                if t.complaints < 0 {
                    empty.execute(params![day, division])?;
                }
            }
        }
        let mut add = conn.prepare_cached(
            "INSERT INTO canned_daily (day, division, group_id, replies) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (day, division, group_id) DO UPDATE SET replies = replies + excluded.replies",
        )?;
        let mut empty = conn.prepare_cached(
            "DELETE FROM canned_daily WHERE day = ?1 AND division = ?2 AND group_id = ?3
                 AND replies = 0",
        )?;
        for ((day, division, group), n) in &self.canned {
            if *n != 0 {
                add.execute(params![day, division, group, n])?;
                if *n < 0 {
                    empty.execute(params![day, division, group])?;
                }
            }
        }
        Ok(())
    }
}
