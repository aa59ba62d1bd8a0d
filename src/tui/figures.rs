//! What the dashboard shows: the roll-up of the sample on screen (the figures `status` and
//! the pack give), what was decided outside any sample, the weekly sign-off rate, push-back
//! reasons and the recommend-rate trend. Read once when the dashboard opens.

use chrono::DateTime;

use crate::domain::period::{self, Period};
use crate::domain::recommend::{self, RecommendPeriod};
use crate::domain::report::SampleBound;
use crate::domain::review_trend::{self, Reviews};
use crate::domain::rollup::{self, AdHoc, Rollup};
use crate::store::{Store, StoreError};

/// Weeks in the dashboard's trends.
pub const WEEKS: u32 = 12;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dashboard {
    /// The sample on screen per division and in all; without one (a division head's view),
    /// every sampled item the person may see.
    pub rollup: Rollup,
    /// Percent: the confidence of the per-division bounds.
    pub confidence: f64,
    /// Push-back reasons over the same items, the most frequent first.
    pub reasons: Vec<(String, u64)>,
    /// Sampled items per week of their first review, oldest first, and how many were signed
    /// without a push-back.
    pub weeks: Vec<Reviews>,
    /// Complaints decided outside any sample: in none of the figures.
    pub ad_hoc: AdHoc,
    /// What the sample on screen proves, as `signoff status` states it; for those who see
    /// every division only.
    pub sample: Option<SampleBound>,
    /// Likelihood to recommend per week, oldest first.
    pub recommend: Vec<RecommendPeriod>,
    /// The same over all those weeks together.
    pub recommend_all: Option<RecommendPeriod>,
}

/// The last [`WEEKS`] weeks, each ending at a midnight, the last one today.
fn weeks(now: i64) -> Vec<Period> {
    let Some(t) = DateTime::from_timestamp(now, 0) else {
        return Vec::new();
    };
    match period::parse("week", t) {
        Ok((p, stride)) => period::trend(&p, stride, WEEKS),
        Err(_) => Vec::new(),
    }
}

/// `confidence` (percent) is the configured one, as `status` and the pack use for the
/// per-division bounds; `sample` is the one on screen.
pub fn dashboard(
    db: &mut dyn Store,
    scope: Option<&[String]>,
    now: i64,
    confidence: f64,
    sample: Option<i64>,
) -> Result<Dashboard, StoreError> {
    let shown = match sample {
        Some(id) => db.reviewed_of_sample(id, scope, now)?,
        None => db.reviewed_of_all_samples(scope, None, now)?,
    };
    let weeks = weeks(now);
    let since = weeks.first().map_or(now, |w| w.start);
    let end = weeks.last().map_or(now, |w| w.end);
    let recent = db.reviewed_of_all_samples(scope, Some(since), now)?;
    let days = db.score_days(scope, since, end)?;
    let bound = match (scope, sample) {
        (None, Some(id)) => match db.sample(&id.to_string())? {
            Some(s) => Some(db.sample_bound(&s, now)?),
            None => None,
        },
        _ => None,
    };
    Ok(Dashboard {
        rollup: rollup::roll_up(&shown, confidence),
        confidence,
        reasons: review_trend::reason_counts(&shown),
        weeks: review_trend::reviews_per_period(&recent, &weeks),
        ad_hoc: rollup::ad_hoc(&db.reviewed_ad_hoc(scope, None, now)?).1,
        sample: bound,
        recommend: recommend::trend(&days, &weeks),
        recommend_all: recommend::trend(
            &days,
            &[Period {
                label: String::new(),
                short: String::new(),
                start: since,
                end,
            }],
        )
        .pop(),
    })
}
