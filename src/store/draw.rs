//! Drawing samples.
//!
//! A narrow population is listed once, by id, and drawn from in memory; a broad one is drawn
//! by random picks in the id range checked against the filters, which costs microseconds a pick
//! and never sorts the table. Complaints in earlier samples are left out in memory: there are
//! few of them, and a NOT EXISTS probe per row would cost more than the whole draw.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::rule_sets;
use crate::domain::complaint::hex;
use crate::domain::rng::Rng;
use crate::domain::sample::{allocate_proportional, share_count, Include, Rule, Strata};
pub use crate::domain::sample::{Filters, Spec};
use crate::domain::sample_bound::StratumSize;

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
    /// The random part's strata when it was stratified (empty otherwise).
    pub strata: Vec<StratumSize>,
    pub fingerprint: String,
}

/// Populations up to this size are listed; larger ones are drawn by random picks.
pub const LIST_LIMIT: u64 = 100_000;

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

    fn and(&mut self, fragment: &'static str, values: Vec<Value>) -> &mut Self {
        self.sql.push(fragment);
        self.values.extend(values);
        self
    }

    fn clause(&self) -> String {
        self.sql.join(" AND ")
    }
}

fn json_list(xs: &[String]) -> Value {
    Value::Text(serde_json::to_string(xs).unwrap_or_else(|_| "[]".into()))
}

fn filters_cond(f: &Filters) -> Cond {
    let mut c = Cond::new();
    if let Some(s) = f.since {
        c.and("c.received_at >= ?", vec![Value::Integer(s)]);
    }
    if let Some(u) = f.until {
        c.and("c.received_at < ?", vec![Value::Integer(u)]);
    }
    let lists: [(&'static str, &Vec<String>); 4] = [
        (
            "c.division IN (SELECT value FROM json_each(?))",
            &f.divisions,
        ),
        ("c.source IN (SELECT value FROM json_each(?))", &f.sources),
        ("c.channel IN (SELECT value FROM json_each(?))", &f.channels),
        ("c.product IN (SELECT value FROM json_each(?))", &f.products),
    ];
    for (fragment, xs) in lists {
        if !xs.is_empty() {
            c.and(fragment, vec![json_list(xs)]);
        }
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

/// The rule's condition on top of the filters; `range` narrows it to an id range, which the
/// search index can use to skip most of its postings.
fn rule_cond(base: &Cond, rule: Rule, spec: &Spec, range: Option<(i64, i64)>) -> Cond {
    let mut c = base.clone();
    if let Some((lo, hi)) = range {
        c.and(
            "c.id BETWEEN ? AND ?",
            vec![Value::Integer(lo), Value::Integer(hi)],
        );
    }
    let phrases = match rule {
        Rule::WouldNotRecommend => {
            c.and(
                "c.likelihood <= ?",
                vec![Value::Integer(spec.detractor_max as i64)],
            );
            return c;
        }
        Rule::WantsContact => {
            c.and("c.wants_contact = 1", vec![]);
            return c;
        }
        Rule::Canned => {
            c.and("c.id IN (SELECT complaint_id FROM canned_members)", vec![]);
            return c;
        }
        Rule::ContactIgnored
        | Rule::EscalationRefused
        | Rule::Late
        | Rule::Repeat
        | Rule::UnansweredWriting => {
            let flag = Value::Text(rule.name().into());
            c.and(
                "c.id IN (SELECT complaint_id FROM complaint_flags WHERE flag = ?)",
                vec![flag],
            );
            return c;
        }
        Rule::AskedForManager => &spec.manager_phrases,
        Rule::Negative => &spec.negative_phrases,
    };
    let q = Value::Text(phrase_query(phrases));
    match range {
        Some((lo, hi)) => c.and(
            "c.id IN (SELECT rowid FROM complaints_fts WHERE complaints_fts MATCH ? AND rowid BETWEEN ? AND ?)",
            vec![q, Value::Integer(lo), Value::Integer(hi)],
        ),
        None => c.and(
            "c.id IN (SELECT rowid FROM complaints_fts WHERE complaints_fts MATCH ?)",
            vec![q],
        ),
    };
    c
}

fn count(conn: &Connection, c: &Cond) -> rusqlite::Result<u64> {
    let sql = format!("SELECT count(*) FROM complaints c WHERE {}", c.clause());
    conn.prepare_cached(&sql)?
        .query_row(params_from_iter(c.values.iter()), |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
}

// Lists are sorted here rather than with ORDER BY id, which would tempt SQLite into walking
// the whole table in id order instead of using the date index.
fn list_ids(conn: &Connection, c: &Cond) -> rusqlite::Result<Vec<i64>> {
    let sql = format!("SELECT c.id FROM complaints c WHERE {}", c.clause());
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(c.values.iter()), |r| r.get(0))?;
    let mut ids = rows.collect::<rusqlite::Result<Vec<i64>>>()?;
    ids.sort_unstable();
    Ok(ids)
}

/// A complaint of a listed population, with what the column rules read.
struct Member {
    id: i64,
    division: String,
    likelihood: Option<i64>,
    wants_contact: Option<i64>,
}

/// Every complaint matching, in id order: from the date index alone for a period.
fn list_members(conn: &Connection, c: &Cond) -> rusqlite::Result<Vec<Member>> {
    let sql = format!(
        "SELECT c.id, c.division, c.likelihood, c.wants_contact FROM complaints c WHERE {}",
        c.clause()
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(c.values.iter()), |r| {
        Ok(Member {
            id: r.get(0)?,
            division: r.get(1)?,
            likelihood: r.get(2)?,
            wants_contact: r.get(3)?,
        })
    })?;
    let mut out = rows.collect::<rusqlite::Result<Vec<Member>>>()?;
    out.sort_unstable_by_key(|m| m.id);
    Ok(out)
}

fn division_counts(conn: &Connection, c: &Cond) -> rusqlite::Result<BTreeMap<String, u64>> {
    let sql = format!(
        "SELECT c.division, count(*) FROM complaints c WHERE {} GROUP BY c.division",
        c.clause()
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(c.values.iter()), |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
    })?;
    rows.collect()
}

/// Complaints per division of the whole store, as the last import left them.
fn stored_division_counts(conn: &Connection) -> rusqlite::Result<BTreeMap<String, u64>> {
    let mut st = conn.prepare_cached("SELECT division, complaints FROM division_counts")?;
    let rows = st.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
    })?;
    rows.collect()
}

/// Complaints of earlier samples, with their divisions where they match the filters.
fn earlier(
    conn: &Connection,
    base: &Cond,
    boundary: i64,
) -> rusqlite::Result<BTreeMap<i64, String>> {
    // Driven from sample_items (small) to the complaints, never the other way round.
    let sql = format!(
        "SELECT DISTINCT c.id, c.division FROM sample_items si CROSS JOIN complaints c
         WHERE si.sample_id < ? AND c.id = si.complaint_id AND {}",
        base.clause()
    );
    let mut values = vec![Value::Integer(boundary)];
    values.extend(base.values.iter().cloned());
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(values.iter()), |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    rows.collect()
}

struct Fingerprint(Sha256);

impl Fingerprint {
    fn ids(&mut self, tag: &str, ids: impl IntoIterator<Item = i64>) {
        self.0.update(tag.as_bytes());
        self.0.update([0]);
        for id in ids {
            self.0.update(id.to_le_bytes());
        }
    }
    fn text(&mut self, s: &str) {
        self.0.update(s.as_bytes());
        self.0.update([0]);
    }
}

/// `k` of `ids` (in id order), uniformly, in a random order.
fn choose(rng: &mut Rng, ids: &[i64], k: u64) -> Vec<i64> {
    rng.choose_indices(ids.len() as u64, k)
        .into_iter()
        .map(|i| ids[i as usize])
        .collect()
}

/// Random ids in the table's id range, kept when they match `c` and are not `skip`ped.
/// None when matches are too rare for picks to pay off.
fn picks(
    conn: &Connection,
    c: &Cond,
    k: u64,
    rng: &mut Rng,
    skip: &dyn Fn(i64) -> bool,
) -> rusqlite::Result<Option<Vec<(i64, String)>>> {
    let (lo, hi): (Option<i64>, Option<i64>) =
        // Two subqueries: SQLite answers a lone min() or max() from the b-tree's edge, but
        // scans the whole table for both in one SELECT.
        conn.query_row("SELECT (SELECT min(id) FROM complaints), (SELECT max(id) FROM complaints)", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Ok(Some(Vec::new()));
    };
    let span = (hi - lo + 1) as u64;
    let sql = format!(
        "SELECT c.division FROM complaints c WHERE c.id = ? AND {}",
        c.clause()
    );
    let mut st = conn.prepare_cached(&sql)?;
    let mut out: Vec<(i64, String)> = Vec::with_capacity(k as usize);
    let mut chosen = HashSet::new();
    let budget = 200 * k + 2000;
    let mut values: Vec<Value> = Vec::with_capacity(c.values.len() + 1);
    for _ in 0..budget {
        if out.len() as u64 == k {
            return Ok(Some(out));
        }
        let id = lo + rng.below(span) as i64;
        if skip(id) || chosen.contains(&id) {
            continue;
        }
        values.clear();
        values.push(Value::Integer(id));
        values.extend(c.values.iter().cloned());
        if let Some(division) = st
            .query_row(params_from_iter(values.iter()), |r| r.get::<_, String>(0))
            .optional()?
        {
            chosen.insert(id);
            out.push((id, division));
        }
    }
    Ok((out.len() as u64 == k).then_some(out))
}

/// How a rule is told of a complaint without searching: by the columns a listing reads, or by
/// the set of matches the last import stored for the configured phrases.
enum Test {
    Detractor(i64),
    WantsContact,
    Phrases(rule_sets::PhraseSet),
}

impl Test {
    fn of(conn: &Connection, spec: &Spec, rule: Rule) -> rusqlite::Result<Option<Test>> {
        let phrases = |phrases: &[String]| -> rusqlite::Result<Option<Test>> {
            if phrases.iter().all(|p| p.trim().is_empty()) {
                return Ok(None);
            }
            Ok(
                rule_sets::phrase_set(conn, rule.name(), &phrase_query(phrases))?
                    .map(Test::Phrases),
            )
        };
        match rule {
            Rule::WouldNotRecommend => Ok(Some(Test::Detractor(i64::from(spec.detractor_max)))),
            Rule::WantsContact => Ok(Some(Test::WantsContact)),
            Rule::AskedForManager => phrases(&spec.manager_phrases),
            Rule::Negative => phrases(&spec.negative_phrases),
            _ => Ok(None),
        }
    }

    fn matches(&self, m: &Member) -> bool {
        match self {
            Test::Detractor(max) => m.likelihood.is_some_and(|l| l <= *max),
            Test::WantsContact => m.wants_contact == Some(1),
            Test::Phrases(set) => set.contains(m.id),
        }
    }

    /// The same test in SQL, for the column tests.
    fn cond(&self) -> Option<Cond> {
        let mut c = Cond::new();
        match self {
            Test::Detractor(max) => c.and("c.likelihood <= ?", vec![Value::Integer(*max)]),
            Test::WantsContact => c.and("c.wants_contact = 1", vec![]),
            Test::Phrases(_) => return None,
        };
        Some(c)
    }
}

/// A rule's share of its matches in the whole store, drawn by picks.
struct RulePicks {
    /// Matches in the population (earlier samples and items already taken left out).
    matches: u64,
    /// The picks, with their divisions.
    ids: Vec<(i64, String)>,
}

/// Draws a must-include rule over the whole store without listing its matches: their number
/// comes from what every import keeps (`rule_sets`), and its share of them from random picks in
/// the id range, each checked with a key lookup (or, for phrases, in memory first). None when
/// the stored counts do not serve or when listing is cheaper (all matches wanted, or matches
/// too rare for picks).
fn rule_by_picks(
    conn: &Connection,
    inc: &Include,
    test: &Test,
    excluded: &BTreeMap<i64, String>,
    taken: &HashSet<i64>,
    rng: &mut Rng,
) -> rusqlite::Result<Option<RulePicks>> {
    if inc.share >= 1.0 {
        return Ok(None);
    }
    let total = match test {
        Test::Detractor(max) => rule_sets::detractor_count(conn, *max as u8)?,
        Test::WantsContact => rule_sets::wants_contact_count(conn)?,
        Test::Phrases(set) => Some(set.matches),
    };
    let Some(total) = total else {
        return Ok(None);
    };
    // Matches among the complaints already out of the running.
    let out: Vec<i64> = excluded.keys().chain(taken.iter()).copied().collect();
    let out_matching = match (test, test.cond()) {
        _ if out.is_empty() => 0,
        (Test::Phrases(set), _) => out.iter().filter(|id| set.contains(**id)).count() as u64,
        (_, Some(mut c)) => {
            c.and(
                "c.id IN (SELECT value FROM json_each(?))",
                vec![Value::Text(
                    serde_json::to_string(&out).unwrap_or_else(|_| "[]".into()),
                )],
            );
            count(conn, &c)?
        }
        (_, None) => return Ok(None),
    };
    let matches = total.saturating_sub(out_matching);
    let k = share_count(matches, inc.share);
    let (lo, hi): (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT (SELECT min(id) FROM complaints), (SELECT max(id) FROM complaints)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Ok(None);
    };
    let span = (hi - lo + 1).max(1) as u64;
    // Expected lookups: k picks at a density of matches / span each. Past a few thousand,
    // listing the matches costs less.
    if matches == 0 || k.saturating_mul(span) / matches > 20_000 {
        return Ok(None);
    }
    let skip = |id: i64| taken.contains(&id) || excluded.contains_key(&id);
    let ids = match (test, test.cond()) {
        (Test::Phrases(set), _) => {
            let mut st = conn.prepare_cached("SELECT division FROM complaints WHERE id = ?1")?;
            let mut out: Vec<(i64, String)> = Vec::with_capacity(k as usize);
            let mut chosen = HashSet::new();
            let mut budget = 200 * k + 2000;
            while (out.len() as u64) < k && budget > 0 {
                budget -= 1;
                let id = lo + rng.below(span) as i64;
                if !set.contains(id) || skip(id) || chosen.contains(&id) {
                    continue;
                }
                if let Some(d) = st.query_row([id], |r| r.get::<_, String>(0)).optional()? {
                    chosen.insert(id);
                    out.push((id, d));
                }
            }
            (out.len() as u64 == k).then_some(out)
        }
        (_, Some(c)) => picks(conn, &c, k, rng, &skip)?,
        (_, None) => None,
    };
    Ok(ids.map(|ids| RulePicks { matches, ids }))
}

/// How many complaints a draw with these filters would start from (earlier samples left out).
pub fn population_size(
    conn: &Connection,
    filters: &Filters,
    boundary: i64,
) -> rusqlite::Result<u64> {
    let base = filters_cond(filters);
    let excluded = if filters.include_sampled {
        0
    } else {
        earlier(conn, &base, boundary)?.len() as u64
    };
    Ok(count(conn, &base)?.saturating_sub(excluded))
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
    if !conn.is_autocommit() {
        return draw_in_snapshot(conn, spec, seed, boundary, list_limit);
    }
    // One read transaction: every count and pick sees the same snapshot, and the many key
    // lookups of a broad draw do not each take and drop the store's read lock.
    conn.execute_batch("BEGIN")?;
    let drawn = draw_in_snapshot(conn, spec, seed, boundary, list_limit);
    let ended = conn.execute_batch(if drawn.is_ok() { "COMMIT" } else { "ROLLBACK" });
    let drawn = drawn?;
    ended?;
    Ok(drawn)
}

/// `draw_with_limit` inside a transaction.
fn draw_in_snapshot(
    conn: &Connection,
    spec: &Spec,
    seed: u64,
    boundary: i64,
    list_limit: u64,
) -> rusqlite::Result<Drawn> {
    let mut rng = Rng::new(seed);
    let base = filters_cond(&spec.filters);
    let excluded = if spec.filters.include_sampled {
        BTreeMap::new()
    } else {
        earlier(conn, &base, boundary)?
    };
    let unfiltered = spec.filters.since.is_none()
        && spec.filters.until.is_none()
        && spec.filters.divisions.is_empty()
        && spec.filters.sources.is_empty()
        && spec.filters.channels.is_empty()
        && spec.filters.products.is_empty();
    // An empty table means a store filled some other way than by import: count instead.
    let all_counts = if unfiltered {
        Some(stored_division_counts(conn)?).filter(|c| !c.is_empty())
    } else {
        None
    };
    let matching = match &all_counts {
        Some(c) => c.values().sum(),
        None => count(conn, &base)?,
    };
    let population = matching.saturating_sub(excluded.len() as u64);
    let mut fp = Fingerprint(Sha256::new());
    fp.text(&format!("population:{population}"));
    fp.ids("excluded", excluded.keys().copied());
    let listed = population <= list_limit;
    // The listed population, id order; None when it is drawn by picks.
    let members: Option<Vec<Member>> = if listed {
        let all = list_members(conn, &base)?;
        let m: Vec<Member> = all
            .into_iter()
            .filter(|m| !excluded.contains_key(&m.id))
            .collect();
        fp.ids("population", m.iter().map(|m| m.id));
        Some(m)
    } else {
        let watermark: i64 = conn.query_row(
            "SELECT coalesce(max(id), 0) FROM imports WHERE inserted + updated > 0",
            [],
            |r| r.get(0),
        )?;
        fp.text(&format!("watermark:{watermark}"));
        None
    };
    let member_set: Option<HashSet<i64>> =
        members.as_ref().map(|m| m.iter().map(|m| m.id).collect());
    // The listed population's id range, where it narrows a rule's search: rows are mostly
    // in date order, but a late import of old complaints can spread a week's ids wide.
    let range = members
        .as_ref()
        .and_then(|m| Some((m.first()?.id, m.last()?.id, m.len() as i64)))
        .filter(|(lo, hi, n)| hi - lo < 4 * n + 1024)
        .map(|(lo, hi, _)| (lo, hi));

    let mut taken: HashSet<i64> = HashSet::new();
    // Divisions of taken complaints, where picks read them.
    let mut known_division: HashMap<i64, String> = HashMap::new();
    let mut items: Vec<Item> = Vec::new();
    for inc in &spec.includes {
        let test = Test::of(conn, spec, inc.rule)?;
        // The whole store, too large to list: count from the stored rule counts and pick.
        if let (None, Some(_), Some(t)) = (&members, &all_counts, &test) {
            if let Some(picked) = rule_by_picks(conn, inc, t, &excluded, &taken, &mut rng)? {
                fp.text(&format!("{}:{}", inc.rule.name(), picked.matches));
                for (id, division) in picked.ids {
                    taken.insert(id);
                    known_division.insert(id, division);
                    items.push(Item {
                        complaint_id: id,
                        reason: format!("rule:{}", inc.rule.name()),
                    });
                }
                continue;
            }
        }
        let matches: Vec<i64> = match (&members, &test) {
            // A listed population carries what the rule needs, or its stored phrase matches do.
            (Some(m), Some(t)) => m
                .iter()
                .filter(|m| !taken.contains(&m.id) && t.matches(m))
                .map(|m| m.id)
                .collect(),
            _ => list_ids(conn, &rule_cond(&base, inc.rule, spec, range))?
                .into_iter()
                .filter(|id| match &member_set {
                    Some(set) => set.contains(id),
                    None => !excluded.contains_key(id),
                })
                .filter(|id| !taken.contains(id))
                .collect(),
        };
        fp.ids(inc.rule.name(), matches.iter().copied());
        let picked = if inc.share >= 1.0 {
            matches
        } else {
            choose(
                &mut rng,
                &matches,
                share_count(matches.len() as u64, inc.share),
            )
        };
        for id in picked {
            taken.insert(id);
            items.push(Item {
                complaint_id: id,
                reason: format!("rule:{}", inc.rule.name()),
            });
        }
    }

    let random_population = population.saturating_sub(taken.len() as u64);
    let size = spec.plan.size(random_population).n;
    // Strata: (name, size, ids when listed). One stratum "" when not stratified.
    let stratified = !matches!(spec.strata, Strata::None);
    let strata: Vec<(String, u64, Vec<i64>)> = match &members {
        Some(m) => {
            let mut by: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
            for m in m {
                if !taken.contains(&m.id) {
                    let key = if stratified { m.division.as_str() } else { "" };
                    by.entry(key).or_default().push(m.id);
                }
            }
            by.into_iter()
                .map(|(d, ids)| (d.to_string(), ids.len() as u64, ids))
                .collect()
        }
        None => {
            let mut counts = match (&all_counts, stratified) {
                (_, false) => BTreeMap::from([(String::new(), matching)]),
                (Some(c), true) => c.clone(),
                (None, true) => division_counts(conn, &base)?,
            };
            let item_division = |id: &i64| -> rusqlite::Result<String> {
                if !stratified {
                    return Ok(String::new());
                }
                if let Some(d) = known_division.get(id) {
                    return Ok(d.clone());
                }
                conn.query_row("SELECT division FROM complaints WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
            };
            for d in excluded.values() {
                let key = if stratified { d.clone() } else { String::new() };
                if let Some(n) = counts.get_mut(&key) {
                    *n = n.saturating_sub(1);
                }
            }
            for id in &taken {
                if let Some(n) = counts.get_mut(&item_division(id)?) {
                    *n = n.saturating_sub(1);
                }
            }
            counts
                .into_iter()
                .map(|(d, n)| (d, n, Vec::new()))
                .collect()
        }
    };
    let sizes: Vec<u64> = strata.iter().map(|s| s.1).collect();
    let alloc: Vec<u64> = match &spec.strata {
        Strata::PerDivision { n } => sizes.iter().map(|s| (*n).min(*s)).collect(),
        _ => allocate_proportional(size, &sizes),
    };
    let mut random_size = 0;
    let mut drawn_strata = Vec::new();
    for ((name, stratum_size, ids), k) in strata.iter().zip(alloc) {
        if stratified {
            // Every stratum counts for the bound, those given no item most of all.
            drawn_strata.push(StratumSize {
                name: name.clone(),
                population: *stratum_size,
                drawn: k,
            });
        }
        if k == 0 {
            continue;
        }
        let reason = if stratified {
            format!("random:{name}")
        } else {
            "random".to_string()
        };
        let picked = if members.is_some() {
            choose(&mut rng, ids, k)
        } else {
            let mut c = base.clone();
            if stratified {
                c.and("c.division = ?", vec![Value::Text(name.clone())]);
            }
            let skip = |id: i64| taken.contains(&id) || excluded.contains_key(&id);
            let by_picks = if k * 4 < *stratum_size {
                picks(conn, &c, k, &mut rng, &skip)?
                    .map(|p| p.into_iter().map(|(id, _)| id).collect())
            } else {
                None
            };
            match by_picks {
                Some(p) => p,
                None => {
                    let ids: Vec<i64> = list_ids(conn, &c)?
                        .into_iter()
                        .filter(|id| !skip(*id))
                        .collect();
                    choose(&mut rng, &ids, k)
                }
            }
        };
        random_size += picked.len() as u64;
        if let Some(s) = drawn_strata.last_mut() {
            s.drawn = picked.len() as u64;
        }
        for id in picked {
            taken.insert(id);
            items.push(Item {
                complaint_id: id,
                reason: reason.clone(),
            });
        }
    }
    Ok(Drawn {
        items,
        population,
        random_population,
        random_size,
        strata: drawn_strata,
        fingerprint: hex(&fp.0.finalize()),
    })
}
