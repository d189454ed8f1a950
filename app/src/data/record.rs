//! What the regulator's pages show: availability over months and years, built on the
//! server from the snapshot (see docs/uptime.md for the arithmetic).

use super::public::ServiceRef;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The minutes behind one availability figure. For a service: the mean of its components.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MinutesView {
    /// Of the period, the part that has happened.
    pub elapsed: f64,
    pub major: f64,
    pub partial: f64,
    pub degraded: f64,
    /// Under maintenance and not in an outage: shown, never counted as down.
    pub maintenance: f64,
    /// Weighted: a major-outage minute counts 1, a partial-outage minute 0.3.
    pub down: f64,
    /// In percent.
    pub availability: f64,
}

/// One service's or component's year: its twelve months (months not begun yet have no
/// elapsed time) and the year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YearFigures {
    pub slug: String,
    pub name: String,
    pub months: Vec<MinutesView>,
    pub year: MinutesView,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceAvailability {
    pub service: YearFigures,
    pub components: Vec<YearFigures>,
}

/// Where the record stood when a view was computed: the ledger entry the public state
/// reflects, so an export can be checked against the chain later.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LedgerMark {
    /// The sequence number of the newest entry the figures reflect: the count of
    /// entries up to it.
    pub seq: i64,
    pub head_hash: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AvailabilityView {
    pub page_name: String,
    pub year: i32,
    /// Every year from the first on record to this one, newest first.
    pub years: Vec<i32>,
    /// Only this service's figures (components month by month), if chosen.
    pub service: Option<String>,
    pub services: Vec<ServiceAvailability>,
    /// Filter choices: every service.
    pub choices: Vec<ServiceRef>,
    /// The moment the figures count up to.
    pub as_of: DateTime<Utc>,
    pub ledger: Option<LedgerMark>,
    /// A past view (rebuilt from the ledger as of `as_of`).
    pub past: bool,
}

/// One moment of an incident's timeline, as the record lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    pub at: DateTime<Utc>,
    pub kind: MilestoneKind,
    /// The update it comes from, if any (its anchor on the page).
    pub update_id: Option<i64>,
    /// Written afterwards from public reporting, not published at the time.
    pub retrospective: bool,
    /// The ledger entries it comes from (their `seq`; see `RecordView::ledger_entries`).
    pub sources: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "state")]
pub enum MilestoneKind {
    FirstImpact,
    CrowdSignal,
    /// The automated checks first found a feature of the incident failing.
    ChecksFailed,
    FirstNotice,
    StateChange(crate::model::IncidentState),
    Apology,
    Resolved,
}

/// How long one affected component spent in each state during the incident (minutes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComponentTimes {
    pub id: String,
    pub service: String,
    pub component: String,
    pub major: f64,
    pub partial: f64,
    pub degraded: f64,
    pub operational: f64,
    /// The ledger entries that set its states during the incident.
    pub sources: Vec<i64>,
}

/// One legal duty's verdict on the incident (config/rules.toml).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DutyView {
    pub duty: String,
    /// The version in force on the incident's first day (or the duty's first version).
    pub name: String,
    pub basis: String,
    /// `not_in_force`, `below_threshold`, `not_yet`, `open`, `overdue`, `met`, `late`,
    /// or `internal` (fulfilled by internal notes, which a public view does not read).
    pub standing: String,
    pub due_at: Option<DateTime<Utc>>,
    /// Minutes from the view's moment to the due time (negative: past it).
    pub remaining_minutes: Option<i64>,
    pub fulfilled_by: Vec<FulfilmentView>,
    /// Element names, in the reader's language.
    pub required: Vec<String>,
    /// The same elements' ids (what an update is tagged with), in the same order.
    pub required_ids: Vec<String>,
    pub missing: Vec<String>,
    /// Fulfilled by an internal note (a report to the authorities), not a public update.
    pub by_note: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FulfilmentView {
    /// The update tagged, or (for a duty fulfilled by notes) the internal note's ledger
    /// entry.
    pub update_id: Option<i64>,
    pub note_seq: Option<i64>,
    pub at: DateTime<Utc>,
    pub in_time: bool,
    pub elements: Vec<String>,
    /// The ledger entry that published the update with its tag.
    pub sources: Vec<i64>,
}

/// The ledger entries behind the record's headline figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FigureSources {
    /// The first sign's entry and the first notice's.
    pub time_to_acknowledge: Vec<i64>,
    /// The incident's opening and its resolution.
    pub time_to_resolve: Vec<i64>,
    pub apology: Vec<i64>,
    pub compensation_notice: Vec<i64>,
}

/// A ledger entry behind the record, as `scripts/verify-ledger.py` checks it against the
/// chain: its number, when it was recorded, its action and hash, and what it put there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LedgerEntryRef {
    pub seq: i64,
    pub recorded_at: DateTime<Utc>,
    pub action: String,
    pub hash: String,
    pub facts: Vec<SourceFact>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum SourceFact {
    /// The incident: its start, impact and crowd signal.
    Opened,
    Update {
        update_id: i64,
    },
    Correction {
        update_id: i64,
    },
    Status {
        component: String,
    },
}

/// The most crowd reports in one minute, over the incident's services, from the crowd's
/// counts (which are not in the ledger).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CrowdPeak {
    /// The busiest minute over all the incident's services together, and its count.
    pub minute: DateTime<Utc>,
    pub reports: i64,
    /// Per service (its name), the busiest minute and its count.
    pub services: Vec<(String, DateTime<Utc>, i64)>,
}

/// `/incidents/{id}/record`: the incident with the figures the law asks for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordView {
    pub page_name: String,
    pub incident: super::public::IncidentView,
    pub milestones: Vec<Milestone>,
    /// From the first sign (first impact, or the crowd signal if earlier) to the first
    /// notice published at the time, in minutes.
    pub time_to_acknowledge: Option<i64>,
    /// From first impact to resolution, in minutes.
    pub time_to_resolve: Option<i64>,
    pub figure_sources: FigureSources,
    pub first_notice_at: Option<DateTime<Utc>>,
    pub apology_at: Option<DateTime<Utc>>,
    /// The first update tagged as the compensation notice.
    pub compensation_notice_at: Option<DateTime<Utc>>,
    pub components: Vec<ComponentTimes>,
    pub duties: Vec<DutyView>,
    /// Some of the record was written afterwards from public reporting.
    pub compiled_afterwards: bool,
    /// The ledger entries behind the figures, oldest first. None where the ledger could
    /// not be read (no database) or was not asked for (the history export).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger_entries: Option<Vec<LedgerEntryRef>>,
    /// The busiest minute of crowd reports during the incident (None: no report, or the
    /// counts were not read: see `crowd_counts_read`).
    pub crowd_peak: Option<CrowdPeak>,
    pub crowd_counts_read: bool,
    pub as_of: DateTime<Utc>,
    pub ledger: Option<LedgerMark>,
    /// A past view (rebuilt from the ledger as of `as_of`).
    pub past: bool,
}
