//! What the review pack reads, all from one moment of the store: `signoff report` ranks
//! verbatims between reads, so it is handed a reader over one read transaction rather than
//! the figures at once. [`ReportReads`] is that reader for either backend; SQLite's is
//! [`ReportReader`], PostgreSQL's is in `pg::report`.

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

/// What the review pack reads, each from the same moment of the store (one read transaction).
/// The figures are those of the divisions given (None: all the reader may see).
pub trait ReportReads {
    /// Per day and division, complaints received in [start, end).
    fn days(&mut self, divisions: Option<&[String]>, start: i64, end: i64) -> Result<Vec<DayRow>>;
    /// The reviews of the trend and of the period (`start`, `end`).
    fn review(
        &mut self,
        divisions: Option<&[String]>,
        trend_start: i64,
        period: (i64, i64),
        now: i64,
    ) -> Result<Review>;
    fn score_days(
        &mut self,
        divisions: Option<&[String]>,
        start: i64,
        end: i64,
    ) -> Result<Vec<ScoreDay>>;
    fn cars(
        &mut self,
        divisions: Option<&[String]>,
        trend_start: i64,
        end: i64,
    ) -> Result<Vec<CarFacts>>;
    /// The canned replies most sent in [start, end), at most `limit`.
    fn canned_groups(
        &mut self,
        divisions: Option<&[String]>,
        start: i64,
        end: i64,
        limit: i64,
    ) -> Result<Vec<GroupFact>>;
    /// Complaints that could be quoted, with what is known against them cheaply.
    fn candidates(
        &mut self,
        divisions: Option<&[String]>,
        start: i64,
        end: i64,
        pushed_back: &HashSet<i64>,
    ) -> Result<Vec<Candidate>>;
    /// Adds what costs a lookup to the front runners.
    fn details(&mut self, cands: &mut [Candidate]) -> Result<()>;
    /// The chosen complaints with their texts cut to `chars`, in the order given.
    fn verbatims(&mut self, picked: &[Candidate], chars: usize) -> Result<Vec<Verbatim>>;
    /// The last refresh of the checks the daily tallies and flags come from.
    fn last_check_run(&mut self) -> Result<Option<Run>>;
    /// The end of the decisions' chain or of the CAR steps'.
    fn chain_end(&mut self, table: ChainTable) -> Result<Option<ChainEnd>>;
}

/// SQLite's reads of one read transaction.
pub struct ReportReader<'a> {
    conn: &'a Connection,
}

impl Db {
    /// Runs `read` over one read transaction of the store, however long it takes and whoever
    /// writes meanwhile.
    pub fn read_report<T, E: From<StoreError>>(
        &mut self,
        read: impl FnOnce(&mut dyn ReportReads) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let tx = self.conn.transaction().map_err(StoreError::from)?;
        let out = read(&mut ReportReader { conn: &tx })?;
        tx.finish().map_err(StoreError::from)?;
        Ok(out)
    }
}

impl ReportReads for ReportReader<'_> {
    fn days(&mut self, divisions: Option<&[String]>, start: i64, end: i64) -> Result<Vec<DayRow>> {
        Ok(sr::days(self.conn, divisions, start, end)?)
    }

    fn review(
        &mut self,
        divisions: Option<&[String]>,
        trend_start: i64,
        period: (i64, i64),
        now: i64,
    ) -> Result<Review> {
        Ok(sr::review(self.conn, divisions, trend_start, period, now)?)
    }

    fn score_days(
        &mut self,
        divisions: Option<&[String]>,
        start: i64,
        end: i64,
    ) -> Result<Vec<ScoreDay>> {
        Ok(recommend::score_days(self.conn, divisions, start, end)?)
    }

    fn cars(
        &mut self,
        divisions: Option<&[String]>,
        trend_start: i64,
        end: i64,
    ) -> Result<Vec<CarFacts>> {
        Ok(report_cars::cars(self.conn, divisions, trend_start, end)?)
    }

    fn canned_groups(
        &mut self,
        divisions: Option<&[String]>,
        start: i64,
        end: i64,
        limit: i64,
    ) -> Result<Vec<GroupFact>> {
        Ok(picks::canned_groups(
            self.conn, divisions, start, end, limit,
        )?)
    }

    fn candidates(
        &mut self,
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

    fn details(&mut self, cands: &mut [Candidate]) -> Result<()> {
        Ok(picks::details(self.conn, cands)?)
    }

    fn verbatims(&mut self, picked: &[Candidate], chars: usize) -> Result<Vec<Verbatim>> {
        Ok(picks::verbatims(self.conn, picked, chars)?)
    }

    fn last_check_run(&mut self) -> Result<Option<Run>> {
        Ok(flag_reads::last_run(self.conn)?)
    }

    fn chain_end(&mut self, table: ChainTable) -> Result<Option<ChainEnd>> {
        Ok(sd::chain_end(self.conn, table)?)
    }
}
