-- 0010_webhooks: webhooks and their outbox (issue 18; the SQLite twin explains each table).
-- New tables only: expand-only for a rolling upgrade.

CREATE TABLE webhooks (
    id         BIGSERIAL PRIMARY KEY,
    site_id    BIGINT  NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    url        TEXT    NOT NULL,
    events     TEXT    NOT NULL,
    enabled    BOOLEAN NOT NULL DEFAULT TRUE,
    secret     TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);
CREATE INDEX webhooks_site ON webhooks (site_id);

CREATE TABLE webhook_deliveries (
    id              BIGSERIAL PRIMARY KEY,
    webhook_id      BIGINT  NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        TEXT    NOT NULL,
    event           TEXT    NOT NULL,
    chat_id         BIGINT,
    payload         TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    last_attempt_at BIGINT,
    response_code   INTEGER,
    latency_ms      BIGINT,
    last_error      TEXT,
    lease_owner     TEXT,
    lease_until     BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_chat ON webhook_deliveries (webhook_id, chat_id, id)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);
