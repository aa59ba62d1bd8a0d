//! Holes found by attacking signoff, each closed and kept closed: outputs that were the store or
//! an input, dates that broke figures, fields and files without a size limit, a file changing
//! under an import, a closed or full standard output, and text that reorders a terminal line.

mod common;

use std::path::{Path, PathBuf};

use common::Env;

const HEADER: &str = "Ticket ID,Created,Channel,Requester,Requester email,Group,Product,Subject,Description,Public reply,Replied,Assignee,Likelihood to recommend,Wants contact";

/// A helpdesk row with `text` as its Description.
fn row(id: &str, text: &str) -> String {
    format!("{id},2026-11-16 09:00:00,email,Ann Lee,ann@example.com,Billing,Broadband,Bill,{text},Sorry,2026-11-16 12:00:00,Agent 1,5,no")
}

/// A store holding three complaints, H-1 … H-3.
fn loaded() -> Env {
    let env = Env::new();
    let f = write(&env, "base.csv", &rows(&["H-1", "H-2", "H-3"]));
    env.import_json(&f, &[]);
    env
}

fn rows(ids: &[&str]) -> String {
    let mut text = format!("{HEADER}\n");
    for id in ids {
        text.push_str(&row(id, "My bill is wrong."));
        text.push('\n');
    }
    text
}

fn write(env: &Env, name: &str, text: &str) -> PathBuf {
    let p = env.dir.path().join(name);
    std::fs::write(&p, text).expect("write");
    p
}

fn complaints(env: &Env) -> i64 {
    env.count("SELECT count(*) FROM complaints")
}

fn sound(env: &Env) {
    let ok: String = env
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity");
    assert_eq!(ok, "ok");
}

fn run(env: &Env, user: &str, args: &[&str]) -> std::process::Output {
    env.std_cmd(user).args(args).output().expect("run")
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn refused(out: &std::process::Output, what: &str) {
    assert_eq!(out.status.code(), Some(3), "{}", stderr(out));
    assert!(stderr(out).contains(what), "{}", stderr(out));
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).expect("stat").permissions().mode() & 0o777
}

// ------------------------------------------------------------------ outputs

#[test]
fn a_hard_link_to_the_store_is_refused_as_an_output() {
    let env = loaded();
    let link = env.dir.path().join("pack.md");
    std::fs::hard_link(&env.db, &link).expect("link");
    let out = run(&env, "dana", &["report", "--out", s(&link)]);
    refused(&out, "that is the store itself");
    assert!(stderr(&out).contains("pack.md"), "{}", stderr(&out));
    let out = run(
        &env,
        "dana",
        &["generate", "--rows", "5", "--out", s(&link)],
    );
    refused(&out, "that is the store itself");
    let bad = write(&env, "bad.csv", &format!("{HEADER}\nX-1,not a date\n"));
    let out = run(&env, "alex", &["import", s(&bad), "--rejects", s(&link)]);
    refused(&out, "that is the store itself");
    sound(&env);
    assert_eq!(complaints(&env), 3);
}

#[test]
fn a_symbolic_link_to_the_store_is_refused_as_an_output() {
    let env = loaded();
    let link = env.dir.path().join("pack.md");
    std::os::unix::fs::symlink(&env.db, &link).expect("symlink");
    refused(
        &run(&env, "dana", &["report", "--out", s(&link)]),
        "that is the store itself",
    );
    sound(&env);
}

#[test]
fn the_rejects_file_may_not_be_an_input() {
    let env = loaded();
    let text = format!("{}X-1,not a date\n", rows(&["N-1"]));
    let input = write(&env, "new.csv", &text);
    let out = run(&env, "alex", &["import", s(&input), "--rejects", s(&input)]);
    refused(&out, "that is the input file");
    assert_eq!(std::fs::read_to_string(&input).expect("read"), text);
    // A hard link to the export, and to the other file of the same import.
    let link = env.dir.path().join("other.csv");
    std::fs::hard_link(&input, &link).expect("link");
    let second = write(&env, "second.csv", &rows(&["N-2"]));
    let out = run(&env, "alex", &["import", s(&second), "--rejects", s(&link)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = env.dir.path().join("rej");
    std::fs::create_dir(&dir).expect("dir");
    std::fs::hard_link(&input, dir.join("second.rejects.csv")).expect("link");
    let out = run(
        &env,
        "alex",
        &["import", s(&input), s(&second), "--rejects", s(&dir)],
    );
    refused(&out, "that is the input file");
    assert_eq!(std::fs::read_to_string(&input).expect("read"), text);
    assert_eq!(complaints(&env), 4, "only N-2, by the run that was allowed");
}

#[test]
fn the_default_rejects_file_is_checked_too() {
    let env = loaded();
    let input = write(
        &env,
        "x.csv",
        &format!("{}X-1,not a date\n", rows(&["N-1"])),
    );
    std::fs::hard_link(&env.db, env.dir.path().join("x.rejects.csv")).expect("link");
    let out = run(&env, "alex", &["import", s(&input)]);
    refused(&out, "the rejects file");
    assert!(
        stderr(&out).contains("that is the store itself"),
        "{}",
        stderr(&out)
    );
    sound(&env);
    assert_eq!(complaints(&env), 3);
}

#[cfg(unix)]
#[test]
fn outputs_replace_a_file_readable_by_others_with_a_private_one() {
    use std::os::unix::fs::PermissionsExt;
    let env = loaded();
    let input = write(
        &env,
        "x.csv",
        &format!("{}X-1,not a date\n", rows(&["N-1"])),
    );
    let rejects = env.dir.path().join("x.rejects.csv");
    let pack = env.dir.path().join("pack.md");
    let export = env.dir.path().join("gen.csv");
    for p in [&rejects, &pack, &export] {
        std::fs::write(p, "old").expect("write");
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    assert!(run(&env, "alex", &["import", s(&input)]).status.success());
    assert!(run(&env, "dana", &["report", "--out", s(&pack)])
        .status
        .success());
    let out = run(
        &env,
        "dana",
        &["generate", "--rows", "3", "--out", s(&export)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    for p in [&rejects, &pack, &export] {
        assert_eq!(mode(p), 0o600, "{}", p.display());
        assert_ne!(std::fs::read_to_string(p).expect("read"), "old");
    }
    // Nothing temporary is left beside them.
    let stray: Vec<_> = std::fs::read_dir(env.dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

// ------------------------------------------------------------------ dates

#[test]
fn a_received_date_out_of_range_is_rejected_and_stats_still_work() {
    let env = loaded();
    let text = format!(
        "{}{}\n",
        rows(&["N-1"]),
        row("N-2", "text").replace("2026-11-16 09:00:00", "9999-12-31T23:59:59-12:00")
    );
    let input = write(&env, "far.csv", &text);
    let v = env.import_json(&input, &[]);
    assert_eq!(common::counts(&v), [2, 1, 0, 0, 1]);
    let reason = v["first_rejects"][0].as_str().expect("reason");
    assert!(
        reason.starts_with("line 3: field received_at (column \"Created\")"),
        "{reason}"
    );
    let out = run(&env, "alex", &["stats", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

// ------------------------------------------------------------------ profiles

#[test]
fn a_profile_with_an_offset_that_does_not_parse_is_refused() {
    let env = loaded();
    let built_in = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("config/profiles/helpdesk.toml"),
    )
    .expect("profile");
    let mine = built_in.replace("utc_offset = \"+00:00\"", "utc_offset = \"CET\"");
    assert_ne!(mine, built_in, "the helpdesk profile states its offset");
    let prof = write(&env, "mine.toml", &mine);
    let input = write(&env, "n.csv", &rows(&["N-1"]));
    let out = run(&env, "alex", &["import", s(&input), "--profile", s(&prof)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("mine.toml"), "{err}");
    assert!(err.contains("dates.utc_offset \"CET\""), "{err}");
    assert_eq!(complaints(&env), 3);
}

// ------------------------------------------------------------------ small files

#[cfg(unix)]
#[test]
fn small_files_are_read_with_a_limit() {
    let env = loaded();
    let input = write(&env, "n.csv", &rows(&["N-1"]));
    let out = env
        .std_cmd("alex")
        .env("SIGNOFF_CONFIG", "/dev/zero")
        .arg("stats")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("/dev/zero: larger than"),
        "{}",
        stderr(&out)
    );

    let out = run(&env, "alex", &["--config", "/dev/zero", "stats"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    let out = run(
        &env,
        "alex",
        &["import", s(&input), "--profile", "/dev/zero"],
    );
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("/dev/zero: larger than"),
        "{}",
        stderr(&out)
    );

    let dir = env.dir.path().join("profiles");
    std::fs::create_dir(&dir).expect("dir");
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.toml")).expect("symlink");
    let out = env
        .std_cmd("alex")
        .env("SIGNOFF_IMPORT__PROFILES_DIR", &dir)
        .args(["import", s(&input)])
        .output()
        .expect("run");
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("zero.toml: larger than"),
        "{}",
        stderr(&out)
    );

    let out = run(&env, "priya", &["answer", "H-1", "--revise", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--revise /dev/zero: larger than"),
        "{}",
        stderr(&out)
    );
    assert_eq!(complaints(&env), 3);
}

// ------------------------------------------------------------------ a file that changes

#[cfg(unix)]
#[test]
fn a_file_that_changes_during_its_import_fails_it_and_rolls_back() {
    use std::io::{BufRead, Write};
    let env = loaded();
    let big = env.dir.path().join("big.csv");
    let out = run(
        &env,
        "alex",
        &[
            "generate",
            "--rows",
            "30000",
            "--until",
            "2026-11-20",
            "--out",
            s(&big),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut child = env
        .std_cmd("alex")
        .env("SIGNOFF_LOG", "signoff=debug")
        .args(["import", s(&big)])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut log = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let mut said = String::new();
    let mut line = String::new();
    while log.read_line(&mut line).expect("read") > 0 {
        said.push_str(&line);
        if line.contains("store ready") {
            break;
        }
        line.clear();
    }
    assert!(said.contains("store ready"), "{said}");
    // The import holds still while the export grows by a row, as one being written would.
    // SAFETY: signals to a child this test started.
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&big)
        .expect("open");
    writeln!(f, "{}", row("LATE-1", "written during the import")).expect("append");
    drop(f);
    unsafe { libc::kill(pid, libc::SIGCONT) };
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut log, &mut rest).expect("read");
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(1), "{said}{rest}");
    assert!(
        rest.contains("big.csv: the file changed while it was being imported"),
        "{rest}"
    );
    sound(&env);
    assert_eq!(complaints(&env), 3);
    assert!(!env.dir.path().join("big.rejects.csv").exists());
}

// ------------------------------------------------------------------ fields too big to hold

/// Runs `cmd` and returns its output and its peak resident memory in bytes.
#[cfg(target_os = "linux")]
fn run_measured(mut cmd: std::process::Command) -> (i32, String, u64) {
    // Waited for below with wait4, which also gives its peak memory.
    #[allow(clippy::zombie_processes)]
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.expect("stderr"), &mut err).expect("read");
    let mut status = 0;
    // SAFETY: waits for the child this test started; rusage is plain data.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (code, err, usage.ru_maxrss as u64 * 1024)
}

/// A file with a Description of `field` bytes in row F-1 and a quoted multi-line one in F-3;
/// F-2 and F-4 are ordinary. Written a chunk at a time.
fn file_with_big_fields(path: &Path, field: u64) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let chunk = vec![b'x'; 1 << 20];
    let big = |f: &mut std::io::BufWriter<std::fs::File>, mut n: u64| {
        while n > 0 {
            let k = n.min(chunk.len() as u64) as usize;
            f.write_all(&chunk[..k]).expect("write");
            n -= k as u64;
        }
    };
    let (head, tail) = row("F-1", "\u{1}")
        .split_once('\u{1}')
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .expect("split");
    write!(f, "{HEADER}\n{head}").expect("write");
    big(&mut f, field);
    writeln!(f, "{tail}").expect("write");
    writeln!(f, "{}", row("F-2", "small")).expect("write");
    let (head, tail) = row("F-3", "\u{1}")
        .split_once('\u{1}')
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .expect("split");
    write!(f, "{head}\"line one\nline two\n").expect("write");
    big(&mut f, field);
    writeln!(f, "\"{tail}").expect("write");
    writeln!(f, "{}", row("F-4", "small")).expect("write");
    f.flush().expect("flush");
}

/// A field over the cap rejects its row with its line and column, the rest of the file
/// imports, and the field is never held: memory stays far below its size. The long variant
/// (SIGNOFF_LONG_TESTS=1, scripts/long-tests.sh) uses fields over SQLite's 1 GB limit and the
/// default cap.
#[cfg(target_os = "linux")]
#[test]
fn a_field_over_the_cap_rejects_its_row_in_bounded_memory() {
    let long = std::env::var("SIGNOFF_LONG_TESTS").is_ok_and(|v| v == "1");
    let (field, cap, limit): (u64, Option<&str>, u64) = if long {
        (1_100_000_000, None, 300 << 20)
    } else {
        (96 << 20, Some("1048576"), 80 << 20)
    };
    let env = loaded();
    let path = env.dir.path().join("big_fields.csv");
    file_with_big_fields(&path, field);
    let mut cmd = env.std_cmd("alex");
    if let Some(cap) = cap {
        cmd.env("SIGNOFF_IMPORT__MAX_FIELD_BYTES", cap);
    }
    cmd.args(["import", s(&path), "--json"]);
    let (code, err, rss) = run_measured(cmd);
    assert_eq!(code, 0, "{err}");
    let cap_shown = cap.unwrap_or("16777216");
    let rejects =
        std::fs::read_to_string(env.dir.path().join("big_fields.rejects.csv")).expect("rejects");
    let lines: Vec<&str> = rejects.lines().collect();
    assert_eq!(lines.len(), 3, "{rejects}");
    let want = format!(
        "column \"\"Description\"\": the field holds {field} bytes, more than import.max_field_bytes ({cap_shown}) allows"
    );
    assert!(
        lines[1].starts_with("2,") && lines[1].contains(&want),
        "{}",
        lines[1]
    );
    let want3 = want.replace(&field.to_string(), &(field + 18).to_string());
    assert!(
        lines[2].starts_with("4,") && lines[2].contains(&want3),
        "{}",
        lines[2]
    );
    assert_eq!(
        env.count("SELECT count(*) FROM complaints WHERE external_id IN ('F-2', 'F-4')"),
        2
    );
    assert_eq!(complaints(&env), 5);
    assert!(rss < limit, "peak memory {} MiB", rss >> 20);
}

// ------------------------------------------------------------------ a closed or full output

/// Runs `args` as `user` with standard output on /dev/full.
#[cfg(target_os = "linux")]
fn to_full(env: &Env, user: &str, args: &[&str]) -> std::process::Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    env.std_cmd(user)
        .args(args)
        .stdout(full)
        .output()
        .expect("run")
}

/// Runs `args` as `user` with standard output a pipe whose reader has gone.
#[cfg(unix)]
fn to_closed_pipe(env: &Env, user: &str, args: &[&str]) -> std::process::Output {
    let mut child = env
        .std_cmd(user)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    child.wait_with_output().expect("wait")
}

fn no_panic(out: &std::process::Output) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(out.status.code(), Some(101), "{err}");
}

fn decisions(env: &Env) -> i64 {
    env.count("SELECT count(*) FROM decisions")
}

#[cfg(target_os = "linux")]
#[test]
fn a_decision_saved_but_not_printed_says_so_and_fails() {
    let env = loaded();
    for (n, (args, json)) in [
        (&["approve", "H-1"][..], false),
        (&["approve", "H-2", "--json"][..], true),
    ]
    .into_iter()
    .enumerate()
    {
        let out = to_full(&env, "dana", args);
        no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{json}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("saved decision"), "{err}");
        assert!(err.contains("but could not print it"), "{err}");
        assert!(err.contains("No space left on device"), "{err}");
        assert_eq!(decisions(&env), n as i64 + 1);
    }
    let out = to_closed_pipe(
        &env,
        "dana",
        &[
            "push-back",
            "H-3",
            "--reason",
            "canned",
            "--note",
            "Call her.",
        ],
    );
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("saved decision 3"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("Broken pipe"), "{}", stderr(&out));
    assert_eq!(decisions(&env), 3);

    // The import opened a CAR for each (likelihood 5).
    let car = format!("CAR-{}", env.count("SELECT max(id) FROM cars"));
    let out = to_full(
        &env,
        "dana",
        &["car", "contact", &car, "--outcome", "Called"],
    );
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("saved {car} step")),
        "{}",
        stderr(&out)
    );
    let out = to_closed_pipe(
        &env,
        "dana",
        &[
            "car",
            "cause",
            &car,
            "--category",
            "process",
            "--note",
            "Batch",
        ],
    );
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("saved {car} step")),
        "{}",
        stderr(&out)
    );
}

#[cfg(target_os = "linux")]
#[test]
fn reading_commands_never_panic_on_a_closed_or_full_output() {
    let env = loaded();
    for args in [
        &["stats"][..],
        &["stats", "--json"],
        &["samples"],
        &["status"],
        &["show", "H-1"],
        &["flags"],
        &["report"],
        &["generate", "--rows", "200"],
    ] {
        let out = to_full(&env, "dana", args);
        no_panic(&out);
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        assert!(
            stderr(&out).contains("No space left on device"),
            "{args:?}: {}",
            stderr(&out)
        );
        let out = to_closed_pipe(&env, "dana", args);
        no_panic(&out);
    }
}

// ------------------------------------------------------------------ bidirectional overrides

fn has_bidi(text: &[u8]) -> bool {
    String::from_utf8_lossy(text)
        .chars()
        .any(|c| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
}

#[test]
fn bidirectional_overrides_are_shown_inert_everywhere() {
    let env = loaded();
    let text = format!(
        "{HEADER}\n{}\n",
        row(
            "R-1",
            "Refund \u{202e}0001$\u{202c} now \u{2066}please\u{2069} \u{202a}ok"
        )
        .replace(",Billing,", ",Bil\u{202e}gni\u{2067}ll,")
        .replace(",Bill,", ",Sub\u{202b}ject\u{2068},")
    );
    let input = write(&env, "bidi.csv", &text);
    env.import_json(&input, &[]);
    let runs: [&[&str]; 9] = [
        &["show", "R-1"],
        &["show", "R-1", "--json"],
        &["stats"],
        &["stats", "--json"],
        &["flags"],
        &["report", "--format", "md"],
        &["report", "--format", "html"],
        &["report", "--format", "csv"],
        &["report", "--format", "json"],
    ];
    for args in runs {
        let out = run(&env, "dana", args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(!has_bidi(&out.stdout), "{args:?} prints an override raw");
        assert!(!has_bidi(&out.stderr), "{args:?} says an override raw");
    }
    for format in ["md", "html", "csv"] {
        let out = run(&env, "dana", &["report", "--format", format]).stdout;
        let out = String::from_utf8(out).expect("utf-8");
        assert!(out.contains("Bil\u{fffd}gni\u{fffd}ll"), "{format}: {out}");
    }
    let shown = String::from_utf8(run(&env, "dana", &["show", "R-1"]).stdout).expect("utf-8");
    assert!(
        shown.contains("Refund \u{fffd}0001$\u{fffd} now"),
        "{shown}"
    );
}
