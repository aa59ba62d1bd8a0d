//! Samples on the PostgreSQL store: recording a draw, reading samples back, and the reviewed
//! items the roll-ups are computed from.

use crate::domain::report::SampleBound;
use crate::domain::rollup::Item as RollupItem;
use crate::store::draw::{Drawn, Item, Spec};
use crate::store::samples::Sample;

use super::{PgError, PgStore};

impl PgStore {
    pub fn next_sample_id(&mut self) -> Result<i64, PgError> {
        Err(self.unsupported("numbering samples"))
    }

    pub fn draw_and_record(
        &mut self,
        _spec: &Spec,
        _seed: u64,
        _label: &str,
        _drawn_by: &str,
        _drawn_at: i64,
    ) -> Result<(Option<i64>, Drawn), PgError> {
        Err(self.unsupported("recording a sample"))
    }

    pub fn sample(&mut self, _key: &str) -> Result<Option<Sample>, PgError> {
        Err(self.unsupported("reading samples"))
    }

    pub fn latest_sample(&mut self) -> Result<Option<Sample>, PgError> {
        Err(self.unsupported("reading samples"))
    }

    pub fn samples(&mut self) -> Result<Vec<Sample>, PgError> {
        Err(self.unsupported("reading samples"))
    }

    pub fn sample_items(&mut self, _sample_id: i64) -> Result<Vec<Item>, PgError> {
        Err(self.unsupported("reading samples"))
    }

    pub fn sample_bound(&mut self, _s: &Sample, _now: i64) -> Result<SampleBound, PgError> {
        Err(self.unsupported("what a sample proves"))
    }

    pub fn reviewed_of_sample(
        &mut self,
        _sample_id: i64,
        _divisions: Option<&[String]>,
        _now: i64,
    ) -> Result<Vec<RollupItem>, PgError> {
        Err(self.unsupported("the roll-up"))
    }

    pub fn reviewed_of_all_samples(
        &mut self,
        _divisions: Option<&[String]>,
        _decided_since: Option<i64>,
        _now: i64,
    ) -> Result<Vec<RollupItem>, PgError> {
        Err(self.unsupported("the roll-up"))
    }

    pub fn reviewed_ad_hoc(
        &mut self,
        _divisions: Option<&[String]>,
        _decided: Option<(i64, i64)>,
        _now: i64,
    ) -> Result<Vec<RollupItem>, PgError> {
        Err(self.unsupported("the roll-up"))
    }
}
