//! `signoff verify` on a PostgreSQL store: the decision and CAR chains, the text a sign-off
//! covers, the schema against what the migrations make, and the heads remembered between runs.
//! Needs a server (SIGNOFF_TEST_PG); skipped without one, except under CI. The CLI cases run
//! `examples/fixed_clock`: run `cargo build --examples` before a filtered `cargo test`.

mod common;

use common::pg::{grant, meta, records, server, TestDb};
use common::Env;
use signoff::domain::car::{CarEvent, Step};
use signoff::domain::decision::{Kind, GENESIS};
use signoff::domain::Complaint;
use signoff::sign::{generate_ed25519, write_key_pair, KeySigner, SignerSource, TrustRoot};
use signoff::store::decisions::NewDecision;
use signoff::store::pg::PgStore;

fn complaint(id: &str, division: &str, text: &str) -> Complaint {
    Complaint {
        source: "helpdesk".into(),
        external_id: id.into(),
        received_at: 1_763_000_000,
        division: division.into(),
        complaint_text: text.into(),
        response_text: Some("We are sorry; it is fixed.".into()),
        responded_at: Some(1_763_003_600),
        ..Complaint::default()
    }
}

fn approval(complaint_id: i64, actor: &str, at: i64) -> NewDecision {
    NewDecision {
        complaint_id,
        sample_id: None,
        kind: Kind::Approve,
        actor: actor.to_string(),
        actor_name: "Dana Reyes".into(),
        actor_title: "Chief Executive".into(),
        at,
        statement: Some("I have read this response and approve it.".into()),
        reasons: None,
        note: None,
        due_at: None,
        body: None,
        retracts: None,
    }
}

/// A migrated store with its people (an executive, a division head, an admin), two complaints
/// (B-1 in Billing, S-1 in Support) signed off by the executive with her SSH key, and a CAR on
/// S-1 with its open step; and the configuration a verifier runs with.
struct Story {
    db: TestDb,
    env: Env,
    week: Vec<Complaint>,
    b1: i64,
    s1: i64,
    /// The B-1 sign-off's hash.
    b1_hash: String,
}

impl Story {
    fn new(url: &str) -> Story {
        let db = TestDb::new(url);
        let mut owner = PgStore::connect(&db.owner_url()).expect("connect as owner");
        owner.migrate().expect("migrate");
        owner
            .sync_people(&[
                grant(&db, "dana", "executive", &[]),
                grant(&db, "priya", "division_head", &["Billing"]),
                grant(&db, "alex", "admin", &[]),
            ])
            .expect("sync");
        let week = vec![
            complaint("B-1", "Billing", "Charged twice for one order"),
            complaint("S-1", "Support", "Cannot log in since Monday"),
        ];
        let mut admin = PgStore::connect(&db.url_for("alex")).expect("admin");
        admin
            .load(&meta("week1.csv"), records(&week))
            .expect("load");
        let id = |ext: &str| -> i64 {
            db.psql_owner(&format!(
                "SELECT id FROM complaints WHERE external_id = '{ext}'"
            ))
            .stdout
            .trim()
            .parse()
            .expect("id")
        };
        let (b1, s1) = (id("B-1"), id("S-1"));

        let env = Env::new();
        let key = generate_ed25519("dana").expect("key");
        let key_path = env.dir.path().join("id_ed25519");
        write_key_pair(&key, &key_path).expect("write key");
        let public = key.public_key().to_openssh().expect("public key");
        let dana = db.login("dana");
        let mut trust = TrustRoot::default();
        trust.add(&dana, &public, None, None).expect("trust");
        let listed = trust.valid_keys(&dana, 1_764_100_000);
        let signer =
            KeySigner::open(&SignerSource::KeyFile(key_path), &dana, &listed).expect("signer");
        let mut exec = PgStore::connect(&db.url_for("dana")).expect("exec");
        exec.append_decision(approval(s1, &dana, 1_764_100_000), &signer)
            .expect("sign S-1");
        let b1_hash = exec
            .append_decision(approval(b1, &dana, 1_764_100_100), &signer)
            .expect("sign B-1")
            .hash;

        // A CAR on S-1 and its open step, unsigned, chained from the start.
        let mut open = CarEvent {
            id: 0,
            car_id: 1,
            complaint_id: s1,
            step: Step::Open,
            actor: dana.clone(),
            actor_name: "Dana Reyes".into(),
            at: 1_764_100_200,
            happened_at: 1_764_100_200,
            due_at: Some(1_764_700_000),
            category: None,
            worked: None,
            text: "Customer locked out twice (manual)".into(),
            prev_hash: GENESIS.to_string(),
            hash: String::new(),
            signature: None,
        };
        open.hash = open.compute_hash();
        let car = db.psql_as(
            "dana",
            &format!(
                "INSERT INTO cars (id, complaint_id, opened_at, due_at, opened_by, origin)
                 VALUES (1, {s1}, 1764100200, 1764700000, '{dana}', 'manual');
                 INSERT INTO car_events (car_id, complaint_id, step, actor, actor_name, at,
                     happened_at, due_at, text, prev_hash, hash)
                 VALUES (1, {s1}, 'open', '{dana}', 'Dana Reyes', 1764100200, 1764100200,
                     1764700000, '{}', '{}', '{}')",
                open.text, open.prev_hash, open.hash
            ),
        );
        assert!(car.ok, "CAR: {}", car.stderr);

        std::fs::write(
            &env.config,
            format!(
                r#"
[identity]
trust_env_user = true

[signing]
required = false

[[people]]
login = "{dana}"
name = "Dana Reyes"
title = "Chief Executive"
role = "executive"
keys = ["{public}"]

[[people]]
login = "{priya}"
name = "Priya Shah"
title = "Head of Billing"
role = "division_head"
divisions = ["Billing"]

[[people]]
login = "{alex}"
name = "Alex Kim"
title = "Operations Administrator"
role = "admin"
"#,
                priya = db.login("priya"),
                alex = db.login("alex"),
            ),
        )
        .expect("config");
        Story {
            db,
            env,
            week,
            b1,
            s1,
            b1_hash,
        }
    }

    fn connect(&self, who: &str) -> PgStore {
        let url = match who {
            "owner" => self.db.owner_url(),
            _ => self.db.url_for(who),
        };
        PgStore::connect(&url).expect("connect")
    }

    /// `signoff verify` (and `args`) as `who`, on their own login: (succeeded, stdout, stderr).
    fn verify(&self, who: &str, args: &[&str]) -> (bool, String, String) {
        let out = self
            .env
            .cmd(&self.db.login(who))
            .args(["--db", &self.db.url_for(who), "verify"])
            .args(args)
            .output()
            .expect("run");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn owner_sql(&self, sql: &str) {
        let out = self.db.psql_owner(sql);
        assert!(out.ok, "{sql}: {}", out.stderr);
    }
}

/// The schema description `verify` falls back on is what the migrations make here. Run with
/// SIGNOFF_PIN_SCHEMA=1 to write it anew after adding a migration step.
#[test]
fn the_pinned_schema_is_what_the_migrations_make() {
    let Some(url) = server("the_pinned_schema_is_what_the_migrations_make") else {
        return;
    };
    let db = TestDb::new(&url);
    let mut owner = PgStore::connect(&db.owner_url()).expect("owner");
    owner.migrate().expect("migrate");
    let mut lines = owner.schema_description().expect("describe").join("\n");
    lines.push('\n');
    let pinned =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store/pg/schema_expected.txt");
    if std::env::var_os("SIGNOFF_PIN_SCHEMA").is_some() {
        std::fs::write(&pinned, &lines).expect("write the pinned schema");
    }
    let want = std::fs::read_to_string(&pinned).expect("pinned schema");
    assert!(
        want == lines,
        "{} is not what the migrations make: run this test with SIGNOFF_PIN_SCHEMA=1 and review \
         the change",
        pinned.display()
    );
    // Both ways of comparing find nothing on a fresh store: the owner builds the reference,
    // a person's login (who may not create a schema) reads the pinned one.
    assert_eq!(
        owner.schema_differences().expect("owner"),
        Vec::<String>::new()
    );
}

#[test]
fn a_clean_store_verifies_and_a_rewritten_decision_is_named() {
    let Some(url) = server("a_clean_store_verifies_and_a_rewritten_decision_is_named") else {
        return;
    };
    let s = Story::new(&url);

    // At the store: the chains hold and the schema is the migrations' own, for every reader.
    let mut exec = s.connect("dana");
    assert_eq!(exec.decisions().expect("decisions").len(), 2);
    let steps = exec.car_steps().expect("steps");
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].step, Step::Open);
    assert_eq!(exec.verify_cars().expect("cars"), Vec::<String>::new());
    assert!(exec.sees_whole_chain().expect("whole"));
    for who in ["dana", "alex", "owner"] {
        assert_eq!(
            s.connect(who).schema_differences().expect("schema"),
            Vec::<String>::new(),
            "{who}"
        );
    }
    assert!(!s.connect("priya").sees_whole_chain().expect("part"));

    let (ok, out, err) = s.verify("dana", &[]);
    assert!(ok, "{out}\n{err}");
    assert!(
        out.contains("verified 2 decisions: every signature, hash and chain link holds"),
        "{out}"
    );
    assert!(out.contains("verified 1 CAR steps"), "{out}");
    assert!(out.contains("the store's schema is signoff's own"), "{out}");
    let (ok, out, err) = s.verify("alex", &["--json"]);
    assert!(ok, "{out}\n{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["decisions"], 2);
    assert_eq!(v["valid_signatures"], 2);

    // A division head checks a letter's code, though she cannot read the Support record the
    // B-1 sign-off links to.
    let code = signoff::domain::letter::verification_code(&s.b1_hash);
    let (ok, out, err) = s.verify("priya", &["--code", &code]);
    assert!(ok, "{out}\n{err}");
    assert!(out.contains("holds: decision"), "{out}");
    assert!(out.contains("only your divisions' decisions"), "{out}");

    // The owner turns the append-only trigger off and rewrites a decision's note.
    s.owner_sql(&format!(
        "ALTER TABLE decisions DISABLE TRIGGER decisions_append_only;
         UPDATE decisions SET note = 'quietly added' WHERE complaint_id = {}",
        s.s1
    ));
    let (ok, out, _) = s.verify("dana", &[]);
    assert!(!ok, "a rewritten decision must fail: {out}");
    assert!(
        out.contains("altered: the record changed after it was written"),
        "{out}"
    );
    assert!(
        out.contains("trigger decisions_append_only on decisions is disabled"),
        "{out}"
    );
    // Its stored hash was left alone, so the link after it still holds: only the hash says.
    assert!(!out.contains("chain broken"), "{out}");
    let (ok, out, _) = s.verify("dana", &["--code", &code]);
    assert!(!ok, "{out}");
    assert!(out.contains("does NOT hold"), "{out}");

    // A CAR step rewritten the same way.
    s.owner_sql(
        "ALTER TABLE car_events DISABLE TRIGGER car_events_append_only;
         UPDATE car_events SET text = 'nothing to see'",
    );
    let problems = exec.verify_cars().expect("cars");
    assert_eq!(
        problems,
        vec!["step 1: its content no longer matches its hash".to_string()]
    );
}

#[test]
fn schema_changes_are_named_to_every_verifier() {
    let Some(url) = server("schema_changes_are_named_to_every_verifier") else {
        return;
    };
    let s = Story::new(&url);
    s.owner_sql(
        "ALTER TABLE decisions DISABLE TRIGGER decisions_chain_link;
         DROP POLICY decisions_insert ON decisions;
         CREATE POLICY decisions_anyone ON decisions FOR INSERT WITH CHECK (true);
         ALTER TABLE cars DISABLE ROW LEVEL SECURITY;
         ALTER TABLE samples FORCE ROW LEVEL SECURITY;
         CREATE RULE swallow AS ON INSERT TO car_events DO INSTEAD NOTHING;
         DROP TRIGGER sample_items_append_only ON sample_items;
         CREATE OR REPLACE FUNCTION signoff_sees_all() RETURNS BOOLEAN
             LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
             AS $$ SELECT true $$;
         ALTER TABLE complaints ADD COLUMN shadow TEXT;",
    );
    s.owner_sql(&format!(
        "ALTER TABLE cars OWNER TO \"{}\"",
        s.db.login("dana")
    ));
    s.owner_sql(
        "CREATE FUNCTION watch() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
         CREATE EVENT TRIGGER watching ON ddl_command_end EXECUTE FUNCTION watch();",
    );
    let owned = format!("table cars belongs to {}, not to ", s.db.login("dana"));
    for who in ["dana", "alex", "owner"] {
        let got = s.connect(who).schema_differences().expect("schema");
        let has = |m: &str| got.iter().any(|g| g.contains(m));
        for want in [
            "trigger decisions_chain_link on decisions is disabled",
            "policy decisions_insert on decisions is missing",
            "foreign policy decisions_anyone on decisions",
            "row-level security is disabled on cars",
            "row-level security is forced on samples",
            "foreign rule swallow on car_events",
            "trigger sample_items_append_only on sample_items is missing: signoff created it to refuse changes",
            "function signoff_sees_all() differs from what signoff created",
            "foreign column complaints.shadow",
            owned.as_str(),
            "foreign function watch(): signoff did not create it",
            "foreign event trigger watching (on ddl_command_end, runs watch)",
        ] {
            assert!(has(want), "{who}: {want:?} not in {got:#?}");
        }
        assert_eq!(got.len(), 12, "{who}: {got:#?}");
    }
    let (ok, out, _) = s.verify("dana", &[]);
    assert!(!ok, "{out}");
    assert!(out.contains("the store's schema: 12 problem(s)"), "{out}");
}

#[test]
fn a_text_changed_after_sign_off_is_named() {
    let Some(url) = server("a_text_changed_after_sign_off_is_named") else {
        return;
    };
    let s = Story::new(&url);
    // A later import brings a revised response for B-1: kept in history, so its cause is known.
    let mut week = s.week.clone();
    week[0].response_text = Some("We refunded the second charge.".into());
    let mut admin = s.connect("alex");
    let mut later = meta("week2.csv");
    later.started_at = 1_764_200_000;
    admin.load(&later, records(&week)).expect("reload");
    let change = admin.last_text_change(s.b1).expect("history");
    assert!(
        change.as_ref().is_some_and(|(_, at)| *at >= 1_764_200_000),
        "the import keeps the earlier text: {change:?}"
    );
    assert_eq!(admin.last_text_change(s.s1).expect("history"), None);
    let (ok, out, _) = s.verify("dana", &[]);
    assert!(!ok, "{out}");
    assert!(out.contains("signed text changed: changed by"), "{out}");
    assert!(out.contains("needs signing again"), "{out}");
    // A letter's code still holds, with a note that the conversation changed.
    let code = signoff::domain::letter::verification_code(&s.b1_hash);
    let (ok, out, err) = s.verify("dana", &["--code", &code]);
    assert!(ok, "{out}\n{err}");
    assert!(
        out.contains("the conversation changed after it was signed"),
        "{out}"
    );

    // S-1 edited behind signoff's back: no history says how.
    s.owner_sql(&format!(
        "UPDATE complaints SET response_text = 'Edited in psql' WHERE id = {}",
        s.s1
    ));
    let (ok, out, _) = s.verify("dana", &[]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("changed with no record of how (edited outside signoff?)"),
        "{out}"
    );
}

#[test]
fn truncation_is_named_against_the_remembered_head() {
    let Some(url) = server("truncation_is_named_against_the_remembered_head") else {
        return;
    };
    let s = Story::new(&url);
    let (ok, out, err) = s.verify("dana", &[]);
    assert!(ok, "{out}\n{err}");
    // The last decision removed, the trigger back on: the schema is as it was.
    s.owner_sql(
        "ALTER TABLE decisions DISABLE TRIGGER decisions_append_only;
         DELETE FROM decisions WHERE id = (SELECT max(id) FROM decisions);
         ALTER TABLE decisions ENABLE TRIGGER decisions_append_only;",
    );
    assert_eq!(
        s.connect("dana").schema_differences().expect("schema"),
        Vec::<String>::new()
    );
    let (ok, out, _) = s.verify("dana", &[]);
    assert!(!ok, "a truncated chain must fail: {out}");
    assert!(
        out.contains("the decision chain is shorter than when it was verified"),
        "{out}"
    );
    // The head is remembered per store: the admin, who never verified it, has no head to
    // compare with, and the chain that remains holds.
    let (ok, out, err) = s.verify("alex", &[]);
    assert!(ok, "{out}\n{err}");
}
