-- Schema version 6: image embeddings per media and region (find-similar).
--
-- One row per embedding model (name + content SHA-256 of its manifest:
-- a changed model is a new row, so old embeddings are never mixed with new
-- ones). Per (media, model): `media_embeddings` says it was done (or why it
-- failed, so a failing media is not retried on every run); the vectors are
-- in `embedding_regions`, region 0 being the whole image, each with its box
-- in the media's pixels and the vector as little-endian f32 bytes.
CREATE TABLE embedding_models (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    dim        INTEGER NOT NULL CHECK (dim > 0),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (name, sha256)
);

CREATE TABLE media_embeddings (
    sha256     TEXT NOT NULL REFERENCES media(sha256) ON DELETE CASCADE,
    model_id   INTEGER NOT NULL REFERENCES embedding_models(id) ON DELETE CASCADE,
    regions    INTEGER NOT NULL,
    error      TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (sha256, model_id)
);
CREATE INDEX media_embeddings_model ON media_embeddings(model_id);

CREATE TABLE embedding_regions (
    id       INTEGER PRIMARY KEY,
    sha256   TEXT NOT NULL,
    model_id INTEGER NOT NULL,
    region   INTEGER NOT NULL CHECK (region >= 0),
    x        INTEGER NOT NULL,
    y        INTEGER NOT NULL,
    width    INTEGER NOT NULL,
    height   INTEGER NOT NULL,
    vector   BLOB NOT NULL,
    UNIQUE (sha256, model_id, region),
    FOREIGN KEY (sha256, model_id) REFERENCES media_embeddings(sha256, model_id) ON DELETE CASCADE
);
CREATE INDEX embedding_regions_model ON embedding_regions(model_id, id);
