//! The SQLite store as the commands use it (`store::Store`): each question answered by the
//! `Db` method of the same name.

use crate::domain::car::CarEvent;
use crate::domain::decision::{Decision, Kind, Status};
use crate::domain::people::Actor;
use crate::domain::report::SampleBound;
use crate::domain::rollup::Item as RollupItem;
use crate::domain::signing::RecordSigner;

use crate::domain::letter::Letter;
use crate::domain::notify::{CallBack, PushBackItem};
use crate::domain::outreach::Outreach;
use crate::domain::recommend::ScoreDay;
use crate::domain::thread::Message;
use crate::domain::Complaint;

use crate::store::car_work::Opened;
use crate::store::cars::{Car, Filter as CarFilter, NewEvent, Opening};
use crate::store::customers::Other;
use crate::store::draw::{Drawn, Filters, Item, Spec};
use crate::store::flag_reads::{CannedGroup, DivisionCounts, Explained, Member, Run};
use crate::store::outbox::{Attempt, Item as MailItem, Notice};
use crate::store::queries::{Listed, Stored};
use crate::store::samples::Sample;
use crate::store::screen::{Detail, Hit, Row};
use crate::store::stats::Stats;
use crate::store::workflow::WorkflowError;
use crate::store::{Backend, Db, Result, Store};

impl Store for Db {
    fn shown(&self) -> String {
        self.path.display().to_string()
    }
    fn backend(&mut self) -> Backend<'_> {
        Backend::Sqlite(self)
    }
    fn complaint_exists(&mut self, id: i64) -> Result<Option<i64>> {
        Db::complaint_exists(self, id)
    }
    fn complaints_by_external_id(&mut self, external_id: &str) -> Result<Vec<(i64, String)>> {
        Db::complaints_by_external_id(self, external_id)
    }
    fn complaints_by_source_and_external_id(
        &mut self,
        source: &str,
        external_id: &str,
    ) -> Result<Vec<(i64, String)>> {
        Db::complaints_by_source_and_external_id(self, source, external_id)
    }
    fn complaint_division(&mut self, id: i64) -> Result<String> {
        Db::complaint_division(self, id)
    }
    fn external_id(&mut self, id: i64) -> Result<String> {
        Db::external_id(self, id)
    }
    fn external_id_and_division(&mut self, id: i64) -> Result<Option<(String, String)>> {
        Db::external_id_and_division(self, id)
    }
    fn listed(&mut self, id: i64) -> Result<Listed> {
        Db::listed(self, id)
    }
    fn stats(&mut self, divisions: Option<&[String]>) -> Result<Stats> {
        Db::stats(self, divisions)
    }
    fn complaint(&mut self, id: i64) -> Result<Option<Stored>> {
        Db::complaint(self, id)
    }
    fn customer_others(
        &mut self,
        key: &str,
        except: i64,
        divisions: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<Other>> {
        Db::customer_others(self, key, except, divisions, limit)
    }
    fn outreach_messages(&mut self, complaint_id: i64) -> Result<Vec<Message>> {
        Db::outreach_messages(self, complaint_id)
    }
    fn status_of(
        &mut self,
        complaint_id: i64,
        now: i64,
    ) -> std::result::Result<(Vec<Decision>, Status), WorkflowError> {
        Db::status_of(self, complaint_id, now)
    }
    fn approve(
        &mut self,
        p: &Actor,
        signer: &dyn RecordSigner,
        complaint_id: i64,
        note: Option<String>,
        now: i64,
    ) -> std::result::Result<Decision, WorkflowError> {
        Db::approve(self, p, signer, complaint_id, note, now)
    }
    fn push_back(
        &mut self,
        p: &Actor,
        signer: &dyn RecordSigner,
        complaint_id: i64,
        reasons: &[String],
        note: &str,
        due_at: i64,
        now: i64,
    ) -> std::result::Result<Decision, WorkflowError> {
        Db::push_back(self, p, signer, complaint_id, reasons, note, due_at, now)
    }
    fn answer(
        &mut self,
        p: &Actor,
        signer: &dyn RecordSigner,
        complaint_id: i64,
        kind: Kind,
        body: &str,
        now: i64,
    ) -> std::result::Result<Decision, WorkflowError> {
        Db::answer(self, p, signer, complaint_id, kind, body, now)
    }
    fn retract(
        &mut self,
        p: &Actor,
        signer: &dyn RecordSigner,
        decision_id: i64,
        now: i64,
    ) -> std::result::Result<Decision, WorkflowError> {
        Db::retract(self, p, signer, decision_id, now)
    }
    fn next_sample_id(&mut self) -> Result<i64> {
        Db::next_sample_id(self)
    }
    fn draw(&mut self, spec: &Spec, seed: u64, boundary: i64) -> Result<Drawn> {
        Db::draw(self, spec, seed, boundary)
    }
    fn draw_and_record(
        &mut self,
        spec: &Spec,
        seed: u64,
        label: &str,
        drawn_by: &str,
        drawn_at: i64,
    ) -> Result<(Option<i64>, Drawn)> {
        Db::draw_and_record(self, spec, seed, label, drawn_by, drawn_at)
    }
    fn sample(&mut self, key: &str) -> Result<Option<Sample>> {
        Db::sample(self, key)
    }
    fn latest_sample(&mut self) -> Result<Option<Sample>> {
        Db::latest_sample(self)
    }
    fn samples(&mut self) -> Result<Vec<Sample>> {
        Db::samples(self)
    }
    fn sample_items(&mut self, sample_id: i64) -> Result<Vec<Item>> {
        Db::sample_items(self, sample_id)
    }
    fn sample_bound(&mut self, s: &Sample, now: i64) -> Result<SampleBound> {
        Db::sample_bound(self, s, now)
    }
    fn reviewed_of_sample(
        &mut self,
        sample_id: i64,
        divisions: Option<&[String]>,
        now: i64,
    ) -> Result<Vec<RollupItem>> {
        Db::reviewed_of_sample(self, sample_id, divisions, now)
    }
    fn reviewed_of_all_samples(
        &mut self,
        divisions: Option<&[String]>,
        decided_since: Option<i64>,
        now: i64,
    ) -> Result<Vec<RollupItem>> {
        Db::reviewed_of_all_samples(self, divisions, decided_since, now)
    }
    fn reviewed_ad_hoc(
        &mut self,
        divisions: Option<&[String]>,
        decided: Option<(i64, i64)>,
        now: i64,
    ) -> Result<Vec<RollupItem>> {
        Db::reviewed_ad_hoc(self, divisions, decided, now)
    }
    fn decisions(&mut self) -> Result<Vec<Decision>> {
        Db::decisions(self)
    }
    fn current_text_hash(&mut self, complaint_id: i64) -> Result<String> {
        Db::current_text_hash(self, complaint_id)
    }
    fn last_text_change(&mut self, complaint_id: i64) -> Result<Option<(String, i64)>> {
        Db::last_text_change(self, complaint_id)
    }
    fn car_steps(&mut self) -> Result<Vec<CarEvent>> {
        Db::car_steps(self)
    }
    fn verify_cars(&mut self) -> Result<Vec<String>> {
        Db::verify_cars(self)
    }
    fn schema_differences(&mut self) -> Result<Vec<String>> {
        Db::schema_differences(self)
    }
    fn decisions_of(&mut self, complaint_id: i64) -> Result<Vec<Decision>> {
        Db::decisions_of(self, complaint_id)
    }
    fn screen_detail(&mut self, id: i64) -> Result<Detail> {
        Db::screen_detail(self, id)
    }
    fn conversation(&mut self, complaint_id: i64, row: &Complaint) -> Result<Vec<Message>> {
        Db::conversation(self, complaint_id, row)
    }
    fn flags_of(
        &mut self,
        complaint_id: i64,
        late_secs: i64,
        contact_secs: i64,
    ) -> Result<Vec<Explained>> {
        Db::flags_of(self, complaint_id, late_secs, contact_secs)
    }
    fn catch_up_checks_if_free(&mut self, now: i64) -> Result<bool> {
        Db::catch_up_checks_if_free(self, now)
    }
    fn last_check_run(&mut self) -> Result<Option<Run>> {
        Db::last_check_run(self)
    }
    fn checks_as_of(&mut self) -> Result<Option<i64>> {
        Db::checks_as_of(self)
    }
    fn flag_counts(&mut self, divisions: Option<&[String]>) -> Result<Vec<DivisionCounts>> {
        Db::flag_counts(self, divisions)
    }
    fn canned_groups(
        &mut self,
        divisions: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<CannedGroup>> {
        Db::canned_groups(self, divisions, limit)
    }
    fn canned_group_members(
        &mut self,
        group: i64,
        divisions: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<Member>> {
        Db::canned_group_members(self, group, divisions, limit)
    }
    fn car_of_complaint(&mut self, complaint_id: i64, now: i64) -> Result<Option<Car>> {
        Db::car_of_complaint(self, complaint_id, now)
    }
    fn search(&mut self, query: &str, scope: Option<&[String]>, limit: usize) -> Result<Vec<Hit>> {
        Db::search(self, query, scope, limit)
    }
    fn customer_hits(
        &mut self,
        key: &str,
        except: i64,
        scope: Option<&[String]>,
        limit: usize,
    ) -> Result<Vec<Hit>> {
        Db::customer_hits(self, key, except, scope, limit)
    }
    fn sample_rows(
        &mut self,
        sample_id: i64,
        scope: Option<&[String]>,
        now: i64,
    ) -> Result<Vec<Row>> {
        Db::sample_rows(self, sample_id, scope, now)
    }
    fn division_rows(
        &mut self,
        divisions: &[String],
        sample: Option<i64>,
        now: i64,
    ) -> Result<Vec<Row>> {
        Db::division_rows(self, divisions, sample, now)
    }
    fn score_days(
        &mut self,
        divisions: Option<&[String]>,
        start: i64,
        end: i64,
    ) -> Result<Vec<ScoreDay>> {
        Db::score_days(self, divisions, start, end)
    }
    fn population_size(&mut self, filters: &Filters, boundary: i64) -> Result<u64> {
        Db::population_size(self, filters, boundary)
    }
    fn letter(
        &mut self,
        complaint_id: i64,
        now: i64,
    ) -> Result<std::result::Result<Letter, String>> {
        Db::letter(self, complaint_id, now)
    }
    fn waiting_mail(&mut self, kind: Option<&str>) -> Result<Vec<MailItem>> {
        Db::waiting_mail(self, kind)
    }
    fn recent_mail(&mut self, limit: i64) -> Result<Vec<MailItem>> {
        Db::recent_mail(self, limit)
    }
    fn intend_to_send(&mut self, id: i64, seen_attempts: i64, a: &Attempt) -> Result<bool> {
        Db::intend_to_send(self, id, seen_attempts, a)
    }
    fn mark_sent(&mut self, id: i64, reply: &str, at: i64) -> Result<()> {
        Db::mark_sent(self, id, reply, at)
    }
    fn mark_deferred(&mut self, id: i64, note: &str) -> Result<()> {
        Db::mark_deferred(self, id, note)
    }
    fn mark_failed(&mut self, id: i64, note: &str) -> Result<()> {
        Db::mark_failed(self, id, note)
    }
    fn mark_withdrawn(&mut self, id: i64, note: &str) -> Result<()> {
        Db::mark_withdrawn(self, id, note)
    }
    fn letter_for_sign_off(
        &mut self,
        complaint_id: i64,
        decision_id: i64,
        now: i64,
    ) -> Result<std::result::Result<Letter, String>> {
        Db::letter_for_sign_off(self, complaint_id, decision_id, now)
    }
    fn recipient_of(&mut self, complaint_id: i64) -> Result<(String, Option<String>)> {
        Db::recipient_of(self, complaint_id)
    }
    fn queue_outreach(&mut self, o: &Outreach) -> Result<i64> {
        Db::queue_outreach(self, o)
    }
    fn notified(&mut self, keys: &[String]) -> Result<Vec<String>> {
        Db::notified(self, keys)
    }
    fn queue_notice(&mut self, n: &Notice) -> Result<Option<i64>> {
        Db::queue_notice(self, n)
    }
    fn open_push_backs(&mut self, now: i64) -> Result<Vec<PushBackItem>> {
        Db::open_push_backs(self, now)
    }
    fn callbacks_due(&mut self, now: i64) -> Result<Vec<CallBack>> {
        Db::callbacks_due(self, now)
    }
    fn car(&mut self, id: i64, now: i64) -> Result<Option<Car>> {
        Db::car(self, id, now)
    }
    fn cars(&mut self, f: &CarFilter, now: i64) -> Result<Vec<Car>> {
        Db::cars(self, f, now)
    }
    fn open_car(&mut self, o: &Opening, signer: &dyn RecordSigner) -> anyhow::Result<Opened> {
        Ok(Db::open_car(self, o, signer)?)
    }
    fn record_car_step(
        &mut self,
        car_id: i64,
        now: i64,
        signer: &dyn RecordSigner,
        check: &mut dyn FnMut(Option<Car>) -> anyhow::Result<NewEvent>,
    ) -> anyhow::Result<CarEvent> {
        let ((), rec) =
            Db::record_car_step(self, car_id, now, signer, |car| check(car).map(|e| ((), e)))?;
        Ok(rec)
    }
}
