-- 0014_lean_message_triggers: the first unread agent reply is set without rewriting the chat
-- row on every later reply (issue 16; what it records is unchanged).
--
-- `messages_unread_reply` (0004_files_ratings.sql) updated the chat on every agent reply,
-- although only the first reply the visitor has neither read nor been emailed sets
-- `unread_reply_at` (COALESCE kept the old value). It now updates only a chat that has none
-- yet. PostgreSQL's migration 14 does the same there, and makes its search trigger cheaper
-- (SQLite indexes messages after their commit: 0013_search_queue.sql).
DROP TRIGGER messages_unread_reply;
CREATE TRIGGER messages_unread_reply AFTER INSERT ON messages
    WHEN NEW.author = 'agent' AND NEW.kind IN ('text', 'link', 'file')
BEGIN
    UPDATE chats SET unread_reply_at = NEW.created_at
        WHERE id = NEW.chat_id AND unread_reply_at IS NULL
          AND NEW.seq > MAX(visitor_read_seq, replies_emailed_seq);
END;
