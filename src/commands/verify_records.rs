//! What `verify` checks of each decision: its hash, its link, its signature against the
//! verifier's trust root, its time against the one ahead of it, the role of its author, and
//! that a sign-off still covers the text the store holds.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::config::Role;
use crate::domain::decision::{self, Kind, GENESIS};
use crate::sign::{self, TrustRoot};
use crate::store::{Backend, Store};

use crate::render::time::fmt_time;

/// A record may carry a time a little before the one ahead of it in the chain (two writers'
/// clocks); more than this and its time was set back.
pub const CLOCK_SLACK_SECS: i64 = 300;

#[derive(Debug, Serialize)]
pub struct Finding {
    pub decision: i64,
    pub complaint_id: i64,
    pub external_id: String,
    pub problem: String,
}

pub struct Checked {
    pub findings: Vec<Finding>,
    pub needs_signing: usize,
    pub unsigned: usize,
    pub valid_signatures: usize,
}

/// Whether the verifier's configuration lets the decision's actor make it: a signature proves
/// who made a record, and this says whether they were entitled to.
pub fn beyond_role(
    cfg: &crate::config::Config,
    db: &mut dyn Store,
    all: &[decision::Decision],
    d: &decision::Decision,
) -> anyhow::Result<Option<String>> {
    let Some(p) = cfg.person(&d.actor) else {
        return Ok(Some(format!(
            "made by {}, who is not among the people in your configuration",
            d.actor
        )));
    };
    Ok(match d.kind {
        Kind::Approve | Kind::PushBack if p.role != Role::Executive => Some(format!(
            "a {} by {}, who is not an executive in your configuration ({})",
            d.kind.as_str(),
            d.actor,
            p.role.as_str()
        )),
        k if k.is_answer() => {
            let division = db
                .external_id_and_division(d.complaint_id)?
                .map(|(_, division)| division)
                .unwrap_or_default();
            (p.role != Role::DivisionHead || !p.divisions.contains(&division)).then(|| {
                format!(
                    "an answer by {}, who does not head {division} in your configuration",
                    d.actor
                )
            })
        }
        Kind::Retract => {
            let target = d.retracts.and_then(|t| all.iter().find(|x| x.id == t));
            match target {
                Some(t) if t.actor == d.actor => None,
                Some(t) => Some(format!(
                    "a retraction by {} of decision {}, which {} made",
                    d.actor, t.id, t.actor
                )),
                None => Some("a retraction of a decision that is not in the chain".into()),
            }
        }
        _ => None,
    })
}

/// Each complaint the decisions name, with its external id and division (None when the store
/// does not give them).
pub fn labels(
    db: &mut dyn Store,
    all: &[decision::Decision],
) -> BTreeMap<i64, Option<(String, String)>> {
    let mut out = BTreeMap::new();
    for d in all {
        out.entry(d.complaint_id)
            .or_insert_with(|| db.external_id_and_division(d.complaint_id).ok().flatten());
    }
    out
}

/// Whether the connection reads the whole chain: on PostgreSQL a division head reads only
/// their divisions' records, and a link to a record they cannot read cannot be checked.
pub fn whole_chain(db: &mut dyn Store) -> anyhow::Result<bool> {
    Ok(match db.backend() {
        Backend::Sqlite(_) => true,
        Backend::Pg(pg) => pg.sees_whole_chain()?,
    })
}

/// Checks the decisions in chain order. With `whole` false (the connection reads only part of
/// the chain) a link is checked when it names a record the connection reads.
pub fn check_decisions(
    db: &mut dyn Store,
    all: &[decision::Decision],
    trust: &TrustRoot,
    required: bool,
    whole: bool,
    ext: &dyn Fn(i64) -> String,
) -> anyhow::Result<Checked> {
    let mut c = Checked {
        findings: Vec::new(),
        needs_signing: 0,
        unsigned: 0,
        valid_signatures: 0,
    };
    let mut push = |d: &decision::Decision, problem: String| {
        c.findings.push(Finding {
            decision: d.id,
            complaint_id: d.complaint_id,
            external_id: ext(d.complaint_id),
            problem,
        })
    };
    let mut prev = GENESIS.to_string();
    let mut prev_at = i64::MIN;
    let mut seen: HashSet<&str> = HashSet::new();
    for d in all {
        let what = format!(
            "{} by {} on {}",
            d.kind.as_str(),
            d.actor_name,
            fmt_time(d.at)
        );
        if d.compute_hash() != d.hash {
            push(d, format!(
                "altered: the record changed after it was written; its contents no longer match its hash ({what})"
            ));
        }
        let unseen_link = !whole && d.prev_hash != GENESIS && !seen.contains(d.prev_hash.as_str());
        if d.prev_hash != prev && !unseen_link {
            push(d, "chain broken: it does not follow the decision before it (one was removed, inserted or altered)".into());
        }
        let check = sign::check(
            trust,
            &d.actor,
            d.at,
            &d.canonical(),
            d.signature.as_deref(),
        );
        match check.problem(&d.actor) {
            Some(_) if check == sign::Check::Unsigned && !required => c.unsigned += 1,
            Some(p) => push(d, format!("{p} ({what})")),
            None => c.valid_signatures += 1,
        }
        if d.at < prev_at.saturating_sub(CLOCK_SLACK_SECS) {
            push(d, format!(
                "recorded at {}, before the decision ahead of it in the chain ({}): its time was set back",
                fmt_time(d.at),
                fmt_time(prev_at)
            ));
        }
        prev_at = prev_at.max(d.at);
        prev = d.hash.clone();
        seen.insert(d.hash.as_str());
    }
    // Sign-offs still in force must cover the text the store holds now.
    let mut by_complaint: std::collections::BTreeMap<i64, Vec<decision::Decision>> =
        Default::default();
    for d in all.iter().cloned() {
        by_complaint.entry(d.complaint_id).or_default().push(d);
    }
    for (cid, ds) in &by_complaint {
        let eff = decision::effective(ds);
        let Some(last) = eff.last() else { continue };
        if last.kind != Kind::Approve {
            continue;
        }
        let now_hash = db.current_text_hash(*cid)?;
        if now_hash != last.text_hash {
            c.needs_signing += 1;
            let how = match db.last_text_change(*cid)? {
                Some((cause, at)) if at >= last.at => {
                    format!("changed by {cause} on {} — it needs signing again", fmt_time(at))
                }
                _ => "changed with no record of how (edited outside signoff?) — it needs signing again".into(),
            };
            push(last, format!("signed text changed: {how}"));
        }
    }
    Ok(c)
}
