//! The decision workflow on the PostgreSQL store: the same rules as SQLite's
//! (`store::workflow`), each decision in one transaction, checked again by the server.

use crate::domain::decision::{Decision, Kind, Status};
use crate::domain::people::Actor;
use crate::domain::signing::RecordSigner;
use crate::store::workflow::WorkflowError;

use super::PgStore;

type Result<T> = std::result::Result<T, WorkflowError>;

impl PgStore {
    pub fn status_of(&mut self, _complaint_id: i64, _now: i64) -> Result<(Vec<Decision>, Status)> {
        Err(WorkflowError::Store(self.unsupported("deciding").into()))
    }

    pub fn approve(
        &mut self,
        _p: &Actor,
        _signer: &dyn RecordSigner,
        _complaint_id: i64,
        _note: Option<String>,
        _now: i64,
    ) -> Result<Decision> {
        Err(WorkflowError::Store(self.unsupported("deciding").into()))
    }

    #[allow(clippy::too_many_arguments)]
    pub fn push_back(
        &mut self,
        _p: &Actor,
        _signer: &dyn RecordSigner,
        _complaint_id: i64,
        _reasons: &[String],
        _note: &str,
        _due_at: i64,
        _now: i64,
    ) -> Result<Decision> {
        Err(WorkflowError::Store(self.unsupported("deciding").into()))
    }

    pub fn answer(
        &mut self,
        _p: &Actor,
        _signer: &dyn RecordSigner,
        _complaint_id: i64,
        _kind: Kind,
        _body: &str,
        _now: i64,
    ) -> Result<Decision> {
        Err(WorkflowError::Store(self.unsupported("deciding").into()))
    }

    pub fn retract(
        &mut self,
        _p: &Actor,
        _signer: &dyn RecordSigner,
        _decision_id: i64,
        _now: i64,
    ) -> Result<Decision> {
        Err(WorkflowError::Store(self.unsupported("deciding").into()))
    }
}
