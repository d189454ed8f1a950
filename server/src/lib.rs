//! The server side of the status site. Folders are the architecture (see
//! docs/architecture.md): `domain` (values and rules, no I/O) ← `write`, `read`, `crowd`,
//! `delivery` (the services) ← `web` (HTTP); `store` implements the storage the services
//! use; only `startup` sees everything. `mirror` (the static export) is a client of the
//! whole app: it starts it through `startup` and requests its pages.

pub mod checks;
pub mod crowd;
pub mod delivery;
pub mod domain;
pub mod mirror;
pub mod read;
pub mod startup;
pub mod store;
pub mod web;
pub mod write;
