//! The complaints of a PostgreSQL store, as a draw asks about them (`domain::population`):
//! the same questions as SQLite's, so that the same seed over the same complaints draws the
//! same items (`domain::draw` makes every choice). A draw runs in one read-only, repeatable-read
//! transaction, so every answer comes from one snapshot.

use std::cell::RefCell;
use std::collections::BTreeMap;

use postgres::types::ToSql;
use postgres::{IsolationLevel, Transaction};

use super::{describe, phrase_sets, PgError, PgStore};
use crate::domain::draw::{self as drawing, Drawn, LIST_LIMIT};
use crate::domain::population::{Cond, Member, Population, Probe, RuleMatch};
use crate::domain::sample::{Filters, Rule, Spec};
use crate::store::draw::phrase_query;
use crate::store::rule_sets::PhraseSet;

/// The complaints one transaction sees.
pub struct PgPopulation<'t, 'c> {
    tx: RefCell<&'t mut Transaction<'c>>,
}

type Param = Box<dyn ToSql + Sync>;

/// A WHERE clause over `complaints c`, with its parameters numbered from `first`.
struct Where {
    sql: Vec<String>,
    params: Vec<Param>,
}

impl Where {
    fn of(cond: &Cond, first: usize) -> Where {
        let mut w = Where {
            sql: vec!["TRUE".into()],
            params: Vec::new(),
        };
        if let Some(f) = cond.filters {
            w.filters(f, first);
        }
        if let Some((lo, hi)) = cond.ids {
            let (a, b) = (w.param(lo, first), w.param(hi, first));
            w.sql.push(format!("c.id BETWEEN {a} AND {b}"));
        }
        if let Some(rule) = &cond.rule {
            w.rule(rule, first);
        }
        if let Some(d) = cond.division {
            let a = w.param(d.to_string(), first);
            w.sql.push(format!("c.division = {a}"));
        }
        if let Some(ids) = cond.among {
            let a = w.param(ids.to_vec(), first);
            w.sql.push(format!("c.id = ANY({a})"));
        }
        w
    }

    /// Adds a parameter; returns its placeholder.
    fn param<T: ToSql + Sync + 'static>(&mut self, v: T, first: usize) -> String {
        self.params.push(Box::new(v));
        format!("${}", first + self.params.len() - 1)
    }

    fn filters(&mut self, f: &Filters, first: usize) {
        if let Some(s) = f.since {
            let a = self.param(s, first);
            self.sql.push(format!("c.received_at >= {a}"));
        }
        if let Some(u) = f.until {
            let a = self.param(u, first);
            self.sql.push(format!("c.received_at < {a}"));
        }
        for (column, xs) in [
            ("division", &f.divisions),
            ("source", &f.sources),
            ("channel", &f.channels),
            ("product", &f.products),
        ] {
            if !xs.is_empty() {
                let a = self.param(xs.clone(), first);
                self.sql.push(format!("c.{column} = ANY({a})"));
            }
        }
    }

    fn rule(&mut self, rule: &RuleMatch, first: usize) {
        match rule {
            RuleMatch::LikelihoodAtMost(max) => {
                let a = self.param(i64::from(*max), first);
                self.sql.push(format!("c.likelihood <= {a}::BIGINT"));
            }
            RuleMatch::WantsContact => self.sql.push("c.wants_contact".into()),
            RuleMatch::Canned => self
                .sql
                .push("c.id IN (SELECT complaint_id FROM canned_members)".into()),
            RuleMatch::Flagged(r) => {
                let a = self.param(r.name().to_string(), first);
                self.sql.push(format!(
                    "c.id IN (SELECT complaint_id FROM complaint_flags WHERE flag = {a})"
                ));
            }
            RuleMatch::Phrases(phrases) => {
                let phrases: Vec<String> = phrases
                    .iter()
                    .filter(|p| !p.trim().is_empty())
                    .cloned()
                    .collect();
                if phrases.is_empty() {
                    self.sql.push("FALSE".into());
                } else {
                    let a = self.param(phrases, first);
                    self.sql.push(format!(
                        "c.id = ANY(ARRAY(SELECT signoff_phrase_matches({a})))"
                    ));
                }
            }
        }
    }

    fn clause(&self) -> String {
        self.sql.join(" AND ")
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params.iter().map(|p| p.as_ref()).collect()
    }
}

impl<'t, 'c> PgPopulation<'t, 'c> {
    /// Whether loads have kept counts (both tables written, and agreeing), as SQLite checks.
    fn counts_kept(&self) -> Result<bool, postgres::Error> {
        let row = &self.rows(
            "SELECT (SELECT coalesce(sum(complaints), 0)::BIGINT FROM division_counts),
                    (SELECT coalesce(sum(complaints), 0)::BIGINT FROM rule_counts)",
            &[],
        )?[0];
        let (divisions, rules): (i64, i64) = (row.get(0), row.get(1));
        Ok(divisions > 0 && divisions == rules)
    }

    fn rows(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, postgres::Error> {
        self.tx.borrow_mut().query(sql, params)
    }
}

impl Population for PgPopulation<'_, '_> {
    type Error = postgres::Error;
    type Set = PhraseSet;

    fn count(&self, cond: &Cond) -> Result<u64, postgres::Error> {
        let w = Where::of(cond, 1);
        let sql = format!("SELECT count(*) FROM complaints c WHERE {}", w.clause());
        Ok(self.rows(&sql, &w.refs())?[0].get::<_, i64>(0) as u64)
    }

    fn ids(&self, cond: &Cond) -> Result<Vec<i64>, postgres::Error> {
        let w = Where::of(cond, 1);
        let sql = format!(
            "SELECT c.id FROM complaints c WHERE {} ORDER BY c.id",
            w.clause()
        );
        Ok(self
            .rows(&sql, &w.refs())?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn members(&self, cond: &Cond) -> Result<Vec<Member>, postgres::Error> {
        let w = Where::of(cond, 1);
        let sql = format!(
            "SELECT c.id, c.division, c.likelihood, c.wants_contact FROM complaints c
             WHERE {} ORDER BY c.id",
            w.clause()
        );
        Ok(self
            .rows(&sql, &w.refs())?
            .iter()
            .map(|r| Member {
                id: r.get(0),
                division: r.get(1),
                likelihood: r.get::<_, Option<i16>>(2).map(i64::from),
                wants_contact: r.get::<_, Option<bool>>(3) == Some(true),
            })
            .collect())
    }

    fn division_counts(&self, cond: &Cond) -> Result<BTreeMap<String, u64>, postgres::Error> {
        let w = Where::of(cond, 1);
        let sql = format!(
            "SELECT c.division, count(*) FROM complaints c WHERE {} GROUP BY c.division",
            w.clause()
        );
        Ok(self
            .rows(&sql, &w.refs())?
            .iter()
            .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
            .collect())
    }

    fn probe<'p>(&'p self, cond: &Cond) -> Result<Probe<'p, postgres::Error>, postgres::Error> {
        let w = Where::of(cond, 2);
        let sql = format!(
            "SELECT c.division FROM complaints c WHERE c.id = $1 AND {}",
            w.clause()
        );
        let statement = self.tx.borrow_mut().prepare(&sql)?;
        Ok(Box::new(move |id: i64| {
            let mut params: Vec<&(dyn ToSql + Sync)> = vec![&id];
            params.extend(w.refs());
            let row = self.tx.borrow_mut().query_opt(&statement, &params)?;
            Ok(row.map(|r| r.get(0)))
        }))
    }

    fn probe_many(&self, cond: &Cond, ids: &[i64]) -> Result<Vec<Option<String>>, postgres::Error> {
        let w = Where::of(cond, 2);
        let sql = format!(
            "SELECT c.id, c.division FROM complaints c WHERE c.id = ANY($1) AND {}",
            w.clause()
        );
        let wanted = ids.to_vec();
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&wanted];
        params.extend(w.refs());
        let found: std::collections::HashMap<i64, String> = self
            .rows(&sql, &params)?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        Ok(ids.iter().map(|id| found.get(id).cloned()).collect())
    }

    // Each lookup is a round trip to the server: a random draw's picks are asked for a stretch
    // at a time.
    fn probe_stretch(&self) -> u64 {
        4096
    }

    fn id_span(&self) -> Result<Option<(i64, i64)>, postgres::Error> {
        let rows = self.rows("SELECT min(id), max(id) FROM complaints", &[])?;
        let (lo, hi): (Option<i64>, Option<i64>) = (rows[0].get(0), rows[0].get(1));
        Ok(lo.zip(hi))
    }

    fn earlier_samples(
        &self,
        filters: &Filters,
        boundary: i64,
    ) -> Result<BTreeMap<i64, String>, postgres::Error> {
        let w = Where::of(&Cond::filtered(filters), 2);
        let sql = format!(
            "SELECT DISTINCT c.id, c.division FROM sample_items si
             JOIN complaints c ON c.id = si.complaint_id
             WHERE si.sample_id < $1 AND {}",
            w.clause()
        );
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&boundary];
        params.extend(w.refs());
        Ok(self
            .rows(&sql, &params)?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    // As a SQLite store does: from the counts each load keeps, when they cover the store
    // (a store filled some other way than by a load keeps none, and the draw counts).
    fn kept_division_counts(&self) -> Result<Option<BTreeMap<String, u64>>, postgres::Error> {
        if !self.counts_kept()? {
            return Ok(None);
        }
        Ok(Some(
            self.rows("SELECT division, complaints FROM division_counts", &[])?
                .iter()
                .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
                .collect(),
        ))
    }

    fn kept_rule_count(&self, rule: &RuleMatch) -> Result<Option<u64>, postgres::Error> {
        if !matches!(
            rule,
            RuleMatch::LikelihoodAtMost(_) | RuleMatch::WantsContact
        ) || !self.counts_kept()?
        {
            return Ok(None);
        }
        let rows = match rule {
            RuleMatch::LikelihoodAtMost(max) => self.rows(
                "SELECT coalesce(sum(complaints), 0)::BIGINT FROM rule_counts
                 WHERE likelihood BETWEEN 0 AND $1::BIGINT",
                &[&i64::from(*max)],
            )?,
            _ => self.rows(
                "SELECT coalesce(sum(complaints), 0)::BIGINT FROM rule_counts
                 WHERE wants_contact = 1",
                &[],
            )?,
        };
        Ok(Some(rows[0].get::<_, i64>(0).max(0) as u64))
    }

    // The set the loads keep for these phrases, as on SQLite; without one (the phrases changed
    // since the last load, or the login does not see every division) the matches are searched
    // for, so that a draw never depends on whether the loads kept them.
    fn kept_phrase_matches(
        &self,
        rule: Rule,
        phrases: &[String],
    ) -> Result<Option<PhraseSet>, postgres::Error> {
        let query = phrase_query(phrases);
        if let Some(set) = phrase_sets::kept(&mut self.tx.borrow_mut(), rule.name(), &query)? {
            return Ok(Some(set));
        }
        let ids = self.ids(&Cond::all().rule(RuleMatch::Phrases(phrases)))?;
        Ok(Some(ids.into_iter().collect()))
    }

    fn watermark(&self) -> Result<i64, postgres::Error> {
        Ok(self.rows(
            "SELECT coalesce(max(id), 0) FROM imports WHERE inserted + updated > 0",
            &[],
        )?[0]
            .get(0))
    }
}

impl PgStore {
    /// Draws a sample from the complaints this login may read (`domain::draw`), in one snapshot.
    /// `boundary` is the id the sample will have: complaints of earlier samples are left out
    /// unless the filters include sampled ones.
    pub fn draw(&mut self, spec: &Spec, seed: u64, boundary: i64) -> Result<Drawn, PgError> {
        self.draw_with_limit(spec, seed, boundary, LIST_LIMIT)
    }

    /// `draw` with the size above which populations are drawn by picks instead of listed.
    pub fn draw_with_limit(
        &mut self,
        spec: &Spec,
        seed: u64,
        boundary: i64,
        list_limit: u64,
    ) -> Result<Drawn, PgError> {
        let url = self.url.clone();
        let fail = |e: postgres::Error| PgError {
            url: url.clone(),
            message: describe(&e),
        };
        let mut tx = self
            .client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(fail)?;
        let drawn = draw_in(&mut tx, spec, seed, boundary, list_limit).map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(drawn)
    }

    /// How many complaints the filters let through, those of samples before `boundary` left
    /// out unless the filters include sampled ones.
    pub fn population_size(&mut self, filters: &Filters, boundary: i64) -> Result<u64, PgError> {
        let url = self.url.clone();
        let fail = |e: postgres::Error| PgError {
            url: url.clone(),
            message: describe(&e),
        };
        let mut tx = self
            .client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(fail)?;
        let n = {
            let pop = PgPopulation {
                tx: RefCell::new(&mut tx),
            };
            drawing::population_size(&pop, filters, boundary).map_err(fail)?
        };
        tx.commit().map_err(fail)?;
        Ok(n)
    }
}

/// A draw from what the transaction sees; the caller chooses its isolation (one snapshot for
/// the whole draw) and what else it does in it (recording the sample).
pub(super) fn draw_in(
    tx: &mut Transaction<'_>,
    spec: &Spec,
    seed: u64,
    boundary: i64,
    list_limit: u64,
) -> Result<Drawn, postgres::Error> {
    let pop = PgPopulation {
        tx: RefCell::new(tx),
    };
    drawing::draw(&pop, spec, seed, boundary, list_limit)
}
