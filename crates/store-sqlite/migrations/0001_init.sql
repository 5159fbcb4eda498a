-- 0001_init: the initial Frontdesk schema.
--
-- Conventions: times are INTEGER milliseconds since the Unix epoch (UTC); booleans are
-- INTEGER 0/1; enumerations are short TEXT values guarded by CHECK constraints.
--
-- History (chats, messages, blocks) names agents by id WITHOUT a foreign key: a transcript
-- outlives the agent who wrote it, and deleting an agent must not rewrite history.

CREATE TABLE sites (
    id              INTEGER PRIMARY KEY,
    key             TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    base_url        TEXT    NOT NULL,
    timezone        TEXT    NOT NULL,
    allowed_origins TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(allowed_origins)),
    email           TEXT,
    created_at      INTEGER NOT NULL
);

CREATE TABLE agents (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    is_admin      INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    status        TEXT    NOT NULL DEFAULT 'online' CHECK (status IN ('online', 'away')),
    -- 1: member of every site, present and future (agent_sites rows then only record
    -- monitoring choices).
    all_sites     INTEGER NOT NULL DEFAULT 0 CHECK (all_sites IN (0, 1)),
    created_at    INTEGER NOT NULL
);

CREATE TABLE agent_sites (
    agent_id   INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    site_id    INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    monitoring INTEGER NOT NULL DEFAULT 1 CHECK (monitoring IN (0, 1)),
    PRIMARY KEY (agent_id, site_id)
) WITHOUT ROWID;
CREATE INDEX agent_sites_site ON agent_sites (site_id);

CREATE TABLE sessions (
    token_hash TEXT    NOT NULL PRIMARY KEY,
    agent_id   INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_agent ON sessions (agent_id);

CREATE TABLE visitors (
    site_id    INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    visitor_id TEXT    NOT NULL,
    name       TEXT,
    email      TEXT,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    PRIMARY KEY (site_id, visitor_id)
) WITHOUT ROWID;

CREATE TABLE visits (
    id           INTEGER PRIMARY KEY,
    site_id      INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    visitor_id   TEXT    NOT NULL,
    ip           TEXT    NOT NULL,
    user_agent   TEXT    NOT NULL,
    browser      TEXT    NOT NULL,
    os           TEXT    NOT NULL,
    referrer     TEXT,
    country      TEXT,
    country_code TEXT,
    region       TEXT,
    city         TEXT,
    started_at   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL
);
-- latest_visit / visits_of (the rowid, appended to every index, breaks ties).
CREATE INDEX visits_visitor ON visits (site_id, visitor_id, started_at);

CREATE TABLE page_views (
    visit_id  INTEGER NOT NULL REFERENCES visits (id) ON DELETE CASCADE,
    url       TEXT    NOT NULL,
    title     TEXT    NOT NULL,
    viewed_at INTEGER NOT NULL
);
CREATE INDEX page_views_visit ON page_views (visit_id, viewed_at);

CREATE TABLE chats (
    id            INTEGER PRIMARY KEY,
    site_id       INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    visitor_id    TEXT    NOT NULL,
    visit_id      INTEGER,
    visitor_name  TEXT,
    visitor_email TEXT,
    state         TEXT    NOT NULL DEFAULT 'pending'
                          CHECK (state IN ('pending', 'active', 'ended')),
    -- The agent holding the chat (active), or who last held it (ended).
    agent_id      INTEGER,
    end_reason    TEXT    CHECK (end_reason IN ('visitor', 'agent', 'blocked')),
    ended_by      INTEGER,
    -- Compare-and-set counter: bumped on every state change. Starts at 1.
    version       INTEGER NOT NULL DEFAULT 1,
    -- Highest message seq in the chat (messages are numbered 1, 2, ... with no gaps).
    last_seq      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    queued_at     INTEGER NOT NULL,
    ended_at      INTEGER,
    page_url      TEXT,
    CHECK (state <> 'active' OR agent_id IS NOT NULL),
    CHECK ((state = 'ended') = (end_reason IS NOT NULL)),
    CHECK (end_reason IS NULL OR end_reason = 'visitor' OR ended_by IS NOT NULL)
);
-- The queue and the console's open-chat list: only open chats are indexed, so the index
-- stays small however much history accumulates.
CREATE INDEX chats_open ON chats (site_id, queued_at) WHERE state IN ('pending', 'active');
-- "My chats" of an agent.
CREATE INDEX chats_agent_active ON chats (agent_id, queued_at) WHERE state = 'active';
-- A visitor's chats (newest first) and their open chat.
CREATE INDEX chats_visitor ON chats (site_id, visitor_id, created_at);

-- Clustered by (chat_id, seq): a transcript is read from a few adjacent pages.
CREATE TABLE messages (
    chat_id     INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    author      TEXT    NOT NULL CHECK (author IN ('visitor', 'agent', 'system')),
    agent_id    INTEGER,
    author_name TEXT,
    kind        TEXT    NOT NULL CHECK (kind IN ('text', 'link', 'event')),
    body        TEXT    NOT NULL,
    -- The sender's idempotency key.
    client_id   TEXT,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (chat_id, seq),
    CHECK ((author = 'agent') = (agent_id IS NOT NULL))
) WITHOUT ROWID;
CREATE UNIQUE INDEX messages_client_id ON messages (chat_id, client_id)
    WHERE client_id IS NOT NULL;

CREATE TABLE canned_responses (
    id       INTEGER PRIMARY KEY,
    site_id  INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    -- NULL: site-wide; otherwise the agent's own.
    agent_id INTEGER REFERENCES agents (id) ON DELETE CASCADE,
    title    TEXT    NOT NULL,
    body     TEXT    NOT NULL
);
CREATE INDEX canned_site ON canned_responses (site_id, agent_id);
CREATE INDEX canned_agent ON canned_responses (agent_id) WHERE agent_id IS NOT NULL;

CREATE TABLE blocks (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    visitor_id TEXT    NOT NULL,
    ip         TEXT,
    chat_id    INTEGER,
    blocked_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    until      INTEGER NOT NULL,
    lifted     INTEGER NOT NULL DEFAULT 0 CHECK (lifted IN (0, 1))
);
CREATE INDEX blocks_site ON blocks (site_id, until);
CREATE INDEX blocks_visitor ON blocks (site_id, visitor_id, until) WHERE lifted = 0;
CREATE INDEX blocks_ip ON blocks (site_id, ip, until) WHERE lifted = 0 AND ip IS NOT NULL;

CREATE TABLE offline_messages (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    visitor_id TEXT,
    name       TEXT    NOT NULL,
    email      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    page_url   TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX offline_site ON offline_messages (site_id, created_at);

CREATE TABLE settings (
    name  TEXT NOT NULL PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

-- A visitor has at most one open chat per site (a double click cannot open two).
CREATE UNIQUE INDEX chats_one_open_per_visitor ON chats (site_id, visitor_id)
    WHERE state IN ('pending', 'active');
