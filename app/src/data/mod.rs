//! The data the pages render (the read model): built by the server, loaded through `api`.

pub mod public;
pub mod record;
pub mod staff;
