//! What `signoff notify` reads: the push-backs still open or answered and waiting, and the CARs
//! whose customer has not been called back.

use rusqlite::Connection;

use crate::domain::car::State;
use crate::domain::decision::{self, Decision, Kind, Status};
use crate::domain::notify::{CallBack, PushBackItem};

use super::decisions as sd;

/// Every push-back that waits for its division's answer, or whose answer waits for an
/// executive.
pub fn push_backs(conn: &Connection, now: i64) -> rusqlite::Result<Vec<PushBackItem>> {
    let ids: Vec<i64> = conn
        .prepare(
            "SELECT DISTINCT complaint_id FROM decisions WHERE kind = 'push_back'
             ORDER BY complaint_id",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for id in ids {
        let ds = sd::for_complaint(conn, id)?;
        let text = sd::current_text_hash(conn, id)?;
        let Some(item) = push_back_item(&ds, &text, now, || {
            super::queries::external_id_and_division(conn, id)
        })?
        else {
            continue;
        };
        out.push(item);
    }
    Ok(out)
}

/// A complaint's push-back that waits for its division's answer, or whose answer waits for an
/// executive, from its decisions and current text; None when it waits for neither. `place`
/// reads the complaint's external id and division (None: it is gone).
pub fn push_back_item<E>(
    ds: &[Decision],
    text: &str,
    now: i64,
    place: impl FnOnce() -> Result<Option<(String, String)>, E>,
) -> Result<Option<PushBackItem>, E> {
    let answer_id = match decision::status(ds, text, now) {
        Status::PushedBack { .. } => None,
        Status::Answered { decision, .. } => Some(decision),
        _ => return Ok(None),
    };
    let eff = decision::effective(ds);
    let Some(pb) = eff.iter().rev().find(|d| d.kind == Kind::PushBack) else {
        return Ok(None);
    };
    let answer = answer_id
        .and_then(|a| eff.iter().find(|d| d.id == a))
        .map(|a| {
            (
                a.id,
                a.kind.as_str().to_string(),
                a.actor_name.clone(),
                a.at,
            )
        });
    let Some((external_id, division)) = place()? else {
        return Ok(None);
    };
    Ok(Some(PushBackItem {
        decision_id: pb.id,
        external_id,
        division,
        by: pb.actor_name.clone(),
        at: pb.at,
        reasons: pb.reasons.clone().unwrap_or_default(),
        note: pb.note.clone().unwrap_or_default(),
        due_at: pb.due_at,
        answer,
    }))
}

/// Every open CAR whose customer has not been reached yet.
pub fn callbacks(conn: &Connection, now: i64) -> rusqlite::Result<Vec<CallBack>> {
    let cars = super::cars::list(conn, &super::cars::Filter::default(), now)?;
    Ok(callbacks_of(cars))
}

/// The open CARs among `cars`, as calls back still due.
pub fn callbacks_of(cars: Vec<super::cars::Car>) -> Vec<CallBack> {
    cars.into_iter()
        .filter(|c| c.state == State::Open)
        .map(|c| CallBack {
            car_id: c.id,
            external_id: c.external_id,
            division: c.division,
            due_at: c.due_at,
        })
        .collect()
}
