//! The draw contract's story: one population and the specs drawn from it, which every store
//! must draw exactly as the algorithm does over the same complaints in memory.

use signoff::domain::sample::{Filters, Include, Plan, Rule, Spec, Strata};
use signoff::domain::Complaint;

const DIVISIONS: [&str; 3] = ["Billing", "Support", "Sales"];

/// Complaint i: divisions six, three and one in ten; every 7th wants contact, every 5th would
/// not recommend, every 11th asks for a manager, every 13th is terrible; a week apart in
/// groups of 100.
pub fn complaint(i: usize) -> Complaint {
    let division = match i % 10 {
        0..=5 => DIVISIONS[0],
        6..=8 => DIVISIONS[1],
        _ => DIVISIONS[2],
    };
    let text = match (i % 11, i % 13) {
        (0, _) => "I want a manager now".to_string(),
        (_, 0) => "A terrible wait".to_string(),
        _ => format!("complaint {i}"),
    };
    Complaint {
        source: "t".into(),
        external_id: format!("C{i}"),
        received_at: 1_700_000_000 + (i as i64 / 100) * 7 * 86_400 + i as i64,
        division: division.into(),
        complaint_text: text,
        wants_contact: Some(i.is_multiple_of(7)),
        likelihood: Some(if i.is_multiple_of(5) { 2 } else { 9 }),
        ..Default::default()
    }
}

/// The phrase the manager rule looks for.
pub const MANAGER: &str = "manager";

/// The specs of the contract, named.
pub fn specs() -> Vec<(&'static str, Spec)> {
    let spec = |n: u64, filters: Filters, includes: Vec<Include>, strata: Strata| Spec {
        plan: Plan::Size {
            n,
            confidence: 95.0,
        },
        filters,
        includes,
        strata,
        detractor_max: 6,
        manager_phrases: vec![MANAGER.into()],
        negative_phrases: vec!["terrible".into()],
    };
    let include = |rule, share| Include { rule, share };
    let rules = vec![
        include(Rule::AskedForManager, 0.5),
        include(Rule::WantsContact, 1.0),
        include(Rule::WouldNotRecommend, 0.1),
        include(Rule::Negative, 0.3),
    ];
    let second_week = Filters {
        since: Some(1_700_000_000 + 7 * 86_400),
        until: Some(1_700_000_000 + 14 * 86_400),
        ..Default::default()
    };
    let support = Filters {
        divisions: vec!["Support".into(), "Sales".into()],
        ..Default::default()
    };
    vec![
        (
            "whole store, simple",
            spec(25, Filters::default(), vec![], Strata::None),
        ),
        (
            "whole store, rules, proportional",
            spec(40, Filters::default(), rules.clone(), Strata::Proportional),
        ),
        (
            "whole store, rules, per division",
            spec(
                0,
                Filters::default(),
                rules.clone(),
                Strata::PerDivision { n: 15 },
            ),
        ),
        (
            "a week, rules, proportional",
            spec(30, second_week, rules.clone(), Strata::Proportional),
        ),
        (
            "two divisions, rules",
            spec(30, support, rules, Strata::None),
        ),
    ]
}
