//! The read side: the immutable snapshot pages and documents render from, how it is
//! kept current, and the crowd figures and automated checks as readers see them.

pub mod availability;
pub mod checks;
pub mod crowd;
pub mod localized;
pub mod past;
pub mod record;
pub mod refresh;
pub mod snapshot;
pub mod traced_record;
