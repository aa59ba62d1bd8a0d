//! The stored checks (flags) as the commands, the screen and the demo use them: refreshing
//! them, keeping them up to date, and reading them.

use super::flag_reads::{self, CannedGroup, DivisionCounts, Explained, Member, Run};
use super::flags::{self, CheckSettings, Summary};
use super::{flag_update, Db, Result};

impl Db {
    /// Recomputes every flag in one transaction of its own.
    pub fn refresh_checks(&mut self, s: &CheckSettings, by: &str, now: i64) -> Result<Summary> {
        let tx = self.conn.transaction()?;
        let summary = flags::refresh(&tx, s, by, now)?;
        tx.commit()?;
        Ok(summary)
    }

    /// Recomputes every flag, reading without the write lock and taking it only to replace the
    /// results, so people signing meanwhile are not kept waiting for the whole pass.
    pub fn refresh_checks_outside_write_lock(
        &mut self,
        s: &CheckSettings,
        by: &str,
        now: i64,
    ) -> Result<Summary> {
        Ok(flags::refresh_outside_write_lock(
            &mut self.conn,
            s,
            by,
            now,
        )?)
    }

    /// Raises the flags that time alone raised since the store last changed, unless another
    /// writer holds the store. Returns whether it caught up.
    pub fn catch_up_checks_if_free(&mut self, now: i64) -> Result<bool> {
        Ok(flag_update::catch_up_if_free(&mut self.conn, now)?)
    }

    /// Re-judges the complaints whose deadline has passed by `now`, in the caller's write.
    pub fn catch_up_checks(&self, now: i64) -> Result<bool> {
        Ok(flag_update::catch_up(&self.conn, now)?)
    }

    /// The settings the stored flags were judged with, if a refresh under this schema ran.
    pub fn checks_judged_with(&self) -> Result<Option<CheckSettings>> {
        Ok(flags::judged_with(&self.conn)?)
    }

    /// When the stored flags were last brought up to date.
    pub fn checks_as_of(&self) -> Result<Option<i64>> {
        Ok(flags::as_of(&self.conn)?)
    }

    /// The last refresh.
    pub fn last_check_run(&self) -> Result<Option<Run>> {
        Ok(flag_reads::last_run(&self.conn)?)
    }

    /// Flagged complaints per division, in the divisions given (None: all).
    pub fn flag_counts(&self, divisions: Option<&[String]>) -> Result<Vec<DivisionCounts>> {
        Ok(flag_reads::counts(&self.conn, divisions)?)
    }

    /// A complaint's flags, each with what raised it.
    pub fn flags_of(
        &self,
        complaint_id: i64,
        late_secs: i64,
        contact_secs: i64,
    ) -> Result<Vec<Explained>> {
        Ok(flag_reads::for_complaint(
            &self.conn,
            complaint_id,
            late_secs,
            contact_secs,
        )?)
    }

    /// The largest groups of canned replies.
    pub fn canned_groups(
        &self,
        divisions: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<CannedGroup>> {
        Ok(flag_reads::groups(&self.conn, divisions, limit)?)
    }

    /// The complaints of a canned-reply group.
    pub fn canned_group_members(
        &self,
        group: i64,
        divisions: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<Member>> {
        Ok(flag_reads::members(&self.conn, group, divisions, limit)?)
    }
}
