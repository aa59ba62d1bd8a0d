//! CARs as the PostgreSQL store holds them: a CAR with its steps and where it stands.

use postgres::{GenericClient, Row};

use crate::domain::car::{self, CarEvent, Step};
use crate::store::cars::Car;

use super::{describe, PgError, PgStore};

/// The columns [`event_from_row`] reads, in its order.
pub(super) const EVENT_COLUMNS: &str = "id, car_id, complaint_id, step, actor, actor_name, at, \
    happened_at, due_at, category, worked, text, prev_hash, hash, signature";

/// A CAR step from a row of [`EVENT_COLUMNS`].
pub(super) fn event_from_row(url: &str, r: &Row) -> Result<CarEvent, PgError> {
    let step: String = r.get(3);
    let Some(step) = Step::parse(&step) else {
        return Err(PgError {
            url: url.to_string(),
            message: format!("CAR step {}: unknown step {step:?}", r.get::<_, i64>(0)),
        });
    };
    Ok(CarEvent {
        id: r.get(0),
        car_id: r.get(1),
        complaint_id: r.get(2),
        step,
        actor: r.get(4),
        actor_name: r.get(5),
        at: r.get(6),
        happened_at: r.get(7),
        due_at: r.get(8),
        category: r.get(9),
        worked: r.get(10),
        text: r.get(11),
        prev_hash: r.get(12),
        hash: r.get(13),
        signature: r.get(14),
    })
}

/// CAR steps read with `WHERE …` (and its parameters), in chain order.
pub(super) fn events_where(
    c: &mut impl GenericClient,
    url: &str,
    condition: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
) -> Result<Vec<CarEvent>, PgError> {
    let rows = c
        .query(
            &format!("SELECT {EVENT_COLUMNS} FROM car_events {condition} ORDER BY id"),
            params,
        )
        .map_err(|e| PgError {
            url: url.to_string(),
            message: describe(&e),
        })?;
    rows.iter().map(|r| event_from_row(url, r)).collect()
}

impl PgStore {
    /// The complaint's CAR with its steps and state, if it has one this login may see.
    pub fn car_of_complaint(
        &mut self,
        complaint_id: i64,
        now: i64,
    ) -> Result<Option<Car>, PgError> {
        let row = self
            .client
            .query_opt(
                "SELECT k.id, k.complaint_id, c.external_id, c.source, c.division, k.opened_at,
                        k.due_at, k.opened_by, k.origin
                 FROM cars k JOIN complaints c ON c.id = k.complaint_id
                 WHERE k.complaint_id = $1",
                &[&complaint_id],
            )
            .map_err(|e| self.err(e))?;
        let Some(r) = row else {
            return Ok(None);
        };
        let id: i64 = r.get(0);
        let events = events_where(&mut self.client, &self.url, "WHERE car_id = $1", &[&id])?;
        let state = car::state(&events);
        let due_at: i64 = r.get(6);
        Ok(Some(Car {
            id,
            complaint_id: r.get(1),
            external_id: r.get(2),
            source: r.get(3),
            division: r.get(4),
            opened_at: r.get(5),
            due_at,
            opened_by: r.get(7),
            origin: r.get(8),
            state,
            overdue: car::overdue(state, due_at, now),
            events,
        }))
    }

    /// The checks a complaint failed. The PostgreSQL store does not run the checks in this
    /// version, so it holds none to show.
    pub fn flags_of(&mut self) -> Vec<crate::store::flag_reads::Explained> {
        Vec::new()
    }
}
