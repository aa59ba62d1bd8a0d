//! The one per-division roll-up of sampled items: how many were sampled, reviewed, signed,
//! pushed back, answered, left open or overdue, the rates, and what the random items prove.
//! `status`, `samples`, the review screen's header and dashboard, and the review pack all read
//! it, so no two of them can count differently.
//!
//! Each item is judged once, from all its decisions ([`Item::of`]). "Pushed back" counts an
//! item pushed back at least once, whatever came after (the unfit responses a bound is about);
//! the open, answered and overdue counts say where those stand now. The two rates share the
//! reviewed items between them: signed without a push-back, or pushed back.

use std::collections::BTreeMap;

use serde::Serialize;

use super::decision::{self, Decision, Kind, Status};
use super::stats::{format_rate, upper_bound};

/// One sampled complaint as every figure sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub complaint_id: i64,
    pub division: String,
    /// Why it is in the sample: "random", "random:<stratum>" or "rule:<name>"; empty for a
    /// complaint decided outside any sample.
    pub reason: String,
    pub status: Status,
    /// Pushed back at least once by a decision that still stands.
    pub pushed_back: bool,
    /// The reason codes of its push-backs that still stand, one entry per push-back.
    pub reasons: Vec<String>,
    /// When it was first reviewed: its first sign-off or push-back that still stands.
    pub reviewed_at: Option<i64>,
}

impl Item {
    /// Judges a complaint from all its decisions, against the hash of its current text.
    pub fn of(
        complaint_id: i64,
        division: &str,
        reason: &str,
        decisions: &[Decision],
        current_text_hash: &str,
        now: i64,
    ) -> Item {
        let standing = decision::effective(decisions);
        let reviewed_at = standing
            .iter()
            .find(|d| matches!(d.kind, Kind::Approve | Kind::PushBack))
            .map(|d| d.at);
        let push_backs = standing.into_iter().filter(|d| d.kind == Kind::PushBack);
        Item {
            complaint_id,
            division: division.to_string(),
            reason: reason.to_string(),
            status: decision::status(decisions, current_text_hash, now),
            pushed_back: decision::ever_pushed_back(decisions),
            reasons: push_backs
                .flat_map(|d| d.reasons.as_deref().unwrap_or("").split(','))
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string)
                .collect(),
            reviewed_at,
        }
    }

    /// Drawn at random (not taken by a must-include rule).
    pub fn random(&self) -> bool {
        self.reason.starts_with("random")
    }
}

/// The figures of one division, or of all of them ("all").
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    pub division: String,
    pub sampled: u64,
    pub reviewed: u64,
    pub pending: u64,
    /// Signed, and the text is still the text that was signed.
    pub signed: u64,
    /// Signed, but the text changed since: it needs signing again.
    pub signed_text_changed: u64,
    /// Pushed back at least once, whatever came after.
    pub pushed_back: u64,
    /// Pushed back and waiting for the division's answer now.
    pub pushed_back_open: u64,
    /// Of those open, past their due date.
    pub pushed_back_overdue: u64,
    /// Answered by the division and waiting to be reviewed again.
    pub pushed_back_answered: u64,
    /// Reviewed items signed without a push-back, of those reviewed.
    pub sign_off_rate: Option<f64>,
    /// Reviewed items pushed back, of those reviewed.
    pub push_back_rate: Option<f64>,
    pub random_items: u64,
    pub random_reviewed: u64,
    pub random_pushed_back: u64,
    /// Clopper–Pearson (binomial, so conservative) over the division's random items, once
    /// all are reviewed: a division's own population is not part of every sample's record.
    pub upper_bound: Option<f64>,
    /// What the division's random items prove, in words; empty for the total.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub bound_statement: String,
}

impl Figures {
    fn named(division: &str) -> Figures {
        Figures {
            division: division.to_string(),
            ..Default::default()
        }
    }

    fn count(&mut self, it: &Item) {
        self.sampled += 1;
        match &it.status {
            Status::Pending => self.pending += 1,
            Status::Signed { .. } => self.signed += 1,
            Status::SignedTextChanged { .. } => self.signed_text_changed += 1,
            Status::PushedBack { overdue, .. } => {
                self.pushed_back_open += 1;
                self.pushed_back_overdue += u64::from(*overdue);
            }
            Status::Answered { .. } => self.pushed_back_answered += 1,
        }
        let reviewed = it.status.reviewed();
        self.reviewed += u64::from(reviewed);
        self.pushed_back += u64::from(it.pushed_back);
        if it.random() {
            self.random_items += 1;
            self.random_reviewed += u64::from(reviewed);
            self.random_pushed_back += u64::from(it.pushed_back);
        }
    }

    fn rates(&mut self) {
        let share = |part: u64| (self.reviewed > 0).then(|| part as f64 / self.reviewed as f64);
        self.sign_off_rate = share(self.reviewed - self.pushed_back);
        self.push_back_rate = share(self.pushed_back);
    }

    fn bound(&mut self, confidence: f64) {
        let (n, f, c) = (self.random_items, self.random_pushed_back, confidence);
        self.bound_statement = if n == 0 {
            String::new()
        } else if self.random_reviewed < n {
            format!(
                "{} of {n} random items reviewed: the bound is stated once all are",
                self.random_reviewed
            )
        } else {
            let ub = upper_bound(None, n, f, c / 100.0);
            self.upper_bound = Some(ub);
            format!(
                "{f} of {n} pushed back: {c} % confident at most {} of responses in {} are unfit",
                format_rate(ub),
                self.division
            )
        };
    }
}

/// The figures per division (by name) and in all.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Rollup {
    pub divisions: Vec<Figures>,
    pub total: Figures,
}

impl Rollup {
    pub fn division(&self, name: &str) -> Option<&Figures> {
        self.divisions.iter().find(|d| d.division == name)
    }
}

/// Rolls the items up per division, each complaint once (an item drawn into two samples is
/// one complaint to review, random if either drew it at random). `confidence` is a percent.
pub fn roll_up(items: &[Item], confidence: f64) -> Rollup {
    let items = distinct(items);
    let mut rows: BTreeMap<&str, Figures> = BTreeMap::new();
    let mut total = Figures::named("all");
    for it in &items {
        rows.entry(it.division.as_str())
            .or_insert_with(|| Figures::named(&it.division))
            .count(it);
        total.count(it);
    }
    for r in rows.values_mut() {
        r.rates();
        r.bound(confidence);
    }
    total.rates();
    Rollup {
        divisions: rows.into_values().collect(),
        total,
    }
}

/// Complaints decided outside any sample, per division: listed apart, counted in no sample
/// figure (they were picked, not drawn, so they prove nothing of the rest).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AdHoc {
    pub division: String,
    pub complaints: u64,
    pub signed: u64,
    pub signed_text_changed: u64,
    pub pushed_back: u64,
    pub pushed_back_open: u64,
    pub pushed_back_overdue: u64,
    pub pushed_back_answered: u64,
    /// Every decision on it retracted.
    pub pending: u64,
}

impl From<&Figures> for AdHoc {
    fn from(f: &Figures) -> AdHoc {
        AdHoc {
            division: f.division.clone(),
            complaints: f.sampled,
            signed: f.signed,
            signed_text_changed: f.signed_text_changed,
            pushed_back: f.pushed_back,
            pushed_back_open: f.pushed_back_open,
            pushed_back_overdue: f.pushed_back_overdue,
            pushed_back_answered: f.pushed_back_answered,
            pending: f.pending,
        }
    }
}

/// The ad-hoc complaints per division, then in all.
pub fn ad_hoc(items: &[Item]) -> (Vec<AdHoc>, AdHoc) {
    let r = roll_up(items, 95.0);
    (
        r.divisions.iter().map(AdHoc::from).collect(),
        AdHoc::from(&r.total),
    )
}

/// The figures of all the items together, without the per-division bounds.
pub fn total(items: &[Item]) -> Figures {
    let mut total = Figures::named("all");
    for it in &distinct(items) {
        total.count(it);
    }
    total.rates();
    total
}

/// Each complaint once, in first-seen order; random where any of its entries is.
pub(super) fn distinct(items: &[Item]) -> Vec<std::borrow::Cow<'_, Item>> {
    use std::borrow::Cow;
    let mut at: std::collections::HashMap<i64, usize> = Default::default();
    let mut out: Vec<Cow<Item>> = Vec::with_capacity(items.len());
    for it in items {
        match at.get(&it.complaint_id) {
            Some(&i) => {
                if it.random() && !out[i].random() {
                    out[i].to_mut().reason.clone_from(&it.reason);
                }
            }
            None => {
                at.insert(it.complaint_id, out.len());
                out.push(Cow::Borrowed(it));
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "rollup_tests.rs"]
pub(crate) mod tests;
