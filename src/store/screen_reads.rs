//! What the review screen reads: a complaint's detail, the queue's rows (a sample's items, or
//! a division head's list) each with its status now, and search hits.

use crate::domain::decision::Status;

use super::screen::{self, Detail, Hit, Row};
use super::stats::{self, Stats};
use super::{division_list, samples, Db, Result};

impl Db {
    /// A complaint as the screen's detail pane shows it, before its thread, decisions and
    /// flags are added.
    pub fn screen_detail(&self, id: i64) -> Result<Detail> {
        Ok(screen::detail(&self.conn, id)?)
    }

    /// Complaints whose text matches `query`, in the divisions given (None: all).
    pub fn search(&self, query: &str, scope: Option<&[String]>, limit: usize) -> Result<Vec<Hit>> {
        Ok(screen::search(&self.conn, query, scope, limit)?)
    }

    /// The customer's other complaints, as search hits.
    pub fn customer_hits(
        &self,
        key: &str,
        except: i64,
        scope: Option<&[String]>,
        limit: usize,
    ) -> Result<Vec<Hit>> {
        Ok(screen::customer_hits(
            &self.conn, key, except, scope, limit,
        )?)
    }

    /// The sample's items, in draw order, limited to the divisions the person may see.
    pub fn sample_rows(
        &self,
        sample_id: i64,
        scope: Option<&[String]>,
        now: i64,
    ) -> Result<Vec<Row>> {
        let mut out = Vec::new();
        for it in samples::items(&self.conn, sample_id)? {
            let row = screen::row(&self.conn, it.complaint_id, it.reason, now)?;
            if scope.is_none_or(|s| s.contains(&row.division)) {
                out.push(row);
            }
        }
        Ok(out)
    }

    /// A division head's list: every item of the sample in their divisions, whatever its
    /// status, and any other complaint of theirs still in play — pushed back, answered, or
    /// signed before its text changed.
    pub fn division_rows(
        &self,
        divisions: &[String],
        sample: Option<i64>,
        now: i64,
    ) -> Result<Vec<Row>> {
        let mut rows = Vec::new();
        for l in division_list::listed(&self.conn, divisions, sample)? {
            let row = screen::row(&self.conn, l.complaint_id, l.reason, now)?;
            let in_play = matches!(
                row.status,
                Status::PushedBack { .. }
                    | Status::Answered { .. }
                    | Status::SignedTextChanged { .. }
            );
            if l.in_sample || in_play {
                rows.push(row);
            }
        }
        Ok(rows)
    }

    /// What the store holds, in the divisions given (None: all).
    pub fn stats(&self, divisions: Option<&[String]>) -> Result<Stats> {
        stats::stats(&self.conn, divisions).map_err(|e| self.err(e))
    }
}
