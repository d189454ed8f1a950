//! The read side: the immutable snapshot pages and documents render from, how it is
//! kept current, and the crowd figures as readers see them.

pub mod crowd;
pub mod localized;
pub mod refresh;
pub mod snapshot;
