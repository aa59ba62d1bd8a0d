//! The review pack on the PostgreSQL store: the same reads as SQLite's (`store::report_reader`),
//! from the same tables, in one repeatable-read, read-only transaction, so that every figure
//! comes from the same moment however long the pack takes and whoever writes meanwhile.
//! Row-level security limits a division head to her divisions' rows; the division filter is
//! applied as well, as on SQLite, for a pack narrowed to one division.

use std::collections::HashSet;

use postgres::types::ToSql;
use postgres::{IsolationLevel, Row, Transaction};

use crate::domain::pack::ChainEnd;
use crate::domain::recommend::ScoreDay;
use crate::domain::report::{CarFacts, DayCounts, DayRow, GroupFact, Verbatim};
use crate::domain::verbatim::Candidate;
use crate::store::decisions::ChainTable;
use crate::store::flag_reads::Run;
use crate::store::report_cars::{attach, StepRow};
use crate::store::report_reader::ReportReads;
use crate::store::report_review::{self, Review};
use crate::store::{Result, StoreError};

use super::{describe, PgError, PgStore};

/// The reads of one transaction.
pub(super) struct Reader<'a> {
    pub(super) tx: Transaction<'a>,
    url: String,
}

impl PgStore {
    /// Runs `read` over one repeatable-read, read-only transaction of the store.
    pub fn read_report<T, E: From<StoreError>>(
        &mut self,
        read: impl FnOnce(&mut dyn ReportReads) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let url = self.url.clone();
        let fail = |e: postgres::Error| {
            StoreError::from(PgError {
                url: url.clone(),
                message: describe(&e),
            })
        };
        let tx = self
            .client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(fail)?;
        let mut reader = Reader {
            tx,
            url: url.clone(),
        };
        let out = read(&mut reader)?;
        reader.tx.commit().map_err(fail)?;
        Ok(out)
    }
}

impl Reader<'_> {
    pub(super) fn fail(&self, e: postgres::Error) -> StoreError {
        self.said(describe(&e))
    }

    /// A row that does not read as what it should hold, said against the store.
    pub(super) fn said(&self, message: String) -> StoreError {
        StoreError::from(PgError {
            url: self.url.clone(),
            message,
        })
    }

    pub(super) fn query(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        let rows = self.tx.query(sql, params);
        rows.map_err(|e| self.fail(e))
    }
}

/// CARs that matter to the period, as SQLite reads them (`report_cars`): opened before its end
/// ($1), and either opened within the trend's span ($2) or not closed before it began.
const WANTED_CARS: &str = "k.opened_at < $1
    AND (k.opened_at >= $2 OR NOT EXISTS (SELECT 1 FROM car_events x
         WHERE x.car_id = k.id AND x.step = 'close' AND x.at < $2))
    AND ($3::text[] IS NULL OR c.division = ANY($3))";

impl ReportReads for Reader<'_> {
    fn days(&mut self, divisions: Option<&[String]>, start: i64, end: i64) -> Result<Vec<DayRow>> {
        let rows = self.query(
            "SELECT day, division, complaints, responded, canned, contact_ignored,
                 escalation_refused, late, wants_contact, detractors, rt_0, rt_1, rt_2, rt_3, rt_4,
                 rt_5, rt_unknown, rt_seconds
             FROM check_daily
             WHERE day >= $1 AND day < $2 AND ($3::text[] IS NULL OR division = ANY($3))
             ORDER BY day, division",
            &[
                &start.div_euclid(86_400),
                &end.div_euclid(86_400),
                &divisions,
            ],
        )?;
        Ok(rows
            .iter()
            .map(|r| DayRow {
                day: r.get(0),
                division: r.get(1),
                counts: DayCounts {
                    complaints: r.get(2),
                    responded: r.get(3),
                    canned: r.get(4),
                    contact_ignored: r.get(5),
                    escalation_refused: r.get(6),
                    late: r.get(7),
                    wants_contact: r.get(8),
                    detractors: r.get(9),
                    rt: [
                        r.get(10),
                        r.get(11),
                        r.get(12),
                        r.get(13),
                        r.get(14),
                        r.get(15),
                    ],
                    rt_unknown: r.get(16),
                    rt_seconds: r.get(17),
                },
            })
            .collect())
    }

    fn review(
        &mut self,
        divisions: Option<&[String]>,
        trend_start: i64,
        period: (i64, i64),
        now: i64,
    ) -> Result<Review> {
        report_review::review(self, divisions, trend_start, period, now)
    }

    fn score_days(
        &mut self,
        divisions: Option<&[String]>,
        start: i64,
        end: i64,
    ) -> Result<Vec<ScoreDay>> {
        let days = super::screen::score_days(&mut self.tx, divisions, start, end);
        days.map_err(|e| self.fail(e))
    }

    fn cars(
        &mut self,
        divisions: Option<&[String]>,
        trend_start: i64,
        end: i64,
    ) -> Result<Vec<CarFacts>> {
        let args: [&(dyn ToSql + Sync); 3] = [&end, &trend_start, &divisions];
        let mut out: Vec<CarFacts> = self
            .query(
                &format!(
                    "SELECT k.id, k.complaint_id, c.external_id, c.division, k.opened_at, k.due_at
                     FROM cars k JOIN complaints c ON c.id = k.complaint_id
                     WHERE {WANTED_CARS} ORDER BY k.id"
                ),
                &args,
            )?
            .iter()
            .map(|r| CarFacts {
                id: r.get(0),
                complaint_id: r.get(1),
                external_id: r.get(2),
                division: r.get(3),
                opened_at: r.get(4),
                due_at: r.get(5),
                events: Vec::new(),
            })
            .collect();
        // Only what states and counts need: no texts, no hashes.
        let events = self
            .query(
                &format!(
                    "SELECT car_id, complaint_id, step, at, happened_at, due_at, category, worked
                     FROM car_events WHERE car_id IN
                         (SELECT k.id FROM cars k JOIN complaints c ON c.id = k.complaint_id
                          WHERE {WANTED_CARS})
                     ORDER BY id"
                ),
                &args,
            )?
            .iter()
            .map(|r| {
                StepRow {
                    car_id: r.get(0),
                    complaint_id: r.get(1),
                    step: r.get(2),
                    at: r.get(3),
                    happened_at: r.get(4),
                    due_at: r.get(5),
                    category: r.get(6),
                    worked: r.get(7),
                }
                .event()
            })
            .collect();
        attach(&mut out, events);
        Ok(out)
    }

    fn canned_groups(
        &mut self,
        divisions: Option<&[String]>,
        start: i64,
        end: i64,
        limit: i64,
    ) -> Result<Vec<GroupFact>> {
        super::report_picks::canned_groups(self, divisions, start, end, limit)
    }

    fn candidates(
        &mut self,
        divisions: Option<&[String]>,
        start: i64,
        end: i64,
        pushed_back: &HashSet<i64>,
    ) -> Result<Vec<Candidate>> {
        super::report_picks::candidates(self, divisions, start, end, pushed_back)
    }

    fn details(&mut self, cands: &mut [Candidate]) -> Result<()> {
        super::report_picks::details(self, cands)
    }

    fn verbatims(&mut self, picked: &[Candidate], chars: usize) -> Result<Vec<Verbatim>> {
        super::report_picks::verbatims(self, picked, chars)
    }

    fn last_check_run(&mut self) -> Result<Option<Run>> {
        let rows = self.query(
            "SELECT at, run_by, complaints, flagged, canned_groups, millis FROM check_runs
             ORDER BY id DESC LIMIT 1",
            &[],
        )?;
        Ok(rows.first().map(|r| Run {
            at: r.get(0),
            run_by: r.get(1),
            complaints: r.get(2),
            flagged: r.get(3),
            canned_groups: r.get(4),
            millis: r.get(5),
        }))
    }

    /// The chain's end as the whole store has it. A login that reads every record (an
    /// executive, an admin, the tables' owner) reads it as SQLite does. A division head reads
    /// only her divisions' records: the chain's end (its id and hash, nothing of what it says)
    /// comes from `signoff_chain_end`, which the server gives to any of the people, and
    /// `records` counts the records she reads (`signoff_records_seen`, which counts them at
    /// once rather than checking her right to each record of the chain), since she may not
    /// count the others.
    fn chain_end(&mut self, table: ChainTable) -> Result<Option<ChainEnd>> {
        let name = match table {
            ChainTable::Decisions => "decisions",
            ChainTable::CarSteps => "car_events",
        };
        let rows = self.query(
            "SELECT NOT row_security_active($1::text) OR coalesce(signoff_sees_all(), false),
                 signoff_my_role() IS NOT NULL",
            &[&name],
        )?;
        let (whole, among_people) = rows.first().map_or((true, false), |r| (r.get(0), r.get(1)));
        let rows = if whole || !among_people {
            let sql = format!(
                "SELECT (SELECT count(*) FROM {name}), id, hash FROM {name}
                 ORDER BY id DESC LIMIT 1"
            );
            self.query(&sql, &[])?
        } else {
            self.query(
                "SELECT signoff_records_seen($1), e.id, e.hash
                 FROM signoff_chain_end($1) e WHERE e.id IS NOT NULL",
                &[&name],
            )?
        };
        Ok(rows.first().map(|r| ChainEnd {
            records: r.get(0),
            id: r.get(1),
            hash: r.get(2),
        }))
    }
}
