//! The staff console on the server: the data its pages show (`model`), the form posts
//! that change things (`actions`), and the ledger export. Every change goes through
//! `Changes::apply`, so every one is in the ledger.

mod actions;
mod agents;

mod model;
pub mod responses;
pub mod sessions;
mod staff;
pub mod templates;
mod webhooks;

use crate::read::snapshot::SnapshotHandle;
use crate::web::console::templates::TemplateDef;
use crate::web::kit::throttle::SignInThrottle;
use crate::write::changes::Changes;
use app::api::ConsoleState;
use app::data::staff::Me;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, Method, Response, StatusCode};
use axum::middleware::Next;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use tower_sessions::Session;

pub struct Console {
    /// None while the database is unreachable: the console is then unavailable.
    pub changes: Option<Arc<Changes>>,
    pub snapshot: Arc<SnapshotHandle>,
    pub templates: Vec<TemplateDef>,
    pub throttle: SignInThrottle,
    /// Webhooks and email (None while the database is unreachable).
    pub outbox: Option<Arc<crate::delivery::Outbox>>,
}

impl Console {
    /// The write side, while the database answers (None when the instance started
    /// without it, or has lost it since: the snapshot is then stale).
    pub fn database(&self) -> Option<Arc<Changes>> {
        self.changes.clone().filter(|_| !self.snapshot.is_stale())
    }

    /// The signed-in account as the database has it now: a deactivated account, or one
    /// whose session outlived it, is signed out here.
    pub async fn me(&self, session: &Session) -> Option<Me> {
        let changes = self.database()?;
        let signed_in = crate::web::console::sessions::signed_in(session).await?;
        match changes.store().user(&signed_in.name).await {
            Ok(Some(user)) if user.active => Some(Me {
                name: user.name,
                role: user.role,
            }),
            Ok(_) => {
                let _ = crate::web::console::sessions::sign_out(session).await;
                None
            }
            Err(error) => {
                tracing::error!(%error, "reading the account of a session");
                None
            }
        }
    }
}

/// With JavaScript on, console forms are posted by fetch, which follows the redirect with
/// `Accept: application/json`; the page then loads its data itself. Rendering the page
/// for that followed request would be wasted (and would use up the form's flash), so it
/// gets an empty answer: the address is all the browser needs from it.
pub async fn skip_followed_render(request: Request, next: Next) -> Response<Body> {
    let path = request.uri().path();
    let console_page =
        (path == "/admin" || path.starts_with("/admin/")) && path != "/admin/ledger/export";
    let followed = request.method() == Method::GET
        && console_page
        && request
            .headers()
            .get(header::ACCEPT)
            .is_some_and(|v| v.as_bytes() == b"application/json");
    if followed {
        return Response::builder()
            .status(StatusCode::NO_CONTENT)
            .header(header::CACHE_CONTROL, "no-store")
            .body(Body::empty())
            .expect("valid response");
    }
    next.run(request).await
}

/// What the Leptos pages are given to load console data.
pub fn state(console: Arc<Console>) -> ConsoleState {
    ConsoleState(Arc::new(model::Model(console)))
}

pub fn router(console: Arc<Console>) -> Router {
    Router::new()
        .route("/admin/actions/signin", post(actions::sign_in))
        .route("/admin/actions/signout", post(actions::sign_out))
        .route("/admin/actions/open-incident", post(actions::open_incident))
        .route("/admin/actions/post-update", post(actions::post_update))
        .route(
            "/admin/actions/correct-update",
            post(actions::correct_update),
        )
        .route("/admin/actions/add-note", post(actions::add_note))
        .route(
            "/admin/actions/component-status",
            post(actions::component_status),
        )
        .route(
            "/admin/actions/schedule-maintenance",
            post(actions::schedule_maintenance),
        )
        .route("/admin/actions/add-user", post(actions::add_user))
        .route("/admin/actions/update-user", post(actions::update_user))
        .route("/admin/actions/add-webhook", post(webhooks::add_webhook))
        .route("/admin/actions/add-agent", post(agents::add_agent))
        .route(
            "/admin/actions/agent-active",
            post(agents::set_agent_active),
        )
        .route(
            "/admin/actions/webhook-active",
            post(webhooks::set_webhook_active),
        )
        .route("/admin/ledger/export", get(actions::export_ledger))
        .with_state(console)
}
