//! `server probe`: an agent away from the site. It pulls the check list (signed, every
//! minute, and keeps the last one on disk so it can start while the site is down),
//! runs the checks, and sends signed batches, buffered on disk meanwhile.

use super::agent::{Agent, AgentChecks};
use super::sinks::HttpSink;
use super::wire::{sign, CheckList, AGENT_HEADER, SIGNATURE_HEADER, TIME_HEADER};
use anyhow::Context;
use chrono::{SecondsFormat, Utc};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// How often the check list is pulled again.
const LIST_EVERY: Duration = Duration::from_secs(60);

pub struct Remote {
    pub site: String,
    pub agent: String,
    pub key: String,
    pub buffer: PathBuf,
    pub source: Option<std::net::IpAddr>,
}

impl Remote {
    async fn pull(&self, client: &reqwest::Client) -> anyhow::Result<CheckList> {
        let time = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
        let response = client
            .get(format!("{}/api/v1/probe/checks", self.site))
            .header(AGENT_HEADER, &self.agent)
            .header(TIME_HEADER, &time)
            .header(SIGNATURE_HEADER, sign(self.key.as_bytes(), time.as_bytes()))
            .send()
            .await
            .context("the site cannot be reached")?;
        let status = response.status();
        let body = response.bytes().await?;
        if !status.is_success() {
            anyhow::bail!(
                "the site answered {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        serde_json::from_slice(&body).context("the check list is not what this agent reads")
    }

    fn cached_list(&self) -> PathBuf {
        self.buffer.join("checks.json")
    }

    fn agent_checks(list: &CheckList) -> Arc<AgentChecks> {
        Arc::new(AgentChecks {
            checks: list.checks.iter().map(|c| c.to_check()).collect(),
            controls: list.controls.iter().map(|c| c.to_check()).collect(),
        })
    }

    /// Runs until stopped.
    pub async fn run(self) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.buffer)
            .with_context(|| format!("creating the buffer {}", self.buffer.display()))?;
        let client = super::probe::client();
        // The list: from the site, or the last one kept, or wait for the site.
        let list = loop {
            match self.pull(&client).await {
                Ok(list) => {
                    save(&self.cached_list(), &list);
                    break list;
                }
                Err(error) => match read(&self.cached_list()) {
                    Some(list) => {
                        tracing::warn!(
                            error = format!("{error:#}"),
                            "using the check list kept from last time"
                        );
                        break list;
                    }
                    None => {
                        tracing::warn!(
                            error = format!("{error:#}"),
                            "no check list yet; retrying in 5 s"
                        );
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    }
                },
            }
        };
        tracing::info!(agent = %self.agent, checks = list.checks.len(), controls = list.controls.len(), site = %self.site, "probing");
        let (set, checks) = tokio::sync::watch::channel(Self::agent_checks(&list));
        let sink = Arc::new(HttpSink {
            client: client.clone(),
            site: self.site.clone(),
            agent: self.agent.clone(),
            key: self.key.clone(),
        });
        let agent = Agent::new(self.agent.clone(), Some(self.buffer.clone()), sink)
            .with_context(|| format!("opening the buffer {}", self.buffer.display()))?
            .with_source(self.source);
        let mut current = list;
        let refresh = async {
            loop {
                tokio::time::sleep(LIST_EVERY).await;
                match self.pull(&client).await {
                    Ok(list) if list != current => {
                        tracing::info!(checks = list.checks.len(), "the check list changed");
                        save(&self.cached_list(), &list);
                        set.send_replace(Self::agent_checks(&list));
                        current = list;
                    }
                    Ok(_) => {}
                    Err(error) => tracing::debug!(
                        error = format!("{error:#}"),
                        "pulling the check list failed"
                    ),
                }
            }
        };
        tokio::select! {
            () = agent.run(checks) => {},
            () = refresh => {},
        }
        Ok(())
    }
}

fn read(path: &Path) -> Option<CheckList> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

fn save(path: &Path, list: &CheckList) {
    let temp = path.with_extension("tmp");
    let written = serde_json::to_vec(list)
        .map_err(std::io::Error::other)
        .and_then(|bytes| std::fs::write(&temp, bytes))
        .and_then(|()| std::fs::rename(&temp, path));
    if let Err(error) = written {
        tracing::warn!(%error, "keeping the check list failed");
    }
}

/// The key from `STATUS_PROBE_KEY`, or the first line of the key file.
pub fn read_key(file: Option<&Path>) -> anyhow::Result<String> {
    if let Ok(key) = std::env::var("STATUS_PROBE_KEY") {
        if !key.trim().is_empty() {
            return Ok(key.trim().to_string());
        }
    }
    let file = file.context("give the agent's key with --key-file or STATUS_PROBE_KEY")?;
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("reading the key file {}", file.display()))?;
    let key = text.lines().next().unwrap_or("").trim().to_string();
    anyhow::ensure!(!key.is_empty(), "the key file {} is empty", file.display());
    Ok(key)
}
