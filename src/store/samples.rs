//! Drawing samples from the store and recording them.
//!
//! A narrow population is listed by id and drawn from the list; a broad one is drawn by random
//! picks in the id range checked against the filters, which costs microseconds a pick and never
//! sorts the table.

use std::collections::HashSet;

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::complaint::hex;
use crate::domain::rng::Rng;
use crate::domain::sample::{allocate_proportional, share_count, Include, Plan, Rule, Strata};

/// Which complaints a sample is drawn from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Filters {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub divisions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
    /// Received at or after (Unix seconds).
    pub since: Option<i64>,
    /// Received before (Unix seconds).
    pub until: Option<i64>,
    #[serde(default)]
    pub include_sampled: bool,
}

/// Everything a draw depends on besides the seed and the store: recorded with the sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    pub plan: Plan,
    pub filters: Filters,
    pub includes: Vec<Include>,
    pub strata: Strata,
    pub detractor_max: u8,
    pub manager_phrases: Vec<String>,
    pub negative_phrases: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub complaint_id: i64,
    /// "rule:wants-contact", "random" or "random:Billing".
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drawn {
    pub items: Vec<Item>,
    /// Complaints matching the filters.
    pub population: u64,
    /// The population the random part was drawn from (the rules' items taken out).
    pub random_population: u64,
    pub random_size: u64,
    pub fingerprint: String,
}

/// Populations up to this size are listed; larger ones are drawn by random picks.
const LIST_LIMIT: u64 = 100_000;

/// A WHERE clause assembled from fixed fragments, with its bound values.
#[derive(Clone)]
struct Cond {
    sql: Vec<&'static str>,
    values: Vec<Value>,
}

impl Cond {
    fn new() -> Cond {
        Cond {
            sql: vec!["1"],
            values: Vec::new(),
        }
    }

    fn and(&mut self, fragment: &'static str, value: Value) -> &mut Self {
        self.sql.push(fragment);
        self.values.push(value);
        self
    }

    fn and_const(&mut self, fragment: &'static str) -> &mut Self {
        self.sql.push(fragment);
        self
    }

    fn clause(&self) -> String {
        self.sql.join(" AND ")
    }
}

fn json_list(xs: &[String]) -> Value {
    Value::Text(serde_json::to_string(xs).unwrap_or_else(|_| "[]".into()))
}

fn population_cond(f: &Filters, boundary: i64) -> Cond {
    let mut c = Cond::new();
    if let Some(s) = f.since {
        c.and("c.received_at >= ?", Value::Integer(s));
    }
    if let Some(u) = f.until {
        c.and("c.received_at < ?", Value::Integer(u));
    }
    if !f.divisions.is_empty() {
        c.and(
            "c.division IN (SELECT value FROM json_each(?))",
            json_list(&f.divisions),
        );
    }
    if !f.sources.is_empty() {
        c.and(
            "c.source IN (SELECT value FROM json_each(?))",
            json_list(&f.sources),
        );
    }
    if !f.channels.is_empty() {
        c.and(
            "c.channel IN (SELECT value FROM json_each(?))",
            json_list(&f.channels),
        );
    }
    if !f.products.is_empty() {
        c.and(
            "c.product IN (SELECT value FROM json_each(?))",
            json_list(&f.products),
        );
    }
    if !f.include_sampled {
        c.and(
            "NOT EXISTS (SELECT 1 FROM sample_items si WHERE si.complaint_id = c.id AND si.sample_id < ?)",
            Value::Integer(boundary),
        );
    }
    c
}

/// An FTS5 query matching any of the phrases in the complaint text.
pub fn phrase_query(phrases: &[String]) -> String {
    let ors: Vec<String> = phrases
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| format!("\"{}\"", p.replace('"', "\"\"")))
        .collect();
    format!("complaint_text : ({})", ors.join(" OR "))
}

fn rule_cond(base: &Cond, rule: Rule, spec: &Spec) -> Cond {
    let mut c = base.clone();
    match rule {
        Rule::WouldNotRecommend => {
            c.and(
                "c.likelihood <= ?",
                Value::Integer(spec.detractor_max as i64),
            );
        }
        Rule::WantsContact => {
            c.and_const("c.wants_contact = 1");
        }
        Rule::AskedForManager => {
            c.and(
                "c.id IN (SELECT rowid FROM complaints_fts WHERE complaints_fts MATCH ?)",
                Value::Text(phrase_query(&spec.manager_phrases)),
            );
        }
        Rule::Negative => {
            c.and(
                "c.id IN (SELECT rowid FROM complaints_fts WHERE complaints_fts MATCH ?)",
                Value::Text(phrase_query(&spec.negative_phrases)),
            );
        }
    }
    c
}

fn count(conn: &Connection, c: &Cond) -> rusqlite::Result<u64> {
    let sql = format!("SELECT count(*) FROM complaints c WHERE {}", c.clause());
    conn.prepare_cached(&sql)?
        .query_row(params_from_iter(c.values.iter()), |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
}

fn list(conn: &Connection, c: &Cond) -> rusqlite::Result<Vec<i64>> {
    let sql = format!(
        "SELECT c.id FROM complaints c WHERE {} ORDER BY c.id",
        c.clause()
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(c.values.iter()), |r| r.get(0))?;
    rows.collect()
}

struct Fingerprint(Sha256);

impl Fingerprint {
    fn ids(&mut self, tag: &str, ids: &[i64]) {
        self.0.update(tag.as_bytes());
        for id in ids {
            self.0.update(id.to_le_bytes());
        }
    }
    fn text(&mut self, s: &str) {
        self.0.update(s.as_bytes());
        self.0.update([0]);
    }
}

/// Draws `k` of the complaints matching `c` and not in `taken`, adding them to `taken`.
#[allow(clippy::too_many_arguments)]
fn draw_from(
    conn: &Connection,
    c: &Cond,
    size: u64,
    k: u64,
    rng: &mut Rng,
    taken: &mut HashSet<i64>,
    fp: &mut Fingerprint,
    tag: &str,
    watermark: &str,
    list_limit: u64,
) -> rusqlite::Result<Vec<i64>> {
    if k == 0 {
        return Ok(Vec::new());
    }
    if size > list_limit && k * 4 < size {
        if let Some(ids) = draw_by_picks(conn, c, k, rng, taken)? {
            fp.text(&format!("{tag}:picks:{size}:{watermark}"));
            return Ok(ids);
        }
    }
    let ids: Vec<i64> = list(conn, c)?
        .into_iter()
        .filter(|id| !taken.contains(id))
        .collect();
    fp.ids(tag, &ids);
    let picked: Vec<i64> = rng
        .choose_indices(ids.len() as u64, k)
        .into_iter()
        .map(|i| ids[i as usize])
        .collect();
    taken.extend(picked.iter().copied());
    Ok(picked)
}

/// Random ids in the table's id range, kept when they match. None when matches are too rare
/// for picks to pay off (the caller lists instead).
fn draw_by_picks(
    conn: &Connection,
    c: &Cond,
    k: u64,
    rng: &mut Rng,
    taken: &mut HashSet<i64>,
) -> rusqlite::Result<Option<Vec<i64>>> {
    let (lo, hi): (Option<i64>, Option<i64>) =
        conn.query_row("SELECT min(id), max(id) FROM complaints", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Ok(Some(Vec::new()));
    };
    let span = (hi - lo + 1) as u64;
    let sql = format!(
        "SELECT 1 FROM complaints c WHERE c.id = ? AND {}",
        c.clause()
    );
    let mut st = conn.prepare_cached(&sql)?;
    let mut out = Vec::with_capacity(k as usize);
    let mut tries = 0u64;
    let budget = 200 * k + 2000;
    let mut values: Vec<Value> = Vec::with_capacity(c.values.len() + 1);
    while (out.len() as u64) < k {
        tries += 1;
        if tries > budget {
            for id in &out {
                taken.remove(id);
            }
            return Ok(None);
        }
        let id = lo + rng.below(span) as i64;
        if taken.contains(&id) {
            continue;
        }
        values.clear();
        values.push(Value::Integer(id));
        values.extend(c.values.iter().cloned());
        if st
            .query_row(params_from_iter(values.iter()), |_| Ok(()))
            .optional()?
            .is_some()
        {
            taken.insert(id);
            out.push(id);
        }
    }
    Ok(Some(out))
}

/// Draws a sample. `boundary` is the id the sample will have (or has, on replay): complaints
/// in earlier samples are left out unless the filters include sampled ones.
pub fn draw(conn: &Connection, spec: &Spec, seed: u64, boundary: i64) -> rusqlite::Result<Drawn> {
    draw_with_limit(conn, spec, seed, boundary, LIST_LIMIT)
}

/// `draw` with the size above which populations are drawn by picks instead of listed.
pub fn draw_with_limit(
    conn: &Connection,
    spec: &Spec,
    seed: u64,
    boundary: i64,
    list_limit: u64,
) -> rusqlite::Result<Drawn> {
    let mut rng = Rng::new(seed);
    let base = population_cond(&spec.filters, boundary);
    let population = count(conn, &base)?;
    let watermark: i64 = conn.query_row(
        "SELECT coalesce(max(id), 0) FROM imports WHERE inserted + updated > 0",
        [],
        |r| r.get(0),
    )?;
    let watermark = watermark.to_string();
    let mut fp = Fingerprint(Sha256::new());
    fp.text(&format!("population:{population}"));
    let mut taken: HashSet<i64> = HashSet::new();
    let mut items: Vec<Item> = Vec::new();

    for inc in &spec.includes {
        let rc = rule_cond(&base, inc.rule, spec);
        let matches: Vec<i64> = list(conn, &rc)?
            .into_iter()
            .filter(|id| !taken.contains(id))
            .collect();
        fp.ids(inc.rule.name(), &matches);
        let picked: Vec<i64> = if inc.share >= 1.0 {
            matches
        } else {
            let k = share_count(matches.len() as u64, inc.share);
            rng.choose_indices(matches.len() as u64, k)
                .into_iter()
                .map(|i| matches[i as usize])
                .collect()
        };
        for id in picked {
            taken.insert(id);
            items.push(Item {
                complaint_id: id,
                reason: format!("rule:{}", inc.rule.name()),
            });
        }
    }

    let random_population = population - taken.len() as u64;
    let size = spec.plan.size(random_population).n;
    let mut random_size = 0;
    match &spec.strata {
        Strata::None => {
            let ids = draw_from(
                conn,
                &base,
                random_population,
                size,
                &mut rng,
                &mut taken,
                &mut fp,
                "random",
                &watermark,
                list_limit,
            )?;
            random_size += ids.len() as u64;
            items.extend(ids.into_iter().map(|id| Item {
                complaint_id: id,
                reason: "random".into(),
            }));
        }
        Strata::PerDivision { .. } | Strata::Proportional => {
            let divisions = division_sizes(conn, &base)?;
            let included_by_div = included_per_division(conn, &items)?;
            let sizes: Vec<u64> = divisions
                .iter()
                .map(|(d, n)| n - included_by_div.get(d).copied().unwrap_or(0))
                .collect();
            let alloc = match &spec.strata {
                Strata::PerDivision { n } => sizes.iter().map(|s| (*n).min(*s)).collect(),
                _ => allocate_proportional(size, &sizes),
            };
            for (((division, _), stratum_size), k) in divisions.iter().zip(&sizes).zip(alloc) {
                let mut c = base.clone();
                c.and("c.division = ?", Value::Text(division.clone()));
                let ids = draw_from(
                    conn,
                    &c,
                    *stratum_size,
                    k,
                    &mut rng,
                    &mut taken,
                    &mut fp,
                    division,
                    &watermark,
                    list_limit,
                )?;
                random_size += ids.len() as u64;
                items.extend(ids.into_iter().map(|id| Item {
                    complaint_id: id,
                    reason: format!("random:{division}"),
                }));
            }
        }
    }
    Ok(Drawn {
        items,
        population,
        random_population,
        random_size,
        fingerprint: hex(&fp.0.finalize()),
    })
}

fn division_sizes(conn: &Connection, c: &Cond) -> rusqlite::Result<Vec<(String, u64)>> {
    let sql = format!(
        "SELECT c.division, count(*) FROM complaints c WHERE {} GROUP BY c.division ORDER BY c.division",
        c.clause()
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(c.values.iter()), |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
    })?;
    rows.collect()
}

fn included_per_division(
    conn: &Connection,
    items: &[Item],
) -> rusqlite::Result<std::collections::HashMap<String, u64>> {
    let mut out = std::collections::HashMap::new();
    let mut st = conn.prepare_cached("SELECT division FROM complaints WHERE id = ?1")?;
    for it in items {
        let d: String = st.query_row(params![it.complaint_id], |r| r.get(0))?;
        *out.entry(d).or_insert(0) += 1;
    }
    Ok(out)
}

/// A recorded sample.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    pub id: i64,
    pub label: String,
    pub drawn_by: String,
    pub drawn_at: i64,
    pub spec: Spec,
    pub seed: u64,
    pub population: u64,
    pub fingerprint: String,
    pub confidence: f64,
}

pub fn next_id(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT coalesce(max(id), 0) + 1 FROM samples", [], |r| {
        r.get(0)
    })
}

/// Records a drawn sample; the caller holds the write transaction so the id is the boundary.
#[allow(clippy::too_many_arguments)]
pub fn record(
    tx: &rusqlite::Transaction,
    id: i64,
    label: &str,
    drawn_by: &str,
    drawn_at: i64,
    spec: &Spec,
    seed: u64,
    drawn: &Drawn,
) -> rusqlite::Result<()> {
    let spec_json = serde_json::to_string(spec)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    tx.execute(
        "INSERT INTO samples (id, label, drawn_by, drawn_at, spec, seed, population, fingerprint, confidence)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            id,
            label,
            drawn_by,
            drawn_at,
            spec_json,
            seed.to_string(),
            drawn.population as i64,
            drawn.fingerprint,
            spec.plan.confidence()
        ],
    )?;
    let mut st = tx.prepare_cached(
        "INSERT INTO sample_items (sample_id, position, complaint_id, reason) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, it) in drawn.items.iter().enumerate() {
        st.execute(params![id, i as i64 + 1, it.complaint_id, it.reason])?;
    }
    Ok(())
}

fn sample_from_row(r: &rusqlite::Row) -> rusqlite::Result<Sample> {
    let spec_json: String = r.get(4)?;
    let seed: String = r.get(5)?;
    Ok(Sample {
        id: r.get(0)?,
        label: r.get(1)?,
        drawn_by: r.get(2)?,
        drawn_at: r.get(3)?,
        spec: serde_json::from_str(&spec_json).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e))
        })?,
        seed: seed.parse().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, Box::new(e))
        })?,
        population: r.get::<_, i64>(6)? as u64,
        fingerprint: r.get(7)?,
        confidence: r.get(8)?,
    })
}

const SAMPLE_COLUMNS: &str =
    "id, label, drawn_by, drawn_at, spec, seed, population, fingerprint, confidence";

/// A sample by id, or by label (the latest with that label).
pub fn find(conn: &Connection, key: &str) -> rusqlite::Result<Option<Sample>> {
    if let Ok(id) = key.trim_start_matches('#').parse::<i64>() {
        let by_id = conn
            .query_row(
                &format!("SELECT {SAMPLE_COLUMNS} FROM samples WHERE id = ?1"),
                params![id],
                sample_from_row,
            )
            .optional()?;
        if by_id.is_some() {
            return Ok(by_id);
        }
    }
    conn.query_row(
        &format!("SELECT {SAMPLE_COLUMNS} FROM samples WHERE label = ?1 ORDER BY id DESC LIMIT 1"),
        params![key],
        sample_from_row,
    )
    .optional()
}

pub fn latest(conn: &Connection) -> rusqlite::Result<Option<Sample>> {
    conn.query_row(
        &format!("SELECT {SAMPLE_COLUMNS} FROM samples ORDER BY id DESC LIMIT 1"),
        [],
        sample_from_row,
    )
    .optional()
}

pub fn all(conn: &Connection) -> rusqlite::Result<Vec<Sample>> {
    let mut st = conn.prepare(&format!("SELECT {SAMPLE_COLUMNS} FROM samples ORDER BY id"))?;
    let rows = st.query_map([], sample_from_row)?;
    rows.collect()
}

pub fn items(conn: &Connection, sample_id: i64) -> rusqlite::Result<Vec<Item>> {
    let mut st = conn.prepare_cached(
        "SELECT complaint_id, reason FROM sample_items WHERE sample_id = ?1 ORDER BY position",
    )?;
    let rows = st.query_map(params![sample_id], |r| {
        Ok(Item {
            complaint_id: r.get(0)?,
            reason: r.get(1)?,
        })
    })?;
    rows.collect()
}

/// The latest sample holding this complaint.
pub fn sample_of(conn: &Connection, complaint_id: i64) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT max(sample_id) FROM sample_items WHERE complaint_id = ?1",
        params![complaint_id],
        |r| r.get(0),
    )
}
