//! The later sections of the HTML pack: canned replies and flags; CARs opened, closed and
//! overdue per division, the root causes found and whether the actions worked; the complaints
//! worth reading.

use std::fmt::Write;

use crate::domain::canned::thousands;

use super::report::{pct, Pack};
use super::report_html::table;
use super::report_svg::{self as svg, esc, AMBER, BLUE, GREEN, PURPLE, RED};
use super::{fmt_date, fmt_time};

fn n(x: i64) -> String {
    thousands(x.max(0) as u64)
}

pub fn cars(o: &mut String, pack: &Pack) {
    let c = &pack.report.cars;
    let _ = write!(
        o,
        "<section><h2>Corrective actions (CARs)</h2><p>Opened <b>{}</b>, closed <b>{}</b>, \
         <span class=\"overdue\">overdue {}</span> (not called back within {} h), open now {}. \
         Of those opened this period: {} reached in time, {} late, {} not yet. \
         Effectiveness checks: <b>{}</b> worked, <b>{}</b> did not.</p>",
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
    o.push_str("<div class=\"two\"><div>");
    let opened: Vec<(String, f64)> = c
        .by_division
        .iter()
        .map(|d| (d.division.clone(), d.opened as f64))
        .collect();
    o.push_str("<h3>Opened this period</h3>");
    o.push_str(&svg::hbars("CARs opened per division", &opened, BLUE));
    let overdue: Vec<(String, f64)> = c
        .by_division
        .iter()
        .map(|d| (d.division.clone(), d.overdue as f64))
        .collect();
    o.push_str("<h3>Overdue now</h3>");
    o.push_str(&svg::hbars("CARs overdue per division", &overdue, RED));
    o.push_str("</div><div><h3>Root causes</h3>");
    if c.causes.is_empty() {
        o.push_str("<p>None recorded this period.</p>");
    } else {
        let causes: Vec<(String, f64)> = c
            .causes
            .iter()
            .map(|k| (k.key.clone(), k.count as f64))
            .collect();
        o.push_str(&svg::hbars("Root causes recorded", &causes, GREEN));
    }
    o.push_str("<table><thead><tr><th>Division</th><th>Opened</th><th>Closed</th><th>Overdue</th><th>Open now</th></tr></thead><tbody>");
    for d in &c.by_division {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
            esc(&d.division),
            n(d.opened),
            n(d.closed),
            if d.overdue > 0 { "overdue" } else { "" },
            n(d.overdue),
            n(d.open_now)
        );
    }
    o.push_str("</tbody></table></div></div>");
    if !c.overdue_list.is_empty() {
        o.push_str("<h3 class=\"overdue\">Overdue, longest first</h3><ul class=\"notes\">");
        for l in &c.overdue_list {
            let _ = write!(
                o,
                "<li class=\"overdue\">CAR-{} · {} · {} · due {} · {} h overdue</li>",
                l.id,
                esc(&l.external_id),
                esc(&l.division),
                esc(&fmt_time(l.due_at)),
                l.hours_overdue
            );
        }
        o.push_str("</ul>");
    }
    o.push_str("</section>");
}

pub fn canned_and_flags(o: &mut String, pack: &Pack) {
    let r = &pack.report;
    o.push_str("<section><h2>Canned replies</h2>");
    if r.canned_groups.is_empty() {
        o.push_str("<p>None this period.</p>");
    }
    for g in &r.canned_groups {
        let _ = write!(
            o,
            "<blockquote>{}</blockquote><p>This exact reply went to <b>{}</b> customers this period ({} in all{}) · <code>signoff flags --group {}</code></p>",
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
    o.push_str("</section><section><h2>Failure-mode flags by division</h2>");
    let body: Vec<Vec<String>> = r
        .flags
        .iter()
        .map(|f| {
            vec![
                f.division.clone(),
                n(f.complaints),
                n(f.canned),
                n(f.contact_ignored),
                n(f.escalation_refused),
                n(f.late),
            ]
        })
        .collect();
    table(
        o,
        &[
            "Division",
            "Complaints",
            "Canned",
            "Contact ignored",
            "Escalation refused",
            "Late",
        ],
        &body,
    );
    o.push_str("</section>");
}

pub fn verbatims(o: &mut String, pack: &Pack) {
    o.push_str("<section><h2>Worth reading</h2>");
    if pack.report.verbatims.is_empty() {
        o.push_str("<p>Nothing flagged this period.</p>");
    }
    for v in &pack.report.verbatims {
        let _ = write!(
            o,
            r#"<h3>{} · {} · received {}{}</h3><p class="why">{}</p><blockquote>{}</blockquote>"#,
            esc(&v.external_id),
            esc(&v.division),
            esc(&fmt_date(v.received_at)),
            v.likelihood
                .map(|l| format!(" · likelihood to recommend {l}/10"))
                .unwrap_or_default(),
            esc(&v.why.join(" · ")),
            esc(&v.complaint)
        );
        match &v.response {
            Some(t) => {
                let _ = write!(o, "<p>Response:</p><blockquote>{}</blockquote>", esc(t));
            }
            None => o.push_str("<p><b>No response.</b></p>"),
        }
    }
    o.push_str("</section>");
}

pub fn trend(o: &mut String, pack: &Pack) {
    let r = &pack.report;
    o.push_str("<section><h2>Trend</h2>");
    let labels: Vec<String> = r.trend.iter().map(|t| t.short.clone()).collect();
    let bars: Vec<f64> = r.trend.iter().map(|t| t.complaints as f64).collect();
    o.push_str(&svg::trend(
        "Complaints per period with push-back rate and canned share",
        &labels,
        ("complaints", &bars),
        &[
            (
                "push-back rate",
                RED,
                r.trend.iter().map(|t| t.push_back_rate).collect(),
            ),
            (
                "canned share",
                PURPLE,
                r.trend.iter().map(|t| t.canned_share).collect(),
            ),
            (
                "late share",
                AMBER,
                r.trend.iter().map(|t| t.late_share).collect(),
            ),
        ],
    ));
    let body: Vec<Vec<String>> = r
        .trend
        .iter()
        .map(|t| {
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
        })
        .collect();
    table(
        o,
        &[
            "Period",
            "Complaints",
            "Signed",
            "Pushed back",
            "Push-back rate",
            "Canned",
            "Late",
            "CARs opened",
        ],
        &body,
    );
    o.push_str("</section>");
}
