//! Numbered, append-only schema migrations. Never edit a released step: add a new one.

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
];

pub fn migrations() -> Migrations<'static> {
    Migrations::new(STEPS.iter().map(|s| M::up(s)).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert!(super::migrations().validate().is_ok());
    }
}
