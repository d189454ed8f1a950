//! The server's integration tests, as one test binary (linked once, not once per file):
//! each module drives the real app, on SQLite and PostgreSQL where it says so.

mod common;

mod api;
mod checks;
mod concurrency;
mod console;
mod console_fuzz;
mod feeds;
mod hardening;
mod instances;
mod live;
mod outbox;
mod pages;
mod records;
mod reports;
mod store;
mod survival;
