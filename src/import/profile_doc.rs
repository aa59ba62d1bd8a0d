//! The profile reference, docs/profiles.md, names every key the profile parser accepts: the
//! keys are taken from the parser itself (serde's own list of a table's fields, in the message
//! it gives for an unknown one), so a key added to the parser without a line in the reference
//! fails here.

use super::profile::{Profile, FIELD_NAMES};

const DOC: &str = include_str!("../../docs/profiles.md");

/// A profile using every table, each present so a key can be slipped into it.
const BASE: &str = r#"name = "x"
source = "x"
[header]
[fields]
external_id = "a"
received_at = "b"
complaint = "c"
division = "d"
[header_optional]
[dates]
formats = ["%Y-%m-%d"]
[link]
direction = "e"
inbound_values = ["in"]
reply_to = "f"
[thread]
author_type = "g"
customer_values = ["c"]
company_values = ["a"]
[ids]
"#;

/// The names in backquotes after "expected" in the parser's message for `text`.
fn expected(text: &str) -> Vec<String> {
    let err = Profile::parse(text, "doc").expect_err("a key the parser does not know");
    let msg = err.to_string();
    let (_, list) = msg.split_once("expected").expect(&msg);
    list.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The keys of `table` (None: the top level), as the parser knows them.
fn keys_of(table: Option<&str>) -> Vec<String> {
    let text = match table {
        None => format!("zz_not_a_key = 1\n{BASE}"),
        Some(t) => BASE.replace(&format!("[{t}]\n"), &format!("[{t}]\nzz_not_a_key = 1\n")),
    };
    let keys = expected(&text);
    assert!(!keys.is_empty(), "{table:?}: {keys:?}");
    keys
}

/// The reference's section under the heading that holds `title`, up to the next heading.
fn section(title: &str) -> &'static str {
    let mut offset = 0;
    for line in DOC.split_inclusive('\n') {
        offset += line.len();
        if line.starts_with("### ") && line.contains(title) {
            let rest = &DOC[offset..];
            return &rest[..rest.find("\n#").map_or(rest.len(), |i| i + 1)];
        }
    }
    panic!("docs/profiles.md has no section {title}")
}

fn documented(title: &str, keys: &[String]) {
    let s = section(title);
    for k in keys {
        assert!(
            s.contains(&format!("| `{k}` |")),
            "docs/profiles.md, section {title}: the key `{k}` is not documented"
        );
    }
}

#[test]
fn every_key_of_every_table_is_documented() {
    documented("Top level", &keys_of(None));
    for t in [
        "header",
        "fields",
        "header_optional",
        "dates",
        "link",
        "thread",
        "ids",
    ] {
        documented(&format!("`[{t}]`"), &keys_of(Some(t)));
    }
    // A column's inline-table form is untagged, which lists no keys; its two are fixed here.
    documented("`[fields]`", &["columns".into(), "join".into()]);
}

#[test]
fn every_field_and_date_order_is_documented() {
    let fields = keys_of(Some("fields"));
    assert_eq!(
        fields, FIELD_NAMES,
        "[fields] keys are the fields [values] and [defaults] take"
    );
    let orders = expected(&BASE.replace("[dates]\n", "[dates]\norder = \"zz\"\n"));
    assert_eq!(orders, ["auto", "dmy", "mdy"]);
    let dates = section("`[dates]`");
    for o in orders {
        assert!(
            dates.contains(&format!("`\"{o}\"`")),
            "order {o:?} is not documented"
        );
    }
    for t in ["`[values.FIELD]`", "`[defaults]`"] {
        section(t);
    }
}
