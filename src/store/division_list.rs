//! The complaints a division head's list starts from: the items of a sample in their
//! divisions, and every complaint of theirs that has a decision (the caller keeps those still in
//! play: pushed back, answered, or signed before its text changed).

use rusqlite::{params, Connection};

/// One complaint of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub complaint_id: i64,
    /// Why the sample holds it; empty outside the sample.
    pub reason: String,
    /// Whether it is an item of the sample asked for.
    pub in_sample: bool,
}

pub fn listed(
    conn: &Connection,
    divisions: &[String],
    sample: Option<i64>,
) -> rusqlite::Result<Vec<Listed>> {
    let json = serde_json::to_string(divisions).unwrap_or_else(|_| "[]".into());
    let mut st = conn.prepare_cached(
        "SELECT si.complaint_id, si.reason, 1 FROM sample_items si
           JOIN complaints c ON c.id = si.complaint_id
          WHERE si.sample_id = ?2 AND c.division IN (SELECT value FROM json_each(?1))
         UNION
         SELECT DISTINCT d.complaint_id, '', 0 FROM decisions d
           JOIN complaints c ON c.id = d.complaint_id
          WHERE c.division IN (SELECT value FROM json_each(?1))
            AND d.complaint_id NOT IN
                (SELECT complaint_id FROM sample_items WHERE sample_id IS ?2)",
    )?;
    let rows = st.query_map(params![json, sample], |r| {
        Ok(Listed {
            complaint_id: r.get(0)?,
            reason: r.get(1)?,
            in_sample: r.get(2)?,
        })
    })?;
    rows.collect()
}
