//! A population held in memory: the reference every store's answers are checked against, and
//! what the draw's own tests run on.
//!
//! Complaints get ids 1, 2, 3… in the order given, as a first import into an empty store gives
//! them. Everything a store keeps for a draw (per-division counts, rule counts, phrase matches)
//! is worked out here on demand, and so always up to date. Phrases match whole words, ignoring
//! case and punctuation, without the stemming a store's search index may do.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::complaint::Complaint;
use super::population::{Cond, Member, Population, Probe, RuleMatch};
use super::sample::{Filters, Rule};

#[derive(Debug, Clone, Default)]
pub struct MemoryPopulation {
    complaints: Vec<Complaint>,
    flags: HashMap<Rule, HashSet<i64>>,
    canned: HashSet<i64>,
    /// The phrase rules whose matches are kept, as an import keeps them for configured phrases.
    kept_phrases: HashMap<Rule, Vec<String>>,
    /// Recorded samples: id → complaint ids.
    samples: BTreeMap<i64, Vec<i64>>,
}

impl MemoryPopulation {
    pub fn new(complaints: Vec<Complaint>) -> MemoryPopulation {
        MemoryPopulation {
            complaints,
            ..Default::default()
        }
    }

    /// Flags these complaints for a failure-mode rule, as a check would.
    pub fn flag(&mut self, rule: Rule, ids: impl IntoIterator<Item = i64>) {
        self.flags.entry(rule).or_default().extend(ids);
    }

    /// Makes these complaints members of canned-reply groups.
    pub fn can(&mut self, ids: impl IntoIterator<Item = i64>) {
        self.canned.extend(ids);
    }

    /// Keeps a phrase rule's matches for these phrases, as an import does for the configured
    /// ones: a draw over the whole store then picks among them.
    pub fn keep_phrase_matches(&mut self, rule: Rule, phrases: &[String]) {
        self.kept_phrases.insert(rule, phrases.to_vec());
    }

    /// Records a sample of these complaints under `id`.
    pub fn record_sample(&mut self, id: i64, ids: impl IntoIterator<Item = i64>) {
        self.samples.entry(id).or_default().extend(ids);
    }

    fn all(&self) -> impl Iterator<Item = (i64, &Complaint)> {
        self.complaints
            .iter()
            .enumerate()
            .map(|(i, c)| (i as i64 + 1, c))
    }

    fn get(&self, id: i64) -> Option<&Complaint> {
        let i = usize::try_from(id.checked_sub(1)?).ok()?;
        self.complaints.get(i)
    }

    fn matching<'s>(&'s self, cond: &'s Cond) -> impl Iterator<Item = (i64, &'s Complaint)> {
        self.all().filter(move |(id, c)| self.meets(*id, c, cond))
    }

    fn meets(&self, id: i64, c: &Complaint, cond: &Cond) -> bool {
        cond.filters.is_none_or(|f| passes(f, c))
            && cond.ids.is_none_or(|(lo, hi)| (lo..=hi).contains(&id))
            && cond.rule.is_none_or(|r| self.rule_matches(&r, id, c))
            && cond.division.is_none_or(|d| c.division == d)
            && cond.among.is_none_or(|ids| ids.contains(&id))
    }

    fn rule_matches(&self, rule: &RuleMatch, id: i64, c: &Complaint) -> bool {
        match rule {
            RuleMatch::LikelihoodAtMost(max) => c.likelihood.is_some_and(|l| l <= *max),
            RuleMatch::WantsContact => c.wants_contact == Some(true),
            RuleMatch::Canned => self.canned.contains(&id),
            RuleMatch::Flagged(r) => self.flags.get(r).is_some_and(|s| s.contains(&id)),
            RuleMatch::Phrases(phrases) => has_phrase(&c.complaint_text, phrases),
        }
    }
}

fn passes(f: &Filters, c: &Complaint) -> bool {
    let within = |list: &[String], v: Option<&String>| {
        list.is_empty() || v.is_some_and(|v| list.contains(v))
    };
    f.since.is_none_or(|s| c.received_at >= s)
        && f.until.is_none_or(|u| c.received_at < u)
        && within(&f.divisions, Some(&c.division))
        && within(&f.sources, Some(&c.source))
        && within(&f.channels, c.channel.as_ref())
        && within(&f.products, c.product.as_ref())
}

fn words(s: &str) -> Vec<String> {
    s.split(|ch: char| !ch.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether `text` holds any of the phrases, word for word.
fn has_phrase(text: &str, phrases: &[String]) -> bool {
    let text = words(text);
    phrases
        .iter()
        .map(|p| words(p))
        .any(|p| !p.is_empty() && text.windows(p.len()).any(|w| w == p.as_slice()))
}

fn member(id: i64, c: &Complaint) -> Member {
    Member {
        id,
        division: c.division.clone(),
        likelihood: c.likelihood.map(i64::from),
        wants_contact: c.wants_contact == Some(true),
    }
}

impl Population for MemoryPopulation {
    type Error = std::convert::Infallible;
    type Set = HashSet<i64>;

    fn count(&self, cond: &Cond) -> Result<u64, Self::Error> {
        Ok(self.matching(cond).count() as u64)
    }

    fn ids(&self, cond: &Cond) -> Result<Vec<i64>, Self::Error> {
        Ok(self.matching(cond).map(|(id, _)| id).collect())
    }

    fn members(&self, cond: &Cond) -> Result<Vec<Member>, Self::Error> {
        Ok(self.matching(cond).map(|(id, c)| member(id, c)).collect())
    }

    fn division_counts(&self, cond: &Cond) -> Result<BTreeMap<String, u64>, Self::Error> {
        let mut out = BTreeMap::new();
        for (_, c) in self.matching(cond) {
            *out.entry(c.division.clone()).or_insert(0) += 1;
        }
        Ok(out)
    }

    fn probe<'p>(&'p self, cond: &Cond) -> Result<Probe<'p, Self::Error>, Self::Error> {
        // The probe outlives the borrowed condition: keep what it asks for by value.
        let ids: Vec<i64> = self.ids(cond)?;
        Ok(Box::new(move |id| {
            Ok(ids
                .binary_search(&id)
                .ok()
                .and_then(|_| self.get(id))
                .map(|c| c.division.clone()))
        }))
    }

    fn id_span(&self) -> Result<Option<(i64, i64)>, Self::Error> {
        Ok((!self.complaints.is_empty()).then_some((1, self.complaints.len() as i64)))
    }

    fn earlier_samples(
        &self,
        filters: &Filters,
        boundary: i64,
    ) -> Result<BTreeMap<i64, String>, Self::Error> {
        let mut out = BTreeMap::new();
        for ids in self.samples.range(..boundary).map(|(_, ids)| ids) {
            for &id in ids {
                if let Some(c) = self.get(id).filter(|c| passes(filters, c)) {
                    out.insert(id, c.division.clone());
                }
            }
        }
        Ok(out)
    }

    fn kept_division_counts(&self) -> Result<Option<BTreeMap<String, u64>>, Self::Error> {
        self.division_counts(&Cond::all()).map(Some)
    }

    fn kept_rule_count(&self, rule: &RuleMatch) -> Result<Option<u64>, Self::Error> {
        match rule {
            RuleMatch::LikelihoodAtMost(_) | RuleMatch::WantsContact => {
                self.count(&Cond::all().rule(*rule)).map(Some)
            }
            _ => Ok(None),
        }
    }

    fn kept_phrase_matches(
        &self,
        rule: Rule,
        phrases: &[String],
    ) -> Result<Option<Self::Set>, Self::Error> {
        if self.kept_phrases.get(&rule).map(Vec::as_slice) != Some(phrases) {
            return Ok(None);
        }
        let cond = Cond::all().rule(RuleMatch::Phrases(phrases));
        Ok(Some(self.ids(&cond)?.into_iter().collect()))
    }

    fn watermark(&self) -> Result<i64, Self::Error> {
        Ok(self.complaints.len() as i64)
    }
}
