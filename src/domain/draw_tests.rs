use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet};

use super::*;
use crate::domain::complaint::Complaint;
use crate::domain::draw_memory::MemoryPopulation;
use crate::domain::population::{Probe, RuleMatch};
use crate::domain::sample::{Include, Plan, Rule, Strata};

const DIVISIONS: [&str; 3] = ["Billing", "Support", "Sales"];

/// Complaint i (id i + 1): six in ten in Billing, three in Support, one in Sales; every 7th
/// wants contact, every 5th would not recommend, every 11th asks for a manager.
fn complaint(i: usize) -> Complaint {
    let division = match i % 10 {
        0..=5 => DIVISIONS[0],
        6..=8 => DIVISIONS[1],
        _ => DIVISIONS[2],
    };
    Complaint {
        source: "t".into(),
        external_id: format!("C{i}"),
        received_at: 1_700_000_000 + i as i64,
        division: division.into(),
        complaint_text: match i % 11 {
            0 => "I want a manager now".into(),
            _ => format!("complaint {i}"),
        },
        wants_contact: Some(i.is_multiple_of(7)),
        likelihood: Some(if i.is_multiple_of(5) { 2 } else { 9 }),
        ..Default::default()
    }
}

fn population(n: usize) -> MemoryPopulation {
    let mut p = MemoryPopulation::new((0..n).map(complaint).collect());
    p.keep_phrase_matches(Rule::AskedForManager, &["manager".to_string()]);
    p
}

fn spec(n: u64, includes: Vec<Include>, strata: Strata) -> Spec {
    Spec {
        plan: Plan::Size {
            n,
            confidence: 95.0,
        },
        filters: Filters {
            include_sampled: true,
            ..Default::default()
        },
        includes,
        strata,
        detractor_max: 6,
        manager_phrases: vec!["manager".into()],
        negative_phrases: vec!["terrible".into()],
    }
}

fn include(rule: Rule, share: f64) -> Include {
    Include { rule, share }
}

fn by_reason(d: &Drawn) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for it in &d.items {
        *out.entry(it.reason.clone()).or_insert(0) += 1;
    }
    out
}

fn drawn(p: &MemoryPopulation, sp: &Spec, seed: u64, limit: u64) -> Drawn {
    match draw(p, sp, seed, 1, limit) {
        Ok(d) => d,
        Err(e) => match e {},
    }
}

/// Both ways of drawing: listing the population, and random picks over the whole store.
const LIMITS: [u64; 2] = [u64::MAX, 10];

#[test]
fn proportional_strata_get_their_exact_sizes() {
    let p = population(600);
    let sp = spec(59, vec![], Strata::Proportional);
    for limit in LIMITS {
        let d = drawn(&p, &sp, 9, limit);
        let by = by_reason(&d);
        // 59 × 360/600 = 35.4, × 180/600 = 17.7, × 60/600 = 5.9: largest remainders give 35, 18, 6.
        assert_eq!(by["random:Billing"], 35, "limit {limit}");
        assert_eq!(by["random:Support"], 18);
        assert_eq!(by["random:Sales"], 6);
        let strata: Vec<(&str, u64, u64)> = d
            .strata
            .iter()
            .map(|s| (s.name.as_str(), s.population, s.drawn))
            .collect();
        assert_eq!(
            strata,
            vec![("Billing", 360, 35), ("Sales", 60, 6), ("Support", 180, 18)]
        );
        assert_eq!(d.random_size, 59);
    }
}

#[test]
fn per_division_quotas_take_all_of_a_small_division() {
    let p = population(600);
    let sp = spec(0, vec![], Strata::PerDivision { n: 70 });
    for limit in LIMITS {
        let by = by_reason(&drawn(&p, &sp, 3, limit));
        assert_eq!(by["random:Billing"], 70, "limit {limit}");
        assert_eq!(by["random:Support"], 70);
        assert_eq!(by["random:Sales"], 60);
    }
}

#[test]
fn a_seed_gives_the_same_draw_and_another_seed_another() {
    let p = population(600);
    let sp = spec(
        20,
        vec![include(Rule::WouldNotRecommend, 0.25)],
        Strata::Proportional,
    );
    for limit in LIMITS {
        let a = drawn(&p, &sp, 42, limit);
        assert_eq!(a, drawn(&p, &sp, 42, limit));
        assert_ne!(a.items, drawn(&p, &sp, 43, limit).items);
    }
}

#[test]
fn a_complaint_two_rules_match_is_taken_once() {
    let p = population(600);
    let sp = spec(
        30,
        vec![
            include(Rule::WantsContact, 1.0),
            include(Rule::WouldNotRecommend, 1.0),
        ],
        Strata::None,
    );
    for limit in LIMITS {
        let d = drawn(&p, &sp, 5, limit);
        let ids: HashSet<i64> = d.items.iter().map(|i| i.complaint_id).collect();
        assert_eq!(ids.len(), d.items.len());
        let by = by_reason(&d);
        // 86 want contact (i % 7 == 0); 120 would not recommend, of which 18 already taken.
        assert_eq!(by["rule:wants-contact"], 86);
        assert_eq!(by["rule:would-not-recommend"], 120 - 18);
        assert_eq!(d.random_population, 600 - 86 - 102);
        assert_eq!(d.random_size, 30);
        // The random part is drawn from what the rules left.
        assert!(d
            .items
            .iter()
            .filter(|i| i.reason == "random")
            .all(|i| (i.complaint_id - 1) % 7 != 0 && (i.complaint_id - 1) % 5 != 0));
    }
}

#[test]
fn rule_shares_over_the_whole_store_are_picked_from_true_matches() {
    let p = population(600);
    let sp = spec(
        20,
        vec![
            include(Rule::AskedForManager, 0.5),
            include(Rule::WouldNotRecommend, 0.1),
        ],
        Strata::Proportional,
    );
    for seed in 0..20 {
        let d = drawn(&p, &sp, seed, 10);
        let of = |reason: &str| -> Vec<i64> {
            d.items
                .iter()
                .filter(|i| i.reason == reason)
                .map(|i| i.complaint_id - 1)
                .collect()
        };
        // Half of the 55 managers, rounded up.
        assert_eq!(of("rule:asked-for-manager").len(), 28);
        assert!(of("rule:asked-for-manager").iter().all(|i| i % 11 == 0));
        let detractors = of("rule:would-not-recommend");
        assert!(
            (11..=12).contains(&detractors.len()),
            "{}",
            detractors.len()
        );
        assert!(detractors.iter().all(|i| i % 5 == 0));
        assert_eq!(d.random_size, 20);
    }
}

#[test]
fn earlier_samples_are_left_out_unless_asked_for() {
    let mut p = population(100);
    p.record_sample(1, 1..=40);
    let mut sp = spec(100, vec![], Strata::None);
    sp.filters.include_sampled = false;
    let d = match draw(&p, &sp, 1, 2, u64::MAX) {
        Ok(d) => d,
        Err(e) => match e {},
    };
    assert_eq!(d.population, 60);
    assert!(d.items.iter().all(|i| i.complaint_id > 40));
    assert_eq!(population_size(&p, &sp.filters, 2), Ok(60));
    // A replay of sample 1 itself (boundary 1) sees no earlier sample.
    assert_eq!(population_size(&p, &sp.filters, 1), Ok(100));
}

/// A population that tells which way it was drawn from.
struct Watched {
    inner: MemoryPopulation,
    listed: Cell<bool>,
    probed: Cell<bool>,
    /// How many picks' lookups it asks for at once.
    stretch: u64,
}

impl Population for Watched {
    type Error = std::convert::Infallible;
    type Set = HashSet<i64>;
    fn count(&self, cond: &Cond) -> Result<u64, Self::Error> {
        self.inner.count(cond)
    }
    fn ids(&self, cond: &Cond) -> Result<Vec<i64>, Self::Error> {
        self.inner.ids(cond)
    }
    fn members(&self, cond: &Cond) -> Result<Vec<Member>, Self::Error> {
        self.listed.set(true);
        self.inner.members(cond)
    }
    fn division_counts(&self, cond: &Cond) -> Result<BTreeMap<String, u64>, Self::Error> {
        self.inner.division_counts(cond)
    }
    fn probe<'p>(&'p self, cond: &Cond) -> Result<Probe<'p, Self::Error>, Self::Error> {
        self.probed.set(true);
        self.inner.probe(cond)
    }
    fn probe_stretch(&self) -> u64 {
        self.stretch
    }
    fn id_span(&self) -> Result<Option<(i64, i64)>, Self::Error> {
        self.inner.id_span()
    }
    fn earlier_samples(
        &self,
        filters: &Filters,
        boundary: i64,
    ) -> Result<BTreeMap<i64, String>, Self::Error> {
        self.inner.earlier_samples(filters, boundary)
    }
    fn kept_division_counts(&self) -> Result<Option<BTreeMap<String, u64>>, Self::Error> {
        self.inner.kept_division_counts()
    }
    fn kept_rule_count(&self, rule: &RuleMatch) -> Result<Option<u64>, Self::Error> {
        self.inner.kept_rule_count(rule)
    }
    fn kept_phrase_matches(
        &self,
        rule: Rule,
        phrases: &[String],
    ) -> Result<Option<Self::Set>, Self::Error> {
        self.inner.kept_phrase_matches(rule, phrases)
    }
    fn watermark(&self) -> Result<i64, Self::Error> {
        self.inner.watermark()
    }
}

#[test]
fn a_population_at_the_limit_is_listed_and_one_above_it_is_picked_from() {
    let sp = spec(10, vec![], Strata::Proportional);
    let mut fingerprints = HashMap::new();
    for (limit, listed) in [(600, true), (599, false)] {
        let w = Watched {
            inner: population(600),
            listed: Cell::new(false),
            probed: Cell::new(false),
            stretch: 1,
        };
        let d = match draw(&w, &sp, 7, 1, limit) {
            Ok(d) => d,
            Err(e) => match e {},
        };
        assert_eq!((w.listed.get(), w.probed.get()), (listed, !listed));
        assert_eq!(d.items.len(), 10);
        fingerprints.insert(listed, d.fingerprint);
    }
    // A listed population's fingerprint names its members; a picked one's, the store's state.
    assert_ne!(fingerprints[&true], fingerprints[&false]);
}

#[test]
fn picks_looked_up_a_stretch_at_a_time_are_those_looked_up_one_at_a_time() {
    let sp = spec(
        30,
        vec![
            include(Rule::AskedForManager, 0.5),
            include(Rule::WouldNotRecommend, 0.1),
            include(Rule::WantsContact, 0.3),
        ],
        Strata::PerDivision { n: 7 },
    );
    for seed in 0..12 {
        let by = |stretch: u64| {
            let w = Watched {
                inner: population(900),
                listed: Cell::new(false),
                probed: Cell::new(false),
                stretch,
            };
            match draw(&w, &sp, seed, 1, 10) {
                Ok(d) => (d, w.listed.get()),
                Err(e) => match e {},
            }
        };
        let (one, listed) = by(1);
        assert!(!listed);
        for stretch in [2, 50, 4096] {
            assert_eq!(by(stretch).0, one, "seed {seed}, stretch {stretch}");
        }
    }
}

#[test]
fn an_empty_population_draws_nothing() {
    let p = population(0);
    let sp = spec(
        10,
        vec![include(Rule::WantsContact, 0.5)],
        Strata::Proportional,
    );
    for limit in LIMITS {
        let d = drawn(&p, &sp, 1, limit);
        assert!(d.items.is_empty());
        assert_eq!((d.population, d.random_size), (0, 0));
    }
}
