//! The outbox delivered from a PostgreSQL store as from a SQLite one: a sign-off's letter goes
//! to a real SMTP server (aiosmtpd on loopback) once, a dry run writes the same message to a
//! folder, `send --list` says the same, and a division head may not send. On PostgreSQL the
//! intent to send is claimed by one run only. The PostgreSQL run needs a server
//! (SIGNOFF_TEST_PG); without one, or without aiosmtpd, it is skipped with a message, except
//! under CI.

mod common;
#[allow(dead_code)]
#[path = "common/smtp.rs"]
mod smtp;

use assert_cmd::Command;
use common::pg::{people_env, server, TestDb};
use common::Env;
use signoff::store::outbox::Attempt;
use signoff::store::pg::PgStore;
use smtp::Sink;

/// The common people with e-mail addresses, so that notifications have somewhere to go.
fn config_with_addresses(sink: &Sink) -> String {
    let mut c = config(sink);
    for who in ["dana", "priya", "lee"] {
        c = c.replace(
            &format!("login = \"{who}\"\n"),
            &format!("login = \"{who}\"\nemail = \"{who}@acme.example\"\n"),
        );
    }
    c
}

/// The common people, with no CARs opened by an import's rules, and `[mail]` at the sink.
fn config(sink: &Sink) -> String {
    format!(
        "{}\n[cars]\nopen_when = []\n{}",
        common::CONFIG,
        sink.mail_config()
    )
}

/// The signed letters, with their customers' addresses.
const LETTERS: [(&str, &str); 2] = [
    ("T-04121", "harukayamamoto31@inbox.example"),
    ("T-04129", "tward@mail.example.com"),
];

struct Store {
    env: Env,
    pg: Option<TestDb>,
}

#[derive(Debug)]
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Store {
    fn name(&self) -> &'static str {
        if self.pg.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }

    fn cmd(&self, who: &str) -> Command {
        let mut c = self.env.cmd(who);
        if let Some(db) = &self.pg {
            c.env("SIGNOFF_DB", db.url_for(who));
        }
        c
    }

    /// Logins as the common names, so both stores' outputs compare.
    fn plain(&self, text: &str) -> String {
        match &self.pg {
            Some(db) => text.replace(&format!("{}_", db.prefix), ""),
            None => text.to_string(),
        }
    }

    fn run(&self, who: &str, args: &[&str]) -> Ran {
        let out = self.cmd(who).args(args).output().expect("run");
        Ran {
            code: out.status.code(),
            stdout: self.plain(&String::from_utf8_lossy(&out.stdout)),
            stderr: self.plain(&String::from_utf8_lossy(&out.stderr)),
        }
    }

    fn ok(&self, who: &str, args: &[&str]) -> String {
        let r = self.run(who, args);
        assert_eq!(r.code, Some(0), "{who} {args:?} on {}: {r:?}", self.name());
        r.stdout
    }
}

/// A message's text without what differs between two stores for the same letter: its
/// Message-ID and verification code (made from the sign-off's record, which covers the
/// signer's login, prefixed on the test server) and its MIME boundaries. Soft line breaks are
/// joined first, so that a code split across lines is found.
fn unsealed(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let code = joined
        .lines()
        .find_map(|l| l.strip_prefix("X-Signoff-Verification-Code: "))
        .expect("a verification code")
        .trim()
        .to_string();
    joined
        .replace(&code, "<code>")
        .lines()
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            !(l.starts_with("message-id:") || l.contains("boundary") || l.starts_with("--"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What `send` printed, without Message-IDs and the test server's port.
fn without_ids(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("through 127.0.0.1:"))
        .map(|l| {
            l.split(' ')
                .filter(|w| !(w.starts_with('<') && w.ends_with('>')))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What one store did, to compare with the other: the dry run's files, the list before and
/// after, what `send` printed, and what the server took.
#[derive(Debug, PartialEq)]
struct Seen {
    written: Vec<String>,
    listed_before: String,
    sent: String,
    listed_after: String,
    received: Vec<(Vec<String>, String)>,
}

fn work(s: &Store, sink: &Sink) -> Seen {
    let file = s.env.sample("helpdesk.csv");
    s.ok("alex", &["import", file.to_str().expect("path")]);
    for (r, _) in LETTERS {
        s.ok("dana", &["approve", r]);
    }

    // A division head may not send.
    let r = s.run("priya", &["send"]);
    assert_eq!(r.code, Some(3), "{}: {r:?}", s.name());
    assert!(r.stderr.contains("may not send the outbox"), "{r:?}");

    // A dry run writes each letter to the folder and leaves the outbox as it was.
    let dir = s.env.dir.path().join("dry");
    let said = s.ok("dana", &["send", "--dry-run", dir.to_str().expect("dir")]);
    assert_eq!(said.matches("written: letter").count(), 2, "{said}");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the dry run's folder")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{}: {files:?}", s.name());
    let mut written: Vec<String> = files
        .iter()
        .map(|f| unsealed(&std::fs::read_to_string(f).expect("eml")))
        .collect();
    written.sort();
    assert!(sink.received().is_empty(), "a dry run sends nothing");
    let listed_before = s.ok("dana", &["send", "--list"]);
    assert_eq!(
        listed_before.matches(" letter   queued ").count(),
        2,
        "{}: {listed_before}",
        s.name()
    );

    // Sent once each, to the customer; a second run has nothing to send.
    let sent = s.ok("dana", &["send"]);
    assert_eq!(sent.matches("sent: letter").count(), 2, "{sent}");
    let again = s.ok("alex", &["send"]);
    assert!(
        again.contains("the outbox is empty: nothing to send"),
        "{again}"
    );
    let got = sink.received();
    assert_eq!(got.len(), 2, "{}: each letter once", s.name());
    let mut ids: Vec<String> = got.iter().map(|r| r.message_id()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 2, "two different letters");
    let mut received: Vec<(Vec<String>, String)> = got
        .iter()
        .map(|r| (r.rcpt.clone(), unsealed(&r.text())))
        .collect();
    received.sort();
    let mut to: Vec<String> = received.iter().flat_map(|(r, _)| r.clone()).collect();
    to.sort();
    let want: Vec<String> = LETTERS.iter().map(|(_, a)| a.to_string()).collect();
    assert_eq!(to, want, "{}: each to its customer", s.name());
    assert!(received
        .iter()
        .all(|(_, t)| t.contains("I, Dana Reyes, Chief Executive, approve this message.")));
    assert!(sent.contains("through 127.0.0.1:"), "{sent}");
    let listed_after = s.ok("dana", &["send", "--list"]);
    assert_eq!(
        listed_after.matches(" letter   sent ").count(),
        2,
        "{}: {listed_after}",
        s.name()
    );
    Seen {
        written,
        listed_before,
        sent: without_ids(&sent),
        listed_after,
        received,
    }
}

#[test]
fn a_sign_offs_letter_goes_once_from_either_store() {
    let Some(admin) = server("a_sign_offs_letter_goes_once_from_either_store") else {
        return;
    };
    let Some(lite_sink) = smtp::start("a_sign_offs_letter_goes_once (SQLite)") else {
        return;
    };
    let Some(pg_sink) = smtp::start("a_sign_offs_letter_goes_once (PostgreSQL)") else {
        return;
    };
    let lite = Store {
        env: Env::with_config(&config(&lite_sink)),
        pg: None,
    };
    let db = TestDb::new(&admin);
    let env = people_env(&db, &config(&pg_sink), &["dana", "priya", "lee", "alex"]);
    let pg = Store { env, pg: Some(db) };
    let on_lite = work(&lite, &lite_sink);
    let on_pg = work(&pg, &pg_sink);
    assert_eq!(on_pg, on_lite);
}

#[test]
fn on_postgresql_one_run_only_claims_a_message() {
    let Some(admin) = server("on_postgresql_one_run_only_claims_a_message") else {
        return;
    };
    let Some(sink) = smtp::start("on_postgresql_one_run_only_claims_a_message") else {
        return;
    };
    let db = TestDb::new(&admin);
    let env = people_env(&db, &config(&sink), &["dana", "priya", "lee", "alex"]);
    let s = Store { env, pg: Some(db) };
    let file = s.env.sample("helpdesk.csv");
    s.ok("alex", &["import", file.to_str().expect("path")]);
    s.ok("dana", &["approve", LETTERS[0].0]);
    let url = s.pg.as_ref().expect("pg").url_for("dana");
    let (mut one, mut two) = (
        PgStore::connect(&url).expect("connect"),
        PgStore::connect(&url).expect("connect"),
    );
    let waiting = one.waiting_mail(None).expect("waiting");
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    let item = &waiting[0];
    assert_eq!(item.recipient.as_deref(), Some(LETTERS[0].1));
    let seen_by_two = two.waiting_mail(Some("letter")).expect("waiting");
    assert_eq!(seen_by_two, waiting);
    let a = Attempt {
        recipient: LETTERS[0].1,
        message_id: "<claim-test@acme.example>",
        content: b"Message-ID: <claim-test@acme.example>\r\nSubject: claimed\r\n\r\nThe claimed bytes.\r\n",
        at: 1,
    };
    assert!(one
        .intend_to_send(item.id, item.attempts, &a)
        .expect("claim"));
    assert!(
        !two.intend_to_send(item.id, item.attempts, &a)
            .expect("claim"),
        "a second run with the same view may not claim it"
    );
    // The claimed message is held back from a later run rather than sent again.
    let r = s.run("dana", &["send"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stdout.contains("held back: letter"), "{r:?}");
    assert!(sink.received().is_empty());
    // A division head's login may not record an outcome: the server's policy changes nothing.
    let mut head = PgStore::connect(&s.pg.as_ref().expect("pg").url_for("priya")).expect("head");
    let _ = head.mark_sent(item.id, "250 ok", 2);
    let after = one.recent_mail(10).expect("recent");
    assert_eq!(after[0].state, "sending", "{after:?}");
    assert_eq!(after[0].attempts, 1);
    // Asked to, a run sends it again: the bytes and Message-ID of the attempt, once.
    let again = s.ok("dana", &["send", "--resend-interrupted"]);
    assert!(again.contains("sent: letter"), "{again}");
    let got = sink.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rcpt, [LETTERS[0].1]);
    assert_eq!(got[0].message_id(), "claim-test@acme.example");
    assert!(got[0].text().contains("The claimed bytes."));
    let last = s.ok("dana", &["send", "--resend-interrupted"]);
    assert!(last.contains("nothing to send"), "{last}");
    assert_eq!(sink.received().len(), 1);
    let after = one.recent_mail(10).expect("recent");
    assert_eq!((after[0].state.as_str(), after[0].attempts), ("sent", 2));
}

/// The executive's own letter and the notifications, on one store: what `reach-out`, `notify`
/// and `send` printed, and what the server took (by recipient, without ids).
fn outreach_and_notices(s: &Store, sink: &Sink) -> Vec<String> {
    let mut seen = Vec::new();
    let file = s.env.sample("helpdesk.csv");
    s.ok("alex", &["import", file.to_str().expect("path")]);
    let note = s.env.dir.path().join("note.txt");
    std::fs::write(&note, "Dear customer, I am looking into this myself.").expect("write");
    let path = note.to_str().expect("path");
    let r = s.run("priya", &["reach-out", "T-04121", "--message", path]);
    assert_eq!(
        r.code,
        Some(3),
        "{}: only an executive writes: {r:?}",
        s.name()
    );
    let queued = s.ok("dana", &["reach-out", "T-04121", "--message", path]);
    seen.push(without_ids(&queued));
    for (r, note) in [
        ("T-04129", "Say sorry and mean it"),
        ("T-04158", "Call them"),
    ] {
        s.ok(
            "dana",
            &["push-back", r, "--reason", "canned", "--note", note],
        );
    }
    let dry = s.ok("alex", &["notify", "--dry-run"]);
    assert!(dry.contains("Say sorry and mean it"), "{}: {dry}", s.name());
    seen.push(dry);
    assert!(sink.received().is_empty(), "a dry run sends nothing");
    let told = s.ok("alex", &["notify"]);
    assert!(told.contains("priya") && told.contains("lee"), "{told}");
    seen.push(without_ids(&told));
    let again = s.ok("alex", &["notify"]);
    assert!(
        again.contains("nothing new to tell anyone"),
        "{}: {again}",
        s.name()
    );
    assert_eq!(
        sink.received().len(),
        2,
        "{}: one each for priya and lee",
        s.name()
    );
    let sent = s.ok("dana", &["send"]);
    seen.push(without_ids(&sent));
    let again = s.ok("dana", &["send"]);
    assert!(again.contains("nothing to send"), "{again}");
    let mut got: Vec<String> = sink
        .received()
        .iter()
        .map(|r| {
            let m = r.parsed();
            format!(
                "{:?} {:?}\n{}",
                r.rcpt,
                m.subject(),
                m.body_text(0).expect("text")
            )
        })
        .collect();
    got.sort();
    assert_eq!(got.len(), 3, "{}: {got:?}", s.name());
    let priya = got
        .iter()
        .find(|t| t.starts_with("[\"priya@acme.example\"]"))
        .expect("priya's");
    assert!(priya.contains("Say sorry and mean it") && !priya.contains("Call them"));
    let letter = got
        .iter()
        .find(|t| t.starts_with("[\"harukayamamoto31@inbox.example\"]"))
        .expect("the customer's");
    assert!(
        letter.contains("I am looking into this myself."),
        "{letter}"
    );
    seen.extend(got);
    seen
}

#[test]
fn outreach_and_notifications_go_once_from_either_store() {
    let test = "outreach_and_notifications_go_once_from_either_store";
    let Some(admin) = server(test) else {
        return;
    };
    let (Some(lite_sink), Some(pg_sink)) = (smtp::start(test), smtp::start(test)) else {
        return;
    };
    let lite = Store {
        env: Env::with_config(&config_with_addresses(&lite_sink)),
        pg: None,
    };
    let db = TestDb::new(&admin);
    let env = people_env(
        &db,
        &config_with_addresses(&pg_sink),
        &["dana", "priya", "lee", "alex"],
    );
    let pg = Store { env, pg: Some(db) };
    let on_lite = outreach_and_notices(&lite, &lite_sink);
    let on_pg = outreach_and_notices(&pg, &pg_sink);
    assert_eq!(on_pg, on_lite);
}
