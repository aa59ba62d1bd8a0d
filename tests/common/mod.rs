//! Shared set-up for CLI tests: a temporary store and a configuration with three people.
#![allow(dead_code)]

pub mod app;
pub mod both;
pub mod draw_story;
pub mod own;
pub mod pg;
pub mod screen;
pub mod threads;
pub mod tmux;
pub mod week;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub const CONFIG: &str = r#"
[identity]
trust_env_user = true

[[people]]
login = "dana"
name = "Dana Reyes"
title = "Chief Executive"
role = "executive"

[[people]]
login = "priya"
name = "Priya Shah"
title = "Head of Billing"
role = "division_head"
divisions = ["Billing"]

[[people]]
login = "lee"
name = "Lee Moreau"
title = "Head of Support"
role = "division_head"
divisions = ["Support"]

[[people]]
login = "alex"
name = "Alex Kim"
title = "Operations Administrator"
role = "admin"
"#;

/// The moment the CLI tests' clock shows.
pub const NOW: &str = "2026-11-21T12:00:00Z";

/// `examples/fixed_clock`: signoff's entry with a clock the tests set (SIGNOFF_TEST_CLOCK). A
/// plain `cargo test` builds it with the tests; a run filtered to some tests needs
/// `cargo build --examples` first, which this says when it is missing or older than the sources.
pub fn clocked_bin() -> PathBuf {
    static CHECKED: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    CHECKED
        .get_or_init(|| {
            let main = assert_cmd::cargo::cargo_bin("signoff");
            let dir = main.parent().expect("target folder");
            let exe = dir.join("examples").join("fixed_clock");
            let Some(built) = modified(&exe) else {
                return Err(format!(
                    "{} is missing: run `cargo test` unfiltered, or `cargo build --examples` first",
                    exe.display()
                ));
            };
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            let newest = ["src", "config", "sample-data", "examples"]
                .iter()
                .filter_map(|d| newest_in(&root.join(d)))
                .max();
            match newest {
                Some(src) if src > built => Err(format!(
                    "{} is older than the sources: run `cargo build --examples` (a plain `cargo test` builds it)",
                    exe.display()
                )),
                _ => Ok(exe),
            }
        })
        .clone()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn modified(p: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// The newest modification time of the files under `dir` that a build reads (Rust sources and
/// the TOML and CSV files the binary embeds).
fn newest_in(dir: &Path) -> Option<std::time::SystemTime> {
    let mut newest = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let p = entry.path();
        let built_from = matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("rs" | "toml" | "csv")
        );
        let t = if p.is_dir() {
            newest_in(&p)
        } else if built_from {
            modified(&p)
        } else {
            None
        };
        newest = newest.max(t);
    }
    newest
}

pub struct Env {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub config: PathBuf,
}

impl Env {
    pub fn new() -> Env {
        Self::with_config(CONFIG)
    }

    pub fn with_config(config: &str) -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("store.db");
        let config_path = dir.path().join("config.toml");
        std::fs::write(&config_path, config).expect("config");
        Env {
            dir,
            db,
            config: config_path,
        }
    }

    /// signoff as `user`, with its clock at [`NOW`].
    pub fn cmd(&self, user: &str) -> Command {
        Command::from_std(self.std_cmd(user))
    }

    /// signoff as `user`, with its clock at [`NOW`]: the library's entry behind
    /// `examples/fixed_clock`, since the `signoff` binary only reads the system clock.
    pub fn std_cmd(&self, user: &str) -> std::process::Command {
        let c = self.real_std_cmd(user);
        let mut clocked = std::process::Command::new(clocked_bin());
        clocked.env_clear();
        for (k, v) in c.get_envs() {
            if let Some(v) = v {
                clocked.env(k, v);
            }
        }
        clocked.env("SIGNOFF_TEST_CLOCK", NOW);
        clocked
    }

    /// The `signoff` binary itself as `user`, on the system clock.
    pub fn real_cmd(&self, user: &str) -> Command {
        Command::from_std(self.real_std_cmd(user))
    }

    pub fn real_std_cmd(&self, user: &str) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("signoff"));
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("SIGNOFF_DB", &self.db)
            .env("SIGNOFF_CONFIG", &self.config)
            .env("SIGNOFF_USER", user);
        c
    }

    /// Copies a fixture into the temp dir (so rejects files land there) and returns its path.
    pub fn fixture(&self, name: &str) -> PathBuf {
        let src = fixtures().join(name);
        let dst = self.dir.path().join(name);
        std::fs::copy(&src, &dst).expect("copy fixture");
        dst
    }

    pub fn sample(&self, name: &str) -> PathBuf {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sample-data")
            .join(name);
        let dst = self.dir.path().join(name);
        std::fs::copy(&src, &dst).expect("copy sample");
        dst
    }

    pub fn conn(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.db).expect("open store")
    }

    /// Whether the complaint with this external id holds a company response: only those can
    /// be signed.
    pub fn has_response(&self, external_id: &str) -> bool {
        self.conn()
            .query_row(
                "SELECT count(*) FROM complaints WHERE external_id = ?1 AND response_text IS NOT NULL",
                [external_id],
                |r| r.get::<_, i64>(0),
            )
            .expect("response")
            > 0
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.conn().query_row(sql, [], |r| r.get(0)).expect("count")
    }

    /// Runs `import` as the admin and returns the parsed JSON report.
    pub fn import_json(&self, file: &Path, extra: &[&str]) -> serde_json::Value {
        let out = self
            .cmd("alex")
            .arg("import")
            .arg(file)
            .args(extra)
            .arg("--json")
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "import failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("json")
    }
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import")
}

pub fn counts(v: &serde_json::Value) -> [i64; 5] {
    ["read", "inserted", "updated", "unchanged", "rejected"].map(|k| v[k].as_i64().expect(k))
}

/// Updates held back as damaged copies of the stored text.
pub fn degraded(v: &serde_json::Value) -> i64 {
    v["degraded"].as_i64().expect("degraded")
}
