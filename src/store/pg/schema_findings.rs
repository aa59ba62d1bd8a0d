//! How the PostgreSQL store's schema differs from what signoff's migrations make, said in plain
//! words: what is missing, what is foreign (signoff did not create it), what was switched off,
//! and what was changed.

use crate::domain::text::one_line;

use super::schema::Description;

fn label(kind: &str, table: &str, name: &str) -> String {
    match kind {
        "table" | "function" => format!("{kind} {name}"),
        "column" => format!("column {table}.{name}"),
        _ => format!("{kind} {name} on {table}"),
    }
}

/// A trigger's or rule's enabled state (`tgenabled`, `ev_enabled`) in words.
fn enabled(state: &str) -> &'static str {
    match state {
        "D" => "disabled",
        "R" => "enabled for replication sessions only, and so disabled for everyone else",
        "A" => "enabled always, for replication sessions too",
        _ => "enabled",
    }
}

fn table_state(name: &str, have: &str, want: &str) -> Vec<String> {
    let on = |s: &str| s.starts_with("row-level security on");
    let forced = |s: &str| s.contains("forced");
    let mut out = Vec::new();
    match (on(have), on(want)) {
        (false, true) => out.push(format!(
            "row-level security is disabled on {name}: its policies no longer limit who reads or \
             writes its rows (signoff enables it)"
        )),
        (true, false) => out.push(format!(
            "row-level security is enabled on {name}, which signoff leaves without it"
        )),
        _ => {}
    }
    match (forced(have), forced(want)) {
        (true, false) => out.push(format!(
            "row-level security is forced on {name}, which signoff does not do"
        )),
        (false, true) => out.push(format!(
            "row-level security is no longer forced on {name} (signoff forces it)"
        )),
        _ => {}
    }
    out
}

fn missing_why(kind: &str, name: &str) -> &'static str {
    match kind {
        "trigger" if name.contains("append_only") || name.contains("no_truncate") => {
            " to refuse changes to the record"
        }
        "trigger" if name.contains("chain_link") => {
            " to keep each record linked to the end of its chain"
        }
        "policy" => " to limit who reads or writes the table's rows",
        _ => "",
    }
}

pub(super) fn compare(have: &Description, want: &Description) -> Vec<String> {
    let mut out = Vec::new();
    for ((kind, table, name), (state, def)) in have {
        let what = label(kind, table, name);
        let Some((want_state, want_def)) = want.get(&(kind.clone(), table.clone(), name.clone()))
        else {
            out.push(format!(
                "foreign {what}: signoff did not create it, and it can change what is stored or read ({})",
                one_line(def, 160)
            ));
            continue;
        };
        if def != want_def {
            out.push(format!(
                "{what} differs from what signoff created: it is now {} (signoff's: {})",
                one_line(def, 160),
                one_line(want_def, 160)
            ));
        }
        if state != want_state {
            match kind.as_str() {
                "table" => out.extend(table_state(name, state, want_state)),
                "trigger" | "rule" => out.push(format!(
                    "{what} is {} (signoff makes it {})",
                    enabled(state),
                    enabled(want_state)
                )),
                _ => out.push(format!(
                    "{what} differs from what signoff created: {state} (signoff's: {want_state})"
                )),
            }
        }
    }
    for (kind, table, name) in want.keys() {
        if !have.contains_key(&(kind.clone(), table.clone(), name.clone())) {
            out.push(format!(
                "{} is missing: signoff created it{}",
                label(kind, table, name),
                missing_why(kind, name)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desc(rows: &[(&str, &str, &str, &str, &str)]) -> Description {
        rows.iter()
            .map(|(k, t, n, s, d)| {
                (
                    (k.to_string(), t.to_string(), n.to_string()),
                    (s.to_string(), d.to_string()),
                )
            })
            .collect()
    }

    #[test]
    fn each_difference_is_said_plainly() {
        let want = desc(&[
            ("table", "", "decisions", "row-level security on", "table"),
            (
                "trigger",
                "decisions",
                "decisions_append_only",
                "O",
                "CREATE TRIGGER a",
            ),
            ("policy", "decisions", "decisions_read", "", "for select"),
            ("function", "", "f()", "", "as x"),
        ]);
        let have = desc(&[
            (
                "table",
                "",
                "decisions",
                "row-level security off, forced",
                "table",
            ),
            (
                "trigger",
                "decisions",
                "decisions_append_only",
                "D",
                "CREATE TRIGGER a",
            ),
            ("policy", "decisions", "decisions_open", "", "for all"),
            ("function", "", "f()", "", "as y"),
        ]);
        let got = compare(&have, &want);
        let has = |s: &str| got.iter().any(|m| m.contains(s));
        assert!(
            has("row-level security is disabled on decisions"),
            "{got:?}"
        );
        assert!(has("row-level security is forced on decisions"), "{got:?}");
        assert!(
            has("trigger decisions_append_only on decisions is disabled"),
            "{got:?}"
        );
        assert!(has("foreign policy decisions_open on decisions"), "{got:?}");
        assert!(
            has("policy decisions_read on decisions is missing: signoff created it to limit"),
            "{got:?}"
        );
        assert!(
            has("function f() differs from what signoff created: it is now as y"),
            "{got:?}"
        );
        assert_eq!(got.len(), 6, "{got:?}");
        assert!(compare(&want, &want).is_empty());
    }
}
