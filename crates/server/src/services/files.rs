//! Files in a chat: checked (type from the content, size, count, pixels), stored with their
//! message in one commit, delivered as a `file` message, served only to the chat's visitor
//! and to agents who may see the chat. FOUNDATION: the files work fills this in.
