-- Schema version 7: series (create, rename, merge, split; names from hash sets).
--
-- A series is a named group of media. It is never deleted: a merged series
-- keeps its row (merged_into set) and its membership rows, so the history
-- can be read back. Membership rows are never deleted either: removing a
-- media sets removed_at/removed_by (and a hash-set hit does not re-add a
-- media an investigator removed). Every change is one row of series_events
-- (who, when, what).
--
-- A VICS `Series` or ICSE `Series name` on a hash-set entry creates or joins
-- a series automatically when a media hits that entry (trigger below):
-- series_names maps such an external name to the live series that carries
-- it (renames, merges and splits keep the mapping pointing at a live one).

CREATE TABLE series (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL COLLATE NOCASE CHECK (length(trim(name)) > 0),
    origin      TEXT NOT NULL CHECK (origin IN ('manual', 'hashset', 'split')),
    merged_into INTEGER REFERENCES series(id),
    split_from  INTEGER REFERENCES series(id),
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
-- Names are unique among live (not merged) series, case-insensitively.
CREATE UNIQUE INDEX series_live_name ON series(name) WHERE merged_into IS NULL;
CREATE INDEX series_merged_into ON series(merged_into) WHERE merged_into IS NOT NULL;

CREATE TABLE series_media (
    series_id    INTEGER NOT NULL REFERENCES series(id),
    media_sha256 TEXT NOT NULL REFERENCES media(sha256) ON DELETE CASCADE,
    -- manual: added by hand; hashset: a hash-set hit named the series;
    -- merge: came with a merged series; split: moved here by a split.
    origin       TEXT NOT NULL CHECK (origin IN ('manual', 'hashset', 'merge', 'split')),
    -- hashset: the set id; merge/split: the series id it came from.
    source_id    INTEGER,
    added_by     TEXT NOT NULL,
    added_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    removed_by   TEXT,
    removed_at   TEXT,
    PRIMARY KEY (series_id, media_sha256)
);
CREATE INDEX series_media_media ON series_media(media_sha256);

CREATE TABLE series_names (
    name        TEXT PRIMARY KEY COLLATE NOCASE,
    series_id   INTEGER NOT NULL REFERENCES series(id),
    set_id      INTEGER,
    set_name    TEXT,
    recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX series_names_series ON series_names(series_id);

CREATE TABLE series_events (
    id        INTEGER PRIMARY KEY,
    series_id INTEGER NOT NULL REFERENCES series(id),
    action    TEXT NOT NULL CHECK (action IN (
        'create', 'rename', 'merge-in', 'merged-into', 'split-out', 'split-from',
        'add', 'remove', 'hashset-name', 'hashset-add')),
    other_id  INTEGER,
    detail    TEXT,
    actor     TEXT NOT NULL,
    at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX series_events_series ON series_events(series_id, id);

-- A hit on an entry that names a series: create the series (unless the
-- name is already known or a live series carries it), map the name, add
-- the media (kept out if an investigator removed it: INSERT OR IGNORE on
-- the kept membership row).
CREATE TRIGGER hashset_hits_series AFTER INSERT ON hashset_hits
WHEN NEW.series IS NOT NULL AND length(trim(NEW.series)) > 0
BEGIN
    INSERT INTO series (name, origin, created_by)
    SELECT trim(NEW.series), 'hashset',
           'hashset:' || coalesce((SELECT name FROM hashsets WHERE id = NEW.set_id), NEW.set_id)
    WHERE NOT EXISTS (SELECT 1 FROM series_names WHERE name = trim(NEW.series))
      AND NOT EXISTS (SELECT 1 FROM series
                      WHERE name = trim(NEW.series) AND merged_into IS NULL);

    INSERT INTO series_events (series_id, action, detail, actor)
    SELECT s.id, 'hashset-name', trim(NEW.series),
           'hashset:' || coalesce((SELECT name FROM hashsets WHERE id = NEW.set_id), NEW.set_id)
    FROM series s
    WHERE s.name = trim(NEW.series) AND s.merged_into IS NULL
      AND NOT EXISTS (SELECT 1 FROM series_names WHERE name = trim(NEW.series));

    INSERT OR IGNORE INTO series_names (name, series_id, set_id, set_name)
    SELECT trim(NEW.series), s.id, NEW.set_id,
           (SELECT name FROM hashsets WHERE id = NEW.set_id)
    FROM series s
    WHERE s.name = trim(NEW.series) AND s.merged_into IS NULL;

    INSERT INTO series_events (series_id, action, detail, actor)
    SELECT n.series_id, 'hashset-add', NEW.media_sha256,
           'hashset:' || coalesce((SELECT name FROM hashsets WHERE id = NEW.set_id), NEW.set_id)
    FROM series_names n
    WHERE n.name = trim(NEW.series)
      AND NOT EXISTS (SELECT 1 FROM series_media m
                      WHERE m.series_id = n.series_id AND m.media_sha256 = NEW.media_sha256);

    INSERT OR IGNORE INTO series_media (series_id, media_sha256, origin, source_id, added_by)
    SELECT n.series_id, NEW.media_sha256, 'hashset', NEW.set_id,
           'hashset:' || coalesce((SELECT name FROM hashsets WHERE id = NEW.set_id), NEW.set_id)
    FROM series_names n
    WHERE n.name = trim(NEW.series);
END;

-- Hits recorded before this version: replay them through the same rules.
INSERT INTO series (name, origin, created_by)
SELECT DISTINCT trim(h.series), 'hashset', 'hashset:' || coalesce(s.name, h.set_id)
FROM hashset_hits h LEFT JOIN hashsets s ON s.id = h.set_id
WHERE h.series IS NOT NULL AND length(trim(h.series)) > 0
GROUP BY trim(h.series) COLLATE NOCASE;

INSERT INTO series_events (series_id, action, detail, actor)
SELECT id, 'hashset-name', name, created_by FROM series;

INSERT OR IGNORE INTO series_names (name, series_id, set_id, set_name)
SELECT s.name, s.id, min(h.set_id), NULL
FROM series s JOIN hashset_hits h ON trim(h.series) = s.name
GROUP BY s.id;

INSERT OR IGNORE INTO series_media (series_id, media_sha256, origin, source_id, added_by)
SELECT n.series_id, h.media_sha256, 'hashset', h.set_id, 'hashset:' || coalesce(hs.name, h.set_id)
FROM hashset_hits h
JOIN series_names n ON n.name = trim(h.series)
LEFT JOIN hashsets hs ON hs.id = h.set_id;
