//! Staff sessions: tower-sessions over the database's session store (`store::sessions`).
//! The session id is rotated at sign-in and the record deleted at sign-out; a session
//! ends after 30 idle minutes (tower-sessions' inactivity expiry) or 12 hours after
//! sign-in, whatever happens.

use crate::store::sessions::SessionBackend;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

pub const IDLE_MINUTES: i64 = 30;
pub const ABSOLUTE_HOURS: i64 = 12;
pub const COOKIE_NAME: &str = "status_staff";

/// `HttpOnly; SameSite=Lax`, `Secure` when the site is served over HTTPS.
pub fn layer(backend: SessionBackend, secure: bool) -> SessionManagerLayer<SessionBackend> {
    SessionManagerLayer::new(backend)
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::minutes(IDLE_MINUTES),
        ))
}

const STAFF: &str = "staff";
const CSRF: &str = "csrf";

/// Who is signed in on this session.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SignedIn {
    pub name: String,
    pub signed_in_at: DateTime<Utc>,
}

/// The signed-in account, or None; a session past its absolute lifetime is ended here.
pub async fn signed_in(session: &Session) -> Option<SignedIn> {
    let staff: SignedIn = session.get(STAFF).await.ok()??;
    if Utc::now() - staff.signed_in_at > chrono::Duration::hours(ABSOLUTE_HOURS) {
        let _ = session.flush().await;
        return None;
    }
    Some(staff)
}

/// Rotates the session id (no fixation), then records the account and a new CSRF token.
pub async fn sign_in(session: &Session, name: &str) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session
        .insert(
            STAFF,
            SignedIn {
                name: name.to_string(),
                signed_in_at: Utc::now(),
            },
        )
        .await?;
    session.insert(CSRF, new_token()).await
}

/// Deletes the session record: the cookie no longer names anything.
pub async fn sign_out(session: &Session) -> Result<(), tower_sessions::session::Error> {
    session.flush().await
}

/// The session's CSRF token, created on first use (the sign-in form needs one too).
pub async fn csrf_token(session: &Session) -> Result<String, tower_sessions::session::Error> {
    if let Some(token) = session.get::<String>(CSRF).await? {
        return Ok(token);
    }
    let token = new_token();
    session.insert(CSRF, &token).await?;
    Ok(token)
}

/// Whether a submitted token is this session's, compared in constant time.
pub async fn csrf_ok(session: &Session, submitted: &str) -> bool {
    use subtle::ConstantTimeEq;
    match session.get::<String>(CSRF).await {
        Ok(Some(token)) => {
            !submitted.is_empty() && bool::from(token.as_bytes().ct_eq(submitted.as_bytes()))
        }
        _ => false,
    }
}

fn new_token() -> String {
    crate::web::kit::secret::random_hex(32)
}
