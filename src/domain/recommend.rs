//! Likelihood to recommend over time, where customers gave it (0–10): the share who would
//! recommend (9–10), the detractors' share (0–6) and the net promoter score, per division and
//! per period, each with the number of answers behind it. Computed from daily counts of each
//! score that the store hands over.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::period::{day_of, Period};

/// Scores from 9 up would recommend.
pub const PROMOTER_MIN: u8 = 9;
/// Scores up to 6 would not.
pub const DETRACTOR_MAX: u8 = 6;

/// How many complaints received on one day in one division gave each score (index = score).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreDay {
    /// UTC day number (`period::day_of`).
    pub day: i64,
    pub division: String,
    pub scores: [u64; 11],
}

impl ScoreDay {
    /// Days from (day, division, score, count) tallies ordered by day and division: one
    /// `ScoreDay` per day and division, scores outside 0–10 left out.
    pub fn gather(tallies: impl IntoIterator<Item = (i64, String, i64, i64)>) -> Vec<ScoreDay> {
        let mut out: Vec<ScoreDay> = Vec::new();
        for (day, division, score, n) in tallies {
            let Some(score) = usize::try_from(score).ok().filter(|s| *s <= 10) else {
                continue;
            };
            if out
                .last()
                .is_none_or(|d| d.day != day || d.division != division)
            {
                out.push(ScoreDay {
                    day,
                    division,
                    scores: [0; 11],
                });
            }
            if let Some(d) = out.last_mut() {
                d.scores[score] += n.max(0) as u64;
            }
        }
        out
    }
}

/// One division's (or all divisions') answers in one period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Recommend {
    pub division: String,
    /// Customers who gave a score.
    pub answers: u64,
    /// Scored 9–10.
    pub promoters: u64,
    /// Scored 7–8.
    pub passives: u64,
    /// Scored 0–6.
    pub detractors: u64,
    /// Promoters of answers; None without answers.
    pub recommend_share: Option<f64>,
    /// Detractors of answers; None without answers.
    pub detractor_share: Option<f64>,
    /// Net promoter score: the promoters' share less the detractors', in points (−100 to 100).
    pub nps: Option<f64>,
}

impl Recommend {
    fn named(division: &str) -> Recommend {
        Recommend {
            division: division.to_string(),
            ..Default::default()
        }
    }

    fn add(&mut self, scores: &[u64; 11]) {
        for (score, n) in scores.iter().enumerate() {
            let score = score as u8;
            self.answers += n;
            if score >= PROMOTER_MIN {
                self.promoters += n;
            } else if score <= DETRACTOR_MAX {
                self.detractors += n;
            } else {
                self.passives += n;
            }
        }
    }

    fn shares(&mut self) {
        let of = |x: u64| (self.answers > 0).then(|| x as f64 / self.answers as f64);
        self.recommend_share = of(self.promoters);
        self.detractor_share = of(self.detractors);
        self.nps = self
            .recommend_share
            .zip(self.detractor_share)
            .map(|(p, d)| ((p - d) * 1000.0).round() / 10.0);
    }
}

/// One period of the trend: all divisions together, then each division.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecommendPeriod {
    pub label: String,
    pub short: String,
    pub start: i64,
    pub end: i64,
    pub all: Recommend,
    /// Every division that gave a score in any period of the trend, so that each division
    /// has a figure (perhaps of no answers) in every period.
    pub divisions: Vec<Recommend>,
}

/// The trend over `periods` (oldest first), from daily counts.
pub fn trend(days: &[ScoreDay], periods: &[Period]) -> Vec<RecommendPeriod> {
    let names: BTreeSet<&str> = days.iter().map(|d| d.division.as_str()).collect();
    periods
        .iter()
        .map(|p| {
            let (a, b) = (day_of(p.start), day_of(p.end));
            let mut all = Recommend::named("all");
            let mut per: BTreeMap<&str, Recommend> =
                names.iter().map(|n| (*n, Recommend::named(n))).collect();
            for d in days.iter().filter(|d| d.day >= a && d.day < b) {
                all.add(&d.scores);
                if let Some(r) = per.get_mut(d.division.as_str()) {
                    r.add(&d.scores);
                }
            }
            all.shares();
            let divisions = per
                .into_values()
                .map(|mut r| {
                    r.shares();
                    r
                })
                .collect();
            RecommendPeriod {
                label: p.label.clone(),
                short: p.short.clone(),
                start: p.start,
                end: p.end,
                all,
                divisions,
            }
        })
        .collect()
}

/// "+33", "−20", "0": a net promoter score as people write it.
pub fn format_nps(nps: f64) -> String {
    let n = nps.round() as i64;
    match n {
        n if n > 0 => format!("+{n}"),
        n if n < 0 => format!("−{}", -n),
        _ => "0".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(day: i64, division: &str, pairs: &[(usize, u64)]) -> ScoreDay {
        let mut scores = [0; 11];
        for (s, n) in pairs {
            scores[*s] = *n;
        }
        ScoreDay {
            day,
            division: division.into(),
            scores,
        }
    }

    fn week(start_day: i64, label: &str) -> Period {
        Period {
            label: label.into(),
            short: label.into(),
            start: start_day * 86_400,
            end: (start_day + 7) * 86_400,
        }
    }

    #[test]
    fn shares_and_score_per_division_and_period() {
        let days = [
            // Week one: Billing 2 promoters, 1 passive, 1 detractor (a 1 and a 6 edge).
            day(0, "Billing", &[(10, 1), (9, 1), (8, 1), (1, 1)]),
            day(3, "Support", &[(6, 2), (7, 1)]),
            // Week two: Billing only detractors; Support gave no score.
            day(8, "Billing", &[(0, 3)]),
            // Outside both weeks.
            day(20, "Billing", &[(10, 5)]),
        ];
        let t = trend(&days, &[week(0, "w1"), week(7, "w2")]);
        assert_eq!(t.len(), 2);
        let b1 = &t[0].divisions[0];
        assert_eq!(b1.division, "Billing");
        assert_eq!(
            (b1.answers, b1.promoters, b1.passives, b1.detractors),
            (4, 2, 1, 1)
        );
        assert_eq!(b1.recommend_share, Some(0.5));
        assert_eq!(b1.detractor_share, Some(0.25));
        assert_eq!(b1.nps, Some(25.0));
        let s1 = &t[0].divisions[1];
        assert_eq!((s1.answers, s1.detractors, s1.passives), (3, 2, 1));
        assert_eq!(s1.nps.map(format_nps), Some("−67".to_string()));
        let all = &t[0].all;
        assert_eq!((all.answers, all.promoters, all.detractors), (7, 2, 3));
        assert_eq!(t[1].all.nps, Some(-100.0));
        // A division without answers in a period still has its row, with no shares.
        let s2 = &t[1].divisions[1];
        assert_eq!((s2.division.as_str(), s2.answers), ("Support", 0));
        assert_eq!((s2.recommend_share, s2.nps), (None, None));
        assert_eq!(format_nps(0.2), "0");
        assert_eq!(format_nps(33.3), "+33");
    }
}
