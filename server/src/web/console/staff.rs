//! The prologue of every console change, as one extractor: the form is read, its
//! language chosen, and then — a database, a signed-in account, this session's CSRF
//! token, a role that may do it, nothing that cannot be stored (`FormData::unstorable`)
//! — or the answer that says which is missing.
//! (In the manner of `AuthUser` in realworld-axum-sqlx and `UserAuth` in atuin.)

use super::responses::{forbidden, stale_form, unavailable, unstorable};
use super::sessions;
use super::Console;
use crate::web::kit::form::FormData;
use crate::web::kit::reply::see_other;
use crate::write::changes::Changes;
use app::data::staff::Me;
use app::model::{Lang, Role};
use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::Response;
use axum::response::IntoResponse;
use axum::Form;
use std::marker::PhantomData;
use std::sync::Arc;
use tower_sessions::Session;

/// Which roles may make a kind of change.
pub trait Permission: Send + Sync + 'static {
    fn allows(role: Role) -> bool;
}

/// Any signed-in account (signing out).
pub struct AnyRole;
/// Incidents, updates, maintenance, component states.
pub struct Publish;
/// Accounts and webhooks.
pub struct ManageStaff;

impl Permission for AnyRole {
    fn allows(_: Role) -> bool {
        true
    }
}
impl Permission for Publish {
    fn allows(role: Role) -> bool {
        role.can_publish()
    }
}
impl Permission for ManageStaff {
    fn allows(role: Role) -> bool {
        role.can_manage_staff()
    }
}

/// A console form post by an account allowed to make it.
pub struct StaffPost<P: Permission> {
    pub console: Arc<Console>,
    pub session: Session,
    pub form: FormData,
    pub lang: Lang,
    pub changes: Arc<Changes>,
    pub me: Me,
    allowed: PhantomData<P>,
}

impl<P: Permission> FromRequest<Arc<Console>> for StaffPost<P> {
    type Rejection = Response<Body>;

    async fn from_request(
        request: Request,
        console: &Arc<Console>,
    ) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let session = Session::from_request_parts(&mut parts, console)
            .await
            .map_err(IntoResponse::into_response)?;
        let headers = parts.headers.clone();
        let Form(pairs) =
            Form::<Vec<(String, String)>>::from_request(Request::from_parts(parts, body), console)
                .await
                .map_err(IntoResponse::into_response)?;
        let form = FormData(pairs);
        let lang = form.lang(&headers);
        // No database (started without it, or lost since): nothing can be changed, and
        // the session, kept there, cannot be read either.
        let Some(changes) = console.database() else {
            return Err(unavailable(lang));
        };
        let Some(me) = console.me(&session).await else {
            return Err(see_other("/admin/signin", form.chosen_lang()));
        };
        if !sessions::csrf_ok(&session, &form.text("csrf")).await {
            return Err(stale_form(lang));
        }
        if !P::allows(me.role) {
            return Err(forbidden(lang));
        }
        if let Some(problem) = form.unstorable() {
            return Err(unstorable(lang, &problem));
        }
        Ok(StaffPost {
            console: console.clone(),
            session,
            form,
            lang,
            changes,
            me,
            allowed: PhantomData,
        })
    }
}
