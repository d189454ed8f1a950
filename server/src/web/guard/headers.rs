//! The security headers of every response, set in this one layer (handlers set only
//! what is theirs alone: the widget's own policy, the page cache's per-page hashes).
//!
//! - `Content-Security-Policy`: pages allow their own origin and their inline scripts by
//!   hash (`csp`); other documents allow nothing to run. A 304 gets no policy added: a
//!   browser merges a 304's headers into the response it kept, so a document policy on
//!   it would replace the page's.
//! - `X-Frame-Options: DENY` except for the widget, which any site may frame.
//! - `Referrer-Policy`: the origin only, across origins; nothing at all from the pages
//!   whose address carries a subscriber's secret.
//! - `Permissions-Policy`: every powerful feature the site never uses, denied.
//! - `Strict-Transport-Security` when the public address is https.

use crate::web::guard::csp;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use axum::middleware::Next;
use std::sync::Arc;

const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), camera=(), \
    display-capture=(), encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), \
    magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), \
    publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), \
    xr-spatial-tracking=()";
const HSTS: &str = "max-age=31536000; includeSubDomains";
/// The largest page the layer reads to hash its scripts (the page cache keeps no more).
const MAX_PAGE: usize = 8 * 1024 * 1024;

pub struct SecurityHeaders {
    /// The public address is https: pin it (HSTS) and upgrade stray http links.
    pub https: bool,
}

impl SecurityHeaders {
    pub fn for_public_url(public_url: &str) -> Self {
        SecurityHeaders {
            https: public_url.starts_with("https://"),
        }
    }
}

/// The widget (`/embed`, `/embed/{service}`) is made to be framed by other sites.
fn is_framable(path: &str) -> bool {
    path == "/embed" || path.starts_with("/embed/")
}

/// Pages whose address carries a subscriber's secret (confirm, unsubscribe).
pub fn carries_secret(path: &str) -> bool {
    path == "/subscribe/confirm" || path == "/unsubscribe"
}

pub fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"))
}

pub async fn layer(
    State(policy): State<Arc<SecurityHeaders>>,
    request: Request,
    next: Next,
) -> Response<Body> {
    let path = request.uri().path();
    let framable = is_framable(path);
    let secret = carries_secret(path);
    let response = next.run(request).await;
    let mut response = if response
        .headers()
        .contains_key(header::CONTENT_SECURITY_POLICY)
        || response.status() == StatusCode::NOT_MODIFIED
    {
        response
    } else if is_html(response.headers()) {
        with_page_policy(response, policy.https).await
    } else {
        let mut response = response;
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp::DOCUMENT_POLICY),
        );
        response
    };
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static(if secret {
            "no-referrer"
        } else {
            "strict-origin-when-cross-origin"
        }),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !framable {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if policy.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

/// A page rendered outside the page cache (the console, error pages): its scripts are
/// hashed here.
async fn with_page_policy(response: Response<Body>, https: bool) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_PAGE).await else {
        return Response::builder()
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .header(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(csp::DOCUMENT_POLICY),
            )
            .body(Body::from("the page could not be produced"))
            .expect("valid response");
    };
    parts.headers.insert(
        header::CONTENT_SECURITY_POLICY,
        csp::for_page(&bytes, https),
    );
    Response::from_parts(parts, Body::from(bytes))
}
