-- 0010_webhooks: webhooks and their outbox (issue 18).

-- A URL of the site owner's that receives the events it subscribed to. `events` is the
-- comma-separated event names (`chat.started,chat.ended`); `secret` signs every delivery
-- (HMAC-SHA256; it must be kept as is to sign, so it is stored, not hashed).
CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    url        TEXT    NOT NULL,
    events     TEXT    NOT NULL,
    enabled    INTEGER NOT NULL DEFAULT 1,
    secret     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX webhooks_site ON webhooks (site_id);

-- The outbox and the deliveries log in one: one row per event per webhook, written in the
-- transaction of the change that caused the event. `status` pending → delivered | failed;
-- a pending row is due at `next_attempt_at`; a worker leases it (`lease_owner` until
-- `lease_until`) while it sends it. `chat_id` orders a webhook's rows about one chat.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        TEXT    NOT NULL,
    event           TEXT    NOT NULL,
    chat_id         INTEGER,
    payload         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_attempt_at INTEGER,
    response_code   INTEGER,
    latency_ms      INTEGER,
    last_error      TEXT,
    lease_owner     TEXT,
    lease_until     INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_chat ON webhook_deliveries (webhook_id, chat_id, id)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);
