//! Sign-off and push-back by division: the sampled items' outcomes as stacked bars with the
//! bound each division's random items prove, the table, and what the bounds say.

use std::fmt::Write;

use crate::domain::report::Report;
use crate::render::escape::html as esc;
use crate::render::rows::{
    ad_hoc_lines, bound_lines, division_cells, DIVISION_HEAD, DIVISION_NOTE,
};
use crate::render::svg::{self, GREEN, GREY, RED};

use super::table;

pub fn section(o: &mut String, r: &Report) {
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
    for line in bound_lines(r) {
        let _ = write!(o, "<li>{}</li>", esc(&line));
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
