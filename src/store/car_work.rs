//! CARs as the commands use them: opening one and recording its steps, each as one unit of
//! work in a write transaction, and reading them back.

use crate::domain::car::CarEvent;
use crate::domain::signing::RecordSigner;

use super::cars::{self, Car, Filter, NewEvent, Opening};
use super::decisions::AppendError;
use super::{flag_update, immediate, Db, Result};

/// What opening a CAR came to.
#[derive(Debug)]
pub enum Opened {
    /// The new CAR's id.
    New(i64),
    /// The complaint already has this CAR: one CAR per complaint.
    Existing(Car),
    /// Another CAR of the complaint (a closed one) kept this one from opening.
    Refused,
}

impl Db {
    pub fn car(&self, id: i64, now: i64) -> Result<Option<Car>> {
        Ok(cars::by_id(&self.conn, id, now)?)
    }

    pub fn car_of_complaint(&self, complaint_id: i64, now: i64) -> Result<Option<Car>> {
        Ok(cars::for_complaint(&self.conn, complaint_id, now)?)
    }

    /// CARs with their steps and state, newest first.
    pub fn cars(&self, f: &Filter, now: i64) -> Result<Vec<Car>> {
        Ok(cars::list(&self.conn, f, now)?)
    }

    /// Every CAR step, in the order of their chain.
    pub fn car_steps(&self) -> Result<Vec<CarEvent>> {
        Ok(cars::all_events(&self.conn)?)
    }

    /// What is wrong with the CAR chain: broken hashes and links.
    pub fn verify_cars(&self) -> Result<Vec<String>> {
        Ok(cars::verify(&self.conn)?)
    }

    /// Opens a CAR on the complaint with its first step signed by `signer`, unless the
    /// complaint has one already.
    pub fn open_car(
        &mut self,
        o: &Opening,
        signer: &dyn RecordSigner,
    ) -> std::result::Result<Opened, AppendError> {
        immediate(&mut self.conn, |tx| {
            if let Some(existing) = cars::for_complaint(tx, o.complaint_id, o.at)? {
                return Ok(Opened::Existing(existing));
            }
            Ok(match cars::open(tx, o, signer)? {
                Some(id) => Opened::New(id),
                None => Opened::Refused,
            })
        })
    }

    /// Records a step of CAR `car_id` in one write transaction: `check` sees the CAR as it
    /// stands (None when there is no such CAR) and says which step to append, or why none; the
    /// complaint's flags follow the step at once. Returns what `check` returned beside the
    /// step and the recorded step.
    pub fn record_car_step<T, E>(
        &mut self,
        car_id: i64,
        now: i64,
        signer: &dyn RecordSigner,
        check: impl FnOnce(Option<Car>) -> std::result::Result<(T, NewEvent), E>,
    ) -> std::result::Result<(T, CarEvent), E>
    where
        E: From<rusqlite::Error> + From<AppendError>,
    {
        immediate(&mut self.conn, |tx| {
            let car = cars::by_id(tx, car_id, now)?;
            let (out, event) = check(car)?;
            let complaint_id = event.complaint_id;
            let rec = cars::append(tx, event, signer)?;
            // A contact answers the customer as a reply does.
            flag_update::touch(tx, &[complaint_id], now)?;
            Ok((out, rec))
        })
    }
}
