//! The records `verify` checks and the screen shows: the decision chain, the complaint text a
//! signature covers, and the store's own schema.

use crate::domain::decision::Decision;

use super::decisions::{self as sd, ChainTable};
use super::{schema, Db, Result};
use crate::domain::pack::ChainEnd;

impl Db {
    /// Every decision in chain order.
    pub fn decisions(&self) -> Result<Vec<Decision>> {
        Ok(sd::all(&self.conn)?)
    }

    /// A complaint's decisions, oldest first.
    pub fn decisions_of(&self, complaint_id: i64) -> Result<Vec<Decision>> {
        Ok(sd::for_complaint(&self.conn, complaint_id)?)
    }

    /// The hash of the complaint's text as it stands: what a signature on it covers.
    pub fn current_text_hash(&self, complaint_id: i64) -> Result<String> {
        Ok(sd::current_text_hash(&self.conn, complaint_id)?)
    }

    /// How the complaint's text last changed, if it did: (cause, when).
    pub fn last_text_change(&self, complaint_id: i64) -> Result<Option<(String, i64)>> {
        Ok(sd::last_text_change(&self.conn, complaint_id)?)
    }

    /// The end of the decision chain or of the CAR steps' chain.
    pub fn chain_end(&self, table: ChainTable) -> Result<Option<ChainEnd>> {
        Ok(sd::chain_end(&self.conn, table)?)
    }

    /// How the store's schema differs from the one its migrations make.
    pub fn schema_differences(&self) -> Result<Vec<String>> {
        Ok(schema::differences(&self.conn)?)
    }
}
