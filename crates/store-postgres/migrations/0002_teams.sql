-- 0002_teams: routing, capacity, departments, opening hours and missed chats (issue 12), the
-- same as the SQLite migration of the same number.

ALTER TABLE sites ADD COLUMN settings JSONB NOT NULL DEFAULT '{}';

ALTER TABLE agents ADD COLUMN max_chats BIGINT CHECK (max_chats IS NULL OR max_chats > 0);
ALTER TABLE agents ADD COLUMN last_assigned_at BIGINT;

CREATE TABLE departments (
    id           BIGSERIAL PRIMARY KEY,
    site_id      BIGINT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    name         TEXT   NOT NULL,
    url_prefixes JSONB  NOT NULL DEFAULT '[]',
    created_at   BIGINT NOT NULL
);
-- Names are unique per site whatever their case.
CREATE UNIQUE INDEX departments_name ON departments (site_id, lower(name));

CREATE TABLE agent_departments (
    agent_id      BIGINT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    department_id BIGINT NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    PRIMARY KEY (agent_id, department_id)
);
CREATE INDEX agent_departments_department ON agent_departments (department_id);

ALTER TABLE chats ADD COLUMN department_id BIGINT;
ALTER TABLE chats ADD COLUMN offered_to BIGINT;
ALTER TABLE chats ADD COLUMN offer_expires_at BIGINT;
ALTER TABLE chats ADD COLUMN passed JSONB NOT NULL DEFAULT '[]';
ALTER TABLE chats ADD COLUMN answered_at BIGINT;
ALTER TABLE chats ADD COLUMN missed BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE chats ADD COLUMN escalated_at BIGINT;

UPDATE chats SET answered_at = queued_at WHERE agent_id IS NOT NULL;

CREATE INDEX chats_offered ON chats (offered_to) WHERE state = 'pending' AND offered_to IS NOT NULL;
CREATE INDEX chats_missed ON chats (site_id, ended_at) WHERE missed;

-- Expired offers, found by every node's sweep (automatic assignment).
CREATE INDEX chats_offer_expiry ON chats (offer_expires_at) WHERE state = 'pending' AND offer_expires_at IS NOT NULL;
