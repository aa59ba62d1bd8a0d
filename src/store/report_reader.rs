//! What the review pack reads, all from one moment of the store: `signoff report` ranks
//! verbatims between reads, so it is handed a reader over one read transaction rather than
//! the figures at once.

use std::collections::HashSet;

use rusqlite::Connection;

use crate::domain::pack::ChainEnd;
use crate::domain::recommend::ScoreDay;
use crate::domain::report::{CarFacts, DayRow, GroupFact, Verbatim};
use crate::domain::verbatim::Candidate;

use super::decisions::{self as sd, ChainTable};
use super::flag_reads::{self, Run};
use super::report::{self as sr, Review};
use super::{recommend, report_cars, report_picks as picks, Db, Result, StoreError};

/// Reads of one read transaction: every figure comes from the same moment of the store.
pub struct ReportReader<'a> {
    conn: &'a Connection,
}

impl Db {
    /// Runs `read` over one read transaction of the store, however long it takes and whoever
    /// writes meanwhile.
    pub fn read_report<T, E: From<StoreError>>(
        &mut self,
        read: impl FnOnce(&ReportReader) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let tx = self.conn.transaction().map_err(StoreError::from)?;
        let out = read(&ReportReader { conn: &tx })?;
        tx.finish().map_err(StoreError::from)?;
        Ok(out)
    }
}

impl ReportReader<'_> {
    /// Per day and division, complaints received in [start, end).
    pub fn days(&self, divisions: Option<&[String]>, start: i64, end: i64) -> Result<Vec<DayRow>> {
        Ok(sr::days(self.conn, divisions, start, end)?)
    }

    /// The reviews of the trend and of the period (`start`, `end`).
    pub fn review(
        &self,
        divisions: Option<&[String]>,
        trend_start: i64,
        period: (i64, i64),
        now: i64,
    ) -> Result<Review> {
        Ok(sr::review(self.conn, divisions, trend_start, period, now)?)
    }

    pub fn score_days(
        &self,
        divisions: Option<&[String]>,
        start: i64,
        end: i64,
    ) -> Result<Vec<ScoreDay>> {
        Ok(recommend::score_days(self.conn, divisions, start, end)?)
    }

    pub fn cars(
        &self,
        divisions: Option<&[String]>,
        trend_start: i64,
        end: i64,
    ) -> Result<Vec<CarFacts>> {
        Ok(report_cars::cars(self.conn, divisions, trend_start, end)?)
    }

    pub fn canned_groups(
        &self,
        divisions: Option<&[String]>,
        start: i64,
        end: i64,
        limit: i64,
    ) -> Result<Vec<GroupFact>> {
        Ok(picks::canned_groups(
            self.conn, divisions, start, end, limit,
        )?)
    }

    /// Complaints that could be quoted, with what is known against them cheaply.
    pub fn candidates(
        &self,
        divisions: Option<&[String]>,
        start: i64,
        end: i64,
        pushed_back: &HashSet<i64>,
    ) -> Result<Vec<Candidate>> {
        Ok(picks::candidates(
            self.conn,
            divisions,
            start,
            end,
            pushed_back,
        )?)
    }

    /// Adds what costs a lookup to the front runners.
    pub fn details(&self, cands: &mut [Candidate]) -> Result<()> {
        Ok(picks::details(self.conn, cands)?)
    }

    pub fn verbatims(&self, picked: &[Candidate], chars: usize) -> Result<Vec<Verbatim>> {
        Ok(picks::verbatims(self.conn, picked, chars)?)
    }

    pub fn last_check_run(&self) -> Result<Option<Run>> {
        Ok(flag_reads::last_run(self.conn)?)
    }

    pub fn chain_end(&self, table: ChainTable) -> Result<Option<ChainEnd>> {
        Ok(sd::chain_end(self.conn, table)?)
    }
}
