-- 0013_search_queue: nothing to change on PostgreSQL.
--
-- SQLite's migration 13 adds the queue of messages waiting for its FTS5 index (issue 16).
-- Here a message's `tsvector` is still computed by the trigger of the statement that writes it
-- and kept by the GIN index's own pending list (0005_search.sql). This migration keeps the two
-- backends' schema numbers in step: the dump's header names one number for both (docs/deploy.md).
SELECT 1;
