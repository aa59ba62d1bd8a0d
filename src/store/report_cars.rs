//! The CARs the review pack reads: opened in the trend's span or still open, with the steps
//! their state and counts need.

use std::collections::HashMap;

use rusqlite::{params, Connection};

use super::flag_reads::scope_param;
use crate::domain::car::{CarEvent, Step};
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
    let index: HashMap<i64, usize> = out.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    // Only what states and counts need: no texts, no hashes.
    let mut st = conn.prepare_cached(&format!(
        "SELECT car_id, complaint_id, step, at, happened_at, due_at, category, worked
         FROM car_events WHERE car_id IN
             (SELECT k.id FROM cars k JOIN complaints c ON c.id = k.complaint_id WHERE {WANTED_CARS})
         ORDER BY id"
    ))?;
    let rows = st.query_map(args, |r| {
        let step: String = r.get(2)?;
        Ok(CarEvent {
            id: 0,
            car_id: r.get(0)?,
            complaint_id: r.get(1)?,
            step: Step::parse(&step).unwrap_or(Step::Open),
            actor: String::new(),
            actor_name: String::new(),
            at: r.get(3)?,
            happened_at: r.get(4)?,
            due_at: r.get(5)?,
            category: r.get(6)?,
            worked: r.get(7)?,
            text: String::new(),
            prev_hash: String::new(),
            hash: String::new(),
            signature: None,
        })
    })?;
    for e in rows {
        let e = e?;
        if let Some(&i) = index.get(&e.car_id) {
            out[i].events.push(e);
        }
    }
    Ok(out)
}
