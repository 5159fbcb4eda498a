-- 0006_reports: what "Reports" (issue 15) reads besides the chats themselves (the SQLite
-- twin explains each table). Independent of 0005 (search).

CREATE TABLE chat_events (
    chat_id  BIGINT NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    at       BIGINT NOT NULL,
    state    TEXT   NOT NULL CHECK (state IN ('pending', 'active', 'ended')),
    agent_id BIGINT
);
CREATE INDEX chat_events_chat ON chat_events (chat_id, at);

CREATE TABLE agent_online (
    agent_id   BIGINT  NOT NULL,
    started_at BIGINT  NOT NULL,
    last_seen  BIGINT  NOT NULL,
    closed     BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (agent_id, started_at)
);
CREATE INDEX agent_online_open ON agent_online (agent_id) WHERE NOT closed;

CREATE INDEX chats_site_created ON chats (site_id, created_at);

CREATE TABLE report_hours (
    site_id          BIGINT NOT NULL,
    hour             BIGINT NOT NULL,
    chats            BIGINT NOT NULL,
    missed           BIGINT NOT NULL,
    offline_messages BIGINT NOT NULL,
    messages         BIGINT NOT NULL,
    ratings          BIGINT NOT NULL,
    ratings_good     BIGINT NOT NULL,
    quarters         TEXT   NOT NULL,
    wait             TEXT   NOT NULL,
    first_response   TEXT   NOT NULL,
    duration         TEXT   NOT NULL,
    PRIMARY KEY (site_id, hour)
);
CREATE TABLE report_agent_hours (
    site_id        BIGINT NOT NULL,
    hour           BIGINT NOT NULL,
    agent_id       BIGINT NOT NULL,
    chats          BIGINT NOT NULL,
    ratings        BIGINT NOT NULL,
    ratings_good   BIGINT NOT NULL,
    first_response TEXT   NOT NULL,
    PRIMARY KEY (site_id, hour, agent_id)
);
CREATE TABLE report_dirty (
    site_id BIGINT NOT NULL,
    hour    BIGINT NOT NULL,
    mark    BIGINT NOT NULL DEFAULT 1,
    PRIMARY KEY (site_id, hour)
);

CREATE FUNCTION report_mark() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r RECORD;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    INSERT INTO report_dirty (site_id, hour) VALUES (r.site_id, r.created_at / 3600000)
        ON CONFLICT (site_id, hour) DO UPDATE SET mark = report_dirty.mark + 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_chat_created AFTER INSERT OR DELETE ON chats
    FOR EACH ROW EXECUTE FUNCTION report_mark();
CREATE TRIGGER report_chat_changed
    AFTER UPDATE OF state, agent_id, answered_at, ended_at, missed, rating, created_at, site_id
    ON chats FOR EACH ROW EXECUTE FUNCTION report_mark();
CREATE TRIGGER report_offline_changed AFTER INSERT OR DELETE ON offline_messages
    FOR EACH ROW EXECUTE FUNCTION report_mark();

INSERT INTO report_dirty (site_id, hour)
    SELECT DISTINCT site_id, created_at / 3600000 FROM chats ON CONFLICT DO NOTHING;
INSERT INTO report_dirty (site_id, hour)
    SELECT DISTINCT site_id, created_at / 3600000 FROM offline_messages ON CONFLICT DO NOTHING;
