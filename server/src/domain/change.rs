//! A change, as staff (or the seed) ask for it and as the ledger records it.

use super::state::{MaintenanceRecord, NoticeTag, StatusChange};
use app::model::{ComponentStatus, Impact, IncidentState, Role, UpdateKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
    AddNote(NewNote),
    AddProbeAgent(NewProbeAgent),
    SetProbeAgentActive(ProbeAgentChange),
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
            Change::AddNote(_) => "add_note",
            Change::AddProbeAgent(_) => "add_probe_agent",
            Change::SetProbeAgentActive(_) => "set_probe_agent_active",
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
    /// When the automated checks first found a feature of the incident failing, if they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks_failed_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FirstUpdate {
    pub at: DateTime<Utc>,
    pub kind: UpdateKind,
    pub body_ko: String,
    pub body_en: Option<String>,
    /// Duties it fulfils (empty: none; left out of the ledger entry then).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<NoticeTag>,
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
    /// Duties it fulfils (empty: none; left out of the ledger entry then).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<NoticeTag>,
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

/// An internal note on an incident: for staff and regulators only, never on a public
/// page or document, but in the ledger like every change (the ledger is the only place
/// notes are kept).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewNote {
    pub incident_id: String,
    pub body: String,
    /// The duties it records fulfilling (a report to the authorities): `fulfilled_by =
    /// "note"` in config/rules.toml. Left out of the ledger entry when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<crate::domain::state::NoticeTag>,
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

/// A probe agent allowed to push check results (docs/checks.md).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewProbeAgent {
    pub name: String,
    /// Its HMAC key: kept in the database, never in the ledger.
    #[serde(skip)]
    pub secret: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbeAgentChange {
    pub name: String,
    pub active: bool,
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
