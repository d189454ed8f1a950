//! The public state rebuilt from the ledger alone — and as the public could see it at a
//! past moment.
//!
//! Two clocks (DESIGN.md): a fact is visible from the time it happened or was published
//! (an incident's start, an update's own time, a state change's time), whenever it was
//! recorded — the seeded 2021–2022 history was recorded years later. A correction and a
//! maintenance notice have no time of their own: they are visible from when they were
//! recorded (their ledger entry). So a past view shows a corrected update's original
//! text until the moment of the correction.

use crate::domain::change::Change;
use crate::domain::ledger::LedgerEntry;
use crate::domain::state::*;
use app::model::IncidentState;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// A ledger entry that changed the public state, parsed.
#[derive(Clone, Debug)]
pub struct PublicEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub hash: String,
    pub change: Change,
}

/// Parses the entries that changed the public state (the others are skipped). An entry
/// whose change does not parse is named: the ledger is the record, it must read.
pub fn public_entries(entries: &[LedgerEntry]) -> Result<Vec<PublicEntry>, String> {
    let mut parsed = Vec::with_capacity(entries.len());
    for entry in entries {
        if !crate::domain::change::PUBLIC_ACTIONS.contains(&entry.action.as_str()) {
            continue;
        }
        let mut canonical: serde_json::Value = serde_json::from_str(&entry.canonical)
            .map_err(|e| format!("ledger entry {} is not JSON: {e}", entry.seq))?;
        let change: Change = serde_json::from_value(canonical["change"].take())
            .map_err(|e| format!("ledger entry {} is not a change: {e}", entry.seq))?;
        parsed.push(PublicEntry {
            seq: entry.seq,
            at: entry.at,
            hash: entry.hash.clone(),
            change,
        });
    }
    Ok(parsed)
}

/// The database's ids of each incident's updates, oldest insertion first, so a replay
/// names updates as the database does (corrections refer to them by id). An update the
/// map does not know gets the next id after every known one.
pub type UpdateIds = HashMap<String, Vec<i64>>;

pub fn update_ids(state: &StoredState) -> UpdateIds {
    state
        .incidents()
        .iter()
        .map(|i| {
            let mut ids: Vec<i64> = i.updates.iter().map(|u| u.id).collect();
            ids.sort_unstable();
            (i.id.clone(), ids)
        })
        .collect()
}

/// Replays `entries` (in sequence order) into the public state; with `as_of`, only what
/// was visible at that moment.
pub fn replay(
    entries: &[PublicEntry],
    ids: &UpdateIds,
    as_of: Option<DateTime<Utc>>,
) -> StoredState {
    let visible = |at: DateTime<Utc>| as_of.is_none_or(|t| at <= t);
    let mut incidents: Vec<IncidentRecord> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut inserted: HashMap<String, usize> = HashMap::new();
    let mut next_id = ids.values().flatten().max().copied().unwrap_or(0) + 1;
    // (at, order of insertion) → event, sorted at the end like the database's `at, id`.
    let mut events: Vec<(DateTime<Utc>, usize, ComponentEvent)> = Vec::new();
    let mut maintenances: Vec<MaintenanceRecord> = Vec::new();
    // The first resolving update of each incident, by insertion (the database keeps the
    // first resolution time); and the state of the latest update inserted.
    let mut resolved_by: HashMap<String, DateTime<Utc>> = HashMap::new();
    let mut last_change = None;
    let mut head = None;

    // Numbered as inserted, so events at one moment keep the database's order.
    let push_event = |events: &mut Vec<_>, component: &str, status, at, incident: Option<&str>| {
        let n = events.len();
        events.push((
            at,
            n,
            ComponentEvent {
                id: 0,
                component: component.to_string(),
                status,
                at,
                incident_id: incident.map(str::to_string),
            },
        ));
    };

    for entry in entries {
        let recorded = micros(entry.at);
        match &entry.change {
            Change::OpenIncident(new) => {
                let started_at = micros(new.started_at);
                let mut components = new.components.clone();
                components.sort_by(|a, b| a.component.cmp(&b.component));
                for c in &new.components {
                    push_event(
                        &mut events,
                        &c.component,
                        c.status,
                        started_at,
                        Some(&new.id),
                    );
                }
                let mut record = IncidentRecord {
                    id: new.id.clone(),
                    title_ko: new.title_ko.clone(),
                    title_en: new.title_en.clone(),
                    impact: new.impact,
                    state: IncidentState::Investigating,
                    started_at,
                    resolved_at: None,
                    components,
                    updates: vec![],
                    crowd_signal_at: new.crowd_signal_at.map(micros),
                    checks_failed_at: new.checks_failed_at.map(micros),
                };
                if let Some(first) = &new.first_update {
                    let id = take_id(ids, &mut inserted, &mut next_id, &new.id);
                    record.updates.push(UpdateRecord {
                        id,
                        at: micros(first.at),
                        state: IncidentState::Investigating,
                        kind: first.kind,
                        retrospective: false,
                        body_ko: first.body_ko.clone(),
                        body_en: first.body_en.clone(),
                        changes: vec![],
                        edited_at: None,
                        notices: first.notices.clone(),
                    });
                }
                index.insert(new.id.clone(), incidents.len());
                incidents.push(record);
            }
            Change::PostUpdate(new) => {
                let Some(&i) = index.get(&new.incident_id) else {
                    continue;
                };
                let at = micros(new.at);
                let id = take_id(ids, &mut inserted, &mut next_id, &new.incident_id);
                for c in &new.components {
                    push_event(
                        &mut events,
                        &c.component,
                        c.status,
                        at,
                        Some(&new.incident_id),
                    );
                }
                if new.state == IncidentState::Resolved && visible(at) {
                    resolved_by.entry(new.incident_id.clone()).or_insert(at);
                }
                incidents[i].updates.push(UpdateRecord {
                    id,
                    at,
                    state: new.state,
                    kind: new.kind,
                    retrospective: new.retrospective,
                    body_ko: new.body_ko.clone(),
                    body_en: new.body_en.clone(),
                    changes: new.components.clone(),
                    edited_at: None,
                    notices: new.notices.clone(),
                });
            }
            Change::CorrectUpdate(fix) => {
                if !visible(recorded) {
                    continue;
                }
                let Some(&i) = index.get(&fix.incident_id) else {
                    continue;
                };
                if let Some(update) = incidents[i]
                    .updates
                    .iter_mut()
                    .find(|u| u.id == fix.update_id)
                {
                    update.body_ko = fix.body_ko.clone();
                    update.body_en = fix.body_en.clone();
                    update.edited_at = Some(recorded);
                }
            }
            Change::SetComponentStatus(set) => push_event(
                &mut events,
                &set.component,
                set.status,
                recorded,
                set.incident_id.as_deref(),
            ),
            Change::ScheduleMaintenance(m) => {
                if visible(recorded) {
                    let mut m = m.clone();
                    m.starts_at = micros(m.starts_at);
                    m.ends_at = micros(m.ends_at);
                    maintenances.push(m);
                }
            }
            _ => continue,
        }
        if visible(recorded) {
            last_change = Some(recorded);
        }
        head = Some(LedgerHead {
            seq: entry.seq,
            hash: entry.hash.clone(),
        });
    }

    // What was visible then: facts by their own time.
    let mut incidents: Vec<IncidentRecord> = incidents
        .into_iter()
        .filter(|i| visible(i.started_at))
        .map(|mut incident| {
            // The state is the latest update's as inserted (a postmortem's included).
            incident.updates.retain(|u| visible(u.at));
            incident.state = incident
                .updates
                .last()
                .map_or(IncidentState::Investigating, |u| u.state);
            incident.resolved_at = resolved_by.get(&incident.id).copied();
            incident.crowd_signal_at = incident.crowd_signal_at.filter(|at| visible(*at));
            incident.checks_failed_at = incident.checks_failed_at.filter(|at| visible(*at));
            incident.updates.sort_by_key(|u| (u.at, u.id));
            incident
        })
        .collect();
    incidents.sort_by(|a, b| (a.started_at, &a.id).cmp(&(b.started_at, &b.id)));
    events.retain(|(at, _, _)| visible(*at));
    events.sort_by_key(|(at, n, _)| (*at, *n));
    maintenances.sort_by(|a, b| (a.starts_at, &a.id).cmp(&(b.starts_at, &b.id)));
    if as_of.is_some() {
        // A past view's "last changed" is the newest fact visible then.
        last_change = incidents
            .iter()
            .flat_map(|i| std::iter::once(i.started_at).chain(i.updates.iter().map(|u| u.at)))
            .chain(last_change)
            .max();
    }
    StoredState::new(
        incidents.into_iter().map(std::sync::Arc::new).collect(),
        events
            .into_iter()
            .map(|(_, _, e)| std::sync::Arc::new(e))
            .collect(),
        maintenances,
        last_change,
        head,
    )
}

/// The earliest fact a past view can show: the first incident's start or the first
/// maintenance notice.
pub fn earliest_fact(entries: &[PublicEntry]) -> Option<DateTime<Utc>> {
    entries
        .iter()
        .filter_map(|e| match &e.change {
            Change::OpenIncident(new) => Some(micros(new.started_at)),
            Change::ScheduleMaintenance(_) => Some(micros(e.at)),
            _ => None,
        })
        .min()
}

fn take_id(
    ids: &UpdateIds,
    inserted: &mut HashMap<String, usize>,
    next_id: &mut i64,
    incident: &str,
) -> i64 {
    let n = inserted.entry(incident.to_string()).or_default();
    let id = match ids.get(incident).and_then(|known| known.get(*n)) {
        Some(id) => *id,
        None => {
            *next_id += 1;
            *next_id - 1
        }
    };
    *n += 1;
    id
}

/// Times as the databases keep them.
fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    chrono::SubsecRound::trunc_subsecs(at, 6)
}
