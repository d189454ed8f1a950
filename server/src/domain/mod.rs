//! Values and rules, with no I/O: the catalog, the public state and the changes to it,
//! the rules a change must keep, the ledger's hashing, uptime and the crowd signal's
//! arithmetic, account names and passwords. Everything else depends on this; it
//! depends on nothing of ours but the app crate's shared model.

pub mod accounts;
pub mod availability;
pub mod catalog;
pub mod change;
pub mod checks;
pub mod law;
pub mod ledger;
pub mod problem;
pub mod provenance;
pub mod replay;
pub mod rules;
pub mod signal;
pub mod state;
pub mod uptime;
pub mod verdict;
