//! On a PostgreSQL store the server enforces the roles: `signoff people sync` makes a login
//! per person, and whatever a person sends — through signoff or psql — is checked against it.
//! Needs a server (SIGNOFF_TEST_PG); skipped without one, except under CI.

mod common;

use common::pg::{common_config, people_env, server, TestDb};
use common::Env;

/// A store with its people synced and one complaint in Billing (B-1) and one in Support (S-1),
/// written by the database's owner, and a sign-off of S-1 by the executive.
fn store(db: &TestDb) -> Env {
    // The configuration names each person's login already.
    let env = people_env(db, &common_config(db), &[]);
    let dana = db.login("dana");
    let seed = db.psql_owner(&format!(
        "INSERT INTO imports (id, source, profile, file_name, file_size, encoding, delimiter,
             imported_by, started_at, finished_at, rows_read, inserted, updated, unchanged, rejected)
         VALUES (1, 'helpdesk', 'helpdesk', 'week.csv', 10, 'utf-8', ',', 'owner', 0, 0, 2, 2, 0, 0, 0);
         INSERT INTO complaints (id, source, external_id, received_at, division, complaint_text,
             response_text, content_hash, import_id, source_file, source_line, last_import_id)
         VALUES (1, 'helpdesk', 'B-1', 100, 'Billing', 'Charged twice', 'Refunded', '\\x00', 1, 'week.csv', 2, 1),
                (2, 'helpdesk', 'S-1', 100, 'Support', 'Cannot log in', 'Reset it', '\\x00', 1, 'week.csv', 3, 1);
         INSERT INTO messages (complaint_id, seq, author, text)
         VALUES (1, 0, 'customer', 'Charged twice'), (2, 0, 'customer', 'Cannot log in');
         INSERT INTO decisions (complaint_id, kind, actor, actor_name, actor_title, at, text_hash, prev_hash, hash)
         VALUES (2, 'approve', '{dana}', 'Dana Reyes', 'Chief Executive', 200, 't', repeat('0', 64), 'h1');
         INSERT INTO cars (id, complaint_id, opened_at, due_at, opened_by, origin)
         VALUES (1, 2, 100, 86500, '{dana}', 'rule');
         INSERT INTO car_events (car_id, complaint_id, step, actor, actor_name, at, happened_at, text, prev_hash, hash)
         VALUES (1, 2, 'open', '{dana}', 'Dana Reyes', 100, 100, 'opened', repeat('0', 64), 'c1');"
    ));
    assert!(seed.ok, "seed: {}", seed.stderr);
    env
}

/// A decision linked to the end of the chain, as signoff writes one.
fn decision(id_complaint: i64, kind: &str, actor: &str) -> String {
    format!(
        "INSERT INTO decisions (complaint_id, kind, actor, actor_name, actor_title, at, text_hash, prev_hash, hash)
         SELECT {id_complaint}, '{kind}', '{actor}', 'Someone', 'Title', 300, 't', e.hash, md5(random()::text)
         FROM signoff_chain_end('decisions') e"
    )
}

/// Asserts that psql, logged in as `who`, is refused `sql` by the server with `says`.
fn refused(db: &TestDb, who: &str, sql: &str, says: &str) {
    let out = db.psql_as(who, sql);
    assert!(!out.ok, "{who} was allowed: {sql}");
    assert!(
        out.stderr.contains(says),
        "{who}: {sql}\nexpected the server to say {says:?}, it said {}",
        out.stderr
    );
}

fn allowed(db: &TestDb, who: &str, sql: &str) -> String {
    let out = db.psql_as(who, sql);
    assert!(out.ok, "{who} was refused: {sql}\n{}", out.stderr);
    out.stdout.trim().to_string()
}

#[test]
fn a_division_head_reads_only_their_divisions() {
    let Some(url) = server("a_division_head_reads_only_their_divisions") else {
        return;
    };
    let db = TestDb::new(&url);
    let _env = store(&db);
    let q = "SELECT string_agg(external_id, ',' ORDER BY external_id) FROM complaints";
    assert_eq!(allowed(&db, "priya", q), "B-1");
    assert_eq!(allowed(&db, "lee", q), "S-1");
    assert_eq!(allowed(&db, "dana", q), "B-1,S-1");
    assert_eq!(allowed(&db, "alex", q), "B-1,S-1");
    // What hangs off another division's complaint is as hidden as the complaint.
    assert_eq!(allowed(&db, "priya", "SELECT count(*) FROM decisions"), "0");
    assert_eq!(allowed(&db, "priya", "SELECT count(*) FROM cars"), "0");
    assert_eq!(
        allowed(&db, "priya", "SELECT count(*) FROM car_events"),
        "0"
    );
    assert_eq!(
        allowed(
            &db,
            "priya",
            "SELECT count(*) FROM messages WHERE complaint_id = 2"
        ),
        "0"
    );
    assert_eq!(allowed(&db, "lee", "SELECT count(*) FROM decisions"), "1");
    // Search (through the GIN index) finds only what the searcher may read.
    let search = "SELECT count(*) FROM signoff_search(plainto_tsquery('simple', 'log in'))";
    assert_eq!(allowed(&db, "priya", search), "0");
    assert_eq!(allowed(&db, "lee", search), "1");
    assert_eq!(allowed(&db, "dana", search), "1");
    let phrases = "SELECT count(*) FROM signoff_phrase_matches(ARRAY['log in', 'charged twice'])";
    assert_eq!(allowed(&db, "priya", phrases), "1");
    assert_eq!(allowed(&db, "lee", phrases), "1");
    assert_eq!(allowed(&db, "dana", phrases), "2");
    // Asking for the row by its id does not help, nor does changing the division to one's own.
    assert_eq!(
        allowed(&db, "priya", "SELECT count(*) FROM complaints WHERE id = 2"),
        "0"
    );
    refused(
        &db,
        "priya",
        "UPDATE complaints SET division = 'Billing' WHERE id = 2",
        "permission denied for table complaints",
    );
}

#[test]
fn the_server_refuses_what_a_role_may_not_do() {
    let Some(url) = server("the_server_refuses_what_a_role_may_not_do") else {
        return;
    };
    let db = TestDb::new(&url);
    let _env = store(&db);
    let (dana, priya, lee, alex) = (
        db.login("dana"),
        db.login("priya"),
        db.login("lee"),
        db.login("alex"),
    );
    let rls = "violates row-level security policy";
    // A division head may not sign or push back, nor answer for another division.
    refused(&db, "priya", &decision(1, "approve", &priya), rls);
    refused(&db, "priya", &decision(1, "push_back", &priya), rls);
    refused(&db, "priya", &decision(2, "revise", &priya), rls);
    // An admin imports and decides nothing.
    refused(
        &db,
        "alex",
        &decision(1, "approve", &alex),
        "permission denied for table decisions",
    );
    refused(&db, "alex", "INSERT INTO samples (label, drawn_by, drawn_at, spec, seed, population, fingerprint, confidence)
                          VALUES ('w', current_user, 0, '{}', '1', 2, 'f', 0.95)", "permission denied for table samples");
    // Nobody decides in someone else's name.
    refused(&db, "dana", &decision(1, "approve", &priya), rls);
    refused(&db, "lee", &decision(2, "revise", &priya), rls);
    // A retraction is of one's own decision only.
    refused(
        &db,
        "lee",
        &format!(
            "INSERT INTO decisions (complaint_id, kind, actor, actor_name, actor_title, at, retracts, text_hash, prev_hash, hash)
             SELECT 2, 'retract', '{lee}', 'Lee', 'Head', 300, 1, 't', e.hash, 'h2'
             FROM signoff_chain_end('decisions') e"
        ),
        rls,
    );
    // Decisions and CAR steps are never updated or deleted, by anyone, however asked.
    for who in ["dana", "priya", "lee", "alex"] {
        refused(
            &db,
            who,
            "UPDATE decisions SET note = 'changed'",
            "permission denied for table decisions",
        );
        refused(
            &db,
            who,
            "DELETE FROM decisions",
            "permission denied for table decisions",
        );
        refused(
            &db,
            who,
            "TRUNCATE decisions",
            "permission denied for table decisions",
        );
        refused(
            &db,
            who,
            "UPDATE car_events SET text = 'changed'",
            "permission denied for table car_events",
        );
        refused(
            &db,
            who,
            "DELETE FROM car_events",
            "permission denied for table car_events",
        );
        refused(
            &db,
            who,
            "DELETE FROM cars",
            "permission denied for table cars",
        );
        // Nor can anyone take the guards away.
        refused(
            &db,
            who,
            "DROP TRIGGER decisions_append_only ON decisions",
            "must be owner",
        );
        refused(
            &db,
            who,
            "ALTER TABLE decisions DISABLE ROW LEVEL SECURITY",
            "must be owner",
        );
        refused(
            &db,
            who,
            "DROP POLICY decisions_insert ON decisions",
            "must be owner",
        );
        refused(
            &db,
            who,
            "UPDATE signoff_people SET role = 'executive'",
            "permission denied for table signoff_people",
        );
    }
    // The owner of the tables cannot rewrite the evidence either: the triggers hold.
    let owner = db.psql_owner("UPDATE decisions SET note = 'changed' WHERE id = 1");
    assert!(
        !owner.ok && owner.stderr.contains("decisions are append-only"),
        "{}",
        owner.stderr
    );
    // Nothing changed on the way.
    assert_eq!(
        allowed(
            &db,
            "dana",
            "SELECT count(*), max(coalesce(note, '-')) FROM decisions"
        ),
        "1|-"
    );
    let _ = dana;
}

#[test]
fn each_role_does_what_is_theirs() {
    let Some(url) = server("each_role_does_what_is_theirs") else {
        return;
    };
    let db = TestDb::new(&url);
    let _env = store(&db);
    let (dana, priya, alex) = (db.login("dana"), db.login("priya"), db.login("alex"));
    allowed(&db, "dana", &decision(1, "push_back", &dana));
    allowed(&db, "priya", &decision(1, "revise", &priya));
    // The owning division's head works the CAR; another division's head may not.
    let step = |who: &str| {
        format!(
            "INSERT INTO car_events (car_id, complaint_id, step, actor, actor_name, at, happened_at, text, prev_hash, hash)
             SELECT 1, 2, 'contact', '{who}', 'Head', 1, 1, 'called', e.hash, md5(random()::text)
             FROM signoff_chain_end('car_events') e"
        )
    };
    allowed(&db, "lee", &step(&db.login("lee")));
    refused(
        &db,
        "priya",
        &step(&priya),
        "violates row-level security policy",
    );
    refused(
        &db,
        "alex",
        &step(&alex),
        "violates row-level security policy",
    );
    allowed(
        &db,
        "alex",
        "INSERT INTO complaints (id, source, external_id, received_at, division, complaint_text, content_hash,
             import_id, source_file, source_line, last_import_id)
         VALUES (3, 'helpdesk', 'B-2', 100, 'Billing', 'Still charged', '\\x00', 1, 'week.csv', 4, 1)",
    );
    allowed(
        &db,
        "dana",
        &format!(
            "INSERT INTO samples (id, label, drawn_by, drawn_at, spec, seed, population, fingerprint, confidence)
             VALUES (7, 'week', '{dana}', 0, '{{}}', '1', 3, 'f', 0.95);
             INSERT INTO sample_items (sample_id, position, complaint_id, reason) VALUES (7, 0, 1, 'random')"
        ),
    );
    assert_eq!(
        allowed(
            &db,
            "priya",
            "SELECT string_agg(kind, ',' ORDER BY id) FROM decisions"
        ),
        "push_back,revise"
    );
    assert_eq!(
        allowed(&db, "priya", "SELECT count(*) FROM complaints"),
        "2"
    );
    assert_eq!(allowed(&db, "lee", "SELECT count(*) FROM car_events"), "2");
}

#[test]
fn people_sync_follows_the_configuration() {
    let Some(url) = server("people_sync_follows_the_configuration") else {
        return;
    };
    let db = TestDb::new(&url);
    let env = store(&db);
    let sync = |config: &str| {
        std::fs::write(&env.config, config).expect("config");
        env.cmd("root")
            .args(["--db", &db.owner_url(), "people", "sync"])
            .output()
            .expect("run")
    };
    // Run again unchanged: every person unchanged, and the store keeps its rows.
    let again = sync(&common_config(&db));
    let text = String::from_utf8_lossy(&again.stdout);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(text.matches("unchanged").count(), 4, "{text}");
    // Priya now heads Support too; Alex leaves.
    let alex = db.login("alex");
    let changed = common_config(&db).replace(
        "divisions = [\"Billing\"]",
        "divisions = [\"Billing\", \"Support\"]",
    );
    let cut = changed.find(&format!("login = \"{alex}\"")).expect("alex");
    let start = changed[..cut].rfind("[[people]]").expect("entry");
    let out = sync(&changed[..start]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("changed"), "{text}");
    assert!(text.contains(&format!("{alex:<16} removed")), "{text}");
    assert_eq!(
        allowed(
            &db,
            "priya",
            "SELECT string_agg(external_id, ',' ORDER BY external_id) FROM complaints"
        ),
        "B-1,S-1"
    );
    // Someone no longer among the people cannot even connect.
    refused(&db, "alex", "SELECT 1", "permission denied for database");
    // The migrations ran once each, every one of them from the first.
    let steps = db.psql_owner(
        "SELECT min(step) = 1 AND max(step) = count(*) AND count(*) >= 4 FROM signoff_migrations",
    );
    assert_eq!(steps.stdout.trim(), "t", "{}", steps.stderr);
}

#[test]
fn a_login_that_may_not_create_roles_is_told_so() {
    let Some(url) = server("a_login_that_may_not_create_roles_is_told_so") else {
        return;
    };
    let db = TestDb::new(&url);
    let env = store(&db);
    // Dana is a person, not the owner: the server refuses her the sync, and nothing changes.
    let out = env
        .cmd("root")
        .args(["--db", &db.url_for("dana"), "people", "sync"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("signoff: store postgresql://"), "{err}");
    assert!(err.contains("people sync"), "{err}");
    assert_eq!(
        allowed(&db, "dana", "SELECT count(*) FROM signoff_people"),
        "4"
    );
}

#[test]
fn an_unreachable_postgres_store_is_named_and_nothing_is_written() {
    // Needs no server: the URL is never a file, and nothing listens on port 1.
    let env = Env::new();
    let url = "postgresql://dana:s3cret@127.0.0.1:1/signoff";
    // A command that runs on PostgreSQL says it cannot reach the store, without the password.
    let out = env
        .cmd("dana")
        .current_dir(env.dir.path())
        .args(["--db", url, "status"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("postgresql://dana:***@127.0.0.1:1/signoff"),
        "{err}"
    );
    assert!(err.contains("cannot connect"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
    let left: Vec<_> = std::fs::read_dir(env.dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(left.len(), 1, "only the configuration: {left:?}");
    // On a SQLite store, people sync says what it is for.
    let out = env
        .cmd("dana")
        .args(["--db", &env.db.display().to_string(), "people", "sync"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("PostgreSQL store"));
}

#[test]
fn the_chain_cannot_fork_whoever_writes() {
    let Some(url) = server("the_chain_cannot_fork_whoever_writes") else {
        return;
    };
    let db = TestDb::new(&url);
    let _env = store(&db);
    let (dana, priya) = (db.login("dana"), db.login("priya"));
    // A division head sees no decision of another division, yet links to the chain's end.
    assert_eq!(allowed(&db, "priya", "SELECT count(*) FROM decisions"), "0");
    assert_eq!(
        allowed(
            &db,
            "priya",
            "SELECT hash FROM signoff_chain_end('decisions')"
        ),
        "h1"
    );
    allowed(&db, "dana", &decision(1, "push_back", &dana));
    allowed(&db, "priya", &decision(1, "revise", &priya));
    // A record linked to anything but the end is refused, for a person and for the owner.
    let stale = |who: &str| {
        format!(
            "INSERT INTO decisions (complaint_id, kind, actor, actor_name, actor_title, at, text_hash, prev_hash, hash)
             VALUES (1, 'approve', '{who}', 'Someone', 'Title', 400, 't', 'h1', 'fork')"
        )
    };
    refused(
        &db,
        "dana",
        &stale(&dana),
        "must link to the end of the chain",
    );
    let owner = db.psql_owner(&stale(&dana));
    assert!(
        !owner.ok && owner.stderr.contains("must link to the end of the chain"),
        "{}",
        owner.stderr
    );
    // Nor can a record take an id before the end.
    refused(
        &db,
        "dana",
        &format!(
            "INSERT INTO decisions (id, complaint_id, kind, actor, actor_name, actor_title, at, text_hash, prev_hash, hash)
             SELECT 1000000, 1, 'approve', '{dana}', 'D', 'T', 400, 't', e.hash, 'x'
             FROM signoff_chain_end('decisions') e;
             INSERT INTO decisions (id, complaint_id, kind, actor, actor_name, actor_title, at, text_hash, prev_hash, hash)
             VALUES (5, 1, 'approve', '{dana}', 'D', 'T', 400, 't', 'x', 'y')"
        ),
        "must come after the end of the chain",
    );
    assert_eq!(
        allowed(
            &db,
            "dana",
            "SELECT string_agg(kind, ',' ORDER BY id) FROM decisions"
        ),
        "approve,push_back,revise"
    );
}
