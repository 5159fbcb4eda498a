//! The chat lifecycle, one test (or more) per rule of the server-core issue:
//!
//! * `requests.rs`: a chat is announced, raced for, accepted (rules 1 to 3), and queued;
//! * `handover.rs`: a chat changes hands: transfer, close, a vanished agent (rules 5 and 6);
//! * `endings.rs`: a chat ends, by either side or by a block (rules 7 and 8).

mod endings;
mod handover;
mod requests;
