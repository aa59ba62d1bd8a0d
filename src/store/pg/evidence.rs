//! The records `verify` checks on the PostgreSQL store: how a complaint's text last changed,
//! the CAR steps' chain, and the store's schema against the one its migrations make.

use crate::domain::car::CarEvent;

use super::{PgError, PgStore};

impl PgStore {
    pub fn last_text_change(
        &mut self,
        _complaint_id: i64,
    ) -> Result<Option<(String, i64)>, PgError> {
        Err(self.unsupported("how a complaint's text changed"))
    }

    pub fn car_steps(&mut self) -> Result<Vec<CarEvent>, PgError> {
        Err(self.unsupported("CAR steps"))
    }

    pub fn verify_cars(&mut self) -> Result<Vec<String>, PgError> {
        Err(self.unsupported("checking the CAR chain"))
    }

    pub fn schema_differences(&mut self) -> Result<Vec<String>, PgError> {
        Err(self.unsupported("comparing the schema"))
    }
}
