//! Attribute-sampling statistics: how many complaints to review, and what a review proves.
//! Log-probabilities use Loader's saddle-point form (as R's `dbinom`/`dhyper` do), so populations
//! up to 10^9 neither overflow nor lose digits to cancelling log-factorials. A NaN confidence is
//! read as certainty: the most conservative plan or bound rather than an overclaim.

use std::f64::consts::PI;

/// Above this the exact search is not worth its cost: for samples of any realistic size the
/// binomial bound then agrees at the displayed precision, and where it differs it is wider.
const EXACT_LIMIT: u64 = 10_000_000;

/// P(no unfit item in a sample of n drawn without replacement from N items of which k are unfit).
pub fn prob_zero_hypergeometric(population: u64, unfit: u64, n: u64) -> f64 {
    let (unfit, n) = (unfit.min(population), n.min(population));
    if n.saturating_add(unfit) > population {
        return 0.0;
    }
    // C(N-K, n) / C(N, n) == C(N-n, K) / C(N, K): walking the shorter side bounds the work,
    // and an underflowed product is zero for every practical purpose.
    let (short, long) = (n.min(unfit), n.max(unfit));
    let mut p = 1.0;
    for i in 0..short {
        p *= (population - long - i) as f64 / (population - i) as f64;
        if p < f64::MIN_POSITIVE {
            return 0.0;
        }
    }
    p
}

/// P(X <= x) for X ~ Hypergeometric(N, K, n).
pub fn hypergeometric_cdf(population: u64, unfit: u64, n: u64, x: u64) -> f64 {
    let (unfit, n) = (unfit.min(population), n.min(population));
    let lo = n.saturating_add(unfit).saturating_sub(population);
    let hi = n.min(unfit);
    let mode = (u128::from(n) + 1) * (u128::from(unfit) + 1) / (u128::from(population) + 2);
    let mode = u64::try_from(mode).unwrap_or(hi).clamp(lo, hi);
    let (pf, kf, nf) = (population as f64, unfit as f64, n as f64);
    let pmf = |j: u64| {
        let (p, q) = (nf / pf, (pf - nf) / pf);
        let j = j as f64;
        let ln = ln_binom_pmf(j, kf, p, q) + ln_binom_pmf(nf - j, pf - kf, p, q)
            - ln_binom_pmf(nf, pf, p, q);
        ln.exp()
    };
    let ratio_up = |j: u64| {
        let j = j as f64;
        (kf - j) * (nf - j) / ((j + 1.0) * (pf - kf - nf + j + 1.0))
    };
    unimodal_cdf(x, (lo, hi, mode), pmf, ratio_up)
}

/// Smallest n such that, if ceil(tolerable * N) of the N items were unfit, the chance of drawing
/// none of them is <= 1 - confidence (exact hypergeometric). Capped at N. N == 0 gives 0.
pub fn sample_size_for_confidence(population: u64, confidence: f64, tolerable: f64) -> u64 {
    if population == 0 || confidence <= 0.0 {
        return 0;
    }
    let alpha = 1.0 - confidence.min(1.0);
    // With no unfit item to find every sample would pass, so one is the least worth detecting.
    let unfit = ceil_count(tolerable, population).max(1);
    // A sample of N - K + 1 cannot miss all K, so the answer is at most that.
    1 + last_holding(0, population - unfit, |n| {
        prob_zero_hypergeometric(population, unfit, n) > alpha
    })
}

/// Exact one-sided upper confidence bound on the unfit rate of a finite population: the largest
/// K with P(X <= failures | N, K, n) > 1 - confidence, returned as K / N.
pub fn upper_bound_hypergeometric(population: u64, n: u64, failures: u64, confidence: f64) -> f64 {
    if population == 0 {
        return 0.0;
    }
    let n = n.min(population);
    let failures = failures.min(n);
    let alpha = 1.0 - confidence.min(1.0);
    // K = failures always fits the data; more than N - (n - failures) contradicts it.
    let k = last_holding(failures, population - n + failures, |k| {
        hypergeometric_cdf(population, k, n, failures) > alpha
    });
    k as f64 / population as f64
}

/// Clopper–Pearson exact one-sided upper bound for a binomial proportion: the p with
/// P(X <= failures | n, p) = 1 - confidence; 1.0 when failures == n.
pub fn upper_bound_clopper_pearson(n: u64, failures: u64, confidence: f64) -> f64 {
    let alpha = 1.0 - confidence.min(1.0);
    if failures >= n || alpha <= 0.0 {
        return 1.0;
    }
    if failures == 0 {
        // 1 - alpha^(1/n), written so that small bounds keep their digits.
        return -(alpha.ln() / n as f64).exp_m1();
    }
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    let mut mid = 0.5;
    while lo < mid && mid < hi {
        if binomial_cdf(n, mid, failures) > alpha {
            lo = mid;
        } else {
            hi = mid;
        }
        mid = 0.5 * (lo + hi);
    }
    // The bracket's upper end, so that rounding never shrinks the bound.
    hi
}

/// What the review proves: hypergeometric when the population is known and at most
/// 10_000_000, Clopper–Pearson otherwise (population None = unknown/infinite).
pub fn upper_bound(population: Option<u64>, n: u64, failures: u64, confidence: f64) -> f64 {
    match population {
        Some(pop) if pop <= EXACT_LIMIT => upper_bound_hypergeometric(pop, n, failures, confidence),
        _ => upper_bound_clopper_pearson(n, failures, confidence),
    }
}

/// What a plan by count or percentage proves if no item is pushed back.
pub fn proves_if_clean(population: u64, n: u64, confidence: f64) -> f64 {
    upper_bound(Some(population), n, 0, confidence)
}

/// ceil(percent * N) clamped to [min(1,N), N]; percent is a fraction.
pub fn size_for_percent(population: u64, percent: f64) -> u64 {
    ceil_count(percent, population).max(population.min(1))
}

/// A rate as a percentage for people: one decimal below 10 %, whole numbers from 10 % up,
/// rounded half away from zero at the shown precision, a plain space before "%".
pub fn format_rate(rate: f64) -> String {
    let pct = rate.clamp(0.0, 1.0) * 100.0;
    let tenths = (pct * 10.0).round() as u64;
    // Decided after rounding, so 9.96 % reads "10 %", never "10.0 %".
    if tenths < 100 {
        format!("{}.{} %", tenths / 10, tenths % 10)
    } else {
        format!("{} %", pct.round() as u64)
    }
}

/// Chi-square statistic for observed counts against equal expected counts.
/// Returns (statistic, degrees_of_freedom).
pub fn chi_square_uniform(observed: &[u64]) -> (f64, usize) {
    let dof = observed.len().saturating_sub(1);
    let total: u64 = observed.iter().sum();
    if total == 0 {
        return (0.0, dof);
    }
    let expected = total as f64 / observed.len() as f64;
    let squares = observed.iter().map(|&o| (o as f64 - expected).powi(2));
    (squares.sum::<f64>() / expected, dof)
}

/// Upper-tail p-value of the chi-square distribution, Q(dof/2, statistic/2).
pub fn chi_square_p_value(statistic: f64, dof: usize) -> f64 {
    if dof == 0 || statistic.is_nan() || statistic <= 0.0 {
        return 1.0;
    }
    if statistic.is_infinite() {
        return 0.0;
    }
    let (a, x) = (dof as f64 / 2.0, statistic / 2.0);
    let prefactor = (a * x.ln() - x - ln_gamma_half(dof)).exp();
    if x < a + 1.0 {
        // Below a + 1 the series for P(a, x) converges fast; the fraction for Q would not.
        let (mut ap, mut del, mut sum) = (a, 1.0 / a, 1.0 / a);
        while del > sum * 1e-17 {
            ap += 1.0;
            del *= x / ap;
            sum += del;
        }
        return (1.0 - sum * prefactor).max(0.0);
    }
    // Modified Lentz on the continued fraction for Q(a, x).
    let tiny = 1e-300;
    let guard = |v: f64| if v.abs() < tiny { tiny } else { v };
    let mut b = x + 1.0 - a;
    let (mut c, mut d) = (1.0 / tiny, 1.0 / b);
    let mut h = d;
    for i in 1..10_000 {
        let an = -f64::from(i) * (f64::from(i) - a);
        b += 2.0;
        d = 1.0 / guard(an * d + b);
        c = guard(b + an / c);
        h *= d * c;
        if (d * c - 1.0).abs() < 1e-16 {
            break;
        }
    }
    (prefactor * h).min(1.0)
}

/// ceil(fraction * total), forgiving rounding noise: 0.07 * 1000 is 70.00000000000001 in f64
/// and must not become 71.
fn ceil_count(fraction: f64, total: u64) -> u64 {
    let raw = fraction.clamp(0.0, 1.0) * total as f64;
    ((raw - 1e-9 * raw.max(1.0)).ceil() as u64).min(total)
}

/// Largest v in lo..=hi for which `holds` is true, given that it holds at lo and, once false,
/// stays false.
fn last_holding(mut lo: u64, mut hi: u64, holds: impl Fn(u64) -> bool) -> u64 {
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if holds(mid) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

/// P(X <= x) for a unimodal distribution on lo..=hi. The sum starts at x and walks away from
/// the mode, so the smaller tail is summed directly and keeps its relative precision, and the
/// walk ends as soon as terms stop changing the sum.
fn unimodal_cdf(
    x: u64,
    (lo, hi, mode): (u64, u64, u64),
    pmf: impl Fn(u64) -> f64,
    ratio_up: impl Fn(u64) -> f64,
) -> f64 {
    if x >= hi || x < lo {
        return if x >= hi { 1.0 } else { 0.0 };
    }
    let lower = x <= mode;
    let mut j = if lower { x } else { x + 1 };
    let (mut term, mut sum) = (pmf(j), pmf(j));
    while term > sum * 1e-17 && (if lower { j > lo } else { j < hi }) {
        if lower {
            j -= 1;
            term /= ratio_up(j);
        } else {
            term *= ratio_up(j);
            j += 1;
        }
        sum += term;
    }
    (if lower { sum } else { 1.0 - sum }).clamp(0.0, 1.0)
}

fn binomial_cdf(n: u64, p: f64, x: u64) -> f64 {
    let (nf, q) = (n as f64, 1.0 - p);
    let mode = (((nf + 1.0) * p).floor() as u64).min(n);
    let pmf = |j: u64| ln_binom_pmf(j as f64, nf, p, q).exp();
    let ratio_up = |j: u64| (nf - j as f64) * p / ((j as f64 + 1.0) * q);
    unimodal_cdf(x, (0, n, mode), pmf, ratio_up)
}

/// Loader's log binomial pmf. q comes separately so callers can pass it without 1 - p loss.
fn ln_binom_pmf(x: f64, n: f64, p: f64, q: f64) -> f64 {
    if x < 0.0 || x > n || (p == 0.0 && x > 0.0) || (q == 0.0 && x < n) {
        return f64::NEG_INFINITY;
    }
    if x == 0.0 || x == n {
        // n ln(1 - s) for the probability s of the outcome never drawn, from whichever of
        // s and 1 - s keeps its digits.
        let (s, rest) = if x == n { (q, p) } else { (p, q) };
        return n * if s < 0.5 { (-s).ln_1p() } else { rest.ln() };
    }
    let lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
    lc - 0.5 * ((2.0 * PI).ln() + x.ln() + (-x / n).ln_1p())
}

/// ln(n!) - ln(sqrt(2 pi n) (n/e)^n) for integer n >= 1.
fn stirlerr(n: f64) -> f64 {
    if n <= 15.0 {
        let ln_fact: f64 = (2..=n as u64).map(|i| (i as f64).ln()).sum();
        return ln_fact - (n + 0.5) * n.ln() + n - 0.5 * (2.0 * PI).ln();
    }
    let nn = n * n;
    let tail = (1.0 / 1260.0 - (1.0 / 1680.0 - 1.0 / (1188.0 * nn)) / nn) / nn;
    (1.0 / 12.0 - (1.0 / 360.0 - tail) / nn) / n
}

/// x ln(x/np) + np - x, by series when x is near np where the direct form cancels.
fn bd0(x: f64, np: f64) -> f64 {
    if (x - np).abs() >= 0.1 * (x + np) {
        return x * (x / np).ln() + np - x;
    }
    let v = (x - np) / (x + np);
    let (mut s, mut ej) = ((x - np) * v, 2.0 * x * v);
    for j in 1..1000 {
        ej *= v * v;
        let next = s + ej / f64::from(2 * j + 1);
        if next == s {
            break;
        }
        s = next;
    }
    s
}

/// ln Gamma(dof / 2), exact by recurrence down to Gamma(1) or Gamma(1/2).
fn ln_gamma_half(dof: usize) -> f64 {
    let a = dof as f64 / 2.0;
    let mut v = if dof % 2 == 1 { 0.5 } else { 1.0 };
    let mut s = if v < 1.0 { 0.5 * PI.ln() } else { 0.0 };
    while v + 0.5 < a {
        s += f64::ln(v);
        v += 1.0;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn near(got: f64, want: f64, tol: f64) {
        assert!((got - want).abs() <= tol, "{got} vs {want}");
    }

    fn ln_choose(n: u64, k: u64) -> f64 {
        (1..=k).map(|i| ((n - k + i) as f64 / i as f64).ln()).sum()
    }

    fn naive_hyper_cdf(pop: u64, unfit: u64, n: u64, x: u64) -> f64 {
        let ln_term = |j: u64| ln_choose(unfit, j) + ln_choose(pop - unfit, n - j);
        let terms = (0..=x.min(n).min(unfit)).filter(|&j| n - j <= pop - unfit);
        terms.map(|j| (ln_term(j) - ln_choose(pop, n)).exp()).sum()
    }

    /// Clopper–Pearson by brute force: bisection on a binomial CDF summed term by term.
    fn brute_cp(n: u64, failures: u64, confidence: f64) -> f64 {
        let ln_term =
            |j: u64, p: f64| ln_choose(n, j) + j as f64 * p.ln() + (n - j) as f64 * (-p).ln_1p();
        let cdf = |p: f64| (0..=failures).map(|j| ln_term(j, p).exp()).sum::<f64>();
        let (mut lo, mut hi) = (0.0, 1.0);
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if cdf(mid) > 1.0 - confidence {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        hi
    }

    #[track_caller]
    fn plan(pop: u64, tolerable: f64, want: u64) {
        let n = sample_size_for_confidence(pop, 0.95, tolerable);
        assert_eq!(n, want);
        let unfit = ceil_count(tolerable, pop);
        assert!(prob_zero_hypergeometric(pop, unfit, n) <= 1.0 - 0.95);
        assert!(prob_zero_hypergeometric(pop, unfit, n - 1) > 1.0 - 0.95);
    }

    #[test]
    fn planner_matches_tables_and_its_definition() {
        plan(5_000, 0.05, 59);
        plan(10_000, 0.05, 59);
        plan(1_000_000, 0.05, 59);
        plan(1_240_000, 0.05, 59);
        plan(1_000_000_000, 0.05, 59);
        plan(1_000, 0.05, 57);
        plan(200, 0.05, 51);
        plan(100, 0.05, 45);
        plan(1_000_000, 0.10, 29);
    }

    #[test]
    fn planner_edges() {
        assert_eq!(sample_size_for_confidence(0, 0.95, 0.05), 0);
        assert_eq!(sample_size_for_confidence(1_000, 0.0, 0.05), 0);
        // Certainty means looking at every item the 50 unfit ones could hide behind.
        assert_eq!(sample_size_for_confidence(1_000, 1.0, 0.05), 951);
        assert_eq!(sample_size_for_confidence(1_000, f64::NAN, 0.05), 951);
        assert_eq!(sample_size_for_confidence(1_000, 0.95, 0.0), 950);
        assert_eq!(sample_size_for_confidence(3, 0.95, 0.05), 3);
        assert_eq!(sample_size_for_confidence(1, 0.95, 0.05), 1);
        assert_eq!(sample_size_for_confidence(500, 0.95, 1.0), 1);
    }

    #[test]
    fn hypergeometric_matches_brute_force() {
        for pop in [1, 2, 13, 40] {
            for (unfit, n) in (0..=pop).flat_map(|k| (0..=pop).map(move |n| (k, n))) {
                let p0 = prob_zero_hypergeometric(pop, unfit, n);
                near(p0, naive_hyper_cdf(pop, unfit, n, 0), 1e-12);
                for x in 0..=n {
                    let want = naive_hyper_cdf(pop, unfit, n, x);
                    near(hypergeometric_cdf(pop, unfit, n, x), want, 1e-12);
                }
            }
        }
        let want = naive_hyper_cdf(5_000, 400, 900, 50);
        near(hypergeometric_cdf(5_000, 400, 900, 50) / want, 1.0, 1e-9);
    }

    #[test]
    fn hypergeometric_is_stable_for_huge_populations() {
        let (pop, unfit) = (1_000_000_000, 50_000_000);
        let p0 = prob_zero_hypergeometric(pop, unfit, 59);
        near(p0, 0.95_f64.powi(59), 1e-6);
        near(p0, hypergeometric_cdf(pop, unfit, 59, 0), 1e-12);
        // A sample this much smaller than the population is practically binomial.
        for x in [4_800, 5_000, 5_200] {
            let want = binomial_cdf(100_000, 0.05, x);
            near(hypergeometric_cdf(pop, unfit, 100_000, x), want, 1e-3);
        }
        assert_eq!(hypergeometric_cdf(pop, unfit, 100_000, 100_000), 1.0);
        assert!(hypergeometric_cdf(pop, 500_000_000, 100_000, 10_000) < 1e-300);
    }

    #[track_caller]
    fn hyper(pop: u64, n: u64, failures: u64, confidence: f64, want: f64) {
        let got = upper_bound_hypergeometric(pop, n, failures, confidence);
        near(got, want, 1e-12);
    }

    #[test]
    fn hypergeometric_bound_examples_and_edges() {
        // The exact bound is 59 of 1240; 61 is what the binomial approximation would give.
        hyper(1_240, 59, 0, 0.95, 59.0 / 1_240.0);
        assert!(hypergeometric_cdf(1_240, 59, 59, 0) > 0.05);
        assert!(hypergeometric_cdf(1_240, 60, 59, 0) <= 0.05);
        hyper(200, 20, 0, 0.95, 0.13);
        assert_eq!(format_rate(proves_if_clean(200, 20, 0.95)), "13 %");
        hyper(500, 50, 2, 0.90, 49.0 / 500.0);
        hyper(0, 0, 0, 0.95, 0.0);
        hyper(1_000, 0, 0, 0.95, 1.0);
        hyper(1_000, 1_000, 7, 0.95, 0.007);
        hyper(1_000, 1_500, 7, 0.95, 0.007);
        hyper(1_000, 30, 30, 0.95, 1.0);
        hyper(1_000, 30, 2, 1.0, 0.972);
        hyper(1_000, 30, 2, f64::NAN, 0.972);
        hyper(1_000, 30, 2, 0.0, 0.002);
        assert_eq!(proves_if_clean(50, 50, 0.95), 0.0);
    }

    #[track_caller]
    fn cp(n: u64, failures: u64, confidence: f64, want: f64) {
        near(
            upper_bound_clopper_pearson(n, failures, confidence),
            want,
            1e-9,
        );
    }

    #[test]
    fn clopper_pearson_values_and_edges() {
        for (n, c) in [(1, 0.95_f64), (59, 0.95), (300, 0.99), (20, 0.80)] {
            let want = 1.0 - (1.0 - c).powf(1.0 / n as f64);
            cp(n, 0, c, want);
            near(brute_cp(n, 0, c), want, 1e-9);
        }
        // References computed independently with 40-digit arithmetic.
        cp(59, 1, 0.95, 0.077_897_921_518_818_3);
        cp(100, 5, 0.95, 0.102_253_377_643_274_5);
        cp(20, 3, 0.90, 0.304_186_811_407_478_7);
        for (n, f) in [(10, 9), (500, 37), (1_000, 1)] {
            cp(n, f, 0.95, brute_cp(n, f, 0.95));
        }
        let big = upper_bound_clopper_pearson(1_000_000_000, 50_000_000, 0.95);
        assert!(big > 0.05 && big < 0.0501, "{big}");
        for (n, f, c) in [(0, 0, 0.95), (30, 30, 0.95), (30, 0, 1.0), (30, 2, 1.0)] {
            assert_eq!(upper_bound_clopper_pearson(n, f, c), 1.0);
        }
        assert_eq!(upper_bound_clopper_pearson(30, 0, 0.0), 0.0);
        assert!(upper_bound_clopper_pearson(30, 2, 0.0) < 1e-12);
    }

    #[test]
    fn hypergeometric_bound_approaches_clopper_pearson() {
        let pop = 10_000_000;
        for (n, f) in [(59, 0), (200, 3), (2_000, 40)] {
            let h = upper_bound_hypergeometric(pop, n, f, 0.95);
            let cp = upper_bound_clopper_pearson(n, f, 0.95);
            assert!(h <= cp + 1e-7 && cp - h < 1e-3, "n={n} f={f}: {h} vs {cp}");
            assert_eq!(upper_bound(Some(pop), n, f, 0.95), h);
            assert_eq!(upper_bound(Some(pop + 1), n, f, 0.95), cp);
            assert_eq!(upper_bound(None, n, f, 0.95), cp);
        }
    }

    #[test]
    fn percent_plans() {
        assert_eq!(size_for_percent(200, 0.10), 20);
        assert_eq!(size_for_percent(1_000, 0.07), 70);
        assert_eq!(size_for_percent(7, 0.5), 4);
        assert_eq!(size_for_percent(1_000, 0.0), 1);
        assert_eq!(size_for_percent(10, 2.0), 10);
        assert_eq!(size_for_percent(0, 0.5), 0);
        assert_eq!(size_for_percent(10, f64::NAN), 1);
    }

    #[test]
    fn rates_for_people() {
        assert_eq!(format_rate(61.0 / 1_240.0), "4.9 %");
        assert_eq!(format_rate(59.0 / 1_240.0), "4.8 %");
        assert_eq!(format_rate(0.13), "13 %");
        assert_eq!(format_rate(0.0996), "10 %");
        assert_eq!(format_rate(0.125), "13 %");
        assert_eq!(format_rate(0.0004), "0.0 %");
        assert_eq!(format_rate(1.0), "100 %");
    }

    #[test]
    fn chi_square() {
        assert_eq!(chi_square_uniform(&[10, 10, 10]), (0.0, 2));
        assert_eq!(chi_square_uniform(&[5, 15]), (5.0, 1));
        assert_eq!(chi_square_uniform(&[]), (0.0, 0));
        assert_eq!(chi_square_uniform(&[0, 0]), (0.0, 1));
        // References computed independently with 40-digit arithmetic.
        near(chi_square_p_value(3.84, 1), 0.050_043_521_248_705_1, 1e-10);
        near(
            chi_square_p_value(18.307, 10),
            0.050_000_589_091_398_1,
            1e-10,
        );
        near(chi_square_p_value(1.0, 3), 0.801_251_956_901_200_8, 1e-10);
        near(
            chi_square_p_value(120.0, 100),
            0.084_406_681_093_691_8,
            1e-10,
        );
        assert_eq!(chi_square_p_value(0.0, 4), 1.0);
        assert_eq!(chi_square_p_value(f64::INFINITY, 4), 0.0);
        assert!(chi_square_p_value(500.0, 2) < 1e-100);
    }
}
