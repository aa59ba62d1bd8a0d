//! The pack's tables and lines, built once from its figures: Markdown and HTML print the same
//! cells and sentences, each escaping them its own way.

use crate::domain::pack::{ChainEnd, Meta};
use crate::domain::recommend::{format_nps, Recommend, RecommendPeriod};
use crate::domain::report::{
    CarDivision, DivisionRow, FlagRow, GroupFact, Report, TrendRow, Verbatim,
};

use super::number::{count, pct};
use super::time::{fmt_date, fmt_time};

/// The division table's columns.
pub const DIVISION_HEAD: [&str; 11] = [
    "Division",
    "Complaints",
    "Sampled",
    "Reviewed",
    "Signed",
    "Pushed back",
    "Open (overdue)",
    "Answered",
    "Sign-off rate",
    "Push-back rate",
    "Upper bound on unfit",
];

/// What the division table says of the rates, under it.
pub const DIVISION_NOTE: &str = "Where the period's sampled items stand now, as `signoff status` \
    counts them. Pushed back: at least once, whatever came after; open, overdue and answered say \
    where those stand now. The sign-off rate (signed without a push-back) and the push-back rate \
    share the reviewed items. Complaints decided outside any sample are listed apart.";

/// One division's row of the table.
pub fn division_cells(d: &DivisionRow) -> Vec<String> {
    let f = &d.review;
    let open = match f.pushed_back_overdue {
        0 => f.pushed_back_open.to_string(),
        late => format!("{} ({late})", f.pushed_back_open),
    };
    vec![
        f.division.clone(),
        count(d.complaints),
        f.sampled.to_string(),
        f.reviewed.to_string(),
        (f.signed + f.signed_text_changed).to_string(),
        f.pushed_back.to_string(),
        open,
        f.pushed_back_answered.to_string(),
        pct(f.sign_off_rate),
        pct(f.push_back_rate),
        pct(f.upper_bound),
    ]
}

/// What each division's random items prove, one line per division that has any.
pub fn bound_lines(r: &Report) -> Vec<String> {
    r.divisions
        .iter()
        .map(|d| &d.review)
        .filter(|f| f.random_items > 0)
        .map(|f| format!("{}: {}", f.division, f.bound_statement))
        .collect()
}

/// The complaints decided outside any sample, one line per division.
pub fn ad_hoc_lines(r: &Report) -> Vec<String> {
    r.ad_hoc
        .iter()
        .map(|a| {
            format!(
                "{}: {} decided outside any sample — {} signed, {} pushed back ({} open, {} answered); in none of the figures above",
                a.division,
                a.complaints,
                a.signed + a.signed_text_changed,
                a.pushed_back,
                a.pushed_back_open,
                a.pushed_back_answered
            )
        })
        .collect()
}

/// The trend table's columns.
pub const TREND_HEAD: [&str; 8] = [
    "Period",
    "Complaints",
    "Signed",
    "Pushed back",
    "Push-back rate",
    "Canned share",
    "Late share",
    "CARs opened",
];

/// A trend period's row: its counts and rates.
pub fn trend_cells(t: &TrendRow) -> Vec<String> {
    vec![
        t.label.clone(),
        count(t.complaints),
        count(t.signed),
        count(t.pushed_back),
        pct(t.push_back_rate),
        pct(t.canned_share),
        pct(t.late_share),
        count(t.cars_opened),
    ]
}

/// The failure-mode flags table's columns.
pub const FLAG_HEAD: [&str; 6] = [
    "Division",
    "Complaints",
    "Canned",
    "Contact ignored",
    "Escalation refused",
    "Late",
];

pub fn flag_cells(f: &FlagRow) -> Vec<String> {
    vec![
        f.division.clone(),
        count(f.complaints),
        count(f.canned),
        count(f.contact_ignored),
        count(f.escalation_refused),
        count(f.late),
    ]
}

/// The CARs-per-division table's columns.
pub const CAR_HEAD: [&str; 5] = ["Division", "Opened", "Closed", "Overdue", "Open now"];

/// A division's CARs; the fourth cell is the overdue count.
pub fn car_cells(d: &CarDivision) -> Vec<String> {
    vec![
        d.division.clone(),
        count(d.opened),
        count(d.closed),
        count(d.overdue),
        count(d.open_now),
    ]
}

/// The likelihood-to-recommend table's columns.
pub const RECOMMEND_HEAD: [&str; 6] = [
    "Period",
    "Division",
    "Answers",
    "Would recommend (9–10)",
    "Detractors (0–6)",
    "NPS",
];

pub const RECOMMEND_NOTE: &str = "Where customers gave their likelihood to recommend (0–10), by \
    when the complaint was received. NPS: the share who would recommend less the detractors' \
    share, in points; a figure on few answers moves a lot.";

pub const RECOMMEND_NONE: &str = "No likelihood-to-recommend scores in these periods.";

fn recommend_cells(period: &str, r: &Recommend) -> Vec<String> {
    vec![
        period.to_string(),
        r.division.clone(),
        r.answers.to_string(),
        pct(r.recommend_share),
        pct(r.detractor_share),
        r.nps.map_or_else(|| "–".into(), format_nps),
    ]
}

/// All divisions first, then each division that answered, period by period.
pub fn recommend_rows(trend: &[RecommendPeriod]) -> Vec<Vec<String>> {
    trend
        .iter()
        .flat_map(|p| {
            std::iter::once(&p.all)
                .chain(p.divisions.iter().filter(|d| d.answers > 0))
                .map(|r| recommend_cells(&p.label, r))
        })
        .collect()
}

/// Whether anyone gave a score in these periods.
pub fn recommend_answered(trend: &[RecommendPeriod]) -> bool {
    trend.iter().any(|p| p.all.answers > 0)
}

/// ", 1 204 with near-identical variants" when a canned reply has any.
pub fn variants(g: &GroupFact) -> String {
    if g.cluster_customers > g.customers_all {
        format!(
            ", {} with near-identical variants",
            count(g.cluster_customers)
        )
    } else {
        String::new()
    }
}

/// "T-123 · Billing · received 2026-11-20 · likelihood to recommend 3/10".
pub fn verbatim_title(v: &Verbatim) -> String {
    format!(
        "{} · {} · received {}{}",
        v.external_id,
        v.division,
        fmt_date(v.received_at),
        v.likelihood
            .map(|l| format!(" · likelihood to recommend {l}/10"))
            .unwrap_or_default()
    )
}

/// What the pack's figures rest on: the ends of the chains when it was made.
pub fn head_line(m: &Meta) -> String {
    let end = |e: &Option<ChainEnd>| match e {
        Some(e) => format!("#{} {} ({} records)", e.id, e.hash, e.records),
        None => "empty".into(),
    };
    format!(
        "Covers the decision chain to {} and the CAR steps to {}; `signoff verify --expect-head HASH` checks a store still holds them.",
        end(&m.chain_head.decisions),
        end(&m.chain_head.car_steps)
    )
}

/// The line under the title: scope, author, and how fresh the checks are.
pub fn byline(m: &Meta, generated_at: i64) -> String {
    format!(
        "{} · generated {} UTC for {} · {}",
        m.scope,
        fmt_time(generated_at),
        m.generated_by,
        match m.checks_as_of {
            Some(t) => format!("checks as of {} UTC", fmt_time(t)),
            None => "checks never run: complaint figures are empty until `signoff flags --refresh`"
                .into(),
        }
    )
}
