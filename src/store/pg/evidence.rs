//! The records `verify` checks on the PostgreSQL store: how a complaint's text last changed,
//! the CAR steps' chain, and the store's schema against the one its migrations make.

use crate::domain::car::CarEvent;

use super::{PgError, PgStore};

impl PgStore {
    /// How the complaint's text last changed, if it did: (cause, when).
    pub fn last_text_change(
        &mut self,
        complaint_id: i64,
    ) -> Result<Option<(String, i64)>, PgError> {
        let row = self
            .client
            .query_opt(
                "SELECT cause, replaced_at FROM complaint_history WHERE complaint_id = $1
                 ORDER BY id DESC LIMIT 1",
                &[&complaint_id],
            )
            .map_err(|e| self.err(e))?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    /// Every CAR step this connection may read, in chain order.
    pub fn car_steps(&mut self) -> Result<Vec<CarEvent>, PgError> {
        super::cars::events_where(&mut self.client, &self.url, "", &[])
    }

    /// Recomputes every CAR step's hash and link; returns what does not hold, by step id, as
    /// the SQLite store says it.
    pub fn verify_cars(&mut self) -> Result<Vec<String>, PgError> {
        let mut problems = crate::domain::car::chain_problems(&self.car_steps()?);
        let rows = self
            .client
            .query(
                "SELECT k.id FROM cars k LEFT JOIN car_events e
                     ON e.car_id = k.id AND e.step = 'open' AND e.complaint_id = k.complaint_id
                        AND e.due_at = k.due_at AND e.at = k.opened_at
                 WHERE e.id IS NULL ORDER BY k.id",
                &[],
            )
            .map_err(|e| self.err(e))?;
        for r in rows {
            problems.push(format!(
                "CAR-{}: no open step matches its record",
                r.get::<_, i64>(0)
            ));
        }
        Ok(problems)
    }

    /// How the store's schema differs from the one its migrations make, one sentence each.
    pub fn schema_differences(&mut self) -> Result<Vec<String>, PgError> {
        super::schema::differences(&mut self.client).map_err(|e| self.err(e))
    }

    /// The store's schema as `verify` compares it, one line per object (tables and their
    /// columns, constraints, indexes, triggers with their enabled state, rules, row-level
    /// security, policies and functions): what `schema_expected.txt` pins.
    pub fn schema_description(&mut self) -> Result<Vec<String>, PgError> {
        super::schema::live_lines(&mut self.client).map_err(|e| self.err(e))
    }
}

impl PgStore {
    /// Whether this connection reads every decision and CAR step, so that each chain link can
    /// be checked: true for executives and admins (and the tables' owner); a division head
    /// reads only their divisions' records.
    pub fn sees_whole_chain(&mut self) -> Result<bool, PgError> {
        let row = self
            .client
            .query_one(
                "SELECT NOT row_security_active('decisions') OR coalesce(signoff_sees_all(), false)",
                &[],
            )
            .map_err(|e| self.err(e))?;
        Ok(row.get(0))
    }
}
