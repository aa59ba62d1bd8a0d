//! Computing the review pack from its inputs.

use std::collections::BTreeMap;

use super::decision::{self, Kind, Status};
use super::flags::RESPONSE_BUCKET_LABELS;
use super::report::*;
use super::sample_bound::{Design, Reviewed};
use super::stats::{format_rate, upper_bound};

/// What a sample proves, as `signoff status` states it (`sample_bound`): over its random
/// items only, per stratum where it was stratified, once every random item is reviewed.
pub fn sample_bound(s: &SampleFacts, now: i64) -> SampleBound {
    let rule_items = s
        .items
        .iter()
        .filter(|(r, _)| r.starts_with("rule:"))
        .count();
    let design = Design {
        sample: s.id,
        label: &s.label,
        population: s.population,
        rule_items: rule_items as u64,
        confidence: s.confidence,
        strata: s.strata.as_deref(),
    };
    let items: Vec<Reviewed> = s
        .items
        .iter()
        .filter_map(|(reason, ds)| Reviewed::of(reason, ds, now))
        .collect();
    super::sample_bound::sample_bound(&design, &items)
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
        samples: input
            .samples
            .iter()
            .map(|s| sample_bound(s, input.now))
            .collect(),
        trend: trend(&input),
        reasons,
        response_times: response_times(&total),
        canned_groups: input.canned_groups.clone(),
        flags,
        cars,
        verbatims: input.verbatims.clone(),
    }
}

fn divisions(input: &Input, per_division: &BTreeMap<String, DayCounts>) -> Vec<DivisionRow> {
    let mut rows: BTreeMap<String, DivisionRow> = BTreeMap::new();
    let row = |rows: &mut BTreeMap<String, DivisionRow>, d: &str| {
        rows.entry(d.to_string())
            .or_insert_with(|| DivisionRow {
                division: d.to_string(),
                ..Default::default()
            })
            .division
            .clone()
    };
    for (d, c) in per_division {
        row(&mut rows, d);
        if let Some(r) = rows.get_mut(d) {
            r.complaints = c.complaints;
        }
    }
    for it in &input.review {
        let key = row(&mut rows, &it.division);
        let Some(r) = rows.get_mut(&key) else {
            continue;
        };
        r.sampled += 1;
        let st = decision::status(&it.decisions, &it.text_hash, input.now);
        match st {
            Status::Pending => r.pending += 1,
            Status::Signed { .. } => r.signed += 1,
            Status::SignedTextChanged { .. } => r.signed_text_changed += 1,
            Status::PushedBack { overdue, .. } => {
                r.pushed_back_open += 1;
                r.pushed_back_overdue += u64::from(overdue);
            }
            Status::Answered { .. } => r.pushed_back_answered += 1,
        }
        let failed = decision::ever_pushed_back(&it.decisions);
        r.reviewed += u64::from(st.reviewed());
        r.ever_pushed_back += u64::from(failed);
        if it.random {
            r.random_items += 1;
            r.random_reviewed += u64::from(st.reviewed());
            r.random_pushed_back += u64::from(failed);
        }
    }
    let c = input.confidence;
    for r in rows.values_mut() {
        r.sign_off_rate = share(r.signed as i64, r.reviewed as i64);
        r.push_back_rate = share(r.ever_pushed_back as i64, r.reviewed as i64);
        let (n, f) = (r.random_items, r.random_pushed_back);
        r.bound_statement = if n == 0 {
            "no random items drawn in this period".into()
        } else if r.random_reviewed < n {
            format!(
                "{} of {n} random items reviewed: the bound is stated once all are",
                r.random_reviewed
            )
        } else {
            let ub = upper_bound(None, n, f, c / 100.0);
            r.upper_bound = Some(ub);
            format!(
                "{f} of {n} pushed back: {c} % confident at most {} of responses in {} are unfit",
                format_rate(ub),
                r.division
            )
        };
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
