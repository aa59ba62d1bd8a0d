//! Numbered, append-only schema migrations. Never edit a released step: add a new one.

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

/// Each step in order; the store's `user_version` records how many have run.
pub const STEPS: &[&str] = &[
    // 1: complaints with provenance, imports, text history, full-text search.
    r#"
CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    source        TEXT    NOT NULL,
    profile       TEXT    NOT NULL,
    file_name     TEXT    NOT NULL,
    file_size     INTEGER NOT NULL,
    encoding      TEXT    NOT NULL,
    delimiter     TEXT    NOT NULL,
    imported_by   TEXT    NOT NULL,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER NOT NULL,
    rows_read     INTEGER NOT NULL,
    inserted      INTEGER NOT NULL,
    updated       INTEGER NOT NULL,
    unchanged     INTEGER NOT NULL,
    rejected      INTEGER NOT NULL,
    rejects_file  TEXT
);

CREATE TABLE complaints (
    id             INTEGER PRIMARY KEY,
    source         TEXT    NOT NULL,
    external_id    TEXT    NOT NULL,
    received_at    INTEGER NOT NULL,
    channel        TEXT,
    customer       TEXT,
    contact        TEXT,
    division       TEXT    NOT NULL,
    product        TEXT,
    subject        TEXT,
    complaint_text TEXT    NOT NULL,
    response_text  TEXT,
    responded_at   INTEGER,
    responder      TEXT,
    likelihood     INTEGER CHECK (likelihood BETWEEN 0 AND 10),
    wants_contact  INTEGER CHECK (wants_contact IN (0, 1)),
    content_hash   BLOB    NOT NULL,
    import_id      INTEGER NOT NULL REFERENCES imports(id),
    source_file    TEXT    NOT NULL,
    source_line    INTEGER NOT NULL,
    last_import_id INTEGER NOT NULL REFERENCES imports(id),
    UNIQUE (source, external_id)
);
-- Date ranges are the usual population; carrying the division makes listing a week's
-- complaints with their strata an index-only read.
CREATE INDEX complaints_received_division ON complaints(received_at, division);

-- Complaints per division, refreshed at the end of every import (the only writer that adds,
-- removes or moves complaints), so an unfiltered draw needs no count over the whole table.
CREATE TABLE division_counts (
    division   TEXT    PRIMARY KEY,
    complaints INTEGER NOT NULL
);

-- Earlier versions of a complaint's text: a signed response may refer to one of them.
CREATE TABLE complaint_history (
    id             INTEGER PRIMARY KEY,
    complaint_id   INTEGER NOT NULL REFERENCES complaints(id),
    replaced_at    INTEGER NOT NULL,
    cause          TEXT    NOT NULL,
    import_id      INTEGER REFERENCES imports(id),
    subject        TEXT,
    complaint_text TEXT    NOT NULL,
    response_text  TEXT,
    responded_at   INTEGER,
    responder      TEXT,
    content_hash   BLOB    NOT NULL
);
CREATE INDEX complaint_history_complaint ON complaint_history(complaint_id);

-- Stemmed (porter), so "refund" finds "refunded" without prefix queries, which cost an FTS5
-- index tens of milliseconds on a million documents.
CREATE VIRTUAL TABLE complaints_fts USING fts5(
    subject, complaint_text, response_text,
    content = 'complaints', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
-- Kept up to date by the store's own writes (store::complaints), not by triggers: a trigger
-- makes FTS5 flush its buffer on every row, which slows a bulk import tenfold.
-- Pending index entries are written out in pieces of up to 64 MiB rather than 1 MiB: a bulk
-- import then makes a few large segments instead of merging thousands of small ones.
INSERT INTO complaints_fts(complaints_fts, rank) VALUES ('hashsize', 67108864);
"#,
    // 2: samples, their items, and the append-only, hash-chained decisions.
    r#"
CREATE TABLE samples (
    id           INTEGER PRIMARY KEY,
    label        TEXT    NOT NULL,
    drawn_by     TEXT    NOT NULL,
    drawn_at     INTEGER NOT NULL,
    spec         TEXT    NOT NULL,
    seed         TEXT    NOT NULL,
    population   INTEGER NOT NULL,
    fingerprint  TEXT    NOT NULL,
    confidence   REAL    NOT NULL
);
CREATE INDEX samples_label ON samples(label);

CREATE TABLE sample_items (
    sample_id    INTEGER NOT NULL REFERENCES samples(id),
    position     INTEGER NOT NULL,
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    reason       TEXT    NOT NULL,
    PRIMARY KEY (sample_id, position)
);
CREATE INDEX sample_items_complaint ON sample_items(complaint_id);

CREATE TABLE decisions (
    id           INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    sample_id    INTEGER REFERENCES samples(id),
    kind         TEXT    NOT NULL CHECK (kind IN
                   ('approve', 'push_back', 'revise', 'corrective_action', 'dispute', 'retract')),
    actor        TEXT    NOT NULL,
    actor_name   TEXT    NOT NULL,
    actor_title  TEXT    NOT NULL,
    at           INTEGER NOT NULL,
    statement    TEXT,
    reasons      TEXT,
    note         TEXT,
    due_at       INTEGER,
    body         TEXT,
    retracts     INTEGER REFERENCES decisions(id),
    text_hash    TEXT    NOT NULL,
    prev_hash    TEXT    NOT NULL,
    hash         TEXT    NOT NULL
);
CREATE INDEX decisions_complaint ON decisions(complaint_id, id);
CREATE TRIGGER decisions_append_only_update BEFORE UPDATE ON decisions BEGIN
    SELECT RAISE(ABORT, 'decisions are append-only');
END;
CREATE TRIGGER decisions_append_only_delete BEFORE DELETE ON decisions BEGIN
    SELECT RAISE(ABORT, 'decisions are append-only');
END;
"#,
    // 3: corrective action requests with their append-only, hash-chained steps; the failure-mode
    // flags, canned-reply groups and daily tallies that `signoff flags --refresh` rebuilds.
    r#"
CREATE TABLE cars (
    id           INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL UNIQUE REFERENCES complaints(id),
    opened_at    INTEGER NOT NULL,
    due_at       INTEGER NOT NULL,
    opened_by    TEXT    NOT NULL,
    origin       TEXT    NOT NULL
);
CREATE TRIGGER cars_append_only_update BEFORE UPDATE ON cars BEGIN
    SELECT RAISE(ABORT, 'CARs are append-only: record a step instead');
END;
CREATE TRIGGER cars_append_only_delete BEFORE DELETE ON cars BEGIN
    SELECT RAISE(ABORT, 'CARs are append-only: record a step instead');
END;

CREATE TABLE car_events (
    id           INTEGER PRIMARY KEY,
    car_id       INTEGER NOT NULL REFERENCES cars(id),
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    step         TEXT    NOT NULL CHECK (step IN
                   ('open', 'contact', 'cause', 'act', 'check', 'close')),
    actor        TEXT    NOT NULL,
    actor_name   TEXT    NOT NULL,
    at           INTEGER NOT NULL,
    happened_at  INTEGER NOT NULL,
    due_at       INTEGER,
    category     TEXT,
    worked       INTEGER CHECK (worked IN (0, 1)),
    text         TEXT    NOT NULL,
    prev_hash    TEXT    NOT NULL,
    hash         TEXT    NOT NULL
);
CREATE INDEX car_events_car ON car_events(car_id, id);
CREATE TRIGGER car_events_append_only_update BEFORE UPDATE ON car_events BEGIN
    SELECT RAISE(ABORT, 'CAR steps are append-only');
END;
CREATE TRIGGER car_events_append_only_delete BEFORE DELETE ON car_events BEGIN
    SELECT RAISE(ABORT, 'CAR steps are append-only');
END;

-- Derived data, rebuilt whole by each refresh. No foreign keys: complaints are never deleted,
-- and checking a parent per row would slow the rebuild for nothing.
-- The local flags (contact-ignored, escalation-refused, late), keyed by flag first so that a
-- sampling rule reads one flag's complaints straight off the key.
CREATE TABLE complaint_flags (
    flag         TEXT    NOT NULL,
    complaint_id INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    division     TEXT    NOT NULL,
    value        INTEGER,
    note         TEXT,
    PRIMARY KEY (flag, complaint_id)
) WITHOUT ROWID;
CREATE INDEX complaint_flags_received ON complaint_flags(received_at);

-- Replies judged canned, by group: a narrow table written in id order, since on some stores
-- most replies are canned.
CREATE TABLE canned_members (
    complaint_id INTEGER PRIMARY KEY,
    group_id     INTEGER NOT NULL
);

CREATE TABLE canned_groups (
    id                INTEGER PRIMARY KEY,
    cluster           INTEGER NOT NULL,
    customers         INTEGER NOT NULL,
    cluster_customers INTEGER NOT NULL,
    words             INTEGER NOT NULL,
    example_complaint INTEGER NOT NULL,
    normalised        TEXT    NOT NULL
);

-- Canned replies per UTC day of receipt, division and group: what a period's pack counts.
CREATE TABLE canned_daily (
    day      INTEGER NOT NULL,
    division TEXT    NOT NULL,
    group_id INTEGER NOT NULL,
    replies  INTEGER NOT NULL,
    PRIMARY KEY (day, division, group_id)
) WITHOUT ROWID;

-- Per UTC day (of receipt) and division: what the review pack sums over any period.
CREATE TABLE check_daily (
    day                INTEGER NOT NULL,
    division           TEXT    NOT NULL,
    complaints         INTEGER NOT NULL,
    responded          INTEGER NOT NULL,
    canned             INTEGER NOT NULL,
    contact_ignored    INTEGER NOT NULL,
    escalation_refused INTEGER NOT NULL,
    late               INTEGER NOT NULL,
    wants_contact      INTEGER NOT NULL,
    detractors         INTEGER NOT NULL,
    rt_0               INTEGER NOT NULL,
    rt_1               INTEGER NOT NULL,
    rt_2               INTEGER NOT NULL,
    rt_3               INTEGER NOT NULL,
    rt_4               INTEGER NOT NULL,
    rt_5               INTEGER NOT NULL,
    rt_unknown         INTEGER NOT NULL,
    rt_seconds         INTEGER NOT NULL,
    PRIMARY KEY (day, division)
) WITHOUT ROWID;

CREATE TABLE check_runs (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    run_by        TEXT    NOT NULL,
    complaints    INTEGER NOT NULL,
    flagged       INTEGER NOT NULL,
    canned_groups INTEGER NOT NULL,
    millis        INTEGER NOT NULL,
    settings      TEXT    NOT NULL
);
"#,
    // 4: what an unfiltered draw's must-include rules count and pick from, kept by imports.
    r#"
-- Listing a period's detractors or contact requests, as sampling rules do, reads the index
-- alone.
DROP INDEX complaints_received_division;
CREATE INDEX complaints_received_division
    ON complaints(received_at, division, likelihood, wants_contact);

-- The search index without its per-document column sizes (`columnsize=0`): nothing ranks by
-- them, and keeping a row per complaint for them cost a bulk import a tenth of its indexing.
DROP TABLE complaints_fts;
CREATE VIRTUAL TABLE complaints_fts USING fts5(
    subject, complaint_text, response_text,
    content = 'complaints', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2',
    columnsize = 0
);
INSERT INTO complaints_fts(complaints_fts, rank) VALUES ('hashsize', 67108864);
INSERT INTO complaints_fts(complaints_fts) VALUES ('rebuild');

-- Complaints per division, likelihood and wants-contact (-1 for none): with division_counts,
-- the number of detractors or of customers asking for contact in the whole store.
CREATE TABLE rule_counts (
    division      TEXT    NOT NULL,
    likelihood    INTEGER NOT NULL,
    wants_contact INTEGER NOT NULL,
    complaints    INTEGER NOT NULL,
    PRIMARY KEY (division, likelihood, wants_contact)
) WITHOUT ROWID;
INSERT INTO rule_counts
    SELECT division, coalesce(likelihood, -1), coalesce(wants_contact, -1), count(*)
    FROM complaints GROUP BY 1, 2, 3;

-- The complaints a phrase rule's search (asked-for-manager, negative) matched, for the
-- configured phrases `query`, up to complaint `max_id`: bit i of `bits` (byte i / 8, bit i % 8)
-- is set when complaint i matched. An eighth of a byte a complaint: a draw tests membership
-- in memory.
CREATE TABLE phrase_rule_sets (
    rule    TEXT    PRIMARY KEY,
    query   TEXT    NOT NULL,
    max_id  INTEGER NOT NULL,
    matches INTEGER NOT NULL,
    bits    BLOB    NOT NULL
);
"#,
    // 5: the strata a stratified sample's random part was drawn from, for its bound.
    r#"
-- JSON: [{"name", "population", "drawn"}] per division of the random part, for a sample drawn
-- per division or in proportion to them; NULL for a simple random sample, and for samples
-- drawn before this step (their bound stays the simple one they were stated with).
ALTER TABLE samples ADD COLUMN strata TEXT;
"#,
    // 6: each decision and CAR step carries its actor's SSH signature over its canonical record.
    r#"
ALTER TABLE decisions ADD COLUMN signature TEXT;
ALTER TABLE car_events ADD COLUMN signature TEXT;
"#,
    // 7: what a regulator's portal publishes instead of words: whether the complaint text was
    // put together from other fields (the consumer's narrative unpublished), and the outcome
    // (the CFPB's company response, public response, timely, disputed). NULL for complaints
    // imported before this step and for exports that carry none.
    r#"
ALTER TABLE complaints ADD COLUMN text_from_fields INTEGER CHECK (text_from_fields IN (0, 1));
ALTER TABLE complaints ADD COLUMN outcome_response TEXT;
ALTER TABLE complaints ADD COLUMN outcome_public_response TEXT;
ALTER TABLE complaints ADD COLUMN outcome_timely INTEGER CHECK (outcome_timely IN (0, 1));
ALTER TABLE complaints ADD COLUMN outcome_disputed INTEGER CHECK (outcome_disputed IN (0, 1));
"#,
    // 8: each complaint's normalised customer identity (`domain::customer`), which links a
    // customer's complaints across sources.
    r#"
ALTER TABLE complaints ADD COLUMN customer_key TEXT;
-- The key as a number (`domain::customer::number`), for the links below.
ALTER TABLE complaints ADD COLUMN customer_no INTEGER;
-- Each customer's complaints, by the key's number: what a complaint's "others" and the repeat
-- explanation read. Rebuilt whole, in order, by each checks refresh (imports run one), rather
-- than kept by the import row by row: an index in customer order would cost a bulk load a
-- random descent per row.
CREATE TABLE customer_complaints (
    customer_no  INTEGER NOT NULL,
    complaint_id INTEGER NOT NULL,
    PRIMARY KEY (customer_no, complaint_id)
) WITHOUT ROWID;
-- Stored contacts shaped like an e-mail address get their key here; phone numbers and handles
-- get theirs when their rows are next imported.
UPDATE complaints SET customer_key = 'email:' || lower(trim(contact))
WHERE instr(trim(contact), '@') > 1
  AND instr(substr(trim(contact), instr(trim(contact), '@') + 1), '.') > 1
  AND length(trim(contact)) > instr(trim(contact), '@')
      + instr(substr(trim(contact), instr(trim(contact), '@') + 1), '.')
  AND trim(contact) NOT GLOB '*[ 	]*';
UPDATE complaints SET customer_no = signoff_customer_no(customer_key)
WHERE customer_key IS NOT NULL;
INSERT INTO customer_complaints
    SELECT customer_no, id FROM complaints WHERE customer_no IS NOT NULL ORDER BY 1, 2;
"#,
    // 9: conversations. A complaint imported from a threaded export (a social-media thread, a
    // helpdesk's one-row-per-message export) keeps every message here, in order; a complaint
    // whose row holds the customer's message and the company's response has no rows here: those
    // two are its thread (`domain::thread::of`), so stores from before this step need no copy and
    // every sign-off made before it still covers the same hash.
    r#"
CREATE TABLE messages (
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    seq          INTEGER NOT NULL,
    -- The message's own id in the export, when it has one (a tweet id).
    ext_id       TEXT,
    author       TEXT    NOT NULL CHECK (author IN ('customer', 'company', 'note')),
    name         TEXT,
    at           INTEGER,
    channel      TEXT,
    text         TEXT    NOT NULL,
    PRIMARY KEY (complaint_id, seq)
) WITHOUT ROWID;
-- What a reply in a later export answers may be a message of a stored thread.
CREATE INDEX messages_ext_id ON messages(ext_id) WHERE ext_id IS NOT NULL;
-- How many messages the thread holds; NULL for a complaint without stored messages (its row is
-- its thread: one message, or two with a response).
ALTER TABLE complaints ADD COLUMN message_count INTEGER;
-- The replaced thread as JSON, when the text a history row keeps was a stored thread.
ALTER TABLE complaint_history ADD COLUMN thread TEXT;
-- Updates an import held back as damaged copies of the stored text.
ALTER TABLE imports ADD COLUMN degraded INTEGER NOT NULL DEFAULT 0;
"#,
    // 10: a thread's company messages are each a reply to the canned check, so one complaint may
    // have received several canned replies: a member of each of their groups.
    r#"
CREATE TABLE canned_members_10 (
    complaint_id INTEGER NOT NULL,
    group_id     INTEGER NOT NULL,
    PRIMARY KEY (complaint_id, group_id)
) WITHOUT ROWID;
INSERT INTO canned_members_10 SELECT complaint_id, group_id FROM canned_members;
DROP TABLE canned_members;
ALTER TABLE canned_members_10 RENAME TO canned_members;
"#,
    // 11: what goes to customers and people by e-mail. Every sign-off puts its letter in the
    // outbox; the executive's own letters (outreach) and notifications wait there too. A row
    // records the delivery's intent (its exact bytes and Message-ID) before the server is
    // spoken to and its outcome after, so that no message goes twice (see `mail::deliver`).
    r#"
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('letter', 'outreach', 'notice')),
    complaint_id  INTEGER REFERENCES complaints(id),
    -- The sign-off a letter carries.
    decision_id   INTEGER REFERENCES decisions(id),
    -- The address it goes to; NULL for a letter whose customer left no e-mail address.
    recipient     TEXT,
    subject       TEXT,
    -- The text of an outreach letter or a notification, as written.
    body          TEXT,
    -- Who put it there, by login, and the name the message goes out under.
    author        TEXT    NOT NULL,
    author_name   TEXT,
    queued_at     INTEGER NOT NULL,
    -- The Message-ID, in angle brackets: fixed when the row is queued (outreach) or at the
    -- first attempt (letters and notifications), and the same at every attempt after.
    message_id    TEXT UNIQUE,
    state         TEXT    NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'withdrawn')),
    -- The exact message, fixed at the first attempt: a later attempt sends the same bytes.
    content       BLOB,
    attempts      INTEGER NOT NULL DEFAULT 0,
    attempted_at  INTEGER,
    sent_at       INTEGER,
    -- The server's reply to the delivery, or to the last attempt that failed.
    reply         TEXT,
    -- Why a message was withdrawn or failed, or why its last attempt did not go.
    note          TEXT
);
-- One letter per sign-off.
CREATE UNIQUE INDEX outbox_letter ON outbox(decision_id) WHERE kind = 'letter';
CREATE INDEX outbox_waiting ON outbox(state) WHERE state IN ('queued', 'sending');
CREATE INDEX outbox_complaint ON outbox(complaint_id) WHERE complaint_id IS NOT NULL;
-- The notifications' sent log: each event (a push-back sent to a division head, an answer
-- due, a CAR call-back running out, a daily digest) is notified once per person.
CREATE TABLE notice_log (
    event      TEXT    PRIMARY KEY,
    login      TEXT    NOT NULL,
    outbox_id  INTEGER REFERENCES outbox(id),
    at         INTEGER NOT NULL
) WITHOUT ROWID;
"#,
    // 12: the checks kept up to date for the complaints that changed rather than rebuilt after
    // every import (`store::flag_update`). What each complaint last added to the derived tables,
    // the registry of reply texts that places a new reply among the canned groups, and each
    // customer's complaints by date.
    r#"
-- What the checks last made of each complaint they judged: its day and division, its customer,
-- what it added to its day's check_daily row (`counts`, bits: see store::check_seen) and when a
-- flag of its would change if nothing else did (a deadline passing without an answer). A change
-- takes the old contribution out and puts the new one in.
CREATE TABLE check_seen (
    complaint_id INTEGER PRIMARY KEY,
    received_at  INTEGER NOT NULL,
    division     TEXT    NOT NULL,
    customer_no  INTEGER,
    counts       INTEGER NOT NULL,
    rt_seconds   INTEGER NOT NULL,
    due_at       INTEGER
);
CREATE INDEX check_seen_due ON check_seen(due_at) WHERE due_at IS NOT NULL;

-- For a flag that holds because nothing has come yet (a thread's last message unanswered): when
-- the wait began, so that the wait is told as of the moment it is read, not stored.
ALTER TABLE complaint_flags ADD COLUMN since INTEGER;

-- Every distinct normalised reply text the checks met, in the order first met: `seq` is its
-- canned group's id. Its MinHash signature (32 little-endian u16) and the LSH buckets it fell
-- in place a new text among the others without clustering them all again; `cluster` is the
-- smallest seq linked to it. Texts stay when no complaint holds them any longer, so that the
-- clusters depend on the texts met, not on the order complaints changed in.
CREATE TABLE reply_texts (
    seq       INTEGER PRIMARY KEY,
    hash      INTEGER NOT NULL UNIQUE,
    words     INTEGER NOT NULL,
    sig       BLOB    NOT NULL,
    cluster   INTEGER NOT NULL,
    customers INTEGER NOT NULL
);
CREATE INDEX reply_texts_cluster ON reply_texts(cluster);
CREATE TABLE reply_clusters (
    root      INTEGER PRIMARY KEY,
    customers INTEGER NOT NULL
);
-- Per LSH band and key, the first and the last text that fell in it: a new text is compared
-- with both, as `domain::canned::cluster` compares each text.
CREATE TABLE reply_buckets (
    band INTEGER NOT NULL,
    key  INTEGER NOT NULL,
    head INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (band, key)
) WITHOUT ROWID;
-- The replies of groups that are not canned (those of canned groups are in canned_members).
CREATE TABLE reply_members (
    complaint_id INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    PRIMARY KEY (complaint_id, seq)
) WITHOUT ROWID;
CREATE INDEX reply_members_seq ON reply_members(seq);
CREATE INDEX canned_members_group ON canned_members(group_id, complaint_id);

-- A customer's complaints by date: the repeat check reads one customer's window.
CREATE TABLE customer_complaints_12 (
    customer_no  INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    complaint_id INTEGER NOT NULL,
    PRIMARY KEY (customer_no, received_at, complaint_id)
) WITHOUT ROWID;
INSERT INTO customer_complaints_12
    SELECT k.customer_no, c.received_at, c.id
    FROM customer_complaints k JOIN complaints c ON c.id = k.complaint_id ORDER BY 1, 2, 3;
DROP TABLE customer_complaints;
ALTER TABLE customer_complaints_12 RENAME TO customer_complaints;
-- The links of complaints judged since the last refresh, which folds them into the table above:
-- a week's complaints belong to thousands of customers, and inserting them among a million
-- links would rewrite nearly every page of it. Readers take both (`customer_links`).
CREATE TABLE customer_links_recent (
    customer_no  INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    complaint_id INTEGER NOT NULL,
    PRIMARY KEY (customer_no, received_at, complaint_id)
) WITHOUT ROWID;
CREATE VIEW customer_links AS
    SELECT customer_no, received_at, complaint_id FROM customer_complaints
    UNION ALL
    SELECT customer_no, received_at, complaint_id FROM customer_links_recent;

-- The settings the stored flags were judged with and the moment they were last brought up to
-- date. No row until a refresh has filled the tables above: until then changes wait for one.
CREATE TABLE check_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    as_of    INTEGER NOT NULL,
    settings TEXT    NOT NULL
);
"#,
];

/// Brings a store to the latest step. The steps may call `signoff_customer_no(key)`, the
/// customer key's number as `domain::customer::number` computes it (registered here, on this
/// connection only: it is never part of the schema).
pub fn migrate(conn: &mut Connection) -> Result<(), rusqlite_migration::Error> {
    register_functions(conn)?;
    migrations().to_latest(conn)
}

/// The functions the steps may call, on this connection.
fn register_functions(conn: &Connection) -> Result<(), rusqlite_migration::Error> {
    conn.create_scalar_function(
        "signoff_customer_no",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let key: Option<String> = ctx.get(0)?;
            Ok(key.as_deref().map(crate::domain::customer::number))
        },
    )
    .map_err(|err| rusqlite_migration::Error::RusqliteError {
        query: "signoff_customer_no".into(),
        err,
    })
}

pub fn migrations() -> Migrations<'static> {
    Migrations::new(STEPS.iter().map(|s| M::up(s)).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        let mut conn = rusqlite::Connection::open_in_memory().expect("open");
        super::migrate(&mut conn).expect("every step runs on an empty store");
    }

    /// A store made before step 4 keeps its search index, rule counts and phrase sets right
    /// through the upgrade: the index is rebuilt from the complaints.
    #[test]
    fn step_4_upgrades_a_filled_store() {
        use rusqlite::Connection;
        use rusqlite_migration::{Migrations, M};
        let mut conn = Connection::open_in_memory().expect("open");
        Migrations::new(super::STEPS[..3].iter().map(|s| M::up(s)).collect())
            .to_latest(&mut conn)
            .expect("steps 1-3");
        conn.execute_batch(
            "INSERT INTO imports VALUES (1, 's', 'p', 'f', 0, 'utf-8', 'comma', 'a', 0, 0, 1, 1, 0, 0, 0, NULL);
             INSERT INTO complaints (id, source, external_id, received_at, division, complaint_text,
                 response_text, likelihood, wants_contact, content_hash, import_id, source_file,
                 source_line, last_import_id)
             VALUES (7, 's', 'X-1', 100, 'Billing', 'I was refunded twice', 'Sorry', 3, 1, x'00', 1, 'f', 2, 1);
             INSERT INTO complaints_fts (rowid, subject, complaint_text, response_text)
             VALUES (7, NULL, 'I was refunded twice', 'Sorry');",
        )
        .expect("a complaint");
        super::migrate(&mut conn).expect("step 4");
        let hits: i64 = conn
            .query_row(
                "SELECT count(*) FROM complaints_fts WHERE complaints_fts MATCH 'refund'",
                [],
                |r| r.get(0),
            )
            .expect("search");
        assert_eq!(hits, 1);
        conn.execute(
            "INSERT INTO complaints_fts(complaints_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .expect("sound index");
        let counted: (String, i64, i64, i64) = conn
            .query_row("SELECT * FROM rule_counts", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .expect("rule counts");
        assert_eq!(counted, ("Billing".into(), 3, 1, 1));
    }

    /// A sample recorded before step 5 keeps its row, with no strata.
    #[test]
    fn step_5_keeps_earlier_samples_without_strata() {
        use rusqlite::Connection;
        use rusqlite_migration::{Migrations, M};
        let mut conn = Connection::open_in_memory().expect("open");
        Migrations::new(super::STEPS[..4].iter().map(|s| M::up(s)).collect())
            .to_latest(&mut conn)
            .expect("steps 1-4");
        conn.execute_batch(
            "INSERT INTO samples VALUES (1, '2026-W47', 'dana', 0, '{}', '42', 200, 'f', 95.0);",
        )
        .expect("a sample");
        super::migrate(&mut conn).expect("step 5");
        let strata: Option<String> = conn
            .query_row("SELECT strata FROM samples WHERE id = 1", [], |r| r.get(0))
            .expect("strata");
        assert_eq!(strata, None);
    }

    /// Decisions and CAR steps made before step 6 keep their rows and hashes, unsigned.
    #[test]
    fn step_6_keeps_earlier_records_unsigned() {
        use rusqlite::Connection;
        use rusqlite_migration::{Migrations, M};
        let mut conn = Connection::open_in_memory().expect("open");
        Migrations::new(super::STEPS[..5].iter().map(|s| M::up(s)).collect())
            .to_latest(&mut conn)
            .expect("steps 1-5");
        conn.execute_batch(
            "INSERT INTO imports VALUES (1, 's', 'p', 'f', 0, 'utf-8', 'comma', 'a', 0, 0, 1, 1, 0, 0, 0, NULL);
             INSERT INTO complaints (id, source, external_id, received_at, division, complaint_text,
                 response_text, likelihood, wants_contact, content_hash, import_id, source_file,
                 source_line, last_import_id)
             VALUES (7, 's', 'X-1', 100, 'Billing', 'Late refund', 'Sorry', 3, 1, x'00', 1, 'f', 2, 1);
             INSERT INTO decisions (complaint_id, kind, actor, actor_name, actor_title, at,
                 text_hash, prev_hash, hash)
             VALUES (7, 'approve', 'dana', 'Dana Reyes', 'CEO', 200, 't', 'p', 'h');",
        )
        .expect("a decision");
        super::migrate(&mut conn).expect("step 6");
        let (hash, signature): (String, Option<String>) = conn
            .query_row("SELECT hash, signature FROM decisions", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .expect("decision");
        assert_eq!((hash.as_str(), signature), ("h", None));
        let car_sig: i64 = conn
            .query_row(
                "SELECT count(*) FROM pragma_table_info('car_events') WHERE name = 'signature'",
                [],
                |r| r.get(0),
            )
            .expect("columns");
        assert_eq!(car_sig, 1);
        assert!(conn
            .execute("UPDATE decisions SET signature = 'x'", [])
            .is_err());
    }

    /// Complaints imported before step 7 keep their rows and text, with no outcome and not
    /// marked as put together from other fields.
    #[test]
    fn step_7_leaves_earlier_complaints_without_an_outcome() {
        use rusqlite::Connection;
        use rusqlite_migration::{Migrations, M};
        let mut conn = Connection::open_in_memory().expect("open");
        Migrations::new(super::STEPS[..6].iter().map(|s| M::up(s)).collect())
            .to_latest(&mut conn)
            .expect("steps 1-6");
        conn.execute_batch(
            "INSERT INTO imports VALUES (1, 's', 'p', 'f', 0, 'utf-8', 'comma', 'a', 0, 0, 1, 1, 0, 0, 0, NULL);
             INSERT INTO complaints (id, source, external_id, received_at, division, complaint_text,
                 response_text, content_hash, import_id, source_file, source_line, last_import_id)
             VALUES (7, 'cfpb', '90000101', 100, 'Credit card', 'Charged twice',
                 'Closed with explanation', x'00', 1, 'f', 2, 1);",
        )
        .expect("a complaint");
        super::migrate(&mut conn).expect("step 7");
        type Row = (
            String,
            Option<String>,
            Option<bool>,
            Option<String>,
            Option<String>,
            Option<bool>,
            Option<bool>,
        );
        let row: Row = conn
            .query_row(
                "SELECT complaint_text, response_text, text_from_fields, outcome_response,
                     outcome_public_response, outcome_timely, outcome_disputed
                 FROM complaints WHERE id = 7",
                [],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                },
            )
            .expect("complaint");
        assert_eq!(
            row,
            (
                "Charged twice".into(),
                Some("Closed with explanation".into()),
                None,
                None,
                None,
                None,
                None
            )
        );
        assert!(conn
            .execute("UPDATE complaints SET outcome_timely = 2 WHERE id = 7", [])
            .is_err());
    }

    /// Step 8: complaints stored before it get a customer key where their contact is an
    /// e-mail address, as the importer would make it; other contacts stay without one.
    #[test]
    fn step_8_keys_stored_email_contacts() {
        use rusqlite::Connection;
        use rusqlite_migration::{Migrations, M};
        let mut conn = Connection::open_in_memory().expect("open");
        Migrations::new(super::STEPS[..7].iter().map(|s| M::up(s)).collect())
            .to_latest(&mut conn)
            .expect("earlier steps");
        conn.execute_batch(
            "INSERT INTO imports VALUES (1, 's', 'p', 'f', 0, 'utf-8', 'comma', 'a', 0, 0, 1, 1, 0, 0, 0, NULL);",
        )
        .expect("an import");
        let contacts = [
            "  Ana@Example.COM ",
            "+44 7700 900123",
            "ana@localhost",
            "ana@example.",
            "Ana Silva",
        ];
        for (i, contact) in contacts.iter().enumerate() {
            conn.execute(
                "INSERT INTO complaints (id, source, external_id, received_at, contact, division,
                     complaint_text, content_hash, import_id, source_file, source_line,
                     last_import_id)
                 VALUES (?1, 's', ?1, 100, ?2, 'Billing', 'text', x'00', 1, 'f', 2, 1)",
                rusqlite::params![i as i64 + 1, contact],
            )
            .expect("a complaint");
        }
        super::migrate(&mut conn).expect("step 8");
        let keys: Vec<Option<String>> = conn
            .prepare("SELECT customer_key FROM complaints ORDER BY id")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("keys");
        let want: Vec<Option<String>> = contacts
            .iter()
            .map(|c| {
                crate::domain::customer::key(c, crate::domain::customer::IdKind::Auto, "s")
                    .filter(|k| k.starts_with("email:"))
            })
            .collect();
        assert_eq!(keys, want);
        assert_eq!(keys[0].as_deref(), Some("email:ana@example.com"));
        // The index holds the key's number, as the importer computes it.
        let no = crate::domain::customer::number("email:ana@example.com");
        let stored: i64 = conn
            .query_row(
                "SELECT customer_no FROM complaints WHERE customer_key = 'email:ana@example.com'",
                [],
                |r| r.get(0),
            )
            .expect("number");
        assert_eq!(stored, no);
        let linked: i64 = conn
            .query_row(
                "SELECT count(*) FROM customer_complaints WHERE customer_no = ?1",
                [no],
                |r| r.get(0),
            )
            .expect("links");
        assert_eq!(linked, 1);
    }

    #[test]
    fn step_9_keeps_every_earlier_sign_off_covering_its_complaint() {
        use rusqlite::Connection;
        use rusqlite_migration::{Migrations, M};
        let mut conn = Connection::open_in_memory().expect("open");
        super::register_functions(&conn).expect("functions");
        Migrations::new(super::STEPS[..8].iter().map(|s| M::up(s)).collect())
            .to_latest(&mut conn)
            .expect("steps 1-8");
        let signed = crate::domain::complaint::signed_text_hash("Late refund", Some("Sorry"));
        conn.execute_batch(&format!(
            "INSERT INTO imports VALUES (1, 's', 'p', 'f', 0, 'utf-8', 'comma', 'a', 0, 0, 1, 1, 0, 0, 0, NULL);
             INSERT INTO complaints (id, source, external_id, received_at, division, complaint_text,
                 response_text, content_hash, import_id, source_file, source_line, last_import_id)
             VALUES (7, 's', 'X-1', 100, 'Billing', 'Late refund', 'Sorry', x'00', 1, 'f', 2, 1),
                    (8, 's', 'X-2', 100, 'Billing', 'No answer', NULL, x'00', 1, 'f', 3, 1);
             INSERT INTO decisions (complaint_id, kind, actor, actor_name, actor_title, at,
                 text_hash, prev_hash, hash)
             VALUES (7, 'approve', 'dana', 'Dana Reyes', 'CEO', 200, '{signed}', 'p', 'h');"
        ))
        .expect("a sign-off");
        super::migrate(&mut conn).expect("step 9");
        // The complaint and its response are its thread of two messages, hashed as before.
        assert_eq!(
            crate::store::decisions::current_text_hash(&conn, 7).expect("hash"),
            signed
        );
        let c = crate::store::queries::complaint_by_key(&conn, "s", "X-1").expect("complaint");
        let thread = crate::domain::thread::of(&c);
        assert_eq!(thread.len(), 2);
        assert_eq!(thread[1].text, "Sorry");
        assert_eq!(crate::store::threads::total(&conn).expect("total"), 3);
        let stored: i64 = conn
            .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
            .expect("messages");
        assert_eq!(stored, 0, "rows that are their own thread are not copied");
    }

    #[test]
    fn step_10_keeps_the_canned_members_and_takes_several_per_complaint() {
        use rusqlite::Connection;
        use rusqlite_migration::{Migrations, M};
        let mut conn = Connection::open_in_memory().expect("open");
        super::register_functions(&conn).expect("functions");
        Migrations::new(super::STEPS[..9].iter().map(|s| M::up(s)).collect())
            .to_latest(&mut conn)
            .expect("steps 1-9");
        conn.execute_batch("INSERT INTO canned_members VALUES (3, 1), (5, 2);")
            .expect("members");
        super::migrate(&mut conn).expect("step 10");
        conn.execute_batch("INSERT INTO canned_members VALUES (5, 1);")
            .expect("a second group");
        let members: Vec<(i64, i64)> = conn
            .prepare("SELECT complaint_id, group_id FROM canned_members")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect();
        assert_eq!(members, [(3, 1), (5, 1), (5, 2)]);
    }

    #[test]
    fn step_11_keeps_one_letter_per_sign_off_and_each_event_once() {
        use rusqlite::Connection;
        let mut conn = Connection::open_in_memory().expect("open");
        super::migrate(&mut conn).expect("migrate");
        // The rows the outbox names need not exist for what this pins.
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO outbox (kind, complaint_id, decision_id, author, queued_at)
             VALUES ('letter', 7, 3, 'dana', 200);",
        )
        .expect("a letter");
        let again = conn.execute(
            "INSERT INTO outbox (kind, complaint_id, decision_id, author, queued_at)
             VALUES ('letter', 7, 3, 'dana', 201)",
            [],
        );
        assert!(again.is_err(), "a second letter for one sign-off");
        let state: String = conn
            .query_row("SELECT state FROM outbox", [], |r| r.get(0))
            .expect("state");
        assert_eq!(state, "queued");
        conn.execute(
            "INSERT INTO notice_log VALUES ('push-back:3:priya', 'priya', NULL, 1)",
            [],
        )
        .expect("an event");
        assert!(conn
            .execute(
                "INSERT INTO notice_log VALUES ('push-back:3:priya', 'priya', NULL, 2)",
                [],
            )
            .is_err());
    }
    /// Step 12 keeps every customer link, now by date, and leaves the checks without a state:
    /// the next import or refresh judges the whole store once and fills the new tables.
    #[test]
    fn step_12_links_customers_by_date_and_waits_for_a_refresh() {
        use rusqlite::Connection;
        use rusqlite_migration::{Migrations, M};
        let mut conn = Connection::open_in_memory().expect("open");
        super::register_functions(&conn).expect("functions");
        Migrations::new(super::STEPS[..11].iter().map(|s| M::up(s)).collect())
            .to_latest(&mut conn)
            .expect("steps 1-11");
        conn.execute_batch(
            "INSERT INTO imports VALUES (1, 's', 'p', 'f', 0, 'utf-8', 'comma', 'a', 0, 0, 1, 1, 0, 0, 0, NULL, 0);
             INSERT INTO complaints (id, source, external_id, received_at, division, complaint_text,
                 content_hash, import_id, source_file, source_line, last_import_id, customer_no)
             VALUES (4, 's', 'X-4', 500, 'Billing', 'late again', x'00', 1, 'f', 2, 1, 77),
                    (9, 's', 'X-9', 100, 'Billing', 'late', x'00', 1, 'f', 3, 1, 77);
             INSERT INTO customer_complaints VALUES (77, 4), (77, 9);
             INSERT INTO complaint_flags (flag, complaint_id, received_at, division)
             VALUES ('late', 4, 500, 'Billing');",
        )
        .expect("a customer's complaints");
        super::migrate(&mut conn).expect("step 12");
        let links: Vec<(i64, i64, i64)> = conn
            .prepare("SELECT customer_no, received_at, complaint_id FROM customer_complaints")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect();
        assert_eq!(
            links,
            [(77, 100, 9), (77, 500, 4)],
            "by date within the customer"
        );
        let since: Option<i64> = conn
            .query_row("SELECT since FROM complaint_flags", [], |r| r.get(0))
            .expect("the flag kept");
        assert_eq!(since, None);
        let states: i64 = conn
            .query_row("SELECT count(*) FROM check_state", [], |r| r.get(0))
            .expect("state");
        assert_eq!(states, 0, "no state until a refresh judged the store");
    }
}
