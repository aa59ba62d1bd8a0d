//! Computing the review pack from its inputs.

use std::collections::BTreeMap;

use super::decision::Kind;
use super::flags::RESPONSE_BUCKET_LABELS;
use super::recommend;
use super::report::*;
use super::rollup::{self, Figures};
use super::sample_bound::{of_items, Design};

/// What a sample proves, as `signoff status` states it (`sample_bound`): over its random
/// items only, per stratum where it was stratified, once every random item is reviewed.
pub fn sample_bound(s: &SampleFacts) -> SampleBound {
    let design = Design {
        sample: s.id,
        label: &s.label,
        population: s.population,
        rule_items: s
            .items
            .iter()
            .filter(|i| i.reason.starts_with("rule:"))
            .count() as u64,
        confidence: s.confidence,
        strata: s.strata.as_deref(),
    };
    of_items(&design, &s.items)
}

pub fn build(input: Input) -> Report {
    let p = &input.period;
    let per_division = by_division(&input.days, p.start, p.end);
    let mut total = DayCounts::default();
    for c in per_division.values() {
        total.add(c);
    }
    let in_period = |t: i64| t >= p.start && t < p.end;
    let decided: Vec<&DecisionFact> = input.decisions.iter().filter(|d| in_period(d.at)).collect();
    let signed = decided.iter().filter(|d| d.kind == Kind::Approve).count() as i64;
    let pushed_back = decided.iter().filter(|d| d.kind == Kind::PushBack).count() as i64;
    let cars = super::report_cars::section(&input);
    let summary = Summary {
        complaints: total.complaints,
        responded: total.responded,
        signed,
        pushed_back,
        push_back_rate: share(pushed_back, signed + pushed_back),
        canned: total.canned,
        canned_share: share(total.canned, total.responded),
        late: total.late,
        late_share: share(total.late, total.complaints),
        contact_ignored: total.contact_ignored,
        escalation_refused: total.escalation_refused,
        cars_opened: cars.opened,
        cars_closed: cars.closed,
        cars_overdue: cars.overdue,
    };
    let mut reasons: BTreeMap<String, i64> = BTreeMap::new();
    for d in decided.iter().filter(|d| d.kind == Kind::PushBack) {
        for r in d.reasons.as_deref().unwrap_or("").split(',') {
            if !r.trim().is_empty() {
                *reasons.entry(r.trim().to_string()).or_default() += 1;
            }
        }
    }
    let mut reasons: Vec<Count> = reasons
        .into_iter()
        .map(|(key, count)| Count { key, count })
        .collect();
    reasons.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    let flags = per_division
        .iter()
        .map(|(d, c)| FlagRow {
            division: d.clone(),
            complaints: c.complaints,
            responded: c.responded,
            canned: c.canned,
            contact_ignored: c.contact_ignored,
            escalation_refused: c.escalation_refused,
            late: c.late,
        })
        .collect();
    Report {
        period: p.clone(),
        generated_at: input.now,
        confidence: input.confidence,
        summary,
        divisions: divisions(&input, &per_division),
        ad_hoc: rollup::ad_hoc(&input.ad_hoc).0,
        samples: input.samples.iter().map(sample_bound).collect(),
        trend: trend(&input),
        recommend_trend: recommend::trend(&input.scores, &input.trend),
        reasons,
        response_times: response_times(&total),
        canned_groups: input.canned_groups.clone(),
        flags,
        cars,
        verbatims: input.verbatims.clone(),
    }
}

/// Every division with complaints or sampled items in the period, with the roll-up's figures.
fn divisions(input: &Input, per_division: &BTreeMap<String, DayCounts>) -> Vec<DivisionRow> {
    let review = rollup::roll_up(&input.review, input.confidence);
    let mut rows: BTreeMap<String, DivisionRow> = review
        .divisions
        .into_iter()
        .map(|f| {
            let row = DivisionRow {
                complaints: 0,
                review: f,
            };
            (row.review.division.clone(), row)
        })
        .collect();
    for (d, c) in per_division {
        rows.entry(d.clone())
            .or_insert_with(|| DivisionRow {
                complaints: 0,
                review: Figures {
                    division: d.clone(),
                    ..Default::default()
                },
            })
            .complaints = c.complaints;
    }
    rows.into_values().collect()
}

fn trend(input: &Input) -> Vec<TrendRow> {
    input
        .trend
        .iter()
        .map(|p| {
            let mut t = DayCounts::default();
            for c in by_division(&input.days, p.start, p.end).values() {
                t.add(c);
            }
            let within = |at: i64| at >= p.start && at < p.end;
            let count = |k: Kind| {
                input
                    .decisions
                    .iter()
                    .filter(|d| d.kind == k && within(d.at))
                    .count() as i64
            };
            let (signed, pushed_back) = (count(Kind::Approve), count(Kind::PushBack));
            TrendRow {
                label: p.label.clone(),
                short: p.short.clone(),
                start: p.start,
                end: p.end,
                complaints: t.complaints,
                signed,
                pushed_back,
                push_back_rate: share(pushed_back, signed + pushed_back),
                canned_share: share(t.canned, t.responded),
                late_share: share(t.late, t.complaints),
                cars_opened: input.cars.iter().filter(|c| within(c.opened_at)).count() as i64,
            }
        })
        .collect()
}

fn response_times(t: &DayCounts) -> ResponseTimes {
    let timed: i64 = t.rt.iter().sum();
    let mut seen = 0;
    let median =
        t.rt.iter()
            .zip(RESPONSE_BUCKET_LABELS)
            .find_map(|(n, label)| {
                seen += n;
                (timed > 0 && seen * 2 >= timed).then(|| label.to_string())
            });
    ResponseTimes {
        buckets: t
            .rt
            .iter()
            .zip(RESPONSE_BUCKET_LABELS)
            .map(|(n, l)| Count {
                key: l.to_string(),
                count: *n,
            })
            .collect(),
        responded: t.responded,
        no_response: t.complaints - t.responded,
        unknown_time: t.rt_unknown,
        mean_hours: (timed > 0).then(|| t.rt_seconds as f64 / timed as f64 / 3600.0),
        median,
    }
}
