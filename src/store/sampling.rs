//! Samples as the commands and the screen use them: drawing one (and recording it), reading
//! recorded ones back, and the reviewed items the roll-ups are computed from.

use crate::domain::recommend::ScoreDay;
use crate::domain::report::SampleBound;
use crate::domain::rollup::Item as RollupItem;

use super::draw::{self, Drawn, Filters, Item, Spec};
use super::samples::{self, Sample};
use super::{recommend, rollup, Db, Result};

impl Db {
    /// The id the next recorded sample gets: the boundary for "already sampled".
    pub fn next_sample_id(&self) -> Result<i64> {
        Ok(samples::next_id(&self.conn)?)
    }

    /// Draws without recording: what a sample with this spec and seed would hold, treating
    /// samples from `boundary` on as not yet drawn.
    pub fn draw(&self, spec: &Spec, seed: u64, boundary: i64) -> Result<Drawn> {
        Ok(draw::draw(&self.conn, spec, seed, boundary)?)
    }

    /// [`Db::draw`] with the size above which populations are drawn by picks instead of listed.
    pub fn draw_with_limit(
        &self,
        spec: &Spec,
        seed: u64,
        boundary: i64,
        list_limit: u64,
    ) -> Result<Drawn> {
        Ok(draw::draw_with_limit(
            &self.conn, spec, seed, boundary, list_limit,
        )?)
    }

    /// How many complaints the filters let through.
    pub fn population_size(&self, filters: &Filters, boundary: i64) -> Result<u64> {
        Ok(draw::population_size(&self.conn, filters, boundary)?)
    }

    /// Draws and records a sample in one write transaction. Returns its id, or None when
    /// nothing matched.
    pub fn draw_and_record(
        &mut self,
        spec: &Spec,
        seed: u64,
        label: &str,
        drawn_by: &str,
        drawn_at: i64,
    ) -> Result<(Option<i64>, Drawn)> {
        Ok(samples::draw_and_record(
            &mut self.conn,
            spec,
            seed,
            label,
            drawn_by,
            drawn_at,
        )?)
    }

    /// The sample a key (its id or its label) names.
    pub fn sample(&self, key: &str) -> Result<Option<Sample>> {
        Ok(samples::find(&self.conn, key)?)
    }

    pub fn latest_sample(&self) -> Result<Option<Sample>> {
        Ok(samples::latest(&self.conn)?)
    }

    pub fn samples(&self) -> Result<Vec<Sample>> {
        Ok(samples::all(&self.conn)?)
    }

    /// A recorded sample's items, in draw order.
    pub fn sample_items(&self, sample_id: i64) -> Result<Vec<Item>> {
        Ok(samples::items(&self.conn, sample_id)?)
    }

    /// What a recorded sample proves now.
    pub fn sample_bound(&self, s: &Sample, now: i64) -> Result<SampleBound> {
        Ok(samples::bound(&self.conn, s, now)?)
    }

    /// A sample's items with their review state, in the divisions given (None: all).
    pub fn reviewed_of_sample(
        &self,
        sample_id: i64,
        divisions: Option<&[String]>,
        now: i64,
    ) -> Result<Vec<RollupItem>> {
        Ok(rollup::of_sample(&self.conn, sample_id, divisions, now)?)
    }

    /// Every sample's items with their review state; with `decided_since`, only those with a
    /// decision made since then.
    pub fn reviewed_of_all_samples(
        &self,
        divisions: Option<&[String]>,
        decided_since: Option<i64>,
        now: i64,
    ) -> Result<Vec<RollupItem>> {
        Ok(rollup::of_all_samples(
            &self.conn,
            divisions,
            decided_since,
            now,
        )?)
    }

    /// Complaints decided outside any sample; with `decided`, only those decided in
    /// [start, end).
    pub fn reviewed_ad_hoc(
        &self,
        divisions: Option<&[String]>,
        decided: Option<(i64, i64)>,
        now: i64,
    ) -> Result<Vec<RollupItem>> {
        Ok(rollup::ad_hoc(&self.conn, divisions, decided, now)?)
    }

    /// Likelihood-to-recommend scores of complaints received in [start, end).
    pub fn score_days(
        &self,
        divisions: Option<&[String]>,
        start: i64,
        end: i64,
    ) -> Result<Vec<ScoreDay>> {
        Ok(recommend::score_days(&self.conn, divisions, start, end)?)
    }
}
