//! What a stratified review proves: the worst case over the strata.
//!
//! A sample drawn per stratum (the same number from each division, or a share in proportion to
//! its size) is not a simple random sample of the whole population: unfit complaints gathered in
//! one large, lightly sampled stratum are missed far more often than the simple bound assumes.
//! The bound stated here is, like `stats::upper_bound_hypergeometric` for one stratum, the
//! largest number D of unfit complaints in the whole population for which the review's outcome
//! is still plausible: some split of D over the strata (d_h ≤ N_h, Σ d_h = D) leaves
//! P(every stratum shows at most the push-backs it showed) > 1 − confidence. It is returned as
//! D / N. With no push-back the probability of a split is the product of the hypergeometric
//! miss probabilities C(N_h − d_h, n_h) / C(N_h, n_h).
//!
//! The best split for each D is a knapsack over the strata, maximising the sum of the
//! per-stratum log-probabilities g_h(d_h). Each g_h is concave when nothing was found in the
//! stratum (its steps are ln(1 − n_h / (N_h − d + 1)), falling as d grows), so the best split
//! takes the least costly next unfit complaint from any stratum, greedily: exact, in
//! O(D log S) for S strata. Where a stratum showed push-backs the greedy runs on the upper
//! concave envelope of its log-probabilities, which is never below them: the bound is then
//! exact when that stratum's log-probability is concave in d (as the tests find wherever they
//! compare it with enumeration) and otherwise wider than the exact one, never narrower.
//!
//! Each stratum takes d_h only while its own probability stays above 1 − confidence (beyond
//! that no split can pass), so the work is the sum of the strata's own bounds. When that
//! exceeds `WORK_LIMIT` the bound falls back to the sum of each stratum's own bound, which is
//! wider: every stratum of a passing split must pass on its own.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::stats;

/// One stratum of a sample's random part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stratum {
    /// Complaints the stratum's random items were drawn from.
    pub population: u64,
    /// Random items drawn from it.
    pub drawn: u64,
    /// Of those, how many were pushed back.
    pub failures: u64,
}

/// Steps of the per-stratum recurrence (times the push-backs it tracks) above which the
/// conservative sum of per-stratum bounds is stated instead.
const WORK_LIMIT: f64 = 2e7;

/// The worst-case one-sided upper bound on the unfit rate over the strata (see the module
/// comment): D / N for the largest plausible D. One stratum gives exactly
/// `stats::upper_bound_hypergeometric`. A NaN confidence reads as certainty.
pub fn upper_bound_stratified(strata: &[Stratum], confidence: f64) -> f64 {
    let total: u64 = strata.iter().map(|s| s.population).sum();
    if total == 0 {
        return 0.0;
    }
    let ln_alpha = (1.0 - confidence.min(1.0)).ln();
    // Each stratum's own bound caps its share, and so measures the work of the exact search.
    let own: Vec<f64> = strata.iter().map(|s| own_count(s, confidence)).collect();
    let work: f64 = strata
        .iter()
        .zip(&own)
        .filter(|(s, _)| s.drawn.min(s.population) > s.failures)
        .map(|(s, k)| (k + 1.0) * (s.failures as f64 + 1.0))
        .sum();
    if work > WORK_LIMIT {
        return (own.iter().sum::<f64>() / total as f64).min(1.0);
    }
    greedy(&hulls(strata, ln_alpha), ln_alpha) as f64 / total as f64
}

/// The most unfit complaints a stratum's own review leaves plausible, rounded up.
fn own_count(s: &Stratum, confidence: f64) -> f64 {
    let pop = s.population;
    let k = stats::upper_bound(Some(pop), s.drawn, s.failures, confidence) * pop as f64;
    // Rounding noise must not add a complaint; anything more is rounded up.
    (k - 1e-9 * k.max(1.0)).ceil().min(pop as f64)
}

/// A run of `len` unit steps, each changing the log-probability by `slope` (≤ 0).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    slope: f64,
    len: u64,
}

/// Each stratum's upper concave envelope of ln P(at most its push-backs | d unfit), as
/// segments from d = 0 up to the last d whose probability exceeds e^ln_alpha.
fn hulls(strata: &[Stratum], ln_alpha: f64) -> Vec<Vec<Segment>> {
    let mut out = Vec::with_capacity(strata.len());
    for s in strata {
        let pop = s.population;
        let n = s.drawn.min(pop);
        let f = s.failures.min(n);
        if n == f {
            // Nothing drawn, or every drawn item pushed back: any d fits the data with
            // certainty (at confidence 0 only the failures seen count, as for one stratum).
            let len = if ln_alpha < 0.0 { pop } else { f };
            out.push(vec![Segment { slope: 0.0, len }]);
            continue;
        }
        // pmf[j] = P(X = j | N, d, n) for j ≤ f, stepped from d = 0 by adding one unfit item:
        // an item that turns unfit was drawn with probability (n − j) / (N − d) given X = j.
        let mut pmf = vec![0.0; f as usize + 1];
        pmf[0] = 1.0;
        // Points (d, ln P) after the flat start, where d ≤ f cannot contradict the data.
        let mut points: Vec<(u64, f64)> = vec![(0, 0.0)];
        let mut d = 0u64;
        loop {
            let left = (pop - d) as f64;
            for j in (0..=f as usize).rev() {
                let out_of = (n - j as u64) as f64;
                let stay = pmf[j] * (1.0 - out_of / left).max(0.0);
                let from = if j > 0 {
                    pmf[j - 1] * (out_of + 1.0) / left
                } else {
                    0.0
                };
                pmf[j] = stay + from;
            }
            d += 1;
            let ln_p = pmf.iter().sum::<f64>().min(1.0).ln();
            if d <= f {
                if d == f {
                    points.push((d, 0.0));
                }
                continue;
            }
            // The convention of `stats::upper_bound_hypergeometric`: plausible while above
            // 1 − confidence; zero failures seen always counts as plausible.
            let plausible = ln_p.partial_cmp(&ln_alpha) == Some(Ordering::Greater);
            if !plausible || d > pop - (n - f) {
                break;
            }
            points.push((d, ln_p));
        }
        out.push(upper_hull(&points));
    }
    out
}

/// Segments of the upper concave envelope of points with increasing d.
fn upper_hull(points: &[(u64, f64)]) -> Vec<Segment> {
    let mut hull: Vec<(u64, f64)> = Vec::with_capacity(points.len());
    for &p in points {
        while hull.len() >= 2 {
            let (a, b) = (hull[hull.len() - 2], hull[hull.len() - 1]);
            // b lies on or under the chord from a to p: it is not a corner of the envelope.
            let chord = a.1 + (p.1 - a.1) * (b.0 - a.0) as f64 / (p.0 - a.0) as f64;
            if b.1 <= chord {
                hull.pop();
            } else {
                break;
            }
        }
        hull.push(p);
    }
    hull.windows(2)
        .map(|w| Segment {
            slope: ((w[1].1 - w[0].1) / (w[1].0 - w[0].0) as f64).min(0.0),
            len: w[1].0 - w[0].0,
        })
        .collect()
}

/// Next segment of stratum `stratum`, ordered by slope (the least costly first).
struct Next {
    slope: f64,
    stratum: usize,
    index: usize,
}

impl PartialEq for Next {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Next {}
impl PartialOrd for Next {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Next {
    fn cmp(&self, other: &Self) -> Ordering {
        self.slope
            .total_cmp(&other.slope)
            .then(other.stratum.cmp(&self.stratum))
    }
}

/// The largest D for which the best split keeps the summed log-probability above ln_alpha,
/// taking unit steps cheapest first.
fn greedy(hulls: &[Vec<Segment>], ln_alpha: f64) -> u64 {
    let mut heap: BinaryHeap<Next> = hulls
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            h.first().map(|s| Next {
                slope: s.slope,
                stratum: i,
                index: 0,
            })
        })
        .collect();
    let (mut count, mut ln_p) = (0u64, 0.0f64);
    while let Some(next) = heap.pop() {
        let seg = hulls[next.stratum][next.index];
        let fits = |t: u64| seg.slope == 0.0 || ln_p + t as f64 * seg.slope > ln_alpha;
        if !fits(seg.len) {
            // Steps elsewhere cost at least as much as this one: this is where D ends.
            let mut t = ((ln_p - ln_alpha) / -seg.slope)
                .floor()
                .clamp(0.0, seg.len as f64) as u64;
            while t > 0 && !fits(t) {
                t -= 1;
            }
            while t < seg.len && fits(t + 1) {
                t += 1;
            }
            return count + t;
        }
        count += seg.len;
        ln_p += seg.len as f64 * seg.slope;
        if let Some(s) = hulls[next.stratum].get(next.index + 1) {
            heap.push(Next {
                slope: s.slope,
                stratum: next.stratum,
                index: next.index + 1,
            });
        }
    }
    count
}

#[cfg(test)]
#[path = "strata_bound_tests.rs"]
mod tests;
