//! A drafted profile written as commented TOML: every guess with its reason above it, the
//! columns left unmapped listed where a field would go.

use std::fmt::Write;

use super::draft::Draft;
use super::draft_columns::YES_NO;
use super::profile::DateOrder;

/// The lines the profile's header searches at least (the profile language's default).
const SEARCH_LINES: u64 = 20;

impl Draft {
    /// The profile as TOML, `intro` written first as comment lines.
    pub fn toml(&self, intro: &[String], description: &str) -> String {
        let mut t = String::new();
        for line in intro {
            comment(&mut t, line);
        }
        comment(
            &mut t,
            "Each mapping below is a guess from the column's name and values: check them,",
        );
        comment(
            &mut t,
            "then import with --profile FILE, or put this file in your profiles folder",
        );
        comment(
            &mut t,
            "(import.profiles_dir) to have it chosen by its header. The profile language:",
        );
        comment(&mut t, "docs/profiles.md.");
        for w in &self.warnings {
            comment(&mut t, &format!("CHECK: {w}"));
        }
        let _ = writeln!(t, "name = {}", string(&self.name));
        let _ = writeln!(t, "description = {}", string(description));
        comment(
            &mut t,
            "Complaints are keyed by (source, external id); --source on import overrides it.",
        );
        let _ = writeln!(t, "source = {}", string(&self.name));
        t.push_str("\n[header]\n");
        comment(
            &mut t,
            "Lines to skip before looking for the header, then how many lines to search.",
        );
        t.push_str("skip_lines = 0\n");
        let _ = writeln!(t, "search_lines = {}", self.header_line.max(SEARCH_LINES));
        t.push_str("\n[fields]\n");
        for g in &self.guesses {
            comment(&mut t, &g.why);
            let _ = writeln!(t, "{} = {}", g.field, string(&g.column));
        }
        if !self.unmapped.is_empty() {
            t.push('\n');
            comment(
                &mut t,
                "Columns left unmapped (map one by adding FIELD = \"COLUMN\" above):",
            );
            for u in &self.unmapped {
                comment(&mut t, &format!("  {}: {}", string(&u.column), u.note));
            }
        }
        t.push_str("\n[dates]\n");
        comment(
            &mut t,
            "chrono formats, tried in order, for received_at and responded_at.",
        );
        let formats: Vec<String> = self.date_formats.iter().map(|f| string(f)).collect();
        let _ = writeln!(t, "formats = [{}]", formats.join(", "));
        comment(
            &mut t,
            &format!("auto | dmy | mdy: {}", self.date_order_why),
        );
        let order = match self.date_order {
            DateOrder::Auto => "auto",
            DateOrder::Dmy => "dmy",
            DateOrder::Mdy => "mdy",
        };
        let _ = writeln!(t, "order = {}", string(order));
        comment(&mut t, "The offset of dates written without one.");
        t.push_str("utc_offset = \"+00:00\"\n");
        t.push_str("\n[defaults]\n");
        let (division, why) = &self.default_division;
        comment(&mut t, &format!("The division {why}."));
        let _ = writeln!(t, "division = {}", string(division));
        if self.wants_contact_values {
            t.push_str("\n[values.wants_contact]\n");
            for (from, to) in YES_NO {
                let _ = writeln!(t, "{} = {}", string(from), string(to));
            }
        }
        t
    }
}

/// A comment line; text from the file has been made one inert line already, and a stray line
/// break is folded so it cannot end the comment.
fn comment(t: &mut String, text: &str) {
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let _ = writeln!(t, "# {}", line.trim_end());
}

/// A TOML basic string. Control characters and bidirectional overrides are escaped, so the
/// text printed cannot drive a terminal and the value is still the header's exact name.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if crate::domain::text::is_hidden_control(c) => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip_through_toml() {
        for s in [
            "plain",
            "a \"quoted\" \\ name",
            "line\nbreak\ttab",
            "bidi\u{202e}x\u{1b}[31m",
        ] {
            let text = format!("v = {}", string(s));
            assert!(
                !text.contains('\u{202e}') && !text.contains('\u{1b}'),
                "{text}"
            );
            let v: toml::Value = toml::from_str(&text).expect("toml");
            assert_eq!(v["v"].as_str(), Some(s));
        }
    }
}
