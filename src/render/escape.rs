//! Text from outside (a customer's words, an imported field) made to stay text in what we
//! print: every HTML page, SVG chart and letter through one escaper, Markdown through another.

use crate::domain::text::{is_hidden_control, stand_in};

/// Escapes text for HTML and SVG; control characters get visible stand-ins.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if is_hidden_control(c) => out.push(stand_in(c)),
            c => out.push(c),
        }
    }
    out
}

/// Backslash-escapes the punctuation Markdown could read as markup; a line break becomes a
/// space, so that a cell or a heading stays on its line.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            c if is_hidden_control(c) && c != '\t' => out.push(stand_in(c)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_stays_text() {
        assert_eq!(
            html("<b a='1'>&\"</b>"),
            "&lt;b a=&#39;1&#39;&gt;&amp;&quot;&lt;/b&gt;"
        );
        assert_eq!(html("a\u{1b}[31mb\nc"), "a\u{241b}[31mb\nc");
        assert_eq!(markdown("*x* | [y](z)\nw"), "\\*x\\* \\| \\[y\\](z) w");
    }
}
