//! The store's schema against what signoff's migrations create: a trigger, table, view or index
//! that signoff did not make (one that swallows new push-backs, say), or one of its own that is
//! missing or altered (a dropped append-only trigger), is named.

use std::collections::BTreeMap;

use rusqlite::Connection;

/// (type, name) → the statement that made it, whitespace folded.
fn objects(conn: &Connection) -> rusqlite::Result<BTreeMap<(String, String), String>> {
    let mut st = conn.prepare(
        "SELECT type, name, coalesce(sql, '') FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            (r.get::<_, String>(0)?, r.get::<_, String>(1)?),
            r.get::<_, String>(2)?,
        ))
    })?;
    rows.map(|r| r.map(|(k, sql)| (k, fold(&sql)))).collect()
}

fn fold(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What differs from a store freshly made by the migrations, one sentence each.
pub fn differences(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut reference = Connection::open_in_memory()?;
    super::migrations::migrate(&mut reference)
        .map_err(|e| rusqlite::Error::InvalidParameterName(format!("migrations: {e}")))?;
    let want = objects(&reference)?;
    let have = objects(conn)?;
    let mut out = Vec::new();
    for ((kind, name), sql) in &have {
        match want.get(&(kind.clone(), name.clone())) {
            None => out.push(format!(
                "foreign {kind} {name:?}: signoff did not create it, and it can change what is stored or read ({})",
                crate::domain::text::one_line(sql, 160)
            )),
            Some(w) if w != sql => out.push(format!(
                "{kind} {name:?} differs from what signoff created: {}",
                crate::domain::text::one_line(sql, 160)
            )),
            Some(_) => {}
        }
    }
    for (kind, name) in want.keys() {
        if !have.contains_key(&(kind.clone(), name.clone())) {
            out.push(format!(
                "{kind} {name:?} is missing: signoff created it{}",
                if kind == "trigger" && name.contains("append_only") {
                    " to refuse changes to the record"
                } else {
                    ""
                }
            ));
        }
    }
    Ok(out)
}
