//! The HTTP surface: one router merging the Leptos pages and their data endpoints
//! (behind the page cache), the public documents (Statuspage API, our API, feeds,
//! widget, live stream), report intake, email subscriptions, the staff console, static
//! files, a health check, and the 404 page for everything else. Handlers use the
//! services (`write`, `read`, `crowd`, `delivery`) and the shared `kit`.

pub mod api_v1;
pub mod console;
pub mod feeds;
pub mod guard;
pub mod health;
pub mod kit;
pub mod live;
pub mod page_cache;
pub mod probes;
pub mod records;
pub mod reports;
pub mod static_files;
pub mod statuspage;
pub mod subscribe;
pub mod widget;

use crate::read::snapshot::SnapshotHandle;
use crate::store::sessions::SessionBackend;
use app::api::{PublicState, ReadModel};
use app::{shell, App};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, Response};
use axum::middleware::from_fn_with_state;
use axum::routing::post;
use axum::Router;
use console::sessions;
use console::Console;
use feeds::Feeds;
use guard::bodies::BodyLimits;
use guard::headers::SecurityHeaders;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use live::Live;
use page_cache::PageCache;
use reports::Reports;
use static_files::StaticFiles;
use statuspage::StatusApi;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub snapshot: Arc<SnapshotHandle>,
    /// Past views (`?as_of=`), rebuilt from the ledger.
    pub past: Arc<crate::read::past::PastViews>,
    pub statics: Arc<StaticFiles>,
    pub console: Arc<Console>,
    /// None only in the mirror (`export-static`): a site takes reports even while its
    /// database is unreachable (into the spool).
    pub reports: Option<Arc<Reports>>,
    pub secure_cookies: bool,
    /// The public address (for links in the API); may be empty.
    pub public_url: String,
    pub live: Arc<Live>,
    pub subscriptions: Arc<crate::web::subscribe::Subscriptions>,
    /// The address links in the widget start with.
    pub base_url: String,
    pub health: Arc<health::Health>,
    /// How long a request's body may take to arrive.
    pub body_deadline: std::time::Duration,
    /// Probe agents and heartbeats; None without checks or without a database.
    pub probes: Option<Arc<probes::Probes>>,
}

pub fn router(state: AppState) -> Router {
    let public = PublicState(state.snapshot.clone() as Arc<dyn ReadModel>);
    let past = app::api::PastState(state.past.clone() as Arc<dyn app::api::PastModel>);
    let console_state = console::state(state.console.clone());
    let context = move || {
        provide_context(public.clone());
        provide_context(past.clone());
        provide_context(console_state.clone());
    };
    let options = state.leptos.clone();
    let app_shell = move || shell(options.clone());
    let security = Arc::new(SecurityHeaders::for_public_url(&state.public_url));
    let cache = Arc::new(PageCache::new(state.snapshot.clone(), security.https));
    let body_limits = Arc::new(BodyLimits {
        deadline: state.body_deadline,
    });

    let not_found = leptos_axum::render_app_async_with_context(context.clone(), app_shell.clone());
    let statics = state.statics.clone();
    let fallback = move |request: Request| {
        let statics = statics.clone();
        let not_found = not_found.clone();
        async move {
            match statics.respond(request.uri().path(), request.headers()) {
                Some(response) => response,
                None => not_found(request).await,
            }
        }
    };

    let sessions = state
        .console
        .changes
        .as_ref()
        .map(|changes| changes.store().sessions())
        .unwrap_or(SessionBackend::Unavailable);

    Router::new()
        .leptos_routes_with_context(&state.leptos, generate_route_list(App), context, app_shell)
        .route_layer(from_fn_with_state(cache, page_cache::layer))
        .fallback(fallback)
        .with_state(state.leptos)
        .merge(health::router(state.health.clone()))
        .merge(console::router(state.console.clone()))
        .merge(reports_router(state.reports.clone()))
        .merge(probes::router(state.probes.clone()))
        .merge(live::router(state.live.clone()))
        .merge(crate::web::subscribe::router(state.subscriptions.clone()))
        .merge(crate::web::widget::router(Arc::new(
            crate::web::widget::Widget::new(state.snapshot.clone(), state.base_url.clone()),
        )))
        .merge(crate::web::api_v1::router(state.snapshot.clone()))
        .merge(records::router(state.past.clone()))
        .merge(feeds::router(Arc::new(Feeds::new(
            state.snapshot.clone(),
            state.public_url.clone(),
        ))))
        .merge(statuspage::router(Arc::new(StatusApi::new(
            state.snapshot.clone(),
            state.public_url.clone(),
        ))))
        .layer(axum::middleware::from_fn(console::skip_followed_render))
        // Sessions are loaded only by what reads them: the public pages never do.
        .layer(sessions::layer(sessions, state.secure_cookies))
        .layer(from_fn_with_state(body_limits, guard::bodies::layer))
        .layer(from_fn_with_state(security, guard::headers::layer))
        .layer(axum::middleware::from_fn(health::track))
}

fn reports_router(reports: Option<Arc<Reports>>) -> Router {
    match reports {
        Some(reports) => Router::new()
            .route("/report/{slug}", post(reports::report_form))
            .route("/api/v1/reports", post(reports::report_api))
            .with_state(reports),
        None => Router::new()
            .route("/report/{slug}", post(database_down))
            .route("/api/v1/reports", post(database_down)),
    }
}

async fn database_down() -> Response<Body> {
    Response::builder()
        .status(axum::http::StatusCode::SERVICE_UNAVAILABLE)
        .header(header::RETRY_AFTER, "30")
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::from("The database is unavailable; reports cannot be stored right now. / 데이터베이스에 연결할 수 없어 제보를 저장할 수 없습니다."))
        .expect("valid response")
}
