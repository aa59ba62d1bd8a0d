//! What the commands ask of a store, whichever backend keeps it: the embedded SQLite file
//! ([`Db`]) or an organisation's PostgreSQL database ([`PgStore`]). The rules (who may decide
//! what, in which state; how a sample is drawn) are the same code for both; each backend only
//! answers the questions and keeps the records.

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

use super::car_work::Opened;
use super::cars::{Car, Filter as CarFilter, NewEvent, Opening};
use super::customers::Other;
use super::draw::{Drawn, Filters, Item, Spec};
use super::flag_reads::{CannedGroup, DivisionCounts, Explained, Member, Run};
use super::outbox::{Attempt, Item as MailItem, Notice};
use super::pg::PgStore;
use super::queries::{Listed, Stored};
use super::samples::Sample;
use super::screen::{Detail, Hit, Row};
use super::stats::Stats;
use super::workflow::WorkflowError;
use super::{Db, Result};

/// Which store a command runs on, for what it says and for what only one backend has.
pub enum Backend<'a> {
    Sqlite(&'a mut Db),
    Pg(&'a mut PgStore),
}

/// A store, as the workflow commands (refs, decisions, samples, status, verify) use it.
pub trait Store {
    /// The store for messages: a file's path, or a URL without its password.
    fn shown(&self) -> String;
    /// The backend itself, for what only it has.
    fn backend(&mut self) -> Backend<'_>;

    // Finding complaints.
    fn complaint_exists(&mut self, id: i64) -> Result<Option<i64>>;
    fn complaints_by_external_id(&mut self, external_id: &str) -> Result<Vec<(i64, String)>>;
    fn complaints_by_source_and_external_id(
        &mut self,
        source: &str,
        external_id: &str,
    ) -> Result<Vec<(i64, String)>>;
    fn complaint_division(&mut self, id: i64) -> Result<String>;
    fn external_id(&mut self, id: i64) -> Result<String>;
    fn external_id_and_division(&mut self, id: i64) -> Result<Option<(String, String)>>;
    fn listed(&mut self, id: i64) -> Result<Listed>;
    /// What the store holds, in the divisions given (None: all).
    fn stats(&mut self, divisions: Option<&[String]>) -> Result<Stats>;
    /// The complaint as stored, with where it came from.
    fn complaint(&mut self, id: i64) -> Result<Option<Stored>>;
    fn customer_others(
        &mut self,
        key: &str,
        except: i64,
        divisions: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<Other>>;
    fn outreach_messages(&mut self, complaint_id: i64) -> Result<Vec<Message>>;

    // Deciding.
    fn status_of(
        &mut self,
        complaint_id: i64,
        now: i64,
    ) -> std::result::Result<(Vec<Decision>, Status), WorkflowError>;
    fn approve(
        &mut self,
        p: &Actor,
        signer: &dyn RecordSigner,
        complaint_id: i64,
        note: Option<String>,
        now: i64,
    ) -> std::result::Result<Decision, WorkflowError>;
    #[allow(clippy::too_many_arguments)]
    fn push_back(
        &mut self,
        p: &Actor,
        signer: &dyn RecordSigner,
        complaint_id: i64,
        reasons: &[String],
        note: &str,
        due_at: i64,
        now: i64,
    ) -> std::result::Result<Decision, WorkflowError>;
    fn answer(
        &mut self,
        p: &Actor,
        signer: &dyn RecordSigner,
        complaint_id: i64,
        kind: Kind,
        body: &str,
        now: i64,
    ) -> std::result::Result<Decision, WorkflowError>;
    fn retract(
        &mut self,
        p: &Actor,
        signer: &dyn RecordSigner,
        decision_id: i64,
        now: i64,
    ) -> std::result::Result<Decision, WorkflowError>;

    // Samples.
    fn next_sample_id(&mut self) -> Result<i64>;
    fn draw(&mut self, spec: &Spec, seed: u64, boundary: i64) -> Result<Drawn>;
    fn draw_and_record(
        &mut self,
        spec: &Spec,
        seed: u64,
        label: &str,
        drawn_by: &str,
        drawn_at: i64,
    ) -> Result<(Option<i64>, Drawn)>;
    fn sample(&mut self, key: &str) -> Result<Option<Sample>>;
    fn latest_sample(&mut self) -> Result<Option<Sample>>;
    fn samples(&mut self) -> Result<Vec<Sample>>;
    fn sample_items(&mut self, sample_id: i64) -> Result<Vec<Item>>;
    fn sample_bound(&mut self, s: &Sample, now: i64) -> Result<SampleBound>;
    fn reviewed_of_sample(
        &mut self,
        sample_id: i64,
        divisions: Option<&[String]>,
        now: i64,
    ) -> Result<Vec<RollupItem>>;
    fn reviewed_of_all_samples(
        &mut self,
        divisions: Option<&[String]>,
        decided_since: Option<i64>,
        now: i64,
    ) -> Result<Vec<RollupItem>>;
    fn reviewed_ad_hoc(
        &mut self,
        divisions: Option<&[String]>,
        decided: Option<(i64, i64)>,
        now: i64,
    ) -> Result<Vec<RollupItem>>;

    // Evidence.
    fn decisions(&mut self) -> Result<Vec<Decision>>;
    fn current_text_hash(&mut self, complaint_id: i64) -> Result<String>;
    fn last_text_change(&mut self, complaint_id: i64) -> Result<Option<(String, i64)>>;
    fn car_steps(&mut self) -> Result<Vec<CarEvent>>;
    fn verify_cars(&mut self) -> Result<Vec<String>>;
    fn schema_differences(&mut self) -> Result<Vec<String>>;
    // The review screen.
    fn decisions_of(&mut self, complaint_id: i64) -> Result<Vec<Decision>>;
    fn screen_detail(&mut self, id: i64) -> Result<Detail>;
    fn conversation(&mut self, complaint_id: i64, row: &Complaint) -> Result<Vec<Message>>;
    fn flags_of(
        &mut self,
        complaint_id: i64,
        late_secs: i64,
        contact_secs: i64,
    ) -> Result<Vec<Explained>>;
    // The checks.
    /// Raises the flags that time alone raised since the checks were last brought up to date,
    /// unless another writer holds them (or, on PostgreSQL, the login does not see every
    /// division). Returns whether it caught up.
    fn catch_up_checks_if_free(&mut self, now: i64) -> Result<bool>;
    /// The last refresh of the checks.
    fn last_check_run(&mut self) -> Result<Option<Run>>;
    /// When the stored flags were last brought up to date.
    fn checks_as_of(&mut self) -> Result<Option<i64>>;
    /// Flagged complaints per division, in the divisions given (None: all).
    fn flag_counts(&mut self, divisions: Option<&[String]>) -> Result<Vec<DivisionCounts>>;
    /// The largest groups of canned replies.
    fn canned_groups(
        &mut self,
        divisions: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<CannedGroup>>;
    /// The complaints of a canned-reply group.
    fn canned_group_members(
        &mut self,
        group: i64,
        divisions: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<Member>>;
    fn car_of_complaint(&mut self, complaint_id: i64, now: i64) -> Result<Option<Car>>;
    fn search(&mut self, query: &str, scope: Option<&[String]>, limit: usize) -> Result<Vec<Hit>>;
    fn customer_hits(
        &mut self,
        key: &str,
        except: i64,
        scope: Option<&[String]>,
        limit: usize,
    ) -> Result<Vec<Hit>>;
    fn sample_rows(
        &mut self,
        sample_id: i64,
        scope: Option<&[String]>,
        now: i64,
    ) -> Result<Vec<Row>>;
    fn division_rows(
        &mut self,
        divisions: &[String],
        sample: Option<i64>,
        now: i64,
    ) -> Result<Vec<Row>>;
    fn score_days(
        &mut self,
        divisions: Option<&[String]>,
        start: i64,
        end: i64,
    ) -> Result<Vec<ScoreDay>>;
    fn population_size(&mut self, filters: &Filters, boundary: i64) -> Result<u64>;
    /// The letter a complaint's sign-off sends, or why it sends none now.
    fn letter(
        &mut self,
        complaint_id: i64,
        now: i64,
    ) -> Result<std::result::Result<Letter, String>>;

    // The outbox, as `send` delivers it.
    /// Messages still to go or whose last attempt has no recorded outcome, in the order they
    /// were queued; only of `kind` when given.
    fn waiting_mail(&mut self, kind: Option<&str>) -> Result<Vec<MailItem>>;
    /// The newest messages of the outbox, whatever their state.
    fn recent_mail(&mut self, limit: i64) -> Result<Vec<MailItem>>;
    /// Records, committed, that this run is about to send the message; false when another run
    /// got there first or it no longer waits.
    fn intend_to_send(&mut self, id: i64, seen_attempts: i64, a: &Attempt) -> Result<bool>;
    fn mark_sent(&mut self, id: i64, reply: &str, at: i64) -> Result<()>;
    fn mark_deferred(&mut self, id: i64, note: &str) -> Result<()>;
    fn mark_failed(&mut self, id: i64, note: &str) -> Result<()>;
    fn mark_withdrawn(&mut self, id: i64, note: &str) -> Result<()>;
    /// The letter a sign-off put in the outbox, if that sign-off is still the one in force.
    fn letter_for_sign_off(
        &mut self,
        complaint_id: i64,
        decision_id: i64,
        now: i64,
    ) -> Result<std::result::Result<Letter, String>>;
    /// The complaint's external id and the customer's address, if it has one.
    fn recipient_of(&mut self, complaint_id: i64) -> Result<(String, Option<String>)>;
    /// Puts the executive's own letter to a customer in the outbox.
    fn queue_outreach(&mut self, o: &Outreach) -> Result<i64>;
    /// Which of these notification keys are already logged.
    fn notified(&mut self, keys: &[String]) -> Result<Vec<String>>;
    /// Puts a notification in the outbox, unless another run already logged its events.
    fn queue_notice(&mut self, n: &Notice) -> Result<Option<i64>>;
    /// Push-backs waiting for their division's answer, or whose answer waits for an executive.
    fn open_push_backs(&mut self, now: i64) -> Result<Vec<PushBackItem>>;
    /// CARs whose customer has not been called back.
    fn callbacks_due(&mut self, now: i64) -> Result<Vec<CallBack>>;

    // CARs.
    /// CAR-`id` with its steps and state, if there is one the person may see.
    fn car(&mut self, id: i64, now: i64) -> Result<Option<Car>>;
    /// The CARs the filter picks, with their steps and state, newest first.
    fn cars(&mut self, f: &CarFilter, now: i64) -> Result<Vec<Car>>;
    /// Opens a CAR on the complaint with its first step signed by `signer`, unless the
    /// complaint has one already; one write transaction.
    fn open_car(&mut self, o: &Opening, signer: &dyn RecordSigner) -> anyhow::Result<Opened>;
    /// Records a step of CAR `car_id` in one write transaction: `check` sees the CAR as it
    /// stands (None when there is none) and says which step to append, or why none (its error
    /// is returned as it is). Returns the recorded step.
    fn record_car_step(
        &mut self,
        car_id: i64,
        now: i64,
        signer: &dyn RecordSigner,
        check: &mut dyn FnMut(Option<Car>) -> anyhow::Result<NewEvent>,
    ) -> anyhow::Result<CarEvent>;
}
