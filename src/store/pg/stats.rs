//! Counts for `signoff stats` on the PostgreSQL store, as the SQLite store counts them, over
//! the complaints this login may read (and the divisions asked for).

use postgres::types::ToSql;

use crate::store::stats::{Count, ImportRow, Stats};

use super::{PgError, PgStore};

impl PgStore {
    fn counts(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Count>, PgError> {
        let rows = self.client.query(sql, params).map_err(|e| self.err(e))?;
        Ok(rows
            .iter()
            .map(|r| Count {
                key: r.get(0),
                complaints: r.get(1),
            })
            .collect())
    }

    pub fn stats(&mut self, divisions: Option<&[String]>) -> Result<Stats, PgError> {
        const SCOPE: &str = "WHERE ($1::text[] IS NULL OR division = ANY($1))";
        let total = self
            .client
            .query_one(
                &format!(
                    "SELECT count(*), count(response_text),
                         COALESCE(SUM(COALESCE(message_count,
                                               1 + (response_text IS NOT NULL)::int)), 0)::bigint
                     FROM complaints {SCOPE}"
                ),
                &[&divisions],
            )
            .map_err(|e| self.err(e))?;
        let by_source = self.counts(
            &format!(
                "SELECT source, count(*) FROM complaints {SCOPE} GROUP BY source ORDER BY 2 DESC, 1"
            ),
            &[&divisions],
        )?;
        let by_division = self.counts(
            &format!(
                "SELECT division, count(*) FROM complaints {SCOPE}
                 GROUP BY division ORDER BY 2 DESC, 1"
            ),
            &[&divisions],
        )?;
        let by_month = self.counts(
            &format!(
                "SELECT to_char(to_timestamp(received_at) AT TIME ZONE 'UTC', 'YYYY-MM'), count(*)
                 FROM complaints {SCOPE} GROUP BY 1 ORDER BY 1"
            ),
            &[&divisions],
        )?;
        // A division head's figures leave the imports out, as on SQLite.
        let imports = match divisions {
            Some(_) => Vec::new(),
            None => self
                .client
                .query(
                    "SELECT id, source, profile, file_name, imported_by, started_at, finished_at,
                         rows_read, inserted, updated, unchanged, rejected, rejects_file, degraded
                     FROM imports ORDER BY id",
                    &[],
                )
                .map_err(|e| self.err(e))?
                .iter()
                .map(|r| ImportRow {
                    id: r.get(0),
                    source: r.get(1),
                    profile: r.get(2),
                    file: r.get(3),
                    imported_by: r.get(4),
                    started_at: r.get(5),
                    finished_at: r.get(6),
                    read: r.get(7),
                    inserted: r.get(8),
                    updated: r.get(9),
                    unchanged: r.get(10),
                    rejected: r.get(11),
                    rejects_file: r.get(12),
                    degraded: r.get(13),
                })
                .collect(),
        };
        Ok(Stats {
            complaints: total.get(0),
            messages: total.get(2),
            with_response: total.get(1),
            by_source,
            by_division,
            by_month,
            imports,
        })
    }
}
