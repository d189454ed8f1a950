//! The public state as recorded: incidents with their updates, component state changes
//! and maintenance windows. What the read model is built from.

use app::model::{ComponentStatus, Impact, IncidentState, UpdateKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
    /// That entry: the state is what the ledger says up to it.
    #[serde(default)]
    pub ledger_head: Option<LedgerHead>,
}

/// A point of the ledger's chain: its sequence number (the count of entries up to it)
/// and its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerHead {
    pub seq: i64,
    pub hash: String,
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
    /// When the automated checks first found a feature of the incident failing, if they did.
    #[serde(default)]
    pub checks_failed_at: Option<DateTime<Utc>>,
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
    /// The legal duties this update was published to fulfil (config/rules.toml).
    #[serde(default)]
    pub notices: Vec<NoticeTag>,
}

/// An official update marked as fulfilling a duty (a notice to users, a compensation
/// notice, a report to the ministry), with the required elements it carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeTag {
    pub duty: String,
    pub elements: Vec<String>,
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
