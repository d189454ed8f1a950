//! The public state as recorded: incidents with their updates, component state changes
//! and maintenance windows. What the read model is built from.

use app::model::{ComponentStatus, Impact, IncidentState, UpdateKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Everything the public read model is built from. Each incident and event is shared
/// between successive states: a change copies pointers, not years of history.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StoredState {
    /// Oldest first (by start, then id).
    pub incidents: Vec<Arc<IncidentRecord>>,
    /// Component state changes, oldest first (by time, then the order recorded).
    pub events: Vec<Arc<ComponentEvent>>,
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
    /// The database's id: the order events were recorded in (0 in a state saved before
    /// events carried it, and in a replay).
    #[serde(default)]
    pub id: i64,
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

/// What changed in the public state after a point of the ledger, read back from the
/// database: the incidents the new entries touched (whole, as they are now), the events
/// recorded since, and the maintenance windows added.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StateChanges {
    pub incidents: Vec<IncidentRecord>,
    /// Newer than every event already known (by id), in any order.
    pub events: Vec<ComponentEvent>,
    pub maintenances: Vec<MaintenanceRecord>,
    /// The newest public entry read, and its time.
    pub ledger_head: Option<LedgerHead>,
    pub last_change: Option<DateTime<Utc>>,
}

impl StateChanges {
    pub fn is_empty(&self) -> bool {
        self.incidents.is_empty() && self.events.is_empty() && self.maintenances.is_empty()
    }
}

impl StoredState {
    /// The newest event id known: what was recorded after it is new.
    pub fn last_event_id(&self) -> i64 {
        self.events.iter().map(|e| e.id).max().unwrap_or(0)
    }

    /// Whether its events carry the database's ids, so that a refresh can ask only for
    /// newer ones (a state saved by an older version does not).
    pub fn events_have_ids(&self) -> bool {
        self.events.iter().all(|e| e.id > 0)
    }

    /// This state with `changes` applied, in the order a full read would give: touched
    /// incidents replaced (or inserted where their start puts them), new events and
    /// windows inserted at their time. Costs the changes plus a copy of the pointers.
    pub fn with_changes(&self, changes: StateChanges) -> StoredState {
        let mut next = self.clone();
        for incident in changes.incidents {
            // From the end: the incidents staff touch are mostly the recent ones.
            if let Some(old) = next.incidents.iter().rposition(|i| i.id == incident.id) {
                next.incidents.remove(old);
            }
            let key = (incident.started_at, incident.id.as_str());
            let at = next
                .incidents
                .partition_point(|i| (i.started_at, i.id.as_str()) < key);
            next.incidents.insert(at, Arc::new(incident));
        }
        let mut events = changes.events;
        events.sort_by_key(|e| (e.at, e.id));
        for event in events {
            let key = (event.at, event.id);
            let at = next.events.partition_point(|e| (e.at, e.id) < key);
            next.events.insert(at, Arc::new(event));
        }
        for window in changes.maintenances {
            next.maintenances.retain(|m| m.id != window.id);
            let key = (window.starts_at, window.id.as_str());
            let at = next
                .maintenances
                .partition_point(|m| (m.starts_at, m.id.as_str()) < key);
            next.maintenances.insert(at, window);
        }
        if changes.ledger_head.is_some() {
            next.ledger_head = changes.ledger_head;
            next.last_change = changes.last_change;
        }
        next
    }
}
