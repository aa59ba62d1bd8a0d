//! Reading the stored flags: per complaint (for the detail pane), per division (for
//! `signoff flags`), and the canned groups with their members.

use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::domain::canned::explain;
use crate::domain::flags::{self, Flag};

/// The last refresh.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub at: i64,
    pub run_by: String,
    pub complaints: i64,
    pub flagged: i64,
    pub canned_groups: i64,
    pub millis: i64,
}

pub fn last_run(conn: &Connection) -> rusqlite::Result<Option<Run>> {
    conn.query_row(
        "SELECT at, run_by, complaints, flagged, canned_groups, millis FROM check_runs
         ORDER BY id DESC LIMIT 1",
        [],
        |r| {
            Ok(Run {
                at: r.get(0)?,
                run_by: r.get(1)?,
                complaints: r.get(2)?,
                flagged: r.get(3)?,
                canned_groups: r.get(4)?,
                millis: r.get(5)?,
            })
        },
    )
    .optional()
}

/// A division list as one bound parameter (NULL = every division), read with json_each.
pub fn scope_param(divisions: Option<&[String]>) -> Value {
    match divisions {
        Some(ds) => Value::Text(serde_json::to_string(ds).unwrap_or_else(|_| "[]".into())),
        None => Value::Null,
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DivisionCounts {
    pub division: String,
    pub complaints: i64,
    pub responded: i64,
    pub canned: i64,
    pub contact_ignored: i64,
    pub escalation_refused: i64,
    pub late: i64,
    pub repeat: i64,
    pub unanswered_writing: i64,
}

/// Flag counts per division, from the daily tallies.
pub fn counts(
    conn: &Connection,
    divisions: Option<&[String]>,
) -> rusqlite::Result<Vec<DivisionCounts>> {
    let mut st = conn.prepare_cached(
        "SELECT division, sum(complaints), sum(responded), sum(canned), sum(contact_ignored),
             sum(escalation_refused), sum(late)
         FROM check_daily
         WHERE ?1 IS NULL OR division IN (SELECT value FROM json_each(?1))
         GROUP BY division ORDER BY division",
    )?;
    let rows = st.query_map(params![scope_param(divisions)], |r| {
        Ok(DivisionCounts {
            division: r.get(0)?,
            complaints: r.get(1)?,
            responded: r.get(2)?,
            canned: r.get(3)?,
            contact_ignored: r.get(4)?,
            escalation_refused: r.get(5)?,
            late: r.get(6)?,
            repeat: 0,
            unanswered_writing: 0,
        })
    })?;
    let mut out: Vec<DivisionCounts> = rows.collect::<rusqlite::Result<_>>()?;
    // Repeats and unanswered writing are counted off the flags themselves: the daily tallies
    // predate them.
    let mut st = conn.prepare_cached(
        "SELECT division, flag, count(*) FROM complaint_flags
         WHERE flag IN ('repeat', 'unanswered-writing')
           AND (?1 IS NULL OR division IN (SELECT value FROM json_each(?1)))
         GROUP BY division, flag",
    )?;
    let rows = st.query_map(params![scope_param(divisions)], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (division, flag, n) = row?;
        if let Some(d) = out.iter_mut().find(|d| d.division == division) {
            match Flag::parse(&flag) {
                Some(Flag::Repeat) => d.repeat = n,
                _ => d.unanswered_writing = n,
            }
        }
    }
    Ok(out)
}

/// One flag of one complaint, explained.
#[derive(Debug, Clone, Serialize)]
pub struct Explained {
    pub flag: Flag,
    pub explanation: String,
    /// The canned group, for `signoff flags --group`.
    pub group: Option<i64>,
}

/// A complaint's flags in words; the targets are the configured ones (`checks.late_hours`,
/// `checks.contact_hours`), in seconds.
pub fn for_complaint(
    conn: &Connection,
    complaint_id: i64,
    late_secs: i64,
    contact_secs: i64,
) -> rusqlite::Result<Vec<Explained>> {
    let mut out = Vec::new();
    // A thread may have received several canned replies: each is explained by its group.
    let mut st = conn.prepare_cached(
        "SELECT g.id, g.customers, g.cluster_customers FROM canned_members m
         JOIN canned_groups g ON g.id = m.group_id WHERE m.complaint_id = ?1 ORDER BY g.id",
    )?;
    let rows = st.query_map(params![complaint_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (id, customers, cluster) = row?;
        out.push(Explained {
            flag: Flag::Canned,
            explanation: explain(customers as u64, cluster as u64),
            group: Some(id),
        });
    }
    // Waits still running are told as of when the flags were last brought up to date.
    let run_at = match super::flags::as_of(conn)? {
        Some(at) => at,
        None => last_run(conn)?.map_or(0, |r| r.at),
    };
    // The repeat window the last refresh judged by.
    let repeat_days: Option<i64> = conn
        .query_row(
            "SELECT json_extract(settings, '$.repeat_days') FROM check_runs
             ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    // The flag leads the key: one seek per flag.
    let mut st = conn.prepare_cached(
        "SELECT flag, value, note, received_at, since FROM complaint_flags
         WHERE flag IN ('contact-ignored', 'escalation-refused', 'late', 'repeat',
                        'unanswered-writing')
           AND complaint_id = ?1
         ORDER BY flag",
    )?;
    let rows = st.query_map(params![complaint_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<i64>>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, Option<i64>>(4)?,
        ))
    })?;
    for row in rows {
        let (name, value, note, received_at, since) = row?;
        let value = since.map(|since| run_at - since).or(value);
        if let (Some(Flag::Repeat), Some(days)) = (Flag::parse(&name), repeat_days) {
            out.push(Explained {
                flag: Flag::Repeat,
                explanation: super::customers::explain(
                    conn,
                    complaint_id,
                    value.unwrap_or(2),
                    days,
                )?,
                group: None,
            });
        } else if let Some(flag) = Flag::parse(&name) {
            let waited = run_at - received_at;
            out.push(Explained {
                flag,
                explanation: flags::explain(
                    flag,
                    value,
                    note.as_deref(),
                    waited,
                    late_secs,
                    contact_secs,
                ),
                group: None,
            });
        }
    }
    Ok(out)
}

/// A canned group as `signoff flags --groups` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct CannedGroup {
    pub id: i64,
    pub cluster: i64,
    /// Complaints in the group, within the reader's divisions.
    pub customers: i64,
    pub cluster_customers: i64,
    pub words: i64,
    pub normalised: String,
    pub explanation: String,
}

/// The largest canned groups first.
pub fn groups(
    conn: &Connection,
    divisions: Option<&[String]>,
    limit: i64,
) -> rusqlite::Result<Vec<CannedGroup>> {
    let mut st = conn.prepare_cached(
        "SELECT g.id, g.cluster, m.n, g.cluster_customers, g.words, g.normalised, g.customers
         FROM canned_groups g
         JOIN (SELECT group_id, sum(replies) AS n FROM canned_daily
               WHERE ?1 IS NULL OR division IN (SELECT value FROM json_each(?1))
               GROUP BY group_id) m ON m.group_id = g.id
         ORDER BY g.cluster_customers DESC, m.n DESC, g.id LIMIT ?2",
    )?;
    let rows = st.query_map(params![scope_param(divisions), limit], |r| {
        let all: i64 = r.get(6)?;
        let cluster: i64 = r.get(3)?;
        Ok(CannedGroup {
            id: r.get(0)?,
            cluster: r.get(1)?,
            customers: r.get(2)?,
            cluster_customers: cluster,
            words: r.get(4)?,
            normalised: r.get(5)?,
            explanation: explain(all as u64, cluster as u64),
        })
    })?;
    rows.collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub complaint_id: i64,
    pub external_id: String,
    pub source: String,
    pub division: String,
    pub received_at: i64,
}

/// The complaints that received a canned group's reply, the last imported first.
pub fn members(
    conn: &Connection,
    group: i64,
    divisions: Option<&[String]>,
    limit: i64,
) -> rusqlite::Result<Vec<Member>> {
    // Newest complaints first by id, which needs no sort over a group that may be most of
    // the store.
    let mut st = conn.prepare_cached(
        "SELECT c.id, c.external_id, c.source, c.division, c.received_at
         FROM canned_members m JOIN complaints c ON c.id = m.complaint_id
         WHERE m.group_id = ?1
           AND (?2 IS NULL OR c.division IN (SELECT value FROM json_each(?2)))
         ORDER BY m.complaint_id DESC LIMIT ?3",
    )?;
    let rows = st.query_map(params![group, scope_param(divisions), limit], |r| {
        Ok(Member {
            complaint_id: r.get(0)?,
            external_id: r.get(1)?,
            source: r.get(2)?,
            division: r.get(3)?,
            received_at: r.get(4)?,
        })
    })?;
    rows.collect()
}
