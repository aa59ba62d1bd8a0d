//! How the review pack reads the decisions, the same for both stores: which sampled items the
//! period counts and why, which complaints were decided outside any sample, which were pushed
//! back, and what the period's samples hold. Each backend only answers [`ReviewSource`]'s
//! questions; the choices are made here once.

use std::collections::{HashMap, HashSet};

use crate::domain::decision::{Decision, Kind};
use crate::domain::report::{DecisionFact, SampleFacts};
use crate::domain::rollup::Item;
use crate::domain::sample_bound::StratumSize;

use super::rollup::needs_text_hash;

/// What the review pack needs of the decisions: the period's sampled items (of a sample drawn
/// in [start, end), or decided in it) as the roll-up judges them, the complaints decided in it
/// outside any sample, and the sampled items' standing decisions made in [trend_start, end).
pub struct Review {
    pub items: Vec<Item>,
    pub ad_hoc: Vec<Item>,
    pub facts: Vec<DecisionFact>,
    /// Complaints pushed back in the period, ad hoc ones among them.
    pub pushed_back: HashSet<i64>,
    /// The samples drawn in the period with their items.
    pub samples: Vec<SampleFacts>,
}

/// A decision made in the trend's span, with only the short columns.
pub struct DecisionRow {
    pub id: i64,
    pub complaint_id: i64,
    pub kind: String,
    pub at: i64,
    pub reasons: Option<String>,
    /// The complaint's division when the backend read it with the row for nothing.
    pub division: Option<String>,
}

/// One item of a sample drawn in the period, with its sample, in sample and draw order.
pub struct SampleRow {
    pub sample_id: i64,
    pub label: String,
    pub population: i64,
    pub confidence: f64,
    pub strata: Option<Vec<StratumSize>>,
    pub complaint_id: i64,
    pub reason: String,
    pub division: Option<String>,
}

/// The questions [`review`] asks of a store, all of one moment of it.
pub trait ReviewSource {
    type Error;
    /// A complaint's division; None when this reader may not see the complaint.
    fn division(&mut self, complaint_id: i64) -> Result<Option<String>, Self::Error>;
    /// Which of these complaints any sample drew.
    fn sampled_among(&mut self, ids: &[i64]) -> Result<HashSet<i64>, Self::Error>;
    /// Every decision a retraction cancels, whenever either was made.
    fn retracted(&mut self) -> Result<HashSet<i64>, Self::Error>;
    /// The decisions made in [start, end).
    fn decisions_made(&mut self, start: i64, end: i64) -> Result<Vec<DecisionRow>, Self::Error>;
    /// The items of the samples drawn in [start, end).
    fn samples_drawn(&mut self, start: i64, end: i64) -> Result<Vec<SampleRow>, Self::Error>;
    /// Every decision of the given complaints in chain order, without the long texts.
    fn decisions_of(&mut self, ids: &[i64]) -> Result<HashMap<i64, Vec<Decision>>, Self::Error>;
    /// The hash a sign-off of each complaint would cover now, asked for all at once.
    fn text_hashes(&mut self, ids: &[i64]) -> Result<HashMap<i64, String>, Self::Error>;
}

/// What a sampled complaint decided in the period but drawn before it is listed as: neither
/// random for the period's bound nor taken by one of its rules.
const SAMPLED_EARLIER: &str = "sampled earlier";

/// Complaints' divisions, each asked once.
struct Divisions {
    seen: HashMap<i64, Option<String>>,
}

impl Divisions {
    fn note(&mut self, id: i64, division: Option<String>) {
        if let Some(d) = division {
            self.seen.insert(id, Some(d));
        }
    }

    fn of<S: ReviewSource>(&mut self, src: &mut S, id: i64) -> Result<Option<String>, S::Error> {
        if let Some(d) = self.seen.get(&id) {
            return Ok(d.clone());
        }
        let d = src.division(id)?;
        self.seen.insert(id, d.clone());
        Ok(d)
    }
}

fn in_scope(divisions: Option<&[String]>, of: Option<&str>) -> bool {
    match (divisions, of) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(ds), Some(of)) => ds.iter().any(|x| x == of),
    }
}

/// The review of the trend (from `trend_start`) and of the period (`start`, `end`), in the
/// divisions given (None: all the reader may see).
pub fn review<S: ReviewSource>(
    src: &mut S,
    divisions: Option<&[String]>,
    trend_start: i64,
    (start, end): (i64, i64),
    now: i64,
) -> Result<Review, S::Error> {
    let mut division = Divisions {
        seen: HashMap::new(),
    };
    let retracted = src.retracted()?;
    let made = src.decisions_made(trend_start, end)?;
    // Whether each decided complaint was sampled, asked once for them all.
    let mut decided: Vec<i64> = made.iter().map(|r| r.complaint_id).collect();
    decided.sort_unstable();
    decided.dedup();
    let sampled = src.sampled_among(&decided)?;
    let mut facts = Vec::new();
    let mut wanted: Vec<(i64, String)> = Vec::new();
    let mut ad_hoc: Vec<i64> = Vec::new();
    let mut pushed_back = HashSet::new();
    for row in made {
        division.note(row.complaint_id, row.division);
        // Divisions are looked up only when the reader's scope needs them.
        if divisions.is_some() {
            let of = division.of(src, row.complaint_id)?;
            if !in_scope(divisions, of.as_deref()) {
                continue;
            }
        }
        let in_sample = sampled.contains(&row.complaint_id);
        let kind = Kind::parse(&row.kind).unwrap_or(Kind::Retract);
        let effective = kind != Kind::Retract && !retracted.contains(&row.id);
        if row.at >= start {
            match in_sample {
                true => wanted.push((row.complaint_id, SAMPLED_EARLIER.into())),
                false => ad_hoc.push(row.complaint_id),
            }
            if effective && kind == Kind::PushBack {
                pushed_back.insert(row.complaint_id);
            }
        }
        if effective && in_sample {
            facts.push(DecisionFact {
                complaint_id: row.complaint_id,
                at: row.at,
                kind,
                reasons: row.reasons,
            });
        }
    }
    let mut samples: Vec<(SampleFacts, Vec<(i64, String)>)> = Vec::new();
    for row in src.samples_drawn(start, end)? {
        division.note(row.complaint_id, row.division);
        if samples.last().is_none_or(|s| s.0.id != row.sample_id) {
            let facts = SampleFacts {
                id: row.sample_id,
                label: row.label,
                population: row.population.max(0) as u64,
                confidence: row.confidence,
                items: Vec::new(),
                strata: row.strata,
            };
            samples.push((facts, Vec::new()));
        }
        wanted.push((row.complaint_id, row.reason.clone()));
        if let Some(s) = samples.last_mut() {
            s.1.push((row.complaint_id, row.reason));
        }
    }
    // A complaint counts once; it is random if any period sample drew it at random.
    wanted.sort_by_key(|(id, reason)| (*id, !reason.starts_with("random")));
    wanted.dedup_by_key(|(id, _)| *id);
    ad_hoc.sort_unstable();
    ad_hoc.dedup();
    let mut ids: Vec<i64> = wanted.iter().map(|w| w.0).collect();
    ids.extend(&ad_hoc);
    ids.extend(samples.iter().flat_map(|s| s.1.iter().map(|i| i.0)));
    let decisions = src.decisions_of(&ids)?;
    let none = Vec::new();
    // Only a standing sign-off is judged against the text as it is now: those texts are read
    // together, for the complaints in the reader's scope.
    let mut need = Vec::new();
    for id in wanted.iter().map(|w| w.0).chain(ad_hoc.iter().copied()) {
        let of = division.of(src, id)?;
        if in_scope(divisions, of.as_deref())
            && needs_text_hash(decisions.get(&id).unwrap_or(&none))
        {
            need.push(id);
        }
    }
    let hashes = src.text_hashes(&need)?;
    let mut judge = |src: &mut S, id: i64, reason: &str| -> Result<Option<Item>, S::Error> {
        let of = division.of(src, id)?;
        if !in_scope(divisions, of.as_deref()) {
            return Ok(None);
        }
        let ds = decisions.get(&id).unwrap_or(&none);
        let hash = hashes.get(&id).cloned().unwrap_or_default();
        let of = of.unwrap_or_default();
        Ok(Some(Item::of(id, &of, reason, ds, &hash, now)))
    };
    let mut items = Vec::with_capacity(wanted.len());
    for (id, reason) in &wanted {
        items.extend(judge(src, *id, reason)?);
    }
    let mut adhoc = Vec::with_capacity(ad_hoc.len());
    for id in ad_hoc {
        adhoc.extend(judge(src, id, "")?);
    }
    let mut period_samples = Vec::with_capacity(samples.len());
    for (mut facts, its) in samples {
        for (id, reason) in its {
            let ds = decisions.get(&id).unwrap_or(&none);
            let Some(of) = division.of(src, id)? else {
                continue;
            };
            // Only the bound reads these: whether each was reviewed and pushed back.
            facts.items.push(Item::of(id, &of, &reason, ds, "", now));
        }
        period_samples.push(facts);
    }
    Ok(Review {
        items,
        ad_hoc: adhoc,
        facts,
        pushed_back,
        samples: period_samples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::decision::Status;

    /// A store of three complaints: 1 (Billing) and 2 (Support) drawn in the period's sample,
    /// 3 (Billing) decided outside any sample.
    struct Fake {
        decisions: Vec<(i64, i64, Kind, i64, Option<i64>)>,
        asked_for_text: Vec<i64>,
    }

    fn division(id: i64) -> Option<String> {
        match id {
            1 | 3 => Some("Billing".into()),
            2 => Some("Support".into()),
            _ => None,
        }
    }

    impl ReviewSource for Fake {
        type Error = String;
        fn division(&mut self, id: i64) -> Result<Option<String>, String> {
            Ok(division(id))
        }
        fn sampled_among(&mut self, ids: &[i64]) -> Result<HashSet<i64>, String> {
            Ok(ids
                .iter()
                .copied()
                .filter(|id| [1, 2].contains(id))
                .collect())
        }
        fn retracted(&mut self) -> Result<HashSet<i64>, String> {
            Ok(self.decisions.iter().filter_map(|d| d.4).collect())
        }
        fn decisions_made(&mut self, start: i64, end: i64) -> Result<Vec<DecisionRow>, String> {
            Ok(self
                .decisions
                .iter()
                .filter(|d| d.3 >= start && d.3 < end)
                .map(|&(id, complaint_id, kind, at, _)| DecisionRow {
                    id,
                    complaint_id,
                    kind: kind.as_str().into(),
                    at,
                    reasons: None,
                    division: None,
                })
                .collect())
        }
        fn samples_drawn(&mut self, _: i64, _: i64) -> Result<Vec<SampleRow>, String> {
            Ok([1, 2]
                .map(|complaint_id| SampleRow {
                    sample_id: 7,
                    label: "week".into(),
                    population: 40,
                    confidence: 95.0,
                    strata: None,
                    complaint_id,
                    reason: "random".into(),
                    division: division(complaint_id),
                })
                .into())
        }
        fn decisions_of(&mut self, ids: &[i64]) -> Result<HashMap<i64, Vec<Decision>>, String> {
            let mut out: HashMap<i64, Vec<Decision>> = HashMap::new();
            for &(id, complaint_id, kind, at, retracts) in &self.decisions {
                if ids.contains(&complaint_id) {
                    out.entry(complaint_id).or_default().push(Decision {
                        id,
                        complaint_id,
                        sample_id: None,
                        kind,
                        actor: "dana".into(),
                        actor_name: "Dana".into(),
                        actor_title: "Chief Executive".into(),
                        at,
                        statement: None,
                        reasons: None,
                        note: None,
                        due_at: None,
                        body: None,
                        retracts,
                        text_hash: "signed".into(),
                        prev_hash: String::new(),
                        hash: String::new(),
                        signature: None,
                    });
                }
            }
            Ok(out)
        }
        fn text_hashes(&mut self, ids: &[i64]) -> Result<HashMap<i64, String>, String> {
            self.asked_for_text.extend(ids);
            Ok(ids.iter().map(|id| (*id, "signed".to_string())).collect())
        }
    }

    #[test]
    fn judges_the_period_once_whichever_store_answers() {
        let mut fake = Fake {
            decisions: vec![
                (1, 1, Kind::PushBack, 150, None),
                (2, 2, Kind::Approve, 150, None),
                (3, 3, Kind::PushBack, 160, None),
                (4, 3, Kind::Retract, 170, Some(3)),
            ],
            asked_for_text: Vec::new(),
        };
        let all = review(&mut fake, None, 0, (100, 200), 300).expect("review");
        assert_eq!(all.items.len(), 2, "each sampled complaint counts once");
        assert!(all.items.iter().all(|i| i.reason == "random"));
        assert!(matches!(all.items[1].status, Status::Signed { .. }));
        assert_eq!(
            fake.asked_for_text,
            vec![2],
            "only a standing sign-off reads the text"
        );
        assert_eq!(all.ad_hoc.len(), 1);
        assert_eq!(
            all.pushed_back,
            [1].into(),
            "a retracted push-back is not one"
        );
        assert_eq!(all.facts.len(), 2);
        assert_eq!(all.samples[0].items.len(), 2);

        let billing = ["Billing".to_string()];
        let hers = review(&mut fake, Some(&billing), 0, (100, 200), 300).expect("review");
        assert_eq!(hers.items.len(), 1);
        assert_eq!(hers.items[0].complaint_id, 1);
        assert_eq!(hers.facts.len(), 1);
        assert!(hers.ad_hoc.iter().all(|i| i.division == "Billing"));
    }
}
