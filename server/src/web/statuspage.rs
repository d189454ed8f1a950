//! The Statuspage-compatible public API (`/api/v2/*.json`): the field names, value sets
//! and nesting of Atlassian Statuspage's public v2 API, so that status aggregators,
//! chat-ops bots and client libraries work unchanged. Services are component groups.
//! Korean by default; English with `?lang=en` or `Accept-Language`.
//!
//! Deliberate differences: ids are readable slugs (`kakaotalk`, `kakaotalk.media`)
//! rather than random strings; `shortlink` is this site's own incident address; an update
//! that is an official apology says so in `body` only (Statuspage has no such field).

use crate::domain::state::{IncidentRecord, MaintenanceRecord, UpdateRecord};
use crate::read::localized::localized;
use crate::read::snapshot::{Snapshot, SnapshotHandle};
use crate::web::kit::encoded::Encoded;
use app::model::{ComponentStatus, IncidentState, Lang, UpdateKind};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const CACHE_CONTROL: &str =
    "public, max-age=0, s-maxage=1, stale-while-revalidate=5, stale-if-error=86400";

/// A read-only public document: ETag and 304, compression, the public caching rule,
/// varying by language, open to any origin (CORS). Shared by the API and the feeds.
pub fn public_document(encoded: &Encoded, request: &Request) -> Response<Body> {
    let mut response = encoded.respond(
        request.headers(),
        CACHE_CONTROL,
        "Accept-Encoding, Accept-Language",
    );
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

pub struct StatusApi {
    pub snapshot: Arc<SnapshotHandle>,
    /// e.g. `https://status.example.com`; empty: links are relative.
    pub public_url: String,
    /// (endpoint, language) → the document rendered for a snapshot version.
    cache: Mutex<HashMap<(&'static str, Lang), Rendered>>,
}

/// A document and the snapshot version it was rendered from.
type Rendered = (u64, Arc<Encoded>);

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn text(lang: Lang, ko: &str, en: Option<&str>) -> String {
    localized(lang, ko, en).text
}

/// `kakaotalk/media` → `kakaotalk.media`: an id that is safe in a URL path.
fn component_id(id: &str) -> String {
    id.replace('/', ".")
}

fn incident_status(incident: &IncidentRecord) -> &'static str {
    if incident
        .updates
        .iter()
        .any(|u| u.kind == UpdateKind::Postmortem)
    {
        "postmortem"
    } else {
        incident.state.as_str()
    }
}

fn indicator(overall: ComponentStatus, lang: Lang) -> (&'static str, &'static str) {
    match (overall, lang) {
        (ComponentStatus::Operational, Lang::Ko) => ("none", "모든 서비스 정상"),
        (ComponentStatus::Operational, Lang::En) => ("none", "All Systems Operational"),
        (ComponentStatus::UnderMaintenance, Lang::Ko) => ("none", "서비스 점검 중"),
        (ComponentStatus::UnderMaintenance, Lang::En) => ("none", "Service Under Maintenance"),
        (ComponentStatus::DegradedPerformance, Lang::Ko) => ("minor", "일부 서비스 성능 저하"),
        (ComponentStatus::DegradedPerformance, Lang::En) => ("minor", "Minor Service Outage"),
        (ComponentStatus::PartialOutage, Lang::Ko) => ("major", "일부 서비스 장애"),
        (ComponentStatus::PartialOutage, Lang::En) => ("major", "Partial System Outage"),
        (ComponentStatus::MajorOutage, Lang::Ko) => ("critical", "주요 서비스 장애"),
        (ComponentStatus::MajorOutage, Lang::En) => ("critical", "Major System Outage"),
    }
}

impl StatusApi {
    pub fn new(snapshot: Arc<SnapshotHandle>, public_url: String) -> Self {
        StatusApi {
            snapshot,
            public_url: public_url.trim_end_matches('/').to_string(),
            cache: Mutex::new(HashMap::new()),
        }
    }

    fn page(&self, s: &Snapshot, lang: Lang) -> Value {
        json!({
            "id": "kakao-status",
            "name": text(lang, &s.catalog.page.name_ko, Some(&s.catalog.page.name_en)),
            "url": if self.public_url.is_empty() { "/".to_string() } else { self.public_url.clone() },
            "time_zone": "Asia/Seoul",
            "updated_at": time(s.updated_at()),
        })
    }

    fn created_at(s: &Snapshot) -> DateTime<Utc> {
        s.state
            .incidents()
            .front()
            .map(|i| i.started_at)
            .unwrap_or_else(|| s.updated_at())
    }

    fn components(&self, s: &Snapshot, lang: Lang) -> Vec<Value> {
        let created = time(Self::created_at(s));
        let last_change = |id: &str| s.changed_at(id);
        let mut out = Vec::new();
        let mut position = 0;
        for service in &s.catalog.services {
            position += 1;
            let ids: Vec<String> = service
                .components
                .iter()
                .map(|c| format!("{}/{}", service.slug, c.slug))
                .collect();
            let worst = s.service_status(service);
            let group_updated = ids.iter().filter_map(|id| last_change(id)).max();
            out.push(json!({
                "id": service.slug,
                "name": text(lang, &service.name_ko, Some(&service.name_en)),
                "status": worst.as_str(),
                "created_at": created,
                "updated_at": group_updated.map(time).unwrap_or_else(|| created.clone()),
                "position": position,
                "description": text(lang, &service.description_ko, Some(&service.description_en)),
                "showcase": false,
                "start_date": null,
                "group_id": null,
                "page_id": "kakao-status",
                "group": true,
                "only_show_if_degraded": false,
                "components": ids.iter().map(|id| component_id(id)).collect::<Vec<_>>(),
            }));
            for (component, id) in service.components.iter().zip(&ids) {
                position += 1;
                out.push(json!({
                    "id": component_id(id),
                    "name": text(lang, &component.name_ko, Some(&component.name_en)),
                    "status": s.current_status(id).as_str(),
                    "created_at": created,
                    "updated_at": last_change(id).map(time).unwrap_or_else(|| created.clone()),
                    "position": position,
                    "description": null,
                    "showcase": true,
                    "start_date": null,
                    "group_id": service.slug,
                    "page_id": "kakao-status",
                    "group": false,
                    "only_show_if_degraded": false,
                }));
            }
        }
        out
    }

    fn component_brief(&self, s: &Snapshot, id: &str, lang: Lang) -> Value {
        let name = s
            .catalog
            .component(id)
            .map(|(_, c)| text(lang, &c.name_ko, Some(&c.name_en)))
            .unwrap_or_else(|| id.to_string());
        json!({
            "id": component_id(id),
            "name": name,
            "status": s.current_status(id).as_str(),
            "group_id": id.split('/').next(),
            "page_id": "kakao-status",
            "group": false,
        })
    }

    fn update(
        &self,
        s: &Snapshot,
        incident: &IncidentRecord,
        update: &UpdateRecord,
        before: &mut HashMap<String, ComponentStatus>,
        lang: Lang,
    ) -> Value {
        let affected: Vec<Value> = update
            .changes
            .iter()
            .map(|c| {
                let old = before
                    .insert(c.component.clone(), c.status)
                    .unwrap_or(ComponentStatus::Operational);
                json!({
                    "code": component_id(&c.component),
                    "name": self.component_brief(s, &c.component, lang)["name"],
                    "old_status": old.as_str(),
                    "new_status": c.status.as_str(),
                })
            })
            .collect();
        let status = if update.kind == UpdateKind::Postmortem {
            "postmortem"
        } else {
            update.state.as_str()
        };
        json!({
            "id": format!("{}-{}", incident.id, update.id),
            "status": status,
            "body": text(lang, &update.body_ko, update.body_en.as_deref()),
            "incident_id": incident.id,
            "created_at": time(update.at),
            "updated_at": time(update.edited_at.unwrap_or(update.at)),
            "display_at": time(update.at),
            "affected_components": if affected.is_empty() { Value::Null } else { Value::Array(affected) },
            "deliver_notifications": true,
            "custom_tweet": null,
            "tweet_id": null,
        })
    }

    fn incident(&self, s: &Snapshot, incident: &IncidentRecord, lang: Lang) -> Value {
        let mut before: HashMap<String, ComponentStatus> = incident
            .components
            .iter()
            .map(|c| (c.component.clone(), c.status))
            .collect();
        let mut updates: Vec<Value> = incident
            .updates
            .iter()
            .map(|u| self.update(s, incident, u, &mut before, lang))
            .collect();
        updates.reverse();
        let updated = incident
            .updates
            .iter()
            .map(|u| u.edited_at.unwrap_or(u.at))
            .max()
            .unwrap_or(incident.started_at);
        let monitoring = incident
            .updates
            .iter()
            .find(|u| u.state == IncidentState::Monitoring)
            .map(|u| time(u.at));
        json!({
            "id": incident.id,
            "name": text(lang, &incident.title_ko, incident.title_en.as_deref()),
            "status": incident_status(incident),
            "created_at": time(incident.started_at),
            "updated_at": time(updated),
            "monitoring_at": monitoring,
            "resolved_at": incident.resolved_at.map(time),
            "impact": incident.impact.as_str(),
            "shortlink": format!("{}/incidents/{}", self.public_url, incident.id),
            "started_at": time(incident.started_at),
            "page_id": "kakao-status",
            "incident_updates": updates,
            "components": incident.components.iter().map(|c| self.component_brief(s, &c.component, lang)).collect::<Vec<_>>(),
        })
    }

    fn maintenance(
        &self,
        s: &Snapshot,
        m: &MaintenanceRecord,
        now: DateTime<Utc>,
        lang: Lang,
    ) -> Value {
        let status = if now < m.starts_at {
            "scheduled"
        } else if now < m.ends_at {
            "in_progress"
        } else {
            "completed"
        };
        json!({
            "id": m.id,
            "name": text(lang, &m.title_ko, m.title_en.as_deref()),
            "status": status,
            "created_at": time(m.starts_at),
            "updated_at": time(m.starts_at.min(now)),
            "monitoring_at": null,
            "resolved_at": (status == "completed").then(|| time(m.ends_at)),
            "impact": "maintenance",
            "shortlink": format!("{}/", self.public_url),
            "started_at": time(m.starts_at),
            "page_id": "kakao-status",
            "incident_updates": [{
                "id": format!("{}-1", m.id),
                "status": status,
                "body": text(lang, &m.body_ko, m.body_en.as_deref()),
                "incident_id": m.id,
                "created_at": time(m.starts_at),
                "updated_at": time(m.starts_at),
                "display_at": time(m.starts_at),
                "affected_components": null,
                "deliver_notifications": true,
                "custom_tweet": null,
                "tweet_id": null,
            }],
            "components": m.components.iter().map(|c| self.component_brief(s, c, lang)).collect::<Vec<_>>(),
            "scheduled_for": time(m.starts_at),
            "scheduled_until": time(m.ends_at),
        })
    }

    /// The document of one endpoint.
    pub fn document(&self, endpoint: &str, lang: Lang) -> Value {
        let s = self.snapshot.load();
        let now = Utc::now();
        let page = self.page(&s, lang);
        let (indicator, description) = indicator(s.overall(), lang);
        let status = json!({ "indicator": indicator, "description": description });
        // The 50 newest, from the state's lists (all, or the index of those not
        // resolved): never a pass over the whole history.
        let newest_first = |unresolved_only: bool| {
            let all = s.state.incidents().iter().rev();
            let list: Box<dyn Iterator<Item = &Arc<IncidentRecord>>> = if unresolved_only {
                Box::new(s.state.unresolved().rev())
            } else {
                Box::new(all)
            };
            list.take(50)
                .map(|i| self.incident(&s, i, lang))
                .collect::<Vec<_>>()
        };
        let maintenances = |filter: &dyn Fn(&MaintenanceRecord) -> bool| {
            s.state
                .maintenances
                .iter()
                .rev()
                .filter(|m| filter(m))
                .take(50)
                .map(|m| self.maintenance(&s, m, now, lang))
                .collect::<Vec<_>>()
        };
        let upcoming = |m: &MaintenanceRecord| now < m.starts_at;
        let active = |m: &MaintenanceRecord| m.starts_at <= now && now < m.ends_at;
        let mut document = match endpoint {
            "summary" => json!({
                "page": page,
                "components": self.components(&s, lang),
                "incidents": newest_first(true),
                "scheduled_maintenances": maintenances(&|m| upcoming(m) || active(m)),
                "status": status,
            }),
            "status" => json!({ "page": page, "status": status }),
            "components" => json!({ "page": page, "components": self.components(&s, lang) }),
            "incidents" => json!({ "page": page, "incidents": newest_first(false) }),
            "incidents/unresolved" => {
                json!({ "page": page, "incidents": newest_first(true) })
            }
            "scheduled-maintenances" => {
                json!({ "page": page, "scheduled_maintenances": maintenances(&|_| true) })
            }
            "scheduled-maintenances/upcoming" => {
                json!({ "page": page, "scheduled_maintenances": maintenances(&upcoming) })
            }
            _ => json!({ "page": page, "scheduled_maintenances": maintenances(&active) }),
        };
        // Our addition: while the database cannot be read, the document is as of
        // `last_confirmed_at` (clients that do not know the fields ignore them).
        document["stale"] = json!(s.stale);
        document["last_confirmed_at"] = json!(s.stale.then(|| time(s.confirmed_at)));
        document
    }

    /// Rendered once per snapshot version and language, with ETags and compression.
    fn respond(&self, endpoint: &'static str, request: &Request) -> Response<Body> {
        let lang = crate::web::kit::lang::of_request(request);
        let version = self.snapshot.version();
        let cached = self
            .cache
            .lock()
            .expect("api cache")
            .get(&(endpoint, lang))
            .filter(|(v, _)| *v == version)
            .map(|(_, e)| e.clone());
        let encoded = cached.unwrap_or_else(|| {
            let body = serde_json::to_vec(&self.document(endpoint, lang)).expect("JSON");
            let encoded = Arc::new(Encoded::new(
                HeaderValue::from_static("application/json"),
                body.into(),
            ));
            self.cache
                .lock()
                .expect("api cache")
                .insert((endpoint, lang), (version, encoded.clone()));
            encoded
        });
        public_document(&encoded, request)
    }
}

/// One handler per Statuspage v2 document, each at `/api/v2/{name}.json` and described
/// in the OpenAPI document (`api_v1::ApiDoc`) with the schema in `doc`.
macro_rules! documents {
    ($($handler:ident: $endpoint:literal => $schema:ty, $summary:literal;)*) => {
        $(
            #[doc = $summary]
            #[utoipa::path(get, path = concat!("/api/v2/", $endpoint, ".json"), tag = "statuspage",
                params(crate::web::kit::lang::LangQuery),
                responses(
                    (status = 200, description = $summary, body = $schema,
                        headers(("ETag" = String, description = "Send it back as If-None-Match to get 304 while unchanged"))),
                    (status = 304, description = "Not modified since the ETag sent in If-None-Match")))]
            pub async fn $handler(State(api): State<Arc<StatusApi>>, request: Request) -> Response<Body> {
                api.respond($endpoint, &request)
            }
        )*

        pub fn router(api: Arc<StatusApi>) -> Router {
            Router::new()
                $(.route(concat!("/api/v2/", $endpoint, ".json"), get($handler)))*
                .with_state(api)
        }
    };
}

documents! {
    statuspage_summary: "summary" => doc::Summary, "The page, every component, the unresolved incidents, upcoming and active maintenance, and the overall status";
    statuspage_status: "status" => doc::StatusDocument, "The overall status indicator and its description";
    statuspage_components: "components" => doc::ComponentsDocument, "Every component: each service is a group, its features are its components";
    statuspage_incidents: "incidents" => doc::IncidentsDocument, "The 50 most recent incidents, newest first";
    statuspage_unresolved_incidents: "incidents/unresolved" => doc::IncidentsDocument, "The incidents not yet resolved, newest first";
    statuspage_scheduled_maintenances: "scheduled-maintenances" => doc::MaintenancesDocument, "The 50 most recent scheduled maintenances, newest first";
    statuspage_upcoming_maintenances: "scheduled-maintenances/upcoming" => doc::MaintenancesDocument, "The scheduled maintenances that have not started";
    statuspage_active_maintenances: "scheduled-maintenances/active" => doc::MaintenancesDocument, "The scheduled maintenances in progress";
}

/// The shapes of the documents above, for the OpenAPI document: the documents themselves
/// are built as JSON values (above), in Statuspage's field names and nesting. Each reads
/// (`Deserialize`) exactly the documented fields and values, and nothing else, so that a
/// test can check a served document against its description.
pub mod doc {
    use chrono::{DateTime, Utc};
    use serde::Deserialize;
    use utoipa::ToSchema;

    /// A component's state, in Statuspage's value set.
    #[derive(Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum ComponentStatus {
        Operational,
        UnderMaintenance,
        DegradedPerformance,
        PartialOutage,
        MajorOutage,
    }

    /// What the automated checks measure (not a Statuspage value: our API v1 only).
    #[derive(Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum CheckVerdict {
        Unknown,
        Up,
        Degraded,
        Failing,
    }

    /// The page's overall state: none (operational or under maintenance), minor, major, critical.
    #[derive(Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Indicator {
        None,
        Minor,
        Major,
        Critical,
    }

    /// An incident's impact; `maintenance` for a scheduled maintenance.
    #[derive(Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Impact {
        None,
        Minor,
        Major,
        Critical,
        Maintenance,
    }

    /// An incident's or an update's state: investigating, identified, monitoring,
    /// resolved or postmortem; a maintenance's: scheduled, in_progress or completed.
    #[derive(Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum IncidentStatus {
        Investigating,
        Identified,
        Monitoring,
        Resolved,
        Postmortem,
        Scheduled,
        InProgress,
        Completed,
    }

    #[derive(Deserialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    #[schema(as = StatuspagePage)]
    pub struct Page {
        /// Always `kakao-status`.
        pub id: String,
        pub name: String,
        /// The site's public address (`/` when it has none configured).
        pub url: String,
        /// Always `Asia/Seoul`.
        pub time_zone: String,
        pub updated_at: DateTime<Utc>,
    }

    #[derive(Deserialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct Status {
        pub indicator: Indicator,
        pub description: String,
    }

    /// A service (a group, `group: true`, listing its components) or one of its features.
    #[derive(Deserialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    #[schema(as = StatuspageComponent)]
    pub struct Component {
        /// The service's slug, or `service.feature` (e.g. `kakaotalk.media`).
        pub id: String,
        pub name: String,
        pub status: ComponentStatus,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
        pub position: u32,
        /// The service's description; null for a feature.
        #[schema(required = true)]
        pub description: Option<String>,
        pub showcase: bool,
        /// Always null.
        #[schema(required = true)]
        pub start_date: Option<String>,
        /// The service a feature belongs to; null for a service.
        #[schema(required = true)]
        pub group_id: Option<String>,
        pub page_id: String,
        pub group: bool,
        pub only_show_if_degraded: bool,
        /// A group's components (their ids); only on groups.
        #[schema(nullable = false)]
        pub components: Option<Vec<String>>,
    }

    /// A component as an incident or a maintenance names it.
    #[derive(Deserialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct ComponentBrief {
        pub id: String,
        pub name: String,
        pub status: ComponentStatus,
        pub group_id: String,
        pub page_id: String,
        pub group: bool,
    }

    /// A component an update changed, and how.
    #[derive(Deserialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct AffectedComponent {
        /// The component's id.
        pub code: String,
        pub name: String,
        pub old_status: ComponentStatus,
        pub new_status: ComponentStatus,
    }

    #[derive(Deserialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct IncidentUpdate {
        pub id: String,
        pub status: IncidentStatus,
        pub body: String,
        pub incident_id: String,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
        pub display_at: DateTime<Utc>,
        /// The components this update changed; null when it changed none.
        #[schema(required = true)]
        pub affected_components: Option<Vec<AffectedComponent>>,
        pub deliver_notifications: bool,
        /// Always null.
        #[schema(required = true)]
        pub custom_tweet: Option<String>,
        /// Always null.
        #[schema(required = true)]
        pub tweet_id: Option<String>,
    }

    #[derive(Deserialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    #[schema(as = StatuspageIncident)]
    pub struct Incident {
        pub id: String,
        pub name: String,
        pub status: IncidentStatus,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
        #[schema(required = true)]
        pub monitoring_at: Option<DateTime<Utc>>,
        #[schema(required = true)]
        pub resolved_at: Option<DateTime<Utc>>,
        pub impact: Impact,
        /// The incident's page on this site.
        pub shortlink: String,
        pub started_at: DateTime<Utc>,
        pub page_id: String,
        /// Newest first.
        pub incident_updates: Vec<IncidentUpdate>,
        pub components: Vec<ComponentBrief>,
    }

    /// A scheduled maintenance: an incident with `impact: maintenance` and its window.
    #[derive(Deserialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct Maintenance {
        pub id: String,
        pub name: String,
        pub status: IncidentStatus,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
        /// Always null.
        #[schema(required = true)]
        pub monitoring_at: Option<DateTime<Utc>>,
        #[schema(required = true)]
        pub resolved_at: Option<DateTime<Utc>>,
        pub impact: Impact,
        pub shortlink: String,
        pub started_at: DateTime<Utc>,
        pub page_id: String,
        pub incident_updates: Vec<IncidentUpdate>,
        pub components: Vec<ComponentBrief>,
        pub scheduled_for: DateTime<Utc>,
        pub scheduled_until: DateTime<Utc>,
    }

    /// `/api/v2/summary.json`.
    #[derive(Deserialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct Summary {
        pub page: Page,
        pub components: Vec<Component>,
        pub incidents: Vec<Incident>,
        pub scheduled_maintenances: Vec<Maintenance>,
        pub status: Status,
        /// Our addition: true while the database cannot be read.
        pub stale: bool,
        /// Our addition: set while stale, when the data was last read from the database.
        #[schema(required = true)]
        pub last_confirmed_at: Option<DateTime<Utc>>,
    }

    /// `/api/v2/status.json`.
    #[derive(Deserialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct StatusDocument {
        pub page: Page,
        pub status: Status,
        pub stale: bool,
        #[schema(required = true)]
        pub last_confirmed_at: Option<DateTime<Utc>>,
    }

    /// `/api/v2/components.json`.
    #[derive(Deserialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct ComponentsDocument {
        pub page: Page,
        pub components: Vec<Component>,
        pub stale: bool,
        #[schema(required = true)]
        pub last_confirmed_at: Option<DateTime<Utc>>,
    }

    /// `/api/v2/incidents.json` and `/api/v2/incidents/unresolved.json`.
    #[derive(Deserialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct IncidentsDocument {
        pub page: Page,
        pub incidents: Vec<Incident>,
        pub stale: bool,
        #[schema(required = true)]
        pub last_confirmed_at: Option<DateTime<Utc>>,
    }

    /// `/api/v2/scheduled-maintenances*.json`.
    #[derive(Deserialize, ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct MaintenancesDocument {
        pub page: Page,
        pub scheduled_maintenances: Vec<Maintenance>,
        pub stale: bool,
        #[schema(required = true)]
        pub last_confirmed_at: Option<DateTime<Utc>>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::snapshot::fixture;
    use crate::web::kit::testing;
    use axum::http::StatusCode;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    static API: LazyLock<Arc<StatusApi>> =
        LazyLock::new(|| Arc::new(StatusApi::new(fixture::handle(12), String::new())));

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 64,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Every document, with any query and Accept-Language: 200 and the document in
        /// the language the query (first `lang`), else the header, chose.
        #[test]
        fn any_query_gets_the_document_in_its_language(
            endpoint in prop::sample::select(vec![
                "summary", "status", "components", "incidents", "incidents/unresolved",
                "scheduled-maintenances", "scheduled-maintenances/upcoming",
                "scheduled-maintenances/active",
            ]),
            query in testing::query(),
            accept in testing::accept_language(),
        ) {
            let Some(uri) = testing::uri(&format!("/api/v2/{endpoint}.json"), &query) else {
                return Ok(());
            };
            let mut headers = axum::http::HeaderMap::new();
            if let Some(value) = accept.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                headers.insert(header::ACCEPT_LANGUAGE, value);
            }
            let lang = crate::web::kit::lang::chosen_or_headers(
                crate::web::kit::lang::from_query(uri.query()),
                &headers,
            );
            let (status, _, body) = testing::get(&router(API.clone()), uri, accept.as_deref().filter(|_| !headers.is_empty()));
            prop_assert_eq!(status, StatusCode::OK);
            let document: Value = serde_json::from_slice(&body).unwrap();
            prop_assert_eq!(document, API.document(endpoint, lang));
        }
    }
}
