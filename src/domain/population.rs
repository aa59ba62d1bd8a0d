//! What a draw asks of the complaints it draws from, and in what terms.
//!
//! The drawing algorithm (`domain::draw`) is the same for every store: it asks a [`Population`]
//! how many complaints match a [`Cond`], which ones, and with which divisions, and makes every
//! random choice itself. A store answers in its own query language; two stores holding the same
//! complaints give the same answers, so the same seed draws the same items from either.

use std::collections::{BTreeMap, HashSet};

use super::sample::{Filters, Rule, Spec};

/// What a must-include rule asks of a complaint.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RuleMatch<'a> {
    /// Likelihood to recommend at most this (none given never matches).
    LikelihoodAtMost(u8),
    /// The customer asked to be contacted.
    WantsContact,
    /// A member of a canned-reply group of the last check.
    Canned,
    /// Carries this rule's failure-mode flag from the last check.
    Flagged(Rule),
    /// The complaint text holds any of these phrases (blank ones ignored).
    Phrases(&'a [String]),
}

impl<'a> RuleMatch<'a> {
    /// The rule as the draw's spec configures it.
    pub fn of(rule: Rule, spec: &'a Spec) -> RuleMatch<'a> {
        match rule {
            Rule::WouldNotRecommend => RuleMatch::LikelihoodAtMost(spec.detractor_max),
            Rule::WantsContact => RuleMatch::WantsContact,
            Rule::AskedForManager => RuleMatch::Phrases(&spec.manager_phrases),
            Rule::Negative => RuleMatch::Phrases(&spec.negative_phrases),
            Rule::Canned => RuleMatch::Canned,
            Rule::ContactIgnored
            | Rule::EscalationRefused
            | Rule::Late
            | Rule::Repeat
            | Rule::UnansweredWriting => RuleMatch::Flagged(rule),
        }
    }

    /// The test on a listed member, for the rules its columns decide; None for the others.
    pub fn on_member(&self, m: &Member) -> Option<bool> {
        match self {
            RuleMatch::LikelihoodAtMost(max) => {
                Some(m.likelihood.is_some_and(|l| l <= i64::from(*max)))
            }
            RuleMatch::WantsContact => Some(m.wants_contact),
            _ => None,
        }
    }
}

/// Which complaints a question is about: those meeting every part that is set.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cond<'a> {
    /// The draw's filters (`include_sampled` aside, which the draw applies itself).
    pub filters: Option<&'a Filters>,
    /// Ids from the first to the second, both included.
    pub ids: Option<(i64, i64)>,
    pub rule: Option<RuleMatch<'a>>,
    pub division: Option<&'a str>,
    /// Only these ids.
    pub among: Option<&'a [i64]>,
}

impl<'a> Cond<'a> {
    /// Every complaint in the store.
    pub fn all() -> Cond<'a> {
        Cond::default()
    }

    /// The complaints the filters let through.
    pub fn filtered(filters: &'a Filters) -> Cond<'a> {
        Cond {
            filters: Some(filters),
            ..Cond::default()
        }
    }

    pub fn ids_between(self, lo: i64, hi: i64) -> Cond<'a> {
        Cond {
            ids: Some((lo, hi)),
            ..self
        }
    }

    pub fn rule(self, rule: RuleMatch<'a>) -> Cond<'a> {
        Cond {
            rule: Some(rule),
            ..self
        }
    }

    pub fn division(self, division: &'a str) -> Cond<'a> {
        Cond {
            division: Some(division),
            ..self
        }
    }

    pub fn among(self, ids: &'a [i64]) -> Cond<'a> {
        Cond {
            among: Some(ids),
            ..self
        }
    }
}

/// A complaint of a listed population, with what the column rules read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: i64,
    pub division: String,
    pub likelihood: Option<i64>,
    pub wants_contact: bool,
}

/// A set of complaint ids the store keeps up to date, such as a phrase rule's matches.
pub trait IdSet {
    fn contains(&self, id: i64) -> bool;
    /// How many ids the set holds.
    fn size(&self) -> u64;
}

impl IdSet for HashSet<i64> {
    fn contains(&self, id: i64) -> bool {
        HashSet::contains(self, &id)
    }
    fn size(&self) -> u64 {
        self.len() as u64
    }
}

/// Looks up one complaint: its division if it exists and meets the condition the probe was made
/// for. A draw by random picks calls it once a pick.
pub type Probe<'p, E> = Box<dyn FnMut(i64) -> Result<Option<String>, E> + 'p>;

/// The complaints a store holds, as the draw asks about them. Every answer must come from the
/// same state of the store (one read snapshot) for the draw to be reproducible.
pub trait Population {
    type Error;
    /// A phrase rule's matches over the whole store.
    type Set: IdSet;

    /// How many complaints meet `cond`.
    fn count(&self, cond: &Cond) -> Result<u64, Self::Error>;

    /// The ids meeting `cond`, ascending.
    fn ids(&self, cond: &Cond) -> Result<Vec<i64>, Self::Error>;

    /// The complaints meeting `cond`, ascending by id.
    fn members(&self, cond: &Cond) -> Result<Vec<Member>, Self::Error>;

    /// How many complaints meeting `cond` each division has (divisions with none left out).
    fn division_counts(&self, cond: &Cond) -> Result<BTreeMap<String, u64>, Self::Error>;

    /// A lookup of single complaints by id against `cond`.
    fn probe<'p>(&'p self, cond: &Cond) -> Result<Probe<'p, Self::Error>, Self::Error>;

    /// [`Population::probe`] for many ids in one question: each id's division if it exists and
    /// meets `cond`, in the order asked. By default one lookup each.
    fn probe_many(&self, cond: &Cond, ids: &[i64]) -> Result<Vec<Option<String>>, Self::Error> {
        let mut lookup = self.probe(cond)?;
        ids.iter().map(|&id| lookup(id)).collect()
    }

    /// At most how many random picks' lookups are asked for at once ([`Population::probe_many`]):
    /// 1 where a lookup costs next to nothing (a store in the same process), more where each
    /// question is a round trip to a server.
    fn probe_stretch(&self) -> u64 {
        1
    }

    /// The lowest and highest id in the store; None when it is empty.
    fn id_span(&self) -> Result<Option<(i64, i64)>, Self::Error>;

    /// The complaints of samples recorded before `boundary` (a sample id) that the filters let
    /// through, with their divisions.
    fn earlier_samples(
        &self,
        filters: &Filters,
        boundary: i64,
    ) -> Result<BTreeMap<i64, String>, Self::Error>;

    /// Complaints per division of the whole store, as the store keeps them; None when it keeps
    /// none, and the draw counts instead.
    fn kept_division_counts(&self) -> Result<Option<BTreeMap<String, u64>>, Self::Error>;

    /// How many complaints of the whole store a column rule matches, as the store keeps them;
    /// None when it keeps no such count, or none it can vouch for.
    fn kept_rule_count(&self, rule: &RuleMatch) -> Result<Option<u64>, Self::Error>;

    /// A phrase rule's matches in the whole store, as the store keeps them; None when it keeps
    /// none for these phrases up to date.
    fn kept_phrase_matches(
        &self,
        rule: Rule,
        phrases: &[String],
    ) -> Result<Option<Self::Set>, Self::Error>;

    /// A mark that changes whenever complaints are added or changed, for the fingerprint of a
    /// population too large to list.
    fn watermark(&self) -> Result<i64, Self::Error>;
}
