//! What the sampled items say over time and why they came back: the items first reviewed in
//! each period and the share signed without a push-back (the dashboard's weekly chart), and the
//! push-back reasons, each item counted once as the roll-up counts it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::period::Period;
use super::rollup::{distinct, Item};

/// The items first reviewed in one period, and the share of them signed without a push-back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reviews {
    pub short: String,
    pub reviewed: u64,
    pub sign_off_rate: Option<f64>,
}

/// Reviews per period (oldest first), each item in the period of its first review.
pub fn reviews_per_period(items: &[Item], periods: &[Period]) -> Vec<Reviews> {
    let items = distinct(items);
    periods
        .iter()
        .map(|p| {
            let mine: Vec<&Item> = items
                .iter()
                .map(|i| i.as_ref())
                .filter(|i| i.reviewed_at.is_some_and(|t| t >= p.start && t < p.end))
                .collect();
            let n = mine.len() as u64;
            let clean = mine.iter().filter(|i| !i.pushed_back).count() as u64;
            Reviews {
                short: p.short.clone(),
                reviewed: n,
                sign_off_rate: (n > 0).then(|| clean as f64 / n as f64),
            }
        })
        .collect()
}

/// Push-back reason codes over the items, the most frequent first.
pub fn reason_counts(items: &[Item]) -> Vec<(String, u64)> {
    let items = distinct(items);
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for r in items.iter().flat_map(|i| &i.reasons) {
        *counts.entry(r.as_str()).or_default() += 1;
    }
    let mut out: Vec<(String, u64)> = counts
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::decision::{Decision, Kind};
    use crate::domain::rollup::tests::d;

    /// Complaint `id` decided from `at` on, a second apart.
    fn item(id: i64, at: i64, kinds: &[(Kind, Option<&str>)]) -> Item {
        let ds: Vec<Decision> = kinds
            .iter()
            .enumerate()
            .map(|(i, (kind, reasons))| Decision {
                at: at + i as i64,
                ..d(id * 10 + i as i64, *kind, *reasons)
            })
            .collect();
        Item::of(id, "Billing", "random", &ds, "t", at)
    }

    fn period(start: i64, end: i64) -> Period {
        Period {
            label: String::new(),
            short: format!("{start}"),
            start,
            end,
        }
    }

    #[test]
    fn reviews_fall_in_the_period_of_their_first_review() {
        let pb = (Kind::PushBack, Some("canned,late"));
        let items = [
            item(1, 100, &[(Kind::Approve, None)]),
            // Pushed back first, signed later: counted where it was first reviewed, unfit.
            item(2, 101, &[pb, (Kind::Revise, None), (Kind::Approve, None)]),
            item(3, 150, &[pb]),
            item(4, 160, &[]),
        ];
        let r = reviews_per_period(
            &items,
            &[period(0, 103), period(103, 200), period(200, 300)],
        );
        assert_eq!((r[0].reviewed, r[0].sign_off_rate), (2, Some(0.5)));
        assert_eq!((r[1].reviewed, r[1].sign_off_rate), (1, Some(0.0)));
        assert_eq!((r[2].reviewed, r[2].sign_off_rate), (0, None));
        assert_eq!(
            reason_counts(&items),
            vec![("canned".to_string(), 2), ("late".to_string(), 2)]
        );
    }
}
