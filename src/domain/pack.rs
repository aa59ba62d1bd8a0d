//! The review pack as it is printed: what it says about itself and its figures.

use serde::Serialize;

use super::report::Report;

/// The end of a chain: how many records it holds, and the last one's id and hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainEnd {
    pub records: i64,
    pub id: i64,
    pub hash: String,
}

/// What the pack says about itself.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub title: String,
    /// "all divisions" or the divisions covered.
    pub scope: String,
    pub generated_by: String,
    /// When the flags and daily tallies were last computed; None if never.
    pub checks_as_of: Option<i64>,
    pub late_hours: u32,
    pub contact_hours: u32,
    pub car_due_hours: u32,
    /// The ends of the decision and CAR-step chains the pack covers, to check a store against
    /// with `signoff verify --expect-head`.
    pub chain_head: ChainHeads,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChainHeads {
    pub decisions: Option<ChainEnd>,
    pub car_steps: Option<ChainEnd>,
}

/// The pack as rendered: its description and its figures.
#[derive(Debug, Clone, Serialize)]
pub struct Pack {
    pub meta: Meta,
    #[serde(flatten)]
    pub report: Report,
}
