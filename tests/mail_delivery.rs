//! The outbox delivered to a real SMTP server (aiosmtpd on loopback): letters, the executive's
//! own letter and notifications arrive once each, to the right people, across a run the server
//! failed part-way, a run killed while a message was in flight, and runs repeated.

mod common;
#[path = "common/smtp.rs"]
mod smtp;

use std::collections::BTreeMap;

use common::Env;
use smtp::Sink;

/// People with addresses, so that notifications have somewhere to go.
const PEOPLE: &str = r#"
[identity]
trust_env_user = true

[[people]]
login = "dana"
name = "Dana Reyes"
title = "Chief Executive"
role = "executive"
email = "dana@acme.example"

[[people]]
login = "priya"
name = "Priya Shah"
title = "Head of Billing"
role = "division_head"
divisions = ["Billing"]
email = "priya@acme.example"

[[people]]
login = "lee"
name = "Lee Moreau"
title = "Head of Support"
role = "division_head"
divisions = ["Support"]
email = "lee@acme.example"

[[people]]
login = "alex"
name = "Alex Kim"
title = "Operations Administrator"
role = "admin"
"#;

fn setup(sink: &Sink) -> Env {
    let env = Env::with_config(&format!("{PEOPLE}\n{}", sink.mail_config()));
    env.import_json(&env.sample("helpdesk.csv"), &[]);
    env
}

fn run(env: &Env, user: &str, args: &[&str]) -> (Option<i32>, String) {
    let out = env.cmd(user).args(args).output().expect("run");
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn ok(env: &Env, user: &str, args: &[&str]) -> String {
    let (code, out) = run(env, user, args);
    assert_eq!(code, Some(0), "{args:?}: {out}");
    out
}

/// How many times each Message-ID arrived, and at which recipients.
fn tally(sink: &Sink) -> BTreeMap<String, (usize, Vec<String>)> {
    let mut t: BTreeMap<String, (usize, Vec<String>)> = BTreeMap::new();
    for r in sink.received() {
        let e = t.entry(r.message_id()).or_default();
        e.0 += 1;
        e.1 = r.rcpt.clone();
    }
    t
}

/// Three signed letters, with their customers' addresses.
const LETTERS: [(&str, &str); 3] = [
    ("T-04121", "harukayamamoto31@inbox.example"),
    ("T-04129", "tward@mail.example.com"),
    ("T-04132", "nuriapuig14@post.example"),
];

#[test]
fn letters_arrive_once_each_across_a_failing_server_and_repeated_runs() {
    let Some(sink) = smtp::start("letters_arrive_once_each") else {
        return;
    };
    let env = setup(&sink);
    for (r, _) in LETTERS {
        ok(&env, "dana", &["approve", r]);
    }
    // The server takes the first letter, then says "try again later".
    sink.accept_only(Some(1));
    let (code, out) = run(&env, "alex", &["send"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("not sent, waits"), "{out}");
    assert_eq!(sink.received().len(), 1);
    sink.accept_only(None);
    ok(&env, "alex", &["send"]);
    let out = ok(&env, "alex", &["send"]);
    assert!(out.contains("nothing to send"), "{out}");
    let t = tally(&sink);
    assert_eq!(t.len(), 3, "three letters: {t:?}");
    assert!(t.values().all(|(n, _)| *n == 1), "each once: {t:?}");
    let mut to: Vec<String> = t.values().flat_map(|(_, r)| r.clone()).collect();
    to.sort();
    let mut want: Vec<String> = LETTERS.iter().map(|(_, a)| a.to_string()).collect();
    want.sort();
    assert_eq!(to, want, "each to its customer");
    // What arrived is the signed letter, with its code.
    let first = &sink.received()[0];
    let m = first.parsed();
    let text = m.body_text(0).expect("text").into_owned();
    assert!(text.contains("I, Dana Reyes, Chief Executive, approve this message."));
    assert!(text.contains("Verification code: "));
    let listed = ok(&env, "alex", &["send", "--list"]);
    assert_eq!(
        listed.lines().filter(|l| l.contains(" sent ")).count(),
        3,
        "{listed}"
    );
}

#[test]
fn a_run_killed_in_flight_never_sends_twice_unless_asked_and_then_with_the_same_id() {
    let Some(sink) = smtp::start("a_run_killed_in_flight") else {
        return;
    };
    let env = setup(&sink);
    for (r, _) in LETTERS {
        ok(&env, "dana", &["approve", r]);
    }
    // The server takes the first letter and holds its reply back; the run is killed meanwhile.
    sink.hold(true);
    let mut child = env
        .std_cmd("alex")
        .arg("send")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("send");
    sink.wait_holding();
    child.kill().expect("kill");
    child.wait().expect("wait");
    sink.hold(false);
    assert_eq!(sink.received().len(), 1);

    // The next run sends the others and holds back the one it cannot know about.
    let (code, out) = run(&env, "alex", &["send"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("held back"), "{out}");
    assert!(out.contains("--resend-interrupted"), "{out}");
    let t = tally(&sink);
    assert_eq!(t.len(), 3);
    assert!(t.values().all(|(n, _)| *n == 1), "nothing twice: {t:?}");
    let (code, _) = run(&env, "alex", &["send"]);
    assert_eq!(code, Some(1), "still held back");
    assert_eq!(sink.received().len(), 3);

    // Asked to, it sends that one again: the same bytes under the same Message-ID.
    ok(&env, "alex", &["send", "--resend-interrupted"]);
    let got = sink.received();
    assert_eq!(got.len(), 4);
    assert_eq!(got[0].message_id(), got[3].message_id());
    assert_eq!(got[0].bytes, got[3].bytes);
    let out = ok(&env, "alex", &["send"]);
    assert!(out.contains("nothing to send"), "{out}");
}

#[test]
fn outreach_and_notifications_arrive_once_to_the_right_people() {
    let Some(sink) = smtp::start("outreach_and_notifications") else {
        return;
    };
    let env = setup(&sink);
    let note = env.dir.path().join("note.txt");
    std::fs::write(&note, "Dear customer, I am looking into this myself.").expect("write");
    ok(
        &env,
        "dana",
        &[
            "reach-out",
            "T-04121",
            "--message",
            note.to_str().expect("path"),
        ],
    );
    ok(
        &env,
        "dana",
        &[
            "push-back",
            "T-04129",
            "--reason",
            "canned",
            "--note",
            "Say sorry and mean it",
        ],
    );
    ok(
        &env,
        "dana",
        &[
            "push-back",
            "T-04158",
            "--reason",
            "no-empathy",
            "--note",
            "Call them",
        ],
    );

    // A dry run prints and records nothing.
    let dry = ok(&env, "alex", &["notify", "--dry-run"]);
    assert!(dry.contains("Say sorry and mean it"), "{dry}");
    assert!(sink.received().is_empty());

    let out = ok(&env, "alex", &["notify"]);
    assert!(out.contains("priya") && out.contains("lee"), "{out}");
    let out = ok(&env, "alex", &["notify"]);
    assert!(out.contains("nothing new"), "{out}");
    let got = sink.received();
    assert_eq!(got.len(), 2, "one message each for priya and lee");
    let priya = got
        .iter()
        .find(|r| r.rcpt == ["priya@acme.example"])
        .expect("priya's");
    assert!(priya.text().contains("Say sorry and mean it"));
    assert!(
        !priya.text().contains("Call them"),
        "Support's push-back is lee's"
    );

    // Priya answers: the executive hears of it, once.
    let revised = env.dir.path().join("revised.txt");
    std::fs::write(&revised, "We are sorry. Your refund is on its way.").expect("write");
    ok(
        &env,
        "priya",
        &[
            "answer",
            "T-04129",
            "--revise",
            revised.to_str().expect("path"),
        ],
    );
    ok(&env, "alex", &["notify"]);
    ok(&env, "alex", &["notify"]);
    let got = sink.received();
    assert_eq!(got.len(), 3);
    let dana = got
        .iter()
        .find(|r| r.rcpt == ["dana@acme.example"])
        .expect("dana's");
    assert!(dana.text().contains("T-04129"));

    // The daily digest goes once a day, with everything open.
    ok(&env, "alex", &["notify", "--digest"]);
    ok(&env, "alex", &["notify", "--digest"]);
    let got = sink.received();
    let digests: Vec<Vec<String>> = got[3..].iter().map(|r| r.rcpt.clone()).collect();
    assert_eq!(
        digests,
        [
            vec!["dana@acme.example".to_string()],
            vec!["lee@acme.example".to_string()]
        ],
        "a digest each for those with open work: priya has answered hers"
    );
    assert!(got[3]
        .parsed()
        .subject()
        .is_some_and(|s| s.contains("daily digest")));

    // The executive's letter goes with `send`, to the customer, once.
    ok(&env, "alex", &["send"]);
    ok(&env, "alex", &["send"]);
    let got = sink.received();
    let letters: Vec<_> = got
        .iter()
        .filter(|r| r.rcpt == ["harukayamamoto31@inbox.example"])
        .collect();
    assert_eq!(letters.len(), 1);
    assert!(letters[0].text().contains("I am looking into this myself."));
    assert!(letters[0].message_id().ends_with(".outreach@acme.example"));
    // Each message arrived once.
    let t = tally(&sink);
    assert!(t.values().all(|(n, _)| *n == 1), "{t:?}");
}
