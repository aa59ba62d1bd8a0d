//! What the checks last made of each complaint (`check_seen`): its day and division, its
//! customer, what it added to its day's tallies and the deadline of a flag time would raise. An
//! update takes a complaint's old contribution out of the tallies before putting its new one in,
//! so the tallies stay the sum over the complaints judged, whatever order they changed in.

use std::collections::HashMap;

use rusqlite::{params, Connection};

use super::flags::Tally;

const RESPONDED: u32 = 1;
const CANNED: u32 = 1 << 1;
const CONTACT_IGNORED: u32 = 1 << 2;
const ESCALATION_REFUSED: u32 = 1 << 3;
const LATE: u32 = 1 << 4;
const WANTS_CONTACT: u32 = 1 << 5;
const DETRACTOR: u32 = 1 << 6;
const RT_UNKNOWN: u32 = 1 << 7;
/// Bits 8-11: the response-time bucket plus one, 0 for none.
const RT_SHIFT: u32 = 8;

/// One complaint as the checks last saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Seen {
    pub(super) received_at: i64,
    pub(super) customer_no: Option<i64>,
    pub(super) counts: u32,
    pub(super) rt_seconds: i64,
    pub(super) due_at: Option<i64>,
}

impl Seen {
    /// `t` is one complaint's contribution (`complaints` = 1).
    pub(super) fn new(
        received_at: i64,
        customer_no: Option<i64>,
        t: &Tally,
        due: Option<i64>,
    ) -> Seen {
        let bit = |n: i64, b: u32| if n > 0 { b } else { 0 };
        let bucket = t.rt.iter().position(|&n| n > 0).map_or(0, |b| b as u32 + 1);
        Seen {
            received_at,
            customer_no,
            counts: bit(t.responded, RESPONDED)
                | bit(t.canned, CANNED)
                | bit(t.contact_ignored, CONTACT_IGNORED)
                | bit(t.escalation_refused, ESCALATION_REFUSED)
                | bit(t.late, LATE)
                | bit(t.wants_contact, WANTS_CONTACT)
                | bit(t.detractors, DETRACTOR)
                | bit(t.rt_unknown, RT_UNKNOWN)
                | bucket << RT_SHIFT,
            rt_seconds: t.rt_seconds,
            due_at: due,
        }
    }

    pub(super) fn day(&self) -> i64 {
        self.received_at.div_euclid(86_400)
    }

    pub(super) fn canned(&self) -> bool {
        self.counts & CANNED != 0
    }

    pub(super) fn set_canned(&mut self, yes: bool) {
        self.counts = (self.counts & !CANNED) | if yes { CANNED } else { 0 };
    }

    /// What the complaint adds to its day's tallies, times `sign` (1 to add, -1 to take out).
    pub(super) fn tally(&self, sign: i64) -> Tally {
        let bit = |b: u32| i64::from(self.counts & b != 0) * sign;
        let mut t = Tally {
            complaints: sign,
            responded: bit(RESPONDED),
            canned: bit(CANNED),
            contact_ignored: bit(CONTACT_IGNORED),
            escalation_refused: bit(ESCALATION_REFUSED),
            late: bit(LATE),
            wants_contact: bit(WANTS_CONTACT),
            detractors: bit(DETRACTOR),
            rt_unknown: bit(RT_UNKNOWN),
            rt_seconds: self.rt_seconds * sign,
            ..Tally::default()
        };
        if let Some(b) = (self.counts >> RT_SHIFT).checked_sub(1) {
            if let Some(n) = t.rt.get_mut(b as usize) {
                *n = sign;
            }
        }
        t
    }
}

/// The stored verdicts of some complaints (in id order), with their divisions.
pub(super) fn read(
    conn: &Connection,
    ids: &[i64],
) -> rusqlite::Result<HashMap<i64, (Seen, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT complaint_id, received_at, division, customer_no, counts, rt_seconds, due_at
         FROM check_seen WHERE complaint_id BETWEEN ?1 AND ?2",
    )?;
    let mut out = HashMap::with_capacity(ids.len());
    // Ids that follow one another are read in one stretch.
    for run in ids.chunk_by(|a, b| *b == a + 1) {
        let mut rows = st.query(params![run[0], run[run.len() - 1]])?;
        while let Some(r) = rows.next()? {
            let seen = Seen {
                received_at: r.get(1)?,
                customer_no: r.get(3)?,
                counts: r.get(4)?,
                rt_seconds: r.get(5)?,
                due_at: r.get(6)?,
            };
            out.insert(r.get(0)?, (seen, r.get(2)?));
        }
    }
    Ok(out)
}

/// Writes a complaint's verdict; `stored` when it has one already, which is replaced. A plain
/// insert or update needs no statement journal, which an insert-or-replace would write a page
/// of for every row.
pub(super) fn write(
    conn: &Connection,
    id: i64,
    s: &Seen,
    division: &str,
    stored: bool,
) -> rusqlite::Result<()> {
    let sql = match stored {
        true => {
            "UPDATE check_seen SET received_at = ?2, division = ?3, customer_no = ?4,
                 counts = ?5, rt_seconds = ?6, due_at = ?7
             WHERE complaint_id = ?1"
        }
        false => {
            "INSERT INTO check_seen
                 (complaint_id, received_at, division, customer_no, counts, rt_seconds, due_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        }
    };
    conn.prepare_cached(sql)?.execute(params![
        id,
        s.received_at,
        division,
        s.customer_no,
        s.counts,
        s.rt_seconds,
        s.due_at
    ])?;
    Ok(())
}

/// The complaints whose deadline has passed by `now`, the earliest first.
pub(super) fn due(conn: &Connection, now: i64) -> rusqlite::Result<Vec<i64>> {
    let mut st = conn.prepare_cached(
        "SELECT complaint_id FROM check_seen WHERE due_at IS NOT NULL AND due_at <= ?1
         ORDER BY due_at",
    )?;
    let rows = st.query_map(params![now], |r| r.get(0))?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_gives_back_the_counts_it_was_made_of() {
        let mut t = Tally {
            complaints: 1,
            responded: 1,
            late: 1,
            detractors: 1,
            rt_seconds: 90_000,
            ..Tally::default()
        };
        t.rt[2] = 1;
        let mut s = Seen::new(86_400 * 3 + 5, Some(7), &t, None);
        assert_eq!(s.day(), 3);
        assert_eq!(s.tally(1), t);
        let mut minus = t.clone();
        minus.complaints = -1;
        minus.responded = -1;
        minus.late = -1;
        minus.detractors = -1;
        minus.rt_seconds = -90_000;
        minus.rt[2] = -1;
        assert_eq!(s.tally(-1), minus);
        assert!(!s.canned());
        s.set_canned(true);
        assert_eq!(s.tally(1).canned, 1);
    }
}
