//! What the staff console pages show, built per request for whoever is signed in.
//!
//! It is never cached; the server builds it from the session, the snapshot and the database.

use crate::data::public::{CrowdAlert, IncidentView, MaintenanceView, Text, UpdateView};
use crate::model::{ComponentStatus, Impact, IncidentState, Role, UpdateKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which console page is asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsolePage {
    SignIn,
    Dashboard,
    NewIncident,
    Incident(String),
    NewMaintenance,
    Users,
    Ledger,
    Webhooks,
    Agents,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub name: String,
    pub role: Role,
}

/// What a form needs after a refused or previewed submission: what was typed (so nothing
/// is lost), what is wrong next to each field, and a preview of the public text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Flash {
    pub notice: Option<String>,
    pub error: Option<String>,
    pub field_errors: Vec<(String, String)>,
    pub values: Vec<(String, String)>,
    pub preview: Option<Preview>,
}

impl Flash {
    pub fn value(&self, name: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    pub fn has_value(&self, name: &str, value: &str) -> bool {
        self.values.iter().any(|(k, v)| k == name && v == value)
    }

    pub fn error_for(&self, field: &str) -> Option<String> {
        self.field_errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, e)| e.clone())
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Exactly what the public incident page would show for a submission.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    pub title: Option<Text>,
    pub update: UpdateView,
}

/// A component as a choice in a form, with its current state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComponentChoice {
    /// "service/component"
    pub id: String,
    pub service: String,
    pub name: String,
    pub status: ComponentStatus,
}

/// A prepared text staff pick and then edit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub id: String,
    pub name: String,
    pub kind: UpdateKind,
    pub state: IncidentState,
    pub title_ko: String,
    pub title_en: String,
    pub body_ko: String,
    pub body_en: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentRow {
    pub id: String,
    pub title: Text,
    pub impact: Impact,
    pub state: IncidentState,
    pub started_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub open: Vec<IncidentRow>,
    pub recent: Vec<IncidentRow>,
    pub components: Vec<ComponentChoice>,
    pub maintenance: Vec<MaintenanceView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentForm {
    pub components: Vec<ComponentChoice>,
    pub templates: Vec<Template>,
    /// Now, in KST, as a `datetime-local` value: the default start time.
    pub now_local: String,
    /// The duties in force today, which the first update can be marked as fulfilling.
    pub duties: Vec<crate::data::record::DutyView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentDesk {
    pub incident: IncidentView,
    /// The components of the services this incident touches, with their state now.
    pub components: Vec<ComponentChoice>,
    pub templates: Vec<Template>,
    /// Each update's text in both languages, to start a correction from.
    pub originals: Vec<UpdateText>,
    /// What the law asks of this incident (config/rules.toml), as of now: the checklist,
    /// and the duties an update can be tagged as fulfilling.
    pub duties: Vec<crate::data::record::DutyView>,
    /// Internal notes (staff and regulators only), oldest first.
    pub notes: Vec<NoteView>,
}

/// An internal note on an incident, with its ledger entry's number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoteView {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub author: String,
    pub body: String,
    /// The duties it is tagged as fulfilling (their ids).
    pub duties: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdateText {
    pub id: i64,
    pub body_ko: String,
    pub body_en: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LedgerRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub hash: String,
}

/// Webhook endpoints, email subscriber counts and the delivery log (admins only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhooksReport {
    pub endpoints: Vec<WebhookRow>,
    /// Newest first: webhooks and emails.
    pub deliveries: Vec<DeliveryRow>,
    pub services: Vec<(String, String)>,
    pub email_enabled: bool,
    pub subscribers_confirmed: i64,
    pub subscribers_pending: i64,
}

/// A probe agent allowed to push check results (admins only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentRow {
    pub name: String,
    /// Its HMAC key (what `server probe --key-file` reads).
    pub key: String,
    pub active: bool,
    /// The last batch taken from it (0: none yet).
    pub last_seq: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookRow {
    pub id: String,
    pub url: String,
    /// Service names; empty for every service.
    pub services: Vec<String>,
    pub secret: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: i64,
    /// `webhook` or `email`.
    pub channel: String,
    /// The endpoint id (emails: none; the address is not shown).
    pub target: Option<String>,
    pub kind: String,
    pub event: Option<String>,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LedgerReport {
    pub count: usize,
    pub head: String,
    /// The first entry that does not verify, and why; None when the chain is intact.
    pub broken: Option<(i64, String)>,
    /// Newest first.
    pub recent: Vec<LedgerRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ConsoleBody {
    SignIn,
    /// Not signed in (the server also redirects to the sign-in page).
    NeedSignIn,
    /// Signed in, but the role may not see this page.
    Forbidden,
    NotFound,
    /// The database cannot be reached: the public pages are served read-only.
    Unavailable,
    Dashboard(Dashboard),
    NewIncident(IncidentForm),
    Incident(Box<IncidentDesk>),
    NewMaintenance(IncidentForm),
    Users(Vec<UserRow>),
    Ledger(LedgerReport),
    Webhooks(WebhooksReport),
    Agents(Vec<AgentRow>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsoleView {
    pub csrf: String,
    pub me: Option<Me>,
    /// Services users are reporting problems with, that no open incident covers.
    pub crowd_alerts: Vec<CrowdAlert>,
    /// Features the automated checks find failing while officially operational.
    pub check_alerts: Vec<crate::data::public::CheckAlert>,
    pub flash: Flash,
    pub body: ConsoleBody,
}
