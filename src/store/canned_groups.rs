//! The canned groups as `signoff flags --groups` and the pack list them, kept in step with the
//! registry of texts by the updates for what changed (`canned_update`): a group's counts, its
//! cluster's count, its example (the first complaint that received it, as a refresh names it).

use std::collections::{BTreeSet, HashMap};

use rusqlite::{params, Connection, OptionalExtension};

use super::flag_judge::ReplyText;
use super::flags::CheckSettings;
use super::reply_registry::Registry;
use crate::domain::canned::{hash64, Normaliser};
use crate::domain::thread_checks;

/// Writes the verdicts of `judged` (text → canned now) and the counts of the clusters under
/// `roots`; `texts` are the changed complaints' replies, by text.
pub(super) fn sync(
    conn: &Connection,
    s: &CheckSettings,
    reg: &Registry,
    roots: &BTreeSet<i64>,
    judged: &HashMap<i64, bool>,
    texts: &HashMap<i64, &ReplyText>,
) -> rusqlite::Result<()> {
    for (&seq, &canned) in judged {
        if !canned {
            conn.prepare_cached("DELETE FROM canned_groups WHERE id = ?1")?
                .execute(params![seq])?;
            continue;
        }
        let example: i64 = conn
            .prepare_cached("SELECT min(complaint_id) FROM canned_members WHERE group_id = ?1")?
            .query_row(params![seq], |r| r.get(0))?;
        let customers = reg.customers(seq)?;
        let updated = conn
            .prepare_cached(
                "UPDATE canned_groups SET customers = ?2, example_complaint = ?3 WHERE id = ?1",
            )?
            .execute(params![seq, customers, example])?;
        if updated > 0 {
            continue;
        }
        let (hash, words): (i64, i64) = conn
            .prepare_cached("SELECT hash, words FROM reply_texts WHERE seq = ?1")?
            .query_row(params![seq], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let normalised = match texts.get(&seq) {
            Some(t) => t.normalised.clone(),
            None => normalised_of(conn, s, example, hash as u64)?.unwrap_or_default(),
        };
        let root = reg.root(seq)?;
        conn.prepare_cached(
            "INSERT INTO canned_groups (id, cluster, customers, cluster_customers, words,
                 example_complaint, normalised) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            seq,
            root,
            customers,
            reg.total(root)?,
            words,
            example,
            normalised
        ])?;
    }
    for &root in roots {
        conn.prepare_cached(
            "UPDATE canned_groups SET cluster = ?1, cluster_customers = ?2
             WHERE id IN (SELECT seq FROM reply_texts WHERE cluster = ?1)",
        )?
        .execute(params![root, reg.total(root)?])?;
    }
    Ok(())
}

/// The normalised text of a complaint's reply (or thread message) whose text is `hash`.
fn normalised_of(
    conn: &Connection,
    s: &CheckSettings,
    complaint_id: i64,
    hash: u64,
) -> rusqlite::Result<Option<String>> {
    let row: Option<(Option<String>, String, String)> = conn
        .prepare_cached(
            "SELECT response_text, coalesce(customer, ''), coalesce(responder, '')
             FROM complaints WHERE id = ?1",
        )?
        .query_row(params![complaint_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((response, customer, responder)) = row else {
        return Ok(None);
    };
    let normaliser = Normaliser::new(&s.canned.greetings);
    let matching = |text: &str, who: &str| {
        let (n, _) = normaliser.normalise(text, &[&customer, who]);
        (hash64(n.as_bytes()) == hash).then_some(n)
    };
    let messages = super::threads::stored(conn, complaint_id)?;
    if messages.is_empty() {
        return Ok(response.as_deref().and_then(|t| matching(t, &responder)));
    }
    let found = thread_checks::company_replies(&messages)
        .find_map(|(_, m)| matching(&m.text, m.name.as_deref().unwrap_or(&responder)));
    Ok(found)
}
