//! The stratified bound against independent computations: every split enumerated with exact
//! integer binomials for small strata, a plain knapsack for the issue's example.

use super::*;

fn s(population: u64, drawn: u64, failures: u64) -> Stratum {
    Stratum {
        population,
        drawn,
        failures,
    }
}

fn choose(n: u64, k: u64) -> u128 {
    if k > n {
        return 0;
    }
    let k = k.min(n - k);
    (0..k).fold(1u128, |acc, i| acc * u128::from(n - i) / u128::from(i + 1))
}

/// P(X <= x | N, d, n) from exact integer counts.
fn exact_cdf(pop: u64, d: u64, n: u64, x: u64) -> f64 {
    let hits: u128 = (0..=x.min(n))
        .map(|j| choose(d, j) * choose(pop - d, n - j))
        .sum();
    hits as f64 / choose(pop, n) as f64
}

/// The largest D over every split of D across the strata whose probability exceeds alpha,
/// by enumerating all splits.
fn brute_count(strata: &[Stratum], confidence: f64) -> u64 {
    let alpha = 1.0 - confidence;
    let mut best = 0;
    let mut split = vec![0u64; strata.len()];
    loop {
        let p: f64 = strata
            .iter()
            .zip(&split)
            .map(|(s, &d)| exact_cdf(s.population, d, s.drawn, s.failures))
            .product();
        // As for one stratum: the failures seen are always plausible.
        let seen = strata.iter().zip(&split).all(|(s, &d)| d <= s.failures);
        if p > alpha || seen {
            best = best.max(split.iter().sum());
        }
        // Next split, like an odometer.
        let mut i = 0;
        while i < split.len() && split[i] == strata[i].population {
            split[i] = 0;
            i += 1;
        }
        if i == split.len() {
            return best;
        }
        split[i] += 1;
    }
}

fn count(strata: &[Stratum], confidence: f64) -> u64 {
    let total: u64 = strata.iter().map(|s| s.population).sum();
    (upper_bound_stratified(strata, confidence) * total as f64).round() as u64
}

#[test]
fn matches_enumeration_of_every_split() {
    let shapes: &[&[Stratum]] = &[
        &[s(12, 3, 0), s(9, 3, 0)],
        &[s(20, 2, 0), s(6, 2, 0), s(4, 2, 0)],
        &[s(15, 5, 0), s(15, 1, 0)],
        &[s(10, 10, 0), s(10, 0, 0), s(8, 2, 0)],
        &[s(14, 4, 1), s(10, 3, 0)],
        &[s(16, 6, 2), s(9, 4, 1), s(5, 2, 0)],
        &[s(18, 5, 5), s(12, 4, 0)],
        &[s(25, 7, 1), s(11, 2, 1)],
        &[s(1, 1, 0), s(1, 0, 0), s(30, 6, 0)],
    ];
    for strata in shapes {
        for c in [0.80, 0.90, 0.95, 0.99] {
            assert_eq!(
                count(strata, c),
                brute_count(strata, c),
                "{strata:?} at {c}"
            );
        }
    }
}

#[test]
fn one_stratum_is_the_hypergeometric_bound() {
    for (pop, n, f) in [
        (1_240, 59, 0),
        (200, 20, 0),
        (500, 50, 2),
        (1_000, 30, 2),
        (7, 7, 0),
    ] {
        for c in [0.0, 0.90, 0.95, 1.0] {
            let want = stats::upper_bound_hypergeometric(pop, n, f, c);
            let got = upper_bound_stratified(&[s(pop, n, f)], c);
            assert!(
                (got - want).abs() < 1e-12,
                "{pop} {n} {f} {c}: {got} vs {want}"
            );
        }
    }
    assert_eq!(upper_bound_stratified(&[], 0.95), 0.0);
    assert_eq!(upper_bound_stratified(&[s(0, 0, 0)], 0.95), 0.0);
}

/// The largest D whose best split keeps P(nothing found) above alpha, by a knapsack over the
/// strata that tries every d_h for every total.
fn knapsack_count(strata: &[Stratum], confidence: f64) -> u64 {
    let alpha = 1.0 - confidence;
    let total: u64 = strata.iter().map(|s| s.population).sum();
    let mut best = vec![f64::NEG_INFINITY; total as usize + 1];
    best[0] = 1.0;
    for st in strata {
        let mut next = vec![f64::NEG_INFINITY; total as usize + 1];
        for (before, &p) in best.iter().enumerate().filter(|(_, p)| p.is_finite()) {
            for d in 0..=st.population {
                let q = p * exact_cdf(st.population, d, st.drawn, st.failures);
                let slot = &mut next[before + d as usize];
                *slot = slot.max(q);
            }
        }
        best = next;
    }
    (0..=total)
        .rev()
        .find(|&d| best[d as usize] > alpha)
        .unwrap_or(0)
}

#[test]
fn the_issues_example() {
    // 200 complaints in five divisions, five drawn from each, nothing pushed back.
    let strata = [
        s(74, 5, 0),
        s(58, 5, 0),
        s(34, 5, 0),
        s(17, 5, 0),
        s(17, 5, 0),
    ];
    let bound = upper_bound_stratified(&strata, 0.95);
    assert_eq!(count(&strata, 0.95), knapsack_count(&strata, 0.95));
    assert_eq!(bound, 33.0 / 200.0);
    // A simple random sample of 25 would claim far less.
    let srs = stats::upper_bound_hypergeometric(200, 25, 0, 0.95);
    assert_eq!(stats::format_rate(srs), "11 %");
    // 23 unfit in the 74-complaint division go unseen with probability 0.146, not <= 0.05.
    let miss = stats::prob_zero_hypergeometric(74, 23, 5);
    assert!((miss - 0.146).abs() < 5e-4, "{miss}");
    assert!(bound * 200.0 > 23.0);
}

#[test]
fn knapsack_agrees_on_larger_shapes() {
    let shapes: &[&[Stratum]] = &[
        &[s(120, 5, 0), s(80, 5, 0), s(60, 5, 1), s(10, 5, 0)],
        &[s(300, 12, 0), s(40, 3, 0), s(40, 3, 0), s(40, 3, 0)],
        &[s(150, 20, 2), s(150, 5, 0)],
    ];
    for strata in shapes {
        for c in [0.90, 0.95] {
            assert_eq!(
                count(strata, c),
                knapsack_count(strata, c),
                "{strata:?} at {c}"
            );
        }
    }
}

#[test]
fn never_below_the_simple_bound_for_proportional_strata() {
    // Proportional allocation is close to simple random sampling, but the worst case over
    // the strata can only be at least as wide as the bound of a sample of the same size.
    let strata = [s(500, 30, 0), s(300, 18, 0), s(200, 12, 0)];
    let strat = upper_bound_stratified(&strata, 0.95);
    let srs = stats::upper_bound_hypergeometric(1_000, 60, 0, 0.95);
    assert!(strat >= srs - 1e-12, "{strat} vs {srs}");
}

#[test]
fn large_populations_stay_quick_and_huge_ones_fall_back_wider() {
    // A million complaints in twenty divisions, five drawn from each.
    let strata: Vec<Stratum> = (0..20).map(|i| s(10_000 + 5_000 * i, 5, 0)).collect();
    let b = upper_bound_stratified(&strata, 0.95);
    let largest = stats::upper_bound_hypergeometric(105_000, 5, 0, 0.95) * 105_000.0;
    let total: u64 = strata.iter().map(|s| s.population).sum();
    assert!(b * total as f64 > largest, "{b}");
    let each: f64 = strata
        .iter()
        .map(|s| stats::upper_bound_hypergeometric(s.population, 5, 0, 0.95) * s.population as f64)
        .sum();
    assert!(b * (total as f64) < each, "{b}");
    // Beyond the work limit: each stratum's own bound, summed, is wider than the exact one.
    let huge = [s(40_000_000, 5, 0), s(30_000_000, 5, 0)];
    let fallback = upper_bound_stratified(&huge, 0.95);
    let own = stats::upper_bound(Some(40_000_000), 5, 0, 0.95);
    assert!(fallback >= own * 4.0 / 7.0 && fallback <= 1.0, "{fallback}");
}
