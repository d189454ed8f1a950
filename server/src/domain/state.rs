//! The public state as recorded: incidents with their updates, component state changes
//! and maintenance windows. What the read model is built from.

use app::model::{ComponentStatus, Impact, IncidentState, UpdateKind};
use chrono::{DateTime, Utc};
use imbl::{HashMap, OrdMap, Vector};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Everything the public read model is built from, with the indexes the pages and the
/// live stream look things up by. Persistent collections (`imbl`): a state with one more
/// change shares everything else with the one before, so a change costs O(log n) in the
/// years of history, not a copy of it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(from = "Recorded")]
pub struct StoredState {
    /// Oldest first (by start, then id).
    incidents: Vector<Arc<IncidentRecord>>,
    /// Component state changes, oldest first (by time, then the order recorded).
    events: Vector<Arc<ComponentEvent>>,
    pub maintenances: Vec<MaintenanceRecord>,
    /// Time of the newest ledger entry: when the public state last changed.
    pub last_change: Option<DateTime<Utc>>,
    /// That entry: the state is what the ledger says up to it.
    #[serde(default)]
    pub ledger_head: Option<LedgerHead>,
    #[serde(skip)]
    index: Index,
}

/// The state as saved (the last known state file): the index is rebuilt from it.
#[derive(Deserialize)]
struct Recorded {
    incidents: Vec<Arc<IncidentRecord>>,
    events: Vec<Arc<ComponentEvent>>,
    maintenances: Vec<MaintenanceRecord>,
    last_change: Option<DateTime<Utc>>,
    #[serde(default)]
    ledger_head: Option<LedgerHead>,
}

impl From<Recorded> for StoredState {
    fn from(r: Recorded) -> Self {
        StoredState::new(
            r.incidents,
            r.events,
            r.maintenances,
            r.last_change,
            r.ledger_head,
        )
    }
}

/// Two states are equal when they record the same things (the index follows from them).
impl PartialEq for StoredState {
    fn eq(&self, other: &Self) -> bool {
        self.incidents == other.incidents
            && self.events == other.events
            && self.maintenances == other.maintenances
            && self.last_change == other.last_change
            && self.ledger_head == other.ledger_head
    }
}

/// Incidents by what pages ask of them, kept with each change.
#[derive(Clone, Debug, Default)]
struct Index {
    by_id: HashMap<String, Arc<IncidentRecord>>,
    /// Those not resolved, by (start, id).
    unresolved: OrdMap<(DateTime<Utc>, String), Arc<IncidentRecord>>,
    /// Every incident by (when it was resolved, or the end of time if it is not; id): the
    /// ones a bar from some day on can show are a range of it.
    by_resolution: OrdMap<(DateTime<Utc>, String), Arc<IncidentRecord>>,
    /// Service slug → the incidents affecting it, oldest first (by start, then id): the
    /// service page and the history filtered by service read a page of it.
    by_service: HashMap<String, Vector<Arc<IncidentRecord>>>,
    /// Update id → the id of its incident: the live stream asks for those after one.
    updates: OrdMap<i64, String>,
    /// (When an update says it was written, its id) → the id of its incident: the feeds
    /// read the newest of them.
    updates_by_time: OrdMap<(DateTime<Utc>, i64), String>,
    newest_event_id: i64,
    /// Events without the database's id (a state saved by an older version).
    events_without_id: usize,
}

impl Index {
    fn resolution_key(incident: &IncidentRecord) -> (DateTime<Utc>, String) {
        (
            incident.resolved_at.unwrap_or(DateTime::<Utc>::MAX_UTC),
            incident.id.clone(),
        )
    }

    fn add(&mut self, incident: &Arc<IncidentRecord>) {
        self.by_id.insert(incident.id.clone(), incident.clone());
        if incident.state != IncidentState::Resolved {
            self.unresolved
                .insert((incident.started_at, incident.id.clone()), incident.clone());
        }
        self.by_resolution
            .insert(Self::resolution_key(incident), incident.clone());
        for service in services_of(incident) {
            let list = self.by_service.entry(service.to_string()).or_default();
            let at = partition_point(list, usize::MAX, |i| by_start(i) < by_start(incident));
            list.insert(at, incident.clone());
        }
        for update in &incident.updates {
            self.updates.insert(update.id, incident.id.clone());
            self.updates_by_time
                .insert((update.at, update.id), incident.id.clone());
        }
    }

    fn remove(&mut self, incident: &IncidentRecord) {
        self.by_id.remove(&incident.id);
        self.unresolved
            .remove(&(incident.started_at, incident.id.clone()));
        self.by_resolution.remove(&Self::resolution_key(incident));
        for service in services_of(incident) {
            if let Some(list) = self.by_service.get_mut(service) {
                list.remove(partition_point(list, usize::MAX, |i| {
                    by_start(i) < by_start(incident)
                }));
            }
        }
        for update in &incident.updates {
            self.updates.remove(&update.id);
            self.updates_by_time.remove(&(update.at, update.id));
        }
    }

    fn add_event(&mut self, event: &ComponentEvent) {
        self.newest_event_id = self.newest_event_id.max(event.id);
        if event.id <= 0 {
            self.events_without_id += 1;
        }
    }
}

/// The order incidents are kept in: by start, then id.
fn by_start(incident: &IncidentRecord) -> (DateTime<Utc>, &str) {
    (incident.started_at, incident.id.as_str())
}

/// The services (slugs) an incident affects, each once.
fn services_of(incident: &IncidentRecord) -> Vec<&str> {
    let mut services: Vec<&str> = incident
        .components
        .iter()
        .filter_map(|c| c.component.split_once('/').map(|(service, _)| service))
        .collect();
    services.sort_unstable();
    services.dedup();
    services
}

/// The first position in `items[..end]` (sorted so that `before` holds for a prefix)
/// where `before` does not hold: a binary search, as `slice::partition_point`.
pub fn partition_point<T: Clone>(
    items: &Vector<T>,
    end: usize,
    before: impl Fn(&T) -> bool,
) -> usize {
    let (mut low, mut high) = (0, end.min(items.len()));
    while low < high {
        let middle = low + (high - low) / 2;
        if before(&items[middle]) {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    low
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
    /// A state from its records, each list in any order.
    pub fn new(
        incidents: Vec<Arc<IncidentRecord>>,
        events: Vec<Arc<ComponentEvent>>,
        mut maintenances: Vec<MaintenanceRecord>,
        last_change: Option<DateTime<Utc>>,
        ledger_head: Option<LedgerHead>,
    ) -> StoredState {
        let mut incidents = incidents;
        incidents.sort_by(|a, b| (a.started_at, &a.id).cmp(&(b.started_at, &b.id)));
        let mut events = events;
        events.sort_by_key(|e| (e.at, e.id));
        maintenances.sort_by(|a, b| (a.starts_at, &a.id).cmp(&(b.starts_at, &b.id)));
        let mut index = Index::default();
        incidents.iter().for_each(|i| index.add(i));
        events.iter().for_each(|e| index.add_event(e));
        StoredState {
            incidents: incidents.into_iter().collect(),
            events: events.into_iter().collect(),
            maintenances,
            last_change,
            ledger_head,
            index,
        }
    }

    /// Every incident, oldest first (by start, then id).
    pub fn incidents(&self) -> &Vector<Arc<IncidentRecord>> {
        &self.incidents
    }

    /// Every component state change, oldest first (by time, then the order recorded).
    pub fn events(&self) -> &Vector<Arc<ComponentEvent>> {
        &self.events
    }

    /// The incidents affecting `service` (every incident when None) that started in
    /// `[from, until)`, oldest first: two binary searches, whatever the history's length.
    pub fn incidents_started(
        &self,
        service: Option<&str>,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Vector<Arc<IncidentRecord>> {
        let list = match service {
            None => &self.incidents,
            Some(slug) => match self.index.by_service.get(slug) {
                Some(list) => list,
                None => return Vector::new(),
            },
        };
        let first = partition_point(list, usize::MAX, |i| i.started_at < from);
        let end = partition_point(list, usize::MAX, |i| i.started_at < until);
        list.skip(first).take(end.saturating_sub(first))
    }

    /// An incident by its id.
    pub fn incident(&self, id: &str) -> Option<&Arc<IncidentRecord>> {
        self.index.by_id.get(id)
    }

    /// The incidents not resolved, oldest first.
    pub fn unresolved(&self) -> impl DoubleEndedIterator<Item = &Arc<IncidentRecord>> {
        self.index.unresolved.values()
    }

    /// The incidents not resolved before `at` (resolved since, or not at all), in no
    /// particular order.
    pub fn not_resolved_before(
        &self,
        at: DateTime<Utc>,
    ) -> impl Iterator<Item = &Arc<IncidentRecord>> {
        self.index
            .by_resolution
            .range((at, String::new())..)
            .map(|(_, incident)| incident)
    }

    /// The updates with an id above `seen`, oldest first, each with its incident.
    pub fn updates_after(
        &self,
        seen: i64,
    ) -> impl Iterator<Item = (&IncidentRecord, &UpdateRecord)> {
        self.index
            .updates
            .range(seen.saturating_add(1)..)
            .filter_map(|(&update, incident)| self.update_of(incident, update))
    }

    /// Every update, newest first (by its time, then id), each with its incident.
    pub fn updates_newest_first(&self) -> impl Iterator<Item = (&IncidentRecord, &UpdateRecord)> {
        self.index
            .updates_by_time
            .iter()
            .rev()
            .filter_map(|(&(_, update), incident)| self.update_of(incident, update))
    }

    fn update_of(&self, incident: &str, update: i64) -> Option<(&IncidentRecord, &UpdateRecord)> {
        let incident = self.index.by_id.get(incident)?;
        let found = incident.updates.iter().find(|u| u.id == update)?;
        Some((&**incident, found))
    }

    /// The newest update id (ids grow with each update written).
    pub fn newest_update_id(&self) -> i64 {
        self.index.updates.get_max().map_or(0, |(id, _)| *id)
    }

    /// The newest event id known: what was recorded after it is new.
    pub fn last_event_id(&self) -> i64 {
        self.index.newest_event_id
    }

    /// Whether its events carry the database's ids, so that a refresh can ask only for
    /// newer ones (a state saved by an older version does not).
    pub fn events_have_ids(&self) -> bool {
        self.index.events_without_id == 0
    }

    /// This state with `changes` applied, in the order a full read would give: touched
    /// incidents replaced (or inserted where their start puts them), new events and
    /// windows inserted at their time. Costs the changes times log n: the rest of the
    /// history is shared with this state, not copied.
    pub fn with_changes(&self, changes: StateChanges) -> StoredState {
        let mut next = self.clone();
        for incident in changes.incidents {
            next.put_incident(Arc::new(incident));
        }
        let mut events = changes.events;
        events.sort_by_key(|e| (e.at, e.id));
        for event in events {
            let key = (event.at, event.id);
            let at = partition_point(&next.events, usize::MAX, |e| (e.at, e.id) < key);
            next.index.add_event(&event);
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

    /// Puts an incident in its place, replacing the one with its id.
    fn put_incident(&mut self, incident: Arc<IncidentRecord>) {
        if let Some(old) = self.index.by_id.get(&incident.id).cloned() {
            let at = partition_point(&self.incidents, usize::MAX, |i| {
                by_start(i) < by_start(&old)
            });
            self.incidents.remove(at);
            self.index.remove(&old);
        }
        let at = partition_point(&self.incidents, usize::MAX, |i| {
            by_start(i) < by_start(&incident)
        });
        self.index.add(&incident);
        self.incidents.insert(at, incident);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    const COMPONENTS: [&str; 4] = [
        "kakaotalk/messaging",
        "kakaotalk/login",
        "kakaopay/payments",
        "kakaot/taxi",
    ];

    /// An incident `n` (of a few ids, so that changes replace each other) as some change
    /// leaves it: its start, whether it is resolved, what it affects, how many updates.
    fn incident(n: u8, day: u8, resolved: bool, components: u8, updates: u8) -> IncidentRecord {
        let started_at = Utc.with_ymd_and_hms(2022, 10, 1, 0, 0, 0).unwrap()
            + chrono::Duration::hours(i64::from(day) * 7);
        IncidentRecord {
            id: format!("incident-{n}"),
            title_ko: "장애".into(),
            title_en: None,
            impact: Impact::Major,
            state: if resolved {
                IncidentState::Resolved
            } else {
                IncidentState::Investigating
            },
            started_at,
            resolved_at: resolved
                .then(|| started_at + chrono::Duration::hours(i64::from(day % 5) * 11)),
            components: COMPONENTS
                .iter()
                .enumerate()
                .filter(|(i, _)| components & (1 << i) != 0)
                .map(|(_, c)| StatusChange {
                    component: c.to_string(),
                    status: ComponentStatus::MajorOutage,
                })
                .collect(),
            updates: (0..updates)
                .map(|u| UpdateRecord {
                    id: i64::from(n) * 100 + i64::from(u) + 1,
                    at: started_at + chrono::Duration::minutes(i64::from(3 - u) * 13),
                    state: IncidentState::Investigating,
                    kind: UpdateKind::Update,
                    retrospective: false,
                    body_ko: String::new(),
                    body_en: None,
                    changes: Vec::new(),
                    edited_at: None,
                    notices: Vec::new(),
                })
                .collect(),
            crowd_signal_at: None,
            checks_failed_at: None,
        }
    }

    /// What every index answers, asked of the plain list instead.
    fn check_against_scan(state: &StoredState, records: &[IncidentRecord]) {
        let mut sorted: Vec<&IncidentRecord> = records.iter().collect();
        sorted.sort_by(|a, b| by_start(a).cmp(&by_start(b)));
        let listed: Vec<&IncidentRecord> = state.incidents().iter().map(|i| &**i).collect();
        assert_eq!(listed, sorted, "incidents by start");
        for r in records {
            assert_eq!(state.incident(&r.id).map(|i| &**i), Some(r));
        }
        assert!(state.incident("incident-none").is_none());
        let unresolved: Vec<&IncidentRecord> = state.unresolved().map(|i| &**i).collect();
        let expected: Vec<&IncidentRecord> = sorted
            .iter()
            .copied()
            .filter(|i| i.state != IncidentState::Resolved)
            .collect();
        assert_eq!(unresolved, expected, "unresolved");
        let from = Utc.with_ymd_and_hms(2022, 10, 5, 0, 0, 0).unwrap();
        let mut shown: Vec<&str> = state
            .not_resolved_before(from)
            .map(|i| i.id.as_str())
            .collect();
        shown.sort_unstable();
        let mut expected: Vec<&str> = records
            .iter()
            .filter(|i| i.resolved_at.is_none_or(|at| at >= from))
            .map(|i| i.id.as_str())
            .collect();
        expected.sort_unstable();
        assert_eq!(shown, expected, "not resolved before");
        let until = from + chrono::Duration::days(3);
        for service in [None, Some("kakaotalk"), Some("kakaopay"), Some("daum")] {
            let found: Vec<String> = state
                .incidents_started(service, from, until)
                .iter()
                .map(|i| i.id.clone())
                .collect();
            let expected: Vec<String> = sorted
                .iter()
                .copied()
                .filter(|i| i.started_at >= from && i.started_at < until)
                .filter(|i| {
                    service.is_none_or(|s| {
                        i.components
                            .iter()
                            .any(|c| c.component.starts_with(&format!("{s}/")))
                    })
                })
                .map(|i| i.id.clone())
                .collect();
            assert_eq!(
                found, expected,
                "incidents of {service:?} started in three days"
            );
        }
        let mut updates: Vec<i64> = records
            .iter()
            .flat_map(|i| i.updates.iter().map(|u| u.id))
            .collect();
        updates.sort_unstable();
        assert_eq!(
            state.newest_update_id(),
            updates.last().copied().unwrap_or(0)
        );
        let after = updates.get(updates.len() / 2).copied().unwrap_or(0);
        let found: Vec<i64> = state.updates_after(after).map(|(_, u)| u.id).collect();
        let expected: Vec<i64> = updates.into_iter().filter(|&id| id > after).collect();
        assert_eq!(found, expected, "updates after {after}");
        let mut by_time: Vec<(DateTime<Utc>, i64)> = records
            .iter()
            .flat_map(|i| i.updates.iter().map(|u| (u.at, u.id)))
            .collect();
        by_time.sort_unstable_by(|a, b| b.cmp(a));
        let found: Vec<(DateTime<Utc>, i64)> = state
            .updates_newest_first()
            .map(|(_, u)| (u.at, u.id))
            .collect();
        assert_eq!(found, by_time, "updates newest first");
    }

    proptest! {
        /// A state built change by change answers every question as a plain scan of the
        /// incidents does, equals the state read whole, and a state kept from before
        /// later changes still answers as it did (the later ones share, not alter, it).
        #[test]
        fn the_indexes_answer_as_a_scan_does(
            changes in prop::collection::vec(
                (0u8..8, 0u8..40, any::<bool>(), 1u8..16, 0u8..4),
                1..40,
            ),
            keep in 0usize..40,
        ) {
            let mut state = StoredState::default();
            let mut records: Vec<IncidentRecord> = Vec::new();
            let mut kept = None;
            for (step, (n, day, resolved, components, updates)) in changes.iter().enumerate() {
                let record = incident(*n, *day, *resolved, *components, *updates);
                records.retain(|r| r.id != record.id);
                records.push(record.clone());
                state = state.with_changes(StateChanges {
                    incidents: vec![record],
                    ..StateChanges::default()
                });
                if step == keep {
                    kept = Some((state.clone(), records.clone()));
                }
            }
            check_against_scan(&state, &records);
            let whole = StoredState::new(
                records.iter().cloned().map(Arc::new).collect(),
                Vec::new(),
                Vec::new(),
                None,
                None,
            );
            prop_assert_eq!(&state, &whole);
            if let Some((kept, records)) = kept {
                check_against_scan(&kept, &records);
            }
        }
    }

    #[test]
    fn a_saved_state_is_read_back_with_its_indexes() {
        let records = vec![incident(1, 3, false, 1, 2), incident(2, 1, true, 4, 1)];
        let state = StoredState::new(
            records.iter().cloned().map(Arc::new).collect(),
            Vec::new(),
            Vec::new(),
            None,
            None,
        );
        let read: StoredState =
            serde_json::from_slice(&serde_json::to_vec(&state).unwrap()).unwrap();
        assert_eq!(read, state);
        check_against_scan(&read, &records);
    }
}
