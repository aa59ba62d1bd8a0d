//! One module per subcommand; each takes the shared context and does its job.

pub mod car;
pub mod car_steps;
pub mod config_cmd;
pub mod decide;
pub mod demo;
pub mod flags;
pub mod generate;
pub mod import;
pub mod letter;
pub mod mailer;
pub mod meta;
pub mod notify;
pub mod out;
pub mod people;
pub mod profile;
pub mod reach_out;
pub mod refs;
pub mod report;
pub mod review;
pub mod sample;
pub mod send;
pub mod signing;
pub mod stats;
pub mod status;
pub mod verify;
pub mod verify_code;
pub mod verify_head;
pub mod verify_records;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::cli::{Cli, Command};
use crate::config::{Config, Person, Role, Sources};
use crate::store::patience::{busy_error, Patience};
use crate::store::pg::PgStore;
use crate::store::{Backend, Db, Store};

use crate::error::{failed, refused, usage};

/// Refuses an output file that is the store, one of its companion files or one of `inputs`:
/// a report, a generated export or a rejects file must not overwrite them, whoever asks. Files
/// are compared by device and inode, so a hard link or a symbolic link is caught too.
pub fn not_the_store(
    ctx: &Ctx,
    path: &std::path::Path,
    flag: &str,
    inputs: &[PathBuf],
) -> anyhow::Result<()> {
    // A PostgreSQL store is a URL, not a file here: only the inputs can be written over.
    let mut protected = match (ctx.store_url(), ctx.cfg.store_path()) {
        (None, Ok(store)) => crate::files::store_files(&store),
        _ => Vec::new(),
    };
    protected.extend(
        inputs
            .iter()
            .map(|i| (i.clone(), format!("the input file {}", i.display()))),
    );
    match crate::files::same_file(path, &protected) {
        Some(what) => Err(refused(format!(
            "{flag} {}: that is {what}; write to another file",
            path.display()
        ))),
        None => Ok(()),
    }
}

/// A write that found the store busy for longer than `store.write_wait_secs`.
pub fn still_busy() -> anyhow::Error {
    failed(
        "another process (an import?) kept the store busy for longer than store.write_wait_secs \
         allows: nothing was saved — try again when it has finished",
    )
}

/// A write's error, with a busy store said plainly.
pub fn write_error(e: anyhow::Error) -> anyhow::Error {
    if busy_error(&e) {
        still_busy()
    } else {
        e
    }
}

pub use crate::domain::signing::Clock;

pub fn system_clock() -> Clock {
    std::sync::Arc::new(Utc::now)
}

/// Everything a command needs: configuration, who is asking, the clock.
pub struct Ctx {
    pub cfg: Config,
    pub config_file: Option<PathBuf>,
    pub json: bool,
    /// When the command started: the moment a one-shot command's records carry.
    pub now: DateTime<Utc>,
    /// For work that goes on (the review screen reads it at each decision).
    pub clock: Clock,
    pub login: Option<String>,
}

impl Ctx {
    pub fn from_cli(cli: &Cli, clock: Clock) -> anyhow::Result<Ctx> {
        let mut sources = Sources::from_process(cli.config.clone());
        // clap already read SIGNOFF_DB into --db; the flag layer below applies it.
        sources.env.remove("SIGNOFF_DB");
        let (mut cfg, config_file) = Config::load(&sources)?;
        if let Some(db) = &cli.db {
            cfg.store.path = db.display().to_string();
        }
        let now = clock();
        // On a PostgreSQL store who you are is the database login, checked by the server;
        // SIGNOFF_USER does not change it.
        let login = if crate::store::pg::is_url(&cfg.store.path) {
            crate::store::pg::url_login(&cfg.store.path, os_login())
        } else {
            current_login(&cfg, std::env::var("SIGNOFF_USER").ok())
        };
        Ok(Ctx {
            cfg,
            config_file,
            json: cli.json,
            now,
            clock,
            login,
        })
    }

    /// The store's URL when it is a PostgreSQL store.
    pub fn store_url(&self) -> Option<String> {
        crate::store::pg::is_url(&self.cfg.store.path)
            .then(|| self.cfg.store.path.trim().to_string())
    }

    /// The store, whichever backend keeps it: a SQLite file, or an organisation's PostgreSQL
    /// database reached as the login its URL names.
    pub fn open_store(&self) -> anyhow::Result<Box<dyn Store>> {
        if let Some(url) = self.store_url() {
            let mut pg = PgStore::connect(&url)?;
            if !pg.pending_steps()?.is_empty() {
                return Err(failed(format!(
                    "{} is not set up for this version of signoff: an admin runs                      `signoff people sync` on it first",
                    pg.shown()
                )));
            }
            return Ok(Box::new(pg));
        }
        Ok(Box::new(self.open_db()?))
    }

    /// The SQLite store of the configuration (`open_store` has ruled out a URL).
    fn open_db(&self) -> anyhow::Result<Db> {
        let path = self.cfg.store_path()?;
        Ok(Db::open(
            &path,
            Duration::from_millis(self.cfg.store.busy_timeout_ms),
        )?)
    }

    /// How long writes wait for another writer (config `store`).
    pub fn patience(&self) -> Patience {
        let s = &self.cfg.store;
        Patience {
            attempt: Duration::from_millis(s.busy_timeout_ms),
            total: (s.write_wait_secs > 0).then(|| Duration::from_secs(s.write_wait_secs)),
        }
    }

    /// Runs one write transaction, waiting for another writer (an import holds the store for its
    /// whole transaction) as long as `store.write_wait_secs` allows, and saying so on a terminal.
    pub fn write<T, E>(
        &self,
        db: &mut Db,
        is_busy: impl Fn(&E) -> bool,
        write: impl FnMut(&mut Db) -> Result<T, E>,
    ) -> Result<T, E> {
        let tell = std::io::stderr().is_terminal();
        db.with_patience(
            self.patience(),
            is_busy,
            || {
                if tell {
                    eprintln!(
                        "signoff: another process (an import?) is writing to the store; \
                         waiting for it to finish — nothing is lost meanwhile (Ctrl-C gives up)"
                    );
                }
            },
            write,
        )
    }

    /// [`Ctx::write`] on whichever store: SQLite's writes wait for another writer with the
    /// configured patience; PostgreSQL's wait for their locks in the server.
    pub fn write_store<T, E>(
        &self,
        store: &mut dyn Store,
        is_busy: impl Fn(&E) -> bool,
        mut write: impl FnMut(&mut dyn Store) -> Result<T, E>,
    ) -> Result<T, E> {
        match store.backend() {
            Backend::Sqlite(db) => self.write(db, is_busy, |db| write(db)),
            Backend::Pg(pg) => write(pg),
        }
    }

    /// The person behind this command, or a refusal naming the login.
    pub fn person(&self) -> anyhow::Result<&Person> {
        let login = self
            .login
            .as_deref()
            .ok_or_else(|| refused("cannot tell who you are: no login name"))?;
        self.cfg.person(login).ok_or_else(|| {
            refused(format!(
                "{login} is not among the people in the configuration{}; ask an admin to add you",
                self.config_file
                    .as_ref()
                    .map(|p| format!(" ({})", p.display()))
                    .unwrap_or_default()
            ))
        })
    }

    /// The person, if their role is one of `roles`.
    pub fn require(&self, roles: &[Role], action: &str) -> anyhow::Result<&Person> {
        let p = self.person()?;
        if roles.contains(&p.role) {
            Ok(p)
        } else {
            Err(refused(format!(
                "{} ({}) may not {action}: that needs the role {}",
                p.name,
                p.role.as_str(),
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            )))
        }
    }

    /// The divisions this person may read: None means all.
    pub fn visible_divisions(&self) -> anyhow::Result<Option<Vec<String>>> {
        let p = self.person()?;
        Ok(match p.role {
            Role::DivisionHead => Some(p.divisions.clone()),
            Role::Executive | Role::Admin => None,
        })
    }

    /// A value as pretty JSON on standard output; a closed or full output is an error.
    pub fn print_json(&self, value: &impl serde::Serialize) -> anyhow::Result<()> {
        out::json(value)
    }
}

/// The operating-system login; $SIGNOFF_USER only when the configuration trusts it.
fn current_login(cfg: &Config, env_user: Option<String>) -> Option<String> {
    if cfg.identity.trust_env_user {
        if let Some(u) = env_user.filter(|u| !u.is_empty()) {
            return Some(u);
        }
    }
    os_login().or_else(|| std::env::var("USER").ok())
}

#[cfg(unix)]
fn os_login() -> Option<String> {
    // SAFETY: getpwuid_r writes only into the buffers handed to it.
    unsafe {
        let uid = libc::getuid();
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 4096];
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result);
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        std::ffi::CStr::from_ptr(pwd.pw_name)
            .to_str()
            .ok()
            .map(str::to_string)
    }
}

#[cfg(not(unix))]
fn os_login() -> Option<String> {
    None
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    run_with_clock(cli, system_clock())
}

/// Runs a command with the given clock: tests inject a fixed one through the library.
pub fn run_with_clock(cli: Cli, clock: Clock) -> anyhow::Result<()> {
    let ctx = Ctx::from_cli(&cli, clock)?;
    match cli.command {
        Command::Import(a) => import::run(&ctx, a),
        Command::Profile(a) => profile::run(&ctx, a),
        Command::Stats => stats::run(&ctx),
        Command::Config(a) => config_cmd::run(&ctx, a),
        Command::Demo(a) => demo::run(&ctx, a),
        Command::Review(a) => review::run(&ctx, a),
        Command::Sample(a) => sample::run(&ctx, a),
        Command::Samples => sample::list(&ctx),
        Command::Approve(a) => decide::approve(&ctx, a),
        Command::PushBack(a) => decide::push_back(&ctx, a),
        Command::Answer(a) => decide::answer(&ctx, a),
        Command::Retract(a) => decide::retract(&ctx, a),
        Command::Show(a) => decide::show(&ctx, a),
        Command::Status(a) => status::run(&ctx, a),
        Command::Verify(a) => verify::run(&ctx, a),
        Command::Car(a) => car::run(&ctx, a),
        Command::Flags(a) => flags::run(&ctx, a),
        Command::Report(a) => report::run(&ctx, a),
        Command::Letter(a) => letter::run(&ctx, a),
        Command::Send(a) => send::run(&ctx, a),
        Command::ReachOut(a) => reach_out::run(&ctx, a),
        Command::Notify(a) => notify::run(&ctx, a),
        Command::People(a) => people::run(&ctx, &a),
        Command::Completions(a) => meta::completions(a),
        Command::Man => meta::man(),
        Command::Generate(a) => {
            if let Some(out) = &a.out {
                not_the_store(&ctx, out, "--out", &[])?;
            }
            generate::run(a)
        }
    }
}

/// A date (YYYY-MM-DD, midnight UTC; the next midnight when `end_of_day`) or an RFC 3339 time.
pub fn parse_time(flag: &str, s: &str, end_of_day: bool) -> anyhow::Result<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp());
    }
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| usage(format!("{flag} {s:?}: use YYYY-MM-DD or an RFC 3339 time")))?;
    let d = if end_of_day {
        d + chrono::Duration::days(1)
    } else {
        d
    };
    Ok(d.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp())
        .unwrap_or_default())
}
