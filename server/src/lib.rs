//! The server side of the status site. Folders are the architecture (see
//! docs/architecture.md): `domain` (values and rules, no I/O) ← `write`, `read`, `crowd`,
//! `delivery` (the services) ← `web` (HTTP); `store` implements the storage the services
//! use; only `startup` sees everything.

pub mod crowd;
pub mod delivery;
pub mod domain;
pub mod read;
pub mod startup;
pub mod store;
pub mod web;
pub mod write;
