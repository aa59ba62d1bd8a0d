//! The page around the sections: its head and style, the title and the cards at a glance, and
//! the footer.

use std::fmt::Write;

use crate::domain::pack::Pack;
use crate::render::escape::html as esc;
use crate::render::number::{count as n, pct};
use crate::render::rows::{byline, head_line};
use crate::render::time::fmt_time;

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

/// The document's head and the page's title and byline.
pub fn head(o: &mut String, pack: &Pack) {
    let (m, r) = (&pack.meta, &pack.report);
    let _ = write!(
        o,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>{} — {}</title><style>{STYLE}</style></head><body>"#,
        esc(&m.title),
        esc(&r.period.label)
    );
    let _ = write!(
        o,
        r#"<header><h1>{} — {}</h1><p class="by">{}</p><p class="by">{}</p></header>"#,
        esc(&m.title),
        esc(&r.period.label),
        esc(&byline(m, r.generated_at)),
        esc(&head_line(m))
    );
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

/// The period at a glance, a card per figure; what needs acting on in red.
pub fn glance(o: &mut String, pack: &Pack) {
    let (m, s) = (&pack.meta, &pack.report.summary);
    o.push_str(r#"<section><div class="cards">"#);
    card(o, &n(s.complaints), "complaints received", false);
    card(
        o,
        &format!("{} / {}", n(s.signed), n(s.pushed_back)),
        "signed / pushed back",
        false,
    );
    card(o, &pct(s.push_back_rate), "push-back rate", false);
    card(o, &pct(s.canned_share), "of responses canned", false);
    card(
        o,
        &pct(s.late_share),
        &format!("late (target {} h)", m.late_hours),
        false,
    );
    card(
        o,
        &n(s.contact_ignored),
        "contact requests ignored",
        s.contact_ignored > 0,
    );
    card(
        o,
        &n(s.escalation_refused),
        "escalations refused",
        s.escalation_refused > 0,
    );
    card(o, &n(s.cars_overdue), "CARs overdue", s.cars_overdue > 0);
    o.push_str("</div></section>");
}

pub fn foot(o: &mut String, pack: &Pack) {
    let _ = writeln!(
        o,
        "<footer>signoff · {} · figures from the store at {} UTC</footer></body></html>",
        esc(&pack.meta.title),
        esc(&fmt_time(pack.report.generated_at))
    );
}
