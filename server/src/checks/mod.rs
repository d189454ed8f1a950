//! Automated checks: probes run by agents (one inside the server, others as
//! `server probe` anywhere), their signed results taken in, and the verdicts the
//! pages show beside the official state and the crowd's reports — never instead of them.
//!
//! - `probe.rs`   one check, run once (HTTP, TCP, DNS)
//! - `agent.rs`   the agent loop: schedule, run, number, buffer, send
//! - `wire.rs`    what crosses the network: batches, the check list, signatures
//! - `sinks.rs`   where batches go: the ingest directly, or signed over HTTP
//! - `remote.rs`  `server probe`: an agent away from the site
//! - `ingest.rs`  taking batches in: checked whole, stored once
//! - `watch.rs`   stored results → verdicts, verdict changes, rollups, page data

pub mod agent;
pub mod ingest;
pub mod probe;
pub mod remote;
pub mod sinks;
pub mod watch;
pub mod wire;
