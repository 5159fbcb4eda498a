-- 0005_search: full-text search for the Archive (issue 15).
--
-- Each searchable "document" carries a tsvector computed in the statement that writes it:
-- a message (kinds text, link, note, file: a file's body is its name) in messages.search,
-- and each chat's header (visitor name and email, page titles of its visit, tags, wrap-up
-- note) in chats.search, both GIN-indexed. Triggers compute them, so every writer (the
-- store, imports, bulk loads) keeps them in step in its own transaction. The header is
-- recomputed when name, email, tags or wrap-up change and when the chat ends (page titles
-- are taken at creation and at the end, never on a page view).
--
-- The text search configuration follows the site's language (sites.settings->>'language':
-- 'en' english, 'de' german, ...; anything else 'simple'). Diacritics are folded by
-- frontdesk_fold (a fixed Latin table: no extension needed), on the text and on the query.
-- `SET frontdesk.search_index = off` on a connection (the `[search] index = false` switch)
-- makes its writes skip the index; `frontdesk search rebuild` recomputes every tsvector.

CREATE FUNCTION frontdesk_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT translate(t,
        'ÀÁÂÃÄÅàáâãäåĀāĂăĄąÇçĆćĈĉĊċČčĎďĐđÈÉÊËèéêëĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħÌÍÎÏìíîïĨĩĪīĬĭĮįİıĴĵĶķĹĺĻļĽľĿŀŁłÑñŃńŅņŇňÒÓÔÕÖØòóôõöøŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲųŴŵÝýÿŶŷŸŹźŻżŽž',
        'AAAAAAaaaaaaAaAaAaCcCcCcCcCcDdDdEEEEeeeeEeEeEeEeEeGgGgGgGgHhHhIIIIiiiiIiIiIiIiIiJjKkLlLlLlLlLlNnNnNnNnOOOOOOooooooOoOoOoRrRrRrSsSsSsSsTtTtTtUUUUuuuuUuUuUuUuUuUuWwYyyYyYZzZzZz')
$$;

CREATE FUNCTION frontdesk_search_config(site bigint) RETURNS regconfig LANGUAGE sql STABLE AS $$
    SELECT (CASE coalesce(settings->>'language', 'en')
        WHEN 'en' THEN 'english' WHEN 'de' THEN 'german' WHEN 'fr' THEN 'french'
        WHEN 'es' THEN 'spanish' WHEN 'pt' THEN 'portuguese' WHEN 'it' THEN 'italian'
        WHEN 'nl' THEN 'dutch' WHEN 'sv' THEN 'swedish' WHEN 'da' THEN 'danish'
        WHEN 'fi' THEN 'finnish' WHEN 'no' THEN 'norwegian' WHEN 'nb' THEN 'norwegian'
        WHEN 'ru' THEN 'russian' WHEN 'hu' THEN 'hungarian' WHEN 'ro' THEN 'romanian'
        WHEN 'tr' THEN 'turkish'
        ELSE 'simple'
    END)::regconfig FROM sites WHERE id = site
$$;

CREATE FUNCTION frontdesk_message_tsv(site bigint, kind text, body text) RETURNS tsvector
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN kind IN ('text', 'link', 'note', 'file')
        THEN to_tsvector(frontdesk_search_config(site), frontdesk_fold(body)) END
$$;

CREATE FUNCTION frontdesk_chat_tsv(site bigint, visit bigint, name text, email text,
                                   tags jsonb, wrap_up text) RETURNS tsvector
LANGUAGE sql STABLE AS $$
    SELECT to_tsvector(frontdesk_search_config(site), frontdesk_fold(concat_ws(' ',
        name, email,
        (SELECT string_agg(title, ' ') FROM
            (SELECT DISTINCT title FROM page_views WHERE visit_id = visit LIMIT 50) t),
        (SELECT string_agg(value, ' ') FROM jsonb_array_elements_text(tags)),
        wrap_up)))
$$;

CREATE FUNCTION frontdesk_search_on() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('frontdesk.search_index', true), '') <> 'off'
$$;

ALTER TABLE messages ADD COLUMN search tsvector;
ALTER TABLE chats ADD COLUMN search tsvector;

CREATE FUNCTION messages_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF frontdesk_search_on() THEN
        NEW.search := frontdesk_message_tsv(
            (SELECT site_id FROM chats WHERE id = NEW.chat_id), NEW.kind, NEW.body);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER messages_search BEFORE INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION messages_search();

CREATE FUNCTION chats_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF frontdesk_search_on() THEN
        NEW.search := frontdesk_chat_tsv(NEW.site_id, NEW.visit_id, NEW.visitor_name,
            NEW.visitor_email, NEW.tags, NEW.wrap_up);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER chats_search_insert BEFORE INSERT ON chats
    FOR EACH ROW EXECUTE FUNCTION chats_search();
CREATE TRIGGER chats_search_update BEFORE UPDATE ON chats
    FOR EACH ROW WHEN (OLD.visitor_name IS DISTINCT FROM NEW.visitor_name
        OR OLD.visitor_email IS DISTINCT FROM NEW.visitor_email
        OR OLD.tags IS DISTINCT FROM NEW.tags
        OR OLD.wrap_up IS DISTINCT FROM NEW.wrap_up
        OR (NEW.state = 'ended' AND OLD.state <> 'ended'))
    EXECUTE FUNCTION chats_search();

-- Existing rows.
UPDATE messages m SET search = frontdesk_message_tsv(c.site_id, m.kind, m.body)
    FROM chats c WHERE c.id = m.chat_id AND m.kind IN ('text', 'link', 'note', 'file');
UPDATE chats SET search = frontdesk_chat_tsv(site_id, visit_id, visitor_name, visitor_email,
    tags, wrap_up);

CREATE INDEX messages_search ON messages USING gin (search);
CREATE INDEX chats_search ON chats USING gin (search);
-- The Archive without a search: a site's chats newest first.
CREATE INDEX chats_site ON chats (site_id, id);
