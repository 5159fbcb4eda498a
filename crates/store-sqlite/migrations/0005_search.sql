-- 0005_search: full-text search for the Archive (issue 15).
--
-- One FTS5 table indexes every searchable "document": each message of kind text, link,
-- note or file (a file's body is its name) at rowid (chat_id << 20) | seq, and each chat's
-- header (visitor name and email, page titles of its visit, tags, wrap-up note) at rowid
-- chat_id << 20 (seq 0 is never a message). Ordering by rowid is ordering by chat, newest
-- chat first with ORDER BY rowid DESC, which FTS5 serves straight from its index.
--
-- Contentless-delete (content='', contentless_delete=1): the text is stored once, in
-- messages and chats; the index keeps only tokens. An external-content table would have to
-- be deleted from with the exact old values, which the header cannot give once a page title
-- or tag changed; contentless-delete removes a document by rowid alone. The store writes the
-- index in the same transaction as the message (the writer's group commit), and
-- `frontdesk search rebuild` refills it from the text (docs/archive.md).
--
-- One table, one tokenizer for every site: Porter stemming on unicode61 with diacritics
-- removed. The query is stemmed as the text is, so no match is lost on a non-English site;
-- only English suffixes are conflated there. One table keeps newest-first a single index
-- walk across all of an agent's sites.
CREATE VIRTUAL TABLE search USING fts5(
    body, h_name, h_email, h_titles, h_tags, h_wrap_up,
    content = '', contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

INSERT INTO search (rowid, body)
    SELECT (chat_id << 20) | seq, body FROM messages
    WHERE kind IN ('text', 'link', 'note', 'file') AND seq < 1048576;

INSERT INTO search (rowid, h_name, h_email, h_titles, h_tags, h_wrap_up)
    SELECT id << 20, visitor_name, visitor_email,
           (SELECT group_concat(title, ' ') FROM
               (SELECT DISTINCT title FROM page_views WHERE visit_id = chats.visit_id LIMIT 50)),
           (SELECT group_concat(value, ' ') FROM json_each(chats.tags)),
           wrap_up
    FROM chats;

-- No index on chats (site_id) for the Archive: the planner would take it for the queue's
-- open_chats over the partial index chats_open (a hot path). The Archive walks the chats by
-- rowid, newest first, and stops at the page's end.
