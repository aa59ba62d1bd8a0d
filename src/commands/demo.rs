//! `signoff demo`: a store built from the bundled sample data.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::DemoArgs;
use crate::config::{platform_data_dir, Config};
use crate::import::{import_file, Options};
use crate::store::Db;

use super::{failed, refused, Ctx};

pub const DEMO_CONFIG: &str = include_str!("../../config/demo.toml");

/// The bundled sample exports, imported in this order.
pub const SAMPLE_FILES: &[(&str, &[u8])] = &[
    (
        "helpdesk.csv",
        include_bytes!("../../sample-data/helpdesk.csv"),
    ),
    (
        "messages.csv",
        include_bytes!("../../sample-data/messages.csv"),
    ),
    ("social.csv", include_bytes!("../../sample-data/social.csv")),
    ("cfpb.csv", include_bytes!("../../sample-data/cfpb.csv")),
];

pub struct Built {
    pub db_path: PathBuf,
    pub config_path: PathBuf,
    pub summaries: Vec<String>,
}

/// Builds (or rebuilds) the demo store, with its configuration file beside it.
pub fn build(db_path: &std::path::Path, now: i64) -> anyhow::Result<Built> {
    let dir = db_path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| failed(format!("cannot create {}: {e}", dir.display())))?;
    let db_path = db_path.to_path_buf();
    let config_path = dir.join("config.toml");
    // Only a store the demo built is replaced: its configuration beside it says so.
    let built_here = std::fs::read_to_string(&config_path)
        .map(|t| t.starts_with(DEMO_CONFIG))
        .unwrap_or(false);
    if (db_path.exists() || config_path.exists()) && !built_here {
        return Err(refused(format!(
            "{} is not a demo store (no demo config.toml beside it): signoff demo replaces only \
             a store it built; give --path a new file",
            if db_path.exists() {
                &db_path
            } else {
                &config_path
            }
            .display()
        )));
    }
    for suffix in ["", "-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{suffix}", db_path.display()));
        if p.exists() {
            std::fs::remove_file(&p)
                .map_err(|e| failed(format!("cannot replace {}: {e}", p.display())))?;
        }
    }
    let signing = demo_keys(dir)?;
    let config_text = format!(
        "{DEMO_CONFIG}\n[store]\npath = {}\n\n{signing}",
        toml::Value::String(db_path.display().to_string())
    );
    std::fs::write(&config_path, config_text)
        .map_err(|e| failed(format!("cannot write {}: {e}", config_path.display())))?;
    let (cfg, _) = Config::load(&crate::config::Sources {
        file: Some(config_path.clone()),
        env: Default::default(),
    })?;
    let data = dir.join("sample-data");
    std::fs::create_dir_all(&data)
        .map_err(|e| failed(format!("cannot create {}: {e}", data.display())))?;
    let mut db = Db::open(
        &db_path,
        std::time::Duration::from_millis(cfg.store.busy_timeout_ms),
    )?;
    let division = |d: &str| cfg.canonical_division(d).to_string();
    let admin = cfg
        .person("alex")
        .ok_or_else(|| failed("the demo configuration has no alex"))?;
    let alex = super::signing::signer_for(&cfg, admin, now)?;
    let mut summaries = Vec::new();
    for (name, bytes) in SAMPLE_FILES {
        let p = data.join(name);
        std::fs::write(&p, bytes)
            .map_err(|e| failed(format!("cannot write {}: {e}", p.display())))?;
        let opts = Options {
            profile: None,
            profiles_dir: None,
            source: None,
            encoding: None,
            delimiter: None,
            date_order: None,
            dry_run: false,
            accept_incomplete: false,
            accept_degraded: false,
            allow_unlinked: false,
            rejects: Some(data.join(format!("{name}.rejects.csv"))),
            batch_rows: cfg.import.batch_rows,
            max_field_bytes: cfg.import.max_field_bytes,
            progress: false,
            imported_by: "alex".into(),
            now,
            after_import: super::car::after_import(&cfg, "alex", now, true, alex.clone()),
            write_wait: std::time::Duration::ZERO,
        };
        let r = import_file(&mut db, &p, &opts, &division)?;
        let c = &r.counts;
        summaries.push(format!(
            "{name} ({}): read {} rows: inserted {}, updated {}, unchanged {}, rejected {}",
            r.profile, c.read, c.inserted, c.updated, c.unchanged, c.rejected
        ));
    }
    // The sample data is dated; move it so its newest complaint arrived yesterday and the
    // default week-long population holds the demo's recent complaints whenever it is run.
    db.move_dates_up_to(now)?;
    // The imports judged the complaints on their old dates: judge them on the ones shown.
    db.refresh_checks(&super::flags::settings(&cfg), "alex", now)?;
    Ok(Built {
        db_path,
        config_path,
        summaries,
    })
}

/// A new SSH key for each person of the demo (`keys/LOGIN`, readable by its owner only), the
/// `allowed_signers` file that lists them, and the `[signing]` section that uses both.
fn demo_keys(dir: &std::path::Path) -> anyhow::Result<String> {
    let people: toml::Value = DEMO_CONFIG
        .parse()
        .map_err(|e| failed(format!("the demo configuration: {e}")))?;
    let logins: Vec<String> = people
        .get("people")
        .and_then(|p| p.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|p| p.get("login").and_then(|l| l.as_str()).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let keys = dir.join("keys");
    std::fs::create_dir_all(&keys)
        .map_err(|e| failed(format!("cannot create {}: {e}", keys.display())))?;
    let mut allowed =
        String::from("# The demo's people and their keys: the verifier's trust root.\n");
    for login in &logins {
        let key = crate::sign::generate_ed25519(&format!("{login}@signoff-demo"))?;
        crate::sign::write_key_pair(&key, &keys.join(login))?;
        let public = key
            .public_key()
            .to_openssh()
            .map_err(|e| failed(format!("cannot write {login}'s key: {e}")))?;
        allowed.push_str(&format!("{login} namespaces=\"signoff\" {public}\n"));
    }
    let allowed_path = dir.join("allowed_signers");
    std::fs::write(&allowed_path, allowed)
        .map_err(|e| failed(format!("cannot write {}: {e}", allowed_path.display())))?;
    Ok(format!(
        "[signing]\n# Each demo person signs with their own key; `signoff verify` checks them against the\n\
         # allowed_signers file. In real use keys live in ssh-agent and the trust root with the verifier.\n\
         key_file = {}\nallowed_signers = {}\nrequired = true\n",
        toml::Value::String(keys.join("{login}").display().to_string()),
        toml::Value::String(allowed_path.display().to_string())
    ))
}

pub fn default_dir() -> PathBuf {
    platform_data_dir()
        .map(|d| d.join("demo"))
        .unwrap_or_else(|| std::env::temp_dir().join("signoff-demo"))
}

pub fn run(ctx: &Ctx, a: DemoArgs) -> anyhow::Result<()> {
    if let Some(url) = ctx.store_url() {
        eprintln!(
            "the demo builds a SQLite store of its own; {} is left as it is",
            crate::store::pg::shown_url(&url)
        );
    }
    let path = a
        .path
        .clone()
        .unwrap_or_else(|| default_dir().join("signoff-demo.db"));
    super::not_the_store(ctx, &path, "--path", &[])?;
    let built = build(&path, ctx.now.timestamp())?;
    println!("demo store built: {}", built.db_path.display());
    for s in &built.summaries {
        println!("  {s}");
    }
    println!(
        "\nTry it as the chief executive (dana), a division head (priya, lee, wren) or the admin (alex):\n  \
         export SIGNOFF_CONFIG={} SIGNOFF_USER=dana\n  signoff review        # or: signoff sample, signoff status, signoff stats",
        built.config_path.display()
    );
    if a.no_open || !std::io::stdout().is_terminal() {
        return Ok(());
    }
    let (cfg, _) = Config::load(&crate::config::Sources {
        file: Some(built.config_path.clone()),
        env: Default::default(),
    })?;
    let person = cfg
        .person("dana")
        .cloned()
        .ok_or_else(|| failed("the demo configuration has no dana"))?;
    let db = Db::open(
        &built.db_path,
        std::time::Duration::from_millis(cfg.store.busy_timeout_ms),
    )?;
    let signer = super::signing::signer_for(&cfg, &person, ctx.now.timestamp())?;
    super::review::open(
        &cfg,
        Box::new(db),
        person,
        ctx.clock.clone(),
        signer,
        crate::tui::Open::default(),
    )
}
