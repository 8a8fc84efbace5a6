-- Schema version 10: indexes for the server's grid under load.
--
-- "Has this media a clue of this kind?" (every grid item's has_speech and country, the has_speech filter):
-- without this index SQLite picks clues_kind_value (kind = ?) and walks every clue of that kind in the
-- workspace for each media (1 s per grid page of 100 at 100,000 media); with it, one index probe.
CREATE INDEX clues_media_kind ON clues(media_sha256, kind);
