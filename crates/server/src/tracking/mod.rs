//! What agents learn about a visitor: client IP, browser, location (the visits and page
//! views themselves are a use case: `services/visits.rs`).

pub mod geo;
pub mod ip;
pub mod ua;
