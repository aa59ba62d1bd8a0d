//! The sign-off as evidence: every record signed with its person's own SSH key, checked by
//! `verify` against the verifier's trust root, and the attacks that someone with write access to
//! the store would try — a forged approval with a recomputed chain, a rewritten push-back, a
//! truncated tail, a swallowing trigger, a configuration of one's own, the environment.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::Env;
use predicates::prelude::*;
use serde_json::Value;
use signoff::domain::decision::Decision;

const PEOPLE: &[(&str, &str, &str, &str, &str)] = &[
    ("dana", "Dana Reyes", "Chief Executive", "executive", ""),
    (
        "priya",
        "Priya Shah",
        "Head of Billing",
        "division_head",
        "Billing",
    ),
    (
        "lee",
        "Lee Moreau",
        "Head of Support",
        "division_head",
        "Support",
    ),
    ("alex", "Alex Kim", "Operations Administrator", "admin", ""),
];

/// A new Ed25519 key made by `ssh-keygen`, as git users make theirs.
fn keygen(path: &Path, comment: &str) -> String {
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f"])
        .arg(path)
        .status()
        .expect(
            "ssh-keygen must be installed for the signature tests (apt-get install openssh-client)",
        );
    assert!(ok.success(), "ssh-keygen failed");
    std::fs::read_to_string(path.with_extension("pub"))
        .expect("public key")
        .trim()
        .to_string()
}

/// The configuration with each person's key listed, and `key_file` naming their private key.
fn config(keys_dir: &Path, pubs: &[(String, String)], trust_env_user: bool) -> String {
    let mut c = format!(
        "[identity]\ntrust_env_user = {trust_env_user}\n\n[signing]\nkey_file = {:?}\n",
        keys_dir.join("{login}").display().to_string()
    );
    for (login, name, title, role, division) in PEOPLE {
        let key = &pubs.iter().find(|(l, _)| l == login).expect("key").1;
        c.push_str(&format!(
            "\n[[people]]\nlogin = {login:?}\nname = {name:?}\ntitle = {title:?}\nrole = {role:?}\nkeys = [{key:?}]\n"
        ));
        if !division.is_empty() {
            c.push_str(&format!("divisions = [{division:?}]\n"));
        }
    }
    c
}

struct Keyed {
    env: Env,
    keys: PathBuf,
    pubs: Vec<(String, String)>,
}

impl Keyed {
    fn new() -> Keyed {
        let env = Env::new();
        let keys = env.dir.path().join("keys");
        std::fs::create_dir_all(&keys).expect("keys dir");
        let pubs: Vec<(String, String)> = PEOPLE
            .iter()
            .map(|p| (p.0.to_string(), keygen(&keys.join(p.0), p.0)))
            .collect();
        std::fs::write(&env.config, config(&keys, &pubs, true)).expect("config");
        Keyed { env, keys, pubs }
    }

    fn allowed_signers(&self) -> PathBuf {
        let p = self.env.dir.path().join("allowed_signers");
        let text: String = self
            .pubs
            .iter()
            .map(|(l, k)| format!("{l} namespaces=\"signoff\" {k}\n"))
            .collect();
        std::fs::write(&p, text).expect("allowed_signers");
        p
    }

    /// An import, a sample, two sign-offs, a push-back and its answer: returns the pushed-back
    /// external id and a third, still pending.
    fn week(&self) -> (String, String) {
        let env = &self.env;
        env.import_json(&env.sample("helpdesk.csv"), &[]);
        let out = env
            .cmd("dana")
            .args(["sample", "--size", "8", "--seed", "3", "--all", "--json"])
            .output()
            .expect("sample");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let s: Value = serde_json::from_slice(&out.stdout).expect("json");
        let items = s["items"].as_array().expect("items");
        let id = |i: &Value| i["external_id"].as_str().expect("id").to_string();
        let billing: Vec<String> = items
            .iter()
            .filter(|i| i["division"] == "Billing")
            .map(id)
            .collect();
        // Only answered complaints can be signed.
        let others: Vec<String> = items
            .iter()
            .filter(|i| i["division"] != "Billing")
            .map(id)
            .filter(|x| env.has_response(x))
            .collect();
        assert!(
            !billing.is_empty() && others.len() >= 3,
            "seed 3 draws Billing and others"
        );
        for x in &others[..2] {
            env.cmd("dana").args(["approve", x]).assert().success();
        }
        env.cmd("dana")
            .args([
                "push-back",
                &billing[0],
                "--reason",
                "canned",
                "--note",
                "Call her.",
            ])
            .assert()
            .success();
        env.cmd("priya")
            .args([
                "answer",
                &billing[0],
                "--dispute",
                "We called her on Monday.",
            ])
            .assert()
            .success();
        (billing[0].clone(), others[2].clone())
    }
}

fn decisions(env: &Env) -> Vec<Decision> {
    signoff::store::decisions::all(&env.conn()).expect("decisions")
}

fn verify_json(env: &Env, args: &[&str]) -> (i32, Value) {
    let out = env
        .cmd("dana")
        .arg("verify")
        .args(args)
        .arg("--json")
        .output()
        .expect("verify");
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "not JSON: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().expect("exit"), v)
}

fn findings(v: &Value) -> Vec<(i64, String)> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["decision"].as_i64().expect("id"),
                f["problem"].as_str().expect("problem").to_string(),
            )
        })
        .collect()
}

/// Writes a decision row as someone with write access to the store would, the trigger that
/// refuses changes dropped and put back.
fn tamper(env: &Env, sql: &str) {
    let c = env.conn();
    let triggers: Vec<String> = c
        .prepare("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'decisions_append_only%'")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("triggers");
    c.execute_batch(&format!(
        "DROP TRIGGER decisions_append_only_update; DROP TRIGGER decisions_append_only_delete; {sql}; {};",
        triggers.join(";")
    ))
    .expect("tamper");
}

fn insert(env: &Env, d: &Decision) {
    env.conn()
        .execute(
            "INSERT INTO decisions (complaint_id, sample_id, kind, actor, actor_name, actor_title, at,
                 statement, reasons, note, due_at, body, retracts, text_hash, prev_hash, hash, signature)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            rusqlite::params![
                d.complaint_id, d.sample_id, d.kind.as_str(), d.actor, d.actor_name, d.actor_title,
                d.at, d.statement, d.reasons, d.note, d.due_at, d.body, d.retracts, d.text_hash,
                d.prev_hash, d.hash, d.signature
            ],
        )
        .expect("insert");
}

/// `ssh-keygen -Y sign` with `key` over `message`: what an attacker holding that key can make.
fn ssh_sign(dir: &Path, key: &Path, message: &[u8]) -> String {
    let msg = dir.join("forged.msg");
    std::fs::write(&msg, message).expect("msg");
    let _ = std::fs::remove_file(dir.join("forged.msg.sig"));
    let ok = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", "signoff", "-f"])
        .arg(key)
        .arg(&msg)
        .stderr(Stdio::null())
        .status()
        .expect("ssh-keygen");
    assert!(ok.success());
    std::fs::read_to_string(dir.join("forged.msg.sig")).expect("sig")
}

#[test]
fn every_record_is_signed_and_checks_with_ssh_keygen_too() {
    let k = Keyed::new();
    k.week();
    let (code, v) = verify_json(&k.env, &[]);
    assert_eq!(code, 0, "{v}");
    let ds = decisions(&k.env);
    assert_eq!(ds.len(), 4);
    let steps = v["car_steps"].as_u64().expect("steps") as usize;
    assert!(steps > 0, "the import opened CARs");
    assert_eq!(
        v["valid_signatures"].as_u64(),
        Some((ds.len() + steps) as u64)
    );
    assert_eq!(v["unsigned"].as_u64(), Some(0));

    // The signatures are OpenSSH's own format: ssh-keygen checks them against allowed_signers.
    let allowed = k.allowed_signers();
    let dir = k.env.dir.path();
    let check = |who: &str, message: &[u8], sig: &str| -> bool {
        std::fs::write(dir.join("m.sig"), sig).expect("sig");
        let mut child = Command::new("ssh-keygen")
            .args(["-Y", "verify", "-n", "signoff", "-I", who, "-f"])
            .arg(&allowed)
            .arg("-s")
            .arg(dir.join("m.sig"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ssh-keygen");
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(message)
            .expect("write");
        child.wait().expect("wait").success()
    };
    for d in &ds {
        let sig = d.signature.as_deref().expect("signed");
        assert!(
            check(&d.actor, &d.canonical(), sig),
            "decision {} checks",
            d.id
        );
        assert!(
            !check("lee", &d.canonical(), sig),
            "lee did not sign decision {}",
            d.id
        );
    }
    let answer = ds.last().expect("answer");
    assert_eq!(answer.actor, "priya");
    let events = signoff::store::cars::all_events(&k.env.conn()).expect("events");
    let e = &events[0];
    assert_eq!(e.actor, "alex");
    assert!(check(
        "alex",
        &e.canonical(),
        e.signature.as_deref().expect("signed")
    ));
}

#[test]
fn a_forged_approval_with_a_recomputed_chain_is_named() {
    let k = Keyed::new();
    let (_, pending) = k.week();
    let ds = decisions(&k.env);
    let last = ds.last().expect("last").clone();
    let complaint: i64 = k
        .env
        .conn()
        .query_row(
            "SELECT id FROM complaints WHERE external_id = ?1",
            [&pending],
            |r| r.get(0),
        )
        .expect("complaint");
    let text_hash =
        signoff::store::decisions::current_text_hash(&k.env.conn(), complaint).expect("text hash");
    // Dana's approval, written straight into the store with a correct hash and chain link.
    let mut forged = Decision {
        id: 0,
        complaint_id: complaint,
        kind: signoff::domain::decision::Kind::Approve,
        actor: "dana".into(),
        actor_name: "Dana Reyes".into(),
        actor_title: "Chief Executive".into(),
        statement: Some("I, Dana Reyes, Chief Executive, approve this message.".into()),
        reasons: None,
        note: None,
        due_at: None,
        body: None,
        retracts: None,
        text_hash,
        prev_hash: last.hash.clone(),
        at: last.at + 60,
        hash: String::new(),
        signature: None,
        sample_id: last.sample_id,
    };
    forged.hash = forged.compute_hash();
    insert(&k.env, &forged);
    let (code, v) = verify_json(&k.env, &[]);
    assert_eq!(code, 1);
    let id = last.id + 1;
    assert!(
        findings(&v)
            .iter()
            .any(|(d, p)| *d == id && p.starts_with("unsigned")),
        "{v}"
    );

    // The same, signed with Priya's key: a key, but not Dana's.
    tamper(&k.env, &format!("DELETE FROM decisions WHERE id = {id}"));
    forged.signature = Some(ssh_sign(
        k.env.dir.path(),
        &k.keys.join("priya"),
        &forged.canonical(),
    ));
    insert(&k.env, &forged);
    let (code, v) = verify_json(&k.env, &[]);
    assert_eq!(code, 1);
    assert!(
        findings(&v)
            .iter()
            .any(|(d, p)| *d == id && p.contains("forged") && p.contains("not a key of dana")),
        "{v}"
    );
}

#[test]
fn rewriting_a_push_back_into_an_approval_is_named() {
    let k = Keyed::new();
    k.week();
    let mut ds = decisions(&k.env);
    let pb = ds
        .iter()
        .position(|d| d.kind == signoff::domain::decision::Kind::PushBack)
        .expect("push-back");
    // Every later record re-hashed and re-chained, as a careful forger would.
    ds[pb].kind = signoff::domain::decision::Kind::Approve;
    ds[pb].statement = Some("I, Dana Reyes, Chief Executive, approve this message.".into());
    ds[pb].reasons = None;
    ds[pb].note = None;
    ds[pb].due_at = None;
    let mut sql = String::new();
    for i in pb..ds.len() {
        if i > pb {
            ds[i].prev_hash = ds[i - 1].hash.clone();
        }
        ds[i].hash = ds[i].compute_hash();
        let d = &ds[i];
        sql.push_str(&format!(
            "UPDATE decisions SET kind = '{}', statement = {}, reasons = NULL, note = {}, due_at = {}, prev_hash = '{}', hash = '{}' WHERE id = {};",
            d.kind.as_str(),
            d.statement.as_ref().map_or("NULL".into(), |s| format!("'{s}'")),
            d.note.as_ref().map_or("NULL".into(), |s| format!("'{s}'")),
            d.due_at.map_or("NULL".into(), |t| t.to_string()),
            d.prev_hash,
            d.hash,
            d.id
        ));
    }
    tamper(&k.env, sql.trim_end_matches(';'));
    let (code, v) = verify_json(&k.env, &[]);
    assert_eq!(code, 1);
    let f = findings(&v);
    let rewritten = ds[pb].id;
    assert!(
        f.iter().any(|(d, p)| *d == rewritten
            && p.starts_with("altered")
            && p.contains("dana's signature")),
        "{v}"
    );
    // The records after it are re-chained, so each one's own signature no longer covers it.
    for d in &ds[pb + 1..] {
        assert!(
            f.iter()
                .any(|(id, p)| *id == d.id && p.starts_with("altered")),
            "{v}"
        );
    }
}

#[test]
fn a_truncated_tail_is_caught_by_the_remembered_head_and_by_a_published_one() {
    let k = Keyed::new();
    k.week();
    let (code, v) = verify_json(&k.env, &[]);
    assert_eq!(code, 0, "{v}");
    let head = v["head"]["decisions"]["hash"]
        .as_str()
        .expect("head")
        .to_string();
    let text = k
        .env
        .cmd("dana")
        .args(["verify", "--head"])
        .output()
        .expect("head");
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    assert!(
        text.contains(&format!(
            "head of decisions: #4 {head} — Priya Shah (priya)"
        )) && text.contains("signed with SHA256:"),
        "{text}"
    );
    // The answer and the push-back it answers removed, as if never made.
    tamper(&k.env, "DELETE FROM decisions WHERE id >= 3");
    let (code, v) = verify_json(&k.env, &[]);
    assert_eq!(code, 1);
    let problems = v["head_problems"].to_string();
    assert!(
        problems.contains("shorter") && problems.contains("4 then"),
        "{v}"
    );
    // A verifier with no memory of this store is fooled by the shorter, self-consistent chain...
    let fresh = tempfile::tempdir().expect("home");
    let mut c = k.env.cmd("dana");
    c.env("HOME", fresh.path())
        .args(["verify"])
        .assert()
        .success();
    // ...unless it checks against the head that was published.
    let mut c = k.env.cmd("dana");
    c.env("HOME", fresh.path())
        .args(["verify", "--expect-head", &head[..20]])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("is not in either chain"));
    // The remembered head is not replaced by a chain that failed.
    let (code, _) = verify_json(&k.env, &[]);
    assert_eq!(code, 1);
}

#[test]
fn a_foreign_trigger_cannot_swallow_a_push_back_unseen() {
    let k = Keyed::new();
    let (_, pending) = k.week();
    k.env
        .conn()
        .execute_batch(
            "CREATE TRIGGER zz_hide BEFORE INSERT ON decisions WHEN NEW.kind = 'push_back'
             BEGIN SELECT RAISE(IGNORE); END;",
        )
        .expect("trigger");
    let before = decisions(&k.env).len();
    k.env
        .cmd("dana")
        .args([
            "push-back",
            &pending,
            "--reason",
            "canned",
            "--note",
            "Again.",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("swallowed"));
    assert_eq!(decisions(&k.env).len(), before);
    let (code, v) = verify_json(&k.env, &[]);
    assert_eq!(code, 1);
    assert!(
        v["schema_problems"]
            .to_string()
            .contains("foreign trigger \\\"zz_hide\\\""),
        "{v}"
    );
    // A dropped append-only trigger is named as missing.
    k.env
        .conn()
        .execute_batch("DROP TRIGGER zz_hide; DROP TRIGGER car_events_append_only_delete;")
        .expect("drop");
    let (code, v) = verify_json(&k.env, &[]);
    assert_eq!(code, 1);
    let schema = v["schema_problems"].to_string();
    assert!(
        schema.contains("car_events_append_only_delete") && schema.contains("missing"),
        "{v}"
    );
}

#[test]
fn a_configuration_of_ones_own_is_not_enough() {
    let k = Keyed::new();
    let (_, pending) = k.week();
    // Priya writes a configuration in which she is Dana, with her own key as Dana's.
    let priya_pub = k
        .pubs
        .iter()
        .find(|(l, _)| l == "priya")
        .expect("p")
        .1
        .clone();
    let mut pubs = k.pubs.clone();
    pubs.retain(|(l, _)| l != "dana");
    pubs.push(("dana".into(), priya_pub));
    let own = k.env.dir.path().join("mine.toml");
    std::fs::write(&own, config(&k.keys, &pubs, true)).expect("config");
    let priya_key = k.keys.join("priya");
    std::fs::write(
        &own,
        std::fs::read_to_string(&own).expect("read").replace(
            &k.keys.join("{login}").display().to_string(),
            &priya_key.display().to_string(),
        ),
    )
    .expect("config");
    k.env
        .cmd("dana")
        .env("SIGNOFF_CONFIG", &own)
        .args(["approve", &pending])
        .assert()
        .success();
    // Checked against the organisation's keys, it is a forgery.
    let (code, v) = verify_json(&k.env, &[]);
    assert_eq!(code, 1);
    let id = decisions(&k.env).last().expect("last").id;
    assert!(
        findings(&v)
            .iter()
            .any(|(d, p)| *d == id && p.contains("forged") && p.contains("not a key of dana")),
        "{v}"
    );
}

#[test]
fn a_person_acting_beyond_their_role_is_named() {
    let k = Keyed::new();
    let (_, pending) = k.week();
    // Priya's own configuration makes her an executive; she signs with her own, real key.
    let own = k.env.dir.path().join("mine.toml");
    std::fs::write(
        &own,
        config(&k.keys, &k.pubs, true).replace(
            "login = \"priya\"\nname = \"Priya Shah\"\ntitle = \"Head of Billing\"\nrole = \"division_head\"",
            "login = \"priya\"\nname = \"Priya Shah\"\ntitle = \"Head of Billing\"\nrole = \"executive\"",
        ),
    )
    .expect("config");
    k.env
        .cmd("priya")
        .env("SIGNOFF_CONFIG", &own)
        .args(["approve", &pending])
        .assert()
        .success();
    let (code, v) = verify_json(&k.env, &[]);
    assert_eq!(code, 1);
    let id = decisions(&k.env).last().expect("last").id;
    assert!(
        findings(&v)
            .iter()
            .any(|(d, p)| *d == id && p.contains("priya") && p.contains("not an executive")),
        "{v}"
    );
}

#[test]
fn unsigned_decisions_are_refused_once_keys_are_listed() {
    let k = Keyed::new();
    let (_, pending) = k.week();
    let before = decisions(&k.env).len();
    std::fs::remove_file(k.keys.join("dana")).expect("remove key");
    k.env
        .cmd("dana")
        .args(["approve", &pending])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("cannot sign as dana"));
    assert_eq!(decisions(&k.env).len(), before, "nothing saved");
    // Lee has a key, but Priya's is the one named: not his, so refused before anything is saved.
    let mine = k.env.dir.path().join("lee.toml");
    std::fs::write(
        &mine,
        config(&k.keys, &k.pubs, true).replace(
            &k.keys.join("{login}").display().to_string(),
            &k.keys.join("priya").display().to_string(),
        ),
    )
    .expect("config");
    k.env
        .cmd("lee")
        .env("SIGNOFF_CONFIG", &mine)
        .args(["car", "list"])
        .assert()
        .success();
    let car: i64 = k.env.count(
        "SELECT k.id FROM cars k JOIN complaints c ON c.id = k.complaint_id WHERE c.division = 'Support' LIMIT 1",
    );
    k.env
        .cmd("lee")
        .env("SIGNOFF_CONFIG", &mine)
        .args(["car", "contact", &car.to_string(), "--outcome", "Called"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "is not among the keys listed for lee",
        ));
}

#[test]
fn the_environment_switches_neither_identity_nor_the_clock() {
    let k = Keyed::new();
    let (_, pending) = k.week();
    // A configuration that does not trust $SIGNOFF_USER.
    std::fs::write(&k.env.config, config(&k.keys, &k.pubs, false)).expect("config");
    k.env
        .real_cmd("dana")
        .env("SIGNOFF_IDENTITY__TRUST_ENV_USER", "true")
        .args(["approve", &pending])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "identity.trust_env_user is read from the configuration file only",
        ));
    // SIGNOFF_USER alone names nobody: the operating-system login is who you are.
    let before = decisions(&k.env).len();
    k.env
        .real_cmd("dana")
        .args(["approve", &pending])
        .assert()
        .code(3);
    assert_eq!(decisions(&k.env).len(), before);
    // No flag or variable sets the time.
    std::fs::write(&k.env.config, config(&k.keys, &k.pubs, true)).expect("config");
    k.env
        .real_cmd("dana")
        .args(["--now", "2001-01-01T00:00:00Z", "approve", &pending])
        .assert()
        .code(2);
    let started = chrono::Utc::now().timestamp();
    k.env
        .real_cmd("dana")
        .env("SIGNOFF_NOW", "2001-01-01T00:00:00Z")
        .args(["approve", &pending])
        .assert()
        .success();
    let at = decisions(&k.env).last().expect("saved").at;
    assert!(
        at >= started - 1,
        "recorded at the real time, not 2001: {at}"
    );
}

#[test]
fn time_set_back_inside_the_chain_is_named() {
    let k = Keyed::new();
    k.week();
    let ds = decisions(&k.env);
    let answer = ds.last().expect("answer").clone();
    // The answer moved to a year before the push-back it answers, re-hashed and re-signed with
    // Priya's own key: a valid signature, but the time runs backwards in the chain.
    let mut moved = answer.clone();
    moved.at -= 365 * 86_400;
    moved.hash = moved.compute_hash();
    moved.signature = Some(ssh_sign(
        k.env.dir.path(),
        &k.keys.join("priya"),
        &moved.canonical(),
    ));
    tamper(
        &k.env,
        &format!("DELETE FROM decisions WHERE id = {}", answer.id),
    );
    insert(&k.env, &moved);
    let (code, v) = verify_json(&k.env, &[]);
    assert_eq!(code, 1);
    assert!(
        findings(&v)
            .iter()
            .any(|(d, p)| *d == answer.id && p.contains("its time was set back")),
        "{v}"
    );
}

#[test]
fn the_review_screen_signs_with_the_key_at_the_moment_of_the_decision() {
    let k = Keyed::new();
    k.env.import_json(&k.env.sample("helpdesk.csv"), &[]);
    k.env
        .cmd("dana")
        .args(["sample", "--size", "3", "--seed", "5", "--all"])
        .assert()
        .success();
    // The screen's clock starts at NOW and runs on: a sign-off made after reading for a while
    // carries the time it was made, not the time the screen opened.
    let t = common::tmux::Tmux::start(&k.env, "dana", "evidence");
    t.wait_for("0 / 3");
    std::thread::sleep(std::time::Duration::from_secs(3));
    t.keys(&["a"]);
    t.wait_for("approve this message");
    t.keys(&["y"]);
    t.wait_for("· saved");
    t.keys(&["q"]);
    t.wait_for("EXITED 0");
    drop(t);
    let ds = decisions(&k.env);
    assert_eq!(ds.len(), 1);
    let opened = chrono::DateTime::parse_from_rfc3339(common::NOW)
        .expect("now")
        .timestamp();
    assert!(
        ds[0].at >= opened + 3,
        "signed at {}, opened at {opened}",
        ds[0].at
    );
    assert!(ds[0].signature.is_some());
    let (code, v) = verify_json(&k.env, &[]);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn the_review_pack_names_the_head_it_covers() {
    let k = Keyed::new();
    k.week();
    let (_, v) = verify_json(&k.env, &[]);
    let head = v["head"]["decisions"]["hash"]
        .as_str()
        .expect("head")
        .to_string();
    for format in ["md", "html"] {
        k.env
            .cmd("dana")
            .args(["report", "--period", "week", "--format", format])
            .assert()
            .success()
            .stdout(predicate::str::contains(format!(
                "Covers the decision chain to #4 {head} (4 records)"
            )));
    }
    let out = k
        .env
        .cmd("dana")
        .args(["report", "--period", "week", "--format", "json"])
        .output()
        .expect("report");
    let pack: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        pack["meta"]["chain_head"]["decisions"]["hash"],
        head.as_str()
    );
    // A store still holding that head passes; the check is the same for any verifier.
    k.env
        .cmd("dana")
        .args(["verify", "--expect-head", &head])
        .assert()
        .success();
}

/// An ssh-agent of the test's own, on a socket in its folder, stopped when dropped.
struct Agent {
    child: std::process::Child,
    sock: PathBuf,
}

impl Agent {
    fn start(dir: &Path) -> Agent {
        let sock = dir.join("agent.sock");
        let child = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&sock)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ssh-agent (openssh-client) must be installed");
        let start = std::time::Instant::now();
        while !sock.exists() {
            assert!(start.elapsed().as_secs() < 10, "ssh-agent did not start");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Agent { child, sock }
    }

    fn add(&self, key: &Path) {
        let ok = Command::new("ssh-add")
            .arg("-q")
            .arg(key)
            .env("SSH_AUTH_SOCK", &self.sock)
            .stderr(Stdio::null())
            .status()
            .expect("ssh-add");
        assert!(ok.success());
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_key_can_stay_in_the_ssh_agent() {
    let k = Keyed::new();
    let (_, pending) = k.week();
    // No key file: the running agent signs, and only with a key listed for the person.
    std::fs::write(
        &k.env.config,
        config(&k.keys, &k.pubs, true).replace(
            &format!(
                "key_file = {:?}",
                k.keys.join("{login}").display().to_string()
            ),
            "key_file = \"\"",
        ),
    )
    .expect("config");
    let agent = Agent::start(k.env.dir.path());
    agent.add(&k.keys.join("priya"));
    k.env
        .cmd("dana")
        .env("SSH_AUTH_SOCK", &agent.sock)
        .args(["approve", &pending])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "none of its keys is listed for dana",
        ));
    agent.add(&k.keys.join("dana"));
    k.env
        .cmd("dana")
        .env("SSH_AUTH_SOCK", &agent.sock)
        .args(["approve", &pending])
        .assert()
        .success();
    let d = decisions(&k.env).pop().expect("saved");
    assert_eq!(d.actor, "dana");
    let (code, v) = verify_json(&k.env, &[]);
    assert_eq!(code, 0, "{v}");
    // The private key never reaches the store.
    let secret = std::fs::read_to_string(k.keys.join("dana")).expect("key");
    let body: String = secret.lines().filter(|l| !l.starts_with("-----")).collect();
    let store = std::fs::read(&k.env.db).expect("store");
    let tail = &body.as_bytes()[body.len() - 40..];
    assert!(!store.windows(tail.len()).any(|w| w == tail));
}
