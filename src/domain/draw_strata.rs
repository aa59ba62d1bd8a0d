//! The random part of a draw: the plan's size over what the rules left, in one stratum or one
//! per division, each drawn uniformly.

use std::collections::BTreeMap;

use super::draw::{choose, picks, Start, Taken};
use super::population::{Cond, Population};
use super::rng::Rng;
use super::sample::{allocate_proportional, Spec, Strata};
use super::sample_bound::StratumSize;

/// A stratum of the random part: its division ("" when not stratified), its size, and its ids
/// when the population is listed.
struct Stratum {
    name: String,
    size: u64,
    ids: Vec<i64>,
}

/// The strata, without the complaints of earlier samples and those the rules took.
fn strata<P: Population>(
    pop: &P,
    stratified: bool,
    start: &Start,
    taken: &Taken,
) -> Result<Vec<Stratum>, P::Error> {
    if let Some(members) = &start.members {
        let mut by: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
        for m in members {
            if !taken.ids.contains(&m.id) {
                let key = if stratified { m.division.as_str() } else { "" };
                by.entry(key).or_default().push(m.id);
            }
        }
        return Ok(by
            .into_iter()
            .map(|(d, ids)| Stratum {
                name: d.to_string(),
                size: ids.len() as u64,
                ids,
            })
            .collect());
    }
    let mut counts = match (&start.all_counts, stratified) {
        (_, false) => BTreeMap::from([(String::new(), start.matching)]),
        (Some(c), true) => c.clone(),
        (None, true) => pop.division_counts(&start.base)?,
    };
    let key = |d: &str| {
        if stratified {
            d.to_string()
        } else {
            String::new()
        }
    };
    for d in start.excluded.values() {
        if let Some(n) = counts.get_mut(&key(d)) {
            *n = n.saturating_sub(1);
        }
    }
    let mut lookup = pop.probe(&Cond::all())?;
    for id in &taken.ids {
        let division = match (stratified, taken.known_division.get(id)) {
            (false, _) => Some(String::new()),
            (true, Some(d)) => Some(d.clone()),
            (true, None) => lookup(*id)?,
        };
        if let Some(n) = division.and_then(|d| counts.get_mut(&d)) {
            *n = n.saturating_sub(1);
        }
    }
    Ok(counts
        .into_iter()
        .map(|(name, size)| Stratum {
            name,
            size,
            ids: Vec::new(),
        })
        .collect())
}

/// Draws the random part of `size` items; returns how many it drew and, when stratified, the
/// strata with what each gave.
pub(super) fn random_part<P: Population>(
    pop: &P,
    spec: &Spec,
    size: u64,
    start: &Start,
    taken: &mut Taken,
    rng: &mut Rng,
) -> Result<(u64, Vec<StratumSize>), P::Error> {
    let stratified = !matches!(spec.strata, Strata::None);
    let strata = strata(pop, stratified, start, taken)?;
    let sizes: Vec<u64> = strata.iter().map(|s| s.size).collect();
    let alloc: Vec<u64> = match &spec.strata {
        Strata::PerDivision { n } => sizes.iter().map(|s| (*n).min(*s)).collect(),
        _ => allocate_proportional(size, &sizes),
    };
    let mut random_size = 0;
    let mut drawn_strata = Vec::new();
    for (stratum, k) in strata.iter().zip(alloc) {
        if stratified {
            // Every stratum counts for the bound, those given no item most of all.
            drawn_strata.push(StratumSize {
                name: stratum.name.clone(),
                population: stratum.size,
                drawn: k,
            });
        }
        if k == 0 {
            continue;
        }
        let reason = match stratified {
            true => format!("random:{}", stratum.name),
            false => "random".to_string(),
        };
        let picked = match start.members {
            Some(_) => choose(rng, &stratum.ids, k),
            None => drawn_by_picks(pop, stratified, stratum, k, start, taken, rng)?,
        };
        random_size += picked.len() as u64;
        if let Some(s) = drawn_strata.last_mut() {
            s.drawn = picked.len() as u64;
        }
        for id in picked {
            taken.push(id, reason.clone());
        }
    }
    Ok((random_size, drawn_strata))
}

/// `k` of a stratum of a population too large to list: by picks while the stratum is more
/// than four times `k`, by listing the stratum otherwise or when picks do not pay off.
fn drawn_by_picks<P: Population>(
    pop: &P,
    stratified: bool,
    stratum: &Stratum,
    k: u64,
    start: &Start,
    taken: &Taken,
    rng: &mut Rng,
) -> Result<Vec<i64>, P::Error> {
    let cond = match stratified {
        true => start.base.division(&stratum.name),
        false => start.base,
    };
    let skip = |id: i64| taken.ids.contains(&id) || start.excluded.contains_key(&id);
    if k * 4 < stratum.size {
        if let Some(p) = picks(pop, &cond, k, rng, &skip)? {
            return Ok(p.into_iter().map(|(id, _)| id).collect());
        }
    }
    let ids: Vec<i64> = pop
        .ids(&cond)?
        .into_iter()
        .filter(|id| !skip(*id))
        .collect();
    Ok(choose(rng, &ids, k))
}
