//! CARs in the store: opening one (by hand or by an import's rules), appending steps to the
//! chain, and reading them back with their state.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use crate::domain::car::{self, CarEvent, State, Step};

pub use super::car_rules::{after_import, open_by_rules, AfterImport};
use crate::domain::decision::GENESIS;
use crate::domain::signing::RecordSigner;

pub use super::decisions::AppendError;

/// A CAR with where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct Car {
    pub id: i64,
    pub complaint_id: i64,
    pub external_id: String,
    pub source: String,
    pub division: String,
    pub opened_at: i64,
    pub due_at: i64,
    pub opened_by: String,
    /// "manual" or the rule that opened it, like "rule:wants-contact".
    pub origin: String,
    pub state: State,
    pub overdue: bool,
    pub events: Vec<CarEvent>,
}

/// A step before it is stored: the store fills in the id and the chain.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub car_id: i64,
    pub complaint_id: i64,
    pub step: Step,
    pub actor: String,
    pub actor_name: String,
    pub at: i64,
    pub happened_at: i64,
    pub due_at: Option<i64>,
    pub category: Option<String>,
    pub worked: Option<bool>,
    pub text: String,
}

impl NewEvent {
    /// The step as the chain keeps it, linked to `prev_hash`, hashed and signed by `signer`:
    /// the same on every store. The store gives it its id.
    pub fn sealed(
        self,
        prev_hash: String,
        signer: &dyn RecordSigner,
    ) -> Result<CarEvent, AppendError> {
        let mut rec = CarEvent {
            id: 0,
            car_id: self.car_id,
            complaint_id: self.complaint_id,
            step: self.step,
            actor: self.actor,
            actor_name: self.actor_name,
            at: self.at,
            happened_at: self.happened_at,
            due_at: self.due_at,
            category: self.category,
            worked: self.worked,
            text: self.text,
            prev_hash,
            hash: String::new(),
            signature: None,
        };
        rec.hash = rec.compute_hash();
        rec.signature = signer.sign(&rec.canonical()).map_err(AppendError::Sign)?;
        Ok(rec)
    }
}

const EVENT_COLUMNS: &str = "id, car_id, complaint_id, step, actor, actor_name, at, happened_at, \
    due_at, category, worked, text, prev_hash, hash, signature";

fn event_from_row(r: &rusqlite::Row) -> rusqlite::Result<CarEvent> {
    let step: String = r.get(3)?;
    Ok(CarEvent {
        id: r.get(0)?,
        car_id: r.get(1)?,
        complaint_id: r.get(2)?,
        step: Step::parse(&step).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                3,
                rusqlite::types::Type::Text,
                format!("unknown CAR step {step:?}").into(),
            )
        })?,
        actor: r.get(4)?,
        actor_name: r.get(5)?,
        at: r.get(6)?,
        happened_at: r.get(7)?,
        due_at: r.get(8)?,
        category: r.get(9)?,
        worked: r.get(10)?,
        text: r.get(11)?,
        prev_hash: r.get(12)?,
        hash: r.get(13)?,
        signature: r.get(14)?,
    })
}

/// Appends a step, chained to the last one and signed by `signer`. Call inside an IMMEDIATE
/// transaction.
pub fn append(
    tx: &Transaction,
    e: NewEvent,
    signer: &dyn RecordSigner,
) -> Result<CarEvent, AppendError> {
    let prev: String = tx
        .prepare_cached("SELECT hash FROM car_events ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| GENESIS.to_string());
    let mut rec = e.sealed(prev, signer)?;
    tx.prepare_cached(
        "INSERT INTO car_events (car_id, complaint_id, step, actor, actor_name, at, happened_at,
             due_at, category, worked, text, prev_hash, hash, signature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        rec.car_id,
        rec.complaint_id,
        rec.step.as_str(),
        rec.actor,
        rec.actor_name,
        rec.at,
        rec.happened_at,
        rec.due_at,
        rec.category,
        rec.worked,
        rec.text,
        rec.prev_hash,
        rec.hash,
        rec.signature
    ])?;
    rec.id = tx.last_insert_rowid();
    let kept: Option<String> = tx
        .prepare_cached("SELECT hash FROM car_events WHERE id = ?1")?
        .query_row(params![rec.id], |r| r.get(0))
        .optional()?;
    if kept.as_deref() != Some(rec.hash.as_str()) {
        return Err(AppendError::Swallowed(format!(
            "CAR {} step {}",
            rec.car_id,
            rec.step.as_str()
        )));
    }
    Ok(rec)
}

/// Who opens a CAR and why.
#[derive(Debug, Clone)]
pub struct Opening<'a> {
    pub complaint_id: i64,
    pub origin: &'a str,
    pub actor: &'a str,
    pub actor_name: &'a str,
    pub at: i64,
    pub due_at: i64,
    pub why: &'a str,
}

impl Opening<'_> {
    /// The open step of the CAR `car_id` this opening makes: the first of its chain.
    pub fn first_step(&self, car_id: i64) -> NewEvent {
        NewEvent {
            car_id,
            complaint_id: self.complaint_id,
            step: Step::Open,
            actor: self.actor.to_string(),
            actor_name: self.actor_name.to_string(),
            at: self.at,
            happened_at: self.at,
            due_at: Some(self.due_at),
            category: None,
            worked: None,
            text: format!("{} ({})", self.why, self.origin),
        }
    }
}

/// Opens a CAR with its first step, signed by `signer`; None when the complaint has one already.
pub fn open(
    tx: &Transaction,
    o: &Opening,
    signer: &dyn RecordSigner,
) -> Result<Option<i64>, AppendError> {
    let inserted = tx
        .prepare_cached(
            "INSERT INTO cars (complaint_id, opened_at, due_at, opened_by, origin)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (complaint_id) DO NOTHING",
        )?
        .execute(params![o.complaint_id, o.at, o.due_at, o.actor, o.origin])?;
    if inserted == 0 {
        return Ok(None);
    }
    let id = tx.last_insert_rowid();
    append(tx, o.first_step(id), signer)?;
    Ok(Some(id))
}

/// Which CARs to read.
#[derive(Debug, Clone, Default)]
pub struct Filter<'a> {
    pub id: Option<i64>,
    pub complaint_id: Option<i64>,
    /// Only these divisions (a division head's scope, or --division).
    pub divisions: Option<&'a [String]>,
    pub include_closed: bool,
    pub overdue_only: bool,
}

/// CARs with their steps and state, newest first.
pub fn list(conn: &Connection, f: &Filter, now: i64) -> rusqlite::Result<Vec<Car>> {
    // One statement each way, so that a CAR looked up by id or by complaint is found through
    // its key, not by reading every CAR (the review screen asks once a key press).
    const SELECT: &str = "SELECT k.id, k.complaint_id, c.external_id, c.source, c.division,
             k.opened_at, k.due_at, k.opened_by, k.origin
         FROM cars k JOIN complaints c ON c.id = k.complaint_id";
    let sql = match (f.id, f.complaint_id) {
        (Some(_), _) => {
            const BY_ID: &str = "WHERE k.id = ?1 AND (?2 IS NULL OR k.complaint_id = ?2)";
            format!("{SELECT} {BY_ID} ORDER BY k.id DESC")
        }
        (None, Some(_)) => {
            const BY_COMPLAINT: &str = "WHERE k.complaint_id = ?2 AND ?1 IS NULL";
            format!("{SELECT} {BY_COMPLAINT} ORDER BY k.id DESC")
        }
        (None, None) => {
            const ALL: &str = "WHERE ?1 IS NULL AND ?2 IS NULL";
            format!("{SELECT} {ALL} ORDER BY k.id DESC")
        }
    };
    let mut st = conn.prepare_cached(&sql)?;
    let mut cars: Vec<Car> = st
        .query_map(params![f.id, f.complaint_id], |r| {
            Ok(Car {
                id: r.get(0)?,
                complaint_id: r.get(1)?,
                external_id: r.get(2)?,
                source: r.get(3)?,
                division: r.get(4)?,
                opened_at: r.get(5)?,
                due_at: r.get(6)?,
                opened_by: r.get(7)?,
                origin: r.get(8)?,
                state: State::Open,
                overdue: false,
                events: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    cars.retain(|c| f.divisions.is_none_or(|ds| ds.contains(&c.division)));
    if cars.is_empty() {
        return Ok(cars);
    }
    // One CAR (show, a step) reads its own steps; a list reads them all in one pass.
    let only = (cars.len() == 1).then(|| cars[0].id);
    let mut events = events_of(conn, only)?;
    for c in &mut cars {
        c.events = events.remove(&c.id).unwrap_or_default();
        c.state = car::state(&c.events);
        c.overdue = car::overdue(c.state, c.due_at, now);
    }
    cars.retain(|c| {
        (f.include_closed || c.state != State::Closed) && (!f.overdue_only || c.overdue)
    });
    Ok(cars)
}

/// Every step grouped by CAR, or just one CAR's.
fn events_of(
    conn: &Connection,
    only: Option<i64>,
) -> rusqlite::Result<HashMap<i64, Vec<CarEvent>>> {
    // Two statements: `?1 IS NULL OR car_id = ?1` would read every step to find one CAR's.
    let sql = match only {
        Some(_) => format!("SELECT {EVENT_COLUMNS} FROM car_events WHERE car_id = ?1 ORDER BY id"),
        None => format!("SELECT {EVENT_COLUMNS} FROM car_events WHERE ?1 IS NULL ORDER BY id"),
    };
    let mut st = conn.prepare_cached(&sql)?;
    let mut out: HashMap<i64, Vec<CarEvent>> = HashMap::new();
    for e in st.query_map(params![only], event_from_row)? {
        let e = e?;
        out.entry(e.car_id).or_default().push(e);
    }
    Ok(out)
}

pub fn by_id(conn: &Connection, id: i64, now: i64) -> rusqlite::Result<Option<Car>> {
    let f = Filter {
        id: Some(id),
        include_closed: true,
        ..Default::default()
    };
    Ok(list(conn, &f, now)?.pop())
}

pub fn for_complaint(
    conn: &Connection,
    complaint_id: i64,
    now: i64,
) -> rusqlite::Result<Option<Car>> {
    let f = Filter {
        complaint_id: Some(complaint_id),
        include_closed: true,
        ..Default::default()
    };
    Ok(list(conn, &f, now)?.pop())
}

/// Every step in chain order, for verification.
pub fn all_events(conn: &Connection) -> rusqlite::Result<Vec<CarEvent>> {
    let mut st = conn.prepare(&format!(
        "SELECT {EVENT_COLUMNS} FROM car_events ORDER BY id"
    ))?;
    let rows = st.query_map([], event_from_row)?;
    rows.collect()
}

/// Recomputes every hash and link; returns what does not hold, by event id.
pub fn verify(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut problems = car::chain_problems(&all_events(conn)?);
    let mut st = conn.prepare(
        "SELECT k.id FROM cars k LEFT JOIN car_events e
             ON e.car_id = k.id AND e.step = 'open' AND e.complaint_id = k.complaint_id
                AND e.due_at = k.due_at AND e.at = k.opened_at
         WHERE e.id IS NULL",
    )?;
    for id in st.query_map([], |r| r.get::<_, i64>(0))? {
        problems.push(format!("CAR-{}: no open step matches its record", id?));
    }
    Ok(problems)
}
