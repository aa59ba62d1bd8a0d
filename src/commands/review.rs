//! `signoff review`: the screen for the current person's role.

use std::io::IsTerminal;

use crate::cli::ReviewArgs;
use crate::config::{platform_data_dir, Config, Person};
use crate::domain::signing::{CannotSign, Clock, SharedSigner};
use crate::error::{failed, usage};
use crate::store::Store;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;
use crate::tui::{Open, Session};

use super::Ctx;

/// Logs go to a file: the screen owns the terminal.
fn start_log(cfg: &Config) {
    let path = if cfg.review.log_file.is_empty() {
        platform_data_dir().map(|d| d.join("signoff.log"))
    } else {
        Some(std::path::PathBuf::from(&cfg.review.log_file))
    };
    let Some(path) = path else { return };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
    else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("SIGNOFF_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
}

/// Opens the screen as `person` on the store `db`.
pub fn open(
    cfg: &Config,
    db: Box<dyn Store>,
    person: Person,
    clock: Clock,
    signer: SharedSigner,
    open: Open,
) -> anyhow::Result<()> {
    if !std::io::stdout().is_terminal() {
        return Err(failed("the review screen needs a terminal; the command-line forms are sample, approve, push-back, answer, status"));
    }
    let keys = Keymap::new(&cfg.review.keys).map_err(usage)?;
    if !matches!(cfg.review.theme.as_str(), "dark" | "light") {
        return Err(usage(format!(
            "review.theme {:?}: use dark or light",
            cfg.review.theme
        )));
    }
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = Theme::named(&cfg.review.theme, no_color);
    start_log(cfg);
    tracing::info!(login = %person.login, "review screen opened");
    crate::tui::run(
        Session {
            db,
            cfg: cfg.clone(),
            person,
            clock,
            signer,
            keys,
            theme,
        },
        open,
    )
}

pub fn run(ctx: &Ctx, a: ReviewArgs) -> anyhow::Result<()> {
    let person = ctx.person()?.clone();
    // Without a key the screen still opens for reading; a decision then says why it was not saved.
    let signer = ctx
        .signer(&person)
        .unwrap_or_else(|e| SharedSigner(std::sync::Arc::new(CannotSign(format!("{e:#}")))));
    let mut db = ctx.open_store()?;
    // Flags that time alone raised since the store last changed are raised before they show.
    db.catch_up_checks_if_free(ctx.now.timestamp())?;
    open(
        &ctx.cfg,
        db,
        person,
        ctx.clock.clone(),
        signer,
        Open {
            sample: a.sample,
            view: a.view,
        },
    )
}
