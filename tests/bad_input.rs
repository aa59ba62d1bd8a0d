//! Malformed and hostile import files (tests/fixtures/bad/MANIFEST.toml) through the real
//! binary: no panic, the stated outcome, counts that add up, a sound store left as it was by a
//! failure, private files; and hostile text that never reaches a terminal or a spreadsheet raw.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::Env;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Manifest {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    file: Option<String>,
    generate: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    exit: i32,
    counts: Option<[i64; 5]>,
    #[serde(default)]
    degraded: i64,
    #[serde(default)]
    stderr: Vec<String>,
    #[serde(default)]
    rejects: Vec<(u64, String)>,
    #[serde(default)]
    stored: Vec<(String, i64)>,
    why: String,
}

fn bad() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad")
}

fn manifest() -> Manifest {
    let text = std::fs::read_to_string(bad().join("MANIFEST.toml")).expect("manifest");
    toml::from_str(&text).expect("manifest parses")
}

const HEADER: &str = "Ticket ID,Created,Channel,Requester,Requester email,Group,Product,Subject,Description,Public reply,Replied,Assignee,Likelihood to recommend,Wants contact";

/// A helpdesk row with `text` as its Description.
fn row(id: &str, text: &str) -> String {
    format!("{id},2026-11-16 09:00:00,email,Ann Lee,ann@example.com,Billing,Broadband,Bill,{text},Sorry,2026-11-16 12:00:00,Agent 1,5,no")
}

/// Makes what a `generate` case imports, in `dir`, and returns its path.
fn generate(what: &str, dir: &Path) -> PathBuf {
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).expect("write");
        p
    };
    match what {
        "huge_field" => {
            let big = "x".repeat(50 * 1024 * 1024);
            let text = format!("{HEADER}\n{}\n{}\n", row("G-1", &big), row("G-2", "small"));
            write("huge_field.csv", text.as_bytes())
        }
        "huge_date" => {
            let bad = row("G-1", "text").replacen("2026-11-16 09:00:00", &"2".repeat(5 << 20), 1);
            let text = format!("{HEADER}\n{bad}\n{}\n", row("G-2", "text"));
            write("huge_date.csv", text.as_bytes())
        }
        "columns_100k" => {
            let mut text = String::from(HEADER);
            for i in 14..100_000 {
                text.push_str(&format!(",x{i}"));
            }
            text.push('\n');
            for id in ["G-1", "G-2"] {
                text.push_str(&row(id, "wide"));
                text.push_str(&",".repeat(100_000 - 14));
                text.push('\n');
            }
            write("columns_100k.csv", text.as_bytes())
        }
        "columns_100k_ragged" => {
            let wide = format!("{}{}", row("G-2", "wide"), ",".repeat(100_000 - 14));
            let text = format!("{HEADER}\n{}\n{wide}\n", row("G-1", "ok"));
            write("columns_100k_ragged.csv", text.as_bytes())
        }
        "long_line_no_eol" => {
            let long = "y".repeat(3 * 1024 * 1024);
            let text = format!("{HEADER}\n{}\n{}", row("G-1", "ok"), row("G-2", &long));
            write("long_line_no_eol.csv", text.as_bytes())
        }
        "directory" => {
            let p = dir.join("export.csv");
            std::fs::create_dir(&p).expect("mkdir");
            p
        }
        "missing" => dir.join("missing.csv"),
        "symlink_loop" => {
            std::os::unix::fs::symlink("loop_b.csv", dir.join("loop_a.csv")).expect("symlink");
            std::os::unix::fs::symlink("loop_a.csv", dir.join("loop_b.csv")).expect("symlink");
            dir.join("loop_a.csv")
        }
        "dangling_symlink" => {
            let p = dir.join("dangling.csv");
            std::os::unix::fs::symlink("nowhere.csv", &p).expect("symlink");
            p
        }
        "fifo" => {
            let p = dir.join("pipe.csv");
            let made = std::process::Command::new("mkfifo")
                .arg(&p)
                .status()
                .expect("mkfifo");
            assert!(made.success());
            p
        }
        other => panic!("no generator {other:?}"),
    }
}

/// The file a case imports: a fixture copied next to the store (so its rejects file lands
/// there), or something generated.
fn prepare(case: &Case, dir: &Path) -> PathBuf {
    match (&case.file, &case.generate) {
        (Some(f), None) => {
            let src = bad().join(f);
            let name = Path::new(f).file_name().expect("file name");
            let dst = dir.join(name);
            std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
            dst
        }
        (None, Some(g)) => generate(g, dir),
        _ => panic!("{}: give file or generate, not both", case.name),
    }
}

/// Everything that must not change when an import fails: the row count of every table, and
/// each complaint's key and content.
fn fingerprint(env: &Env) -> BTreeMap<String, String> {
    let conn = env.conn();
    let tables: Vec<String> = {
        let mut st = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .expect("tables");
        let rows = st.query_map([], |r| r.get(0)).expect("query");
        rows.collect::<Result<_, _>>().expect("names")
    };
    let mut out = BTreeMap::new();
    for t in tables {
        let n: i64 = conn
            .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))
            .expect("count");
        out.insert(t, n.to_string());
    }
    let rows: String = conn
        .query_row(
            "SELECT coalesce(group_concat(id || ':' || external_id || ':' || hex(content_hash), ','), '')
             FROM (SELECT * FROM complaints ORDER BY id)",
            [],
            |r| r.get(0),
        )
        .expect("complaints");
    out.insert("complaint rows".into(), rows);
    out
}

/// A byte that would reach a terminal as a control: C0 but line break and tab, DEL, and the
/// C1 controls as UTF-8 (C2 80 … C2 9F).
fn first_control(bytes: &[u8]) -> Option<usize> {
    bytes.iter().enumerate().position(|(i, &b)| {
        (b < 0x20 && b != b'\n' && b != b'\t')
            || b == 0x7f
            || (b == 0xc2 && bytes.get(i + 1).is_some_and(|n| (0x80..=0x9f).contains(n)))
    })
}

fn assert_inert(what: &str, bytes: &[u8]) {
    if let Some(i) = first_control(bytes) {
        let from = i.saturating_sub(60);
        panic!(
            "{what}: a control byte 0x{:02x} at {i} reaches the terminal: {:?}",
            bytes[i],
            String::from_utf8_lossy(&bytes[from..(i + 20).min(bytes.len())])
        );
    }
}

#[cfg(unix)]
fn assert_private(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "{} is not private", path.display());
}

#[cfg(not(unix))]
fn assert_private(_: &Path) {}

fn counts(v: &serde_json::Value) -> [i64; 5] {
    ["read", "inserted", "updated", "unchanged", "rejected"].map(|k| v[k].as_i64().expect(k))
}

fn run_case(case: &Case) {
    let name = &case.name;
    let env = Env::new();
    let baseline = env.dir.path().join("_baseline.csv");
    std::fs::copy(bad().join("_baseline.csv"), &baseline).expect("baseline");
    env.import_json(&baseline, &[]);
    let before = fingerprint(&env);
    let complaints_before = env.count("SELECT count(*) FROM complaints");

    let path = prepare(case, env.dir.path());
    let out = env
        .cmd("alex")
        .arg("import")
        .arg(&path)
        .arg("--json")
        .args(&case.args)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code();
    assert!(!stderr.contains("panicked"), "{name}: panicked: {stderr}");
    assert!(
        matches!(code, Some(0..=2)),
        "{name}: exit status {code:?}: {stderr}"
    );
    assert_eq!(code, Some(case.exit), "{name}: {stderr}");
    assert_inert(&format!("{name}: stdout"), &out.stdout);
    assert_inert(&format!("{name}: stderr"), &out.stderr);
    for s in &case.stderr {
        assert!(stderr.contains(s.as_str()), "{name}: {s:?} not in {stderr}");
    }
    let shown = path.file_name().expect("name").to_string_lossy();
    if case.exit != 0 {
        assert!(
            stderr.contains(shown.as_ref()),
            "{name}: the message does not name {shown}: {stderr}"
        );
    }

    // A file that could not be imported prints {"error", "file"} instead of its report.
    let json = serde_json::from_slice::<serde_json::Value>(&out.stdout).ok();
    if let Some(error) = json.as_ref().and_then(|v| v.get("error")) {
        assert!(case.exit != 0, "{name}: an error with exit 0: {error}");
        assert!(
            error.as_str().is_some_and(|e| stderr.contains(e)),
            "{name}: the JSON error {error} is not what stderr says: {stderr}"
        );
    }
    let report = json.filter(|v| v.is_object() && v.get("error").is_none());
    let integrity: String = env
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity");
    assert_eq!(integrity, "ok", "{name}");
    assert_private(&env.db);
    for ext in ["-wal", "-shm"] {
        let p = PathBuf::from(format!("{}{ext}", env.db.display()));
        if p.exists() {
            assert_private(&p);
        }
    }

    match &report {
        None => {
            assert!(case.exit != 0, "{name}: no JSON report: {stderr}");
            assert!(case.counts.is_none(), "{name}: no JSON report: {stderr}");
            assert_eq!(fingerprint(&env), before, "{name}: the store changed");
        }
        Some(r) => {
            let c = counts(r);
            let degraded = r["degraded"].as_i64().expect("degraded");
            assert_eq!(
                c[0],
                c[1] + c[2] + c[3] + degraded + c[4],
                "{name}: counts: {r}"
            );
            assert_eq!(degraded, case.degraded, "{name}: degraded: {r}");
            if let Some(want) = case.counts {
                assert_eq!(c, want, "{name}: {r}");
            }
            // Rows of a linked export (replies) count with the message they answer.
            let added = env.count("SELECT count(*) FROM complaints") - complaints_before;
            if r["profile"] == "social" {
                assert!((0..=c[1]).contains(&added), "{name}: {added} added");
            } else {
                assert_eq!(added, c[1], "{name}");
            }
            let imports = before.get("imports").map(|n| n.parse::<i64>().expect("n"));
            assert_eq!(
                Some(env.count("SELECT count(*) FROM imports")),
                imports.map(|n| n + 1),
                "{name}"
            );
            check_rejects(case, r, c[4]);
        }
    }
    for (sql, want) in &case.stored {
        assert_eq!(env.count(sql), *want, "{name}: {sql}");
    }
}

/// The rejects file names every rejected line, in the manifest's order, with its reason.
fn check_rejects(case: &Case, report: &serde_json::Value, rejected: i64) {
    let name = &case.name;
    let Some(file) = report["rejects_file"].as_str() else {
        assert_eq!(rejected, 0, "{name}: rejected rows but no rejects file");
        assert!(case.rejects.is_empty(), "{name}: no rejects file");
        return;
    };
    let file = Path::new(file);
    assert_private(file);
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(file)
        .expect("rejects file");
    let header = rdr.headers().expect("header").clone();
    assert_eq!((&header[0], &header[1]), ("line", "reason"), "{name}");
    let rows: Vec<(u64, String)> = rdr
        .records()
        .map(|r| {
            let r = r.expect("record");
            (r[0].parse().expect("line number"), r[1].to_string())
        })
        .collect();
    assert_eq!(rows.len() as i64, rejected, "{name}: {rows:?}");
    assert_eq!(
        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        case.rejects.iter().map(|r| r.0).collect::<Vec<_>>(),
        "{name}: rejected lines"
    );
    let first: Vec<&str> = report["first_rejects"]
        .as_array()
        .expect("first_rejects")
        .iter()
        .map(|v| v.as_str().expect("text"))
        .collect();
    for ((line, reason), (want_line, want)) in rows.iter().zip(&case.rejects) {
        assert!(
            reason.contains(want.as_str()),
            "{name}: line {line}: {reason:?} does not say {want:?}"
        );
        assert!(
            first.len() >= 10 || first.contains(&format!("line {want_line}: {reason}").as_str()),
            "{name}: line {line} not in the report: {first:?}"
        );
    }
}

#[test]
fn every_bad_file_has_its_stated_outcome() {
    let m = manifest();
    let mut names = std::collections::HashSet::new();
    for case in &m.case {
        assert!(names.insert(case.name.clone()), "{} twice", case.name);
        assert!(!case.why.is_empty(), "{}: say why", case.name);
    }
    assert!(m.case.len() >= 40, "{} cases", m.case.len());
    // Every committed fixture has a case (the baseline and the manifest aside).
    for entry in std::fs::read_dir(bad()).expect("dir") {
        let f = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if f == "MANIFEST.toml" || f == "_baseline.csv" {
            continue;
        }
        assert!(
            m.case.iter().any(|c| c.file.as_deref() == Some(f.as_str())),
            "{f} has no case in MANIFEST.toml"
        );
    }
    // Two at a time: the machine has two cores, and each import waits on its child process.
    let cases: Vec<&Case> = m.case.iter().collect();
    let (a, b) = cases.split_at(cases.len() / 2);
    std::thread::scope(|s| {
        let other = s.spawn(|| b.iter().for_each(|c| run_case(c)));
        a.iter().for_each(|c| run_case(c));
        if let Err(e) = other.join() {
            std::panic::resume_unwind(e);
        }
    });
}

/// A store holding the hostile fixtures, a sample of all of it, some decisions and CARs.
fn hostile_store() -> Env {
    let env = Env::new();
    for f in ["ansi_escapes.csv", "formula_injection.csv"] {
        let p = env.dir.path().join(f);
        std::fs::copy(bad().join(f), &p).expect("copy");
        env.import_json(&p, &[]);
    }
    env.import_json(&env.fixture("hd_control_chars.csv"), &[]);
    env.cmd("dana")
        .args([
            "sample", "--all", "--size", "40", "--seed", "7", "--label", "hostile",
        ])
        .assert()
        .success();
    env
}

fn output(env: &Env, user: &str, args: &[&str]) -> Vec<u8> {
    let out = env.cmd(user).args(args).output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    assert!(out.status.success(), "{args:?}: {stderr}");
    assert_inert(&format!("{args:?}: stderr"), &out.stderr);
    out.stdout
}

#[test]
fn hostile_text_never_reaches_the_terminal_raw() {
    let env = hostile_store();
    let ids: Vec<i64> = {
        let conn = env.conn();
        let mut st = conn
            .prepare("SELECT id FROM complaints ORDER BY id")
            .expect("prepare");
        let rows = st.query_map([], |r| r.get(0)).expect("query");
        rows.collect::<Result<_, _>>().expect("ids")
    };
    assert_eq!(ids.len(), 14);
    // Decisions and CARs, so that their listings have something hostile to show.
    let a5 = format!(
        "id:{}",
        env.count("SELECT id FROM complaints WHERE external_id LIKE 'A-5%'")
    );
    let f2 = format!(
        "id:{}",
        env.count("SELECT id FROM complaints WHERE external_id = 'F-2'")
    );
    for args in [
        vec!["approve", a5.as_str()],
        vec![
            "push-back",
            f2.as_str(),
            "--reason",
            "canned",
            "--note",
            "Call them.",
        ],
    ] {
        let out = output(&env, "dana", &args);
        assert_inert(&format!("{args:?}"), &out);
    }
    let mut runs: Vec<Vec<String>> = [
        "stats",
        "stats --json",
        "samples",
        "status",
        "flags",
        "verify",
        "car list",
        "car list --json",
        "sample --replay hostile",
        "sample --replay hostile --json",
        "report --format md",
        "report --format html",
        "report --format csv",
        "report --format json",
    ]
    .iter()
    .map(|s| s.split(' ').map(String::from).collect())
    .collect();
    for id in &ids {
        runs.push(vec!["show".into(), format!("id:{id}")]);
        runs.push(vec!["show".into(), format!("id:{id}"), "--json".into()]);
    }
    let cars = env.count("SELECT count(*) FROM cars");
    assert!(cars > 0, "the detractors have CARs");
    for car in 1..=cars {
        runs.push(vec!["car".into(), "show".into(), format!("CAR-{car}")]);
    }
    for args in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = output(&env, "dana", &args);
        assert_inert(&format!("{args:?}"), &out);
        assert!(!out.is_empty(), "{args:?} printed nothing");
    }
    // Reject reasons quote the values at fault: escaped, in text output too.
    let e = "\u{1b}";
    let rows = [
        row("R-1", "ok"),
        row("R-2", "ok").replacen("2026-11-16 09:00:00", &format!("{e}[2J"), 1),
        row("R-3", "ok").replacen(",5,no", &format!(",{e}]52;c;eA==\u{7},no"), 1),
        row("R-4", "ok").replacen(",5,no", &format!(",5,{e}[31myes"), 1),
        row(&format!("R-1{e}[0m"), "ok"),
        row(&format!("R-1{e}[0m"), "again"),
    ];
    let file = env.dir.path().join("hostile_rejects.csv");
    std::fs::write(&file, format!("{HEADER}\n{}\n", rows.join("\n"))).expect("write");
    let out = env
        .cmd("alex")
        .arg("import")
        .arg(&file)
        .output()
        .expect("run");
    assert!(out.status.success());
    assert_inert("import, text output", &out.stdout);
    assert_inert("import, text output", &out.stderr);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("line 3: column \"Created\": \"\\u{1b}[2J\""),
        "{said}"
    );
    assert!(
        said.contains("line 7: \"R-1\\u{1b}[0m\" appears again"),
        "{said}"
    );

    // The text is all there, made visible.
    let show = String::from_utf8(output(&env, "dana", &["show", &a5])).expect("utf-8");
    assert!(show.contains("A-5␛[2J"), "{show}");
    assert!(show.contains("Support␛[2K␇"), "{show}");
}

#[test]
fn reports_neutralise_formulas_and_escape_markup() {
    let env = hostile_store();
    let csv_text = output(&env, "dana", &["report", "--format", "csv"]);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(&csv_text[..]);
    let mut cells = 0;
    for rec in rdr.records() {
        for cell in rec.expect("record").iter() {
            cells += 1;
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a formula reaches the spreadsheet: {cell:?}"
            );
        }
    }
    assert!(cells > 100);
    let text = String::from_utf8(csv_text).expect("utf-8");
    assert!(
        text.contains("'=HYPERLINK("),
        "the Group formula is kept, as text"
    );
    assert!(text.contains("'@Logistics"));

    let html =
        String::from_utf8(output(&env, "dana", &["report", "--format", "html"])).expect("utf-8");
    assert!(!html.contains("<b>Billing</b>"), "markup in a Group");
    assert!(html.contains("&lt;b&gt;Billing&lt;/b&gt;"));
    assert!(!html.contains("<script>alert"), "a script");
    assert!(!html.contains("<img src=x"), "an image");
    let md = String::from_utf8(output(&env, "dana", &["report", "--format", "md"])).expect("utf-8");
    assert!(!md.contains("<b>Billing</b>"), "markup in a Group");
    assert!(md.contains("\\<b\\>Billing\\</b\\>"), "{md}");

    // The rejects file keeps the export's own values: it is for fixing and importing again.
    let rejects = std::fs::read_to_string(env.dir.path().join("formula_injection.rejects.csv"))
        .expect("rejects");
    assert!(rejects.contains(",=1+10,"), "{rejects}");
}

#[test]
fn the_review_screen_shows_hostile_text_inert() {
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;
    use signoff::config::{Config, Person, Role};
    use signoff::store::Db;
    use signoff::tui::app::Action;
    use signoff::tui::keymap::Keymap;
    use signoff::tui::theme::Theme;
    use signoff::tui::{perform_all, prepare, view, Open, Session};

    let env = hostile_store();
    let db = Db::open(&env.db, Duration::from_secs(5)).expect("open");
    let dana = Person {
        login: "dana".into(),
        name: "Dana Reyes".into(),
        title: "Chief Executive".into(),
        role: Role::Executive,
        divisions: vec![],
        keys: vec![],
        email: None,
    };
    let mut cfg = Config::defaults().expect("config");
    cfg.people = vec![dana.clone()];
    let now = 1_795_262_400; // 2026-11-21 12:00 UTC, as the binary's clock in common::Env
    let mut s = Session {
        db: Box::new(db),
        keys: Keymap::new(&cfg.review.keys).expect("keys"),
        cfg,
        person: dana,
        clock: {
            let t = chrono::DateTime::from_timestamp(now, 0).expect("now");
            std::sync::Arc::new(move || t)
        },
        signer: Default::default(),
        theme: Theme::plain(),
    };
    let mut app = prepare(&mut s, &Open::default()).expect("prepare");
    assert_eq!(app.rows.len(), 14);
    let mut t = Terminal::new(TestBackend::new(160, 60)).expect("terminal");
    for i in 0..app.rows.len() {
        if i > 0 {
            let eff = app.update(Action::Down);
            perform_all(&mut s, &mut app, eff);
        }
        let cx = view::Ctx {
            theme: &s.theme,
            keys: &s.keys,
            now,
        };
        t.draw(|f| view::draw(f, &app, &cx)).expect("draw");
        let screen: String = t
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert_inert(&format!("screen, row {i}"), screen.as_bytes());
        assert!(app.detail.is_some(), "row {i} has its detail");
    }
}
