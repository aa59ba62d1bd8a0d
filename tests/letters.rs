//! Signed letters from the command line: the e-mail parsed back with a MIME parser, its
//! statement and verification code, the code checked by `verify --code`, refusals for what is
//! not signed, and the executive's own letter in the conversation.

mod common;

use common::Env;
use serde_json::Value;

const CONFIG_MAIL: &str = r#"
[mail]
from = "Dana Reyes <ceo@acme.example>"
"#;

fn env() -> Env {
    let env = Env::with_config(&format!("{}{CONFIG_MAIL}", common::CONFIG));
    env.import_json(&env.sample("helpdesk.csv"), &[]);
    env
}

fn ok(out: std::process::Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn approve(env: &Env, r: &str) {
    ok(env.cmd("dana").args(["approve", r]).output().expect("run"));
}

/// T-04129 (Billing) has a reply and an e-mail address: tward@mail.example.com.
const SIGNED: &str = "T-04129";

#[test]
fn a_signed_letter_is_a_mime_message_with_the_statement_and_a_code_that_checks() {
    let env = env();
    approve(&env, SIGNED);
    let path = env.dir.path().join("letter.eml");
    let out = env
        .cmd("dana")
        .args(["letter", SIGNED, "--out"])
        .arg(&path)
        .output()
        .expect("run");
    ok(out);
    let bytes = std::fs::read(&path).expect("the letter");
    let m = mail_parser::MessageParser::default()
        .parse(&bytes)
        .expect("a MIME message");
    let to = m.to().and_then(|a| a.first()).expect("To");
    assert_eq!(to.address(), Some("tward@mail.example.com"));
    assert_eq!(
        m.from().and_then(|a| a.first()).and_then(|a| a.address()),
        Some("ceo@acme.example")
    );
    let id = m.message_id().expect("Message-ID");
    assert!(id.ends_with(".letter@acme.example"), "{id}");
    assert!(m.subject().is_some_and(|s| s.contains(SIGNED)));
    assert!(m.date().is_some(), "a Date header");
    let text = m.body_text(0).expect("a text part").into_owned();
    let html = m.body_html(0).expect("an HTML part").into_owned();
    assert_eq!(m.html_body_count(), 1);
    assert!(String::from_utf8_lossy(&bytes).contains("multipart/alternative"));
    let statement = "I, Dana Reyes, Chief Executive, approve this message.";
    let code = text
        .lines()
        .find_map(|l| l.strip_prefix("Verification code: "))
        .expect("the code in the text")
        .trim()
        .to_string();
    assert!(text.contains(statement), "{text}");
    assert!(html.contains(statement) && html.contains(&code));
    assert_eq!(
        m.header("X-Signoff-Verification-Code")
            .and_then(|h| h.as_text())
            .map(str::trim),
        Some(code.as_str())
    );
    assert_eq!(code.len(), 14);
    assert!(code
        .chars()
        .all(|c| c == '-' || c.is_ascii_digit() || c.is_ascii_uppercase()));

    // The code names the sign-off: anyone in the company may check it, typed carelessly too.
    let out = ok(env
        .cmd("lee")
        .args(["verify", "--code", &code.to_lowercase().replace('-', " ")])
        .output()
        .expect("run"));
    assert!(out.contains("holds"), "{out}");
    assert!(out.contains("Dana Reyes") && out.contains(SIGNED), "{out}");
    assert!(out.contains(statement), "{out}");
    let json: Value = serde_json::from_str(&ok(env
        .cmd("alex")
        .args(["verify", "--json", "--code", &code])
        .output()
        .expect("run")))
    .expect("json");
    assert_eq!(json["ok"], true);
    assert_eq!(json["sign_offs"][0]["signer"], "dana");

    // A code nobody signed fails; a retracted sign-off's code no longer holds.
    let bad = env
        .cmd("dana")
        .args(["verify", "--code", "0000-0000-0000"])
        .output()
        .expect("run");
    assert_eq!(bad.status.code(), Some(1));
    let decision: i64 = serde_json::from_str::<Value>(&ok(env
        .cmd("dana")
        .args(["show", SIGNED, "--json"])
        .output()
        .expect("run")))
    .expect("json")["decisions"][0]["id"]
        .as_i64()
        .expect("id");
    ok(env
        .cmd("dana")
        .args(["retract", &decision.to_string()])
        .output()
        .expect("run"));
    let out = env
        .cmd("dana")
        .args(["verify", "--code", &code])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("retracted"));
}

#[test]
fn unsigned_and_pushed_back_items_have_no_letter_and_say_why() {
    let env = env();
    let out = env
        .cmd("dana")
        .args(["letter", SIGNED])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not signed"));
    ok(env
        .cmd("dana")
        .args([
            "push-back",
            SIGNED,
            "--reason",
            "canned",
            "--note",
            "Say sorry",
        ])
        .output()
        .expect("run"));
    let out = env
        .cmd("dana")
        .args(["letter", SIGNED, "--format", "html"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pushed back"));
    // Signed: Markdown and HTML carry the statement too.
    approve(&env, "T-04121");
    let md = ok(env
        .cmd("dana")
        .args(["letter", "T-04121"])
        .output()
        .expect("run"));
    assert!(md.contains("**I, Dana Reyes, Chief Executive, approve this message.**"));
    let html = ok(env
        .cmd("dana")
        .args(["letter", "T-04121", "--format", "html"])
        .output()
        .expect("run"));
    assert!(html.starts_with("<!DOCTYPE html>") && !html.contains("<script"));
}

#[test]
fn the_executives_letter_joins_the_conversation_and_the_answer_follows_it() {
    let env = env();
    env.import_json(&env.sample("messages.csv"), &[]);
    let letter = env.dir.path().join("note.txt");
    std::fs::write(
        &letter,
        "Dear Marta,\n\nI read your messages myself. I am sorry.",
    )
    .expect("write");
    // Division heads may not write as the executive.
    let out = env
        .cmd("priya")
        .args(["reach-out", "T-06001", "--message"])
        .arg(&letter)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3));
    let out = ok(env
        .cmd("dana")
        .args(["reach-out", "T-06001", "--message"])
        .arg(&letter)
        .output()
        .expect("run"));
    assert!(out.contains("martalindqvist@mail.example"), "{out}");
    // A later export of the ticket holds the customer's answer: it follows the letter, and the
    // letter survives the re-import.
    let later = env.dir.path().join("messages-later.csv");
    let mut csv = std::fs::read_to_string(env.sample("messages.csv")).expect("csv");
    csv.push_str(
        "T-06001,customer,Marta Lindqvist,2026-11-22 09:00:00,Thank you for writing to me yourself.,Charged twice for October,Billing,web,martalindqvist@mail.example\n",
    );
    std::fs::write(&later, csv).expect("write");
    env.import_json(&later, &[]);
    let show: Value = serde_json::from_str(&ok(env
        .cmd("dana")
        .args(["show", "T-06001", "--json"])
        .output()
        .expect("run")))
    .expect("json");
    let conv = show["conversation"].as_array().expect("conversation");
    let mine = conv
        .iter()
        .position(|m| m["name"] == "Dana Reyes (Chief Executive)")
        .expect("the executive's letter in the conversation");
    assert_eq!(conv[mine]["author"], "company");
    assert!(conv[mine]["text"]
        .as_str()
        .is_some_and(|t| t.contains("I read your messages myself")));
    assert_eq!(
        conv[mine + 1]["text"],
        "Thank you for writing to me yourself.",
        "the customer's answer follows it"
    );
    assert_eq!(conv[mine + 1]["author"], "customer");
    let text = ok(env
        .cmd("dana")
        .args(["show", "T-06001"])
        .output()
        .expect("run"));
    assert!(text.contains("Dana Reyes (Chief Executive)"), "{text}");
}
