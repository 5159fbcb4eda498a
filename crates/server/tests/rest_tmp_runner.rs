// TEMPORARY (to be deleted): runs tests/it/rest.rs until main.rs declares `mod rest;`.
#[path = "it/helpers.rs"]
mod helpers;
#[path = "it/rest.rs"]
mod rest;
