-- 0004_files_ratings: files both ways, ratings, what the visitor read (issue 14).

-- A file is a message of kind 'file' (its body is the file's name).
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check
    CHECK (kind IN ('text', 'link', 'event', 'note', 'file'));
-- Only a visitor or an agent sends a file.
ALTER TABLE messages ADD CONSTRAINT messages_file_by_person
    CHECK (kind <> 'file' OR author IN ('visitor', 'agent'));

-- A file's row: written in the same transaction as its message (chat_id, seq). The id is 128
-- random bits (base64url): unguessable. The type was decided from the content. Kept in
-- PostgreSQL (not an object store): one transaction with the message, visible from every
-- node, saved by the same pg_dump / PITR as the chats.
CREATE TABLE files (
    id         TEXT    PRIMARY KEY,
    chat_id    BIGINT  NOT NULL,
    seq        BIGINT  NOT NULL,
    site_id    BIGINT  NOT NULL,
    name       TEXT    NOT NULL,
    mime       TEXT    NOT NULL,
    size       BIGINT  NOT NULL CHECK (size > 0),
    sha256     TEXT    NOT NULL,
    width      INTEGER,
    height     INTEGER,
    created_at BIGINT  NOT NULL,
    UNIQUE (chat_id, seq),
    FOREIGN KEY (chat_id, seq) REFERENCES messages (chat_id, seq) ON DELETE CASCADE
);
-- The bytes, apart from the row (reading a transcript never touches them).
CREATE TABLE file_data (
    id    TEXT  PRIMARY KEY REFERENCES files (id) ON DELETE CASCADE,
    data  BYTEA NOT NULL,
    thumb BYTEA
);

-- The visitor's rating: a score 1-5 ("Good" is 5, "Bad" is 1), an optional comment, and
-- when it was first given (it may be changed for 10 minutes after).
ALTER TABLE chats ADD COLUMN rating SMALLINT CHECK (rating BETWEEN 1 AND 5);
ALTER TABLE chats ADD COLUMN rating_comment TEXT;
ALTER TABLE chats ADD COLUMN rated_at BIGINT;
CREATE INDEX chats_rated ON chats (site_id, rated_at) WHERE rated_at IS NOT NULL;

-- The highest seq the visitor has seen with the panel open, and the highest already emailed
-- to them as unread replies (each reply is emailed once).
ALTER TABLE chats ADD COLUMN visitor_read_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE chats ADD COLUMN replies_emailed_seq BIGINT NOT NULL DEFAULT 0;

-- Unread replies (the email to a visitor who left): when the oldest agent reply the visitor
-- has neither read nor been emailed was sent; NULL when there is none. Set by the trigger
-- below on every agent reply (text, link or file: never a note, never a system event), so
-- no code path that appends a message has to remember it; recomputed by `mark_read` and
-- `mark_replies_emailed`. The partial index keeps the sweep to the chats that have some.
ALTER TABLE chats ADD COLUMN unread_reply_at BIGINT;
CREATE INDEX chats_unread_replies ON chats (unread_reply_at) WHERE unread_reply_at IS NOT NULL;
CREATE FUNCTION messages_unread_reply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE chats SET unread_reply_at = COALESCE(unread_reply_at, NEW.created_at)
        WHERE id = NEW.chat_id AND NEW.seq > GREATEST(visitor_read_seq, replies_emailed_seq);
    RETURN NULL;
END;
$$;
CREATE TRIGGER messages_unread_reply AFTER INSERT ON messages
    FOR EACH ROW
    WHEN (NEW.author = 'agent' AND NEW.kind IN ('text', 'link', 'file'))
    EXECUTE FUNCTION messages_unread_reply();
