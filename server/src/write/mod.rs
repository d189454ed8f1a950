//! The write side: every change (staff's and the seed's) goes through `Changes`.

pub mod changes;
pub mod seed;
