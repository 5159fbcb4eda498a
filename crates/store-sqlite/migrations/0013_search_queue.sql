-- 0013_search_queue: messages are indexed for search after their commit, not in it (issue 16).
--
-- A message's commit records only which chat has messages not yet in the FTS5 table
-- `search`, and from which seq (the first such message; INSERT OR IGNORE keeps it). The
-- writer thread indexes them later, in rowid order, many at a time, in a transaction of its
-- own that also empties this table: when it is idle, after enough messages, before every
-- search (which therefore always sees every acknowledged message) and at open (after a
-- crash). See crates/store-sqlite/src/search_queue.rs. A chat's header is still indexed in
-- the chat's own writes (0005_search.sql).
--
-- FTS5 writes a new index segment whenever a rowid is not above the previous one in the
-- transaction, and every commit that indexes anything writes one. Messages of many chats in
-- one group commit came in no rowid order: several segments per commit, and merges after.
CREATE TABLE search_queue (
    chat_id  INTEGER PRIMARY KEY REFERENCES chats (id) ON DELETE CASCADE,
    from_seq INTEGER NOT NULL
);

-- Nothing was queued before this version: the index holds every message already.
