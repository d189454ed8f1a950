//! Crowd outage reports: the intake (validate, de-duplicate, rate-limit, queue, group
//! commit), the signal, and the per-service figures the pages show.

pub mod figures;
pub mod handlers;
pub mod intake;
pub mod signal;
