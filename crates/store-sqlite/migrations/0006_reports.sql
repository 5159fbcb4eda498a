-- 0006_reports: what "Reports" (issue 15) reads besides the chats themselves. Independent of
-- 0005 (search).

-- Who took a chat when: one row per state change (accept, transfer, requeue, end), written by
-- the chat's conditional state update in the same transaction.
CREATE TABLE chat_events (
    chat_id  INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    at       INTEGER NOT NULL,
    state    TEXT    NOT NULL CHECK (state IN ('pending', 'active', 'ended')),
    agent_id INTEGER
);
CREATE INDEX chat_events_chat ON chat_events (chat_id, at);

-- An agent's On-Line time: a span from `started_at` to `last_seen` (kept fresh by a heartbeat
-- while the agent is On-Line and connected; `closed` once they went Away, Offline or left).
-- A span left open by a crash ends at its `last_seen`.
CREATE TABLE agent_online (
    agent_id   INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    closed     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (agent_id, started_at)
) WITHOUT ROWID;
CREATE INDEX agent_online_open ON agent_online (agent_id) WHERE closed = 0;

-- Reports read a site's chats by creation time.
CREATE INDEX chats_site_created ON chats (site_id, created_at);

-- Per site and UTC hour (`hour` = created_at / 3600000): the figures of the chats created in
-- that hour and the offline messages received in it. Histograms are `secs:count,...` (see
-- frontdesk_core::reports::hist).
CREATE TABLE report_hours (
    site_id          INTEGER NOT NULL,
    hour             INTEGER NOT NULL,
    chats            INTEGER NOT NULL,
    missed           INTEGER NOT NULL,
    offline_messages INTEGER NOT NULL,
    messages         INTEGER NOT NULL,
    ratings          INTEGER NOT NULL,
    ratings_good     INTEGER NOT NULL,
    quarters         TEXT    NOT NULL,
    wait             TEXT    NOT NULL,
    first_response   TEXT    NOT NULL,
    duration         TEXT    NOT NULL,
    PRIMARY KEY (site_id, hour)
) WITHOUT ROWID;
CREATE TABLE report_agent_hours (
    site_id        INTEGER NOT NULL,
    hour           INTEGER NOT NULL,
    agent_id       INTEGER NOT NULL,
    chats          INTEGER NOT NULL,
    ratings        INTEGER NOT NULL,
    ratings_good   INTEGER NOT NULL,
    first_response TEXT    NOT NULL,
    PRIMARY KEY (site_id, hour, agent_id)
) WITHOUT ROWID;

-- Hours whose rollup may be stale: marked by triggers in the transaction of every change that
-- moves a figure; the reports task recomputes the hour and clears the mark only if `mark` is
-- still what it read (a change made meanwhile keeps it).
CREATE TABLE report_dirty (
    site_id INTEGER NOT NULL,
    hour    INTEGER NOT NULL,
    mark    INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (site_id, hour)
) WITHOUT ROWID;

CREATE TRIGGER report_chat_created AFTER INSERT ON chats BEGIN
    INSERT INTO report_dirty (site_id, hour) VALUES (NEW.site_id, NEW.created_at / 3600000)
        ON CONFLICT (site_id, hour) DO UPDATE SET mark = mark + 1;
END;
CREATE TRIGGER report_chat_changed AFTER UPDATE OF state, agent_id, answered_at, ended_at, missed, rating, created_at, site_id ON chats BEGIN
    INSERT INTO report_dirty (site_id, hour) VALUES (NEW.site_id, NEW.created_at / 3600000)
        ON CONFLICT (site_id, hour) DO UPDATE SET mark = mark + 1;
END;
CREATE TRIGGER report_chat_deleted AFTER DELETE ON chats BEGIN
    INSERT INTO report_dirty (site_id, hour) VALUES (OLD.site_id, OLD.created_at / 3600000)
        ON CONFLICT (site_id, hour) DO UPDATE SET mark = mark + 1;
END;
CREATE TRIGGER report_offline_added AFTER INSERT ON offline_messages BEGIN
    INSERT INTO report_dirty (site_id, hour) VALUES (NEW.site_id, NEW.created_at / 3600000)
        ON CONFLICT (site_id, hour) DO UPDATE SET mark = mark + 1;
END;
CREATE TRIGGER report_offline_deleted AFTER DELETE ON offline_messages BEGIN
    INSERT INTO report_dirty (site_id, hour) VALUES (OLD.site_id, OLD.created_at / 3600000)
        ON CONFLICT (site_id, hour) DO UPDATE SET mark = mark + 1;
END;

-- The history written before this version: every hour with a chat or an offline message is
-- marked, so the reports task computes it.
INSERT OR IGNORE INTO report_dirty (site_id, hour)
    SELECT DISTINCT site_id, created_at / 3600000 FROM chats;
INSERT OR IGNORE INTO report_dirty (site_id, hour)
    SELECT DISTINCT site_id, created_at / 3600000 FROM offline_messages;
