-- 0007_integrations: the audit log and API tokens (issue 18; the SQLite twin explains each
-- table). New tables only: expand-only for a rolling upgrade.

CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    at         BIGINT NOT NULL,
    actor_kind TEXT   NOT NULL CHECK (actor_kind IN ('agent', 'token', 'anonymous')),
    actor_id   BIGINT,
    actor_name TEXT,
    action     TEXT   NOT NULL,
    target     TEXT,
    site_id    BIGINT,
    ip         TEXT,
    detail     JSONB  NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action ON audit_log (action, id);

CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT   NOT NULL,
    scopes       TEXT   NOT NULL,
    token_hash   TEXT   NOT NULL UNIQUE,
    created_by   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    last_used_at BIGINT,
    revoked_at   BIGINT,
    sites        JSONB
);
