//! The server side of the status site: configuration, storage, the ledger, the read
//! model, and HTTP.

pub mod accounts;
pub mod api_v1;
pub mod catalog;
pub mod changes;
pub mod config;
pub mod console;
pub mod crowd;
pub mod encoded;
pub mod feeds;
pub mod http;
pub mod ledger;
pub mod live;
pub mod outbox;
pub mod page_cache;
pub mod seed;
pub mod sessions;
pub mod snapshot;
pub mod startup;
pub mod static_files;
pub mod statuspage;
pub mod store;
pub mod subscriptions;
pub mod templates;
pub mod throttle;
pub mod uptime;
pub mod widget;
