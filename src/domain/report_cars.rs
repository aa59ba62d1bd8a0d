//! The CAR part of the review pack: what was opened, closed and is overdue, per division, the
//! root causes recorded and whether the actions worked.

use std::collections::BTreeMap;

use serde::Serialize;

use super::car::{self, State, Step};
use super::report::{Count, Input};

#[derive(Debug, Clone, Serialize)]
pub struct CarsSection {
    pub opened: i64,
    pub closed: i64,
    pub overdue: i64,
    pub open_now: i64,
    /// Of the CARs opened in the period: reached by their due time, reached later, not yet.
    pub contacted_in_time: i64,
    pub contacted_late: i64,
    pub not_contacted: i64,
    pub by_division: Vec<CarDivision>,
    /// Root causes recorded in the period, by category.
    pub causes: Vec<Count>,
    /// Effectiveness checks made in the period.
    pub checks_worked: i64,
    pub checks_failed: i64,
    pub overdue_list: Vec<CarLine>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CarDivision {
    pub division: String,
    pub opened: i64,
    pub closed: i64,
    pub overdue: i64,
    pub open_now: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CarLine {
    pub id: i64,
    pub external_id: String,
    pub division: String,
    pub due_at: i64,
    pub hours_overdue: i64,
}

pub fn section(input: &Input) -> CarsSection {
    let p = &input.period;
    let within = |t: i64| t >= p.start && t < p.end;
    let mut s = CarsSection {
        opened: 0,
        closed: 0,
        overdue: 0,
        open_now: 0,
        contacted_in_time: 0,
        contacted_late: 0,
        not_contacted: 0,
        by_division: Vec::new(),
        causes: Vec::new(),
        checks_worked: 0,
        checks_failed: 0,
        overdue_list: Vec::new(),
    };
    let mut divs: BTreeMap<String, CarDivision> = BTreeMap::new();
    let mut causes: BTreeMap<String, i64> = BTreeMap::new();
    for c in &input.cars {
        let state = car::state(&c.events);
        let overdue = car::overdue(state, c.due_at, input.now);
        let d = divs
            .entry(c.division.clone())
            .or_insert_with(|| CarDivision {
                division: c.division.clone(),
                ..Default::default()
            });
        let closed = c
            .events
            .iter()
            .any(|e| e.step == Step::Close && within(e.at));
        let first_contact = c
            .events
            .iter()
            .filter(|e| e.step == Step::Contact)
            .map(|e| e.happened_at)
            .min();
        if within(c.opened_at) {
            s.opened += 1;
            d.opened += 1;
            match first_contact {
                Some(t) if t <= c.due_at => s.contacted_in_time += 1,
                Some(_) => s.contacted_late += 1,
                None => s.not_contacted += 1,
            }
        }
        s.closed += i64::from(closed);
        d.closed += i64::from(closed);
        s.overdue += i64::from(overdue);
        d.overdue += i64::from(overdue);
        s.open_now += i64::from(state != State::Closed);
        d.open_now += i64::from(state != State::Closed);
        for e in c.events.iter().filter(|e| within(e.at)) {
            match (e.step, e.worked) {
                (Step::Cause, _) => {
                    let k = e.category.clone().unwrap_or_else(|| "other".into());
                    *causes.entry(k).or_default() += 1;
                }
                (Step::Check, Some(true)) => s.checks_worked += 1,
                (Step::Check, _) => s.checks_failed += 1,
                _ => {}
            }
        }
        if overdue {
            s.overdue_list.push(CarLine {
                id: c.id,
                external_id: c.external_id.clone(),
                division: c.division.clone(),
                due_at: c.due_at,
                hours_overdue: (input.now - c.due_at) / 3600,
            });
        }
    }
    s.overdue_list.sort_by_key(|l| (l.due_at, l.id));
    s.overdue_list.truncate(20);
    s.by_division = divs.into_values().collect();
    s.causes = causes
        .into_iter()
        .map(|(key, count)| Count { key, count })
        .collect();
    s.causes
        .sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    s
}
