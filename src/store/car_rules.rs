//! What an import does before it commits, beyond storing rows: open CARs by the configured rules
//! and, when asked, rebuild the failure-mode flags, all inside the import's transaction so both
//! land together or not at all.

use rusqlite::{params, Transaction};

use super::cars::{open, Opening};
use super::decisions::AppendError;
use super::flags::{self, CheckSettings};
use crate::domain::car::OpenRule;
use crate::domain::signing::SharedSigner;

/// Everything the import hook needs, decided by the command that runs the import.
#[derive(Debug, Clone, Default)]
pub struct AfterImport {
    /// Rules that open a CAR; none means imports open none.
    pub rules: Vec<OpenRule>,
    pub likelihood_max: u8,
    /// Seconds from opening to due.
    pub due_secs: i64,
    /// Complaints received longer ago than this (seconds before `now`) get no CAR; None = all.
    pub max_age_secs: Option<i64>,
    /// Who runs the import: CARs are opened in their name.
    pub actor: String,
    pub actor_name: String,
    pub now: i64,
    /// Rebuild the flags with these settings; None leaves them to `signoff flags --refresh`.
    pub checks: Option<CheckSettings>,
    /// The phrase rules whose matches the import keeps for sampling.
    pub phrase_rules: Vec<super::rule_sets::PhraseRule>,
    /// Signs the CARs the rules open, in the name of whoever runs the import.
    pub signer: SharedSigner,
}

/// What the hook did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AfterImportReport {
    pub cars_opened: u64,
    pub flags_refreshed: bool,
}

/// Opens CARs for the complaints this import inserted or changed, then refreshes the flags.
pub fn after_import(
    tx: &Transaction,
    import_id: i64,
    a: &AfterImport,
) -> Result<AfterImportReport, AppendError> {
    let cars_opened = open_by_rules(tx, import_id, a)?;
    // The import's counts are written after this hook, so ask the rows themselves.
    let changed: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM complaints WHERE import_id = ?1)
             OR EXISTS (SELECT 1 FROM complaint_history WHERE import_id = ?1)",
        params![import_id],
        |r| r.get(0),
    )?;
    let refresh = a.checks.as_ref().filter(|_| changed || cars_opened > 0);
    if let Some(settings) = refresh {
        flags::refresh(tx, settings, &a.actor, a.now)?;
    }
    Ok(AfterImportReport {
        cars_opened,
        flags_refreshed: refresh.is_some(),
    })
}

/// Opens a CAR for each complaint this import inserted or changed that matches a rule (the
/// first rule it matches names the origin) and has none yet: re-importing opens nothing new.
pub fn open_by_rules(
    tx: &Transaction,
    import_id: i64,
    a: &AfterImport,
) -> Result<u64, AppendError> {
    if a.rules.is_empty() {
        return Ok(0);
    }
    let since = a.max_age_secs.map_or(i64::MIN, |age| a.now - age);
    // Counts are not known until the import finishes: inserted rows carry this import's id,
    // updated ones left their old text in the history under it.
    let candidates: Vec<(i64, Option<u8>, Option<bool>, String)> = {
        let mut st = tx.prepare_cached(
            "SELECT c.id, c.likelihood, c.wants_contact, c.source FROM complaints c
             WHERE (c.import_id = ?1
                    OR c.id IN (SELECT complaint_id FROM complaint_history WHERE import_id = ?1))
               AND c.received_at >= ?2
               AND NOT EXISTS (SELECT 1 FROM cars k WHERE k.complaint_id = c.id)
             ORDER BY c.id",
        )?;
        let rows = st.query_map(params![import_id, since], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut opened = 0;
    for (id, likelihood, wants_contact, source) in candidates {
        let hit = a.rules.iter().find_map(|r| {
            r.matches(likelihood, wants_contact, &source, a.likelihood_max)
                .map(|why| (r.origin(), why))
        });
        let Some((origin, why)) = hit else { continue };
        let o = Opening {
            complaint_id: id,
            origin: &origin,
            actor: &a.actor,
            actor_name: &a.actor_name,
            at: a.now,
            due_at: a.now + a.due_secs,
            why: &why,
        };
        if open(tx, &o, a.signer.0.as_ref())?.is_some() {
            opened += 1;
        }
    }
    Ok(opened)
}
