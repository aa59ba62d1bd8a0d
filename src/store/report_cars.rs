//! The CARs the review pack reads: opened in the trend's span or still open, with the steps
//! their state and counts need.

use std::collections::HashMap;

use rusqlite::{params, Connection};

use super::flag_reads::scope_param;
use crate::domain::car::{self, CarEvent};
use crate::domain::report::CarFacts;

/// CARs that matter to the period: opened before its end, and either opened within the trend's
/// span or not closed before the span began. A CAR closed long ago is never read.
const WANTED_CARS: &str = "k.opened_at < ?1
    AND (k.opened_at >= ?2 OR NOT EXISTS (SELECT 1 FROM car_events x
         WHERE x.car_id = k.id AND x.step = 'close' AND x.at < ?2))
    AND (?3 IS NULL OR c.division IN (SELECT value FROM json_each(?3)))";

pub fn cars(
    conn: &Connection,
    divisions: Option<&[String]>,
    trend_start: i64,
    end: i64,
) -> rusqlite::Result<Vec<CarFacts>> {
    let args = params![end, trend_start, scope_param(divisions)];
    let mut st = conn.prepare_cached(&format!(
        "SELECT k.id, k.complaint_id, c.external_id, c.division, k.opened_at, k.due_at
         FROM cars k JOIN complaints c ON c.id = k.complaint_id WHERE {WANTED_CARS} ORDER BY k.id"
    ))?;
    let mut out: Vec<CarFacts> = st
        .query_map(args, |r| {
            Ok(CarFacts {
                id: r.get(0)?,
                complaint_id: r.get(1)?,
                external_id: r.get(2)?,
                division: r.get(3)?,
                opened_at: r.get(4)?,
                due_at: r.get(5)?,
                events: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    // Only what states and counts need: no texts, no hashes.
    let mut st = conn.prepare_cached(&format!(
        "SELECT car_id, complaint_id, step, at, happened_at, due_at, category, worked
         FROM car_events WHERE car_id IN
             (SELECT k.id FROM cars k JOIN complaints c ON c.id = k.complaint_id WHERE {WANTED_CARS})
         ORDER BY id"
    ))?;
    let rows = st.query_map(args, |r| {
        let step: String = r.get(2)?;
        Ok(StepRow {
            car_id: r.get(0)?,
            complaint_id: r.get(1)?,
            step: &step,
            at: r.get(3)?,
            happened_at: r.get(4)?,
            due_at: r.get(5)?,
            category: r.get(6)?,
            worked: r.get(7)?,
        }
        .event())
    })?;
    attach(&mut out, rows.collect::<rusqlite::Result<Vec<_>>>()?);
    Ok(out)
}

/// A CAR step with only what its CAR's state and the counts need.
pub(crate) struct StepRow<'a> {
    pub car_id: i64,
    pub complaint_id: i64,
    pub step: &'a str,
    pub at: i64,
    pub happened_at: i64,
    pub due_at: Option<i64>,
    pub category: Option<String>,
    pub worked: Option<bool>,
}

impl StepRow<'_> {
    pub(crate) fn event(self) -> CarEvent {
        CarEvent {
            id: 0,
            car_id: self.car_id,
            complaint_id: self.complaint_id,
            step: car::Step::parse(self.step).unwrap_or(car::Step::Open),
            actor: String::new(),
            actor_name: String::new(),
            at: self.at,
            happened_at: self.happened_at,
            due_at: self.due_at,
            category: self.category,
            worked: self.worked,
            text: String::new(),
            prev_hash: String::new(),
            hash: String::new(),
            signature: None,
        }
    }
}

/// Gives each CAR its steps (in chain order), leaving out steps of CARs not listed.
pub(crate) fn attach(cars: &mut [CarFacts], events: Vec<CarEvent>) {
    let index: HashMap<i64, usize> = cars.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    for e in events {
        if let Some(&i) = index.get(&e.car_id) {
            cars[i].events.push(e);
        }
    }
}
