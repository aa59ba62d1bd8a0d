//! Drawing a sample from a population a store answers for (`domain::population`).
//!
//! A narrow population is listed once, by id, and drawn from in memory; a broad one is drawn
//! by random picks in the id range checked against the filters, which costs a key lookup a pick
//! and never sorts the store. Complaints in earlier samples are left out in memory: there are
//! few of them. Every random choice is made here, from the seed, in a fixed order, so a store
//! that answers the same questions the same way draws the same items.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::complaint::hex;
use super::population::{Cond, Member, Population};
use super::rng::Rng;
use super::sample::{Filters, Spec};
use super::sample_bound::StratumSize;

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

/// What the population looks like once, before any item is taken.
pub(super) struct Start<'s> {
    pub base: Cond<'s>,
    /// Complaints of earlier samples matching the filters, with their divisions.
    pub excluded: BTreeMap<i64, String>,
    /// Complaints per division of the whole store, when the draw is unfiltered and the store
    /// keeps them.
    pub all_counts: Option<BTreeMap<String, u64>>,
    /// Complaints matching the filters, earlier samples included.
    pub matching: u64,
    /// The listed population, id order; None when it is drawn by picks.
    pub members: Option<Vec<Member>>,
    pub member_set: Option<HashSet<i64>>,
    /// The listed population's id range, where it narrows a rule's search.
    pub range: Option<(i64, i64)>,
}

/// What the draw has taken so far.
#[derive(Default)]
pub(super) struct Taken {
    pub ids: HashSet<i64>,
    /// Divisions of taken complaints, where picks read them.
    pub known_division: HashMap<i64, String>,
    pub items: Vec<Item>,
}

impl Taken {
    pub fn push(&mut self, id: i64, reason: String) {
        self.ids.insert(id);
        self.items.push(Item {
            complaint_id: id,
            reason,
        });
    }
}

pub(super) struct Fingerprint(Sha256);

impl Fingerprint {
    pub fn ids(&mut self, tag: &str, ids: impl IntoIterator<Item = i64>) {
        self.0.update(tag.as_bytes());
        self.0.update([0]);
        for id in ids {
            self.0.update(id.to_le_bytes());
        }
    }
    pub fn text(&mut self, s: &str) {
        self.0.update(s.as_bytes());
        self.0.update([0]);
    }
}

/// How many complaints a draw with these filters would start from (earlier samples left out).
pub fn population_size<P: Population>(
    pop: &P,
    filters: &Filters,
    boundary: i64,
) -> Result<u64, P::Error> {
    let excluded = if filters.include_sampled {
        0
    } else {
        pop.earlier_samples(filters, boundary)?.len() as u64
    };
    Ok(pop
        .count(&Cond::filtered(filters))?
        .saturating_sub(excluded))
}

/// Draws a sample. `boundary` is the id the sample will have (or has, on replay): complaints
/// in earlier samples are left out unless the filters include sampled ones. Populations above
/// `list_limit` are drawn by picks instead of listed.
pub fn draw<P: Population>(
    pop: &P,
    spec: &Spec,
    seed: u64,
    boundary: i64,
    list_limit: u64,
) -> Result<Drawn, P::Error> {
    let mut rng = Rng::new(seed);
    let f = &spec.filters;
    let base = Cond::filtered(f);
    let excluded = if f.include_sampled {
        BTreeMap::new()
    } else {
        pop.earlier_samples(f, boundary)?
    };
    let unfiltered = f.since.is_none()
        && f.until.is_none()
        && f.divisions.is_empty()
        && f.sources.is_empty()
        && f.channels.is_empty()
        && f.products.is_empty();
    // A store that keeps no counts (or was filled some other way than by import) is counted.
    let all_counts = match unfiltered {
        true => pop.kept_division_counts()?.filter(|c| !c.is_empty()),
        false => None,
    };
    let matching = match &all_counts {
        Some(c) => c.values().sum(),
        None => pop.count(&base)?,
    };
    let population = matching.saturating_sub(excluded.len() as u64);
    let mut fp = Fingerprint(Sha256::new());
    fp.text(&format!("population:{population}"));
    fp.ids("excluded", excluded.keys().copied());
    let members: Option<Vec<Member>> = if population <= list_limit {
        let m: Vec<Member> = pop
            .members(&base)?
            .into_iter()
            .filter(|m| !excluded.contains_key(&m.id))
            .collect();
        fp.ids("population", m.iter().map(|m| m.id));
        Some(m)
    } else {
        fp.text(&format!("watermark:{}", pop.watermark()?));
        None
    };
    let member_set = members.as_ref().map(|m| m.iter().map(|m| m.id).collect());
    // Rows are mostly in date order, but a late import of old complaints can spread a week's
    // ids wide: the range narrows a rule's search only when it is close to the population's.
    let range = members
        .as_ref()
        .and_then(|m| Some((m.first()?.id, m.last()?.id, m.len() as i64)))
        .filter(|(lo, hi, n)| hi - lo < 4 * n + 1024)
        .map(|(lo, hi, _)| (lo, hi));
    let start = Start {
        base,
        excluded,
        all_counts,
        matching,
        members,
        member_set,
        range,
    };

    let mut taken = Taken::default();
    for inc in &spec.includes {
        super::draw_rules::include(pop, spec, inc, &start, &mut taken, &mut fp, &mut rng)?;
    }
    let random_population = population.saturating_sub(taken.ids.len() as u64);
    let size = spec.plan.size(random_population).n;
    let (random_size, strata) =
        super::draw_strata::random_part(pop, spec, size, &start, &mut taken, &mut rng)?;
    Ok(Drawn {
        items: taken.items,
        population,
        random_population,
        random_size,
        strata,
        fingerprint: hex(&fp.0.finalize()),
    })
}

/// `k` of `ids` (in id order), uniformly, in a random order.
pub(super) fn choose(rng: &mut Rng, ids: &[i64], k: u64) -> Vec<i64> {
    rng.choose_indices(ids.len() as u64, k)
        .into_iter()
        .map(|i| ids[i as usize])
        .collect()
}

/// `k` random ids in the store's id range meeting `cond` and not `skip`ped, with their
/// divisions. None when matches are too rare for picks to pay off.
///
/// The ids are drawn one at a time, each looked up unless skipped, until `k` are found or the
/// budget of tries is spent. The lookups are asked for a stretch of tries at once: the ids of
/// the next tries come from a copy of the generator (which ids are drawn does not depend on what
/// the lookups find), and the generator itself moves on only by the tries used, so the picks,
/// and everything drawn after them, are those of one lookup at a time.
pub(super) fn picks<P: Population>(
    pop: &P,
    cond: &Cond,
    k: u64,
    rng: &mut Rng,
    skip: &dyn Fn(i64) -> bool,
) -> Result<Option<Vec<(i64, String)>>, P::Error> {
    let Some((lo, hi)) = pop.id_span()? else {
        return Ok(Some(Vec::new()));
    };
    let span = (hi - lo + 1) as u64;
    let mut out: Vec<(i64, String)> = Vec::with_capacity(k as usize);
    let mut chosen = HashSet::new();
    let budget = 200 * k + 2000;
    let mut tried = 0u64;
    while tried < budget {
        if out.len() as u64 == k {
            return Ok(Some(out));
        }
        // Enough tries for the picks still wanted at the rate found so far, with a margin.
        let wanted = k - out.len() as u64;
        let per_pick = match out.len() as u64 {
            0 if tried == 0 => 2,
            0 => 2 * tried,
            found => tried.div_ceil(found) + 1,
        };
        let stretch = (wanted.saturating_mul(per_pick).saturating_mul(3) / 2 + 16)
            .min(budget - tried)
            .min(pop.probe_stretch().max(1));
        let mut ahead = rng.clone();
        let ids: Vec<i64> = (0..stretch)
            .map(|_| lo + ahead.below(span) as i64)
            .collect();
        let mut asked: Vec<i64> = ids.iter().copied().filter(|&id| !skip(id)).collect();
        asked.sort_unstable();
        asked.dedup();
        let found: HashMap<i64, String> = asked
            .iter()
            .copied()
            .zip(pop.probe_many(cond, &asked)?)
            .filter_map(|(id, d)| Some((id, d?)))
            .collect();
        for id in ids {
            if out.len() as u64 == k {
                return Ok(Some(out));
            }
            rng.below(span);
            tried += 1;
            if skip(id) || chosen.contains(&id) {
                continue;
            }
            if let Some(division) = found.get(&id) {
                chosen.insert(id);
                out.push((id, division.clone()));
            }
        }
    }
    Ok((out.len() as u64 == k).then_some(out))
}

#[cfg(test)]
#[path = "draw_tests.rs"]
mod tests;
