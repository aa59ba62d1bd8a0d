//! The review pack as Markdown: tables that render on any git host, text escaped so that
//! nothing a customer wrote becomes markup.

use std::fmt::Write;

use crate::domain::canned::thousands;
use crate::domain::report::Report;
use crate::domain::text::stand_in;

use super::report::{
    ad_hoc_lines, byline, division_cells, head_line, pct, Pack, DIVISION_HEAD, DIVISION_NOTE,
};
use super::report_md_parts as parts;

/// Backslash-escapes the punctuation Markdown could read as markup.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            c if crate::domain::text::is_hidden_control(c) && c != '\t' => out.push(stand_in(c)),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '!' | '&' | '{'
            | '}' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

pub fn n(x: i64) -> String {
    thousands(x.max(0) as u64)
}

/// A table: the first column left-aligned, the others (numbers) right-aligned; cells escaped.
pub fn table(o: &mut String, head: &[&str], rows: impl IntoIterator<Item = Vec<String>>) {
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
    trend(&mut o, r);
    super::report_recommend::markdown(&mut o, &r.recommend_trend);
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
    parts::flags(&mut o, r);
    parts::cars(&mut o, pack);
    parts::verbatims(&mut o, r);
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
    for d in r.divisions.iter().filter(|d| d.review.random_items > 0) {
        let _ = writeln!(
            o,
            "- {}: {}",
            esc(&d.review.division),
            esc(&d.review.bound_statement)
        );
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

fn trend(o: &mut String, r: &Report) {
    let _ = writeln!(o, "## Trend\n");
    table(
        o,
        &[
            "Period",
            "Complaints",
            "Signed",
            "Pushed back",
            "Push-back rate",
            "Canned share",
            "Late share",
            "CARs opened",
        ],
        r.trend.iter().map(|t| {
            vec![
                t.label.clone(),
                n(t.complaints),
                n(t.signed),
                n(t.pushed_back),
                pct(t.push_back_rate),
                pct(t.canned_share),
                pct(t.late_share),
                n(t.cars_opened),
            ]
        }),
    );
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
        rt.mean_hours
            .map_or_else(|| "–".into(), |h| format!("{h:.1} h")),
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
            if g.cluster_customers > g.customers_all {
                format!(", {} with near-identical variants", n(g.cluster_customers))
            } else {
                String::new()
            },
            g.id
        );
    }
    o.push('\n');
}
