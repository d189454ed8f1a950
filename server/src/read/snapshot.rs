//! The read model: an immutable snapshot of the public state, rebuilt when data changes
//! (and once a minute, for time: the day rolls over, maintenance windows open and close)
//! and swapped atomically. Pages and endpoints render from it, never from the database.

use super::checks::ChecksState;
use super::crowd::CrowdState;
use super::localized::localized;
use crate::domain::catalog::{Catalog, Service};
use crate::domain::law::Law;
use crate::domain::state::{
    partition_point, ComponentEvent, IncidentRecord, MaintenanceRecord, StoredState, UpdateRecord,
};
use crate::domain::uptime::{self, Day};
use app::api::ReadModel;
use app::data::public::*;
use app::model::{ComponentStatus, Lang};
use arc_swap::ArcSwap;
use chrono::{DateTime, Datelike, Utc};
use imbl::Vector;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub const HISTORY_PAGE_SIZE: usize = 10;
/// A service page lists this many of its newest incidents and links to the rest (the
/// history filtered by the service): its size does not grow with years of history.
pub const SERVICE_PAGE_INCIDENTS: usize = 10;

pub struct Snapshot {
    /// Increases with every rebuild; the page cache keys on it.
    pub version: u64,
    pub built_at: DateTime<Utc>,
    /// When `state` was last read from the database.
    pub confirmed_at: DateTime<Utc>,
    /// The database could not be read at the last attempt: `state` may be behind.
    pub stale: bool,
    /// A past view: the state as the public could see it at this moment (`read::past`).
    pub past: Option<DateTime<Utc>>,
    pub catalog: Arc<Catalog>,
    /// What the law asks after an outage (the incident records' rule checklist).
    pub law: Arc<Law>,
    pub state: Arc<StoredState>,
    /// "service/component" → its state now.
    current: HashMap<String, ComponentStatus>,
    /// "service/component" → when its state last changed, if it ever did.
    changed_at: HashMap<String, DateTime<Utc>>,
    /// "service/component" → its last 90 days.
    days: HashMap<String, Vec<Day>>,
    /// "service/component" → the incidents its bar can show (not resolved before the
    /// bar's first day), oldest first.
    incidents_by_component: HashMap<String, Vec<Arc<IncidentRecord>>>,
    /// The years (Korea time) incidents started in, newest first.
    years: Vec<i32>,
    /// "service/component" → its position in the catalog, so lists read in catalog order.
    order: HashMap<String, usize>,
}

impl Snapshot {
    /// A service's state now: the worst of its components'.
    pub fn service_status(&self, service: &Service) -> ComponentStatus {
        Self::component_ids(service)
            .map(|id| self.status_of(&id))
            .max()
            .unwrap_or(ComponentStatus::Operational)
    }

    /// When a component's state last changed ("service/component"), if it ever did.
    pub fn changed_at(&self, component: &str) -> Option<DateTime<Utc>> {
        self.changed_at.get(component).copied()
    }

    /// A component's state now ("service/component").
    pub fn current_status(&self, component: &str) -> ComponentStatus {
        self.current
            .get(component)
            .copied()
            .unwrap_or(ComponentStatus::Operational)
    }

    pub fn build(
        version: u64,
        catalog: Arc<Catalog>,
        law: Arc<Law>,
        state: Arc<StoredState>,
        now: DateTime<Utc>,
    ) -> Self {
        // What the pages show depends on the last state and the 90 days of the bars, not
        // on older history: events before the window are found by binary search and read
        // only back to each component's last one, so that building costs about the same
        // after ten years of history as after one.
        let window_start = uptime::window_start(now);
        let events = state.events();
        let first_in_window = partition_point(events, usize::MAX, |e| e.at < window_start);
        let mut events_by_component: HashMap<&str, Vec<&ComponentEvent>> = HashMap::new();
        for event in events.focus().narrow(first_in_window..).into_iter() {
            if event.at <= now {
                events_by_component
                    .entry(event.component.as_str())
                    .or_default()
                    .push(event);
            }
        }
        // Each component's state when the window opens: its last event before it.
        // Read backwards, it stops once every component is found.
        let ids: std::collections::HashSet<String> = catalog.component_ids().collect();
        let mut before_window: HashMap<&str, &ComponentEvent> = HashMap::new();
        for event in events.focus().narrow(..first_in_window).into_iter().rev() {
            if before_window.len() == ids.len() {
                break;
            }
            if ids.contains(&event.component) {
                before_window
                    .entry(event.component.as_str())
                    .or_insert(event);
            }
        }
        // The incidents a bar can show: those not resolved before the window opened
        // (found by the state's index, not by a pass over the history).
        let mut shown: Vec<&Arc<IncidentRecord>> =
            state.not_resolved_before(window_start).collect();
        shown.sort_by(|a, b| (a.started_at, &a.id).cmp(&(b.started_at, &b.id)));
        let mut incidents_by_component: HashMap<String, Vec<Arc<IncidentRecord>>> = HashMap::new();
        for incident in shown {
            for c in &incident.components {
                incidents_by_component
                    .entry(c.component.clone())
                    .or_default()
                    .push(incident.clone());
            }
        }
        let mut current = HashMap::new();
        let mut days = HashMap::new();
        let mut changed_at = HashMap::new();
        let order = catalog
            .component_ids()
            .enumerate()
            .map(|(i, id)| (id, i))
            .collect();
        for id in catalog.component_ids() {
            let mut events = events_by_component.remove(id.as_str()).unwrap_or_default();
            if let Some(before) = before_window.get(id.as_str()) {
                events.insert(0, before);
            }
            let maintenances: Vec<&MaintenanceRecord> = state
                .maintenances
                .iter()
                .filter(|m| m.components.contains(&id))
                .collect();
            let mut status = events
                .last()
                .map(|e| e.status)
                .unwrap_or(ComponentStatus::Operational);
            if maintenances
                .iter()
                .any(|m| m.starts_at <= now && now < m.ends_at)
            {
                status = status.max(ComponentStatus::UnderMaintenance);
            }
            days.insert(
                id.clone(),
                uptime::component_days(&events, &maintenances, now),
            );
            if let Some(last) = events.last() {
                changed_at.insert(id.clone(), last.at);
            }
            current.insert(id, status);
        }
        let years = incident_years(state.incidents());
        Snapshot {
            version,
            built_at: now,
            confirmed_at: now,
            stale: false,
            past: None,
            catalog,
            law,
            state,
            current,
            years,
            changed_at,
            days,
            incidents_by_component,
            order,
        }
    }

    fn component_ids(service: &Service) -> impl Iterator<Item = String> + '_ {
        service
            .components
            .iter()
            .map(move |c| format!("{}/{}", service.slug, c.slug))
    }

    /// Names the components for the reader, in catalog order.
    fn named_states(
        &self,
        changes: &[crate::domain::state::StatusChange],
        lang: Lang,
    ) -> Vec<ComponentState> {
        self.in_catalog_order(changes)
            .into_iter()
            .map(|c| {
                let (service, component) = self.component_name(&c.component, lang);
                ComponentState {
                    service,
                    component,
                    status: c.status,
                }
            })
            .collect()
    }

    pub(super) fn in_catalog_order<'a>(
        &self,
        changes: &'a [crate::domain::state::StatusChange],
    ) -> Vec<&'a crate::domain::state::StatusChange> {
        let mut sorted: Vec<_> = changes.iter().collect();
        sorted.sort_by_key(|c| self.order.get(&c.component).copied().unwrap_or(usize::MAX));
        sorted
    }

    fn status_of(&self, id: &str) -> ComponentStatus {
        self.current
            .get(id)
            .copied()
            .unwrap_or(ComponentStatus::Operational)
    }

    pub fn overall(&self) -> ComponentStatus {
        self.current
            .values()
            .copied()
            .max()
            .unwrap_or(ComponentStatus::Operational)
    }

    pub(super) fn name<'a>(lang: Lang, ko: &'a str, en: &'a str) -> String {
        match lang {
            Lang::Ko => ko.to_string(),
            Lang::En => en.to_string(),
        }
    }

    pub(super) fn component_name(&self, id: &str, lang: Lang) -> (String, String) {
        match self.catalog.component(id) {
            Some((s, c)) => (
                Self::name(lang, &s.name_ko, &s.name_en),
                Self::name(lang, &c.name_ko, &c.name_en),
            ),
            None => (String::new(), id.to_string()),
        }
    }

    fn incident_ref(incident: &IncidentRecord, lang: Lang) -> IncidentRef {
        IncidentRef {
            id: incident.id.clone(),
            title: localized(lang, &incident.title_ko, incident.title_en.as_deref()),
            impact: incident.impact,
        }
    }

    /// A bar over some components: per day the worst state and the mean availability.
    fn bar(&self, ids: &[String], lang: Lang) -> UptimeBar {
        let per_component: Vec<&Vec<Day>> = ids.iter().filter_map(|id| self.days.get(id)).collect();
        let Some(first) = per_component.first() else {
            return UptimeBar {
                first: uptime::kst_date(self.built_at),
                days: Vec::new(),
                availability: 100.0,
            };
        };
        let mut incident_days: HashMap<chrono::NaiveDate, Vec<&IncidentRecord>> = HashMap::new();
        for id in ids {
            for incident in self.incidents_by_component.get(id).into_iter().flatten() {
                let from = uptime::kst_date(incident.started_at);
                let until = uptime::kst_date(incident.resolved_at.unwrap_or(self.built_at));
                for day in first.iter().filter(|d| d.date >= from && d.date <= until) {
                    let list = incident_days.entry(day.date).or_default();
                    if !list.iter().any(|i| i.id == incident.id) {
                        list.push(incident);
                    }
                }
            }
        }
        let n = per_component.len() as f64;
        let days: Vec<DayCell> = (0..first.len())
            .map(|i| {
                let date = first[i].date;
                let availability = per_component
                    .iter()
                    .map(|d| d[i].availability())
                    .sum::<f64>()
                    / n;
                DayCell(
                    per_component
                        .iter()
                        .map(|d| d[i].worst)
                        .max()
                        .unwrap_or(ComponentStatus::Operational),
                    (availability * 100.0).floor().clamp(0.0, 10_000.0) as u16,
                    incident_days
                        .get(&date)
                        .into_iter()
                        .flatten()
                        .map(|incident| Self::incident_ref(incident, lang))
                        .collect(),
                )
            })
            .collect();
        let total_seconds: f64 = first.iter().map(|d| d.seconds).sum();
        let availability = if total_seconds > 0.0 {
            let down: f64 = per_component
                .iter()
                .flat_map(|d| d.iter().map(|x| x.down_seconds))
                .sum::<f64>()
                / n;
            100.0 * (1.0 - down / total_seconds)
        } else {
            100.0
        };
        UptimeBar {
            first: first[0].date,
            days,
            availability,
        }
    }

    fn service_summary(&self, service: &Service, lang: Lang) -> ServiceSummary {
        let ids: Vec<String> = Self::component_ids(service).collect();
        let components: Vec<ComponentView> = service
            .components
            .iter()
            .zip(&ids)
            .map(|(c, id)| ComponentView {
                slug: c.slug.clone(),
                name: Self::name(lang, &c.name_ko, &c.name_en),
                status: self.status_of(id),
            })
            .collect();
        ServiceSummary {
            slug: service.slug.clone(),
            name: Self::name(lang, &service.name_ko, &service.name_en),
            description: Self::name(lang, &service.description_ko, &service.description_en),
            status: components
                .iter()
                .map(|c| c.status)
                .max()
                .unwrap_or(ComponentStatus::Operational),
            components,
            uptime: self.bar(&ids, lang),
        }
    }

    pub fn update_view(&self, update: &UpdateRecord, lang: Lang) -> UpdateView {
        UpdateView {
            id: update.id,
            at: update.at,
            state: update.state,
            kind: update.kind,
            retrospective: update.retrospective,
            body: localized(lang, &update.body_ko, update.body_en.as_deref()),
            changes: self.named_states(&update.changes, lang),
            edited_at: update.edited_at,
        }
    }

    fn affects_service(incident: &IncidentRecord, service: &str) -> bool {
        incident
            .components
            .iter()
            .any(|c| c.component.split('/').next() == Some(service))
    }

    fn summary(&self, incident: &IncidentRecord, lang: Lang) -> IncidentSummary {
        let services = self
            .catalog
            .services
            .iter()
            .filter(|s| Self::affects_service(incident, &s.slug))
            .map(|s| ServiceRef {
                slug: s.slug.clone(),
                name: Self::name(lang, &s.name_ko, &s.name_en),
            })
            .collect();
        IncidentSummary {
            id: incident.id.clone(),
            title: localized(lang, &incident.title_ko, incident.title_en.as_deref()),
            impact: incident.impact,
            state: incident.state,
            started_at: incident.started_at,
            resolved_at: incident.resolved_at,
            services,
            latest: incident.updates.last().map(|u| self.update_view(u, lang)),
        }
    }

    /// The incidents not resolved, newest first.
    pub fn unresolved(&self) -> impl Iterator<Item = &IncidentRecord> {
        self.state.unresolved().rev().map(|i| &**i)
    }

    fn active(&self, service: Option<&str>, lang: Lang) -> Vec<IncidentSummary> {
        self.unresolved()
            .filter(|i| service.is_none_or(|s| Self::affects_service(i, s)))
            .map(|i| self.summary(i, lang))
            .collect()
    }

    fn maintenance(&self, service: Option<&str>, lang: Lang) -> Vec<MaintenanceView> {
        let now = self.built_at;
        self.state
            .maintenances
            .iter()
            .filter(|m| m.ends_at > now)
            .filter(|m| {
                service.is_none_or(|s| m.components.iter().any(|c| c.split('/').next() == Some(s)))
            })
            .map(|m| MaintenanceView {
                id: m.id.clone(),
                title: localized(lang, &m.title_ko, m.title_en.as_deref()),
                body: localized(lang, &m.body_ko, m.body_en.as_deref()),
                starts_at: m.starts_at,
                ends_at: m.ends_at,
                components: m
                    .components
                    .iter()
                    .map(|c| {
                        let (service, component) = self.component_name(c, lang);
                        format!("{service} · {component}")
                    })
                    .collect(),
                in_progress: m.starts_at <= now,
            })
            .collect()
    }

    /// The history's filters checked, and every incident they match (all pages), oldest
    /// first: for the history page and its downloads alike. Found by the state's
    /// indexes (by service, by start), so a page of it costs the page, not the history.
    #[allow(clippy::type_complexity)]
    pub fn history_matching<'a>(
        &self,
        service: Option<&'a str>,
        year: Option<&str>,
    ) -> Result<(Option<&'a str>, Option<i32>, Vector<Arc<IncidentRecord>>), FilterError> {
        // An empty field is what a form sends for "all".
        let service = service.map(str::trim).filter(|s| !s.is_empty());
        let year = year.map(str::trim).filter(|y| !y.is_empty());
        if let Some(slug) = service {
            if self.catalog.service(slug).is_none() {
                return Err(FilterError::UnknownService(slug.chars().take(64).collect()));
            }
        }
        let year = match year {
            None => None,
            Some(y) => match y.parse::<i32>() {
                Ok(v) if y.len() == 4 && (1970..=9999).contains(&v) => Some(v),
                _ => return Err(FilterError::BadYear(y.chars().take(16).collect())),
            },
        };
        let (from, until) = uptime::year_span(year);
        let matching = self.state.incidents_started(service, from, until);
        Ok((service, year, matching))
    }

    /// The ledger point the state reflects, as the regulator's views name it.
    pub fn ledger_mark(&self) -> Option<app::data::record::LedgerMark> {
        self.state
            .ledger_head
            .as_ref()
            .map(|head| app::data::record::LedgerMark {
                seq: head.seq,
                head_hash: head.hash.clone(),
            })
    }

    pub(super) fn page_name(&self, lang: Lang) -> String {
        Self::name(lang, &self.catalog.page.name_ko, &self.catalog.page.name_en)
    }

    pub fn updated_at(&self) -> DateTime<Utc> {
        self.state.last_change.unwrap_or(self.built_at)
    }
}

impl Snapshot {
    /// What a reporter can choose for a service: its problems, and the regions.
    pub fn report_choices(&self, service: &Service, lang: Lang) -> ReportChoices {
        let named = |p: &crate::domain::catalog::Problem| {
            (p.slug.clone(), Self::name(lang, &p.name_ko, &p.name_en))
        };
        ReportChoices {
            slug: service.slug.clone(),
            name: Self::name(lang, &service.name_ko, &service.name_en),
            problems: service.problems.iter().map(named).collect(),
            regions: self.catalog.regions.iter().map(named).collect(),
        }
    }
}

impl ReadModel for Snapshot {
    fn availability(
        &self,
        service: Option<&str>,
        year: Option<&str>,
        lang: Lang,
    ) -> Result<app::data::record::AvailabilityView, FilterError> {
        self.availability_view(service, year, lang)
    }

    fn subscribe(&self, lang: Lang) -> app::data::public::SubscribeView {
        app::data::public::SubscribeView {
            services: self
                .catalog
                .services
                .iter()
                .map(|s| {
                    let name = if lang == Lang::En {
                        &s.name_en
                    } else {
                        &s.name_ko
                    };
                    (s.slug.clone(), name.clone())
                })
                .collect(),
            email_alerts: false,
        }
    }
    fn report_page(&self, slug: &str, lang: Lang) -> Option<ReportPage> {
        let service = self.catalog.service(slug)?;
        Some(ReportPage {
            choices: self.report_choices(service, lang),
            crowd: CrowdView::default(),
        })
    }

    fn site(&self) -> SiteInfo {
        SiteInfo {
            name_ko: self.catalog.page.name_ko.clone(),
            name_en: self.catalog.page.name_en.clone(),
            stale_since: self.stale.then_some(self.confirmed_at),
        }
    }

    fn home(&self, lang: Lang) -> HomeView {
        HomeView {
            page_name: self.page_name(lang),
            overall: self.overall(),
            services: self
                .catalog
                .services
                .iter()
                .map(|s| self.service_summary(s, lang))
                .collect(),
            active: self.active(None, lang),
            maintenance: self.maintenance(None, lang),
            updated_at: self.updated_at(),
            crowd_alerts: Vec::new(),
            check_alerts: Vec::new(),
        }
    }

    fn service(&self, slug: &str, lang: Lang) -> Option<ServiceView> {
        let service = self.catalog.service(slug)?;
        let bars = service
            .components
            .iter()
            .map(|c| {
                let id = format!("{}/{}", service.slug, c.slug);
                ComponentBar {
                    component: ComponentView {
                        slug: c.slug.clone(),
                        name: Self::name(lang, &c.name_ko, &c.name_en),
                        status: self.status_of(&id),
                    },
                    uptime: self.bar(&[id], lang),
                }
            })
            .collect();
        let (from, until) = uptime::year_span(None);
        let all_incidents = self.state.incidents_started(Some(slug), from, until);
        Some(ServiceView {
            page_name: self.page_name(lang),
            service: self.service_summary(service, lang),
            bars,
            active: self.active(Some(slug), lang),
            maintenance: self.maintenance(Some(slug), lang),
            incidents: all_incidents
                .iter()
                .rev()
                .take(SERVICE_PAGE_INCIDENTS)
                .map(|i| self.summary(i, lang))
                .collect(),
            incidents_total: all_incidents.len(),
            updated_at: self.updated_at(),
            crowd: CrowdView::default(),
            report: self.report_choices(service, lang),
            checks: Vec::new(),
        })
    }

    fn incident(&self, id: &str, lang: Lang) -> Option<IncidentView> {
        let incident = self.state.incident(id)?;
        Some(IncidentView {
            summary: self.summary(incident, lang),
            affected: self.named_states(&incident.components, lang),
            acknowledged_at: incident
                .updates
                .iter()
                .find(|u| !u.retrospective)
                .map(|u| u.at),
            crowd_signal_at: incident.crowd_signal_at,
            checks_failed_at: incident.checks_failed_at,
            updates: incident
                .updates
                .iter()
                .rev()
                .map(|u| self.update_view(u, lang))
                .collect(),
            past: self.past,
        })
    }

    fn history(
        &self,
        service: Option<&str>,
        year: Option<&str>,
        page: Option<&str>,
        lang: Lang,
    ) -> Result<HistoryView, FilterError> {
        let (service, year, matching) = self.history_matching(service, year)?;
        let page = page.map(str::trim).filter(|p| !p.is_empty());
        let page = match page {
            None => 1,
            Some(p) => match p.parse::<u32>() {
                Ok(v) if v >= 1 => v,
                _ => return Err(FilterError::BadPage(p.chars().take(16).collect())),
            },
        };
        let pages = matching.len().div_ceil(HISTORY_PAGE_SIZE).max(1) as u32;
        if page > pages {
            return Err(FilterError::PageOutOfRange { page, pages });
        }
        let mut months: Vec<MonthGroup> = Vec::new();
        // Newest first: page 1 is the end of the list.
        let end = matching
            .len()
            .saturating_sub((page as usize - 1) * HISTORY_PAGE_SIZE);
        let first = end.saturating_sub(HISTORY_PAGE_SIZE);
        for incident in matching.focus().narrow(first..end).into_iter().rev() {
            let date = uptime::kst_date(incident.started_at);
            let summary = self.summary(incident, lang);
            match months.last_mut() {
                Some(group) if group.year == date.year() && group.month == date.month() => {
                    group.incidents.push(summary)
                }
                _ => months.push(MonthGroup {
                    year: date.year(),
                    month: date.month(),
                    incidents: vec![summary],
                }),
            }
        }
        let years = self.years.clone();
        Ok(HistoryView {
            page_name: self.page_name(lang),
            months,
            service: service.map(str::to_string),
            year,
            page,
            pages,
            total: matching.len(),
            services: self
                .catalog
                .services
                .iter()
                .map(|s| ServiceRef {
                    slug: s.slug.clone(),
                    name: Self::name(lang, &s.name_ko, &s.name_en),
                })
                .collect(),
            years,
            past: self.past,
        })
    }
}

/// The years (Korea time) `incidents` (by start, oldest first) started in, newest first:
/// a binary search per year, not a pass over the history.
fn incident_years(incidents: &Vector<Arc<IncidentRecord>>) -> Vec<i32> {
    let mut years = Vec::new();
    let mut end = incidents.len();
    while let Some(last) = end.checked_sub(1) {
        let year = uptime::kst_date(incidents[last].started_at).year();
        years.push(year);
        let start = uptime::year_start(year);
        end = partition_point(incidents, end, |i| i.started_at < start);
    }
    years
}

/// The current snapshot, swapped atomically; readers never wait for a rebuild.
pub struct SnapshotHandle {
    current: ArcSwap<Snapshot>,
    /// What users report, refreshed every few seconds apart from the rest.
    crowd: ArcSwap<CrowdState>,
    /// What the automated checks measure, decided every second apart from the rest.
    checks: ArcSwap<ChecksState>,
    next_version: AtomicU64,
    /// The version after each swap, for those who wait for one (`wait_until`).
    swapped: tokio::sync::watch::Sender<u64>,
    /// Whether this site sends email alerts (set once at start).
    email_alerts: std::sync::atomic::AtomicBool,
}

impl SnapshotHandle {
    pub fn new(
        catalog: Arc<Catalog>,
        law: Arc<Law>,
        state: Arc<StoredState>,
        now: DateTime<Utc>,
    ) -> Self {
        SnapshotHandle {
            current: ArcSwap::from_pointee(Snapshot::build(1, catalog, law, state, now)),
            crowd: ArcSwap::from_pointee(CrowdState::default()),
            checks: ArcSwap::from_pointee(ChecksState::default()),
            next_version: AtomicU64::new(2),
            swapped: tokio::sync::watch::Sender::new(1),
            email_alerts: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// A snapshot of a state not read from the database now (the last known state on
    /// disk, confirmed at `confirmed_at`): stale from the start.
    pub fn new_stale(
        catalog: Arc<Catalog>,
        law: Arc<Law>,
        state: Arc<StoredState>,
        confirmed_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Self {
        let handle = Self::new(catalog.clone(), law.clone(), state.clone(), now);
        let mut snapshot = Snapshot::build(1, catalog, law, state, now);
        snapshot.confirmed_at = confirmed_at;
        snapshot.stale = true;
        handle.current.store(Arc::new(snapshot));
        handle
    }

    pub fn set_email_alerts(&self, on: bool) {
        self.email_alerts.store(on, Ordering::Relaxed);
    }

    pub fn load(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Changes whenever what the pages show changes: the state, the crowd figures or
    /// the checks' verdicts.
    pub fn version(&self) -> u64 {
        self.current
            .load()
            .version
            .max(self.crowd.load().version)
            .max(self.checks.load().version)
    }

    pub fn checks(&self) -> Arc<ChecksState> {
        self.checks.load_full()
    }

    /// As `set_crowd`: verdicts and charts that did not change keep their version.
    pub fn set_checks(&self, mut checks: ChecksState) {
        let current = self.checks.load();
        checks.version = if current.same_view(&checks) {
            current.version
        } else {
            self.next_version.fetch_add(1, Ordering::SeqCst)
        };
        let version = checks.version;
        self.checks.store(Arc::new(checks));
        self.swapped.send_replace(version);
    }

    pub fn crowd(&self) -> Arc<CrowdState> {
        self.crowd.load_full()
    }

    /// Figures that did not change keep their version (only `as_of` moves on), so the
    /// pages, documents and ETags built on them stay valid: an idle site is not rebuilt
    /// at every crowd refresh, and a browser's refresh is answered 304.
    pub fn set_crowd(&self, mut crowd: CrowdState) {
        let current = self.crowd.load();
        crowd.version = if current.services == crowd.services {
            current.version
        } else {
            self.next_version.fetch_add(1, Ordering::SeqCst)
        };
        let version = crowd.version;
        self.crowd.store(Arc::new(crowd));
        self.swapped.send_replace(version);
    }

    /// Waits until `ready` holds (checked now and after each swap) or `within` has
    /// passed; says whether it holds.
    pub async fn wait_until(
        &self,
        within: std::time::Duration,
        ready: impl Fn(&SnapshotHandle) -> bool,
    ) -> bool {
        // Subscribed before the first check, so a swap in between is not missed.
        let mut swapped = self.swapped.subscribe();
        let wait = async {
            while !ready(self) {
                if swapped.changed().await.is_err() {
                    return;
                }
            }
        };
        let _ = tokio::time::timeout(within, wait).await;
        ready(self)
    }

    /// Waits (up to `within`) for the next swap after `version`; returns the version then.
    pub async fn changed_since(&self, version: u64, within: std::time::Duration) -> u64 {
        self.wait_until(within, |s| s.version() != version).await;
        self.version()
    }

    /// Rebuilds from state just read from the database, or, with `None` (the database
    /// could not be read), from the same state at a new time, marked stale.
    pub fn rebuild(&self, state: Option<Arc<StoredState>>, now: DateTime<Utc>) {
        let old = self.current.load_full();
        let confirmed = state.is_some();
        let state = state.unwrap_or_else(|| old.state.clone());
        let version = self.next_version.fetch_add(1, Ordering::SeqCst);
        let mut snapshot =
            Snapshot::build(version, old.catalog.clone(), old.law.clone(), state, now);
        if !confirmed {
            snapshot.confirmed_at = old.confirmed_at;
            snapshot.stale = true;
        }
        self.current.store(Arc::new(snapshot));
        self.swapped.send_replace(version);
    }

    /// Whether the last attempt to read the database failed.
    pub fn is_stale(&self) -> bool {
        self.current.load().stale
    }
}

impl ReadModel for SnapshotHandle {
    fn availability(
        &self,
        service: Option<&str>,
        year: Option<&str>,
        lang: Lang,
    ) -> Result<app::data::record::AvailabilityView, FilterError> {
        self.load().availability_view(service, year, lang)
    }
    fn site(&self) -> SiteInfo {
        self.load().site()
    }
    fn home(&self, lang: Lang) -> HomeView {
        let snapshot = self.load();
        let mut home = snapshot.home(lang);
        home.crowd_alerts = self.crowd().alerts(&snapshot.catalog, lang);
        home.check_alerts = self.checks().alerts(&snapshot, lang);
        home
    }
    fn service(&self, slug: &str, lang: Lang) -> Option<ServiceView> {
        let snapshot = self.load();
        let mut view = snapshot.service(slug, lang)?;
        view.crowd = self.crowd().view(&snapshot.catalog, slug, lang);
        view.checks = self.checks().features(&snapshot, slug, lang);
        Some(view)
    }
    fn subscribe(&self, lang: Lang) -> app::data::public::SubscribeView {
        let mut view = self.load().subscribe(lang);
        view.email_alerts = self.email_alerts.load(Ordering::Relaxed);
        view
    }
    fn report_page(&self, slug: &str, lang: Lang) -> Option<ReportPage> {
        let snapshot = self.load();
        let service = snapshot.catalog.service(slug)?;
        Some(ReportPage {
            choices: snapshot.report_choices(service, lang),
            crowd: self.crowd().view(&snapshot.catalog, slug, lang),
        })
    }
    fn incident(&self, id: &str, lang: Lang) -> Option<IncidentView> {
        self.load().incident(id, lang)
    }
    fn history(
        &self,
        service: Option<&str>,
        year: Option<&str>,
        page: Option<&str>,
        lang: Lang,
    ) -> Result<HistoryView, FilterError> {
        self.load().history(service, year, page, lang)
    }
}

/// A snapshot to test what reads it: the real catalog and incidents made up for it.
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;
    use crate::domain::state::StatusChange;
    use app::model::{Impact, IncidentState, UpdateKind};
    use chrono::TimeZone;

    pub fn catalog() -> Arc<Catalog> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/catalog.toml");
        Arc::new(Catalog::load(&path).expect("the default catalog loads"))
    }

    /// `n` resolved incidents, one every 40 days back from 15 October 2022, each
    /// affecting one component of the catalog in turn.
    pub fn state(catalog: &Catalog, n: usize) -> StoredState {
        let components: Vec<String> = catalog.component_ids().collect();
        let start = Utc.with_ymd_and_hms(2022, 10, 15, 6, 20, 0).unwrap();
        let incidents = (0..n)
            .rev()
            .map(|i| {
                let started_at = start - chrono::Duration::days(40 * i as i64);
                let changes = vec![StatusChange {
                    component: components[i % components.len()].clone(),
                    status: ComponentStatus::MajorOutage,
                }];
                Arc::new(IncidentRecord {
                    id: format!("incident-{i}"),
                    title_ko: format!("장애 {i}"),
                    title_en: Some(format!("Incident {i}")),
                    impact: Impact::Major,
                    state: IncidentState::Resolved,
                    started_at,
                    resolved_at: Some(started_at + chrono::Duration::hours(3)),
                    components: changes.clone(),
                    updates: vec![UpdateRecord {
                        id: i as i64 + 1,
                        at: started_at,
                        state: IncidentState::Investigating,
                        kind: UpdateKind::Update,
                        retrospective: false,
                        body_ko: "확인 중입니다".into(),
                        body_en: None,
                        changes,
                        edited_at: None,
                        notices: vec![],
                    }],
                    crowd_signal_at: None,
                    checks_failed_at: None,
                })
            })
            .collect();
        StoredState::new(incidents, Vec::new(), Vec::new(), None, None)
    }

    pub fn handle(n: usize) -> Arc<SnapshotHandle> {
        let catalog = catalog();
        let state = Arc::new(state(&catalog, n));
        Arc::new(SnapshotHandle::new(
            catalog,
            Arc::new(crate::domain::law::Law::bundled()),
            state,
            Utc::now(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn unchanged_crowd_figures_keep_the_version_the_pages_were_built_at() {
        use crate::read::crowd::{CrowdState, ServiceCrowd};
        let handle = fixture::handle(2);
        let figures = |last_hour: u32, as_of: DateTime<Utc>| CrowdState {
            version: 0,
            as_of,
            services: HashMap::from([(
                "kakaotalk".to_string(),
                ServiceCrowd {
                    last_hour,
                    ..ServiceCrowd::default()
                },
            )]),
        };
        let start = Utc::now();
        handle.set_crowd(figures(3, start));
        let version = handle.version();
        // A refresh that finds the same figures: nothing to rebuild, but `as_of` moves on
        // (a report's answer waits for it).
        let later = start + chrono::Duration::seconds(5);
        handle.set_crowd(figures(3, later));
        assert_eq!(handle.version(), version);
        assert_eq!(handle.crowd().as_of, later);
        // New figures: a new version.
        handle.set_crowd(figures(4, later));
        assert!(handle.version() > version);
    }
    use std::sync::LazyLock;

    static SNAPSHOT: LazyLock<Arc<SnapshotHandle>> = LazyLock::new(|| fixture::handle(45));

    /// A service page lists its newest incidents, newest first, a fixed few of them however
    /// long the history, and says how many there are in all (the page links to them).
    #[test]
    fn a_service_page_lists_its_newest_incidents_and_counts_them_all() {
        let s = SNAPSHOT.load();
        let mut longer_than_a_page = 0;
        for service in &s.catalog.services {
            let view = s.service(&service.slug, Lang::En).expect("a service page");
            let all: Vec<&str> = s
                .state
                .incidents()
                .iter()
                .rev()
                .filter(|i| Snapshot::affects_service(i, &service.slug))
                .map(|i| i.id.as_str())
                .collect();
            assert_eq!(view.incidents_total, all.len(), "{}", service.slug);
            let listed: Vec<&str> = view.incidents.iter().map(|i| i.id.as_str()).collect();
            assert_eq!(listed, all[..all.len().min(SERVICE_PAGE_INCIDENTS)]);
            longer_than_a_page += usize::from(all.len() > SERVICE_PAGE_INCIDENTS);
        }
        assert!(
            longer_than_a_page > 0,
            "the fixture has a service with more than a page"
        );
    }

    /// A filter value: blank, typical, near-typical, huge, or anything at all.
    fn field(typical: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
        prop::option::of(prop_oneof![
            prop::sample::select(typical).prop_map(String::from),
            any::<String>(),
            "[ +\\-0-9]{0,12}",
            ("[0-9a-z]{1,4}", 1usize..3000).prop_map(|(s, n)| s.repeat(n)),
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Any service, year and page: the history, or the specific reason it cannot be
        /// given (with what was typed, cut short); a valid filter is always accepted and
        /// lists exactly the matching incidents, a page at a time.
        #[test]
        fn any_history_filter_is_a_page_or_a_reason(
            service in field(&["kakaotalk", "daum", "kakaomap", "", " kakaotalk ", "KakaoTalk", "nope", "kakaotalk\0"]),
            year in field(&["2022", "2021", " 2020 ", "1970", "9999", "1969", "10000", "+2022", "0202", "2022.0", "٢٠٢٢", ""]),
            page in field(&["1", "2", "3", "5", "0", "-1", "+1", "01", "4294967296", "99999999999999999999", ""]),
            lang in prop_oneof![Just(Lang::Ko), Just(Lang::En)],
        ) {
            let s = SNAPSHOT.load();
            let result = s.history(service.as_deref(), year.as_deref(), page.as_deref(), lang);
            let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
            let (service, year, page) = (given(&service), given(&year), given(&page));
            let service_ok = service.as_deref().is_none_or(|s| s.len() <= 64 && SNAPSHOT.load().catalog.service(s).is_some());
            let year_value = year.as_deref().map(|y| (y.len() == 4).then(|| y.parse::<i32>().ok()).flatten().filter(|y| (1970..=9999).contains(y)));
            let page_value = page.as_deref().map(|p| p.parse::<u32>().ok().filter(|p| *p >= 1));
            match result {
                Ok(view) => {
                    prop_assert!(service_ok);
                    prop_assert_eq!(view.year, year_value.flatten());
                    prop_assert_eq!(view.page, page_value.flatten().unwrap_or(1));
                    let matching = s.state.incidents().iter()
                        .filter(|i| service.as_deref().is_none_or(|svc| i.components.iter().any(|c| c.component.starts_with(&format!("{svc}/")))))
                        .filter(|i| view.year.is_none_or(|y| uptime::kst_date(i.started_at).year() == y))
                        .count();
                    prop_assert_eq!(view.total, matching);
                    prop_assert_eq!(view.pages as usize, matching.div_ceil(HISTORY_PAGE_SIZE).max(1));
                    let listed: usize = view.months.iter().map(|m| m.incidents.len()).sum();
                    let expected = matching.saturating_sub((view.page as usize - 1) * HISTORY_PAGE_SIZE).min(HISTORY_PAGE_SIZE);
                    prop_assert_eq!(listed, expected);
                }
                Err(FilterError::YearOutOfRange { .. } | FilterError::BadAsOf(_) | FilterError::AsOfTooEarly { .. } | FilterError::AsOfInFuture(_) | FilterError::PastUnavailable) => prop_assert!(false, "not a history filter's refusal"),
                Err(FilterError::UnknownService(shown)) => {
                    prop_assert!(!service_ok);
                    prop_assert!(shown.chars().count() <= 64);
                }
                Err(FilterError::BadYear(shown)) => {
                    prop_assert!(service_ok);
                    prop_assert_eq!(year_value, Some(None));
                    prop_assert!(shown.chars().count() <= 16);
                }
                Err(FilterError::BadPage(shown)) => {
                    prop_assert!(service_ok && year_value != Some(None));
                    prop_assert_eq!(page_value, Some(None));
                    prop_assert!(shown.chars().count() <= 16);
                }
                Err(FilterError::PageOutOfRange { page: asked, pages }) => {
                    prop_assert!(asked > pages && pages >= 1);
                    prop_assert_eq!(page_value, Some(Some(asked)));
                }
            }
            // The reason reads in both languages, whatever was typed.
            if let Err(error) = s.history(service.as_deref(), year.as_deref(), page.as_deref(), lang) {
                prop_assert!(!app::text::public::filter_error_text(Lang::Ko, &error).is_empty());
                prop_assert!(!app::text::public::filter_error_text(Lang::En, &error).is_empty());
            }
        }
    }

    #[test]
    fn every_valid_filter_is_accepted() {
        let s = SNAPSHOT.load();
        for service in [None, Some("kakaotalk"), Some(" daum ")] {
            for year in [None, Some("2022"), Some("2019"), Some("1999")] {
                let first = s.history(service, year, Some("1"), Lang::Ko).unwrap();
                for page in 1..=first.pages {
                    let view = s
                        .history(service, year, Some(&page.to_string()), Lang::En)
                        .unwrap();
                    assert_eq!(view.page, page);
                }
            }
        }
    }
}
