//! What agents learn about a visitor: visits, page views, browser, location.

pub mod geo;
pub mod ip;
pub mod ua;
pub mod visits;
