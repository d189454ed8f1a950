//! Request bodies, read in full here before any handler sees them: at most a size that
//! fits what the site takes (a form, a report), and within a deadline from the first
//! byte to the last. A client that trickles a body (slow POST) is answered 408 and its
//! connection closed when the deadline passes, instead of holding a task and a
//! connection for as long as it likes; one that sends too much is answered 413 without
//! the rest being read.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, Response, StatusCode};
use axum::middleware::Next;
use http_body_util::BodyExt;
use std::sync::Arc;
use std::time::Duration;

/// The console's forms (an incident's texts in two languages, a postmortem).
pub const CONSOLE_LIMIT: usize = 256 * 1024;
/// Everything else the public may post: a report, a subscription.
pub const PUBLIC_LIMIT: usize = 16 * 1024;
/// A probe agent's batch of results (checked for its signature before it is parsed).
pub const PROBE_LIMIT: usize = crate::checks::ingest::MAX_BATCH_BYTES;

pub struct BodyLimits {
    /// From the request head to the body's last byte.
    pub deadline: Duration,
}

fn limit_for(path: &str) -> usize {
    if path == "/admin" || path.starts_with("/admin/") {
        CONSOLE_LIMIT
    } else if path == "/api/v1/probe/results" {
        PROBE_LIMIT
    } else {
        PUBLIC_LIMIT
    }
}

pub async fn layer(
    State(limits): State<Arc<BodyLimits>>,
    request: Request,
    next: Next,
) -> Response<Body> {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let limit = limit_for(request.uri().path());
    let api = request.uri().path().starts_with("/api/");
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return refusal(StatusCode::PAYLOAD_TOO_LARGE, api, limit);
    }
    let (parts, body) = request.into_parts();
    let read = http_body_util::Limited::new(body, limit).collect();
    let bytes: Bytes = match tokio::time::timeout(limits.deadline, read).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(error)) if error.is::<http_body_util::LengthLimitError>() => {
            return refusal(StatusCode::PAYLOAD_TOO_LARGE, api, limit);
        }
        // The client went away or sent a broken chunked body.
        Ok(Err(_)) => return refusal(StatusCode::BAD_REQUEST, api, limit),
        Err(_) => return refusal(StatusCode::REQUEST_TIMEOUT, api, limit),
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn refusal(status: StatusCode, api: bool, limit: usize) -> Response<Body> {
    let (ko, en) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            format!(
                "보낸 내용이 너무 깁니다 (최대 {} KB). 아무것도 저장되지 않았습니다.",
                limit / 1024
            ),
            format!(
                "What was sent is too large (at most {} KB). Nothing was saved.",
                limit / 1024
            ),
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "보낸 내용이 제시간에 도착하지 않았습니다. 아무것도 저장되지 않았습니다.".to_string(),
            "What was sent did not arrive in time. Nothing was saved.".to_string(),
        ),
        _ => (
            "보낸 내용을 읽을 수 없습니다. 아무것도 저장되지 않았습니다.".to_string(),
            "What was sent could not be read. Nothing was saved.".to_string(),
        ),
    };
    let (content_type, body) = if api {
        (
            "application/json",
            // The shape of the API's refusals (`ReportRefusal`): the only body it takes.
            serde_json::json!({ "counted": false, "error": en, "error_ko": ko }).to_string(),
        )
    } else {
        ("text/plain; charset=utf-8", format!("{ko}\n{en}\n"))
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The rest of the body is not read: the connection cannot carry another request.
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_console_may_post_more_than_the_public() {
        assert_eq!(limit_for("/admin/actions/post-update"), CONSOLE_LIMIT);
        assert_eq!(limit_for("/report/kakaotalk"), PUBLIC_LIMIT);
        assert_eq!(limit_for("/administrator"), PUBLIC_LIMIT);
    }
}
