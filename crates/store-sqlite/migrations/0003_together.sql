-- 0003_together: agents together (issue 13): internal notes, colleagues in a chat,
-- supervisors, tags and wrap-up notes, canned response shortcuts.

-- Internal notes are messages of kind 'note' (never sent to the visitor). SQLite cannot
-- change a CHECK in place: the table is rebuilt with the wider one, rows copied as they are.
CREATE TABLE messages_0003 (
    chat_id     INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    author      TEXT    NOT NULL CHECK (author IN ('visitor', 'agent', 'system')),
    agent_id    INTEGER,
    author_name TEXT,
    kind        TEXT    NOT NULL CHECK (kind IN ('text', 'link', 'event', 'note')),
    body        TEXT    NOT NULL,
    -- The sender's idempotency key.
    client_id   TEXT,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (chat_id, seq),
    CHECK ((author = 'agent') = (agent_id IS NOT NULL)),
    -- Only an agent writes a note.
    CHECK (kind <> 'note' OR author = 'agent')
) WITHOUT ROWID;
INSERT INTO messages_0003 (chat_id, seq, author, agent_id, author_name, kind, body, client_id, created_at)
    SELECT chat_id, seq, author, agent_id, author_name, kind, body, client_id, created_at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_0003 RENAME TO messages;
CREATE UNIQUE INDEX messages_client_id ON messages (chat_id, client_id)
    WHERE client_id IS NOT NULL;

-- Colleagues in the chat besides its owner (JSON array of agent ids, in the order they joined).
ALTER TABLE chats ADD COLUMN joined TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(joined));
-- The chat's tags (JSON array of strings) and the wrap-up note written on End Chat.
ALTER TABLE chats ADD COLUMN tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags));
ALTER TABLE chats ADD COLUMN wrap_up TEXT;
-- A site's tags (the suggestions) come from its tagged chats only.
CREATE INDEX chats_tagged ON chats (site_id) WHERE tags <> '[]';
-- Chats an agent joined as a colleague are found from the chats they could be in: the open
-- chats of their sites (small: see chats_open), so `joined` needs no index of its own.

-- "Supervisor" of a site: sees "All Chats", may Watch, Join and Take over. (Admins are
-- supervisors of every site they belong to.)
ALTER TABLE agent_sites ADD COLUMN supervisor INTEGER NOT NULL DEFAULT 0 CHECK (supervisor IN (0, 1));

-- A canned response's "Shortcut" (`/hours` in the Message box); NULL: none.
ALTER TABLE canned_responses ADD COLUMN shortcut TEXT COLLATE NOCASE;
-- A shortcut is unique among a site's site-wide responses and among one agent's own on a
-- site (an agent's own may reuse a site-wide one: it shadows it for that agent). Stored
-- lower-cased; NOCASE too, so no two differ only in case.
CREATE UNIQUE INDEX canned_shortcut_site ON canned_responses (site_id, shortcut)
    WHERE agent_id IS NULL AND shortcut IS NOT NULL;
CREATE UNIQUE INDEX canned_shortcut_own ON canned_responses (agent_id, site_id, shortcut)
    WHERE agent_id IS NOT NULL AND shortcut IS NOT NULL;
