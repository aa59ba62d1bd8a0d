//! `signoff profile list | show | draft`, a drafted profile importing the file it was drafted
//! from, and what `import` says when no profile reads a file.

mod common;

use std::path::{Path, PathBuf};

use common::{counts, Env, CONFIG};

/// A regulator's export of a shape no built-in profile reads (written for this test).
const REGULATOR: &str = "\
Ticket ID,Ticket Created,Date of Issue,Method,Issue Type,Issue,Caller ID Number,City,State,Zip,Location (Center Point of the Zip Code),Description
70001,10/28/2026 09:14:00 AM,10/27/2026,Phone,Phone,Robocalls,555-010-1001,Dayton,OH,45402,\"39.75, -84.19\",\"A recorded voice calls me every morning about a car warranty I never had.\"
70002,10/29/2026 01:05:00 PM,10/29/2026,Internet,Internet,Billing,555-010-1002,Austin,TX,73301,\"30.27, -97.74\",\"My bill doubled this month and nobody explains why, though I asked twice.\"
70003,11/02/2026 04:30:00 PM,11/01/2026,Internet,TV,Availability,555-010-1003,Boise,ID,83702,\"43.61, -116.20\",\"The channel package I pay for has been missing for a week.
I called on Monday and again on Thursday.\"
70004,11/03/2026 08:00:00 AM,11/03/2026,Phone,Phone,Robocalls,,Dayton,OH,45402,\"39.75, -84.19\",\"Calls from spoofed local numbers, five a day, even on weekends.\"
70005,11/13/2026 10:45:00 AM,11/12/2026,Wireless,Internet,Speed,555-010-1005,Salem,OR,97301,\"44.94, -123.03\",\"Paying for 300 Mbps and getting 20 in the evenings, every day.\"
70006,11/14/2026 11:15:00 AM,11/14/2026,Phone,Phone,Billing,555-010-1006,Austin,TX,73301,\"30.27, -97.74\",\"Charged for a line I cancelled in writing two months ago.\"
70007,11/20/2026 12:00:00 PM,11/19/2026,Internet,TV,Billing,555-010-1007,Boise,ID,83702,\"43.61, -116.20\",\"The set-top box fee is still on my bill after I returned the box.\"
";

fn write(env: &Env, name: &str, text: &[u8]) -> PathBuf {
    let p = env.dir.path().join(name);
    std::fs::write(&p, text).expect("write");
    p
}

/// An environment whose configuration names a profiles folder.
fn with_profiles_dir() -> (Env, PathBuf) {
    let env = Env::new();
    let dir = env.dir.path().join("profiles");
    std::fs::create_dir(&dir).expect("mkdir");
    let config = format!(
        "{CONFIG}\n[import]\nprofiles_dir = {:?}\n",
        dir.display().to_string()
    );
    std::fs::write(&env.config, config).expect("config");
    (env, dir)
}

fn draft(env: &Env, file: &Path) -> String {
    let out = env
        .cmd("alex")
        .args(["profile", "draft"])
        .arg(file)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn rows(env: &Env, sql: &str) -> Vec<Vec<Option<String>>> {
    let conn = env.conn();
    let mut st = conn.prepare(sql).expect("prepare");
    let n = st.column_count();
    st.query_map([], |r| {
        (0..n)
            .map(|i| {
                r.get::<_, rusqlite::types::Value>(i).map(|v| match v {
                    rusqlite::types::Value::Null => None,
                    rusqlite::types::Value::Integer(i) => Some(i.to_string()),
                    rusqlite::types::Value::Text(t) => Some(t),
                    other => Some(format!("{other:?}")),
                })
            })
            .collect()
    })
    .expect("query")
    .collect::<Result<_, _>>()
    .expect("rows")
}

#[test]
fn a_drafted_profile_imports_the_file_it_was_drafted_from() {
    let env = Env::new();
    let file = write(&env, "fcc-export.csv", REGULATOR.as_bytes());
    let toml = draft(&env, &file);
    assert!(toml.contains("external_id = \"Ticket ID\""), "{toml}");
    assert!(
        toml.contains("#   \"Location (Center Point of the Zip Code)\": "),
        "{toml}"
    );
    let profile = write(&env, "fcc.toml", toml.as_bytes());

    let r = env.import_json(&file, &["--profile", profile.to_str().expect("path")]);
    assert_eq!(counts(&r), [7, 7, 0, 0, 0], "{r}");
    assert_eq!(r["profile"], "fcc-export");
    let got = rows(
        &env,
        "SELECT source, external_id, datetime(received_at, 'unixepoch'), division, channel, subject, contact, complaint_text
         FROM complaints ORDER BY external_id",
    );
    let s = |v: &str| Some(v.to_string());
    assert_eq!(got.len(), 7);
    assert_eq!(
        got[0],
        [
            s("fcc-export"),
            s("70001"),
            s("2026-10-28 09:14:00"),
            s("Phone"),
            s("phone"),
            s("Robocalls"),
            s("555-010-1001"),
            s("A recorded voice calls me every morning about a car warranty I never had."),
        ]
    );
    assert_eq!(got[1][2], s("2026-10-29 13:05:00"));
    assert_eq!(
        got[2][7],
        s("The channel package I pay for has been missing for a week.\nI called on Monday and again on Thursday.")
    );
    assert_eq!(got[3][6], None);
    assert_eq!(got[6][2], s("2026-11-20 12:00:00"));
    assert_eq!(got[6][3], s("TV"));

    // Saved in the profiles folder, it is chosen by the file's header.
    let (env, dir) = with_profiles_dir();
    std::fs::write(dir.join("fcc.toml"), &toml).expect("save");
    let file = write(&env, "fcc-export.csv", REGULATOR.as_bytes());
    let r = env.import_json(&file, &[]);
    assert_eq!(
        (r["profile"].as_str(), r["profile_detected"].as_bool()),
        (Some("fcc-export"), Some(true))
    );
    assert_eq!(counts(&r), [7, 7, 0, 0, 0]);
}

#[test]
fn a_draft_finds_the_header_after_stray_lines_in_any_encoding_and_delimiter() {
    let env = Env::new();
    let text = "Customer feedback export\r\n\r\nGenerated 21.11.2026\r\nRef;Eingang;Team;Kunde;E-Mail;Nachricht;Antwort;Weiterempfehlung (0-10)\r\n\
        R-1;25.10.2026 08:30;Kasse;Jörg Müller;jm@example.de;Die Rechnung kam doppelt und niemand ruft zurück.;Wir haben storniert.;2\r\n\
        R-2;03.11.2026 17:05;Versand;Anna Weiß;aw@example.de;Das Paket lag drei Tage im Regen vor der Tür.;;6\r\n\
        R-3;04.11.2026 09:00;Kasse;Li Wen;lw@example.de;Der Gutschein wurde an der Kasse nicht angenommen.;Entschuldigung.;9\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let file = write(&env, "feedback.csv", &bytes);
    let out = env
        .cmd("dana")
        .args(["profile", "draft", "--json"])
        .arg(&file)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["encoding"], "windows-1252");
    assert_eq!(v["delimiter"], "semicolon");
    assert_eq!(v["header_line"], 4);
    assert_eq!(v["rows_read"], 3);
    let guess = |field: &str| {
        v["guesses"]
            .as_array()
            .expect("guesses")
            .iter()
            .find(|g| g["field"] == field)
            .map(|g| g["column"].as_str().expect("column").to_string())
    };
    assert_eq!(guess("external_id").as_deref(), Some("Ref"));
    assert_eq!(guess("received_at").as_deref(), Some("Eingang"));
    assert_eq!(guess("division").as_deref(), Some("Team"));
    assert_eq!(guess("contact").as_deref(), Some("E-Mail"));
    assert_eq!(guess("complaint").as_deref(), Some("Nachricht"));
    assert_eq!(v["dates"]["formats"][0], "%d.%m.%Y %H:%M");
    let unmapped: Vec<&str> = v["unmapped"]
        .as_array()
        .expect("unmapped")
        .iter()
        .map(|u| u["column"].as_str().expect("column"))
        .collect();
    assert_eq!(unmapped, ["Kunde", "Antwort", "Weiterempfehlung (0-10)"]);

    let profile = write(
        &env,
        "feedback.toml",
        v["profile"].as_str().expect("toml").as_bytes(),
    );
    let r = env.import_json(&file, &["--profile", profile.to_str().expect("path")]);
    assert_eq!(counts(&r), [3, 3, 0, 0, 0], "{r}");
    assert_eq!(r["header_line"], 4);
    let got = rows(
        &env,
        "SELECT datetime(received_at, 'unixepoch'), complaint_text FROM complaints WHERE external_id = 'R-2'",
    );
    assert_eq!(
        got[0],
        [
            Some("2026-11-03 17:05:00".to_string()),
            Some("Das Paket lag drei Tage im Regen vor der Tür.".to_string())
        ]
    );
}

#[test]
fn drafting_is_for_admins_and_executives_and_names_unreadable_files() {
    let env = Env::new();
    let file = write(&env, "x.csv", REGULATOR.as_bytes());
    env.cmd("priya")
        .args(["profile", "draft"])
        .arg(&file)
        .assert()
        .code(3)
        .stderr(predicates::str::contains("may not draft a profile"));
    let empty = write(&env, "empty.csv", b"");
    env.cmd("alex")
        .args(["profile", "draft"])
        .arg(&empty)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("empty.csv: the file is empty"));
}

#[test]
fn list_and_show_give_every_profile_with_where_it_comes_from() {
    let (env, dir) = with_profiles_dir();
    let helpdesk = include_str!("../config/profiles/helpdesk.toml");
    let mine = helpdesk.replace(
        "description = \"Helpdesk",
        "description = \"Our helpdesk, adapted. Was: Helpdesk",
    );
    std::fs::write(dir.join("helpdesk.toml"), &mine).expect("write");
    std::fs::write(dir.join("broken.toml"), "name = \"broken\"\n").expect("write");

    let out = env
        .cmd("priya")
        .args(["profile", "list"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .to_string()
    };
    assert!(
        line("cfpb").contains("built in")
            && line("cfpb").contains("CFPB consumer complaint export")
    );
    assert!(line("helpdesk").contains("helpdesk.toml"), "{text}");
    assert!(
        line("helpdesk").contains("Our helpdesk, adapted")
            && line("helpdesk").contains("(replaces built in)")
    );
    assert!(line("broken").contains("NOT USABLE"), "{text}");

    let out = env
        .cmd("lee")
        .args(["profile", "list", "--json"])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let all = v.as_array().expect("array");
    let names: Vec<&str> = all
        .iter()
        .map(|p| p["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "cfpb",
            "cfpb-legacy",
            "social",
            "messages",
            "generic",
            "broken",
            "helpdesk"
        ]
    );
    assert_eq!(all[0]["origin"], "built-in");
    assert_eq!(all[0]["path"], serde_json::Value::Null);
    assert_eq!(all[6]["origin"], "file");
    assert_eq!(all[6]["replaces"], "built in");
    assert!(all[5]["problem"]
        .as_str()
        .is_some_and(|p| p.contains("broken.toml")));

    // show prints the profile as written: the folder's where it replaces a built-in.
    env.cmd("lee")
        .args(["profile", "show", "social"])
        .assert()
        .success()
        .stdout(include_str!("../config/profiles/social.toml"));
    env.cmd("dana")
        .args(["profile", "show", "helpdesk"])
        .assert()
        .success()
        .stdout(mine.clone());
    let out = env
        .cmd("dana")
        .args(["profile", "show", "helpdesk", "--json"])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        (v["name"].as_str(), v["text"].as_str()),
        (Some("helpdesk"), Some(mine.as_str()))
    );
    assert!(v["path"]
        .as_str()
        .is_some_and(|p| p.ends_with("helpdesk.toml")));
    env.cmd("dana")
        .args(["profile", "show", "nope"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no profile named \"nope\""));
    env.cmd("stranger")
        .args(["profile", "list"])
        .assert()
        .code(3);
}

#[test]
fn no_match_lists_what_each_profile_lacks_and_suggests_a_draft() {
    let env = Env::new();
    let file = write(&env, "fcc.csv", REGULATOR.as_bytes());
    let out = env
        .cmd("alex")
        .arg("import")
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 1: no profile matches the header (tried cfpb, cfpb-legacy, helpdesk, social, messages, generic)"), "{err}");
    assert!(
        err.contains("\n  helpdesk: \"Created\", \"Group\", \"Public reply\", \"Requester\"\n"),
        "{err}"
    );
    assert!(
        err.contains(
            "\n  generic: \"complaint\", \"division\", \"external_id\", \"received_at\"\n"
        ),
        "{err}"
    );
    assert!(
        err.contains(&format!("`signoff profile draft {}`", file.display())),
        "{err}"
    );

    // A profile given by name says which of its columns are missing.
    let out = env
        .cmd("alex")
        .args(["import", "--profile", "generic"])
        .arg(&file)
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the header does not match profile generic: it lacks the columns \"complaint\", \"division\", \"external_id\", \"received_at\""),
        "{err}"
    );
}

#[test]
fn import_errors_are_json_with_json() {
    let env = Env::new();
    let file = write(&env, "fcc.csv", REGULATOR.as_bytes());
    let out = env
        .cmd("alex")
        .arg("import")
        .arg(&file)
        .arg("--json")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["file"], file.display().to_string());
    let message = v["error"].as_str().expect("error");
    assert!(
        message.starts_with("line 1: no profile matches the header"),
        "{message}"
    );

    // Several files: each file's report or error, in order.
    let good = common::fixtures().join("hd_clean.csv");
    let out = env
        .cmd("alex")
        .arg("import")
        .arg(&file)
        .arg(&good)
        .args(["--json", "--dry-run"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(v[0]["error"].is_string(), "{v}");
    assert_eq!(v[1]["read"], 10, "{v}");

    // A profile that cannot be read is a usage error, in JSON too.
    let out = env
        .cmd("alex")
        .args(["import", "--profile", "nope", "--json"])
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        v["error"]
            .as_str()
            .is_some_and(|e| e.contains("no profile named \"nope\"")),
        "{v}"
    );

    // So is a refusal before any file is read.
    let out = env
        .cmd("priya")
        .args(["import", "--json"])
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        v["error"]
            .as_str()
            .is_some_and(|e| e.contains("may not import")),
        "{v}"
    );
    assert_eq!(v["file"], serde_json::Value::Null);
}
