//! Where an agent's batches go: straight into the ingest (the agent inside the server),
//! or over HTTP, signed, to the site (`server probe`).

use super::agent::{SendError, Sink};
use super::ingest::{Ingest, Refusal};
use super::wire::{sign, ResultBatch, AGENT_HEADER, SIGNATURE_HEADER};
use async_trait::async_trait;
use chrono::Utc;
use std::sync::Arc;

/// The agent inside the server: its batches never cross a network.
pub struct LocalSink(pub Arc<Ingest>);

#[async_trait]
impl Sink for LocalSink {
    async fn send(&self, batch: &ResultBatch) -> Result<(), SendError> {
        match self.0.take_local(batch, Utc::now()).await {
            Ok(_) => Ok(()),
            Err(Refusal::Unavailable) => {
                Err(SendError::Retry("the database does not answer".into()))
            }
            Err(refusal) => Err(SendError::Refused(refusal.message())),
        }
    }
}

/// An agent elsewhere: `POST {site}/api/v1/probe/results`, signed with its key.
pub struct HttpSink {
    pub client: reqwest::Client,
    pub site: String,
    pub agent: String,
    pub key: String,
}

#[async_trait]
impl Sink for HttpSink {
    async fn send(&self, batch: &ResultBatch) -> Result<(), SendError> {
        let body = serde_json::to_vec(batch).map_err(|e| SendError::Refused(e.to_string()))?;
        let response = self
            .client
            .post(format!("{}/api/v1/probe/results", self.site))
            .header(AGENT_HEADER, &self.agent)
            .header(SIGNATURE_HEADER, sign(self.key.as_bytes(), &body))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| SendError::Retry(format!("the site cannot be reached: {e}")))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        match status.as_u16() {
            200..=299 => Ok(()),
            // Taken before (a retry whose answer was lost): the site has it.
            409 => Ok(()),
            // The site is busy or its database is down: the batch waits.
            408 | 429 | 500..=599 => Err(SendError::Retry(format!("{status}: {text}"))),
            // Unknown agent or bad key: keep the results until the key is fixed.
            401 => Err(SendError::Retry(format!("{status}: {text}"))),
            _ => Err(SendError::Refused(format!("{status}: {text}"))),
        }
    }
}
