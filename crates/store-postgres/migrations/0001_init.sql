-- 0001_init: the initial Frontdesk schema on PostgreSQL (the same tables, columns and rules
-- as the SQLite schema of the same number).
--
-- Conventions: ids are BIGSERIAL; times are BIGINT milliseconds since the Unix epoch (UTC);
-- booleans are BOOLEAN; enumerations are short TEXT values guarded by CHECK constraints.
--
-- History (chats, messages, blocks) names agents by id WITHOUT a foreign key: a transcript
-- outlives the agent who wrote it, and deleting an agent must not rewrite history.

CREATE TABLE sites (
    id              BIGSERIAL PRIMARY KEY,
    key             TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    base_url        TEXT    NOT NULL,
    timezone        TEXT    NOT NULL,
    allowed_origins JSONB   NOT NULL DEFAULT '[]',
    email           TEXT,
    created_at      BIGINT  NOT NULL
);

CREATE TABLE agents (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    is_admin      BOOLEAN NOT NULL DEFAULT false,
    status        TEXT    NOT NULL DEFAULT 'online' CHECK (status IN ('online', 'away')),
    -- true: member of every site, present and future (agent_sites rows then only record
    -- monitoring choices).
    all_sites     BOOLEAN NOT NULL DEFAULT false,
    created_at    BIGINT  NOT NULL
);
-- Emails are unique whatever their case.
CREATE UNIQUE INDEX agents_email ON agents (lower(email));

CREATE TABLE agent_sites (
    agent_id   BIGINT  NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    site_id    BIGINT  NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    monitoring BOOLEAN NOT NULL DEFAULT true,
    PRIMARY KEY (agent_id, site_id)
);
CREATE INDEX agent_sites_site ON agent_sites (site_id);

CREATE TABLE sessions (
    token_hash TEXT   NOT NULL PRIMARY KEY,
    agent_id   BIGINT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_agent ON sessions (agent_id);

CREATE TABLE visitors (
    site_id    BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    visitor_id TEXT   NOT NULL,
    name       TEXT,
    email      TEXT,
    first_seen BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    PRIMARY KEY (site_id, visitor_id)
);

CREATE TABLE visits (
    id           BIGSERIAL PRIMARY KEY,
    site_id      BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    visitor_id   TEXT   NOT NULL,
    ip           TEXT   NOT NULL,
    user_agent   TEXT   NOT NULL,
    browser      TEXT   NOT NULL,
    os           TEXT   NOT NULL,
    referrer     TEXT,
    country      TEXT,
    country_code TEXT,
    region       TEXT,
    city         TEXT,
    started_at   BIGINT NOT NULL,
    last_seen    BIGINT NOT NULL
);
CREATE INDEX visits_visitor ON visits (site_id, visitor_id, started_at, id);

CREATE TABLE page_views (
    -- Only orders views with the same time (SQLite uses its rowid for that).
    id        BIGSERIAL PRIMARY KEY,
    visit_id  BIGINT NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    url       TEXT   NOT NULL,
    title     TEXT   NOT NULL,
    viewed_at BIGINT NOT NULL
);
CREATE INDEX page_views_visit ON page_views (visit_id, viewed_at, id);

CREATE TABLE chats (
    id            BIGSERIAL PRIMARY KEY,
    site_id       BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    visitor_id    TEXT   NOT NULL,
    visit_id      BIGINT,
    visitor_name  TEXT,
    visitor_email TEXT,
    state         TEXT   NOT NULL DEFAULT 'pending'
                         CHECK (state IN ('pending', 'active', 'ended')),
    -- The agent holding the chat (active), or who last held it (ended).
    agent_id      BIGINT,
    end_reason    TEXT   CHECK (end_reason IN ('visitor', 'agent', 'blocked')),
    ended_by      BIGINT,
    -- Compare-and-set counter: bumped on every state change. Starts at 1.
    version       BIGINT NOT NULL DEFAULT 1,
    -- Highest message seq in the chat (messages are numbered 1, 2, ... with no gaps).
    last_seq      BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    queued_at     BIGINT NOT NULL,
    ended_at      BIGINT,
    page_url      TEXT,
    CHECK (state <> 'active' OR agent_id IS NOT NULL),
    CHECK ((state = 'ended') = (end_reason IS NOT NULL)),
    CHECK (end_reason IS NULL OR end_reason = 'visitor' OR ended_by IS NOT NULL)
);
-- The queue and the console's open-chat list: only open chats are indexed.
CREATE INDEX chats_open ON chats (site_id, queued_at, id) WHERE state IN ('pending', 'active');
-- "My chats" of an agent.
CREATE INDEX chats_agent_active ON chats (agent_id, queued_at, id) WHERE state = 'active';
-- A visitor's chats (newest first) and their open chat.
CREATE INDEX chats_visitor ON chats (site_id, visitor_id, created_at, id);
-- A visitor has at most one open chat per site (a double click cannot open two, on any node).
CREATE UNIQUE INDEX chats_one_open_per_visitor ON chats (site_id, visitor_id)
    WHERE state IN ('pending', 'active');

CREATE TABLE messages (
    chat_id     BIGINT NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    seq         BIGINT NOT NULL,
    author      TEXT   NOT NULL CHECK (author IN ('visitor', 'agent', 'system')),
    agent_id    BIGINT,
    author_name TEXT,
    kind        TEXT   NOT NULL CHECK (kind IN ('text', 'link', 'event')),
    body        TEXT   NOT NULL,
    -- The sender's idempotency key.
    client_id   TEXT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (chat_id, seq),
    CHECK ((author = 'agent') = (agent_id IS NOT NULL))
);
CREATE UNIQUE INDEX messages_client_id ON messages (chat_id, client_id)
    WHERE client_id IS NOT NULL;

CREATE TABLE canned_responses (
    id       BIGSERIAL PRIMARY KEY,
    site_id  BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    -- NULL: site-wide; otherwise the agent's own.
    agent_id BIGINT REFERENCES agents (id) ON DELETE CASCADE,
    title    TEXT   NOT NULL,
    body     TEXT   NOT NULL
);
CREATE INDEX canned_site ON canned_responses (site_id, agent_id);
CREATE INDEX canned_agent ON canned_responses (agent_id) WHERE agent_id IS NOT NULL;

CREATE TABLE blocks (
    id         BIGSERIAL PRIMARY KEY,
    site_id    BIGINT  NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    visitor_id TEXT    NOT NULL,
    ip         TEXT,
    chat_id    BIGINT,
    blocked_by BIGINT  NOT NULL,
    created_at BIGINT  NOT NULL,
    until      BIGINT  NOT NULL,
    lifted     BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX blocks_site ON blocks (site_id, until);
CREATE INDEX blocks_visitor ON blocks (site_id, visitor_id, until) WHERE NOT lifted;
CREATE INDEX blocks_ip ON blocks (site_id, ip, until) WHERE NOT lifted AND ip IS NOT NULL;

CREATE TABLE offline_messages (
    id         BIGSERIAL PRIMARY KEY,
    site_id    BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    visitor_id TEXT,
    name       TEXT   NOT NULL,
    email      TEXT   NOT NULL,
    body       TEXT   NOT NULL,
    page_url   TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX offline_site ON offline_messages (site_id, created_at, id);

CREATE TABLE settings (
    name  TEXT  NOT NULL PRIMARY KEY,
    value BYTEA NOT NULL
);
