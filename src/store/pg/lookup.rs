//! Finding complaints on the PostgreSQL store by the references people type. Row-level
//! security answers for the person who connected: a complaint they may not see is not found.

use crate::store::queries::Listed;

use super::{PgError, PgStore};

impl PgStore {
    fn one<T>(&mut self, what: &str, id: i64, found: Option<T>) -> Result<T, PgError> {
        found.ok_or_else(|| PgError {
            url: self.url.clone(),
            message: format!("no {what} {id}, or not one you may see"),
        })
    }

    pub fn complaint_exists(&mut self, id: i64) -> Result<Option<i64>, PgError> {
        let row = self
            .client
            .query_opt("SELECT id FROM complaints WHERE id = $1", &[&id])
            .map_err(|e| self.err(e))?;
        Ok(row.map(|r| r.get(0)))
    }

    pub fn complaints_by_external_id(
        &mut self,
        external_id: &str,
    ) -> Result<Vec<(i64, String)>, PgError> {
        let rows = self
            .client
            .query(
                "SELECT id, source FROM complaints WHERE external_id = $1 ORDER BY id",
                &[&external_id],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    pub fn complaints_by_source_and_external_id(
        &mut self,
        source: &str,
        external_id: &str,
    ) -> Result<Vec<(i64, String)>, PgError> {
        let rows = self
            .client
            .query(
                "SELECT id, source FROM complaints WHERE source = $1 AND external_id = $2",
                &[&source, &external_id],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    pub fn external_id_and_division(
        &mut self,
        id: i64,
    ) -> Result<Option<(String, String)>, PgError> {
        let row = self
            .client
            .query_opt(
                "SELECT external_id, division FROM complaints WHERE id = $1",
                &[&id],
            )
            .map_err(|e| self.err(e))?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    pub fn complaint_division(&mut self, id: i64) -> Result<String, PgError> {
        let found = self.external_id_and_division(id)?.map(|(_, d)| d);
        self.one("complaint", id, found)
    }

    pub fn external_id(&mut self, id: i64) -> Result<String, PgError> {
        let found = self.external_id_and_division(id)?.map(|(e, _)| e);
        self.one("complaint", id, found)
    }

    pub fn listed(&mut self, id: i64) -> Result<Listed, PgError> {
        let row = self
            .client
            .query_opt(
                "SELECT external_id, source, division, received_at, subject, complaint_text
                 FROM complaints WHERE id = $1",
                &[&id],
            )
            .map_err(|e| self.err(e))?;
        let found = row.map(|r| Listed {
            external_id: r.get(0),
            source: r.get(1),
            division: r.get(2),
            received_at: r.get(3),
            subject: r.get(4),
            complaint_text: r.get(5),
        });
        self.one("complaint", id, found)
    }

    /// The hash a sign-off of the complaint records now.
    pub fn current_text_hash(&mut self, complaint_id: i64) -> Result<String, PgError> {
        let found =
            super::text::text_hash(&mut self.client, complaint_id).map_err(|e| self.err(e))?;
        self.one("complaint", complaint_id, found)
    }
}
