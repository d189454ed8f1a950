//! Taking results in: from the agent inside the server directly, from other agents as
//! signed batches. A batch is checked whole before anything is stored — known agent,
//! signature, size, shape, known checks, no result from the future — and stored once
//! (the agent's sequence number moves in the same transaction). Every refusal is
//! counted by reason (`/metrics`).

use super::wire::{ResultBatch, SIGNATURE_HEADER};
use crate::domain::checks::ChecksConfig;
use crate::store::{BatchStored, NewCheckResult, Store, StoreError};
use chrono::{DateTime, Duration as Span, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The largest batch body taken.
pub const MAX_BATCH_BYTES: usize = 1024 * 1024;
/// The most results in one batch.
pub const MAX_BATCH_RESULTS: usize = 5_000;
/// How far ahead of the site's clock a result may be stamped (clocks differ a little).
pub const FUTURE_TOLERANCE_SECONDS: i64 = 60;
/// Results older than this are refused: older than anything kept raw anyway.
pub const MAX_AGE_DAYS: i64 = 7;
/// How long the agents' keys are cached before being read again.
const KEYS_FOR: std::time::Duration = std::time::Duration::from_secs(10);

/// Why a batch was refused; nothing of it was stored.
#[derive(Debug, PartialEq)]
pub enum Refusal {
    /// 413
    TooLarge,
    /// 401: no such agent, or it was turned off.
    UnknownAgent,
    /// 401
    BadSignature,
    /// 400, with what is wrong.
    Malformed(String),
    /// 409: this batch (or a later one) was already taken.
    Replayed,
    /// 422
    FromTheFuture,
    /// 503: the database did not answer; the agent keeps the batch and retries.
    Unavailable,
}

impl Refusal {
    pub fn reason(&self) -> &'static str {
        match self {
            Refusal::TooLarge => "too_large",
            Refusal::UnknownAgent => "unknown_agent",
            Refusal::BadSignature => "bad_signature",
            Refusal::Malformed(_) => "malformed",
            Refusal::Replayed => "replayed",
            Refusal::FromTheFuture => "from_the_future",
            Refusal::Unavailable => "unavailable",
        }
    }

    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            Refusal::TooLarge => S::PAYLOAD_TOO_LARGE,
            Refusal::UnknownAgent | Refusal::BadSignature => S::UNAUTHORIZED,
            Refusal::Malformed(_) => S::BAD_REQUEST,
            Refusal::Replayed => S::CONFLICT,
            Refusal::FromTheFuture => S::UNPROCESSABLE_ENTITY,
            Refusal::Unavailable => S::SERVICE_UNAVAILABLE,
        }
    }

    pub fn message(&self) -> String {
        match self {
            Refusal::TooLarge => format!(
                "the batch is larger than {MAX_BATCH_BYTES} bytes or {MAX_BATCH_RESULTS} results"
            ),
            Refusal::UnknownAgent => "no active agent of that name is registered".into(),
            Refusal::BadSignature => format!(
                "the {SIGNATURE_HEADER} header is missing or is not the HMAC-SHA256 of the body under the agent's key"
            ),
            Refusal::Malformed(why) => format!("the batch is malformed: {why}"),
            Refusal::Replayed => {
                "this batch's seq was already taken from this agent (a replay or a retry)".into()
            }
            Refusal::FromTheFuture => format!(
                "a result is stamped more than {FUTURE_TOLERANCE_SECONDS} s ahead of the site's clock"
            ),
            Refusal::Unavailable => "the database does not answer; send the batch again later".into(),
        }
    }
}

pub struct Ingest {
    store: Arc<dyn Store>,
    config: Arc<ChecksConfig>,
    keys: Mutex<(Option<Instant>, HashMap<String, String>)>,
}

impl Ingest {
    pub fn new(store: Arc<dyn Store>, config: Arc<ChecksConfig>) -> Self {
        Ingest {
            store,
            config,
            keys: Mutex::new((None, HashMap::new())),
        }
    }

    pub fn config(&self) -> &Arc<ChecksConfig> {
        &self.config
    }

    /// The key of an active agent, from a cache read again every few seconds (and at
    /// once for a name it does not know, so a new agent works right away).
    pub async fn key_of(&self, agent: &str) -> Result<Option<String>, Refusal> {
        {
            let keys = self.keys.lock().expect("keys lock");
            if keys.0.is_some_and(|at| at.elapsed() < KEYS_FOR) {
                if let Some(key) = keys.1.get(agent) {
                    return Ok(Some(key.clone()));
                }
            }
        }
        let agents = self
            .store
            .probe_agents()
            .await
            .map_err(|_| Refusal::Unavailable)?;
        let fresh: HashMap<String, String> = agents
            .into_iter()
            .filter(|a| a.active)
            .map(|a| (a.name, a.secret))
            .collect();
        let key = fresh.get(agent).cloned();
        *self.keys.lock().expect("keys lock") = (Some(Instant::now()), fresh);
        Ok(key)
    }

    /// A signed batch from an agent: checked whole, then stored once.
    pub async fn take_signed(
        &self,
        agent: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<usize, Refusal> {
        let outcome = self.check_and_store(agent, signature, body, now).await;
        match &outcome {
            Ok(n) => metrics::counter!("status_check_results_taken_total").increment(*n as u64),
            Err(refusal) => {
                metrics::counter!("status_check_batches_refused_total", "reason" => refusal.reason())
                    .increment(1)
            }
        }
        outcome
    }

    async fn check_and_store(
        &self,
        agent: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<usize, Refusal> {
        if body.len() > MAX_BATCH_BYTES {
            return Err(Refusal::TooLarge);
        }
        let agent = agent.ok_or(Refusal::UnknownAgent)?;
        let key = self.key_of(agent).await?.ok_or(Refusal::UnknownAgent)?;
        if !signature.is_some_and(|s| super::wire::verify(key.as_bytes(), body, s)) {
            return Err(Refusal::BadSignature);
        }
        let batch: ResultBatch =
            serde_json::from_slice(body).map_err(|e| Refusal::Malformed(e.to_string()))?;
        if batch.agent != agent {
            return Err(Refusal::Malformed(format!(
                "the body names agent \"{}\", the header \"{agent}\"",
                batch.agent
            )));
        }
        self.store_batch(&batch, now).await
    }

    /// A batch from the agent inside the server (no signature: it never crossed a network).
    pub async fn take_local(
        &self,
        batch: &ResultBatch,
        now: DateTime<Utc>,
    ) -> Result<usize, Refusal> {
        self.store_batch(batch, now).await
    }

    async fn store_batch(&self, batch: &ResultBatch, now: DateTime<Utc>) -> Result<usize, Refusal> {
        if batch.results.len() > MAX_BATCH_RESULTS {
            return Err(Refusal::TooLarge);
        }
        let seq = i64::try_from(batch.seq)
            .ok()
            .filter(|seq| *seq > 0)
            .ok_or_else(|| Refusal::Malformed(format!("seq {} is out of range", batch.seq)))?;
        let oldest = now - Span::days(MAX_AGE_DAYS);
        let mut results = Vec::with_capacity(batch.results.len());
        for (i, r) in batch.results.iter().enumerate() {
            let known = self
                .config
                .checks
                .iter()
                .chain(&self.config.controls)
                .any(|c| c.id == r.check);
            if !known {
                return Err(Refusal::Malformed(format!(
                    "results[{i}]: no check \"{}\"",
                    r.check
                )));
            }
            if r.at > now + Span::seconds(FUTURE_TOLERANCE_SECONDS) {
                return Err(Refusal::FromTheFuture);
            }
            if r.at < oldest {
                return Err(Refusal::Malformed(format!(
                    "results[{i}]: stamped {}, older than {MAX_AGE_DAYS} days",
                    r.at.to_rfc3339()
                )));
            }
            if r.detail.chars().count() > 200 {
                return Err(Refusal::Malformed(format!(
                    "results[{i}]: detail longer than 200 characters"
                )));
            }
            results.push(NewCheckResult {
                check: r.check.clone(),
                at: r.at,
                outcome: r.outcome,
                latency_ms: i64::from(r.latency_ms),
                detail: r.detail.clone(),
            });
        }
        match self
            .store
            .add_check_results(&batch.agent, Some(seq), &results)
            .await
        {
            Ok(BatchStored::Stored) => Ok(results.len()),
            Ok(BatchStored::Replayed) => Err(Refusal::Replayed),
            Ok(BatchStored::UnknownAgent) => Err(Refusal::UnknownAgent),
            Err(StoreError::Database(_)) | Err(_) => Err(Refusal::Unavailable),
        }
    }
}
