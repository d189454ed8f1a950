//! What subscribers are told: an event per public ledger entry (incident opened, updated,
//! corrected; a component's state; maintenance scheduled) per crowd-signal change,
//! and per change of an automated check's verdict (failing, recovered).
//! The JSON built here is exactly the body a webhook receives (documented in the README).

use crate::domain::catalog::Catalog;
use crate::domain::change::Change;
use crate::domain::ledger::LedgerEntry;
use crate::domain::state::{IncidentRecord, StoredState, UpdateRecord};
use crate::store::NewEvent;
use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use serde_json::{json, Value};

/// Event kinds, as webhooks see them in `type` and `X-Status-Event`.
pub const KINDS: [&str; 9] = [
    "incident.created",
    "incident.updated",
    "incident.update_corrected",
    "component.updated",
    "maintenance.scheduled",
    "crowd.signal_fired",
    "crowd.signal_cleared",
    "check.failing",
    "check.recovered",
];

/// The kinds that are official words, sent by email too.
pub fn emailed(kind: &str) -> bool {
    matches!(
        kind,
        "incident.created" | "incident.updated" | "maintenance.scheduled"
    )
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn text(ko: &str, en: &Option<String>) -> Value {
    json!({ "ko": ko, "en": en })
}

fn service_of(component: &str) -> &str {
    component.split('/').next().unwrap_or(component)
}

fn services_of<'a>(components: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut services: Vec<String> = components.map(|c| service_of(c).to_string()).collect();
    services.sort();
    services.dedup();
    services
}

pub struct EventBuilder<'a> {
    pub catalog: &'a Catalog,
    /// The public address, without a trailing slash.
    pub base_url: &'a str,
}

impl EventBuilder<'_> {
    fn incident(&self, incident: &IncidentRecord) -> Value {
        json!({
            "id": incident.id,
            "url": format!("{}/incidents/{}", self.base_url, incident.id),
            "title": text(&incident.title_ko, &incident.title_en),
            "impact": incident.impact.as_str(),
            "state": incident.state.as_str(),
            "started_at": time(incident.started_at),
            "resolved_at": incident.resolved_at.map(time),
            "components": incident.components.iter().map(|c| json!({ "id": c.component, "status": c.status.as_str() })).collect::<Vec<_>>(),
        })
    }

    fn update(update: &UpdateRecord) -> Value {
        json!({
            "id": update.id,
            "at": time(update.at),
            "state": update.state.as_str(),
            "kind": update.kind.as_str(),
            "body": text(&update.body_ko, &update.body_en),
            "edited_at": update.edited_at.map(time),
            "components": update.changes.iter().map(|c| json!({ "id": c.component, "status": c.status.as_str() })).collect::<Vec<_>>(),
        })
    }

    fn component(&self, id: &str) -> Value {
        match self.catalog.component(id) {
            Some((service, component)) => json!({
                "id": id,
                "service": service.slug,
                "name": { "ko": component.name_ko, "en": component.name_en },
            }),
            None => json!({ "id": id, "service": service_of(id) }),
        }
    }

    fn envelope(
        &self,
        key: String,
        kind: &str,
        at: DateTime<Utc>,
        services: Vec<String>,
        mut body: Value,
    ) -> NewEvent {
        let object = body.as_object_mut().expect("an event body is an object");
        object.insert("id".into(), json!(key));
        object.insert("type".into(), json!(kind));
        object.insert("created_at".into(), json!(time(at)));
        object.insert("services".into(), json!(services));
        NewEvent {
            key,
            ledger_seq: None,
            kind: kind.to_string(),
            services,
            payload: body.to_string(),
            at,
            email: emailed(kind),
        }
    }

    /// The event of a ledger entry, read against the state that includes it; None for
    /// entries the public does not see (sign-ins, accounts, webhooks).
    pub fn from_ledger(&self, entry: &LedgerEntry, state: &StoredState) -> Option<NewEvent> {
        let canonical: Value = serde_json::from_str(&entry.canonical).ok()?;
        let change: Change = serde_json::from_value(canonical.get("change")?.clone()).ok()?;
        let find = |id: &str| state.incident(id);
        let (kind, services, mut body) = match &change {
            Change::OpenIncident(new) => {
                let incident = find(&new.id)?;
                let first = incident.updates.first().map(Self::update);
                (
                    "incident.created",
                    services_of(incident.components.iter().map(|c| c.component.as_str())),
                    json!({ "incident": self.incident(incident), "update": first }),
                )
            }
            Change::PostUpdate(new) => {
                let incident = find(&new.incident_id)?;
                // The update this entry wrote: the newest with its time and text.
                let update = incident
                    .updates
                    .iter()
                    .rev()
                    .find(|u| u.at == new.at.trunc_subsecs(6) && u.body_ko == new.body_ko)?;
                (
                    "incident.updated",
                    services_of(incident.components.iter().map(|c| c.component.as_str())),
                    json!({ "incident": self.incident(incident), "update": Self::update(update) }),
                )
            }
            Change::CorrectUpdate(correction) => {
                let incident = find(&correction.incident_id)?;
                let update = incident
                    .updates
                    .iter()
                    .find(|u| u.id == correction.update_id)?;
                (
                    "incident.update_corrected",
                    services_of(incident.components.iter().map(|c| c.component.as_str())),
                    json!({ "incident": self.incident(incident), "update": Self::update(update) }),
                )
            }
            Change::SetComponentStatus(change) => {
                let mut component = self.component(&change.component);
                component["status"] = json!(change.status.as_str());
                (
                    "component.updated",
                    services_of(std::iter::once(change.component.as_str())),
                    json!({ "component": component, "incident": change.incident_id.as_deref().and_then(find).map(|i| self.incident(i)) }),
                )
            }
            Change::ScheduleMaintenance(m) => (
                "maintenance.scheduled",
                services_of(m.components.iter().map(String::as_str)),
                json!({ "maintenance": {
                    "id": m.id,
                    "title": text(&m.title_ko, &m.title_en),
                    "body": text(&m.body_ko, &m.body_en),
                    "starts_at": time(m.starts_at),
                    "ends_at": time(m.ends_at),
                    "components": m.components,
                } }),
            ),
            _ => return None,
        };
        body["ledger"] = json!({ "seq": entry.seq, "hash": entry.hash });
        let mut event = self.envelope(
            format!("ledger-{}", entry.seq),
            kind,
            entry.at,
            services,
            body,
        );
        event.ledger_seq = Some(entry.seq);
        Some(event)
    }

    /// A crowd signal fired (`cleared_at` None) or cleared for a service.
    pub fn crowd(
        &self,
        service: &str,
        fired_at: DateTime<Utc>,
        cleared_at: Option<DateTime<Utc>>,
        recent: i64,
    ) -> NewEvent {
        let (kind, at) = match cleared_at {
            None => ("crowd.signal_fired", fired_at),
            Some(cleared) => ("crowd.signal_cleared", cleared),
        };
        let name = self
            .catalog
            .service(service)
            .map(|s| json!({ "ko": s.name_ko, "en": s.name_en }));
        self.envelope(
            format!(
                "crowd-{service}-{}-{}",
                fired_at.timestamp(),
                if cleared_at.is_some() {
                    "cleared"
                } else {
                    "fired"
                }
            ),
            kind,
            at,
            vec![service.to_string()],
            json!({ "crowd": {
                "service": service,
                "name": name,
                "url": format!("{}/services/{service}", self.base_url),
                "fired_at": time(fired_at),
                "cleared_at": cleared_at.map(time),
                "reports_last_3_minutes": recent,
                "official": false,
            } }),
        )
    }

    /// An automated check started failing (`failing`) or recovered, by the rule of
    /// docs/checks.md. Not an official status: `official` is false.
    pub fn check(
        &self,
        check: &crate::domain::checks::Check,
        failing: bool,
        at: DateTime<Utc>,
        detail: &str,
    ) -> NewEvent {
        let kind = if failing {
            "check.failing"
        } else {
            "check.recovered"
        };
        let component = check.component.clone().unwrap_or_default();
        let service = service_of(&component).to_string();
        self.envelope(
            format!("{kind}-{}-{}", check.id, at.timestamp()),
            kind,
            at,
            vec![service.clone()],
            json!({ "check": {
                "id": check.id,
                "name": { "ko": check.name_ko, "en": check.name_en },
                "kind": check.probe.kind(),
                "component": component,
                "url": format!("{}/services/{service}", self.base_url),
                "verdict": if failing { "failing" } else { "up" },
                "at": time(at),
                "detail": detail,
                "official": false,
            } }),
        )
    }
}
