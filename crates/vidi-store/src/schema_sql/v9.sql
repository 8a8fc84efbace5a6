-- Schema version 9: audit log (hash-chained) and leads (potential identifications).

-- The audit log. Append-only: the triggers below refuse UPDATE and DELETE,
-- and every row carries the SHA-256 chain hash over the previous row's hash
-- and a canonical encoding of this row (see `store::audit`), so an edit made
-- after dropping the triggers is still detected by `verify_audit`.
-- `seq` is contiguous from 1; `prev_hash` of seq 1 is 64 zeros.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    user      TEXT NOT NULL,
    agency    TEXT NOT NULL,
    action    TEXT NOT NULL,
    object    TEXT NOT NULL,
    client    TEXT,
    detail    TEXT,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_log_object ON audit_log(object);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;

-- Leads: potential identifications of a victim, offender or place, for one
-- target country. Author and reviewer are (user name, agency code).
CREATE TABLE leads (
    id              INTEGER PRIMARY KEY,
    subject         TEXT NOT NULL CHECK (subject IN ('victim', 'offender', 'place')),
    target_country  TEXT NOT NULL CHECK (length(target_country) = 2),
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL,
    state           TEXT NOT NULL
        CHECK (state IN ('draft', 'submitted', 'approved', 'rejected', 'disseminated')),
    author_user     TEXT NOT NULL,
    author_agency   TEXT NOT NULL,
    reviewer_user   TEXT,
    reviewer_agency TEXT,
    reviewed_at     TEXT,
    review_note     TEXT,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX leads_state ON leads(state, target_country);

-- Media are not foreign keys: a lead outlives re-ingest of its media.
CREATE TABLE lead_media (
    lead_id      INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    pos          INTEGER NOT NULL,
    media_sha256 TEXT NOT NULL,
    PRIMARY KEY (lead_id, media_sha256)
);
CREATE INDEX lead_media_media ON lead_media(media_sha256);

-- A clue is copied when attached (`clue_json`): clue rows are replaced when
-- an extractor reruns, the lead keeps what its author saw.
CREATE TABLE lead_clues (
    lead_id   INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    pos       INTEGER NOT NULL,
    clue_id   INTEGER NOT NULL,
    clue_json TEXT NOT NULL,
    PRIMARY KEY (lead_id, clue_id)
);

CREATE TABLE lead_comments (
    id      INTEGER PRIMARY KEY,
    lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    user    TEXT NOT NULL,
    agency  TEXT NOT NULL,
    text    TEXT NOT NULL
);
CREATE INDEX lead_comments_lead ON lead_comments(lead_id, id);

CREATE TABLE lead_history (
    id         INTEGER PRIMARY KEY,
    lead_id    INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    user       TEXT NOT NULL,
    agency     TEXT NOT NULL,
    action     TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    note       TEXT
);
CREATE INDEX lead_history_lead ON lead_history(lead_id, id);

-- Dissemination packages built for a target country; the file itself is a
-- blob (`blob_key`), its SHA-256 is `sha256`. `version` counts up per country.
CREATE TABLE packages (
    id         INTEGER PRIMARY KEY,
    country    TEXT NOT NULL CHECK (length(country) = 2),
    version    INTEGER NOT NULL,
    lead_ids   TEXT NOT NULL,
    sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
    file_name  TEXT NOT NULL,
    blob_key   TEXT NOT NULL,
    size       INTEGER NOT NULL,
    built_by   TEXT NOT NULL,
    agency     TEXT NOT NULL,
    built_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (country, version)
);
