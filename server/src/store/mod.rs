//! Storage: one trait, two backends (SQLite embedded by default, PostgreSQL for several
//! instances). SQL lives only in this module.

mod backend;
mod checks;
mod outbox;
pub mod sessions;
mod sql;
mod state;

pub use checks::*;
pub use outbox::*;

use crate::domain::change::Change;
use crate::domain::ledger::LedgerEntry;
use crate::domain::problem::Problem;
use crate::domain::rules::Current;
use crate::domain::state::{IncidentRecord, LedgerHead, StateChanges, StoredState};
use app::model::Role;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub use backend::Backend;
pub use sql::{PostgresStore, SqlStore, SqliteStore, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct UserRecord {
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// One crowd report, as the intake writes it.
#[derive(Clone, Debug, PartialEq)]
pub struct NewReport {
    pub service: String,
    pub problem: String,
    /// "" when the reporter named no region.
    pub region: String,
    /// Salted hash of the reporter's address and user agent (never the raw values).
    pub client: String,
    pub at: DateTime<Utc>,
    /// Unique, given when the report is taken: storing it again stores nothing.
    pub key: String,
}

/// Reports of one service in one minute (minutes since the epoch).
#[derive(Clone, Debug, PartialEq)]
pub struct MinuteTotal {
    pub service: String,
    pub minute: i64,
    pub count: i64,
}

/// Reports of one (service, problem, region) over a time range.
#[derive(Clone, Debug, PartialEq)]
pub struct Breakdown {
    pub service: String,
    pub problem: String,
    pub region: String,
    pub count: i64,
}

/// A crowd signal: when it fired for a service, when it cleared, its peak (per 5 min).
/// An internal note on an incident, as its ledger entry has it.
#[derive(Clone, Debug, PartialEq)]
pub struct NoteRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub author: String,
    pub body: String,
    pub notices: Vec<crate::domain::state::NoticeTag>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignalRecord {
    pub service: String,
    pub fired_at: DateTime<Utc>,
    pub cleared_at: Option<DateTime<Utc>>,
    pub peak: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("session store: {0}")]
    Sessions(#[from] tower_sessions_sqlx_store::SqlxStoreError),
    #[error("{0}")]
    Conflict(String),
    /// The change breaks a rule given the state found under the write lock
    /// (`domain::rules::check`); nothing was written.
    #[error("{0}")]
    Refused(Problem),
}

/// Staff sessions live in the same database (tower-sessions' own table).
pub trait SessionsIn {
    fn sessions(&self) -> crate::store::sessions::SessionBackend;
}

#[async_trait]
pub trait Store: SessionsIn + OutboxStore + ChecksStore + Send + Sync + 'static {
    /// "sqlite" or "postgres".
    fn backend(&self) -> &'static str;
    /// The whole public state (at start, and when a refresh cannot go by the ledger).
    async fn load(&self) -> Result<StoredState, StoreError>;
    /// What changed after ledger point `head` and event `last_event_id`, read by key
    /// (`StoredState::with_changes` applies it); `None` when the ledger no longer holds
    /// `head`.
    async fn load_changes_after(
        &self,
        head: &LedgerHead,
        last_event_id: i64,
    ) -> Result<Option<StateChanges>, StoreError>;
    /// These incidents as they are now (those that exist), read by key.
    async fn load_incidents(&self, ids: &[&str]) -> Result<Vec<IncidentRecord>, StoreError>;
    /// Whether the database answers at all (the cheapest round trip).
    async fn ping(&self) -> Result<(), StoreError>;
    /// What `domain::rules::check` needs to know about the change's subject, now (for
    /// previews; `apply` reads it again under its lock).
    async fn current(&self, change: &Change) -> Result<Current, StoreError>;
    /// In one transaction holding the write lock: reads the `Current` facts, checks the
    /// change against them (`domain::rules::check`, which may complete it, e.g. a resolve
    /// brings components back), writes it and its ledger entry. Returns the entry;
    /// `StoreError::Refused` when the check fails, with nothing written.
    async fn apply(
        &self,
        actor: &str,
        at: DateTime<Utc>,
        change: &mut Change,
    ) -> Result<LedgerEntry, StoreError>;
    async fn incident_exists(&self, id: &str) -> Result<bool, StoreError>;
    async fn user(&self, name: &str) -> Result<Option<UserRecord>, StoreError>;
    /// Every account, by name.
    async fn users(&self) -> Result<Vec<UserRecord>, StoreError>;
    /// The whole ledger in sequence order.
    async fn ledger(&self) -> Result<Vec<LedgerEntry>, StoreError>;
    /// An incident's internal notes, oldest first (they are kept in the ledger only).
    async fn notes(&self, incident_id: &str) -> Result<Vec<NoteRecord>, StoreError>;
    /// The entries after `seq` that changed the public state, in sequence order (what a
    /// replay needs to catch up).
    async fn public_ledger_after(&self, seq: i64) -> Result<Vec<LedgerEntry>, StoreError>;
    /// The entries that changed the public state and name `id` (a slug, in quotes) in
    /// their text, in sequence order: every entry about that incident, and perhaps a few
    /// more (`domain::provenance::incident_of` says which are).
    async fn public_ledger_naming(&self, id: &str) -> Result<Vec<LedgerEntry>, StoreError>;
    /// Writes crowd reports and adds them to the per-minute counts, in one transaction.
    /// A report whose key is already stored is skipped (and not counted again); returns
    /// how many were new.
    async fn add_reports(&self, reports: &[NewReport]) -> Result<u64, StoreError>;
    /// Reports per service and minute, for `from <= minute < to`.
    async fn report_totals(&self, from: i64, to: i64) -> Result<Vec<MinuteTotal>, StoreError>;
    /// Reports per service, problem and region, for `from <= minute < to`.
    async fn report_breakdown(&self, from: i64, to: i64) -> Result<Vec<Breakdown>, StoreError>;
    /// Deletes raw reports older than `before` (the counts stay); returns how many.
    async fn delete_reports_before(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
    /// Inserts or updates a crowd signal (keyed by service and firing time).
    async fn save_signal(&self, signal: &SignalRecord) -> Result<(), StoreError>;
    /// Signals that fired at or after `since`, oldest first.
    async fn signals(&self, since: DateTime<Utc>) -> Result<Vec<SignalRecord>, StoreError>;
    /// Wakes `heard` when another instance on the same database commits a public change
    /// (PostgreSQL LISTEN/NOTIFY), and after each reconnection; runs forever. Returns at
    /// once on SQLite, which has one instance.
    async fn listen_for_changes(&self, heard: Arc<tokio::sync::Notify>);
}

/// Opens (and migrates) the database named by the URL: `postgres://…` for PostgreSQL,
/// anything else (`sqlite://data/status.db`, or a plain path) for SQLite.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if is_postgres(url) {
        Ok(Arc::new(PostgresStore::connect(url).await?))
    } else {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    }
}

/// A store that connects when it is used, without migrating: for writing what must
/// not wait for a database that does not answer now (the report spool's replay).
pub fn connect_lazy(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if is_postgres(url) {
        Ok(Arc::new(PostgresStore::connect_lazy(url)?))
    } else {
        Ok(Arc::new(SqliteStore::connect_lazy(url)?))
    }
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}
