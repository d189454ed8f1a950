//! What an agent sends the site: batches of results, numbered per agent (a batch is
//! taken once: a replay is refused) and signed with the agent's key (HMAC-SHA256 of the
//! exact body).

use crate::domain::checks::Outcome;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Header naming the agent.
pub const AGENT_HEADER: &str = "x-probe-agent";
/// Header carrying `sha256=<hex HMAC of the body>` (or, for the check list, of the
/// `x-probe-time` value).
pub const SIGNATURE_HEADER: &str = "x-probe-signature";
/// Header carrying the request's time (RFC 3339) on `GET` requests, which have no body.
pub const TIME_HEADER: &str = "x-probe-time";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultBatch {
    pub agent: String,
    /// Increases by one per batch the agent makes; kept on disk with the buffer.
    pub seq: u64,
    pub results: Vec<CheckResult>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckResult {
    /// The check's id (config/checks.toml), or a control target's.
    pub check: String,
    /// When the probe started.
    pub at: DateTime<Utc>,
    pub outcome: Outcome,
    pub latency_ms: u32,
    /// Why it failed, in a few words ("status 500", "connection refused"); empty when up.
    #[serde(default)]
    pub detail: String,
}

type HmacSha256 = Hmac<Sha256>;

/// `sha256=<hex>` of `message` under `key`.
pub fn sign(key: &[u8], message: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `signature` is `sign(key, message)`, compared in constant time.
pub fn verify(key: &[u8], message: &[u8], signature: &str) -> bool {
    let Some(hex_mac) = signature.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(given) = hex::decode(hex_mac) else {
        return false;
    };
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    mac.verify_slice(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_checks_only_with_the_same_key_and_body() {
        let signature = sign(b"key-1", b"{\"seq\":1}");
        assert!(verify(b"key-1", b"{\"seq\":1}", &signature));
        assert!(!verify(b"key-2", b"{\"seq\":1}", &signature));
        assert!(!verify(b"key-1", b"{\"seq\":2}", &signature));
        assert!(!verify(b"key-1", b"{\"seq\":1}", "sha256=00"));
        assert!(!verify(b"key-1", b"{\"seq\":1}", &signature[7..]));
    }
}

/// The check list an agent pulls (`GET /api/v1/probe/checks`): every check but the
/// heartbeats (which the site receives itself), and the control targets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckList {
    pub checks: Vec<CheckSpec>,
    pub controls: Vec<CheckSpec>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckSpec {
    pub id: String,
    pub probe: crate::domain::checks::Probe,
    pub interval_ms: u64,
    pub timeout_ms: u64,
    pub max_latency_ms: Option<u64>,
}

impl CheckList {
    pub fn of(config: &crate::domain::checks::ChecksConfig) -> Self {
        let spec = |c: &crate::domain::checks::Check| CheckSpec {
            id: c.id.clone(),
            probe: c.probe.clone(),
            interval_ms: c.interval.as_millis() as u64,
            timeout_ms: c.timeout.as_millis() as u64,
            max_latency_ms: c.max_latency.map(|d| d.as_millis() as u64),
        };
        CheckList {
            checks: config
                .checks
                .iter()
                .filter(|c| !matches!(c.probe, crate::domain::checks::Probe::Heartbeat { .. }))
                .map(spec)
                .collect(),
            controls: config.controls.iter().map(spec).collect(),
        }
    }
}

impl CheckSpec {
    /// The check as an agent runs it (thresholds are the site's business, not the agent's).
    pub fn to_check(&self) -> crate::domain::checks::Check {
        use std::time::Duration;
        crate::domain::checks::Check {
            id: self.id.clone(),
            component: None,
            name_ko: self.id.clone(),
            name_en: self.id.clone(),
            probe: self.probe.clone(),
            interval: Duration::from_millis(self.interval_ms.max(1_000)),
            timeout: Duration::from_millis(self.timeout_ms.max(1)),
            failure_threshold: 1,
            success_threshold: 1,
            max_latency: self.max_latency_ms.map(Duration::from_millis),
        }
    }
}
