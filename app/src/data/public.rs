//! What the public pages show, already localised, built on the server from the snapshot.
//!
//! Serialised into the page for hydration and returned by the refresh endpoints.

use crate::model::{CheckVerdict, ComponentStatus, Impact, IncidentState, Lang, UpdateKind};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A piece of incident content in the reader's language. `fallback` is set when the
/// English text is missing and the Korean original is shown instead.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Text {
    pub text: String,
    pub fallback: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComponentView {
    pub slug: String,
    pub name: String,
    pub status: ComponentStatus,
}

/// One day of an uptime bar (a day in KST): the day's worst state, its availability in
/// hundredths of a percent (rounded down), and its incidents. A tuple, because a page
/// carries hundreds of these in its hydration data and field names would triple it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DayCell(pub ComponentStatus, pub u16, pub Vec<IncidentRef>);

impl DayCell {
    pub fn worst(&self) -> ComponentStatus {
        self.0
    }

    /// In percent, 0–100.
    pub fn availability(&self) -> f64 {
        f64::from(self.1) / 100.0
    }

    pub fn incidents(&self) -> &[IncidentRef] {
        &self.2
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UptimeBar {
    /// The date of the first cell; cell i is `first + i` days.
    pub first: NaiveDate,
    pub days: Vec<DayCell>,
    /// Availability over the whole bar, in percent.
    pub availability: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentRef {
    pub id: String,
    pub title: Text,
    pub impact: Impact,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceSummary {
    pub slug: String,
    pub name: String,
    pub description: String,
    /// The worst status of its components.
    pub status: ComponentStatus,
    pub components: Vec<ComponentView>,
    pub uptime: UptimeBar,
}

/// A component named for the reader, with a state: the one an incident put it in, or the
/// one an update changed it to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComponentState {
    pub service: String,
    pub component: String,
    pub status: ComponentStatus,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdateView {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub state: IncidentState,
    pub kind: UpdateKind,
    /// Written afterwards from public reporting, not a notice published at that time.
    pub retrospective: bool,
    pub body: Text,
    pub changes: Vec<ComponentState>,
    /// When the text was corrected after publication (the original stays in the ledger).
    pub edited_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceRef {
    pub slug: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentSummary {
    pub id: String,
    pub title: Text,
    pub impact: Impact,
    pub state: IncidentState,
    pub started_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub services: Vec<ServiceRef>,
    /// The newest update, shown on top.
    pub latest: Option<UpdateView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentView {
    pub summary: IncidentSummary,
    /// With the state the incident put each one in.
    pub affected: Vec<ComponentState>,
    /// First update published at the time (not a retrospective record).
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When users' reports first stood out (the crowd signal fired), if they did.
    pub crowd_signal_at: Option<DateTime<Utc>>,
    /// When the automated checks first found a feature of the incident failing, if they did.
    pub checks_failed_at: Option<DateTime<Utc>>,
    /// Newest first.
    pub updates: Vec<UpdateView>,
    /// A past view: as the public could see it at this moment.
    pub past: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MaintenanceView {
    pub id: String,
    pub title: Text,
    pub body: Text,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub components: Vec<String>,
    pub in_progress: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HomeView {
    pub page_name: String,
    pub overall: ComponentStatus,
    pub services: Vec<ServiceSummary>,
    pub active: Vec<IncidentSummary>,
    pub maintenance: Vec<MaintenanceView>,
    /// When the public state last changed.
    pub updated_at: DateTime<Utc>,
    /// Services users are reporting problems with right now.
    pub crowd_alerts: Vec<CrowdAlert>,
    /// Features the automated checks find failing while officially operational.
    pub check_alerts: Vec<CheckAlert>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComponentBar {
    pub component: ComponentView,
    pub uptime: UptimeBar,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceView {
    pub page_name: String,
    pub service: ServiceSummary,
    pub bars: Vec<ComponentBar>,
    pub active: Vec<IncidentSummary>,
    pub maintenance: Vec<MaintenanceView>,
    /// The newest few, newest first (the history, filtered by the service, has them all).
    pub incidents: Vec<IncidentSummary>,
    /// How many incidents of this service are on record.
    pub incidents_total: usize,
    pub updated_at: DateTime<Utc>,
    pub crowd: CrowdView,
    pub report: ReportChoices,
    /// What the automated checks measure, per feature that has checks (catalog order).
    pub checks: Vec<FeatureChecks>,
}

/// Why a history filter was refused; shown to the reader as a 400 page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FilterError {
    UnknownService(String),
    BadYear(String),
    BadPage(String),
    PageOutOfRange {
        page: u32,
        pages: u32,
    },
    /// A year with nothing on record: before the first record, or in the future.
    YearOutOfRange {
        year: i32,
        first: i32,
        last: i32,
    },
    /// `as_of` is not a time this site reads.
    BadAsOf(String),
    /// `as_of` is before the earliest fact on record.
    AsOfTooEarly {
        given: String,
        earliest: DateTime<Utc>,
    },
    AsOfInFuture(String),
    /// Past views need the ledger, which this site cannot read now.
    PastUnavailable,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthGroup {
    pub year: i32,
    pub month: u32,
    pub incidents: Vec<IncidentSummary>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryView {
    pub page_name: String,
    pub months: Vec<MonthGroup>,
    pub service: Option<String>,
    pub year: Option<i32>,
    pub page: u32,
    pub pages: u32,
    pub total: usize,
    /// Filter choices: every service and every year that has incidents.
    pub services: Vec<ServiceRef>,
    pub years: Vec<i32>,
    /// A past view: as the public could see it at this moment.
    pub past: Option<DateTime<Utc>>,
}

/// The page's own name, from the catalog.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub name_ko: String,
    pub name_en: String,
    /// Set while the database cannot be read: when the state shown was last confirmed.
    pub stale_since: Option<DateTime<Utc>>,
}

impl SiteInfo {
    /// The name in the reader's language.
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ko => &self.name_ko,
            Lang::En => &self.name_en,
        }
    }
}

/// Reports per 5 minutes over the last 24 hours, with the normal level of each bin.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CrowdChart {
    /// Start of the first bin.
    pub start: DateTime<Utc>,
    pub bin_minutes: u32,
    pub counts: Vec<u32>,
    /// Normal reports per bin (from the same time in past weeks).
    pub normal: Vec<f32>,
}

/// One problem's (or region's) share of the last hour's reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Share {
    pub name: String,
    pub count: u32,
    pub percent: u8,
}

/// What users report about one service: not an official status.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CrowdView {
    /// Set while the crowd signal fires: when it did.
    pub firing_since: Option<DateTime<Utc>>,
    pub last_hour: u32,
    pub chart: CrowdChart,
    pub problems: Vec<Share>,
    pub regions: Vec<Share>,
}

/// "Users are reporting problems with X", for the home page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CrowdAlert {
    pub slug: String,
    pub name: String,
    pub since: DateTime<Utc>,
    pub last_hour: u32,
}

/// What a reporter can choose for one service.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportChoices {
    pub slug: String,
    pub name: String,
    /// (slug, name)
    pub problems: Vec<(String, String)>,
    pub regions: Vec<(String, String)>,
}

/// The report page of a service (and its thank-you page).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportPage {
    pub choices: ReportChoices,
    pub crowd: CrowdView,
}

/// The email-alert form: which services can be chosen, and whether this site sends email.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SubscribeView {
    /// (slug, name)
    pub services: Vec<(String, String)>,
    pub email_alerts: bool,
}

/// A feature's automated checks, shown beside its official state (never instead of it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureChecks {
    /// `service/component`.
    pub component: String,
    pub name: String,
    /// The worst verdict of its checks.
    pub verdict: CheckVerdict,
    pub official: ComponentStatus,
    /// Set when the checks have been failing for longer than the grace time while the
    /// feature is officially operational: since when they fail.
    pub disagreement_since: Option<DateTime<Utc>>,
    pub checks: Vec<CheckView>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckView {
    pub id: String,
    pub name: String,
    /// http, tcp, dns or heartbeat.
    pub kind: String,
    pub verdict: CheckVerdict,
    /// When the verdict last changed, if it did since the site has been watching.
    pub since: Option<DateTime<Utc>>,
    /// Why the newest failing or slow result failed ("status 500"); empty when up.
    pub detail: String,
    pub agents_reporting: u32,
    pub agents_failing: u32,
    /// Agents whose own network was down (their control target failed): not counted.
    pub agents_set_aside: u32,
    pub latency: LatencyChart,
}

/// Latency per 5 minutes over the last 24 hours (p50 and p95 of every agent's results).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencyChart {
    /// Start of the first bin.
    pub start: DateTime<Utc>,
    pub bin_minutes: u32,
    /// Milliseconds; None where no result came in.
    pub p50: Vec<Option<u32>>,
    pub p95: Vec<Option<u32>>,
    pub counts: Vec<u32>,
    pub failures: Vec<u32>,
}

/// "The checks find a problem with X — not yet confirmed", for the home page and staff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckAlert {
    pub service: String,
    pub service_name: String,
    pub component: String,
    pub name: String,
    pub since: DateTime<Utc>,
}
