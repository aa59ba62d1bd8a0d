//! The phrase rules' matches a PostgreSQL store keeps, as a SQLite import keeps them
//! (`store::rule_sets`): per rule, the search query they were made for, the highest complaint id
//! they account for, how many there are and the bitmap (`PhraseSet`, the encoding both stores
//! share). Each load brings them up to date inside its transaction; a draw over the whole store
//! picks from them instead of searching a million texts.
//!
//! A set covers every division. Only those who see every division read or write one (step 5's
//! policy); a load by anyone else keeps none, and a draw by anyone else searches.

use postgres::{GenericClient, Transaction};

use super::{PgError, PgStore};
use crate::store::draw::phrases_of_query;
use crate::store::rule_sets::{PhraseRule, PhraseSet};

/// A phrase rule's matches as the store keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptPhraseSet {
    pub rule: String,
    /// The search query of the phrases they were made for (`store::draw::phrase_query`).
    pub query: String,
    /// The highest complaint id when they were last brought up to date.
    pub max_id: i64,
    pub set: PhraseSet,
}

/// What a load wrote, as the kept sets move by it.
pub(super) struct Written<'a> {
    /// The highest complaint id before the load: rows above it are new.
    pub before: i64,
    /// Complaints the load changed (all at or below `before`).
    pub changed: &'a [i64],
}

fn stored(client: &mut impl GenericClient) -> Result<Vec<KeptPhraseSet>, postgres::Error> {
    Ok(client
        .query(
            "SELECT rule, query, max_id, matches, bits FROM phrase_rule_sets ORDER BY rule",
            &[],
        )?
        .iter()
        .map(|r| KeptPhraseSet {
            rule: r.get(0),
            query: r.get(1),
            max_id: r.get(2),
            set: PhraseSet::from_stored(r.get(3), r.get(4)),
        })
        .collect())
}

/// Brings the kept sets up to date after a load: those of `rules` (the configured phrases), and
/// those the store keeps for other rules, for their own phrases. A set that was right up to the
/// load is moved by the rows it wrote: changed rows searched again, new rows added. Otherwise,
/// or when the phrases changed, the set is made again from the search index.
pub(super) fn keep(
    tx: &mut Transaction,
    rules: &[PhraseRule],
    written: &Written,
) -> Result<(), postgres::Error> {
    let row = tx.query_one(
        "SELECT signoff_sees_all(), (SELECT coalesce(max(id), 0) FROM complaints)",
        &[],
    )?;
    let (sees_all, max_id): (bool, i64) = (row.get(0), row.get(1));
    if !sees_all {
        return Ok(());
    }
    let kept = stored(tx)?;
    let mut todo: Vec<PhraseRule> = rules.to_vec();
    for k in &kept {
        if !todo.iter().any(|r| r.rule == k.rule) {
            todo.push(PhraseRule {
                rule: k.rule.clone(),
                query: k.query.clone(),
            });
        }
    }
    for r in &todo {
        // No phrases, no matches (as the configuration gives a rule without phrases).
        let phrases = match r.query.is_empty() {
            true => Vec::new(),
            false => match phrases_of_query(&r.query) {
                Some(p) => p,
                // Not a query signoff made: left alone, and never used (see `kept`).
                None => continue,
            },
        };
        let current = kept
            .iter()
            .find(|k| k.rule == r.rule && k.query == r.query && k.max_id == written.before);
        let set = match current {
            Some(k) if k.max_id == max_id && written.changed.is_empty() => continue,
            Some(k) => {
                let mut set = k.set.clone();
                for &id in written.changed {
                    set.remove(id);
                }
                if !phrases.is_empty() {
                    for row in tx.query(
                        "SELECT m FROM signoff_phrase_matches($1) AS m
                         WHERE m > $2 OR m = ANY($3)",
                        &[&phrases, &written.before, &written.changed],
                    )? {
                        set.insert(row.get(0));
                    }
                }
                set
            }
            None if phrases.is_empty() => PhraseSet::default(),
            None => tx
                .query("SELECT m FROM signoff_phrase_matches($1) AS m", &[&phrases])?
                .iter()
                .map(|row| row.get::<_, i64>(0))
                .collect(),
        };
        tx.execute(
            "INSERT INTO phrase_rule_sets (rule, query, max_id, matches, bits)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (rule) DO UPDATE SET query = excluded.query, max_id = excluded.max_id,
                 matches = excluded.matches, bits = excluded.bits",
            &[
                &r.rule,
                &r.query,
                &max_id,
                &(set.matches as i64),
                &set.bits(),
            ],
        )?;
    }
    Ok(())
}

/// A phrase rule's matches over the whole store, if the store keeps them for `query`, up to date,
/// and the login sees every complaint they count.
pub(super) fn kept(
    tx: &mut Transaction,
    rule: &str,
    query: &str,
) -> Result<Option<PhraseSet>, postgres::Error> {
    Ok(tx
        .query_opt(
            "SELECT matches, bits FROM phrase_rule_sets
             WHERE rule = $1 AND query = $2
               AND max_id = (SELECT coalesce(max(id), 0) FROM complaints)
               AND (SELECT signoff_sees_all())",
            &[&rule, &query],
        )?
        .map(|r| PhraseSet::from_stored(r.get(0), r.get(1))))
}

impl PgStore {
    /// The phrase rules' matches the store keeps, by rule, as far as this login may read them
    /// (a division head reads none).
    pub fn phrase_sets(&mut self) -> Result<Vec<KeptPhraseSet>, PgError> {
        stored(&mut self.client).map_err(|e| self.err(e))
    }
}
