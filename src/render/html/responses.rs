//! How the responses fared: why they were pushed back, how long they took, the replies sent
//! word for word to many customers, and the failure-mode flags per division.

use std::fmt::Write;

use crate::domain::report::Report;
use crate::render::escape::html as esc;
use crate::render::number::{count as n, hours};
use crate::render::rows::{flag_cells, variants, FLAG_HEAD};
use crate::render::svg::{self, BLUE, RED};

use super::table;

/// Push-back reasons and response times, side by side.
pub fn reasons_and_times(o: &mut String, r: &Report) {
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
        hours(rt.mean_hours),
        n(rt.no_response),
        n(rt.unknown_time)
    );
}

pub fn canned_and_flags(o: &mut String, r: &Report) {
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
            variants(g),
            g.id
        );
    }
    o.push_str("</section><section><h2>Failure-mode flags by division</h2>");
    let body: Vec<Vec<String>> = r.flags.iter().map(flag_cells).collect();
    table(o, &FLAG_HEAD, &body);
    o.push_str("</section>");
}
