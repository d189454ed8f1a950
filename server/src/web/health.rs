//! What operators and load balancers ask: `/healthz` (is it serving, and how well: the
//! database, the age of what it serves, reports waiting in the spool), `/readyz` (send
//! it traffic? no while it drains at shutdown) and `/metrics` (Prometheus).
//!
//! An instance whose database is gone still serves every public page from memory, so
//! it stays ready: `/healthz` says `degraded`, not down. Taking it out of a balancer
//! would only move readers to instances in the same state, or to none.

use crate::read::snapshot::SnapshotHandle;
use crate::store::Store;
use crate::web::live::Live;
use crate::web::reports::Reports;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, Response, StatusCode};
use axum::middleware::Next;
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

pub struct Health {
    pub snapshot: Arc<SnapshotHandle>,
    /// The report intake (its spool and queue); None while started without a database.
    pub reports: Option<Arc<Reports>>,
    /// For the outbox backlog; None while started without a database.
    pub store: Option<Arc<dyn Store>>,
    pub live: Arc<Live>,
    draining: AtomicBool,
}

impl Health {
    pub fn new(
        snapshot: Arc<SnapshotHandle>,
        reports: Option<Arc<Reports>>,
        store: Option<Arc<dyn Store>>,
        live: Arc<Live>,
    ) -> Arc<Self> {
        Arc::new(Health {
            snapshot,
            reports,
            store,
            live,
            draining: AtomicBool::new(false),
        })
    }

    /// Shutting down: not ready any more, and every live stream is ended (browsers
    /// reconnect, through the balancer, to another instance), so that the server can
    /// finish the requests in flight and stop.
    pub fn begin_drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
        self.live.close();
    }

    fn spooled(&self) -> usize {
        self.reports.as_ref().map_or(0, |r| r.intake.spooled())
    }
}

pub fn router(health: Arc<Health>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(health)
}

fn text(status: StatusCode, content_type: &'static str, body: String) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .expect("valid response")
}

/// 200 while the process serves, with how well: `ok`, or `degraded` while the database
/// does not answer (the pages are then the state last confirmed at `last_confirmed_at`).
async fn healthz(State(health): State<Arc<Health>>) -> Response<Body> {
    let s = health.snapshot.load();
    let body = serde_json::json!({
        "status": if s.stale { "degraded" } else { "ok" },
        "database": if s.stale { "down" } else { "up" },
        "last_confirmed_at": s.confirmed_at,
        "snapshot_version": health.snapshot.version(),
        "spooled_reports": health.spooled(),
        "draining": health.draining.load(Ordering::SeqCst),
    });
    text(StatusCode::OK, "application/json", body.to_string())
}

/// For load balancers: 200 `ready` while it serves, 503 `draining` once it stops.
async fn readyz(State(health): State<Arc<Health>>) -> Response<Body> {
    if health.draining.load(Ordering::SeqCst) {
        text(
            StatusCode::SERVICE_UNAVAILABLE,
            "text/plain; charset=utf-8",
            "draining".into(),
        )
    } else {
        text(StatusCode::OK, "text/plain; charset=utf-8", "ready".into())
    }
}

/// The process-wide Prometheus recorder (installed once; every app in a process shares it).
fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&[
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ])
            .expect("histogram buckets")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed");
        }
        handle
    })
}

/// Prometheus text: requests and latencies by route class (kept by `track`), and the
/// state of this instance read at the scrape.
async fn metrics(State(health): State<Arc<Health>>) -> Response<Body> {
    let handle = prometheus();
    let s = health.snapshot.load();
    metrics::gauge!("status_database_up").set(if s.stale { 0.0 } else { 1.0 });
    metrics::gauge!("status_snapshot_version").set(health.snapshot.version() as f64);
    metrics::gauge!("status_snapshot_age_seconds")
        .set((Utc::now() - s.confirmed_at).num_milliseconds() as f64 / 1000.0);
    metrics::gauge!("status_report_spool_depth").set(health.spooled() as f64);
    metrics::gauge!("status_report_queue_depth")
        .set(health.reports.as_ref().map_or(0, |r| r.intake.queued()) as f64);
    metrics::gauge!("status_live_streams").set(health.live.open_streams() as f64);
    if let Some(store) = &health.store {
        // Not while the database is known to be down: a scrape must not wait for it.
        if !s.stale {
            if let Ok(Ok(backlog)) =
                tokio::time::timeout(Duration::from_secs(1), store.pending_deliveries()).await
            {
                metrics::gauge!("status_outbox_backlog").set(backlog as f64);
            }
        }
    }
    text(
        StatusCode::OK,
        "text/plain; version=0.0.4; charset=utf-8",
        handle.render(),
    )
}

/// Which kind of route a path is, for the request metrics (a bounded set of labels).
pub fn route_class(method: &axum::http::Method, path: &str) -> &'static str {
    // On every request: compared in place, nothing allocated.
    let is = |prefix: &str| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    match () {
        _ if matches!(path, "/healthz" | "/readyz" | "/metrics") => "ops",
        _ if is("/api/v1/events") => "live",
        _ if is("/api/v1/reports") || (is("/report") && method == axum::http::Method::POST) => {
            "report"
        }
        _ if is("/api/v2") => "statuspage_api",
        _ if is("/api") => "api",
        _ if path.ends_with(".atom") || path.ends_with(".rss") || path.ends_with(".ics") => "feed",
        _ if is("/badge") => "badge",
        _ if is("/embed") => "widget",
        _ if is("/admin") => "console",
        _ if is("/subscribe") || is("/unsubscribe") => "subscribe",
        _ if is("/pkg")
            || path
                .rsplit('/')
                .next()
                .is_some_and(|last| last.contains('.')) =>
        {
            "static"
        }
        _ => "page",
    }
}

/// Counts every request and times it (to its response head), by route class and status.
pub async fn track(request: Request, next: Next) -> Response<Body> {
    prometheus();
    let class = route_class(request.method(), request.uri().path());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = match response.status().as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    metrics::counter!("status_http_requests_total", "class" => class, "status" => status)
        .increment(1);
    metrics::histogram!("status_http_request_duration_seconds", "class" => class)
        .record(started.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Method;

    #[test]
    fn paths_fall_into_a_few_classes() {
        let get = Method::GET;
        assert_eq!(route_class(&get, "/"), "page");
        assert_eq!(route_class(&get, "/services/kakaotalk"), "page");
        assert_eq!(route_class(&get, "/api/v2/summary.json"), "statuspage_api");
        assert_eq!(route_class(&get, "/api/v1/events"), "live");
        assert_eq!(route_class(&Method::POST, "/report/kakaotalk"), "report");
        assert_eq!(route_class(&get, "/report/kakaotalk"), "page");
        assert_eq!(route_class(&get, "/services/kakaotalk/feed.atom"), "feed");
        assert_eq!(route_class(&get, "/badge/kakaotalk.svg"), "badge");
        assert_eq!(route_class(&get, "/pkg/status.wasm"), "static");
        assert_eq!(route_class(&get, "/admin/incidents"), "console");
        assert_eq!(route_class(&get, "/metrics"), "ops");
    }
}
