//! Samples on the PostgreSQL store: recording a draw, reading samples back, and the reviewed
//! items the roll-ups are computed from. The rows hold what SQLite's hold (`store::samples`),
//! so a sample drawn here replays alike; the items are judged by the same domain code
//! (`domain::rollup::Item::of`). Row-level security applies to every read: a division head
//! sees the items, complaints and decisions of their own divisions only.

use std::collections::HashMap;

use postgres::{Client, GenericClient, IsolationLevel, Transaction};

use crate::domain::decision::Decision;
use crate::domain::draw::LIST_LIMIT;
use crate::domain::report::SampleBound;
use crate::domain::rollup::Item as RollupItem;
use crate::domain::sample_bound::of_items;
use crate::store::draw::{Drawn, Item, Spec};
use crate::store::rollup::needs_text_hash;
use crate::store::samples::{design, stored_json, Sample};

use super::decisions::{decision_from_row, DECISION_COLUMNS};
use super::{describe, population, text, PgError, PgStore};

/// Taken (for the session) by whoever records a sample, from before the next id is read until
/// the sample is committed: the id is the boundary for "already sampled", so no two draws may
/// take the same one, nor draw from a view that misses a sample being recorded.
const SAMPLES_LOCK: &str = "SELECT pg_advisory_lock(hashtext('signoff samples'))";
const SAMPLES_UNLOCK: &str = "SELECT pg_advisory_unlock(hashtext('signoff samples'))";

const NEXT_ID: &str = "SELECT coalesce(max(id), 0) + 1 FROM samples";

const SAMPLE_COLUMNS: &str =
    "id, label, drawn_by, drawn_at, spec, seed, population, fingerprint, confidence, strata";

/// What went wrong, before it is said against the store.
enum Failure {
    Server(postgres::Error),
    /// A row that does not read as what it should hold, or a value that cannot be stored.
    Row(String),
}

impl From<postgres::Error> for Failure {
    fn from(e: postgres::Error) -> Failure {
        Failure::Server(e)
    }
}

impl PgStore {
    fn failed(&self, f: Failure) -> PgError {
        PgError {
            url: self.url.clone(),
            message: match f {
                Failure::Server(e) => describe(&e),
                Failure::Row(m) => m,
            },
        }
    }

    /// The id the next recorded sample gets: the boundary for "already sampled".
    pub fn next_sample_id(&mut self) -> Result<i64, PgError> {
        let row = self.client.query_one(NEXT_ID, &[]);
        row.map(|r| r.get(0))
            .map_err(|e| self.failed(Failure::Server(e)))
    }

    /// Draws and records a sample in one transaction, holding the samples' lock so that its id
    /// (the boundary for "already sampled") cannot be taken by a concurrent draw. Returns the
    /// id, or None when nothing matched (and nothing is recorded). The server checks that the
    /// one who connected is an executive recording their own draw.
    pub fn draw_and_record(
        &mut self,
        spec: &Spec,
        seed: u64,
        label: &str,
        drawn_by: &str,
        drawn_at: i64,
    ) -> Result<(Option<i64>, Drawn), PgError> {
        let sample = NewSample {
            spec,
            seed,
            label,
            drawn_by,
            drawn_at,
        };
        let recorded = locked_draw_and_record(&mut self.client, &sample);
        recorded.map_err(|f| self.failed(f))
    }

    /// The sample a key (its id, with or without a leading '#', or its label) names: by id
    /// first, else the latest with that label.
    pub fn sample(&mut self, key: &str) -> Result<Option<Sample>, PgError> {
        let found = find(&mut self.client, key);
        found.map_err(|f| self.failed(f))
    }

    pub fn latest_sample(&mut self) -> Result<Option<Sample>, PgError> {
        let sql = format!("SELECT {SAMPLE_COLUMNS} FROM samples ORDER BY id DESC LIMIT 1");
        let found = one_sample(&mut self.client, &sql, &[]);
        found.map_err(|f| self.failed(f))
    }

    pub fn samples(&mut self) -> Result<Vec<Sample>, PgError> {
        let sql = format!("SELECT {SAMPLE_COLUMNS} FROM samples ORDER BY id");
        let all = (|| -> Result<Vec<Sample>, Failure> {
            let rows = self.client.query(&sql, &[])?;
            rows.iter()
                .map(|r| sample_from_row(r).map_err(Failure::Row))
                .collect()
        })();
        all.map_err(|f| self.failed(f))
    }

    /// A recorded sample's items this connection may see, in draw order.
    pub fn sample_items(&mut self, sample_id: i64) -> Result<Vec<Item>, PgError> {
        let rows = self.client.query(
            "SELECT complaint_id, reason FROM sample_items WHERE sample_id = $1
             ORDER BY position",
            &[&sample_id],
        );
        rows.map(|rows| {
            rows.iter()
                .map(|r| Item {
                    complaint_id: r.get(0),
                    reason: r.get(1),
                })
                .collect()
        })
        .map_err(|e| self.failed(Failure::Server(e)))
    }

    /// What a recorded sample proves now (`domain::sample_bound`), over the items this
    /// connection may see.
    pub fn sample_bound(&mut self, s: &Sample, now: i64) -> Result<SampleBound, PgError> {
        let items = self.reviewed_of_sample(s.id, None, now)?;
        Ok(of_items(&design(s, &items), &items))
    }

    /// A sample's items with their review state, in draw order, in the divisions given (None:
    /// all this connection may see).
    pub fn reviewed_of_sample(
        &mut self,
        sample_id: i64,
        divisions: Option<&[String]>,
        now: i64,
    ) -> Result<Vec<RollupItem>, PgError> {
        let scope = divisions.map(<[String]>::to_vec);
        let items = reviewed(
            &mut self.client,
            "SELECT si.complaint_id, si.reason, c.division
             FROM sample_items si JOIN complaints c ON c.id = si.complaint_id
             WHERE si.sample_id = $1
               AND ($2::TEXT[] IS NULL OR c.division = ANY($2::TEXT[]))
             ORDER BY si.position",
            &[&sample_id, &scope],
            now,
        );
        items.map_err(|f| self.failed(f))
    }

    /// Every sample's items with their review state, in the divisions given; with
    /// `decided_since`, only those with a decision made since then. A complaint drawn twice is
    /// listed twice: the roll-up counts it once.
    pub fn reviewed_of_all_samples(
        &mut self,
        divisions: Option<&[String]>,
        decided_since: Option<i64>,
        now: i64,
    ) -> Result<Vec<RollupItem>, PgError> {
        let scope = divisions.map(<[String]>::to_vec);
        let items = reviewed(
            &mut self.client,
            "SELECT si.complaint_id, si.reason, c.division
             FROM sample_items si JOIN complaints c ON c.id = si.complaint_id
             WHERE ($1::TEXT[] IS NULL OR c.division = ANY($1::TEXT[]))
               AND ($2::BIGINT IS NULL OR EXISTS (SELECT 1 FROM decisions d
                                                  WHERE d.complaint_id = si.complaint_id
                                                    AND d.at >= $2::BIGINT))
             ORDER BY si.sample_id, si.position",
            &[&scope, &decided_since],
            now,
        );
        items.map_err(|f| self.failed(f))
    }

    /// Complaints decided outside any sample, in the divisions given; with `decided`, only
    /// those with a decision made in [start, end). Their reason is empty.
    pub fn reviewed_ad_hoc(
        &mut self,
        divisions: Option<&[String]>,
        decided: Option<(i64, i64)>,
        now: i64,
    ) -> Result<Vec<RollupItem>, PgError> {
        let scope = divisions.map(<[String]>::to_vec);
        let (start, end) = decided.unzip();
        let items = reviewed(
            &mut self.client,
            "SELECT DISTINCT d.complaint_id, ''::TEXT, c.division
             FROM decisions d JOIN complaints c ON c.id = d.complaint_id
             WHERE NOT EXISTS (SELECT 1 FROM sample_items si
                               WHERE si.complaint_id = d.complaint_id)
               AND ($1::TEXT[] IS NULL OR c.division = ANY($1::TEXT[]))
               AND ($2::BIGINT IS NULL OR (d.at >= $2::BIGINT AND d.at < $3::BIGINT))
             ORDER BY d.complaint_id",
            &[&scope, &start, &end],
            now,
        );
        items.map_err(|f| self.failed(f))
    }
}

/// A sample to draw and record.
struct NewSample<'a> {
    spec: &'a Spec,
    seed: u64,
    label: &'a str,
    drawn_by: &'a str,
    drawn_at: i64,
}

/// [`draw_and_record`] under the samples' lock, released whatever happened.
fn locked_draw_and_record(
    client: &mut Client,
    s: &NewSample,
) -> Result<(Option<i64>, Drawn), Failure> {
    // Taken before the transaction: a repeatable-read transaction's snapshot is fixed by its
    // first statement, and must already see every sample recorded before the lock was ours.
    client.execute(SAMPLES_LOCK, &[])?;
    let done = draw_and_record(client, s);
    let unlocked = client.execute(SAMPLES_UNLOCK, &[]);
    let (id, drawn) = done?;
    if let Err(e) = unlocked {
        return Err(Failure::Row(match id {
            Some(id) => format!(
                "sample {id} was recorded, but the samples' lock was not released: {}",
                describe(&e)
            ),
            None => describe(&e),
        }));
    }
    Ok((id, drawn))
}

/// Draws from one snapshot and records what was drawn, in one transaction.
fn draw_and_record(client: &mut Client, s: &NewSample) -> Result<(Option<i64>, Drawn), Failure> {
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .start()?;
    let id: i64 = tx.query_one(NEXT_ID, &[])?.get(0);
    let drawn = population::draw_in(&mut tx, s.spec, s.seed, id, LIST_LIMIT)?;
    if drawn.items.is_empty() {
        return Ok((None, drawn));
    }
    record(&mut tx, id, s, &drawn)?;
    tx.commit()?;
    Ok((Some(id), drawn))
}

/// Records a drawn sample and its items as SQLite records them (`samples::record`): the spec
/// and strata as JSON, the seed as its decimal digits (it is unsigned 64-bit), the items
/// numbered from 1 in draw order.
fn record(tx: &mut Transaction, id: i64, s: &NewSample, drawn: &Drawn) -> Result<(), Failure> {
    let (spec_json, strata_json) = stored_json(s.spec, drawn)
        .map_err(|e| Failure::Row(format!("sample {id} cannot be written: {e}")))?;
    let population = i64::try_from(drawn.population)
        .map_err(|_| Failure::Row(format!("sample {id}: a population of {}", drawn.population)))?;
    tx.execute(
        "INSERT INTO samples (id, label, drawn_by, drawn_at, spec, seed, population,
             fingerprint, confidence, strata)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &id,
            &s.label,
            &s.drawn_by,
            &s.drawn_at,
            &spec_json,
            &s.seed.to_string(),
            &population,
            &drawn.fingerprint,
            &s.spec.plan.confidence(),
            &strata_json,
        ],
    )?;
    let positions: Vec<i32> = (1..=drawn.items.len() as i32).collect();
    let complaints: Vec<i64> = drawn.items.iter().map(|it| it.complaint_id).collect();
    let reasons: Vec<&str> = drawn.items.iter().map(|it| it.reason.as_str()).collect();
    tx.execute(
        "INSERT INTO sample_items (sample_id, position, complaint_id, reason)
         SELECT $1, u.position, u.complaint_id, u.reason
         FROM unnest($2::INTEGER[], $3::BIGINT[], $4::TEXT[]) AS u(position, complaint_id, reason)",
        &[&id, &positions, &complaints, &reasons],
    )?;
    Ok(())
}

fn sample_from_row(r: &postgres::Row) -> Result<Sample, String> {
    let id: i64 = r.get(0);
    let spec: String = r.get(4);
    let seed: String = r.get(5);
    let strata: Option<String> = r.get(9);
    Ok(Sample {
        id,
        label: r.get(1),
        drawn_by: r.get(2),
        drawn_at: r.get(3),
        spec: serde_json::from_str(&spec).map_err(|e| format!("sample {id}: its spec: {e}"))?,
        seed: seed
            .parse()
            .map_err(|e| format!("sample {id}: its seed {seed:?}: {e}"))?,
        population: r.get::<_, i64>(6).max(0) as u64,
        fingerprint: r.get(7),
        confidence: r.get(8),
        strata: strata
            .map(|s| serde_json::from_str(&s))
            .transpose()
            .map_err(|e| format!("sample {id}: its strata: {e}"))?,
    })
}

fn one_sample(
    c: &mut impl GenericClient,
    sql: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
) -> Result<Option<Sample>, Failure> {
    c.query_opt(sql, params)?
        .map(|r| sample_from_row(&r).map_err(Failure::Row))
        .transpose()
}

fn find(c: &mut Client, key: &str) -> Result<Option<Sample>, Failure> {
    if let Ok(id) = key.trim_start_matches('#').parse::<i64>() {
        let sql = format!("SELECT {SAMPLE_COLUMNS} FROM samples WHERE id = $1");
        if let Some(s) = one_sample(c, &sql, &[&id])? {
            return Ok(Some(s));
        }
    }
    let sql =
        format!("SELECT {SAMPLE_COLUMNS} FROM samples WHERE label = $1 ORDER BY id DESC LIMIT 1");
    one_sample(c, &sql, &[&key])
}

/// The complaints a query lists (id, reason, division), each judged from all its decisions,
/// all read from one snapshot.
fn reviewed(
    client: &mut Client,
    sql: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
    now: i64,
) -> Result<Vec<RollupItem>, Failure> {
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let listed: Vec<(i64, String, String)> = tx
        .query(sql, params)?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let items = judge(&mut tx, listed, now)?;
    tx.commit()?;
    Ok(items)
}

/// Items as the roll-up sees them (`rollup::judge`): their decisions read in one query, and
/// the current text hashed only for those whose last standing decision is a sign-off.
fn judge(
    tx: &mut Transaction,
    listed: Vec<(i64, String, String)>,
    now: i64,
) -> Result<Vec<RollupItem>, Failure> {
    let mut ids: Vec<i64> = listed.iter().map(|(id, _, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut decisions: HashMap<i64, Vec<Decision>> = HashMap::new();
    let sql = format!(
        "SELECT {DECISION_COLUMNS} FROM decisions WHERE complaint_id = ANY($1) ORDER BY id"
    );
    for r in tx.query(&sql, &[&ids])? {
        let d = decision_from_row("", &r).map_err(|e| Failure::Row(e.message))?;
        decisions.entry(d.complaint_id).or_default().push(d);
    }
    let mut hashes: HashMap<i64, String> = HashMap::new();
    let mut out = Vec::with_capacity(listed.len());
    for (id, reason, division) in listed {
        let ds = decisions.get(&id).map(Vec::as_slice).unwrap_or_default();
        let hash = match needs_text_hash(ds) {
            false => String::new(),
            true => match hashes.get(&id) {
                Some(h) => h.clone(),
                None => {
                    let h = text::text_hash(tx, id)?.ok_or_else(|| {
                        Failure::Row(format!(
                            "complaint {id} is not in the store, or not yours to see"
                        ))
                    })?;
                    hashes.insert(id, h.clone());
                    h
                }
            },
        };
        out.push(RollupItem::of(id, &division, &reason, ds, &hash, now));
    }
    Ok(out)
}
