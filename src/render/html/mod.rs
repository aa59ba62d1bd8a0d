//! The review pack as one self-contained HTML file: inline CSS and SVG, no script, a content
//! security policy that forbids fetching anything, and print rules for A4.

mod cars;
mod divisions;
mod page;
mod responses;
mod trend;
mod verbatims;

use std::fmt::Write;

use crate::domain::pack::Pack;

use super::escape::html as esc;

pub fn render(pack: &Pack) -> String {
    let r = &pack.report;
    let mut o = String::with_capacity(64 * 1024);
    page::head(&mut o, pack);
    page::glance(&mut o, pack);
    divisions::section(&mut o, r);
    trend::section(&mut o, r);
    trend::recommend(&mut o, &r.recommend_trend);
    responses::reasons_and_times(&mut o, r);
    responses::canned_and_flags(&mut o, r);
    cars::section(&mut o, pack);
    verbatims::section(&mut o, r);
    page::foot(&mut o, pack);
    o
}

/// A table with a row of headings; every cell escaped.
fn table(o: &mut String, head: &[&str], rows: &[Vec<String>]) {
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
