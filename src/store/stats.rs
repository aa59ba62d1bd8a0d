//! Counts for `signoff stats`.

use rusqlite::Connection;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Count {
    pub key: String,
    pub complaints: i64,
}

#[derive(Debug, Serialize)]
pub struct ImportRow {
    pub id: i64,
    pub source: String,
    pub profile: String,
    pub file: String,
    pub imported_by: String,
    pub started_at: i64,
    pub finished_at: i64,
    pub read: i64,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    /// Updates held back as damaged copies of the stored text.
    pub degraded: i64,
    pub rejected: i64,
    pub rejects_file: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Stats {
    /// Conversations: a complaint is one however many messages it holds.
    pub complaints: i64,
    /// Messages in them: a complaint without a stored thread counts as its row's one or two.
    pub messages: i64,
    /// Complaints with at least one company message (a thread's are joined in its response).
    pub with_response: i64,
    pub by_source: Vec<Count>,
    pub by_division: Vec<Count>,
    pub by_month: Vec<Count>,
    pub imports: Vec<ImportRow>,
}

fn counts(conn: &Connection, sql: &str) -> rusqlite::Result<Vec<Count>> {
    let mut st = conn.prepare(sql)?;
    let rows = st.query_map([], |r| {
        Ok(Count {
            key: r.get(0)?,
            complaints: r.get(1)?,
        })
    })?;
    rows.collect()
}

pub fn stats(conn: &Connection, divisions: Option<&[String]>) -> rusqlite::Result<Stats> {
    // Division heads see only their divisions: the filter lives in a temp table so the queries
    // stay parameter-free and indexed.
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS stats_scope(division TEXT PRIMARY KEY);
         DELETE FROM stats_scope;",
    )?;
    let scope = match divisions {
        Some(ds) => {
            let mut ins = conn.prepare("INSERT OR IGNORE INTO stats_scope VALUES (?1)")?;
            for d in ds {
                ins.execute([d])?;
            }
            "WHERE division IN (SELECT division FROM stats_scope)"
        }
        None => "",
    };
    // The messages as `threads::total` counts them, within the scope.
    let total: (i64, i64, i64) = conn.query_row(
        &format!(
            "SELECT count(*), count(response_text),
                 COALESCE(SUM(COALESCE(message_count, 1 + (response_text IS NOT NULL))), 0)
             FROM complaints {scope}"
        ),
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let by_source = counts(
        conn,
        &format!(
            "SELECT source, count(*) FROM complaints {scope} GROUP BY source ORDER BY 2 DESC, 1"
        ),
    )?;
    let by_division = counts(
        conn,
        &format!(
            "SELECT division, count(*) FROM complaints {scope} GROUP BY division ORDER BY 2 DESC, 1"
        ),
    )?;
    let by_month = counts(
        conn,
        &format!(
            "SELECT strftime('%Y-%m', received_at, 'unixepoch'), count(*) FROM complaints {scope}
             GROUP BY 1 ORDER BY 1"
        ),
    )?;
    let mut st = conn.prepare(
        "SELECT id, source, profile, file_name, imported_by, started_at, finished_at, rows_read,
             inserted, updated, unchanged, rejected, rejects_file, degraded
         FROM imports ORDER BY id",
    )?;
    let imports = st
        .query_map([], |r| {
            Ok(ImportRow {
                id: r.get(0)?,
                source: r.get(1)?,
                profile: r.get(2)?,
                file: r.get(3)?,
                imported_by: r.get(4)?,
                started_at: r.get(5)?,
                finished_at: r.get(6)?,
                read: r.get(7)?,
                inserted: r.get(8)?,
                updated: r.get(9)?,
                unchanged: r.get(10)?,
                rejected: r.get(11)?,
                rejects_file: r.get(12)?,
                degraded: r.get(13)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Stats {
        complaints: total.0,
        messages: total.2,
        with_response: total.1,
        by_source,
        by_division,
        by_month,
        imports: if divisions.is_some() {
            Vec::new()
        } else {
            imports
        },
    })
}

/// Recounts complaints per division; imports call it before they commit.
pub fn refresh_division_counts(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "DELETE FROM division_counts;
         INSERT INTO division_counts (division, complaints)
             SELECT division, count(*) FROM complaints GROUP BY division;",
    )
}
