//! The must-include rules of a draw: each rule's matches (or its share of them) are taken
//! before the random part, and a complaint is taken by one rule only.

use std::collections::{BTreeMap, HashSet};

use super::draw::{choose, picks, Fingerprint, Start, Taken};
use super::population::{Cond, IdSet, Member, Population, RuleMatch};
use super::rng::Rng;
use super::sample::{share_count, Include, Rule, Spec};

/// How a rule is told of a complaint without searching: by the columns a listing reads, or by
/// the set of matches the store keeps for the configured phrases.
enum Test<S> {
    Columns(RuleMatch<'static>),
    Phrases(S),
}

impl<S: IdSet> Test<S> {
    fn of<P: Population<Set = S>>(
        pop: &P,
        spec: &Spec,
        rule: Rule,
    ) -> Result<Option<Test<S>>, P::Error> {
        let phrases = |phrases: &[String]| -> Result<Option<Test<S>>, P::Error> {
            if phrases.iter().all(|p| p.trim().is_empty()) {
                return Ok(None);
            }
            Ok(pop.kept_phrase_matches(rule, phrases)?.map(Test::Phrases))
        };
        match rule {
            Rule::WouldNotRecommend => Ok(Some(Test::Columns(RuleMatch::LikelihoodAtMost(
                spec.detractor_max,
            )))),
            Rule::WantsContact => Ok(Some(Test::Columns(RuleMatch::WantsContact))),
            Rule::AskedForManager => phrases(&spec.manager_phrases),
            Rule::Negative => phrases(&spec.negative_phrases),
            _ => Ok(None),
        }
    }

    fn matches(&self, m: &Member) -> bool {
        match self {
            Test::Columns(r) => r.on_member(m).unwrap_or(false),
            Test::Phrases(set) => set.contains(m.id),
        }
    }
}

/// Takes a rule's matches, or its share of them, from the population.
pub(super) fn include<P: Population>(
    pop: &P,
    spec: &Spec,
    inc: &Include,
    start: &Start,
    taken: &mut Taken,
    fp: &mut Fingerprint,
    rng: &mut Rng,
) -> Result<(), P::Error> {
    let reason = format!("rule:{}", inc.rule.name());
    let test = Test::of(pop, spec, inc.rule)?;
    // The whole store, too large to list: count from the kept rule counts and pick.
    if let (None, Some(_), Some(t)) = (&start.members, &start.all_counts, &test) {
        if let Some(picked) = by_picks(pop, inc, t, &start.excluded, &taken.ids, rng)? {
            fp.text(&format!("{}:{}", inc.rule.name(), picked.matches));
            for (id, division) in picked.ids {
                taken.known_division.insert(id, division);
                taken.push(id, reason.clone());
            }
            return Ok(());
        }
    }
    let matches: Vec<i64> = match (&start.members, &test) {
        // A listed population carries what the rule needs, or the store's kept phrase matches do.
        (Some(m), Some(t)) => m
            .iter()
            .filter(|m| !taken.ids.contains(&m.id) && t.matches(m))
            .map(|m| m.id)
            .collect(),
        _ => {
            let mut cond = start.base;
            if let Some((lo, hi)) = start.range {
                cond = cond.ids_between(lo, hi);
            }
            pop.ids(&cond.rule(RuleMatch::of(inc.rule, spec)))?
                .into_iter()
                .filter(|id| match &start.member_set {
                    Some(set) => set.contains(id),
                    None => !start.excluded.contains_key(id),
                })
                .filter(|id| !taken.ids.contains(id))
                .collect()
        }
    };
    fp.ids(inc.rule.name(), matches.iter().copied());
    let picked = if inc.share >= 1.0 {
        matches
    } else {
        let k = share_count(matches.len() as u64, inc.share);
        choose(rng, &matches, k)
    };
    for id in picked {
        taken.push(id, reason.clone());
    }
    Ok(())
}

/// A rule's share of its matches in the whole store, drawn by picks.
struct RulePicks {
    /// Matches in the population (earlier samples and items already taken left out).
    matches: u64,
    /// The picks, with their divisions.
    ids: Vec<(i64, String)>,
}

/// Draws a must-include rule over the whole store without listing its matches: their number
/// comes from what the store keeps, and its share of them from random picks in the id range,
/// each checked with a key lookup (or, for phrases, in memory first). None when the kept counts
/// do not serve or when listing is cheaper (all matches wanted, or matches too rare for picks).
fn by_picks<P: Population>(
    pop: &P,
    inc: &Include,
    test: &Test<P::Set>,
    excluded: &BTreeMap<i64, String>,
    taken: &HashSet<i64>,
    rng: &mut Rng,
) -> Result<Option<RulePicks>, P::Error> {
    if inc.share >= 1.0 {
        return Ok(None);
    }
    let total = match test {
        Test::Columns(r) => pop.kept_rule_count(r)?,
        Test::Phrases(set) => Some(set.size()),
    };
    let Some(total) = total else {
        return Ok(None);
    };
    // Matches among the complaints already out of the running.
    let out: Vec<i64> = excluded.keys().chain(taken.iter()).copied().collect();
    let out_matching = match test {
        _ if out.is_empty() => 0,
        Test::Phrases(set) => out.iter().filter(|id| set.contains(**id)).count() as u64,
        Test::Columns(r) => pop.count(&Cond::all().rule(*r).among(&out))?,
    };
    let matches = total.saturating_sub(out_matching);
    let k = share_count(matches, inc.share);
    let Some((lo, hi)) = pop.id_span()? else {
        return Ok(None);
    };
    let span = (hi - lo + 1).max(1) as u64;
    // Expected lookups: k picks at a density of matches / span each. Past a few thousand,
    // listing the matches costs less.
    if matches == 0 || k.saturating_mul(span) / matches > 20_000 {
        return Ok(None);
    }
    let skip = |id: i64| taken.contains(&id) || excluded.contains_key(&id);
    let ids = match test {
        Test::Phrases(set) => picks(pop, &Cond::all(), k, rng, &|id| {
            !set.contains(id) || skip(id)
        })?,
        Test::Columns(r) => picks(pop, &Cond::all().rule(*r), k, rng, &skip)?,
    };
    Ok(ids.map(|ids| RulePicks { matches, ids }))
}
