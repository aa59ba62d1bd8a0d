//! The command line, as clap types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "signoff",
    version,
    about = "Read a random sample of customer complaints with the responses sent; sign them or push them back",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    /// The store: a SQLite file (default: signoff.db in the platform data directory), or an
    /// organisation's PostgreSQL store as a postgresql:// URL.
    #[arg(long, global = true, env = "SIGNOFF_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// A configuration file layered over the built-in defaults.
    #[arg(long, global = true, env = "SIGNOFF_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import CSV exports (helpdesk, survey, social media, regulators' portals).
    Import(ImportArgs),
    /// Mapping profiles: list them, show one, or draft one from an export.
    Profile(ProfileArgs),
    /// Counts by source, division and month, and the imports so far.
    Stats,
    /// Show the configuration, or the built-in defaults.
    Config(ConfigArgs),
    /// Build a demo store from the bundled sample data and print how to use it.
    Demo(DemoArgs),
    /// Open the review screen for your role.
    Review(ReviewArgs),
    /// Draw a sample (by size, percentage or confidence target), or replay a recorded one.
    Sample(SampleArgs),
    /// List the recorded samples with their progress.
    Samples,
    /// Sign a response: "I, <name>, <title>, approve this message." (executives)
    Approve(ApproveArgs),
    /// Push a response back to its division with reasons and a note (executives).
    PushBack(PushBackArgs),
    /// Answer a push-back: a revised response, a corrective action, or a dispute (division heads).
    Answer(AnswerArgs),
    /// Retract one of your own decisions (the chain keeps both).
    Retract(RetractArgs),
    /// Show one complaint with its response, provenance and decisions.
    Show(ShowArgs),
    /// Per division: sampled, signed, pushed back, pending; and what a reviewed sample proves.
    Status(StatusArgs),
    /// Check every record's signature against your trust root, every hash and chain link, the
    /// end of the chain against the last one you verified, and the store's schema.
    Verify(VerifyArgs),
    /// Corrective action requests: open, list, show and work them through to closure.
    Car(CarArgs),
    /// Failure-mode checks per division: canned replies, contact ignored, escalation refused, late.
    Flags(FlagsArgs),
    /// The executive review pack (Markdown, HTML, CSV or JSON).
    Report(ReportArgs),
    /// A signed complaint's letter to its customer: the response as signed, the signer's
    /// statement and a verification code (e-mail, HTML or Markdown).
    Letter(LetterArgs),
    /// Deliver the outbox (signed letters, your own letters, notifications) over SMTP, each once.
    Send(SendArgs),
    /// Write to a customer yourself: the letter goes through the outbox and joins the
    /// conversation (executives).
    ReachOut(ReachOutArgs),
    /// Tell each person what is theirs: push-backs, answers due and overdue, call-backs, answers
    /// to review. For cron or a systemd timer.
    Notify(NotifyArgs),
    /// People on a PostgreSQL store: `sync` gives each person of the configuration a database
    /// login with exactly the rights of their role (run by the login that owns the store).
    People(PeopleArgs),
    /// Print shell completions.
    Completions(CompletionsArgs),
    /// Print the manual page (roff).
    Man,
    /// Write a large realistic export, for benchmarks.
    #[command(hide = true)]
    Generate(GenerateArgs),
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// The sample to review (id or label); default: the latest.
    #[arg(long, value_name = "ID|LABEL")]
    pub sample: Option<String>,
    /// Open on a saved view (config: [[review.views]]).
    #[arg(long, value_name = "NAME")]
    pub view: Option<String>,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// Draw this many items.
    #[arg(long, conflicts_with_all = ["percent", "tolerable"])]
    pub size: Option<u64>,
    /// Draw this percentage of the population.
    #[arg(long, conflicts_with = "tolerable")]
    pub percent: Option<f64>,
    /// Confidence in percent (default from config, 95).
    #[arg(long)]
    pub confidence: Option<f64>,
    /// Tolerable unfit rate in percent (default from config, 5): with --confidence, the size is
    /// the smallest that would catch that rate.
    #[arg(long)]
    pub tolerable: Option<f64>,
    /// Only these divisions (repeat or comma-separate).
    #[arg(long, value_delimiter = ',')]
    pub division: Vec<String>,
    #[arg(long, value_delimiter = ',')]
    pub source: Vec<String>,
    #[arg(long, value_delimiter = ',')]
    pub channel: Vec<String>,
    #[arg(long, value_delimiter = ',')]
    pub product: Vec<String>,
    /// Received on or after (YYYY-MM-DD or RFC 3339); default: the last sampling.window_days.
    #[arg(long)]
    pub since: Option<String>,
    /// Received before (YYYY-MM-DD means up to the end of that day).
    #[arg(long)]
    pub until: Option<String>,
    /// No date filter.
    #[arg(long, conflicts_with_all = ["since", "until"])]
    pub all: bool,
    /// Allow complaints already drawn in earlier samples.
    #[arg(long)]
    pub include_sampled: bool,
    /// Must-include rule, all matches or a share: would-not-recommend, wants-contact,
    /// asked-for-manager, negative (e.g. --include negative=25%).
    #[arg(long = "include", value_name = "RULE[=P%]")]
    pub include: Vec<String>,
    /// The same number from each division.
    #[arg(long, conflicts_with = "stratify")]
    pub per_division: Option<u64>,
    /// Share the size among divisions in proportion to their populations.
    #[arg(long, value_parser = ["division"])]
    pub stratify: Option<String>,
    /// The random seed (default: fresh, and printed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// A label (default: the ISO week, like 2026-W47).
    #[arg(long)]
    pub label: Option<String>,
    /// Show the plan and what it proves without drawing.
    #[arg(long)]
    pub plan_only: bool,
    /// Re-draw a recorded sample from its parameters and report whether it matches.
    #[arg(long, value_name = "ID|LABEL", conflicts_with_all = ["size", "percent", "seed", "label"])]
    pub replay: Option<String>,
}

#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The complaint: its external id (T-00412) or internal id; `source:external-id` or
    /// `id:N` when both could match.
    #[arg(value_name = "REF")]
    pub reference: String,
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct PushBackArgs {
    #[arg(value_name = "REF")]
    pub reference: String,
    /// Reason codes (from config: canned, no-empathy, no-action, late, ...).
    #[arg(long, value_delimiter = ',', required = true)]
    pub reason: Vec<String>,
    /// What is wrong and what you expect.
    #[arg(long, required = true)]
    pub note: String,
    /// Due date (YYYY-MM-DD or RFC 3339); default: decisions.due_working_days working days.
    #[arg(long)]
    pub due: Option<String>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("answer").required(true).args(["revise", "corrective_action", "dispute"])))]
pub struct AnswerArgs {
    #[arg(value_name = "REF")]
    pub reference: String,
    /// A file holding the revised response (- for standard input).
    #[arg(long, value_name = "FILE")]
    pub revise: Option<PathBuf>,
    /// The corrective action taken.
    #[arg(long, value_name = "TEXT")]
    pub corrective_action: Option<String>,
    /// Why the division disputes the push-back.
    #[arg(long, value_name = "TEXT")]
    pub dispute: Option<String>,
}

#[derive(Debug, Args)]
pub struct RetractArgs {
    /// The decision id.
    pub decision: i64,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[arg(value_name = "REF")]
    pub reference: String,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// One sample (id or label); default: every sample, with the latest one's bound.
    #[arg(long, value_name = "ID|LABEL")]
    pub sample: Option<String>,
    #[arg(long)]
    pub division: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DateOrderArg {
    Dmy,
    Mdy,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV files to import, each in its own transaction.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// A profile name (cfpb, cfpb-legacy, helpdesk, social, messages, generic) or a path to a profile TOML;
    /// default: the profile whose header matches.
    #[arg(long, value_name = "NAME|PATH")]
    pub profile: Option<String>,
    /// Key complaints under this source instead of the profile's.
    #[arg(long)]
    pub source: Option<String>,
    /// Check and count everything, change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import the complete rows of a file that ends inside a quoted field (cut short, most
    /// likely); the cut row is rejected and the cut reported. Without it such a file fails.
    #[arg(long)]
    pub accept_incomplete: bool,
    /// Apply updates whose text looks like a damaged copy of the stored text (non-ASCII
    /// characters turned into _, ? or U+FFFD, or text cut short); by default they are held
    /// back, the stored text kept, and counted as degraded.
    #[arg(long)]
    pub accept_degraded: bool,
    /// Import a threaded export (social, messages) even when most of its rows answer messages
    /// that are neither in it nor in the store, instead of failing it.
    #[arg(long)]
    pub allow_unlinked: bool,
    /// Where rejected rows go (a file, or a folder for several inputs); default NAME.rejects.csv
    /// next to each input.
    #[arg(long, value_name = "PATH")]
    pub rejects: Option<PathBuf>,
    /// utf-8 or windows-1252 (also utf-16le, utf-16be); default: detected.
    #[arg(long)]
    pub encoding: Option<String>,
    /// comma, semicolon, tab, pipe or a single character; default: detected.
    #[arg(long)]
    pub delimiter: Option<String>,
    /// Day-first or month-first numeric dates, when the file cannot tell.
    #[arg(long, value_enum)]
    pub date_order: Option<DateOrderArg>,
}

#[derive(Debug, Args)]
pub struct ProfileArgs {
    #[command(subcommand)]
    pub command: ProfileCommand,
}

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// The built-in profiles and those in import.profiles_dir: where each comes from, what it reads.
    List,
    /// Print a profile's TOML as it is written.
    Show(ProfileShowArgs),
    /// Draft a profile from an export's header and first rows, as commented TOML (admins,
    /// executives).
    Draft(ProfileDraftArgs),
}

#[derive(Debug, Args)]
pub struct ProfileShowArgs {
    #[arg(value_name = "NAME")]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct ProfileDraftArgs {
    /// The export (CSV).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The profile's name and source; default: from the file's name.
    #[arg(long)]
    pub name: Option<String>,
    /// How many rows after the header to read.
    #[arg(long, default_value_t = 1000)]
    pub rows: usize,
    /// utf-8 or windows-1252 (also utf-16le, utf-16be); default: detected.
    #[arg(long)]
    pub encoding: Option<String>,
    /// comma, semicolon, tab, pipe or a single character; default: detected.
    #[arg(long)]
    pub delimiter: Option<String>,
}

#[derive(Debug, Args)]
pub struct PeopleArgs {
    #[command(subcommand)]
    pub command: PeopleCommand,
}

#[derive(Debug, Subcommand)]
pub enum PeopleCommand {
    /// Create or update a database login per [[people]] entry, grant each the rights of their
    /// role, and take every right from anyone no longer listed. Migrates the store first.
    Sync {
        /// Say what would be synced, changing nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print the built-in default configuration, with its comments.
    #[arg(long)]
    pub default: bool,
    /// Print where the configuration file is looked for.
    #[arg(long)]
    pub path: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to build the demo store; default: demo/signoff-demo.db in the platform data directory.
    #[arg(long, value_name = "PATH")]
    pub path: Option<PathBuf>,
    /// Build the store and print where, without opening anything.
    #[arg(long)]
    pub no_open: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GenerateFormat {
    Helpdesk,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[arg(value_enum, default_value = "helpdesk")]
    pub format: GenerateFormat,
    /// How many rows.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: u64,
    /// Output file (default: standard output).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The newest complaint's date (YYYY-MM-DD); rows spread over the 52 weeks before it.
    #[arg(long)]
    pub until: Option<String>,
}

#[derive(Debug, Args)]
pub struct CarArgs {
    #[command(subcommand)]
    pub command: CarCommand,
}

#[derive(Debug, Subcommand)]
pub enum CarCommand {
    /// Open a CAR for a complaint by hand (executives; the complaint's division head).
    Open(CarOpenArgs),
    /// Open CARs (all with --all), overdue ones first and marked.
    List(CarListArgs),
    /// One CAR with every step.
    Show(CarIdArgs),
    /// Record that the customer was reached: when, and what came of it.
    Contact(CarContactArgs),
    /// Record the root cause.
    Cause(CarCauseArgs),
    /// Record the corrective action taken.
    Act(CarActArgs),
    /// Record whether the action worked, on a later date.
    Check(CarCheckArgs),
    /// Close the CAR (before a successful check, executives only, with a note).
    Close(CarCloseArgs),
    /// Recompute every CAR step's hash and chain link.
    Verify,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Print the head of each chain (id, hash, who signed it and when) to publish or keep.
    #[arg(long)]
    pub head: bool,
    /// A head published or kept earlier (a record hash, or its first 16 or more characters):
    /// the chains must still hold it.
    #[arg(long, value_name = "HASH")]
    pub expect_head: Vec<String>,
    /// Check a letter's verification code (7F3K-92QX-MT4B): the sign-off it names, who signed
    /// what and when, its signature and its place in the chain.
    #[arg(long, value_name = "CODE", conflicts_with_all = ["head", "expect_head"])]
    pub code: Option<String>,
}

#[derive(Debug, Args)]
pub struct CarOpenArgs {
    /// The complaint (as for `show`).
    #[arg(value_name = "REF")]
    pub reference: String,
    /// Why a CAR is needed.
    #[arg(long, required = true)]
    pub why: String,
    /// Due (YYYY-MM-DD or RFC 3339); default: cars.due_hours from now.
    #[arg(long)]
    pub due: Option<String>,
}

#[derive(Debug, Args)]
pub struct CarListArgs {
    /// Only CARs past due whose customer has not been reached.
    #[arg(long)]
    pub overdue: bool,
    #[arg(long)]
    pub division: Option<String>,
    /// Closed CARs too.
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct CarIdArgs {
    /// The CAR: 12 or CAR-12.
    #[arg(value_name = "ID")]
    pub id: String,
}

#[derive(Debug, Args)]
pub struct CarContactArgs {
    #[arg(value_name = "ID")]
    pub id: String,
    /// What came of it.
    #[arg(long, required = true)]
    pub outcome: String,
    /// When the customer was reached (RFC 3339 or YYYY-MM-DD); default: now.
    #[arg(long)]
    pub when: Option<String>,
}

#[derive(Debug, Args)]
pub struct CarCauseArgs {
    #[arg(value_name = "ID")]
    pub id: String,
    /// A root-cause category from cars.causes (process, people, product, ...).
    #[arg(long, required = true)]
    pub category: String,
    #[arg(long, required = true)]
    pub note: String,
}

#[derive(Debug, Args)]
pub struct CarActArgs {
    #[arg(value_name = "ID")]
    pub id: String,
    /// The action taken.
    #[arg(long, required = true)]
    pub note: String,
    /// When it was taken; default: now.
    #[arg(long)]
    pub when: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum YesNo {
    Yes,
    No,
}

#[derive(Debug, Args)]
pub struct CarCheckArgs {
    #[arg(value_name = "ID")]
    pub id: String,
    /// Did the action work?
    #[arg(long, value_enum, required = true)]
    pub worked: YesNo,
    #[arg(long, required = true)]
    pub note: String,
}

#[derive(Debug, Args)]
pub struct CarCloseArgs {
    #[arg(value_name = "ID")]
    pub id: String,
    /// Required when closing before a check that worked.
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct FlagsArgs {
    /// Recompute every flag now (executives and admins).
    #[arg(long)]
    pub refresh: bool,
    #[arg(long)]
    pub division: Option<String>,
    /// List the canned replies, the most-sent first.
    #[arg(long)]
    pub groups: bool,
    /// List the complaints that received one canned reply.
    #[arg(long, value_name = "ID", conflicts_with = "groups")]
    pub group: Option<i64>,
    /// Explain one complaint's flags.
    #[arg(long, value_name = "REF", conflicts_with_all = ["groups", "group"])]
    pub complaint: Option<String>,
    /// How many groups or complaints to list.
    #[arg(long, default_value_t = 20)]
    pub limit: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Md,
    Html,
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// week, month, bimonthly (each ending today), YYYY-MM-DD..YYYY-MM-DD, YYYY-Www or YYYY-MM.
    #[arg(long, default_value = "week")]
    pub period: String,
    #[arg(long)]
    pub division: Option<String>,
    /// Default: md (json with --json).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,
    /// Write to this file (created readable by you only) instead of standard output.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LetterFormat {
    /// A complete e-mail (RFC 5322, MIME: plain text and HTML) addressed to the customer.
    Eml,
    /// One printable HTML page.
    Html,
    Md,
}

#[derive(Debug, Args)]
pub struct LetterArgs {
    /// The complaint (as for `show`).
    #[arg(value_name = "REF")]
    pub reference: String,
    /// Default: from the --out file's extension, else md.
    #[arg(long, value_enum)]
    pub format: Option<LetterFormat>,
    /// Write to this file (readable by you only) instead of standard output.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// Write each waiting message to this folder as an .eml file instead of sending it; the
    /// outbox is left as it is.
    #[arg(long, value_name = "DIR")]
    pub dry_run: Option<PathBuf>,
    /// Send again, with the same bytes and Message-ID, the messages an earlier run was
    /// interrupted delivering (the server may already have them).
    #[arg(long)]
    pub resend_interrupted: bool,
    /// List the outbox, newest first, and send nothing.
    #[arg(long, conflicts_with_all = ["dry_run", "resend_interrupted"])]
    pub list: bool,
}

#[derive(Debug, Args)]
pub struct ReachOutArgs {
    /// The complaint whose customer you write to (as for `show`).
    #[arg(value_name = "REF")]
    pub reference: String,
    /// A file holding your letter (- for standard input).
    #[arg(long, value_name = "FILE")]
    pub message: PathBuf,
}

#[derive(Debug, Args)]
pub struct NotifyArgs {
    /// One message a day per person with everything that is theirs, rather than what is new.
    #[arg(long)]
    pub digest: bool,
    /// Print the messages instead of sending them; nothing is recorded.
    #[arg(long)]
    pub dry_run: bool,
}
