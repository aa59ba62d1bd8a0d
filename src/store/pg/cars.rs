//! CARs as the PostgreSQL store holds them: a CAR with its steps and where it stands, opening
//! one, and appending its steps to the CAR chain (the same records, hashes and signatures as in
//! SQLite, linked under the chain's lock and checked by the server as they are inserted).

use std::collections::HashMap;

use postgres::{GenericClient, Row, Transaction};

use crate::domain::car::{self, CarEvent, State, Step};
use crate::domain::signing::RecordSigner;
use crate::store::car_rules::AfterImport;
use crate::store::car_work::Opened;
use crate::store::cars::{Car, Filter, NewEvent, Opening};

use super::decisions::{append_failed, PgAppendError};
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
    let sql = format!("SELECT {EVENT_COLUMNS} FROM car_events {condition} ORDER BY id");
    super::read_rows(c, url, &sql, params, event_from_row)
}

/// The columns [`car_from_row`] reads, in its order, from `cars k JOIN complaints c`.
const CAR_SELECT: &str = "SELECT k.id, k.complaint_id, c.external_id, c.source, c.division,
        k.opened_at, k.due_at, k.opened_by, k.origin
    FROM cars k JOIN complaints c ON c.id = k.complaint_id";

/// A CAR without its steps yet, from a row of [`CAR_SELECT`].
fn car_from_row(r: &Row) -> Car {
    Car {
        id: r.get(0),
        complaint_id: r.get(1),
        external_id: r.get(2),
        source: r.get(3),
        division: r.get(4),
        opened_at: r.get(5),
        due_at: r.get(6),
        opened_by: r.get(7),
        origin: r.get(8),
        state: State::Open,
        overdue: false,
        events: Vec::new(),
    }
}

fn pg_err(url: &str, e: &postgres::Error) -> PgError {
    PgError {
        url: url.to_string(),
        message: describe(e),
    }
}

/// The CARs this login may see that `filter` picks, with their steps and state, newest first:
/// as the SQLite store reads them (`store::cars::list`).
fn cars_in(
    c: &mut impl GenericClient,
    url: &str,
    f: &Filter,
    now: i64,
) -> Result<Vec<Car>, PgError> {
    // One statement each way, so that a CAR looked up by id or by complaint is found through
    // its key.
    let rows = match (f.id, f.complaint_id) {
        (Some(id), complaint) => c.query(
            &format!(
                "{CAR_SELECT} WHERE k.id = $1 AND ($2::BIGINT IS NULL OR k.complaint_id = $2)
                 ORDER BY k.id DESC"
            ),
            &[&id, &complaint],
        ),
        (None, Some(complaint)) => c.query(
            &format!("{CAR_SELECT} WHERE k.complaint_id = $1 ORDER BY k.id DESC"),
            &[&complaint],
        ),
        (None, None) => c.query(&format!("{CAR_SELECT} ORDER BY k.id DESC"), &[]),
    }
    .map_err(|e| pg_err(url, &e))?;
    let mut cars: Vec<Car> = rows.iter().map(car_from_row).collect();
    cars.retain(|k| f.divisions.is_none_or(|ds| ds.contains(&k.division)));
    if cars.is_empty() {
        return Ok(cars);
    }
    // One CAR (show, a step) reads its own steps; a list reads them all in one pass.
    let events = match cars.as_slice() {
        [one] => events_where(c, url, "WHERE car_id = $1", &[&one.id])?,
        _ => events_where(c, url, "", &[])?,
    };
    let mut by_car: HashMap<i64, Vec<CarEvent>> = HashMap::new();
    for e in events {
        by_car.entry(e.car_id).or_default().push(e);
    }
    for k in &mut cars {
        k.events = by_car.remove(&k.id).unwrap_or_default();
        k.state = car::state(&k.events);
        k.overdue = car::overdue(k.state, k.due_at, now);
    }
    cars.retain(|k| {
        (f.include_closed || k.state != State::Closed) && (!f.overdue_only || k.overdue)
    });
    Ok(cars)
}

/// One CAR, closed or not, by its id or its complaint's.
fn one_car(
    c: &mut impl GenericClient,
    url: &str,
    id: Option<i64>,
    complaint_id: Option<i64>,
    now: i64,
) -> Result<Option<Car>, PgError> {
    let f = Filter {
        id,
        complaint_id,
        include_closed: true,
        ..Default::default()
    };
    Ok(cars_in(c, url, &f, now)?.pop())
}

/// Takes the CAR chain's lock for the rest of the transaction: the same lock the server's link
/// check takes, so that nobody appends between the read of the end and the insert, and a CAR's
/// state read after it stands until the step is in.
fn lock_chain(tx: &mut Transaction, url: &str) -> Result<(), PgAppendError> {
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('signoff chain car_events'))",
        &[],
    )
    .map_err(|e| append_failed(url, e))?;
    Ok(())
}

/// Appends a CAR step inside the caller's transaction, under the chain's lock: links it to the
/// chain's end, seals it as SQLite does, inserts it.
fn append_in(
    tx: &mut Transaction,
    url: &str,
    e: NewEvent,
    signer: &dyn RecordSigner,
) -> Result<CarEvent, PgAppendError> {
    let fail = |e: postgres::Error| append_failed(url, e);
    lock_chain(tx, url)?;
    let prev: String = tx
        .query_one("SELECT hash FROM signoff_chain_end('car_events')", &[])
        .map_err(fail)?
        .get(0);
    let mut rec = e.sealed(prev, signer).map_err(|e| match e {
        crate::store::decisions::AppendError::Sign(m) => PgAppendError::Sign(m),
        other => PgAppendError::Sign(other.to_string()),
    })?;
    rec.id = tx
        .query_one(
            "INSERT INTO car_events (car_id, complaint_id, step, actor, actor_name, at,
                 happened_at, due_at, category, worked, text, prev_hash, hash, signature)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             RETURNING id",
            &[
                &rec.car_id,
                &rec.complaint_id,
                &rec.step.as_str(),
                &rec.actor,
                &rec.actor_name,
                &rec.at,
                &rec.happened_at,
                &rec.due_at,
                &rec.category,
                &rec.worked,
                &rec.text,
                &rec.prev_hash,
                &rec.hash,
                &rec.signature,
            ],
        )
        .map_err(fail)?
        .get(0);
    Ok(rec)
}

/// Opens a CAR by the import's rules for each complaint the load inserted (ids above `before`)
/// or changed that matches one (the first rule it matches names the origin) and has none yet,
/// inside the load's transaction, as the SQLite import does (`car_rules::open_by_rules`):
/// the CARs and the complaints land together or not at all. Returns how many it opened.
pub(super) fn open_by_rules_in(
    tx: &mut Transaction,
    url: &str,
    before: i64,
    changed: &[i64],
    a: &AfterImport,
) -> Result<u64, PgAppendError> {
    if a.rules.is_empty() {
        return Ok(0);
    }
    let fail = |e: postgres::Error| append_failed(url, e);
    let since = a.max_age_secs.map_or(i64::MIN, |age| a.now - age);
    let candidates = tx
        .query(
            "SELECT c.id, c.likelihood, c.wants_contact, c.source FROM complaints c
             WHERE (c.id > $1 OR c.id = ANY($2)) AND c.received_at >= $3
               AND NOT EXISTS (SELECT 1 FROM cars k WHERE k.complaint_id = c.id)
             ORDER BY c.id",
            &[&before, &changed, &since],
        )
        .map_err(fail)?;
    let mut opened = 0;
    for r in candidates {
        let (id, likelihood, wants_contact, source): (i64, Option<i16>, Option<bool>, String) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        let likelihood = likelihood.and_then(|l| u8::try_from(l).ok());
        let Some(hit) = a.hit(id, likelihood, wants_contact, &source) else {
            continue;
        };
        let o = a.opening(&hit);
        let car: i64 = tx
            .query_one(
                "INSERT INTO cars (complaint_id, opened_at, due_at, opened_by, origin)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[&o.complaint_id, &o.at, &o.due_at, &o.actor, &o.origin],
            )
            .map_err(fail)?
            .get(0);
        append_in(tx, url, o.first_step(car), a.signer.0.as_ref())?;
        opened += 1;
    }
    Ok(opened)
}

impl PgStore {
    /// The complaint's CAR with its steps and state, if it has one this login may see.
    pub fn car_of_complaint(
        &mut self,
        complaint_id: i64,
        now: i64,
    ) -> Result<Option<Car>, PgError> {
        one_car(&mut self.client, &self.url, None, Some(complaint_id), now)
    }

    /// CAR-`id` with its steps and state, if this login may see it.
    pub fn car(&mut self, id: i64, now: i64) -> Result<Option<Car>, PgError> {
        one_car(&mut self.client, &self.url, Some(id), None, now)
    }

    /// The CARs this login may see that `f` picks, newest first.
    pub fn cars(&mut self, f: &Filter, now: i64) -> Result<Vec<Car>, PgError> {
        cars_in(&mut self.client, &self.url, f, now)
    }

    /// Opens a CAR on the complaint with its first step signed by `signer`, unless the
    /// complaint has one already; in one transaction, checked by the server (who may open a
    /// CAR on which complaint).
    pub fn open_car(
        &mut self,
        o: &Opening,
        signer: &dyn RecordSigner,
    ) -> Result<Opened, PgAppendError> {
        let url = self.url.clone();
        let fail = |e: postgres::Error| append_failed(&url, e);
        let mut tx = self.client.transaction().map_err(fail)?;
        // Under the lock, two openings of the same complaint's CAR do not race.
        lock_chain(&mut tx, &url)?;
        if let Some(existing) = one_car(&mut tx, &url, None, Some(o.complaint_id), o.at)? {
            return Ok(Opened::Existing(existing));
        }
        let row = tx
            .query_opt(
                "INSERT INTO cars (complaint_id, opened_at, due_at, opened_by, origin)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (complaint_id) DO NOTHING
                 RETURNING id",
                &[&o.complaint_id, &o.at, &o.due_at, &o.actor, &o.origin],
            )
            .map_err(fail)?;
        let Some(row) = row else {
            return Ok(Opened::Refused);
        };
        let id: i64 = row.get(0);
        append_in(&mut tx, &url, o.first_step(id), signer)?;
        tx.commit().map_err(fail)?;
        Ok(Opened::New(id))
    }

    /// Records a step of CAR `car_id` in one transaction: `check` sees the CAR as it stands
    /// under the chain's lock (None when there is none this login may see) and says which step
    /// to append, or why none. The store keeps no flags, so none follow the step.
    pub fn record_car_step<E>(
        &mut self,
        car_id: i64,
        now: i64,
        signer: &dyn RecordSigner,
        check: impl FnOnce(Option<Car>) -> Result<NewEvent, E>,
    ) -> Result<CarEvent, E>
    where
        E: From<PgAppendError> + From<PgError>,
    {
        let url = self.url.clone();
        let fail = |e: postgres::Error| append_failed(&url, e);
        let mut tx = self.client.transaction().map_err(fail)?;
        lock_chain(&mut tx, &url)?;
        let car = one_car(&mut tx, &url, Some(car_id), None, now)?;
        let event = check(car)?;
        let rec = append_in(&mut tx, &url, event, signer)?;
        tx.commit().map_err(fail)?;
        Ok(rec)
    }
}
