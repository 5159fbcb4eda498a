-- 0007_integrations: the audit log and API tokens (issue 18).

-- Who did what, when, from which address. Append-only from the application: the only other
-- write is the retention sweep (`audit_keep_days`), which deletes the oldest entries.
-- `actor_id` is an agent's id (actor_kind 'agent') or a token's ('token'); the actor's name is
-- kept as it was, so an entry still reads right after the agent or token is gone.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor_kind TEXT    NOT NULL CHECK (actor_kind IN ('agent', 'token', 'anonymous')),
    actor_id   INTEGER,
    actor_name TEXT,
    action     TEXT    NOT NULL,
    target     TEXT,
    site_id    INTEGER,
    ip         TEXT,
    detail     TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action ON audit_log (action, id);

-- API tokens: only the SHA-256 of the token is kept. `scopes` is `read,write,admin` (any
-- non-empty subset); `sites` a JSON array of site ids, NULL for every site. The token acts for
-- `created_by` (not a foreign key: removing the admin must not be blocked; their tokens stop
-- working then).
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    scopes       TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    created_by   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER,
    sites        TEXT
);
