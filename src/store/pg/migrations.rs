//! PostgreSQL's migrations: numbered, append-only, applied in order, each once. A released
//! step never changes (a test pins each one's text); a change to the schema is a new step.

use postgres::Client;

/// The steps, in order. Step N is `STEPS[N - 1]`.
pub(super) const STEPS: &[(&str, &str)] = &[
    ("data model", include_str!("steps/0001_data_model.sql")),
    ("roles", include_str!("steps/0002_roles.sql")),
    (
        "revisions and lookups",
        include_str!("steps/0003_revisions.sql"),
    ),
    (
        "phrase rules' kept matches",
        include_str!("steps/0004_phrase_sets.sql"),
    ),
    ("the checks", include_str!("steps/0005_checks.sql")),
];

/// Serialises migrators: two people opening a new store at once must not both create it.
const LOCK: i64 = 0x0053_4947_4e4f_4646; // "SIGNOFF"

pub(super) const LEDGER: &str = "CREATE TABLE IF NOT EXISTS signoff_migrations (
    step       INTEGER     PRIMARY KEY,
    name       TEXT        NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_by TEXT        NOT NULL DEFAULT session_user
)";

fn applied(client: &mut impl postgres::GenericClient) -> Result<Vec<u32>, postgres::Error> {
    let exists: bool = client
        .query_one("SELECT to_regclass('signoff_migrations') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(Vec::new());
    }
    Ok(client
        .query("SELECT step FROM signoff_migrations ORDER BY step", &[])?
        .iter()
        .map(|r| r.get::<_, i32>(0) as u32)
        .collect())
}

pub(super) fn pending(client: &mut Client) -> Result<Vec<u32>, postgres::Error> {
    let done = applied(client)?;
    Ok((1..=STEPS.len() as u32)
        .filter(|s| !done.contains(s))
        .collect())
}

/// Applies the pending steps in one transaction: all of them or none.
pub(super) fn migrate(client: &mut Client) -> Result<Vec<u32>, postgres::Error> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])?;
    tx.batch_execute(LEDGER)?;
    let done = applied(&mut tx)?;
    let mut now = Vec::new();
    for (i, (name, sql)) in STEPS.iter().enumerate() {
        let step = i as u32 + 1;
        if done.contains(&step) {
            continue;
        }
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO signoff_migrations (step, name) VALUES ($1, $2)",
            &[&(step as i32), name],
        )?;
        now.push(step);
    }
    tx.commit()?;
    Ok(now)
}

#[cfg(test)]
mod tests {
    use super::STEPS;
    use sha2::{Digest, Sha256};

    /// A released step is never edited: its text is pinned here. Add a step instead.
    #[test]
    fn released_steps_are_unchanged() {
        let pinned = [
            "a8f2ff09628ea78bb8a91165e6f2d2e707c98bd56f27ac4824641713bfa59f70",
            "4ce31e7f934e18f0b1e294c40c1ff4f909d6428bf84bbcf00f404193c343a1d5",
            "5402e26670326670778d19ff85c0c8201b1379cd3e5a7d641d71f44089163e6b",
            "1f5e4177a9e32e90d0685b19d9c9ab0b7bff4a01ba9aad7d9bdec6b1d348737b",
            "25832b0c2a1a10198e598f085bad2bbfcede982c06cbe6964911d2a8cc0bd261",
        ];
        assert_eq!(STEPS.len(), pinned.len(), "pin the new step's hash here");
        for (i, ((name, sql), want)) in STEPS.iter().zip(pinned).enumerate() {
            let got = format!("{:x}", Sha256::digest(sql.as_bytes()));
            assert_eq!(got, want, "PostgreSQL step {} ({name}) changed", i + 1);
        }
    }
}
