//! Conversations: social exports become one complaint per conversation root with the replies and
//! the customer's follow-ups as its thread, the replying brand as its division; pandas-written
//! ids link; links that resolve to nothing fail loudly; the `messages` layout groups a helpdesk's
//! rows per ticket; what a sign-off covers is the thread.

mod common;

use std::path::{Path, PathBuf};

use common::{counts, Env, CONFIG};
use serde_json::Value;

const ALIASES: &str = r#"
[[divisions]]
name = "Support"
aliases = ["AcmeCare"]

[[divisions]]
name = "Billing"
aliases = ["AcmeBilling"]
"#;

fn env() -> Env {
    Env::with_config(&format!("{CONFIG}{ALIASES}"))
}

fn fixture(env: &Env, name: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/threads")
        .join(name);
    let dst = env.dir.path().join(name);
    std::fs::copy(src, &dst).expect("copy");
    dst
}

fn json(env: &Env, args: &[&str]) -> Value {
    let out = env.cmd("dana").args(args).output().expect("run");
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

/// (author, name, text) of each message of a complaint, as `show --json` gives them.
fn thread(env: &Env, reference: &str) -> Vec<(String, String, String)> {
    let v = json(env, &["show", reference, "--json"]);
    v["complaint"]["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| {
            (
                m["author"].as_str().expect("author").to_string(),
                m["name"].as_str().unwrap_or("").to_string(),
                m["text"].as_str().expect("text").to_string(),
            )
        })
        .collect()
}

#[test]
fn each_conversation_root_is_one_complaint_with_its_thread() {
    let env = env();
    let file = fixture(&env, "social_threads.csv");
    let r = env.import_json(&file, &[]);
    // 10 rows: 3 conversations hold 9 of them; the reply to a message nobody has is rejected.
    assert_eq!(counts(&r), [10, 9, 0, 0, 1], "{r}");
    assert_eq!(r["threads"]["conversations"], 3, "{r}");
    assert_eq!(env.count("SELECT count(*) FROM complaints"), 3);
    let t = thread(&env, "social:101");
    let authors: Vec<&str> = t.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(
        authors,
        ["customer", "company", "customer", "company", "customer"]
    );
    assert_eq!(t[4].2, "@AcmeCare I am! Thank you for the answer!!");
    assert_eq!(t[1].1, "AcmeCare");
    // A follow-up is never a complaint of its own.
    let out = env
        .cmd("dana")
        .args(["show", "social:105"])
        .output()
        .expect("run");
    assert!(!out.status.success(), "a follow-up became a complaint");
    // The brand that answers is the division, through the divisions' aliases; a thread that
    // nobody answered keeps the profile's default.
    let division = |id: &str| -> String {
        env.conn()
            .query_row(
                "SELECT division FROM complaints WHERE external_id = ?1",
                [id],
                |r| r.get(0),
            )
            .expect("division")
    };
    assert_eq!(division("101"), "Support");
    assert_eq!(division("201"), "Billing");
    assert_eq!(division("301"), "Support");
    // The customer who wrote twice with no answer is a conversation without a response.
    let quiet = thread(&env, "social:301");
    assert_eq!(quiet.len(), 2);
    assert!(!env.has_response("301"));
    // stats: conversations, messages and those with a company message.
    let s = json(&env, &["stats", "--json"]);
    assert_eq!(s["complaints"], 3, "{s}");
    assert_eq!(s["messages"], 9, "{s}");
    assert_eq!(s["with_response"], 2, "{s}");
    // Imported again: every row unchanged (the rejected one still rejected).
    let again = env.import_json(&file, &[]);
    assert_eq!(counts(&again), [10, 0, 0, 9, 1], "{again}");
}

#[test]
fn ids_written_by_pandas_link_as_the_originals() {
    let env = env();
    let r = env.import_json(&fixture(&env, "social_threads_pandas.csv"), &[]);
    assert_eq!(counts(&r), [10, 9, 0, 0, 1], "{r}");
    assert_eq!(thread(&env, "social:101").len(), 5);
    // The same export as first written is the same data.
    let orig = env.import_json(&fixture(&env, "social_threads.csv"), &[]);
    assert_eq!(counts(&orig), [10, 0, 0, 9, 1], "{orig}");
}

#[test]
fn an_export_whose_links_resolve_to_nothing_fails_loudly() {
    let env = env();
    // A profile that does not read 101.0 as 101: no reply links.
    let profile = env.dir.path().join("strict.toml");
    let text = include_str!("../config/profiles/social.toml")
        .replace("strip_decimal_zero = true", "strip_decimal_zero = false");
    std::fs::write(&profile, text).expect("profile");
    let file = fixture(&env, "social_threads_pandas.csv");
    let out = env
        .cmd("alex")
        .args(["import", "--profile"])
        .arg(&profile)
        .arg(&file)
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("7 of the 7 rows that answer another message")
            && err.contains("--allow-unlinked"),
        "{err}"
    );
    assert_eq!(
        env.count("SELECT count(*) FROM imports"),
        0,
        "nothing written"
    );
    // Asked for, it imports every inbound row as the start of a conversation.
    let r = env.import_json(
        &file,
        &[
            "--profile",
            profile.to_str().expect("utf-8"),
            "--allow-unlinked",
        ],
    );
    assert_eq!(r["threads"]["dangling"], 7, "{r}");
    assert_eq!(env.count("SELECT count(*) FROM complaints"), 6);
}

#[test]
fn the_messages_layout_makes_one_thread_per_ticket() {
    let env = env();
    let file = fixture(&env, "messages_threads.csv");
    let r = env.import_json(&file, &["--profile", "messages"]);
    assert_eq!(counts(&r), [8, 8, 0, 0, 0], "{r}");
    assert_eq!(r["threads"]["conversations"], 3, "{r}");
    let t = thread(&env, "helpdesk:T-9001");
    let authors: Vec<&str> = t.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(
        authors,
        ["customer", "customer", "customer", "note", "company"]
    );
    assert!(t[0].2.contains("charged twice for October.\nPlease refund"));
    // Rows out of time order are put in order; the opening message is the customer's.
    let t2 = thread(&env, "helpdesk:T-9002");
    assert_eq!(t2[0].0, "customer");
    let v = json(&env, &["show", "helpdesk:T-9002", "--json"]);
    assert_eq!(
        v["complaint"]["complaint_text"],
        "The app logs me out every few minutes."
    );
    assert_eq!(v["complaint"]["customer"], "Kofi Mensah");
    assert_eq!(v["complaint"]["division"], "Support");
    // A later export with one more message adds it; the earlier ones stay.
    let later = env.dir.path().join("later.csv");
    let mut text = std::fs::read_to_string(&file).expect("read");
    text.push_str(
        "T-9003,agent,Ines,2026-11-07 09:00:00,A replacement is on its way.,Parcel missing,Logistics,chat,aiko@mail.example\n",
    );
    std::fs::write(&later, text).expect("write");
    let r = env.import_json(&later, &["--profile", "messages"]);
    assert_eq!(counts(&r), [9, 0, 2, 7, 0], "{r}");
    assert_eq!(thread(&env, "helpdesk:T-9003").len(), 2);
    assert!(env.has_response("T-9003"));
    // And again: nothing changes.
    let r = env.import_json(&later, &["--profile", "messages"]);
    assert_eq!(counts(&r), [9, 0, 0, 9, 0], "{r}");
}

#[test]
fn an_author_type_the_profile_does_not_know_is_rejected_by_name() {
    let env = env();
    let file = env.dir.path().join("odd.csv");
    std::fs::write(
        &file,
        "Ticket ID,Author type,Author,Created at,Body\n\
         T-1,customer,Ann,2026-11-02 09:00:00,Hello\n\
         T-1,robot,R2,2026-11-02 09:01:00,Beep\n",
    )
    .expect("write");
    let r = env.import_json(&file, &["--profile", "messages"]);
    assert_eq!(counts(&r), [2, 1, 0, 0, 1], "{r}");
    let first = r["first_rejects"][0].as_str().expect("reject");
    assert!(
        first.starts_with("line 3: column \"Author type\": \"robot\" is not an author type")
            && first.contains("agent"),
        "{first}"
    );
}

#[test]
fn a_sign_off_covers_the_thread_and_a_new_follow_up_reopens_it() {
    let env = env();
    let file = fixture(&env, "social_threads.csv");
    env.import_json(&file, &[]);
    json(&env, &["approve", "social:201", "--json"]);
    let status = |env: &Env| json(env, &["show", "social:201", "--json"])["status"].clone();
    assert_eq!(status(&env)["state"], "signed", "{}", status(&env));
    // The customer writes again after the sign-off: what was signed is no longer the thread.
    let more = env.dir.path().join("more.csv");
    std::fs::write(
        &more,
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n\
         203,zed_99,True,Wed Nov 04 09:00:00 +0000 2026,@AcmeBilling the refund never came,,202\n",
    )
    .expect("write");
    let r = env.import_json(&more, &[]);
    assert_eq!(counts(&r), [1, 0, 1, 0, 0], "{r}");
    assert_eq!(thread(&env, "social:201").len(), 3);
    assert_ne!(status(&env)["state"], "signed", "{}", status(&env));
    // verify names the sign-off as one to make again, and nothing worse: the record holds.
    let out = env.cmd("dana").args(["verify"]).output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("decision 1 (201): signed text changed: changed by import"),
        "{text}"
    );
    assert!(text.contains("1 problem(s)"), "{text}");
}
