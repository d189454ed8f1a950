//! Crowd outage reports: the intake (validate, de-duplicate, rate-limit, queue, group
//! commit) and the figures recomputed from the per-minute counts, which advance the
//! signal (its arithmetic is `domain::signal`).

pub mod figures;
pub mod intake;
pub mod spool;
