-- 0004_files_ratings: files both ways, ratings, what the visitor read (issue 14).

-- A file is a message of kind 'file' (its body is the file's name). SQLite cannot change a
-- CHECK in place: the table is rebuilt with the wider one, rows copied as they are.
CREATE TABLE messages_0004 (
    chat_id     INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    author      TEXT    NOT NULL CHECK (author IN ('visitor', 'agent', 'system')),
    agent_id    INTEGER,
    author_name TEXT,
    kind        TEXT    NOT NULL CHECK (kind IN ('text', 'link', 'event', 'note', 'file')),
    body        TEXT    NOT NULL,
    -- The sender's idempotency key.
    client_id   TEXT,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (chat_id, seq),
    CHECK ((author = 'agent') = (agent_id IS NOT NULL)),
    -- Only an agent writes a note.
    CHECK (kind <> 'note' OR author = 'agent'),
    -- Only a visitor or an agent sends a file.
    CHECK (kind <> 'file' OR author IN ('visitor', 'agent'))
) WITHOUT ROWID;
INSERT INTO messages_0004 (chat_id, seq, author, agent_id, author_name, kind, body, client_id, created_at)
    SELECT chat_id, seq, author, agent_id, author_name, kind, body, client_id, created_at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_0004 RENAME TO messages;
CREATE UNIQUE INDEX messages_client_id ON messages (chat_id, client_id)
    WHERE client_id IS NOT NULL;

-- A file's row: written in the same commit as its message (chat_id, seq). The id is 128
-- random bits (base64url): unguessable. The type was decided from the content.
CREATE TABLE files (
    id         TEXT    PRIMARY KEY,
    chat_id    INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    site_id    INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    mime       TEXT    NOT NULL,
    size       INTEGER NOT NULL CHECK (size > 0),
    sha256     TEXT    NOT NULL,
    width      INTEGER,
    height     INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (chat_id, seq),
    FOREIGN KEY (chat_id, seq) REFERENCES messages (chat_id, seq) ON DELETE CASCADE
);
-- The bytes, apart from the row (reading a transcript never touches them).
CREATE TABLE file_data (
    id    TEXT PRIMARY KEY REFERENCES files (id) ON DELETE CASCADE,
    data  BLOB NOT NULL,
    thumb BLOB
);

-- The visitor's rating: a score 1-5 ("Good" is 5, "Bad" is 1), an optional comment, and
-- when it was first given (it may be changed for 10 minutes after).
ALTER TABLE chats ADD COLUMN rating INTEGER CHECK (rating BETWEEN 1 AND 5);
ALTER TABLE chats ADD COLUMN rating_comment TEXT;
ALTER TABLE chats ADD COLUMN rated_at INTEGER;
CREATE INDEX chats_rated ON chats (site_id, rated_at) WHERE rated_at IS NOT NULL;

-- The highest seq the visitor has seen with the panel open, and the highest already emailed
-- to them as unread replies (each reply is emailed once).
ALTER TABLE chats ADD COLUMN visitor_read_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chats ADD COLUMN replies_emailed_seq INTEGER NOT NULL DEFAULT 0;

-- Unread replies (the email to a visitor who left): when the oldest agent reply the visitor
-- has neither read nor been emailed was sent; NULL when there is none. Set by the trigger
-- below on every agent reply (text, link or file: never a note, never a system event), so
-- no code path that appends a message has to remember it; recomputed by `mark_read` and
-- `mark_replies_emailed`. The partial index keeps the sweep to the chats that have some.
ALTER TABLE chats ADD COLUMN unread_reply_at INTEGER;
CREATE INDEX chats_unread_replies ON chats (unread_reply_at) WHERE unread_reply_at IS NOT NULL;
CREATE TRIGGER messages_unread_reply AFTER INSERT ON messages
    WHEN NEW.author = 'agent' AND NEW.kind IN ('text', 'link', 'file')
BEGIN
    UPDATE chats SET unread_reply_at = COALESCE(unread_reply_at, NEW.created_at)
        WHERE id = NEW.chat_id AND NEW.seq > MAX(visitor_read_seq, replies_emailed_seq);
END;
