//! Storage: one trait, two backends (SQLite embedded by default, PostgreSQL for several
//! instances). SQL lives only in this module.

mod sql;

use crate::ledger::LedgerEntry;
use app::model::{ComponentStatus, Impact, IncidentState, UpdateKind};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub use sql::{PostgresStore, SqliteStore};

/// Everything the public read model is built from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StoredState {
    /// Oldest first.
    pub incidents: Vec<IncidentRecord>,
    /// Component state changes, oldest first.
    pub events: Vec<ComponentEvent>,
    pub maintenances: Vec<MaintenanceRecord>,
    /// Time of the newest ledger entry: when the public state last changed.
    pub last_change: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentRecord {
    pub id: String,
    pub title_ko: String,
    pub title_en: Option<String>,
    pub impact: Impact,
    pub state: IncidentState,
    pub started_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub components: Vec<StatusChange>,
    /// Oldest first.
    pub updates: Vec<UpdateRecord>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdateRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub state: IncidentState,
    pub kind: UpdateKind,
    pub retrospective: bool,
    pub body_ko: String,
    pub body_en: Option<String>,
    pub changes: Vec<StatusChange>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    /// "service/component"
    pub component: String,
    pub status: ComponentStatus,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComponentEvent {
    pub component: String,
    pub status: ComponentStatus,
    pub at: DateTime<Utc>,
    pub incident_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MaintenanceRecord {
    pub id: String,
    pub title_ko: String,
    pub title_en: Option<String>,
    pub body_ko: String,
    pub body_en: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub components: Vec<String>,
}

/// A change to the public state. Each is written with its ledger entry in one
/// transaction; the serialised form is what the ledger records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    OpenIncident(NewIncident),
    PostUpdate(NewUpdate),
    ScheduleMaintenance(MaintenanceRecord),
}

impl Change {
    pub fn action(&self) -> &'static str {
        match self {
            Change::OpenIncident(_) => "open_incident",
            Change::PostUpdate(_) => "post_update",
            Change::ScheduleMaintenance(_) => "schedule_maintenance",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewIncident {
    pub id: String,
    pub title_ko: String,
    pub title_en: Option<String>,
    pub impact: Impact,
    /// First user impact; may be earlier than the time staff open the incident.
    pub started_at: DateTime<Utc>,
    /// The state each affected component goes to at `started_at`.
    pub components: Vec<StatusChange>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewUpdate {
    pub incident_id: String,
    pub at: DateTime<Utc>,
    pub state: IncidentState,
    pub kind: UpdateKind,
    pub retrospective: bool,
    pub body_ko: String,
    pub body_en: Option<String>,
    /// Components whose state changes at `at`.
    pub components: Vec<StatusChange>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Conflict(String),
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// "sqlite" or "postgres".
    fn backend(&self) -> &'static str;
    async fn load(&self) -> Result<StoredState, StoreError>;
    /// Writes the change and its ledger entry in one transaction; returns the entry.
    async fn apply(
        &self,
        actor: &str,
        at: DateTime<Utc>,
        change: &Change,
    ) -> Result<LedgerEntry, StoreError>;
    async fn incident_exists(&self, id: &str) -> Result<bool, StoreError>;
    /// The whole ledger in sequence order.
    async fn ledger(&self) -> Result<Vec<LedgerEntry>, StoreError>;
}

/// Opens (and migrates) the database named by the URL: `postgres://…` for PostgreSQL,
/// anything else (`sqlite://data/status.db`, or a plain path) for SQLite.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::connect(url).await?))
    } else {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    }
}
