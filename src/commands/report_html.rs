//! The review pack as one self-contained HTML file: inline CSS and SVG, no script, a content
//! security policy that forbids fetching anything, and print rules for A4.

use std::fmt::Write;

use crate::domain::canned::thousands;

use super::fmt_time;
use super::report::{byline, head_line, pct, Pack};
use super::report_html_parts as parts;
use super::report_svg::{self as svg, esc, BLUE, GREEN, GREY, RED};

const STYLE: &str = r#"
:root { --ink: #1d232b; --muted: #5c6670; --line: #d9dee4; --red: #c0392b; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 960px; padding: 24px; }
h1 { font-size: 24px; margin: 0; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid var(--ink); padding-bottom: 3px; }
h3 { font-size: 15px; margin: 16px 0 4px; }
.by { color: var(--muted); margin: 4px 0 16px; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px; }
.card b { display: block; font-size: 22px; } .card span { color: var(--muted); font-size: 12px; }
.card.alert { border-color: var(--red); } .card.alert b { color: var(--red); }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: right; }
th:first-child, td:first-child { text-align: left; } th { background: #f3f5f7; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
.overdue { color: var(--red); font-weight: 600; }
blockquote { margin: 6px 0; padding: 6px 12px; border-left: 4px solid var(--line); background: #fafbfc; }
.why { color: var(--red); font-size: 12px; }
svg text.l { font-size: 12px; text-anchor: end; fill: #1d232b; }
svg text.s { font-size: 11px; fill: #1d232b; }
svg text.c { font-size: 11px; text-anchor: middle; fill: #1d232b; }
ul.notes { margin: 4px 0; padding-left: 18px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@page { size: A4; margin: 14mm; }
@media print { body { padding: 0; max-width: none; } section { break-inside: avoid; } h2 { break-after: avoid; }
               .cards { grid-template-columns: repeat(4, 1fr); } }
"#;

fn n(x: i64) -> String {
    thousands(x.max(0) as u64)
}

fn card(o: &mut String, value: &str, label: &str, alert: bool) {
    let _ = write!(
        o,
        r#"<div class="card{}"><b>{}</b><span>{}</span></div>"#,
        if alert { " alert" } else { "" },
        esc(value),
        esc(label)
    );
}

pub fn table(o: &mut String, head: &[&str], rows: &[Vec<String>]) {
    o.push_str("<table><thead><tr>");
    for h in head {
        let _ = write!(o, "<th>{}</th>", esc(h));
    }
    o.push_str("</tr></thead><tbody>");
    for r in rows {
        o.push_str("<tr>");
        for c in r {
            let _ = write!(o, "<td>{}</td>", esc(c));
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table>");
}

pub fn render(pack: &Pack) -> String {
    let (m, r) = (&pack.meta, &pack.report);
    let s = &r.summary;
    let mut o = String::with_capacity(64 * 1024);
    let _ = write!(
        o,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>{} — {}</title><style>{STYLE}</style></head><body>"#,
        esc(&m.title),
        esc(&r.period.label)
    );
    let _ = write!(
        o,
        r#"<header><h1>{} — {}</h1><p class="by">{}</p><p class="by">{}</p></header><section><div class="cards">"#,
        esc(&m.title),
        esc(&r.period.label),
        esc(&byline(m, r.generated_at)),
        esc(&head_line(m))
    );
    card(&mut o, &n(s.complaints), "complaints received", false);
    card(
        &mut o,
        &format!("{} / {}", n(s.signed), n(s.pushed_back)),
        "signed / pushed back",
        false,
    );
    card(&mut o, &pct(s.push_back_rate), "push-back rate", false);
    card(&mut o, &pct(s.canned_share), "of responses canned", false);
    card(
        &mut o,
        &pct(s.late_share),
        &format!("late (target {} h)", m.late_hours),
        false,
    );
    card(
        &mut o,
        &n(s.contact_ignored),
        "contact requests ignored",
        s.contact_ignored > 0,
    );
    card(
        &mut o,
        &n(s.escalation_refused),
        "escalations refused",
        s.escalation_refused > 0,
    );
    card(
        &mut o,
        &n(s.cars_overdue),
        "CARs overdue",
        s.cars_overdue > 0,
    );
    o.push_str("</div></section>");
    divisions(&mut o, pack);
    parts::trend(&mut o, pack);
    o.push_str(r#"<section class="two"><div><h2>Push-back reasons</h2>"#);
    if r.reasons.is_empty() {
        o.push_str("<p>No push-backs this period.</p>");
    } else {
        let rows: Vec<(String, f64)> = r
            .reasons
            .iter()
            .map(|c| (c.key.clone(), c.count as f64))
            .collect();
        o.push_str(&svg::hbars("Push-back reasons", &rows, RED));
    }
    let rt = &r.response_times;
    o.push_str("</div><div><h2>Response times</h2>");
    let cols: Vec<(String, f64)> = rt
        .buckets
        .iter()
        .map(|b| (b.key.clone(), b.count as f64))
        .collect();
    o.push_str(&svg::vbars("Responses by time to answer", &cols, BLUE));
    let _ = write!(
        o,
        "<p>Median {}; mean {}; {} without a response; {} at an unknown time.</p></div></section>",
        esc(rt.median.as_deref().unwrap_or("–")),
        rt.mean_hours
            .map_or_else(|| "–".into(), |h| format!("{h:.1} h")),
        n(rt.no_response),
        n(rt.unknown_time)
    );
    parts::canned_and_flags(&mut o, pack);
    parts::cars(&mut o, pack);
    parts::verbatims(&mut o, pack);
    let _ = writeln!(
        o,
        "<footer>signoff · {} · figures from the store at {} UTC</footer></body></html>",
        esc(&m.title),
        esc(&fmt_time(r.generated_at))
    );
    o
}

fn divisions(o: &mut String, pack: &Pack) {
    let r = &pack.report;
    o.push_str("<section><h2>Sign-off and push-back by division</h2><p class=\"by\">Where the items reviewed this period stand now, as <code>signoff status</code> counts them; the tick is the upper bound on unfit responses the random items prove.</p>");
    let rows: Vec<(String, Vec<f64>, Option<f64>)> = r
        .divisions
        .iter()
        .filter(|d| d.sampled > 0)
        .map(|d| {
            let of = |x: u64| x as f64 / d.sampled as f64;
            let pushed = d.pushed_back_open + d.pushed_back_answered;
            let signed = d.signed + d.signed_text_changed;
            (
                d.division.clone(),
                vec![of(signed), of(pushed), of(d.sampled - signed - pushed)],
                d.upper_bound,
            )
        })
        .collect();
    if !rows.is_empty() {
        o.push_str(&svg::stacked(
            "Sampled items by outcome, per division",
            &rows,
            &[
                ("signed", GREEN),
                ("pushed back", RED),
                ("pending or other", GREY),
            ],
        ));
    }
    let body: Vec<Vec<String>> = r
        .divisions
        .iter()
        .map(|d| {
            vec![
                d.division.clone(),
                n(d.complaints),
                d.sampled.to_string(),
                (d.signed + d.signed_text_changed).to_string(),
                d.pushed_back_open.to_string(),
                d.pushed_back_answered.to_string(),
                d.pushed_back_overdue.to_string(),
                d.pending.to_string(),
                pct(d.sign_off_rate),
                pct(d.push_back_rate),
                pct(d.upper_bound),
            ]
        })
        .collect();
    table(
        o,
        &[
            "Division",
            "Complaints",
            "Sampled",
            "Signed",
            "Pushed back",
            "Answered",
            "Overdue",
            "Pending",
            "Sign-off",
            "Push-back",
            "Upper bound",
        ],
        &body,
    );
    o.push_str("<ul class=\"notes\">");
    for d in r.divisions.iter().filter(|d| d.random_items > 0) {
        let _ = write!(
            o,
            "<li>{}: {}</li>",
            esc(&d.division),
            esc(&d.bound_statement)
        );
    }
    for b in &r.samples {
        let _ = write!(
            o,
            "<li>Sample {} “{}”: {}</li>",
            b.sample,
            esc(&b.label),
            esc(&b.statement)
        );
    }
    o.push_str("</ul></section>");
}
