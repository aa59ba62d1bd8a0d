//! The review pack as Markdown: tables that render on any git host, text escaped so that
//! nothing a customer wrote becomes markup.

use std::fmt::Write;

use crate::domain::pack::Pack;
use crate::domain::recommend::RecommendPeriod;
use crate::domain::report::Report;

use super::escape::markdown as esc;
use super::number::{count as n, hours, pct};
use super::rows::{
    ad_hoc_lines, bound_lines, byline, car_cells, division_cells, flag_cells, head_line,
    recommend_answered, recommend_rows, trend_cells, variants, verbatim_title, CAR_HEAD,
    DIVISION_HEAD, DIVISION_NOTE, FLAG_HEAD, RECOMMEND_HEAD, RECOMMEND_NONE, RECOMMEND_NOTE,
    TREND_HEAD,
};
use super::time::fmt_time;

/// A table: the first column left-aligned, the others (numbers) right-aligned; cells escaped.
fn table(o: &mut String, head: &[&str], rows: impl IntoIterator<Item = Vec<String>>) {
    let _ = writeln!(o, "| {} |", head.join(" | "));
    let _ = writeln!(o, "|---|{}", "---:|".repeat(head.len().saturating_sub(1)));
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| esc(c)).collect();
        let _ = writeln!(o, "| {} |", cells.join(" | "));
    }
    o.push('\n');
}

pub fn render(pack: &Pack) -> String {
    let (m, r) = (&pack.meta, &pack.report);
    let mut o = String::new();
    let _ = writeln!(o, "# {} — {}\n", esc(&m.title), esc(&r.period.label));
    let _ = writeln!(o, "{}\n", esc(&byline(m, r.generated_at)));
    // Our own words, numbers and hex hashes only: nothing imported to escape.
    let _ = writeln!(o, "{}\n", head_line(m));
    glance(&mut o, pack);
    divisions(&mut o, r);
    let _ = writeln!(o, "## Trend\n");
    table(&mut o, &TREND_HEAD, r.trend.iter().map(trend_cells));
    recommend(&mut o, &r.recommend_trend);
    let _ = writeln!(o, "## Push-back reasons\n");
    if r.reasons.is_empty() {
        let _ = writeln!(o, "No push-backs this period.\n");
    } else {
        let _ = writeln!(o, "| Reason | Push-backs |\n|---|---:|");
        for c in &r.reasons {
            let _ = writeln!(o, "| {} | {} |", esc(&c.key), n(c.count));
        }
        o.push('\n');
    }
    responses(&mut o, pack);
    let _ = writeln!(o, "## Failure-mode flags by division\n");
    table(&mut o, &FLAG_HEAD, r.flags.iter().map(flag_cells));
    cars(&mut o, pack);
    verbatims(&mut o, r);
    o
}

fn glance(o: &mut String, pack: &Pack) {
    let (m, s) = (&pack.meta, &pack.report.summary);
    let _ = writeln!(o, "## At a glance\n\n| | |\n|---|---:|");
    let rows = [
        ("Complaints received".to_string(), n(s.complaints)),
        (
            "Responses signed / pushed back this period".to_string(),
            format!(
                "{} / {} (push-back rate {})",
                n(s.signed),
                n(s.pushed_back),
                pct(s.push_back_rate)
            ),
        ),
        (
            "Canned replies".to_string(),
            format!(
                "{} of {} responses ({})",
                n(s.canned),
                n(s.responded),
                pct(s.canned_share)
            ),
        ),
        (
            format!("Late (target {} h)", m.late_hours),
            format!("{} ({})", n(s.late), pct(s.late_share)),
        ),
        ("Contact requests ignored".to_string(), n(s.contact_ignored)),
        ("Escalations refused".to_string(), n(s.escalation_refused)),
        (
            "CARs opened / closed / overdue".to_string(),
            format!(
                "{} / {} / {}",
                n(s.cars_opened),
                n(s.cars_closed),
                n(s.cars_overdue)
            ),
        ),
    ];
    for (k, v) in rows {
        let _ = writeln!(o, "| {} | {} |", esc(&k), esc(&v));
    }
    o.push('\n');
}

fn divisions(o: &mut String, r: &Report) {
    let _ = writeln!(
        o,
        "## Sign-off and push-back by division\n\n{}\n",
        DIVISION_NOTE
    );
    table(o, &DIVISION_HEAD, r.divisions.iter().map(division_cells));
    for line in bound_lines(r) {
        let _ = writeln!(o, "- {}", esc(&line));
    }
    for s in &r.samples {
        let _ = writeln!(
            o,
            "- Sample {} \"{}\": {}",
            s.sample,
            esc(&s.label),
            esc(&s.statement)
        );
    }
    for line in ad_hoc_lines(r) {
        let _ = writeln!(o, "- Ad hoc: {}", esc(&line));
    }
    o.push('\n');
}

fn recommend(o: &mut String, trend: &[RecommendPeriod]) {
    let _ = writeln!(o, "## Likelihood to recommend\n");
    if !recommend_answered(trend) {
        let _ = writeln!(o, "{RECOMMEND_NONE}\n");
        return;
    }
    let _ = writeln!(o, "{RECOMMEND_NOTE}\n");
    table(o, &RECOMMEND_HEAD, recommend_rows(trend));
}

fn responses(o: &mut String, pack: &Pack) {
    let rt = &pack.report.response_times;
    let timed: i64 = rt.buckets.iter().map(|b| b.count).sum();
    let _ = writeln!(
        o,
        "## Response times\n\n| Answered within | Responses | Share |\n|---|---:|---:|"
    );
    for b in &rt.buckets {
        let share = (timed > 0).then(|| b.count as f64 / timed as f64);
        let _ = writeln!(o, "| {} | {} | {} |", esc(&b.key), n(b.count), pct(share));
    }
    let _ = writeln!(
        o,
        "\nMedian {}; mean {}; {} without a response; {} answered at an unknown time.\n",
        esc(rt.median.as_deref().unwrap_or("–")),
        hours(rt.mean_hours),
        n(rt.no_response),
        n(rt.unknown_time)
    );
    let groups = &pack.report.canned_groups;
    let _ = writeln!(o, "## Canned replies\n");
    if groups.is_empty() {
        let _ = writeln!(o, "None this period.\n");
    }
    for g in groups {
        let _ = writeln!(
            o,
            "- \"{}\" — this exact reply went to {} customers this period ({} in all{}; `signoff flags --group {}`)",
            esc(&g.normalised),
            n(g.customers_in_period),
            n(g.customers_all),
            variants(g),
            g.id
        );
    }
    o.push('\n');
}

fn cars(o: &mut String, pack: &Pack) {
    let c = &pack.report.cars;
    let _ = writeln!(
        o,
        "## Corrective actions (CARs)\n\nOpened {}, closed {}, **overdue {}** (not called back within {} h), open now {}. \
         Of those opened this period: {} reached in time, {} late, {} not yet. \
         Effectiveness checks: {} worked, {} did not.\n",
        n(c.opened),
        n(c.closed),
        n(c.overdue),
        pack.meta.car_due_hours,
        n(c.open_now),
        n(c.contacted_in_time),
        n(c.contacted_late),
        n(c.not_contacted),
        n(c.checks_worked),
        n(c.checks_failed)
    );
    table(o, &CAR_HEAD, c.by_division.iter().map(car_cells));
    if !c.causes.is_empty() {
        let causes: Vec<String> = c
            .causes
            .iter()
            .map(|k| format!("{} {}", esc(&k.key), k.count))
            .collect();
        let _ = writeln!(o, "\nRoot causes recorded: {}.", causes.join(", "));
    }
    if !c.overdue_list.is_empty() {
        let _ = writeln!(o, "\nOverdue, longest first:\n");
        for l in &c.overdue_list {
            let _ = writeln!(
                o,
                "- **CAR-{}** {} ({}): due {}, {} h overdue",
                l.id,
                esc(&l.external_id),
                esc(&l.division),
                fmt_time(l.due_at),
                l.hours_overdue
            );
        }
    }
    o.push('\n');
}

fn verbatims(o: &mut String, r: &Report) {
    let _ = writeln!(o, "## Worth reading\n");
    if r.verbatims.is_empty() {
        let _ = writeln!(o, "Nothing flagged this period.");
    }
    for v in &r.verbatims {
        let _ = writeln!(
            o,
            "### {}\n\n*{}*\n\n> {}\n",
            esc(&verbatim_title(v)),
            esc(&v.why.join("; ")),
            esc(&v.complaint)
        );
        match &v.response {
            Some(t) => {
                let _ = writeln!(o, "Response:\n\n> {}\n", esc(t));
            }
            None => {
                let _ = writeln!(o, "No response.\n");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::recommend::Recommend;

    fn r(division: &str, answers: u64, nps: Option<f64>) -> Recommend {
        Recommend {
            division: division.into(),
            answers,
            recommend_share: nps.map(|_| 0.5),
            detractor_share: nps.map(|_| 0.25),
            nps,
            ..Default::default()
        }
    }

    #[test]
    fn recommend_lists_all_then_the_divisions_that_answered() {
        let trend = [RecommendPeriod {
            label: "2026-11".into(),
            short: "Nov".into(),
            start: 0,
            end: 1,
            all: r("all", 4, Some(25.0)),
            divisions: vec![r("Billing", 4, Some(25.0)), r("Support", 0, None)],
        }];
        let mut md = String::new();
        recommend(&mut md, &trend);
        assert!(
            md.contains("| 2026-11 | all | 4 | 50 % | 25 % | +25 |"),
            "{md}"
        );
        assert!(!md.contains("Support"));
        let mut empty = String::new();
        recommend(&mut empty, &[]);
        assert!(empty.contains(RECOMMEND_NONE));
    }
}
