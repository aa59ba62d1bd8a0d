//! How many complaints gave each likelihood-to-recommend score, per day and division: the
//! counts the recommend-rate trend (`domain::recommend`) is computed from.

use rusqlite::{params, Connection};

use super::flag_reads::scope_param;
use crate::domain::recommend::ScoreDay;

/// The scores of complaints received in [start, end), in the divisions given (None: all).
/// Read from the index on (received_at, division, likelihood), never from the rows.
pub fn score_days(
    conn: &Connection,
    divisions: Option<&[String]>,
    start: i64,
    end: i64,
) -> rusqlite::Result<Vec<ScoreDay>> {
    let mut st = conn.prepare_cached(
        "SELECT received_at / 86400, division, likelihood, count(*)
         FROM complaints INDEXED BY complaints_received_division
         WHERE received_at >= ?1 AND received_at < ?2 AND likelihood IS NOT NULL
           AND (?3 IS NULL OR division IN (SELECT value FROM json_each(?3)))
         GROUP BY 1, 2, 3 ORDER BY 1, 2",
    )?;
    let rows = st.query_map(params![start, end, scope_param(divisions)], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    Ok(ScoreDay::gather(
        rows.collect::<rusqlite::Result<Vec<_>>>()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_score_per_day_and_division() {
        let conn = Connection::open_in_memory().expect("open");
        conn.execute_batch(
            "CREATE TABLE complaints (id INTEGER PRIMARY KEY, received_at INTEGER, division TEXT,
                 likelihood INTEGER, wants_contact INTEGER);
             CREATE INDEX complaints_received_division
                 ON complaints(received_at, division, likelihood, wants_contact);
             INSERT INTO complaints (received_at, division, likelihood) VALUES
                 (86400, 'Billing', 10), (86500, 'Billing', 10), (90000, 'Billing', 3),
                 (90000, 'Support', 7), (90000, 'Support', NULL), (172800, 'Billing', 0),
                 (999999, 'Billing', 9);",
        )
        .expect("schema");
        let days = score_days(&conn, None, 86_400, 3 * 86_400).expect("days");
        assert_eq!(days.len(), 3);
        assert_eq!((days[0].day, days[0].division.as_str()), (1, "Billing"));
        assert_eq!((days[0].scores[10], days[0].scores[3]), (2, 1));
        assert_eq!(days[1].scores[7], 1);
        assert_eq!((days[2].day, days[2].scores[0]), (2, 1));
        let billing = score_days(&conn, Some(&["Billing".to_string()]), 0, 1 << 40).expect("b");
        assert!(billing.iter().all(|d| d.division == "Billing"));
        assert_eq!(billing.iter().map(|d| d.scores[9]).sum::<u64>(), 1);
    }
}
