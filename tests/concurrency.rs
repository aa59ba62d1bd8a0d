//! Deciding while an import holds the store. An import writes each file in one transaction and
//! holds SQLite's write lock until it commits; decisions made meanwhile, from the command line or
//! the review screen, wait for it and are saved: none lost, none failing, no "locked" shown.
//!
//! By default 200 command-line decisions run during a 50 000-row import, and the screen signs
//! during a 100 000-row one (a fifth and a third of that in a debug build, whose importer is
//! slower); SIGNOFF_LONG_TESTS=1 runs 1 000 decisions during a 200 000-row import. Each test
//! checks that the decisions and the import overlapped. The screen test needs tmux, as
//! tests/tui_e2e.rs does.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::tmux::Tmux;
use common::Env;

/// Each attempt to write waits half a second, so a long import makes every waiting decision
/// try again many times.
const CONFIG: &str = r#"
[store]
busy_timeout_ms = 500

[identity]
trust_env_user = true

[[people]]
login = "dana"
name = "Dana Reyes"
title = "Chief Executive"
role = "executive"

[[people]]
login = "hana"
name = "Hana Ito"
title = "Head of Operations"
role = "division_head"
divisions = ["Billing", "Support", "Logistics", "Warranty", "Sales"]

[[people]]
login = "alex"
name = "Alex Kim"
title = "Operations Administrator"
role = "admin"
"#;

/// The two tests share two cores: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn long() -> bool {
    std::env::var("SIGNOFF_LONG_TESTS").is_ok_and(|v| v == "1")
}

/// Rows for the default import: fewer in a debug build, whose import takes several times as long.
fn default_rows(release: u64, debug: u64) -> u64 {
    if cfg!(debug_assertions) {
        debug
    } else {
        release
    }
}

fn ok(env: &Env, user: &str, args: &[&str]) -> std::process::Output {
    let out = env.cmd(user).args(args).output().expect("run");
    assert!(
        out.status.success(),
        "{user} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json(env: &Env, user: &str, args: &[&str]) -> serde_json::Value {
    let out = ok(env, user, &[args, &["--json"]].concat());
    serde_json::from_slice(&out.stdout).expect("json")
}

/// A generated helpdesk export of `rows` rows.
fn generate(env: &Env, name: &str, rows: u64, seed: u64) -> PathBuf {
    let path = env.dir.path().join(name);
    ok(
        env,
        "alex",
        &[
            "generate",
            "--rows",
            &rows.to_string(),
            "--until",
            "2026-11-20",
            "--seed",
            &seed.to_string(),
            "--out",
            &path.display().to_string(),
        ],
    );
    path
}

/// Starts an import of `file` under a source of its own (so it adds rows and touches no
/// sampled complaint) in another process.
fn start_import(env: &Env, file: &Path) -> Child {
    env.std_cmd("alex")
        .arg("import")
        .arg(file)
        .args(["--source", "bulk"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the import")
}

/// Whether another connection holds the store's write lock: a write transaction cannot start
/// without waiting.
fn writer_active(db: &Path) -> bool {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.busy_timeout(Duration::ZERO).expect("timeout");
    match conn.execute_batch("BEGIN IMMEDIATE") {
        Ok(()) => {
            conn.execute_batch("ROLLBACK").expect("rollback");
            false
        }
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::DatabaseBusy =>
        {
            true
        }
        Err(e) => panic!("probe: {e}"),
    }
}

/// Waits until the import holds the write lock; fails if it ends first.
fn wait_for_the_import_to_write(env: &Env, import: &mut Child) {
    let start = Instant::now();
    while !writer_active(&env.db) {
        if let Some(status) = import.try_wait().expect("import") {
            panic!("the import ended ({status}) before it was seen writing: make it larger");
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the import never took the write lock"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn finish_import(import: Child) -> std::process::Output {
    let out = import.wait_with_output().expect("import");
    assert!(
        out.status.success(),
        "the import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// One scripted decision.
struct Step {
    user: &'static str,
    args: Vec<String>,
}

/// A run of one decision command.
struct Ran {
    args: Vec<String>,
    started: Instant,
    code: Option<i32>,
    stderr: String,
}

/// The decisions for one complaint: sign; push back; push back and answer; push back, answer
/// and sign the answered response. Answers rotate through the three kinds.
fn script(i: usize, reference: &str, revised: &Path) -> Vec<Step> {
    let r = format!("id:{reference}");
    let step = |user, args: &[&str]| Step {
        user,
        args: args.iter().map(|s| s.to_string()).collect(),
    };
    let approve = step("dana", &["approve", &r]);
    let push_back = step(
        "dana",
        &[
            "push-back",
            &r,
            "--reason",
            "canned,no-empathy",
            "--note",
            "Call the customer back today.",
        ],
    );
    let revised = revised.display().to_string();
    let answer = match i % 3 {
        0 => step(
            "hana",
            &["answer", &r, "--corrective-action", "Refunded and called."],
        ),
        1 => step("hana", &["answer", &r, "--dispute", "The reply was right."]),
        _ => step("hana", &["answer", &r, "--revise", &revised]),
    };
    match i % 4 {
        0 => vec![approve],
        1 => vec![push_back],
        2 => vec![push_back, answer],
        _ => vec![push_back, answer, approve],
    }
}

#[test]
fn command_line_decisions_during_an_import_are_all_saved() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (decisions, rows) = if long() {
        (1_000, 200_000)
    } else {
        (200, default_rows(50_000, 10_000))
    };
    let workers = 4;
    let clock = Instant::now();
    let env = Env::with_config(CONFIG);
    let base = generate(&env, "base.csv", 3 * decisions as u64, 7);
    env.import_json(&base, &[]);
    let big = generate(&env, "big.csv", rows, 2);
    let revised = env.dir.path().join("revised.txt");
    std::fs::write(
        &revised,
        "Dear customer, I have refunded the charge today and will call you on Friday.\n",
    )
    .expect("revised");
    // Enough answered complaints for the script: 1.75 decisions each on average.
    let sample = json(
        &env,
        "dana",
        &[
            "sample",
            "--size",
            &(decisions * 6 / 7 + 16).to_string(),
            "--all",
            "--seed",
            "1",
        ],
    );
    let mut scripts: Vec<Vec<Step>> = Vec::new();
    let mut planned = 0;
    // Only answered complaints can be signed: the script works on those.
    for (i, item) in sample["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|it| env.has_response(it["external_id"].as_str().expect("id")))
        .enumerate()
    {
        if planned == decisions {
            break;
        }
        let mut s = script(i, item["ref"].as_str().expect("ref"), &revised);
        s.truncate(decisions - planned);
        planned += s.len();
        scripts.push(s);
    }
    assert_eq!(planned, decisions, "the sample is large enough");
    let count = |kind: &str| -> usize {
        scripts
            .iter()
            .flatten()
            .filter(|s| s.args[0] == kind)
            .count()
    };
    let (approvals, push_backs, answers) = (count("approve"), count("push-back"), count("answer"));
    let setup = clock.elapsed();

    let import_started = Instant::now();
    let mut import = start_import(&env, &big);
    wait_for_the_import_to_write(&env, &mut import);
    let decisions_started = Instant::now();
    let import_ended: Arc<Mutex<Option<Instant>>> = Arc::new(Mutex::new(None));
    let waiter = {
        let ended = Arc::clone(&import_ended);
        std::thread::spawn(move || {
            let out = finish_import(import);
            *ended.lock().expect("lock") = Some(Instant::now());
            out
        })
    };

    // Each worker works through its own complaints, one decision after another.
    let mut shares: Vec<Vec<Vec<Step>>> = (0..workers).map(|_| Vec::new()).collect();
    for (i, s) in scripts.into_iter().enumerate() {
        shares[i % workers].push(s);
    }
    let ran: Vec<Ran> = std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .into_iter()
            .map(|share| {
                let env = &env;
                scope.spawn(move || {
                    let mut ran = Vec::new();
                    for step in share.iter().flatten() {
                        let started = Instant::now();
                        let out = env
                            .std_cmd(step.user)
                            .args(&step.args)
                            .stdin(Stdio::null())
                            .output()
                            .expect("run a decision");
                        ran.push(Ran {
                            args: step.args.clone(),
                            started,
                            code: out.status.code(),
                            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
                        });
                    }
                    ran
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    });
    let decisions_took = decisions_started.elapsed();
    let import_out = waiter.join().expect("import waiter");
    let import_ended = import_ended
        .lock()
        .expect("lock")
        .expect("the import ended");

    // Every command succeeded and said nothing about locks.
    assert_eq!(ran.len(), decisions);
    for r in &ran {
        let e = r.stderr.to_lowercase();
        assert!(
            r.code == Some(0) && !e.contains("locked") && !e.contains("busy"),
            "signoff {}: exit {:?}: {}",
            r.args.join(" "),
            r.code,
            r.stderr
        );
    }
    // Some ran while the import held the store.
    let during = ran.iter().filter(|r| r.started < import_ended).count();
    assert!(during > 0, "no decision started before the import ended");

    // Nothing lost: every decision is in the store and the chain holds.
    let stored = |kind: &str| {
        env.count(&format!(
            "SELECT count(*) FROM decisions WHERE kind = '{kind}'"
        )) as usize
    };
    assert_eq!(stored("approve"), approvals);
    assert_eq!(stored("push_back"), push_backs);
    assert_eq!(
        stored("revise") + stored("corrective_action") + stored("dispute"),
        answers
    );
    assert_eq!(
        env.count("SELECT count(*) FROM decisions") as usize,
        decisions
    );
    let verify = json(&env, "dana", &["verify"]);
    assert_eq!(verify["decisions"], decisions as i64);
    assert_eq!(verify["ok"], true, "{verify}");
    // And the import is whole.
    assert_eq!(
        env.count("SELECT count(*) FROM complaints WHERE source = 'bulk'"),
        rows as i64,
        "{}",
        String::from_utf8_lossy(&import_out.stdout)
    );
    eprintln!(
        "{decisions} decisions by {workers} workers during a {rows}-row import: set-up {:.1} s, \
         import {:.1} s (writing from {:.1} s), decisions {:.1} s, {during} of them started \
         before the import ended",
        setup.as_secs_f64(),
        (import_ended - import_started).as_secs_f64(),
        (decisions_started - import_started).as_secs_f64(),
        decisions_took.as_secs_f64(),
    );
}

// --- the review screen in tmux ---

#[test]
fn the_screen_signs_during_an_import_and_never_shows_locked() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let rows = if long() {
        200_000
    } else {
        default_rows(100_000, 30_000)
    };
    let env = Env::with_config(CONFIG);
    env.import_json(&env.sample("helpdesk.csv"), &[]);
    ok(
        &env,
        "dana",
        &["sample", "--size", "5", "--all", "--seed", "3"],
    );
    let big = generate(&env, "big.csv", rows, 2);

    let t = Tmux::start(&env, "dana", "exec");
    t.wait_for("0 / 5");
    // The signature statement is on the screen before the import starts; it is confirmed once
    // the import holds the store.
    t.keys(&["a"]);
    t.wait_for("approve this message");
    let mut import = start_import(&env, &big);
    wait_for_the_import_to_write(&env, &mut import);
    t.keys(&["y"]);

    let mut screens = 0;
    let mut never_locked = |s: &str| {
        screens += 1;
        assert!(
            !s.to_lowercase().contains("locked"),
            "the screen shows a lock:\n{s}"
        );
    };
    let limit = Duration::from_secs(120);
    // Shown only when the save found the store held: the screen and the import overlapped.
    t.wait_for_checking("waiting for the import", limit, &mut never_locked);
    // The screen is not frozen meanwhile: help opens and closes while the save waits.
    t.keys(&["?"]);
    let s = t.wait_for_checking("this help", limit, &mut never_locked);
    assert!(
        s.contains("waiting for the import") || import.try_wait().expect("import").is_some(),
        "{s}"
    );
    t.keys(&["?"]);
    let saved = t.wait_for_checking("· saved", limit, &mut never_locked);
    assert!(saved.contains("1 / 5"), "{saved}");
    let import = finish_import(import);
    t.keys(&["q"]);
    t.wait_for_checking("EXITED 0", limit, &mut never_locked);
    drop(t);
    assert!(screens > 0);

    let kinds: Vec<String> = {
        let conn = env.conn();
        let mut st = conn
            .prepare("SELECT kind FROM decisions ORDER BY id")
            .expect("prepare");
        st.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    assert_eq!(kinds, ["approve"]);
    assert_eq!(
        env.count("SELECT count(*) FROM complaints WHERE source = 'bulk'"),
        rows as i64,
        "{}",
        String::from_utf8_lossy(&import.stdout)
    );
    ok(&env, "dana", &["verify"]);
}

// --- the screen's waiting, in process ---

mod screen {
    use std::time::{Duration, Instant};

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;
    use signoff::config::{Config, Person, Role};
    use signoff::store::Db;
    use signoff::tui::app::{Action, App, Mode};
    use signoff::tui::keymap::Keymap;
    use signoff::tui::theme::Theme;
    use signoff::tui::{perform_all, prepare, retry_waiting, view, Open, Session, ATTEMPT};

    use super::{ok, Env, CONFIG};

    const NOW: i64 = 1_795_262_400; // 2026-11-21 12:00 UTC

    fn session(env: &Env) -> Session {
        let db = Db::open(&env.db, ATTEMPT).expect("open");
        let cfg = Config::defaults().expect("config");
        let dana = Person {
            login: "dana".into(),
            name: "Dana Reyes".into(),
            title: "Chief Executive".into(),
            role: Role::Executive,
            divisions: vec![],
            keys: vec![],
            email: None,
        };
        Session {
            db: Box::new(db),
            keys: Keymap::new(&cfg.review.keys).expect("keys"),
            cfg,
            person: dana,
            clock: {
                let t = chrono::DateTime::from_timestamp(NOW, 0).expect("now");
                std::sync::Arc::new(move || t)
            },
            signer: Default::default(),
            theme: Theme::plain(),
        }
    }

    fn footer(s: &Session, app: &App) -> String {
        let mut t = Terminal::new(TestBackend::new(120, 30)).expect("terminal");
        let cx = view::Ctx {
            theme: &s.theme,
            keys: &s.keys,
            now: NOW,
        };
        t.draw(|f| view::draw(f, app, &cx)).expect("draw");
        t.backend().to_string()
    }

    fn decisions(env: &Env) -> i64 {
        env.count("SELECT count(*) FROM decisions")
    }

    /// Another writer (an import, say) holding the store until dropped.
    fn hold(env: &Env) -> rusqlite::Connection {
        let c = env.conn();
        c.execute_batch("BEGIN IMMEDIATE")
            .expect("take the write lock");
        c
    }

    fn type_text(app: &mut App, text: &str) {
        for ch in text.chars() {
            app.update(Action::Input(KeyEvent::new(
                KeyCode::Char(ch),
                KeyModifiers::NONE,
            )));
        }
    }

    #[test]
    fn a_save_that_finds_the_store_busy_waits_and_is_saved_later() {
        let env = Env::with_config(CONFIG);
        env.import_json(&env.sample("helpdesk.csv"), &[]);
        ok(
            &env,
            "dana",
            &["sample", "--size", "5", "--all", "--seed", "3"],
        );
        let mut s = session(&env);
        let mut app = prepare(&mut s, &Open::default()).expect("prepare");

        let import = hold(&env);
        app.update(Action::Sign);
        let eff = app.update(Action::Confirm);
        let started = Instant::now();
        perform_all(&mut s, &mut app, eff);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "the screen did not block"
        );
        assert!(app.waiting.is_some(), "the signature waits");
        let screen = footer(&s, &app);
        assert!(screen.contains("waiting for the import"), "{screen}");
        assert!(!screen.to_lowercase().contains("locked"), "{screen}");
        // One save at a time; reading goes on.
        assert_eq!(
            app.update(Action::PushBack),
            signoff::tui::app::Effect::None
        );
        assert!(matches!(app.mode, Mode::Normal));
        let eff = app.update(Action::Down);
        perform_all(&mut s, &mut app, eff);
        assert!(
            app.unsaved(),
            "quitting now would lose the signature: it asks"
        );
        // Still busy: still waiting.
        retry_waiting(&mut s, &mut app);
        assert!(app.waiting.is_some());
        assert_eq!(decisions(&env), 0);
        drop(import);
        retry_waiting(&mut s, &mut app);
        assert!(app.waiting.is_none());
        let (_, m) = app.message.clone().expect("a message");
        assert!(m.contains("saved"), "{m}");
        assert_eq!(decisions(&env), 1);

        // A push-back's text survives a wait that is given up, by Esc or by the time limit.
        let import = hold(&env);
        app.update(Action::PushBack);
        app.update(Action::Toggle);
        app.update(Action::FocusNext);
        type_text(&mut app, "Call her back.");
        let eff = app.update(Action::Save);
        perform_all(&mut s, &mut app, eff);
        assert!(app.waiting.is_some());
        app.update(Action::Cancel);
        match &app.mode {
            Mode::PushBack(f) => assert_eq!(f.note.lines().join("\n"), "Call her back."),
            _ => panic!("Esc gives the form back"),
        }
        let eff = app.update(Action::Save);
        perform_all(&mut s, &mut app, eff);
        s.cfg.store.write_wait_secs = 1;
        if let Some(w) = &mut app.waiting {
            w.since = Instant::now() - Duration::from_secs(2);
        }
        retry_waiting(&mut s, &mut app);
        assert!(app.waiting.is_none());
        assert!(matches!(app.mode, Mode::PushBack(_)), "the form is back");
        let (_, m) = app.message.clone().expect("a message");
        assert!(m.contains("stayed busy") && m.contains("not saved"), "{m}");
        drop(import);
        assert_eq!(decisions(&env), 1);
        let eff = app.update(Action::Save);
        perform_all(&mut s, &mut app, eff);
        assert_eq!(decisions(&env), 2, "saved once the store is free");
    }
}
