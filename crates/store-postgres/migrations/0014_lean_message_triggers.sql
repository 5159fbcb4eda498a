-- 0014_lean_message_triggers: the two triggers every message insert runs, made cheaper
-- (issue 16; what each does is unchanged).
--
-- pg_stat_statements on one node at 500-2,000 msg/s: the statement that appends a message took
-- 684 µs on average, 256 µs of it in `messages_search` and 122 µs in `messages_unread_reply`
-- (BENCHMARKS.md, "PostgreSQL: the message's triggers").
--
-- 1. `messages_search` called `frontdesk_message_tsv`, which calls `frontdesk_search_config`:
--    SQL functions with a FROM clause are not inlined, so each message planned them afresh.
--    The language → text search configuration mapping moves into an inlinable function, and
--    the trigger reads the site's language in one statement (a plan kept by PL/pgSQL).
-- 2. `messages_unread_reply` rewrote the chat row on every agent reply although only the
--    first unread one sets `unread_reply_at` (COALESCE kept the old value): it now updates
--    only a chat that has none yet.

CREATE FUNCTION frontdesk_search_config_of(language text) RETURNS regconfig
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (CASE coalesce(language, 'en')
        WHEN 'en' THEN 'english' WHEN 'de' THEN 'german' WHEN 'fr' THEN 'french'
        WHEN 'es' THEN 'spanish' WHEN 'pt' THEN 'portuguese' WHEN 'it' THEN 'italian'
        WHEN 'nl' THEN 'dutch' WHEN 'sv' THEN 'swedish' WHEN 'da' THEN 'danish'
        WHEN 'fi' THEN 'finnish' WHEN 'no' THEN 'norwegian' WHEN 'nb' THEN 'norwegian'
        WHEN 'ru' THEN 'russian' WHEN 'hu' THEN 'hungarian' WHEN 'ro' THEN 'romanian'
        WHEN 'tr' THEN 'turkish'
        ELSE 'simple'
    END)::regconfig
$$;

-- The one mapping: the site-level function (rebuilds, chat headers) uses it too.
CREATE OR REPLACE FUNCTION frontdesk_search_config(site bigint) RETURNS regconfig
LANGUAGE sql STABLE AS $$
    SELECT frontdesk_search_config_of(settings->>'language') FROM sites WHERE id = site
$$;

CREATE OR REPLACE FUNCTION messages_search() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    config regconfig;
BEGIN
    IF NEW.kind IN ('text', 'link', 'note', 'file') AND frontdesk_search_on() THEN
        SELECT frontdesk_search_config_of(s.settings->>'language') INTO config
            FROM chats c JOIN sites s ON s.id = c.site_id WHERE c.id = NEW.chat_id;
        NEW.search := to_tsvector(config, frontdesk_fold(NEW.body));
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION messages_unread_reply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE chats SET unread_reply_at = NEW.created_at
        WHERE id = NEW.chat_id AND unread_reply_at IS NULL
          AND NEW.seq > GREATEST(visitor_read_seq, replies_emailed_seq);
    RETURN NULL;
END;
$$;
