//! What probe agents and heartbeat jobs talk to:
//! - `GET /api/v1/probe/checks`: the check list, for a signed agent;
//! - `POST /api/v1/probe/results`: a signed batch of results;
//! - `POST /api/v1/heartbeats/{check}`: a job says it ran (the check's token as
//!   `Authorization: Bearer …` or `?token=…`).
//!
//! Every answer is JSON: `{"stored": n}` or `{"error": reason, "message": …}`.

use crate::checks::ingest::{Ingest, Refusal};
use crate::checks::watch::HEARTBEAT_AGENT;
use crate::checks::wire::{CheckList, AGENT_HEADER, SIGNATURE_HEADER, TIME_HEADER};
use crate::domain::checks::{Outcome, Probe};
use crate::store::{NewCheckResult, Store};
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, Response, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;

/// How far an agent's clock may be from the site's when it asks for the check list.
const CLOCK_TOLERANCE_SECONDS: i64 = 300;

pub struct Probes {
    pub ingest: Arc<Ingest>,
    pub store: Arc<dyn Store>,
}

pub fn router(probes: Option<Arc<Probes>>) -> Router {
    match probes {
        Some(probes) => Router::new()
            .route("/api/v1/probe/checks", get(check_list))
            .route("/api/v1/probe/results", post(results))
            .route("/api/v1/heartbeats/{check}", post(heartbeat).get(heartbeat))
            .with_state(probes),
        None => Router::new()
            .route("/api/v1/probe/checks", get(unavailable))
            .route("/api/v1/probe/results", post(unavailable))
            .route(
                "/api/v1/heartbeats/{check}",
                post(unavailable).get(unavailable),
            ),
    }
}

fn json(status: StatusCode, body: serde_json::Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(body.to_string()))
        .expect("valid response")
}

fn refused(refusal: &Refusal) -> Response<Body> {
    let mut response = json(
        refusal.status(),
        serde_json::json!({ "error": refusal.reason(), "message": refusal.message() }),
    );
    if *refusal == Refusal::Unavailable {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, http::HeaderValue::from_static("30"));
    }
    response
}

async fn unavailable() -> Response<Body> {
    refused(&Refusal::Unavailable)
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The list is signed like a batch, over the request's time (a GET has no body), so a
/// copied request stops working after a few minutes.
async fn check_list(State(probes): State<Arc<Probes>>, headers: HeaderMap) -> Response<Body> {
    let refusal = async {
        let agent = header_str(&headers, AGENT_HEADER).ok_or(Refusal::UnknownAgent)?;
        let key = probes
            .ingest
            .key_of(agent)
            .await?
            .ok_or(Refusal::UnknownAgent)?;
        let time = header_str(&headers, TIME_HEADER).ok_or(Refusal::BadSignature)?;
        let signature = header_str(&headers, SIGNATURE_HEADER).ok_or(Refusal::BadSignature)?;
        if !crate::checks::wire::verify(key.as_bytes(), time.as_bytes(), signature) {
            return Err(Refusal::BadSignature);
        }
        let at = DateTime::parse_from_rfc3339(time)
            .map_err(|_| Refusal::Malformed(format!("{TIME_HEADER} is not an RFC 3339 time")))?;
        if (Utc::now() - at.with_timezone(&Utc)).num_seconds().abs() > CLOCK_TOLERANCE_SECONDS {
            return Err(Refusal::Malformed(format!(
                "{TIME_HEADER} is more than {CLOCK_TOLERANCE_SECONDS} s from the site's clock"
            )));
        }
        Ok(())
    }
    .await;
    match refusal {
        Ok(()) => json(
            StatusCode::OK,
            serde_json::to_value(CheckList::of(probes.ingest.config())).unwrap_or_default(),
        ),
        Err(refusal) => refused(&refusal),
    }
}

async fn results(
    State(probes): State<Arc<Probes>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    match probes
        .ingest
        .take_signed(
            header_str(&headers, AGENT_HEADER),
            header_str(&headers, SIGNATURE_HEADER),
            &body,
            Utc::now(),
        )
        .await
    {
        Ok(stored) => json(
            StatusCode::ACCEPTED,
            serde_json::json!({ "stored": stored }),
        ),
        Err(refusal) => refused(&refusal),
    }
}

async fn heartbeat(
    State(probes): State<Arc<Probes>>,
    Path(check): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response<Body> {
    let Some(Probe::Heartbeat { token, .. }) =
        probes.ingest.config().check(&check).map(|c| &c.probe)
    else {
        return json(
            StatusCode::NOT_FOUND,
            serde_json::json!({ "error": "unknown_check", "message": format!("no heartbeat check \"{check}\"") }),
        );
    };
    let given = header_str(&headers, header::AUTHORIZATION.as_str())
        .and_then(|v| v.strip_prefix("Bearer "))
        .or(query.get("token").map(String::as_str));
    let matches = given.is_some_and(|given| {
        use subtle::ConstantTimeEq;
        bool::from(given.as_bytes().ct_eq(token.as_bytes()))
    });
    if !matches {
        metrics::counter!("status_check_batches_refused_total", "reason" => "bad_token")
            .increment(1);
        return json(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({ "error": "bad_token", "message": "the token is missing or is not this check's" }),
        );
    }
    let beat = NewCheckResult {
        check,
        at: Utc::now(),
        outcome: Outcome::Up,
        latency_ms: 0,
        detail: String::new(),
    };
    match probes
        .store
        .add_check_results(HEARTBEAT_AGENT, None, &[beat])
        .await
    {
        Ok(_) => json(StatusCode::ACCEPTED, serde_json::json!({ "stored": 1 })),
        Err(_) => refused(&Refusal::Unavailable),
    }
}
