//! The review pack as one self-contained HTML file: inline CSS and SVG, no script, a content
//! security policy that forbids fetching anything, and print rules for A4.

use std::fmt::Write;

use crate::domain::canned::thousands;

use super::fmt_time;
use super::report::{
    ad_hoc_lines, byline, division_cells, head_line, pct, Pack, DIVISION_HEAD, DIVISION_NOTE,
};
use super::report_html_parts as parts;
use super::report_svg::{self as svg, esc, BLUE, GREEN, GREY, RED};

const STYLE: &str = r#"
:root { --ink: #1d232b; --muted: #5c6670; --line: #d9dee4; --red: #c0392b; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 960px; padding: 24px; overflow-wrap: anywhere; }
h1 { font-size: 24px; margin: 0; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 2px solid var(--ink); padding-bottom: 3px; }
h3 { font-size: 15px; margin: 16px 0 4px; }
.by { color: var(--muted); margin: 4px 0 16px; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px; }
.card b { display: block; font-size: 22px; } .card span { color: var(--muted); font-size: 12px; }
.card.alert { border-color: var(--red); } .card.alert b { color: var(--red); }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px; text-align: right; overflow-wrap: normal; }
th:first-child, td:first-child { text-align: left; } th { background: #f3f5f7; }
td:first-child { overflow-wrap: anywhere; min-width: 8em; }
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
    super::report_recommend::html(&mut o, &r.recommend_trend);
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
    let _ = write!(
        o,
        "<section><h2>Sign-off and push-back by division</h2><p class=\"by\">{} The tick is the upper bound on unfit responses the random items prove.</p>",
        esc(DIVISION_NOTE)
    );
    let rows: Vec<(String, Vec<f64>, Option<f64>)> = r
        .divisions
        .iter()
        .map(|d| &d.review)
        .filter(|f| f.sampled > 0)
        .map(|f| {
            let of = |x: u64| x as f64 / f.sampled as f64;
            let clean = f.reviewed - f.pushed_back;
            (
                f.division.clone(),
                vec![of(clean), of(f.pushed_back), of(f.sampled - f.reviewed)],
                f.upper_bound,
            )
        })
        .collect();
    if !rows.is_empty() {
        o.push_str(&svg::stacked(
            "Sampled items by outcome, per division",
            &rows,
            &[
                ("signed without a push-back", GREEN),
                ("pushed back", RED),
                ("not reviewed yet", GREY),
            ],
        ));
    }
    let body: Vec<Vec<String>> = r.divisions.iter().map(division_cells).collect();
    table(o, &DIVISION_HEAD, &body);
    o.push_str("<ul class=\"notes\">");
    for f in r
        .divisions
        .iter()
        .map(|d| &d.review)
        .filter(|f| f.random_items > 0)
    {
        let _ = write!(
            o,
            "<li>{}: {}</li>",
            esc(&f.division),
            esc(&f.bound_statement)
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
    for line in ad_hoc_lines(r) {
        let _ = write!(o, "<li>Ad hoc: {}</li>", esc(&line));
    }
    o.push_str("</ul></section>");
}
