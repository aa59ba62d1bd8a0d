//! The executive review pack: its figures, computed from rows the store hands over. Renderers
//! (Markdown, HTML, CSV, JSON) only format what is here.

use std::collections::BTreeMap;

use serde::Serialize;

use super::car::CarEvent;
use super::decision::Kind;
use super::period::Period;
use super::recommend::{RecommendPeriod, ScoreDay};
use super::rollup::{AdHoc, Figures, Item};
use super::sample_bound::StratumSize;

pub use super::report_build::build;
pub use super::report_cars::{CarDivision, CarLine, CarsSection};

/// One day's counts for one division, as the flags refresh tallies them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DayCounts {
    pub complaints: i64,
    pub responded: i64,
    pub canned: i64,
    pub contact_ignored: i64,
    pub escalation_refused: i64,
    pub late: i64,
    pub wants_contact: i64,
    pub detractors: i64,
    /// Responses by delay bucket (see `flags::RESPONSE_BUCKETS_HOURS`).
    pub rt: [i64; 6],
    /// Responses without a time.
    pub rt_unknown: i64,
    pub rt_seconds: i64,
}

impl DayCounts {
    pub fn add(&mut self, o: &DayCounts) {
        self.complaints += o.complaints;
        self.responded += o.responded;
        self.canned += o.canned;
        self.contact_ignored += o.contact_ignored;
        self.escalation_refused += o.escalation_refused;
        self.late += o.late;
        self.wants_contact += o.wants_contact;
        self.detractors += o.detractors;
        for (a, b) in self.rt.iter_mut().zip(o.rt) {
            *a += b;
        }
        self.rt_unknown += o.rt_unknown;
        self.rt_seconds += o.rt_seconds;
    }
}

#[derive(Debug, Clone)]
pub struct DayRow {
    pub day: i64,
    pub division: String,
    pub counts: DayCounts,
}

/// An effective decision (not retracted, not a retraction) made in the trend's span.
#[derive(Debug, Clone)]
pub struct DecisionFact {
    pub complaint_id: i64,
    pub at: i64,
    pub kind: Kind,
    pub reasons: Option<String>,
}

/// A sample drawn in the period, with its items as the roll-up judges them.
#[derive(Debug, Clone)]
pub struct SampleFacts {
    pub id: i64,
    pub label: String,
    pub population: u64,
    /// Percent.
    pub confidence: f64,
    pub items: Vec<Item>,
    /// The random part's strata, for a stratified sample recorded with them.
    pub strata: Option<Vec<StratumSize>>,
}

/// What one sample drawn in the period proves, as `signoff status --sample` states it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleBound {
    pub sample: i64,
    pub label: String,
    pub random_items: u64,
    pub reviewed: u64,
    pub pushed_back: u64,
    pub population: u64,
    pub confidence: f64,
    pub upper_bound: Option<f64>,
    pub statement: String,
    /// The strata the bound is the worst case over; 0 for a simple random sample.
    pub strata: u64,
}

#[derive(Debug, Clone)]
pub struct CarFacts {
    pub id: i64,
    pub complaint_id: i64,
    pub external_id: String,
    pub division: String,
    pub opened_at: i64,
    pub due_at: i64,
    pub events: Vec<CarEvent>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupFact {
    pub id: i64,
    pub customers_in_period: i64,
    pub customers_all: i64,
    pub cluster_customers: i64,
    pub normalised: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Verbatim {
    pub complaint_id: i64,
    pub external_id: String,
    pub division: String,
    pub received_at: i64,
    pub likelihood: Option<u8>,
    pub why: Vec<String>,
    pub complaint: String,
    pub response: Option<String>,
}

/// Everything the pack is computed from.
#[derive(Debug, Clone)]
pub struct Input {
    pub period: Period,
    /// The trend's periods, oldest first, the reported one last.
    pub trend: Vec<Period>,
    pub now: i64,
    /// Percent.
    pub confidence: f64,
    pub days: Vec<DayRow>,
    /// The period's sampled items: of a sample drawn in it, or decided in it.
    pub review: Vec<Item>,
    /// Complaints decided in the period outside any sample.
    pub ad_hoc: Vec<Item>,
    /// Likelihood-to-recommend scores per day and division over the trend's span.
    pub scores: Vec<ScoreDay>,
    pub decisions: Vec<DecisionFact>,
    /// Samples whose bound the reader may see (all of the period's, for the whole population).
    pub samples: Vec<SampleFacts>,
    pub cars: Vec<CarFacts>,
    pub canned_groups: Vec<GroupFact>,
    pub verbatims: Vec<Verbatim>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub key: String,
    pub count: i64,
}

/// A share, or None when there is nothing to divide.
pub fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub complaints: i64,
    pub responded: i64,
    pub signed: i64,
    pub pushed_back: i64,
    pub push_back_rate: Option<f64>,
    pub canned: i64,
    pub canned_share: Option<f64>,
    pub late: i64,
    pub late_share: Option<f64>,
    pub contact_ignored: i64,
    pub escalation_refused: i64,
    pub cars_opened: i64,
    pub cars_closed: i64,
    pub cars_overdue: i64,
}

/// Per division: its complaints in the period, and where the period's sampled items stand now
/// with what its random items prove, as every view rolls them up (`rollup`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct DivisionRow {
    pub complaints: i64,
    #[serde(flatten)]
    pub review: Figures,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrendRow {
    pub label: String,
    pub short: String,
    pub start: i64,
    pub end: i64,
    pub complaints: i64,
    pub signed: i64,
    pub pushed_back: i64,
    pub push_back_rate: Option<f64>,
    pub canned_share: Option<f64>,
    pub late_share: Option<f64>,
    pub cars_opened: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResponseTimes {
    /// Responses with a time, by delay.
    pub buckets: Vec<Count>,
    pub responded: i64,
    pub no_response: i64,
    pub unknown_time: i64,
    pub mean_hours: Option<f64>,
    /// The bucket holding the median response.
    pub median: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub period: Period,
    pub generated_at: i64,
    pub confidence: f64,
    pub summary: Summary,
    pub divisions: Vec<DivisionRow>,
    /// Complaints decided in the period outside any sample: in none of the figures.
    pub ad_hoc: Vec<AdHoc>,
    pub samples: Vec<SampleBound>,
    pub trend: Vec<TrendRow>,
    /// Likelihood to recommend per trend period, in all and per division.
    pub recommend_trend: Vec<RecommendPeriod>,
    pub reasons: Vec<Count>,
    pub response_times: ResponseTimes,
    pub canned_groups: Vec<GroupFact>,
    pub flags: Vec<FlagRow>,
    pub cars: CarsSection,
    pub verbatims: Vec<Verbatim>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FlagRow {
    pub division: String,
    pub complaints: i64,
    pub responded: i64,
    pub canned: i64,
    pub contact_ignored: i64,
    pub escalation_refused: i64,
    pub late: i64,
}

/// Sums day rows within [start, end) by division.
pub fn by_division(days: &[DayRow], start: i64, end: i64) -> BTreeMap<String, DayCounts> {
    let (a, b) = (start.div_euclid(86_400), end.div_euclid(86_400));
    let mut out: BTreeMap<String, DayCounts> = BTreeMap::new();
    for d in days.iter().filter(|d| d.day >= a && d.day < b) {
        out.entry(d.division.clone()).or_default().add(&d.counts);
    }
    out
}
