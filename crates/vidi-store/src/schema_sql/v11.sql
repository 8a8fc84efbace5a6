-- Schema version 11: generation counters for the server's caches.
--
-- `generations.n` of 'data' grows with every insert, update or delete of a row that can change what a
-- grid, a case list or a media's country shows (media, evidence, clues, hits, categories, series, clusters,
-- cases, grants, thumbnails); 'auth' with every change or removal of a user, an agency or a session. The
-- server keeps totals, list items, countries and sessions in memory and trusts them only while the
-- counter it read them under is unchanged: one indexed read per request instead of the recount, and
-- writes by any process (the command line too) take effect at once. Per-row triggers cost one
-- single-row update per written row, inside the writer's own transaction.
CREATE TABLE generations (
    name TEXT PRIMARY KEY,
    n    INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO generations (name, n) VALUES ('data', 0), ('auth', 0);

CREATE TRIGGER gen_media_insert AFTER INSERT ON media BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_media_update AFTER UPDATE ON media BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_media_delete AFTER DELETE ON media BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_evidence_insert AFTER INSERT ON evidence BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_evidence_update AFTER UPDATE ON evidence BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_evidence_delete AFTER DELETE ON evidence BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_clues_insert AFTER INSERT ON clues BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_clues_update AFTER UPDATE ON clues BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_clues_delete AFTER DELETE ON clues BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_hashset_hits_insert AFTER INSERT ON hashset_hits BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_hashset_hits_update AFTER UPDATE ON hashset_hits BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_hashset_hits_delete AFTER DELETE ON hashset_hits BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_hashset_categories_insert AFTER INSERT ON hashset_categories BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_hashset_categories_update AFTER UPDATE ON hashset_categories BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_hashset_categories_delete AFTER DELETE ON hashset_categories BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_media_categories_insert AFTER INSERT ON media_categories BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_media_categories_update AFTER UPDATE ON media_categories BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_media_categories_delete AFTER DELETE ON media_categories BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_series_insert AFTER INSERT ON series BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_series_update AFTER UPDATE ON series BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_series_delete AFTER DELETE ON series BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_series_media_insert AFTER INSERT ON series_media BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_series_media_update AFTER UPDATE ON series_media BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_series_media_delete AFTER DELETE ON series_media BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_series_names_insert AFTER INSERT ON series_names BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_series_names_update AFTER UPDATE ON series_names BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_series_names_delete AFTER DELETE ON series_names BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_link_clusters_insert AFTER INSERT ON link_clusters BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_link_clusters_update AFTER UPDATE ON link_clusters BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_link_clusters_delete AFTER DELETE ON link_clusters BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_cases_insert AFTER INSERT ON cases BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_cases_update AFTER UPDATE ON cases BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_cases_delete AFTER DELETE ON cases BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_case_grants_insert AFTER INSERT ON case_grants BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_case_grants_update AFTER UPDATE ON case_grants BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_case_grants_delete AFTER DELETE ON case_grants BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_thumbnails_insert AFTER INSERT ON thumbnails BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_thumbnails_update AFTER UPDATE ON thumbnails BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_thumbnails_delete AFTER DELETE ON thumbnails BEGIN UPDATE generations SET n = n + 1 WHERE name = 'data'; END;
CREATE TRIGGER gen_auth_users_insert AFTER INSERT ON users BEGIN UPDATE generations SET n = n + 1 WHERE name = 'auth'; END;
CREATE TRIGGER gen_auth_users_update AFTER UPDATE ON users BEGIN UPDATE generations SET n = n + 1 WHERE name = 'auth'; END;
CREATE TRIGGER gen_auth_users_delete AFTER DELETE ON users BEGIN UPDATE generations SET n = n + 1 WHERE name = 'auth'; END;
CREATE TRIGGER gen_auth_agencies_update AFTER UPDATE ON agencies BEGIN UPDATE generations SET n = n + 1 WHERE name = 'auth'; END;
CREATE TRIGGER gen_auth_agencies_delete AFTER DELETE ON agencies BEGIN UPDATE generations SET n = n + 1 WHERE name = 'auth'; END;
CREATE TRIGGER gen_auth_sessions_delete AFTER DELETE ON sessions BEGIN UPDATE generations SET n = n + 1 WHERE name = 'auth'; END;
CREATE TRIGGER gen_auth_case_grants_insert AFTER INSERT ON case_grants BEGIN UPDATE generations SET n = n + 1 WHERE name = 'auth'; END;
CREATE TRIGGER gen_auth_case_grants_update AFTER UPDATE ON case_grants BEGIN UPDATE generations SET n = n + 1 WHERE name = 'auth'; END;
CREATE TRIGGER gen_auth_case_grants_delete AFTER DELETE ON case_grants BEGIN UPDATE generations SET n = n + 1 WHERE name = 'auth'; END;
