//! What an import does before it commits, beyond storing rows: open CARs by the configured rules
//! and, when asked, rebuild the failure-mode flags, all inside the import's transaction so both
//! land together or not at all.

use rusqlite::{params, Transaction};

use super::cars::{open, Opening};
use super::complaints::Written;
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
    /// Keep the flags up to date with these settings; None leaves them to `signoff flags
    /// --refresh`.
    pub checks: Option<CheckSettings>,
    /// The phrase rules whose matches the import keeps for sampling.
    pub phrase_rules: Vec<super::rule_sets::PhraseRule>,
    /// Signs the CARs the rules open, in the name of whoever runs the import.
    pub signer: SharedSigner,
}

/// A CAR the rules open for one complaint: the rule that matched first names its origin.
pub(crate) struct RuleHit {
    complaint_id: i64,
    origin: String,
    why: String,
}

impl AfterImport {
    /// The CAR these rules open for a complaint with these facts, if any.
    pub(crate) fn hit(
        &self,
        complaint_id: i64,
        likelihood: Option<u8>,
        wants_contact: Option<bool>,
        source: &str,
    ) -> Option<RuleHit> {
        self.rules.iter().find_map(|r| {
            r.matches(likelihood, wants_contact, source, self.likelihood_max)
                .map(|why| RuleHit {
                    complaint_id,
                    origin: r.origin(),
                    why,
                })
        })
    }

    /// The opening of a CAR the rules hit, in the importer's name, now.
    pub(crate) fn opening<'a>(&'a self, h: &'a RuleHit) -> Opening<'a> {
        Opening {
            complaint_id: h.complaint_id,
            origin: &h.origin,
            actor: &self.actor,
            actor_name: &self.actor_name,
            at: self.now,
            due_at: self.now + self.due_secs,
            why: &h.why,
        }
    }
}

/// What the hook did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AfterImportReport {
    pub cars_opened: u64,
    pub flags_refreshed: bool,
}

/// Opens CARs for the complaints this import inserted or changed, then brings the flags up to
/// date: for what the import wrote, or all of them when the stored flags were judged with other
/// settings (or never) or the import changed much of the store, where one pass is cheaper.
pub fn after_import(
    tx: &Transaction,
    written: &Written,
    a: &AfterImport,
) -> Result<AfterImportReport, AppendError> {
    let cars_opened = open_by_rules(tx, &written.changed, a)?;
    let Some(settings) = &a.checks else {
        return Ok(AfterImportReport {
            cars_opened,
            flags_refreshed: false,
        });
    };
    let stored: i64 = tx.query_row(
        "SELECT coalesce(sum(complaints), 0) FROM division_counts",
        [],
        |r| r.get(0),
    )?;
    let mut touched: Vec<i64> = written.changed.clone();
    touched.extend(&written.rekeyed);
    let n = touched.len() as i64;
    let much = n > WHOLE_PASS_FROM && n * WHOLE_PASS_SHARE > stored;
    if much || flags::judged_with(tx)?.as_ref() != Some(settings) {
        flags::refresh(tx, settings, &a.actor, a.now)?;
    } else {
        super::flag_update::update(tx, settings, &touched, a.now)?;
    }
    Ok(AfterImportReport {
        cars_opened,
        flags_refreshed: true,
    })
}

/// An import that wrote more than one complaint in this many of the store's, and more than
/// [`WHOLE_PASS_FROM`], refreshes the flags in one pass rather than judging its complaints one
/// by one (a pass costs a few microseconds a complaint, judging one alone some tens).
const WHOLE_PASS_SHARE: i64 = 8;
const WHOLE_PASS_FROM: i64 = 20_000;

/// Opens a CAR for each complaint this import inserted or changed that matches a rule (the
/// first rule it matches names the origin) and has none yet: re-importing opens nothing new.
pub fn open_by_rules(
    tx: &Transaction,
    changed: &[i64],
    a: &AfterImport,
) -> Result<u64, AppendError> {
    if a.rules.is_empty() {
        return Ok(0);
    }
    let since = a.max_age_secs.map_or(i64::MIN, |age| a.now - age);
    let mut st = tx.prepare_cached(
        "SELECT c.id, c.likelihood, c.wants_contact, c.source FROM complaints c
         WHERE c.id = ?1 AND c.received_at >= ?2
           AND NOT EXISTS (SELECT 1 FROM cars k WHERE k.complaint_id = c.id)",
    )?;
    let mut candidates: Vec<(i64, Option<u8>, Option<bool>, String)> = Vec::new();
    let mut ids = changed.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        let mut rows = st.query(params![id, since])?;
        if let Some(r) = rows.next()? {
            candidates.push((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?));
        }
    }
    let mut opened = 0;
    for (id, likelihood, wants_contact, source) in candidates {
        let Some(hit) = a.hit(id, likelihood, wants_contact, &source) else {
            continue;
        };
        if open(tx, &a.opening(&hit), a.signer.0.as_ref())?.is_some() {
            opened += 1;
        }
    }
    Ok(opened)
}
