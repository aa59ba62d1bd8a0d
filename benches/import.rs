//! The import budget of the product brief, side by side with its anchor: `signoff import` of a
//! helpdesk export (validated, deduplicated, indexed for search) against `sqlite3 .import` of
//! the same file into a bare table, on the same machine, alternately.
//!
//! `cargo bench --bench import`; `SIGNOFF_BENCH_ROWS` (default 1 000 000) sets the size and
//! `SIGNOFF_BENCH_RUNS` (default 3) the runs of each. The export is made with the crate's own
//! generator under target/bench-data, and made again when the binary changes. Budget: at most 2 × the anchor (goal 1.5 ×), for the
//! work the budget names; a second row times the import with default settings, which also open
//! CARs and refresh the failure-mode checks (`SIGNOFF_BENCH_IMPORT_DEFAULTS=0` leaves it out).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const UNTIL: &str = "2026-11-20";

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Wall time and peak resident memory (KiB) of one child process.
struct Run {
    secs: f64,
    peak_kib: i64,
}

/// Runs `cmd` to completion; its own peak RSS comes from `wait4`, which reports on that child
/// alone (and reaps it: `Child::wait` would not say).
#[allow(clippy::zombie_processes)]
fn run(cmd: &mut Command) -> Run {
    let t0 = Instant::now();
    let child = cmd.spawn().expect("spawn");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pid is our own child's, not yet waited for; both pointers are valid.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let secs = t0.elapsed().as_secs_f64();
    assert_eq!(pid, child.id() as libc::pid_t, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{cmd:?} failed: status {status}"
    );
    Run {
        secs,
        peak_kib: usage.ru_maxrss,
    }
}

fn remove_store(db: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

fn sqlite3() -> Option<PathBuf> {
    ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .or_else(|| {
            let ok = Command::new("sqlite3").arg("-version").output().ok()?;
            ok.status.success().then(|| PathBuf::from("sqlite3"))
        })
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            let kib: u64 = s.lines().next()?.split_whitespace().nth(1)?.parse().ok()?;
            Some(format!("{:.1} GiB", kib as f64 / 1048576.0))
        })
        .unwrap_or_else(|| "? GiB".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{cores} cores ({cpu}), {mem} memory")
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() {
    // `cargo bench` passes --bench; a filter that does not name this bench skips it.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if !filter.is_empty() && !filter.iter().any(|f| "import".contains(f.as_str())) {
        return;
    }
    let rows = env_number("SIGNOFF_BENCH_ROWS", 1_000_000);
    let runs = env_number("SIGNOFF_BENCH_RUNS", 3).max(1);
    let bin = env!("CARGO_BIN_EXE_signoff");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("bench dir");
    // Made again whenever the binary is newer: a changed generator makes a different file.
    let csv = dir.join(format!("import-helpdesk-{rows}.csv"));
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if modified(&csv).is_none() || modified(&csv) < modified(Path::new(bin)) {
        eprintln!("generating {rows} rows → {}", csv.display());
        let part = dir.join(format!("import-helpdesk-{rows}.csv.part"));
        run(Command::new(bin)
            .args([
                "generate",
                "--rows",
                &rows.to_string(),
                "--until",
                UNTIL,
                "--out",
            ])
            .arg(&part));
        std::fs::rename(&part, &csv).expect("rename");
    }
    let size = std::fs::metadata(&csv).map_or(0, |m| m.len());
    let people = "[identity]\ntrust_env_user = true\n\n[[people]]\nlogin = \"bench\"\nname = \"Bench\"\ntitle = \"Admin\"\nrole = \"admin\"\n";
    // The budget's work: validate, deduplicate, index for search. The checks and CAR rules that
    // an import also runs by default are timed on their own row.
    let budget_cfg = dir.join("bench-import-budget.toml");
    std::fs::write(
        &budget_cfg,
        format!("{people}\n[checks]\nrefresh_after_import = false\n\n[cars]\nopen_when = []\n"),
    )
    .expect("config");
    let defaults_cfg = dir.join("bench-import-defaults.toml");
    std::fs::write(&defaults_cfg, people).expect("config");
    let with_defaults = env_number("SIGNOFF_BENCH_IMPORT_DEFAULTS", 1) != 0;
    let anchor_db = dir.join("bench-import-anchor.db");
    let ours_db = dir.join("bench-import-signoff.db");
    let sqlite3 = sqlite3();
    if sqlite3.is_none() {
        println!(
            "sqlite3 is not installed: the anchor needs it (`apt-get install sqlite3`); \
             timing signoff alone."
        );
    }
    let ours = |cfg: &Path| -> Run {
        remove_store(&ours_db);
        let r = run(Command::new(bin)
            .arg("--db")
            .arg(&ours_db)
            .arg("--config")
            .arg(cfg)
            .env("SIGNOFF_USER", "bench")
            .arg("import")
            .arg(&csv)
            .arg("--json")
            .stdout(std::process::Stdio::null()));
        remove_store(&ours_db);
        r
    };

    println!(
        "import bench: {rows} rows, {:.0} MB, {}",
        size as f64 / 1e6,
        machine()
    );
    let mut anchor = Vec::new();
    let mut budget = (Vec::new(), 0);
    let mut defaults = (Vec::new(), 0);
    let show = |what: &str, i: u64, r: &Run, load: &str| {
        println!(
            "  run {i}: {what:<28} {:7.2} s  peak {:4} MB  (load before: {load})",
            r.secs,
            r.peak_kib / 1024
        );
    };
    for i in 1..=runs {
        if let Some(sqlite3) = &sqlite3 {
            remove_store(&anchor_db);
            let l = load();
            let a = run(Command::new(sqlite3)
                .arg(&anchor_db)
                .arg(".mode csv")
                .arg(format!(".import {} t", csv.display())));
            remove_store(&anchor_db);
            show("sqlite3 .import", i, &a, &l);
            anchor.push(a.secs);
        }
        let l = load();
        let o = ours(&budget_cfg);
        show("signoff import", i, &o, &l);
        budget.0.push(o.secs);
        budget.1 = budget.1.max(o.peak_kib);
        if with_defaults {
            let l = load();
            let o = ours(&defaults_cfg);
            show("signoff import, defaults", i, &o, &l);
            defaults.0.push(o.secs);
            defaults.1 = defaults.1.max(o.peak_kib);
        }
    }

    let anchor_s = (!anchor.is_empty()).then(|| median(anchor));
    println!();
    println!("| work | anchor: sqlite3 .import | signoff | ratio | peak RSS (signoff) | budget |");
    println!("|---|---:|---:|---:|---:|---|");
    let row = |work: &str, (times, peak): (Vec<f64>, i64), budget: bool| {
        let ours_s = median(times);
        let (anchor_col, ratio_col, verdict) = match anchor_s {
            Some(a) => {
                let ratio = ours_s / a;
                let verdict = match (budget, ratio) {
                    (false, _) => "—",
                    (true, r) if r <= 1.5 => "≤ 2 × (goal 1.5 ×): met, goal too",
                    (true, r) if r <= 2.0 => "≤ 2 × (goal 1.5 ×): met",
                    (true, _) => "≤ 2 × (goal 1.5 ×): not met",
                };
                (format!("{a:.2} s"), format!("{ratio:.2} ×"), verdict)
            }
            None => ("n/a".into(), "n/a".into(), "n/a"),
        };
        println!(
            "| {work} | {anchor_col} | {ours_s:.2} s | {ratio_col} | {} MB | {verdict} |",
            peak / 1024
        );
    };
    let mb = size as f64 / 1e6;
    row(
        &format!("import {rows} rows ({mb:.0} MB): validated, deduplicated, indexed for search; median of {runs}"),
        budget,
        true,
    );
    if with_defaults {
        row(
            &format!(
                "the same with default settings (CAR rules and checks run too); median of {runs}"
            ),
            defaults,
            false,
        );
    }
}
