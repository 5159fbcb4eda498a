-- 0003_together: agents together (issue 13): internal notes, colleagues in a chat,
-- supervisors, tags and wrap-up notes, canned response shortcuts.

-- Internal notes are messages of kind 'note' (never sent to the visitor).
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check
    CHECK (kind IN ('text', 'link', 'event', 'note'));
-- Only an agent writes a note.
ALTER TABLE messages ADD CONSTRAINT messages_note_by_agent CHECK (kind <> 'note' OR author = 'agent');

-- Colleagues in the chat besides its owner (JSON array of agent ids, in the order they joined).
ALTER TABLE chats ADD COLUMN joined JSONB NOT NULL DEFAULT '[]';
-- The chat's tags (JSON array of strings) and the wrap-up note written on End Chat.
ALTER TABLE chats ADD COLUMN tags JSONB NOT NULL DEFAULT '[]';
ALTER TABLE chats ADD COLUMN wrap_up TEXT;
-- A site's tags (the suggestions) come from its tagged chats only.
CREATE INDEX chats_tagged ON chats (site_id) WHERE tags <> '[]'::jsonb;

-- "Supervisor" of a site: sees "All Chats", may Watch, Join and Take over. (Admins are
-- supervisors of every site they belong to.)
ALTER TABLE agent_sites ADD COLUMN supervisor BOOLEAN NOT NULL DEFAULT false;

-- A canned response's "Shortcut" (`/hours` in the Message box); NULL: none.
ALTER TABLE canned_responses ADD COLUMN shortcut TEXT;
-- A shortcut is unique among a site's site-wide responses and among one agent's own on a
-- site (an agent's own may reuse a site-wide one: it shadows it for that agent). Stored
-- lower-cased; compared lower-cased too, so no two differ only in case.
CREATE UNIQUE INDEX canned_shortcut_site ON canned_responses (site_id, lower(shortcut))
    WHERE agent_id IS NULL AND shortcut IS NOT NULL;
CREATE UNIQUE INDEX canned_shortcut_own ON canned_responses (agent_id, site_id, lower(shortcut))
    WHERE agent_id IS NOT NULL AND shortcut IS NOT NULL;
