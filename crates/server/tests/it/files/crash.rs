//! kill -9 during uploads (SQLite, a real server process): every acknowledged file is there
//! with its bytes and its message; no file row or bytes without their message.
