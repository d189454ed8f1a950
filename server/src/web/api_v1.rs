//! Our own API, for what Statuspage's lacks: crowd report counts and the signal per
//! service, time to acknowledge, and the incident history with filters. Versioned
//! (`/api/v1`), and described by an OpenAPI 3.1 document generated from this code
//! (utoipa) at `/api/openapi.json`, with a readable page at `/api`.

use crate::read::crowd::BIN_MINUTES;
use crate::read::localized::localized;
use crate::read::snapshot::{Snapshot, SnapshotHandle};
use crate::web::kit::escape::escape;
use crate::web::kit::{lang, reply};
use crate::web::statuspage::CACHE_CONTROL;
use app::model::{IncidentState, Lang};
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, Response, StatusCode};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, OpenApi, ToSchema};

const PAGE_SIZE: usize = 20;

/// A service: its state now, and what users report about it.
#[derive(Serialize, ToSchema)]
pub struct ServiceStatus {
    /// The service's slug, e.g. `kakaotalk`.
    pub slug: String,
    pub name: String,
    /// The worst state of its features: operational, under_maintenance,
    /// degraded_performance, partial_outage or major_outage.
    pub status: String,
    /// Crowd reports in the last hour (not an official status).
    pub reports_last_hour: u32,
    /// Set while the crowd signal fires: when it fired.
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
    pub service: String,
    pub reports_last_hour: u32,
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
    pub last_confirmed_at: Option<DateTime<Utc>>,
}

/// An incident with the times the Statuspage API does not carry.
#[derive(Serialize, ToSchema)]
pub struct Incident {
    pub id: String,
    pub title: String,
    /// none, minor, major or critical.
    pub impact: String,
    /// investigating, identified, monitoring or resolved.
    pub state: String,
    pub services: Vec<String>,
    pub started_at: DateTime<Utc>,
    /// The first update published at the time (not a record written afterwards).
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When users' reports first stood out (the crowd signal fired).
    pub crowd_signal_at: Option<DateTime<Utc>>,
    /// From the crowd signal to the first public update, in seconds.
    pub time_to_acknowledge_seconds: Option<i64>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// The incident's page on this site.
    pub url: String,
}

#[derive(Serialize, ToSchema)]
pub struct IncidentList {
    pub incidents: Vec<Incident>,
    pub page: usize,
    pub pages: usize,
    pub total: usize,
    /// True while the database cannot be read: the list is as of `last_confirmed_at`.
    pub stale: bool,
    /// Set while stale: when the data was last read from the database.
    pub last_confirmed_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct ApiError {
    pub error: String,
}

#[derive(Deserialize, IntoParams)]
pub struct LangQuery {
    /// `ko` (default) or `en`; otherwise `Accept-Language` decides.
    pub lang: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct HistoryQuery {
    /// Only incidents affecting this service (its slug).
    pub service: Option<String>,
    /// Only incidents that started in this year (KST).
    pub year: Option<i32>,
    /// Page number, from 1 (20 incidents a page, newest first).
    pub page: Option<usize>,
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
        incidents,
        crate::web::reports::report_api,
        crate::web::live::stream
    ),
    components(schemas(ServiceStatus, CrowdReport, Share, Incident, IncidentList, ApiError))
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

fn name(lang: Lang, ko: &str, en: &str) -> String {
    localized(lang, ko, Some(en)).text
}

/// Every service: its state now and its crowd reports.
#[utoipa::path(get, path = "/api/v1/services", params(LangQuery),
    responses((status = 200, description = "Every service, in catalog order", body = Vec<ServiceStatus>)))]
async fn services(
    State(snapshot): State<Arc<SnapshotHandle>>,
    Query(_): Query<LangQuery>, // documents `lang`; read by `lang::of_request`
    request: Request,
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
#[utoipa::path(get, path = "/api/v1/services/{slug}/crowd", params(("slug" = String, Path, description = "The service's slug"), LangQuery),
    responses((status = 200, body = CrowdReport), (status = 404, description = "No such service", body = ApiError)))]
async fn crowd(
    State(snapshot): State<Arc<SnapshotHandle>>,
    Path(slug): Path<String>,
    Query(_): Query<LangQuery>, // documents `lang`; read by `lang::of_request`
    request: Request,
) -> Response<Body> {
    let lang = lang::of_request(&request);
    let s = snapshot.load();
    if s.catalog.service(&slug).is_none() {
        return error(
            StatusCode::NOT_FOUND,
            format!("there is no service '{slug}'"),
        );
    }
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

/// The incident history, newest first, with time to acknowledge.
#[utoipa::path(get, path = "/api/v1/incidents", params(HistoryQuery),
    responses((status = 200, body = IncidentList), (status = 400, description = "A filter that cannot be used, and why", body = ApiError)))]
async fn incidents(
    State(snapshot): State<Arc<SnapshotHandle>>,
    Query(query): Query<HistoryQuery>,
    request: Request,
) -> Response<Body> {
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
    let matching: Vec<_> = s
        .state
        .incidents
        .iter()
        .rev()
        .filter(|i| {
            query.service.as_ref().is_none_or(|svc| {
                i.components
                    .iter()
                    .any(|c| c.component.starts_with(&format!("{svc}/")))
            })
        })
        .filter(|i| {
            query
                .year
                .is_none_or(|y| app::format::to_kst(i.started_at).year() == y)
        })
        .collect();
    let total = matching.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = query.page.unwrap_or(1);
    if page == 0 || page > pages {
        return error(
            StatusCode::BAD_REQUEST,
            format!("there is no page {page}; there are {pages}"),
        );
    }
    let list = matching
        .into_iter()
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
                time_to_acknowledge_seconds: i
                    .crowd_signal_at
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

async fn openapi_json() -> Response<Body> {
    Response::builder()
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .header(header::CACHE_CONTROL, CACHE_CONTROL)
        .body(Body::from(
            ApiDoc::openapi().to_pretty_json().expect("OpenAPI as JSON"),
        ))
        .expect("valid response")
}

/// The API for people: every endpoint of both APIs, from the same OpenAPI document.
async fn api_page() -> Response<Body> {
    let doc = ApiDoc::openapi();
    let mut items = String::new();
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
    let statuspage = ["summary", "status", "components", "incidents", "incidents/unresolved", "scheduled-maintenances", "scheduled-maintenances/upcoming", "scheduled-maintenances/active"]
        .iter()
        .map(|e| format!("<li><strong>GET</strong> <a href=\"/api/v2/{e}.json\"><code>/api/v2/{e}.json</code></a></li>"))
        .collect::<String>();
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>API · Kakao service status</title><link rel=\"stylesheet\" href=\"/pkg/status.css\"></head><body><main id=\"main\" class=\"wrap\">\
         <h1 class=\"page-title\">API</h1><p>{}</p><p><a href=\"/api/openapi.json\">OpenAPI 3.1 document</a></p>\
         <h2>Our API (v1)</h2><ul class=\"console-list\">{items}</ul>\
         <h2>Statuspage-compatible (v2)</h2><p>The field names, value sets and nesting of Atlassian Statuspage's public v2 API.</p><ul class=\"console-list\">{statuspage}</ul>\
         <h2>Feeds and badges</h2><ul class=\"console-list\"><li><a href=\"/feed.atom\">/feed.atom</a>, <a href=\"/feed.rss\">/feed.rss</a>, <code>/services/{{slug}}/feed.atom</code></li>\
         <li><a href=\"/maintenance.ics\">/maintenance.ics</a></li><li><code>/badge/{{slug}}.svg</code></li></ul></main></body></html>",
        escape(doc.info.description.as_deref().unwrap_or_default()),
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
        .route("/api/v1/incidents", get(incidents))
        .route("/api/openapi.json", get(openapi_json))
        .route("/api", get(api_page))
        .with_state(snapshot)
}
