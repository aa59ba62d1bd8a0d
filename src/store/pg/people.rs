//! `signoff people sync`: a database login per person, the rights of their role through a group
//! role per store, and their row in `signoff_people`, which the row-level security reads.

use postgres::{Client, Transaction};

/// A person as the store's rights need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonGrant {
    pub login: String,
    pub name: String,
    pub title: String,
    /// `executive`, `division_head` or `admin`.
    pub role: String,
    pub divisions: Vec<String>,
}

/// What a sync did, by login.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Logins created (they can connect once the organisation's authentication lets them).
    pub created: Vec<String>,
    /// Logins that existed already and are now among the people.
    pub added: Vec<String>,
    /// People whose role, divisions, name or title changed.
    pub changed: Vec<String>,
    pub unchanged: Vec<String>,
    /// No longer among the people: their rights are gone; their login is kept.
    pub removed: Vec<String>,
    /// The group role of each signoff role on this store.
    pub groups: Vec<(String, String)>,
    /// People whose login the server does not hold to their role: a superuser, a login that
    /// bypasses row-level security, or the owner of the store's tables.
    pub unbound: Vec<(String, &'static str)>,
}

const ROLES: [&str; 3] = ["executive", "division_head", "admin"];

/// Tables every person reads (row-level security decides which rows).
const READ: &[&str] = &[
    "signoff_migrations",
    "signoff_people",
    "imports",
    "complaints",
    "messages",
    "complaint_history",
    "customer_complaints",
    "samples",
    "sample_items",
    "decisions",
    "cars",
    "car_events",
    "outbox",
    "notice_log",
    "complaint_flags",
    "check_runs",
    "check_state",
    "check_seen",
    "check_daily",
    "canned_groups",
    "canned_members",
    "canned_daily",
    "reply_texts",
    "reply_members",
    "reply_buckets",
    "reply_clusters",
    "division_counts",
    "rule_counts",
    "phrase_rule_sets",
];

/// What an import writes: the complaints, their threads and provenance.
const IMPORT: &[(&str, &str)] = &[
    ("imports", "INSERT"),
    ("complaints", "INSERT, UPDATE"),
    ("messages", "INSERT, UPDATE, DELETE"),
    ("complaint_history", "INSERT"),
    ("customer_complaints", "INSERT, DELETE"),
    // The phrase rules' matches a load keeps cover every division (step 5's policy).
    ("phrase_rule_sets", "INSERT, UPDATE, DELETE"),
];

/// What keeping the checks up to date writes: derived figures, rebuilt by a refresh, never
/// evidence. Row-level security keeps a division head to their own divisions' rows.
const CHECKS: &[(&str, &str)] = &[
    ("complaint_flags", "INSERT, UPDATE, DELETE"),
    ("check_runs", "INSERT"),
    ("check_state", "INSERT, UPDATE"),
    ("check_seen", "INSERT, UPDATE, DELETE"),
    ("check_daily", "INSERT, UPDATE, DELETE"),
    ("canned_groups", "INSERT, UPDATE, DELETE"),
    ("canned_members", "INSERT, UPDATE, DELETE"),
    ("canned_daily", "INSERT, UPDATE, DELETE"),
    ("reply_texts", "INSERT, UPDATE, DELETE"),
    ("reply_members", "INSERT, UPDATE, DELETE"),
    ("reply_buckets", "INSERT, UPDATE, DELETE"),
    ("reply_clusters", "INSERT, UPDATE, DELETE"),
    ("division_counts", "INSERT, UPDATE, DELETE"),
    ("rule_counts", "INSERT, UPDATE, DELETE"),
];

/// Beyond reading, what each role may write. Decisions, CARs, CAR steps and samples are only
/// ever inserted: no role may update or delete them. The checks are kept by those who see every
/// division (imports and refreshes): what a division head's answer changes waits for the next.
fn writes(role: &str) -> Vec<(&'static str, &'static str)> {
    let mut w: Vec<(&str, &str)> = match role {
        "division_head" => Vec::new(),
        _ => CHECKS.to_vec(),
    };
    match role {
        "executive" => {
            w.extend_from_slice(IMPORT);
            w.extend_from_slice(&[
                ("decisions", "INSERT"),
                ("samples", "INSERT"),
                ("sample_items", "INSERT"),
                ("cars", "INSERT"),
                ("car_events", "INSERT"),
                ("outbox", "INSERT, UPDATE"),
                ("notice_log", "INSERT"),
            ]);
        }
        "division_head" => {
            w.extend_from_slice(&[
                ("decisions", "INSERT"),
                ("cars", "INSERT"),
                ("car_events", "INSERT"),
            ]);
        }
        _ => {
            w.extend_from_slice(IMPORT);
            w.extend_from_slice(&[
                ("cars", "INSERT"),
                ("car_events", "INSERT"),
                ("outbox", "INSERT, UPDATE"),
                ("notice_log", "INSERT"),
            ]);
        }
    }
    w
}

/// An SQL identifier, quoted.
fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The group role that carries `role`'s rights on the database `db`. Roles belong to the whole
/// server, so each store's groups are named after its database.
pub fn group_name(db: &str, role: &str) -> String {
    let suffix = format!("_signoff_{role}");
    let mut base = db.to_string();
    while base.len() + suffix.len() > 63 {
        base.pop();
    }
    format!("{base}{suffix}")
}

pub(super) fn sync(
    client: &mut Client,
    db: &str,
    people: &[PersonGrant],
) -> Result<SyncReport, postgres::Error> {
    let mut tx = client.transaction()?;
    let mut report = SyncReport::default();
    for role in ROLES {
        let group = group_name(db, role);
        if !role_exists(&mut tx, &group)? {
            tx.batch_execute(&format!("CREATE ROLE {} NOLOGIN", ident(&group)))?;
        }
        grant_group(&mut tx, db, &group, role)?;
        report.groups.push((role.to_string(), group));
    }
    tx.batch_execute(&format!("REVOKE ALL ON DATABASE {} FROM PUBLIC", ident(db)))?;

    let known = tx.query(
        "SELECT login, name, title, role, divisions FROM signoff_people",
        &[],
    )?;
    for p in people {
        let before = known.iter().find(|r| r.get::<_, String>(0) == p.login);
        if !role_exists(&mut tx, &p.login)? {
            tx.batch_execute(&format!("CREATE ROLE {} LOGIN", ident(&p.login)))?;
            report.created.push(p.login.clone());
        }
        for role in ROLES {
            let group = ident(&group_name(db, role));
            let who = ident(&p.login);
            if role == p.role {
                tx.batch_execute(&format!("GRANT {group} TO {who}"))?;
            } else {
                tx.batch_execute(&format!("REVOKE {group} FROM {who}"))?;
            }
        }
        tx.execute(
            "INSERT INTO signoff_people (login, name, title, role, divisions)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (login) DO UPDATE SET name = EXCLUDED.name, title = EXCLUDED.title,
                 role = EXCLUDED.role, divisions = EXCLUDED.divisions",
            &[&p.login, &p.name, &p.title, &p.role, &p.divisions],
        )?;
        let same = before.is_some_and(|r| {
            r.get::<_, String>(1) == p.name
                && r.get::<_, String>(2) == p.title
                && r.get::<_, String>(3) == p.role
                && r.get::<_, Vec<String>>(4) == p.divisions
        });
        if report.created.contains(&p.login) {
        } else if before.is_none() {
            report.added.push(p.login.clone());
        } else if same {
            report.unchanged.push(p.login.clone());
        } else {
            report.changed.push(p.login.clone());
        }
    }
    for r in &known {
        let login: String = r.get(0);
        if people.iter().any(|p| p.login == login) {
            continue;
        }
        tx.execute("DELETE FROM signoff_people WHERE login = $1", &[&login])?;
        if role_exists(&mut tx, &login)? {
            for role in ROLES {
                tx.batch_execute(&format!(
                    "REVOKE {} FROM {}",
                    ident(&group_name(db, role)),
                    ident(&login)
                ))?;
            }
        }
        report.removed.push(login);
    }
    for p in people {
        let row = tx.query_one(
            "SELECT r.rolsuper, r.rolbypassrls,
                    pg_get_userbyid((SELECT relowner FROM pg_class
                                     WHERE oid = 'public.decisions'::regclass)) = r.rolname
             FROM pg_roles r WHERE r.rolname = $1",
            &[&p.login],
        )?;
        let why = if row.get::<_, bool>(0) {
            Some("a superuser")
        } else if row.get::<_, bool>(1) {
            Some("allowed to bypass row-level security")
        } else if row.get::<_, bool>(2) {
            Some("the owner of the store's tables")
        } else {
            None
        };
        if let Some(why) = why {
            report.unbound.push((p.login.clone(), why));
        }
    }
    tx.commit()?;
    Ok(report)
}

fn role_exists(tx: &mut Transaction, name: &str) -> Result<bool, postgres::Error> {
    Ok(tx
        .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&name])?
        .is_some())
}

fn grant_group(
    tx: &mut Transaction,
    db: &str,
    group: &str,
    role: &str,
) -> Result<(), postgres::Error> {
    let g = ident(group);
    let mut sql = format!(
        "GRANT CONNECT ON DATABASE {} TO {g};\nGRANT USAGE ON SCHEMA public TO {g};\n",
        ident(db)
    );
    // Start from nothing, so that a right taken from a role in a later version is taken away.
    for table in READ {
        sql.push_str(&format!("REVOKE ALL ON {table} FROM {g};\n"));
        sql.push_str(&format!("GRANT SELECT ON {table} TO {g};\n"));
    }
    for (table, rights) in writes(role) {
        sql.push_str(&format!("GRANT {rights} ON {table} TO {g};\n"));
    }
    // An import stages its rows in temporary tables before merging them.
    if role != "division_head" {
        sql.push_str(&format!(
            "GRANT TEMPORARY ON DATABASE {} TO {g};\n",
            ident(db)
        ));
    } else {
        sql.push_str(&format!(
            "REVOKE TEMPORARY ON DATABASE {} FROM {g};\n",
            ident(db)
        ));
    }
    tx.batch_execute(&sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_fit_postgres_and_name_the_store() {
        assert_eq!(group_name("acme", "executive"), "acme_signoff_executive");
        let long = "x".repeat(80);
        let g = group_name(&long, "division_head");
        assert_eq!(g.len(), 63);
        assert!(g.ends_with("_signoff_division_head"));
    }

    #[test]
    fn nobody_may_change_the_evidence() {
        for role in ROLES {
            for (table, rights) in writes(role) {
                if ["decisions", "cars", "car_events", "samples", "sample_items"].contains(&table) {
                    assert_eq!(rights, "INSERT", "{role} on {table}");
                }
            }
        }
        assert!(!writes("admin").iter().any(|(t, _)| *t == "decisions"));
        assert!(!writes("division_head")
            .iter()
            .any(|(t, _)| *t == "complaints"));
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(ident(r#"ro"bert"#), r#""ro""bert""#);
    }
}
