//! Our own API, for what Statuspage's lacks: crowd report counts and the signal per
//! service, time to acknowledge, and the incident history with filters. Versioned
//! (`/api/v1`), and described by an OpenAPI 3.1 document generated from this code
//! (utoipa) at `/api/openapi.json`, with a readable page at `/api`.

use crate::domain::catalog::Catalog;
use crate::domain::uptime;
use crate::read::crowd::BIN_MINUTES;
use crate::read::localized::localized;
use crate::read::snapshot::{Snapshot, SnapshotHandle};
use crate::web::kit::escape::escape;
use crate::web::kit::lang::LangQuery;
use crate::web::kit::{lang, reply};
use crate::web::statuspage::doc;
use crate::web::statuspage::CACHE_CONTROL;
use app::model::{IncidentState, Lang};
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, Response, StatusCode};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;
use utoipa::{IntoParams, OpenApi, ToSchema};

const PAGE_SIZE: usize = 20;

/// A service: its state now, and what users report about it.
#[derive(Serialize, ToSchema)]
pub struct ServiceStatus {
    /// The service's slug, e.g. `kakaotalk`.
    pub slug: String,
    pub name: String,
    /// The worst state of its features.
    #[schema(value_type = doc::ComponentStatus)]
    pub status: String,
    /// Crowd reports in the last hour (not an official status).
    pub reports_last_hour: u32,
    /// Set while the crowd signal fires: when it fired.
    #[schema(required = true)]
    pub crowd_signal_since: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct Share {
    pub name: String,
    pub count: u32,
    pub percent: u8,
}

/// What users report about one service over the last 24 hours.
#[derive(Serialize, ToSchema)]
pub struct CrowdReport {
    /// The service's slug.
    pub service: String,
    pub reports_last_hour: u32,
    /// Set while the crowd signal fires: when it fired.
    #[schema(required = true)]
    pub crowd_signal_since: Option<DateTime<Utc>>,
    /// Start of the first bin.
    pub chart_start: DateTime<Utc>,
    pub bin_minutes: u32,
    /// Reports per bin, oldest first (288 bins of 5 minutes).
    pub counts: Vec<u32>,
    /// The normal number of reports per bin (median of the same time in past weeks).
    pub normal: Vec<f32>,
    /// The last hour's problems, most reported first.
    pub problems: Vec<Share>,
    pub regions: Vec<Share>,
    /// True while the database cannot be read: the figures are those of `last_confirmed_at`.
    pub stale: bool,
    /// Set while stale: when the data was last read from the database.
    #[schema(required = true)]
    pub last_confirmed_at: Option<DateTime<Utc>>,
}

/// What the automated checks measure about one service's features: never an official
/// status (docs/checks.md has the rule).
#[derive(Serialize, ToSchema)]
pub struct ServiceChecks {
    /// The service's slug.
    pub service: String,
    /// Its features that have checks, in catalog order.
    pub features: Vec<FeatureCheckStatus>,
    /// When the verdicts were last decided.
    pub as_of: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct FeatureCheckStatus {
    /// `service/component`.
    pub component: String,
    pub name: String,
    /// The worst verdict of its checks: `unknown` (no agent reporting), `up`, `degraded` (slow), `failing`.
    #[schema(value_type = doc::CheckVerdict)]
    pub verdict: String,
    /// The official status, as staff set it.
    #[schema(value_type = doc::ComponentStatus)]
    pub official: String,
    /// Set when the checks have failed longer than the grace time while the feature is
    /// officially operational: since when.
    #[schema(required = true)]
    pub disagreement_since: Option<DateTime<Utc>>,
    pub checks: Vec<CheckStatusDoc>,
}

#[derive(Serialize, ToSchema)]
pub struct CheckStatusDoc {
    pub id: String,
    pub name: String,
    /// `http`, `tcp`, `dns` or `heartbeat`.
    pub kind: String,
    #[schema(value_type = doc::CheckVerdict)]
    pub verdict: String,
    /// When the verdict last changed (null: not since the site started watching).
    #[schema(required = true)]
    pub since: Option<DateTime<Utc>>,
    /// Why the newest failing or slow result failed, prefixed with the agent's name.
    pub detail: String,
    pub agents_reporting: u32,
    pub agents_failing: u32,
    /// Agents whose own control target failed: not counted.
    pub agents_set_aside: u32,
    /// Start of the first latency bin.
    pub latency_start: DateTime<Utc>,
    pub bin_minutes: u32,
    /// Median latency per bin in ms, oldest first (288 bins of 5 minutes); null where no answer came.
    pub latency_p50_ms: Vec<Option<u32>>,
    /// 95th percentile per bin, ms.
    pub latency_p95_ms: Vec<Option<u32>>,
    /// Results per bin, all agents.
    pub results: Vec<u32>,
    /// Failed results per bin.
    pub failures: Vec<u32>,
}

/// An incident with the times the Statuspage API does not carry.
#[derive(Serialize, ToSchema)]
pub struct Incident {
    pub id: String,
    pub title: String,
    #[schema(value_type = ImpactName)]
    pub impact: String,
    #[schema(value_type = StateName)]
    pub state: String,
    /// The slugs of the services it affects.
    pub services: Vec<String>,
    pub started_at: DateTime<Utc>,
    /// The first update published at the time (not a record written afterwards).
    #[schema(required = true)]
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When users' reports first stood out (the crowd signal fired).
    #[schema(required = true)]
    pub crowd_signal_at: Option<DateTime<Utc>>,
    /// When the automated checks first found a feature of the incident failing, if they did.
    #[schema(required = true)]
    pub checks_failed_at: Option<DateTime<Utc>>,
    /// From the first sign before any notice — the crowd signal or the checks failing,
    /// whichever came first — to the first public update, in seconds.
    #[schema(required = true, minimum = 0)]
    pub time_to_acknowledge_seconds: Option<i64>,
    #[schema(required = true)]
    pub resolved_at: Option<DateTime<Utc>>,
    /// The incident's page on this site.
    pub url: String,
}

/// How bad an incident is.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = IncidentImpact)]
pub enum ImpactName {
    None,
    Minor,
    Major,
    Critical,
}

/// Where an incident stands.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = IncidentState)]
pub enum StateName {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
}

#[derive(Serialize, ToSchema)]
pub struct IncidentList {
    pub incidents: Vec<Incident>,
    /// This page's number, from 1.
    #[schema(minimum = 1)]
    pub page: usize,
    /// How many pages there are (at least 1, even with no incident).
    #[schema(minimum = 1)]
    pub pages: usize,
    /// How many incidents match, on all pages.
    pub total: usize,
    /// True while the database cannot be read: the list is as of `last_confirmed_at`.
    pub stale: bool,
    /// Set while stale: when the data was last read from the database.
    #[schema(required = true)]
    pub last_confirmed_at: Option<DateTime<Utc>>,
}

/// A refusal: what was wrong, in English.
#[derive(Serialize, ToSchema)]
pub struct ApiError {
    pub error: String,
}

/// The highest page number the API describes (far beyond the history's length).
const MAX_PAGE: usize = 1_000_000;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Only incidents affecting this service (its slug).
    #[param(nullable = false)]
    pub service: Option<String>,
    /// Only incidents that started in this year (KST).
    #[param(nullable = false)]
    pub year: Option<i32>,
    /// Page number, from 1 (20 incidents a page, newest first). A page past the last is 404.
    #[param(nullable = false, minimum = 1, maximum = 1_000_000)]
    pub page: Option<usize>,
    /// `ko` (default) or `en`; anything else: `Accept-Language` decides.
    #[param(nullable = false)]
    pub lang: Option<String>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kakao service status API",
        version = "1",
        description = "What the Statuspage-compatible /api/v2 does not carry: crowd reports and the crowd signal per service, time to acknowledge, and the history with filters. Korean by default; English with ?lang=en or Accept-Language. Read-only endpoints allow any origin (CORS)."
    ),
    paths(
        services,
        crowd,
        checks,
        incidents,
        crate::web::reports::report_api,
        crate::web::live::stream,
        crate::web::statuspage::statuspage_summary,
        crate::web::statuspage::statuspage_status,
        crate::web::statuspage::statuspage_components,
        crate::web::statuspage::statuspage_incidents,
        crate::web::statuspage::statuspage_unresolved_incidents,
        crate::web::statuspage::statuspage_scheduled_maintenances,
        crate::web::statuspage::statuspage_upcoming_maintenances,
        crate::web::statuspage::statuspage_active_maintenances
    ),
    components(schemas(
        ServiceStatus,
        CrowdReport,
        ServiceChecks,
        FeatureCheckStatus,
        CheckStatusDoc,
        Share,
        Incident,
        IncidentList,
        ApiError,
        crate::web::reports::ReportRequest,
        crate::web::reports::ReportReceipt,
        crate::web::reports::ReportRefusal
    )),
    tags(
        (name = "v1", description = "Our API: crowd reports, the crowd signal, time to acknowledge, the history with filters"),
        (name = "statuspage", description = "Statuspage-compatible (v2): the field names, value sets and nesting of Atlassian Statuspage's public v2 API, so that its clients work unchanged")
    )
)]
pub struct ApiDoc;

/// Public and cacheable when it succeeds; readable from any origin.
fn json<T: Serialize>(status: StatusCode, value: &T) -> Response<Body> {
    let cache = if status.is_success() {
        CACHE_CONTROL
    } else {
        "no-store"
    };
    let mut reply = reply::json_with_cache(status, value, cache);
    let headers = reply.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    reply
}

/// A document read from the snapshot: while the database cannot be read, its header
/// `X-Status-Stale` names the moment the data was last confirmed (arrays carry no flag).
fn snapshot_json<T: Serialize>(s: &Snapshot, value: &T) -> Response<Body> {
    let mut reply = json(StatusCode::OK, value);
    if s.stale {
        if let Ok(at) = HeaderValue::from_str(&s.confirmed_at.to_rfc3339()) {
            reply.headers_mut().insert("x-status-stale", at);
        }
    }
    reply
}

fn error(status: StatusCode, message: String) -> Response<Body> {
    json(status, &ApiError { error: message })
}

/// The service a path names: 400 when the path cannot be read, 404 when there is none.
fn known_service(
    s: &Snapshot,
    slug: Result<Path<String>, PathRejection>,
) -> Result<String, Box<Response<Body>>> {
    let slug = match slug {
        Ok(Path(slug)) => slug,
        Err(rejection) => {
            return Err(Box::new(error(
                StatusCode::BAD_REQUEST,
                rejection.body_text(),
            )))
        }
    };
    if s.catalog.service(&slug).is_none() {
        return Err(Box::new(error(
            StatusCode::NOT_FOUND,
            format!("there is no service '{slug}'"),
        )));
    }
    Ok(slug)
}

fn name(lang: Lang, ko: &str, en: &str) -> String {
    localized(lang, ko, Some(en)).text
}

/// Every service: its state now and its crowd reports.
#[utoipa::path(get, path = "/api/v1/services", tag = "v1", params(LangQuery),
    responses((status = 200, description = "Every service, in catalog order", body = Vec<ServiceStatus>,
        headers(("X-Status-Stale" = String, description = "Only while the database cannot be read: when the data was last confirmed (RFC 3339)")))))]
async fn services(
    State(snapshot): State<Arc<SnapshotHandle>>,
    request: Request, // `lang` (documented by `LangQuery`) is read by `lang::of_request`
) -> Response<Body> {
    let lang = lang::of_request(&request);
    let s = snapshot.load();
    let crowd = snapshot.crowd();
    let list: Vec<ServiceStatus> = s
        .catalog
        .services
        .iter()
        .map(|svc| {
            let c = crowd.services.get(&svc.slug);
            ServiceStatus {
                slug: svc.slug.clone(),
                name: name(lang, &svc.name_ko, &svc.name_en),
                status: s.service_status(svc).as_str().into(),
                reports_last_hour: c.map_or(0, |c| c.last_hour),
                crowd_signal_since: c.and_then(|c| c.firing_since),
            }
        })
        .collect();
    snapshot_json(&s, &list)
}

/// One service's crowd reports: the 24-hour chart, its normal level, problems, regions.
#[utoipa::path(get, path = "/api/v1/services/{slug}/crowd", tag = "v1",
    params(("slug" = String, Path, description = "The service's slug"), LangQuery),
    responses(
        (status = 200, description = "The service's crowd figures", body = CrowdReport,
            headers(("X-Status-Stale" = String, description = "Only while the database cannot be read: when the data was last confirmed (RFC 3339)"))),
        (status = 400, description = "A path that cannot be read (not UTF-8 once decoded), and why", body = ApiError),
        (status = 404, description = "No such service", body = ApiError)))]
async fn crowd(
    State(snapshot): State<Arc<SnapshotHandle>>,
    slug: Result<Path<String>, PathRejection>,
    request: Request, // `lang` (documented by `LangQuery`) is read by `lang::of_request`
) -> Response<Body> {
    let s = snapshot.load();
    let slug = match known_service(&s, slug) {
        Ok(slug) => slug,
        Err(refusal) => return *refusal,
    };
    let lang = lang::of_request(&request);
    let view = snapshot.crowd().view(&s.catalog, &slug, lang);
    let shares = |items: Vec<app::data::public::Share>| {
        items
            .into_iter()
            .map(|s| Share {
                name: s.name,
                count: s.count,
                percent: s.percent,
            })
            .collect()
    };
    snapshot_json(
        &s,
        &CrowdReport {
            service: slug,
            reports_last_hour: view.last_hour,
            crowd_signal_since: view.firing_since,
            chart_start: view.chart.start,
            bin_minutes: BIN_MINUTES as u32,
            counts: view.chart.counts,
            normal: view.chart.normal,
            problems: shares(view.problems),
            regions: shares(view.regions),
            stale: s.stale,
            last_confirmed_at: s.stale.then_some(s.confirmed_at),
        },
    )
}

/// One service's automated checks: each feature's verdict beside its official status,
/// and 24 hours of latency per check.
#[utoipa::path(get, path = "/api/v1/services/{slug}/checks", tag = "v1",
    params(("slug" = String, Path, description = "The service's slug"), LangQuery),
    responses(
        (status = 200, description = "The service's check verdicts and latency series", body = ServiceChecks),
        (status = 400, description = "A path that cannot be read (not UTF-8 once decoded), and why", body = ApiError),
        (status = 404, description = "No such service", body = ApiError)))]
async fn checks(
    State(snapshot): State<Arc<SnapshotHandle>>,
    slug: Result<Path<String>, PathRejection>,
    request: Request, // `lang` (documented by `LangQuery`) is read by `lang::of_request`
) -> Response<Body> {
    let s = snapshot.load();
    let slug = match known_service(&s, slug) {
        Ok(slug) => slug,
        Err(refusal) => return *refusal,
    };
    let lang = lang::of_request(&request);
    let state = snapshot.checks();
    let features = state
        .features(&s, &slug, lang)
        .into_iter()
        .map(|f| FeatureCheckStatus {
            component: f.component,
            name: f.name,
            verdict: f.verdict.as_str().into(),
            official: f.official.as_str().into(),
            disagreement_since: f.disagreement_since,
            checks: f
                .checks
                .into_iter()
                .map(|c| CheckStatusDoc {
                    id: c.id,
                    name: c.name,
                    kind: c.kind,
                    verdict: c.verdict.as_str().into(),
                    since: c.since,
                    detail: c.detail,
                    agents_reporting: c.agents_reporting,
                    agents_failing: c.agents_failing,
                    agents_set_aside: c.agents_set_aside,
                    latency_start: c.latency.start,
                    bin_minutes: c.latency.bin_minutes,
                    latency_p50_ms: c.latency.p50,
                    latency_p95_ms: c.latency.p95,
                    results: c.latency.counts,
                    failures: c.latency.failures,
                })
                .collect(),
        })
        .collect();
    snapshot_json(
        &s,
        &ServiceChecks {
            service: slug,
            features,
            as_of: state.as_of,
        },
    )
}

/// The incident history, newest first, with time to acknowledge.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "v1", params(HistoryQuery),
    responses(
        (status = 200, description = "One page of the matching incidents", body = IncidentList,
            headers(("X-Status-Stale" = String, description = "Only while the database cannot be read: when the data was last confirmed (RFC 3339)"))),
        (status = 400, description = "A filter that cannot be used, and why", body = ApiError),
        (status = 404, description = "A page past the last, and how many there are", body = ApiError)))]
async fn incidents(
    State(snapshot): State<Arc<SnapshotHandle>>,
    request: Request,
) -> Response<Body> {
    // Read here rather than by an extractor, so that a query that cannot be read is
    // answered as documented: 400 with an `ApiError` naming the field ("page: invalid
    // digit found in string", "duplicate field `year`"), not a plain-text rejection.
    let query = match Query::<HistoryQuery>::try_from_uri(request.uri()) {
        Ok(Query(query)) => query,
        Err(rejection) => return error(StatusCode::BAD_REQUEST, rejection.body_text()),
    };
    let lang = lang::of_request(&request);
    let s = snapshot.load();
    if let Some(service) = &query.service {
        if s.catalog.service(service).is_none() {
            return error(
                StatusCode::BAD_REQUEST,
                format!("there is no service '{service}'"),
            );
        }
    }
    // Oldest first, from the state's indexes (by service, by start).
    let (from, until) = uptime::year_span(query.year);
    let matching = s
        .state
        .incidents_started(query.service.as_deref(), from, until);
    let total = matching.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = query.page.unwrap_or(1);
    if page == 0 || page > MAX_PAGE {
        return error(
            StatusCode::BAD_REQUEST,
            format!("page must be from 1 to {MAX_PAGE}, not {page}"),
        );
    }
    if page > pages {
        return error(
            StatusCode::NOT_FOUND,
            format!("there is no page {page}; there are {pages}"),
        );
    }
    let list = matching
        .iter()
        .rev()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|i| {
            let acknowledged_at = i.updates.iter().find(|u| !u.retrospective).map(|u| u.at);
            let mut services: Vec<String> = i
                .components
                .iter()
                .filter_map(|c| c.component.split_once('/').map(|(s, _)| s.to_string()))
                .collect();
            services.dedup();
            Incident {
                id: i.id.clone(),
                title: localized(lang, &i.title_ko, i.title_en.as_deref()).text,
                impact: i.impact.as_str().into(),
                state: i.state.as_str().into(),
                services,
                started_at: i.started_at,
                acknowledged_at,
                crowd_signal_at: i.crowd_signal_at,
                checks_failed_at: i.checks_failed_at,
                time_to_acknowledge_seconds: [i.crowd_signal_at, i.checks_failed_at]
                    .into_iter()
                    .flatten()
                    .min()
                    .zip(acknowledged_at)
                    .map(|(signal, ack)| (ack - signal).num_seconds().max(0)),
                resolved_at: if i.state == IncidentState::Resolved {
                    i.resolved_at
                } else {
                    None
                },
                url: format!("/incidents/{}", i.id),
            }
        })
        .collect();
    snapshot_json(
        &s,
        &IncidentList {
            incidents: list,
            page,
            pages,
            total,
            stale: s.stale,
            last_confirmed_at: s.stale.then_some(s.confirmed_at),
        },
    )
}

/// The OpenAPI document as served: `ApiDoc`, with what only the catalog knows (the
/// services' slugs; per service, the problems and regions a report may name) and the
/// links between operations (a report, then the figures it counts in; the list of
/// services, then each one's figures and history), which clients and testing tools follow.
pub fn document(catalog: &Catalog) -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).expect("OpenAPI as JSON");
    let slugs: Vec<&str> = catalog.services.iter().map(|s| s.slug.as_str()).collect();
    let service = json!({ "type": "string", "enum": slugs });

    let paths = &mut doc["paths"];
    for (path, name) in [
        ("/api/v1/services/{slug}/crowd", "slug"),
        ("/api/v1/incidents", "service"),
    ] {
        for parameter in paths[path]["get"]["parameters"]
            .as_array_mut()
            .into_iter()
            .flatten()
        {
            if parameter["name"] == name {
                parameter["schema"] = service.clone();
            }
        }
    }

    let crowd = |slug: &str| json!({ "operationId": "crowd", "parameters": { "slug": slug } });
    let history =
        |slug: &str| json!({ "operationId": "incidents", "parameters": { "service": slug } });
    paths["/api/v1/services"]["get"]["responses"]["200"]["links"] = json!({
        "FirstServiceCrowd": crowd("$response.body#/0/slug"),
        "FirstServiceIncidents": history("$response.body#/0/slug"),
    });
    paths["/api/v1/services/{slug}/crowd"]["get"]["responses"]["200"]["links"] = json!({
        "ServiceIncidents": history("$response.body#/service"),
    });
    for status in ["200", "201", "202"] {
        paths["/api/v1/reports"]["post"]["responses"][status]["links"] = json!({
            "ReportedServiceCrowd": crowd("$request.body#/service"),
        });
    }

    // Headers every such answer carries (utoipa has no `required` for a header).
    for (path, method, status, name) in [
        ("/api/v1/reports", "post", "429", "Retry-After"),
        ("/api/v1/reports", "post", "503", "Retry-After"),
    ] {
        paths[path][method]["responses"][status]["headers"][name]["required"] = json!(true);
    }
    for (path, item) in paths.as_object_mut().into_iter().flatten() {
        if path.starts_with("/api/v2/") {
            item["get"]["responses"]["200"]["headers"]["ETag"]["required"] = json!(true);
        }
    }

    // Per service, the problems it has; the regions are shared (empty: not said).
    let mut regions = vec![""];
    regions.extend(catalog.regions.iter().map(|r| r.slug.as_str()));
    let reports: Vec<Value> = catalog
        .services
        .iter()
        .map(|s| {
            json!({
                "title": s.slug,
                "type": "object",
                "required": ["service", "problem"],
                "properties": {
                    "service": { "type": "string", "enum": [s.slug], "description": "The service's slug" },
                    "problem": {
                        "type": "string",
                        "enum": s.problems.iter().map(|p| p.slug.as_str()).collect::<Vec<_>>(),
                        "description": "One of the service's problems"
                    },
                    "region": { "type": "string", "enum": regions, "description": "Where the reporter is; empty or absent: not said" },
                },
            })
        })
        .collect();
    if let Some(first) = catalog.services.first() {
        let mut example = json!({ "service": first.slug });
        if let Some(problem) = first.problems.first() {
            example["problem"] = json!(problem.slug);
        }
        if let Some(region) = catalog.regions.first() {
            example["region"] = json!(region.slug);
        }
        paths["/api/v1/reports"]["post"]["requestBody"]["content"]
            ["application/x-www-form-urlencoded"]["example"] = example;
    }
    let schema = &mut doc["components"]["schemas"]["ReportRequest"];
    let description = schema["description"].clone();
    *schema = json!({ "description": description, "oneOf": reports });
    doc
}

async fn openapi_json(State(snapshot): State<Arc<SnapshotHandle>>) -> Response<Body> {
    let doc = document(&snapshot.load().catalog);
    Response::builder()
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .header(header::CACHE_CONTROL, CACHE_CONTROL)
        .body(Body::from(
            serde_json::to_vec_pretty(&doc).expect("OpenAPI as JSON"),
        ))
        .expect("valid response")
}

/// The API for people: every endpoint of both APIs, from the same OpenAPI document.
async fn api_page() -> Response<Body> {
    let doc = ApiDoc::openapi();
    let mut items = String::new();
    let mut statuspage = String::new();
    for (path, item) in &doc.paths.paths {
        let operations = [("GET", &item.get), ("POST", &item.post)];
        for (method, operation) in operations
            .iter()
            .filter_map(|(m, o)| o.as_ref().map(|o| (m, o)))
        {
            let summary = operation
                .summary
                .clone()
                .or(operation.description.clone())
                .unwrap_or_default();
            if path.starts_with("/api/v2/") {
                statuspage.push_str(&format!(
                    "<li><strong>{method}</strong> <a href=\"{path}\"><code>{path}</code></a>: {}</li>",
                    escape(&summary),
                    path = escape(path),
                ));
                continue;
            }
            let params = operation
                .parameters
                .iter()
                .flatten()
                .map(|p| format!("<code>{}</code>", escape(&p.name)))
                .collect::<Vec<_>>()
                .join(", ");
            items.push_str(&format!(
                "<li><p><strong>{method}</strong> <code>{}</code></p><p>{}</p>{}</li>",
                escape(path),
                escape(&summary),
                if params.is_empty() {
                    String::new()
                } else {
                    format!("<p>Parameters: {params}</p>")
                }
            ));
        }
    }
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>API · Kakao service status</title><link rel=\"stylesheet\" href=\"{stylesheet}\"></head><body><main id=\"main\" class=\"wrap\">\
         <h1 class=\"page-title\">API</h1><p>{}</p><p><a href=\"/api/openapi.json\">OpenAPI 3.1 document</a></p>\
         <h2>Our API (v1)</h2><ul class=\"console-list\">{items}</ul>\
         <h2>Statuspage-compatible (v2)</h2><p>The field names, value sets and nesting of Atlassian Statuspage's public v2 API.</p><ul class=\"console-list\">{statuspage}</ul>\
         <h2>Feeds and badges</h2><ul class=\"console-list\"><li><a href=\"/feed.atom\">/feed.atom</a>, <a href=\"/feed.rss\">/feed.rss</a>, <code>/services/{{slug}}/feed.atom</code></li>\
         <li><a href=\"/maintenance.ics\">/maintenance.ics</a></li><li><code>/badge/{{slug}}.svg</code></li></ul></main></body></html>",
        escape(doc.info.description.as_deref().unwrap_or_default()),
        stylesheet = crate::web::kit::assets::stylesheet(),
    );
    Response::builder()
        .header(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )
        .header(header::CACHE_CONTROL, CACHE_CONTROL)
        .body(Body::from(html))
        .expect("valid response")
}

pub fn router(snapshot: Arc<SnapshotHandle>) -> Router {
    Router::new()
        .route("/api/v1/services", get(services))
        .route("/api/v1/services/{slug}/crowd", get(crowd))
        .route("/api/v1/services/{slug}/checks", get(checks))
        .route("/api/v1/incidents", get(incidents))
        .route("/api/openapi.json", get(openapi_json))
        .route("/api", get(api_page))
        .with_state(snapshot)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::snapshot::fixture;
    use crate::web::kit::testing;
    use chrono::Datelike;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    static SNAPSHOT: LazyLock<Arc<SnapshotHandle>> = LazyLock::new(|| fixture::handle(45));

    #[test]
    fn a_query_that_cannot_be_read_is_a_json_refusal() {
        // Before: `?page=abc` and `?year=2022&year=2021` were answered
        // 400 in plain text by the extractor, not with the documented `ApiError`.
        for query in [
            "page=abc",
            "year=2022&year=2021",
            "page=-1",
            "year=99999999999",
        ] {
            let uri = testing::uri("/api/v1/incidents", query).unwrap();
            let (status, headers, body) = testing::get(&router(SNAPSHOT.clone()), uri, None);
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
            assert_eq!(headers[header::CONTENT_TYPE], "application/json", "{query}");
            let error: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert!(!error["error"].as_str().unwrap().is_empty(), "{query}");
        }
        let uri = testing::uri("/api/v1/services", "lang=en&lang=ko").unwrap();
        let (status, _, _) = testing::get(&router(SNAPSHOT.clone()), uri, None);
        assert_eq!(status, StatusCode::OK, "a language sent twice: the first");
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 96,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Any query on every endpoint: 200 with its document, or 400 (or 404 for a
        /// page past the last) with an `ApiError` that says why; a valid history filter
        /// lists exactly its incidents.
        #[test]
        fn any_query_is_a_document_or_a_json_refusal(
            endpoint in 0usize..3,
            query in prop_oneof![
                testing::query(),
                "(service=(kakaotalk|daum|nope|)&)?(year=(2022|2019|1969|-5|2147483648|)&)?(page=(1|2|3|0|9|18446744073709551616|x|)&?)?",
            ],
            accept in testing::accept_language(),
        ) {
            let path = match endpoint {
                0 => "/api/v1/services",
                1 => "/api/v1/services/kakaotalk/crowd",
                _ => "/api/v1/incidents",
            };
            let Some(uri) = testing::uri(path, &query) else {
                return Ok(());
            };
            let (status, headers, body) = testing::get(&router(SNAPSHOT.clone()), uri, accept.as_deref().filter(|v| HeaderValue::from_str(v).is_ok()));
            prop_assert_eq!(&headers[header::CONTENT_TYPE], "application/json");
            let document: serde_json::Value = serde_json::from_slice(&body).unwrap();
            if endpoint < 2 {
                prop_assert_eq!(status, StatusCode::OK);
                return Ok(());
            }
            let parsed = Query::<HistoryQuery>::try_from_uri(&testing::uri(path, &query).unwrap());
            match status {
                StatusCode::OK => {
                    let Query(filter) = parsed.map_err(|e| TestCaseError::fail(e.body_text()))?;
                    let s = SNAPSHOT.load();
                    let total = s.state.incidents().iter()
                        .filter(|i| filter.service.as_ref().is_none_or(|svc| i.components.iter().any(|c| c.component.starts_with(&format!("{svc}/")))))
                        .filter(|i| filter.year.is_none_or(|y| app::format::to_kst(i.started_at).year() == y))
                        .count();
                    prop_assert_eq!(document["total"].as_u64(), Some(total as u64));
                    prop_assert_eq!(document["page"].as_u64(), Some(filter.page.unwrap_or(1) as u64));
                }
                // A filter that cannot be used (400), a page past the last (404): why.
                StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND => {
                    prop_assert!(!document["error"].as_str().unwrap_or("").is_empty());
                }
                other => prop_assert!(false, "{other}"),
            }
        }
    }
}
