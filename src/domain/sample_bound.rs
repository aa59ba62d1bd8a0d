//! What a sample proves, for every design: the one place that turns a sample's random part
//! (its population, its strata where it was stratified, and what the review found) into the
//! bound that `sample`, `status`, the review screen and the review pack state.
//!
//! Must-include items are never part of it: they were chosen, not drawn. A simple random
//! sample gets the hypergeometric bound over the population less the rules' items; a
//! stratified one the worst case over its strata (`strata_bound`). Samples recorded before
//! strata were kept are read as simple, as they always were.

use serde::{Deserialize, Serialize};

use super::decision::Decision;
use super::report::SampleBound;
use super::rollup::Item;
use super::sample::{Plan, Sized};
use super::stats::{self, format_rate};
use super::strata_bound::{upper_bound_stratified, Stratum};

/// One stratum of a drawn random part: the complaints it was drawn from, and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratumSize {
    /// The division.
    pub name: String,
    pub population: u64,
    pub drawn: u64,
}

/// What a plan drawn per stratum proves if nothing is pushed back: the size actually drawn,
/// and the worst case over the strata.
pub fn sized_stratified(plan: &Plan, strata: &[StratumSize]) -> Sized {
    let confidence = plan.confidence();
    let clean: Vec<Stratum> = strata
        .iter()
        .map(|s| Stratum {
            population: s.population,
            drawn: s.drawn,
            failures: 0,
        })
        .collect();
    Sized {
        n: strata.iter().map(|s| s.drawn).sum(),
        population: strata.iter().map(|s| s.population).sum(),
        confidence,
        proves: upper_bound_stratified(&clean, confidence / 100.0),
        strata: strata.len() as u64,
    }
}

/// The random items of a sample as the bound sees them: each item's stratum (the division
/// after "random:", empty when not stratified) and whether it was reviewed and pushed back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reviewed {
    pub stratum: String,
    pub reviewed: bool,
    pub pushed_back: bool,
}

impl Reviewed {
    /// From an item's reason and decisions; None for a must-include item.
    pub fn of(reason: &str, decisions: &[Decision], now: i64) -> Option<Reviewed> {
        // Signed and signed-but-changed are both reviewed: the text hash does not matter.
        Reviewed::of_item(&Item::of(0, "", reason, decisions, "", now))
    }

    /// From an item as the roll-up judged it; None for a must-include item.
    pub fn of_item(it: &Item) -> Option<Reviewed> {
        let stratum = it.reason.strip_prefix("random")?;
        Some(Reviewed {
            stratum: stratum.strip_prefix(':').unwrap_or(stratum).to_string(),
            reviewed: it.status.reviewed(),
            pushed_back: it.pushed_back,
        })
    }
}

/// A recorded sample as the bound needs it.
#[derive(Debug, Clone, Copy)]
pub struct Design<'a> {
    pub sample: i64,
    pub label: &'a str,
    /// Complaints matching the filters, must-include items among them.
    pub population: u64,
    /// Items taken by must-include rules.
    pub rule_items: u64,
    /// Percent.
    pub confidence: f64,
    /// The random part's strata, when the sample was stratified and recorded them.
    pub strata: Option<&'a [StratumSize]>,
}

/// What the sample proves once every random item is reviewed; before, what is left to do.
pub fn sample_bound(d: &Design, items: &[Reviewed]) -> SampleBound {
    let n = items.len() as u64;
    let reviewed = items.iter().filter(|i| i.reviewed).count() as u64;
    let failures = items.iter().filter(|i| i.pushed_back).count() as u64;
    let strata = d.strata.filter(|s| !s.is_empty());
    let population = match strata {
        Some(s) => s.iter().map(|s| s.population).sum(),
        None => d.population.saturating_sub(d.rule_items),
    };
    let c = d.confidence;
    let (upper, statement) = if reviewed == n && n > 0 {
        let ub = match strata {
            Some(strata) => upper_bound_stratified(&per_stratum(strata, items), c / 100.0),
            None => stats::upper_bound(Some(population), n, failures, c / 100.0),
        };
        let over = match strata {
            Some(s) => format!(" (the worst case over {} divisions)", s.len()),
            None => String::new(),
        };
        (
            Some(ub),
            format!(
                "{failures} of {n} pushed back: {c} % confident at most {} of {population} are unfit{over}",
                format_rate(ub)
            ),
        )
    } else {
        (
            None,
            format!("{reviewed} of {n} reviewed: the bound is stated once all {n} are reviewed"),
        )
    };
    SampleBound {
        sample: d.sample,
        label: d.label.to_string(),
        random_items: n,
        reviewed,
        pushed_back: failures,
        population,
        confidence: c,
        upper_bound: upper,
        statement,
        strata: strata.map_or(0, |s| s.len() as u64),
    }
}

/// [`sample_bound`] over a sample's items as the roll-up judged them; must-include items are
/// left out.
pub fn of_items(d: &Design, items: &[Item]) -> SampleBound {
    let reviewed: Vec<Reviewed> = items.iter().filter_map(Reviewed::of_item).collect();
    sample_bound(d, &reviewed)
}

/// The recorded strata with what their items showed. A stratum's drawn count comes from its
/// items, so one whose items were removed since cannot claim more than was reviewed.
fn per_stratum(strata: &[StratumSize], items: &[Reviewed]) -> Vec<Stratum> {
    strata
        .iter()
        .map(|s| {
            let mine = items.iter().filter(|i| i.stratum == s.name);
            Stratum {
                population: s.population,
                drawn: mine.clone().count() as u64,
                failures: mine.filter(|i| i.pushed_back).count() as u64,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strata() -> Vec<StratumSize> {
        [("A", 74), ("B", 58), ("C", 34), ("D", 17), ("E", 17)]
            .into_iter()
            .map(|(name, population)| StratumSize {
                name: name.into(),
                population,
                drawn: 5,
            })
            .collect()
    }

    fn items(pushed: &[&str]) -> Vec<Reviewed> {
        let mut out = Vec::new();
        for s in ["A", "B", "C", "D", "E"] {
            for i in 0..5 {
                out.push(Reviewed {
                    stratum: s.into(),
                    reviewed: true,
                    pushed_back: i == 0 && pushed.contains(&s),
                });
            }
        }
        out
    }

    fn design(strata: Option<&[StratumSize]>) -> Design<'_> {
        Design {
            sample: 1,
            label: "2026-W47",
            population: 203,
            rule_items: 3,
            confidence: 95.0,
            strata,
        }
    }

    #[test]
    fn a_per_division_sample_states_the_worst_case() {
        let strata = strata();
        let plan = Plan::Size {
            n: 5,
            confidence: 95.0,
        };
        let sized = sized_stratified(&plan, &strata);
        assert_eq!((sized.n, sized.population, sized.proves), (25, 200, 0.165));
        let b = sample_bound(&design(Some(&strata)), &items(&[]));
        assert_eq!(b.upper_bound, Some(0.165));
        assert_eq!(b.population, 200);
        assert_eq!(
            b.statement,
            "0 of 25 pushed back: 95 % confident at most 17 % of 200 are unfit (the worst case over 5 divisions)"
        );
        // A push-back widens it; the same items read as simple claim much less.
        let pushed = sample_bound(&design(Some(&strata)), &items(&["A"]));
        assert!(pushed.upper_bound > Some(0.165));
        let simple = sample_bound(&design(None), &items(&[]));
        assert_eq!(simple.upper_bound, Some(21.0 / 200.0));
        assert_eq!(simple.strata, 0);
    }

    #[test]
    fn a_stratum_with_nothing_drawn_hides_all_it_holds() {
        let mut strata = strata();
        strata.push(StratumSize {
            name: "F".into(),
            population: 10,
            drawn: 0,
        });
        let mut d = design(Some(&strata));
        d.population += 10;
        let b = sample_bound(&d, &items(&[]));
        assert_eq!(b.upper_bound, Some(43.0 / 210.0));
    }

    #[test]
    fn no_bound_before_every_random_item_is_reviewed() {
        let strata = strata();
        let mut its = items(&[]);
        its[3].reviewed = false;
        let b = sample_bound(&design(Some(&strata)), &its);
        assert_eq!(b.upper_bound, None);
        assert_eq!(
            b.statement,
            "24 of 25 reviewed: the bound is stated once all 25 are reviewed"
        );
        assert_eq!(Reviewed::of("rule:late", &[], 0), None);
        assert_eq!(
            Reviewed::of("random:A", &[], 0).map(|r| r.stratum),
            Some("A".into())
        );
        assert_eq!(
            Reviewed::of("random", &[], 0).map(|r| r.stratum),
            Some(String::new())
        );
    }
}
