//! The complaints worth reading, each with why it was picked and the response it got.

use std::fmt::Write;

use crate::domain::report::Report;
use crate::render::escape::html as esc;
use crate::render::rows::verbatim_title;

pub fn section(o: &mut String, r: &Report) {
    o.push_str("<section><h2>Worth reading</h2>");
    if r.verbatims.is_empty() {
        o.push_str("<p>Nothing flagged this period.</p>");
    }
    for v in &r.verbatims {
        let _ = write!(
            o,
            r#"<h3>{}</h3><p class="why">{}</p><blockquote>{}</blockquote>"#,
            esc(&verbatim_title(v)),
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
