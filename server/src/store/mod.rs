//! Storage: one trait, two backends (SQLite embedded by default, PostgreSQL for several
//! instances). SQL lives only in this module.

mod outbox;
mod sql;

pub use outbox::*;

use crate::ledger::LedgerEntry;
use app::model::{ComponentStatus, Impact, IncidentState, Role, UpdateKind};
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
    /// When the crowd signal first fired for it (time to acknowledge starts there).
    #[serde(default)]
    pub crowd_signal_at: Option<DateTime<Utc>>,
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
    /// When the text was last corrected after publication.
    #[serde(default)]
    pub edited_at: Option<DateTime<Utc>>,
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

/// A change: to the public state, or to who may change it (accounts, sign-ins). Each is
/// written with its ledger entry in one transaction; the serialised form is what the
/// ledger records (never a password hash).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    OpenIncident(NewIncident),
    PostUpdate(NewUpdate),
    CorrectUpdate(Correction),
    SetComponentStatus(ComponentStatusChange),
    ScheduleMaintenance(MaintenanceRecord),
    AddUser(NewUser),
    UpdateUser(UserChange),
    SignIn(SignInRecord),
    SignInFailed(SignInRecord),
    SignOut(SignInRecord),
    AddWebhook(NewWebhook),
    SetWebhookActive(WebhookChange),
}

/// The ledger actions that change what the public pages show.
pub const PUBLIC_ACTIONS: [&str; 5] = [
    "open_incident",
    "post_update",
    "correct_update",
    "set_component_status",
    "schedule_maintenance",
];

impl Change {
    pub fn action(&self) -> &'static str {
        match self {
            Change::OpenIncident(_) => "open_incident",
            Change::PostUpdate(_) => "post_update",
            Change::CorrectUpdate(_) => "correct_update",
            Change::SetComponentStatus(_) => "set_component_status",
            Change::ScheduleMaintenance(_) => "schedule_maintenance",
            Change::AddUser(_) => "add_user",
            Change::UpdateUser(_) => "update_user",
            Change::SignIn(_) => "sign_in",
            Change::SignInFailed(_) => "sign_in_failed",
            Change::SignOut(_) => "sign_out",
            Change::AddWebhook(_) => "add_webhook",
            Change::SetWebhookActive(_) => "set_webhook_active",
        }
    }

    /// Whether the public pages change with it (and so the snapshot is rebuilt).
    pub fn is_public(&self) -> bool {
        PUBLIC_ACTIONS.contains(&self.action())
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
    /// The first public update, published with the incident (staff always write one;
    /// the seeded history adds its updates one by one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_update: Option<FirstUpdate>,
    /// When the crowd signal first fired for the incident's services, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crowd_signal_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FirstUpdate {
    pub at: DateTime<Utc>,
    pub kind: UpdateKind,
    pub body_ko: String,
    pub body_en: Option<String>,
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
    /// Components whose state changes at `at`. On a resolve, the write path adds every
    /// affected component not named here, back to operational.
    pub components: Vec<StatusChange>,
    /// A resolve that leaves components affected must say so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub still_affected_confirmed: bool,
}

/// A published update's text corrected: the public page says "edited"; the original
/// text stays in the ledger entry that published it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    pub incident_id: String,
    pub update_id: i64,
    pub body_ko: String,
    pub body_en: Option<String>,
}

/// A component's state changed on its own (e.g. back to operational while the
/// incident continues), now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComponentStatusChange {
    pub component: String,
    pub status: ComponentStatus,
    pub incident_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewUser {
    pub name: String,
    pub role: Role,
    /// Argon2id PHC string; never serialised, so never in the ledger.
    #[serde(skip)]
    pub password_hash: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserChange {
    pub name: String,
    pub role: Role,
    pub active: bool,
}

/// A webhook endpoint an admin registers. The signing secret is never serialised, so
/// never in the ledger.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewWebhook {
    pub id: String,
    pub url: String,
    /// Service slugs; empty for every service.
    pub services: Vec<String>,
    #[serde(skip)]
    pub secret: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookChange {
    pub id: String,
    pub active: bool,
}

/// A sign-in, failed sign-in or sign-out, with the address it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignInRecord {
    pub name: String,
    pub address: String,
}

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
}

/// Staff sessions live in the same database (tower-sessions' own table).
pub trait SessionsIn {
    fn sessions(&self) -> crate::sessions::SessionBackend;
}

#[async_trait]
pub trait Store: SessionsIn + OutboxStore + Send + Sync + 'static {
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
    async fn user(&self, name: &str) -> Result<Option<UserRecord>, StoreError>;
    /// Every account, by name.
    async fn users(&self) -> Result<Vec<UserRecord>, StoreError>;
    /// The whole ledger in sequence order.
    async fn ledger(&self) -> Result<Vec<LedgerEntry>, StoreError>;
    /// Writes crowd reports and adds them to the per-minute counts, in one transaction.
    async fn add_reports(&self, reports: &[NewReport]) -> Result<(), StoreError>;
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
