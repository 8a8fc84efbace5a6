-- Schema version 8: accounts (agencies' users, sessions, API tokens, case
-- grants, per-user settings) and investigators' tags and notes on media.
-- Secrets (session ids, API tokens) are stored only as SHA-256 hex of the
-- random value; passwords only as argon2id PHC strings.

ALTER TABLE agencies ADD COLUMN name TEXT;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('analyst', 'reviewer', 'admin')),
    agency_id     INTEGER NOT NULL REFERENCES agencies(id),
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY CHECK (length(id_hash) = 64),
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    idle_timeout INTEGER NOT NULL,
    client       TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    last_used  INTEGER
);

CREATE TABLE case_grants (
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    agency_id  INTEGER NOT NULL REFERENCES agencies(id),
    granted_by INTEGER REFERENCES users(id),
    granted_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (case_id, agency_id)
);
CREATE INDEX case_grants_agency ON case_grants(agency_id);

CREATE TABLE user_settings (
    user_id       INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    settings_json TEXT NOT NULL
);

CREATE TABLE media_notes (
    id           INTEGER PRIMARY KEY,
    media_sha256 TEXT NOT NULL REFERENCES media(sha256) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('tag', 'note')),
    text         TEXT NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    agency_id    INTEGER NOT NULL REFERENCES agencies(id),
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX media_notes_media ON media_notes(media_sha256, kind);

-- Need-to-know: media lists of one case, visibility of one media.
CREATE INDEX evidence_case_media ON evidence(case_id, media_sha256);
