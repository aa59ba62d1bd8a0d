//! Finding complaints by the references people type, and reading one back as `show` and the
//! commands that act on one need it.

use crate::domain::thread::Message;
use crate::domain::Complaint;

use super::customers::{self, Other};
use super::queries::{self, Listed, Stored};
use super::{outbox, threads, Db, Result};

impl Db {
    /// The complaint's id when one has the internal id `id`.
    pub fn complaint_exists(&self, id: i64) -> Result<Option<i64>> {
        Ok(queries::exists(&self.conn, id)?)
    }

    /// Complaints with this external id, in any source: (id, source).
    pub fn complaints_by_external_id(&self, external_id: &str) -> Result<Vec<(i64, String)>> {
        Ok(queries::by_external_id(&self.conn, external_id)?)
    }

    /// The complaint with this external id in `source`: (id, source).
    pub fn complaints_by_source_and_external_id(
        &self,
        source: &str,
        external_id: &str,
    ) -> Result<Vec<(i64, String)>> {
        Ok(queries::by_source_and_external_id(
            &self.conn,
            source,
            external_id,
        )?)
    }

    pub fn complaint_division(&self, id: i64) -> Result<String> {
        Ok(queries::division(&self.conn, id)?)
    }

    pub fn external_id(&self, id: i64) -> Result<String> {
        Ok(queries::external_id(&self.conn, id)?)
    }

    /// (external id, division), if the complaint exists.
    pub fn external_id_and_division(&self, id: i64) -> Result<Option<(String, String)>> {
        Ok(queries::external_id_and_division(&self.conn, id)?)
    }

    /// The complaint as stored, with where it came from.
    pub fn complaint(&self, id: i64) -> Result<Option<Stored>> {
        Ok(queries::complaint_by_id(&self.conn, id)?)
    }

    /// What a list shows of a complaint.
    pub fn listed(&self, id: i64) -> Result<Listed> {
        Ok(queries::listed(&self.conn, id)?)
    }

    /// The customer's complaints other than `except`, the newest first, within `divisions`
    /// (None: all), at most `limit`.
    pub fn customer_others(
        &self,
        key: &str,
        except: i64,
        divisions: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<Other>> {
        Ok(customers::others(
            &self.conn, key, except, divisions, limit,
        )?)
    }

    /// The executive's own letters to the customer about this complaint, as messages.
    pub fn outreach_messages(&self, complaint_id: i64) -> Result<Vec<Message>> {
        Ok(outbox::outreach_messages(&self.conn, complaint_id)?)
    }

    /// The stored thread, or `row`'s complaint and response as its messages, with the
    /// executive's own letters to the customer.
    pub fn conversation(&self, complaint_id: i64, row: &Complaint) -> Result<Vec<Message>> {
        Ok(threads::conversation(&self.conn, complaint_id, row)?)
    }
}
