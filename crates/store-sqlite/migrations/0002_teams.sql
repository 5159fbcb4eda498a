-- 0002_teams: routing, capacity, departments, opening hours and missed chats (issue 12).
--
-- A site's team settings are one JSON object (`settings`): a setting missing from it takes
-- its default (frontdesk_core::site_settings), so later settings need no migration.

ALTER TABLE sites ADD COLUMN settings TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings));

-- "Most chats at once": NULL is unlimited; 0 is refused.
ALTER TABLE agents ADD COLUMN max_chats INTEGER CHECK (max_chats IS NULL OR max_chats > 0);
-- When the agent was last given a chat (automatic assignment: who has waited longest).
ALTER TABLE agents ADD COLUMN last_assigned_at INTEGER;

CREATE TABLE departments (
    id           INTEGER PRIMARY KEY,
    site_id      INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL COLLATE NOCASE,
    -- URL prefixes (JSON array of strings) whose pages ask for this department.
    url_prefixes TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(url_prefixes)),
    created_at   INTEGER NOT NULL,
    UNIQUE (site_id, name)
);

CREATE TABLE agent_departments (
    agent_id      INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    department_id INTEGER NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    PRIMARY KEY (agent_id, department_id)
) WITHOUT ROWID;
CREATE INDEX agent_departments_department ON agent_departments (department_id);

-- The department a chat is for (no foreign key: history outlives a deleted department).
ALTER TABLE chats ADD COLUMN department_id INTEGER;
-- The standing automatic offer of a pending chat: to whom, until when.
ALTER TABLE chats ADD COLUMN offered_to INTEGER;
ALTER TABLE chats ADD COLUMN offer_expires_at INTEGER;
-- Agents who let the chat pass (JSON array of ids).
ALTER TABLE chats ADD COLUMN passed TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(passed));
-- When an agent first took the chat (NULL: never answered).
ALTER TABLE chats ADD COLUMN answered_at INTEGER;
-- The visitor left before any agent answered.
ALTER TABLE chats ADD COLUMN missed INTEGER NOT NULL DEFAULT 0 CHECK (missed IN (0, 1));
-- When the chat was escalated for waiting too long.
ALTER TABLE chats ADD COLUMN escalated_at INTEGER;

-- Chats answered before this migration count as answered when they were (last) queued.
UPDATE chats SET answered_at = queued_at WHERE agent_id IS NOT NULL;

-- Standing offers of an agent (withdrawn when they go Away or vanish; counted as load).
CREATE INDEX chats_offered ON chats (offered_to) WHERE state = 'pending' AND offered_to IS NOT NULL;
-- Missed chats of a site, newest first.
CREATE INDEX chats_missed ON chats (site_id, ended_at) WHERE missed = 1;

-- Expired offers, found by every node's sweep (automatic assignment).
CREATE INDEX chats_offer_expiry ON chats (offer_expires_at) WHERE state = 'pending' AND offer_expires_at IS NOT NULL;
