//! Sample planning and the pure parts of drawing: what a draw is asked for, sizes, what a plan
//! proves, strata, rules.

use serde::{Deserialize, Serialize};

use super::stats;

/// How the size of the random part is chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Plan {
    /// A fixed number of items.
    Size { n: u64, confidence: f64 },
    /// A percentage of the population (0–100).
    Percent { percent: f64, confidence: f64 },
    /// Enough items that, if `tolerable` % were unfit, at least one would be drawn with
    /// `confidence` % probability.
    Confidence { confidence: f64, tolerable: f64 },
}

/// A plan applied to a population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sized {
    pub n: u64,
    pub population: u64,
    /// Percent (0–100).
    pub confidence: f64,
    /// The unfit rate (0–1) a clean review of `n` items proves at most.
    pub proves: f64,
    /// The strata `proves` is the worst case over; 0 for a simple random sample.
    #[serde(default)]
    pub strata: u64,
}

impl Plan {
    pub fn confidence(&self) -> f64 {
        match self {
            Plan::Size { confidence, .. }
            | Plan::Percent { confidence, .. }
            | Plan::Confidence { confidence, .. } => *confidence,
        }
    }

    pub fn size(&self, population: u64) -> Sized {
        let c = self.confidence() / 100.0;
        let n = match self {
            Plan::Size { n, .. } => (*n).min(population),
            Plan::Percent { percent, .. } => stats::size_for_percent(population, percent / 100.0),
            Plan::Confidence { tolerable, .. } => {
                stats::sample_size_for_confidence(population, c, tolerable / 100.0)
            }
        };
        Sized {
            n,
            population,
            confidence: self.confidence(),
            proves: stats::proves_if_clean(population, n, c),
            strata: 0,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Plan::Size { n, confidence } => format!("size {n}, {confidence} %"),
            Plan::Percent {
                percent,
                confidence,
            } => format!("{percent} % sample, {confidence} %"),
            Plan::Confidence {
                confidence,
                tolerable,
            } => format!("{confidence} % / {tolerable} %"),
        }
    }
}

impl Sized {
    /// "a 10 % sample of 200 proves at most 13 % unfit at 95 %"
    pub fn statement(&self, plan: &Plan) -> String {
        let what = match plan {
            _ if self.strata > 0 => format!(
                "{} of {} in {} divisions",
                self.n, self.population, self.strata
            ),
            Plan::Percent { percent, .. } => format!("a {percent} % sample of {}", self.population),
            _ => format!("{} of {}", self.n, self.population),
        };
        let over = if self.strata > 0 {
            " (the worst case over the divisions)"
        } else {
            ""
        };
        format!(
            "{what} proves at most {} unfit at {} % if none is pushed back{over}",
            stats::format_rate(self.proves),
            self.confidence
        )
    }
}

/// Must-include rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    WouldNotRecommend,
    WantsContact,
    AskedForManager,
    Negative,
    /// The failure-mode flags of the last check (`signoff flags`).
    Canned,
    ContactIgnored,
    EscalationRefused,
    Late,
    Repeat,
    UnansweredWriting,
}

impl Rule {
    pub const ALL: [Rule; 10] = [
        Rule::WouldNotRecommend,
        Rule::WantsContact,
        Rule::AskedForManager,
        Rule::Negative,
        Rule::Canned,
        Rule::ContactIgnored,
        Rule::EscalationRefused,
        Rule::Late,
        Rule::Repeat,
        Rule::UnansweredWriting,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Rule::WouldNotRecommend => "would-not-recommend",
            Rule::WantsContact => "wants-contact",
            Rule::AskedForManager => "asked-for-manager",
            Rule::Negative => "negative",
            Rule::Canned => "canned",
            Rule::ContactIgnored => "contact-ignored",
            Rule::EscalationRefused => "escalation-refused",
            Rule::Late => "late",
            Rule::Repeat => "repeat",
            Rule::UnansweredWriting => "unanswered-writing",
        }
    }
}

/// A rule with the share of its matches to take (1.0 = all).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Include {
    pub rule: Rule,
    pub share: f64,
}

/// Parses `rule` or `rule=25%`.
pub fn parse_include(s: &str) -> Result<Include, String> {
    let (name, share) = match s.split_once('=') {
        Some((n, p)) => {
            let p = p.trim().trim_end_matches('%').trim();
            let v: f64 = p
                .parse()
                .map_err(|_| format!("{s:?}: the share must be a percentage such as 25%"))?;
            if !(v > 0.0 && v <= 100.0) {
                return Err(format!(
                    "{s:?}: the share must be above 0 % and at most 100 %"
                ));
            }
            (n.trim(), v / 100.0)
        }
        None => (s.trim(), 1.0),
    };
    let rule = Rule::ALL
        .into_iter()
        .find(|r| r.name() == name)
        .ok_or_else(|| {
            format!(
                "{name:?} is not a rule (rules: {})",
                Rule::ALL.map(|r| r.name()).join(", ")
            )
        })?;
    Ok(Include { rule, share })
}

/// How many of `matches` a share takes: at least one when there are any.
pub fn share_count(matches: u64, share: f64) -> u64 {
    if matches == 0 {
        return 0;
    }
    (((matches as f64) * share - 1e-9).ceil() as u64).clamp(1, matches)
}

/// Stratification of the random part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Strata {
    None,
    /// The same number from each division (all of a division that has fewer).
    PerDivision {
        n: u64,
    },
    /// The plan's size shared among divisions in proportion to their populations.
    Proportional,
}

/// Which complaints a sample is drawn from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Filters {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub divisions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
    /// Received at or after (Unix seconds).
    pub since: Option<i64>,
    /// Received before (Unix seconds).
    pub until: Option<i64>,
    #[serde(default)]
    pub include_sampled: bool,
}

/// Everything a draw depends on besides the seed and the store: recorded with the sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    pub plan: Plan,
    pub filters: Filters,
    pub includes: Vec<Include>,
    pub strata: Strata,
    pub detractor_max: u8,
    pub manager_phrases: Vec<String>,
    pub negative_phrases: Vec<String>,
}

/// Largest-remainder allocation of `n` over strata of the given sizes; each gets at most its size.
pub fn allocate_proportional(n: u64, sizes: &[u64]) -> Vec<u64> {
    let total: u64 = sizes.iter().sum();
    if total == 0 {
        return vec![0; sizes.len()];
    }
    let n = n.min(total);
    let mut alloc: Vec<u64> = Vec::with_capacity(sizes.len());
    let mut rema: Vec<(f64, usize)> = Vec::with_capacity(sizes.len());
    for (i, &s) in sizes.iter().enumerate() {
        let exact = n as f64 * s as f64 / total as f64;
        alloc.push((exact.floor() as u64).min(s));
        rema.push((exact - exact.floor(), i));
    }
    let mut left = n - alloc.iter().sum::<u64>();
    // Largest remainders first; ties go to the larger stratum, then the earlier one.
    rema.sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(sizes[b.1].cmp(&sizes[a.1]))
            .then(a.1.cmp(&b.1))
    });
    while left > 0 {
        let before = left;
        for &(_, i) in &rema {
            if left == 0 {
                break;
            }
            if alloc[i] < sizes[i] {
                alloc[i] += 1;
                left -= 1;
            }
        }
        if left == before {
            break;
        }
    }
    alloc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_size_as_documented() {
        let p = Plan::Confidence {
            confidence: 95.0,
            tolerable: 5.0,
        };
        assert_eq!(p.size(1_000_000).n, 59);
        assert_eq!(p.size(1000).n, 57);
        assert_eq!(p.size(200).n, 51);
        assert_eq!(p.size(100).n, 45);
        let p = Plan::Confidence {
            confidence: 95.0,
            tolerable: 10.0,
        };
        assert_eq!(p.size(1_000_000).n, 29);
        let p = Plan::Percent {
            percent: 10.0,
            confidence: 95.0,
        };
        let s = p.size(200);
        assert_eq!(s.n, 20);
        assert_eq!(
            s.statement(&p),
            "a 10 % sample of 200 proves at most 13 % unfit at 95 % if none is pushed back"
        );
        assert_eq!(
            Plan::Size {
                n: 80,
                confidence: 95.0
            }
            .size(50)
            .n,
            50
        );
    }

    #[test]
    fn includes_parse() {
        assert_eq!(
            parse_include("wants-contact"),
            Ok(Include {
                rule: Rule::WantsContact,
                share: 1.0
            })
        );
        assert_eq!(parse_include("negative=25%").map(|i| i.share), Ok(0.25));
        assert!(parse_include("negative=0%").is_err());
        assert!(parse_include("grumpy").is_err());
        assert_eq!(share_count(10, 0.25), 3);
        assert_eq!(share_count(3, 0.1), 1);
        assert_eq!(share_count(0, 0.5), 0);
    }

    #[test]
    fn proportional_allocation_sums_and_caps() {
        assert_eq!(
            allocate_proportional(59, &[500, 300, 200]),
            vec![29, 18, 12]
        );
        let a = allocate_proportional(10, &[1, 1, 100]);
        assert_eq!(a.iter().sum::<u64>(), 10);
        assert!(a[0] <= 1 && a[1] <= 1);
        assert_eq!(allocate_proportional(10, &[2, 3]), vec![2, 3]);
        assert_eq!(allocate_proportional(5, &[]), Vec::<u64>::new());
    }
}
