//! Turning stored results into verdicts, every second, on every instance alike: it
//! reads the results stored since it last looked (whichever instance took them), keeps
//! each agent's recent results per check, decides each check by the rule of
//! docs/checks.md (`domain::verdict`), records verdict changes once (with their
//! webhook/email events), rolls finished 5-minute buckets up, and hands the snapshot
//! handle what the pages show.

use crate::delivery::Outbox;
use crate::domain::checks::{Check, ChecksConfig, Outcome, Probe};
use crate::domain::verdict::{self, AgentHistory, Rule, Verdict};
use crate::read::checks::{
    bucket_of, CheckStatus, ChecksState, LatencyBucket, BUCKET_SECONDS, CHART_BUCKETS,
};
use crate::read::snapshot::SnapshotHandle;
use crate::store::{Rollup, Store, StoreError, StoredCheckResult, VerdictChange};
use app::model::CheckVerdict;
use chrono::{DateTime, Duration as Span, DurationRound, Utc};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

/// The agent name heartbeats are stored under (the site itself receives them).
pub const HEARTBEAT_AGENT: &str = "heartbeat";

/// Results kept per agent and check beyond what its thresholds need (the newest one's
/// reason, a little history for the page).
const KEPT_EXTRA: usize = 2;
/// Buckets whose raw latencies are kept to roll up again when late results arrive
/// (an agent's buffer sent after an outage): three hours.
const OPEN_BUCKETS: i64 = 36;
/// A bucket is rolled up this long after it ends (results are stamped when the probe
/// started and reach the site a moment later).
const BUCKET_SETTLE: i64 = 30;

pub fn shown(verdict: Verdict) -> CheckVerdict {
    match verdict {
        Verdict::Unknown => CheckVerdict::Unknown,
        Verdict::Up => CheckVerdict::Up,
        Verdict::Degraded => CheckVerdict::Degraded,
        Verdict::Failing => CheckVerdict::Failing,
    }
}

#[derive(Default)]
struct Accumulated {
    latencies: Vec<u32>,
    failures: u32,
    slow: u32,
}

#[derive(Clone)]
struct Decided {
    verdict: Verdict,
    since: Option<DateTime<Utc>>,
    detail: String,
    reporting: u32,
    failing: u32,
    set_aside: u32,
}

impl Default for Decided {
    fn default() -> Self {
        Decided {
            verdict: Verdict::Unknown,
            since: None,
            detail: String::new(),
            reporting: 0,
            failing: 0,
            set_aside: 0,
        }
    }
}

/// One result as kept: when the probe started, what it found, why it failed.
type Seen = (DateTime<Utc>, Outcome, String);

/// A check's verdict changed.
pub struct Transition {
    pub check: Check,
    pub before: Verdict,
    pub after: Verdict,
    pub at: DateTime<Utc>,
    pub detail: String,
}

/// What one instance knows of the checks, built from the stored results.
pub struct Tracker {
    config: Arc<ChecksConfig>,
    started: DateTime<Utc>,
    last_id: i64,
    /// check → agent → its newest results, oldest first.
    recent: HashMap<String, HashMap<String, VecDeque<Seen>>>,
    /// bucket → check → what came in, for the buckets still open to late results.
    open: BTreeMap<i64, HashMap<String, Accumulated>>,
    /// Buckets already rolled up, and whether late results changed them since.
    rolled: BTreeMap<i64, bool>,
    /// check → finished buckets of the last 24 hours.
    series: HashMap<String, BTreeMap<i64, LatencyBucket>>,
    decided: HashMap<String, Decided>,
    /// check → how many results per agent the rule needs (its larger threshold).
    keep: HashMap<String, usize>,
}

impl Tracker {
    pub fn new(config: Arc<ChecksConfig>, started: DateTime<Utc>) -> Self {
        Tracker {
            config: config.clone(),
            started,
            last_id: 0,
            recent: HashMap::new(),
            open: BTreeMap::new(),
            rolled: BTreeMap::new(),
            series: HashMap::new(),
            decided: HashMap::new(),
            keep: config
                .checks
                .iter()
                .chain(&config.controls)
                .map(|c| {
                    let needed = c.failure_threshold.max(c.success_threshold) as usize;
                    (c.id.clone(), needed + KEPT_EXTRA)
                })
                .collect(),
        }
    }

    /// Picks up where the site was: the verdicts last recorded, the rollups of the last
    /// 24 hours, and the results of the last three hours.
    pub async fn load(&mut self, store: &dyn Store, now: DateTime<Utc>) -> Result<(), StoreError> {
        for change in store.verdict_changes(now - Span::days(30)).await? {
            if let Some(verdict) = Verdict::parse(&change.verdict) {
                self.decided.insert(
                    change.check,
                    Decided {
                        verdict,
                        since: Some(change.at),
                        detail: change.detail,
                        ..Decided::default()
                    },
                );
            }
        }
        let current = bucket_of(now);
        for rollup in store.rollups(current - CHART_BUCKETS, current).await? {
            self.rolled.insert(rollup.bucket, false);
            self.series.entry(rollup.check.clone()).or_default().insert(
                rollup.bucket,
                LatencyBucket {
                    bucket: rollup.bucket,
                    count: rollup.count as u32,
                    failures: rollup.failures as u32,
                    p50_ms: rollup.p50_ms as u32,
                    p95_ms: rollup.p95_ms as u32,
                },
            );
        }
        self.last_id = store
            .check_results_start(now - Span::seconds(OPEN_BUCKETS * BUCKET_SECONDS))
            .await?;
        Ok(())
    }

    /// Reads what was stored since the last call; returns how many results.
    pub async fn catch_up(&mut self, store: &dyn Store) -> Result<usize, StoreError> {
        const PAGE: i64 = 5_000;
        let mut read = 0;
        loop {
            let results = store.check_results_after(self.last_id, PAGE).await?;
            let n = results.len();
            for result in results {
                self.add(result);
            }
            read += n;
            if (n as i64) < PAGE {
                return Ok(read);
            }
        }
    }

    pub fn add(&mut self, stored: StoredCheckResult) {
        self.last_id = self.last_id.max(stored.id);
        let r = stored.result;
        let bucket = bucket_of(r.at);
        // Only buckets still open to late results are (re)rolled up: a result older
        // than that would overwrite a complete rollup with a partial one.
        if bucket >= bucket_of(Utc::now()) - OPEN_BUCKETS {
            let acc = self
                .open
                .entry(bucket)
                .or_default()
                .entry(r.check.clone())
                .or_default();
            match r.outcome {
                Outcome::Down => acc.failures += 1,
                Outcome::Slow => {
                    acc.slow += 1;
                    acc.latencies
                        .push(r.latency_ms.clamp(0, u32::MAX as i64) as u32)
                }
                Outcome::Up => acc
                    .latencies
                    .push(r.latency_ms.clamp(0, u32::MAX as i64) as u32),
            }
            if let Some(changed) = self.rolled.get_mut(&bucket) {
                *changed = true;
            }
        }
        let keep = self.keep.get(&r.check).copied().unwrap_or(KEPT_EXTRA + 1);
        let kept = self
            .recent
            .entry(r.check)
            .or_default()
            .entry(stored.agent)
            .or_default();
        // Buffered results may arrive after newer ones: keep them in time order.
        let at = kept.partition_point(|(t, _, _)| *t <= r.at);
        kept.insert(at, (r.at, r.outcome, r.detail));
        while kept.len() > keep {
            kept.pop_front();
        }
    }

    /// Whether an agent's own network worked in its latest round: none of its control
    /// targets' newest results (if recent) failed.
    fn network_ok(&self, agent: &str, now: DateTime<Utc>) -> bool {
        self.config.controls.iter().all(|control| {
            match self
                .recent
                .get(&control.id)
                .and_then(|agents| agents.get(agent))
                .and_then(|r| r.back())
            {
                Some((at, outcome, _)) => {
                    outcome.succeeded()
                        || now - *at > Span::from_std(control.interval * 3).unwrap_or_default()
                }
                None => true,
            }
        })
    }

    fn decide(&self, check: &Check, previous: Verdict, now: DateTime<Utc>) -> Decided {
        let rule = Rule::of(check);
        if let Probe::Heartbeat { missing_beats, .. } = &check.probe {
            let last = self
                .recent
                .get(&check.id)
                .and_then(|agents| agents.get(HEARTBEAT_AGENT))
                .and_then(|r| r.back())
                .map(|(at, _, _)| *at);
            let verdict = verdict::heartbeat(&rule, *missing_beats, last, self.started, now);
            return Decided {
                verdict,
                detail: match (verdict, last) {
                    (Verdict::Failing, Some(at)) => format!("no beat since {}", at.to_rfc3339()),
                    (Verdict::Failing, None) => "no beat received".into(),
                    _ => String::new(),
                },
                reporting: 1,
                failing: u32::from(verdict == Verdict::Failing),
                ..Decided::default()
            };
        }
        let mut histories = Vec::new();
        let mut detail = String::new();
        let mut newest_problem: Option<DateTime<Utc>> = None;
        let empty = HashMap::new();
        for (agent, results) in self.recent.get(&check.id).unwrap_or(&empty) {
            let network_ok = self.network_ok(agent, now);
            // Why it fails, in the words of the newest counted agent whose latest result
            // is a problem (a set-aside agent's "connection closed" says nothing).
            if let Some((at, outcome, why)) = results.back() {
                if network_ok && *outcome != Outcome::Up && newest_problem.is_none_or(|t| *at > t) {
                    newest_problem = Some(*at);
                    detail = format!("{agent}: {why}");
                }
            }
            histories.push((
                agent.clone(),
                results.iter().map(|(at, o, _)| (*at, *o)).collect(),
                network_ok,
            ));
        }
        histories.sort_by(|a: &(String, Vec<_>, bool), b| a.0.cmp(&b.0));
        let agents: Vec<AgentHistory> = histories
            .iter()
            .map(|(agent, results, network_ok)| AgentHistory {
                agent,
                results,
                network_ok: *network_ok,
            })
            .collect();
        let decision = verdict::decide(&rule, previous, &agents, now);
        Decided {
            verdict: decision.verdict,
            since: None,
            detail: if decision.verdict == Verdict::Up {
                String::new()
            } else {
                detail
            },
            reporting: decision.agents_reporting,
            failing: decision.agents_failing,
            set_aside: decision.agents_set_aside.len() as u32,
        }
    }

    /// Decides every check; returns the changes to record (failing, recovered), each at
    /// the time it was decided, to the second.
    pub fn decide_all(&mut self, now: DateTime<Utc>) -> Vec<Transition> {
        let at = now.duration_trunc(Span::seconds(1)).unwrap_or(now);
        let mut changes = Vec::new();
        for check in &self.config.checks {
            let previous = self.decided.get(&check.id).cloned().unwrap_or_default();
            let mut next = self.decide(check, previous.verdict, now);
            if next.verdict == previous.verdict {
                next.since = previous.since;
            } else {
                next.since = Some(at);
                changes.push(Transition {
                    check: check.clone(),
                    before: previous.verdict,
                    after: next.verdict,
                    at,
                    detail: next.detail.clone(),
                });
            }
            self.decided.insert(check.id.clone(), next);
        }
        changes
    }

    /// Buckets that have settled and not been rolled up (or changed by late results
    /// since): their rollups, to store. Forgets buckets past the open window.
    pub fn roll_up(&mut self, now: DateTime<Utc>) -> Vec<Rollup> {
        let settled = bucket_of(now - Span::seconds(BUCKET_SETTLE));
        let mut rollups = Vec::new();
        for (bucket, checks) in self.open.range(..settled) {
            if self.rolled.get(bucket) == Some(&false) {
                continue;
            }
            for (check, acc) in checks {
                let mut latencies = acc.latencies.clone();
                latencies.sort_unstable();
                let pct = |p: usize| {
                    if latencies.is_empty() {
                        0
                    } else {
                        latencies[((latencies.len() - 1) * p).div_ceil(100)]
                    }
                };
                let bucket_row = LatencyBucket {
                    bucket: *bucket,
                    count: latencies.len() as u32 + acc.failures,
                    failures: acc.failures,
                    p50_ms: pct(50),
                    p95_ms: pct(95),
                };
                self.series
                    .entry(check.clone())
                    .or_default()
                    .insert(*bucket, bucket_row);
                rollups.push(Rollup {
                    check: check.clone(),
                    bucket: *bucket,
                    count: i64::from(bucket_row.count),
                    failures: i64::from(acc.failures),
                    slow: i64::from(acc.slow),
                    p50_ms: i64::from(bucket_row.p50_ms),
                    p95_ms: i64::from(bucket_row.p95_ms),
                });
            }
            self.rolled.insert(*bucket, false);
        }
        let keep_from = bucket_of(now) - OPEN_BUCKETS;
        self.open.retain(|bucket, _| *bucket >= keep_from);
        self.rolled
            .retain(|bucket, _| *bucket >= bucket_of(now) - CHART_BUCKETS);
        let chart_from = bucket_of(now) - CHART_BUCKETS;
        for series in self.series.values_mut() {
            series.retain(|bucket, _| *bucket >= chart_from);
        }
        rollups
    }

    /// What the pages show.
    pub fn state(&self, now: DateTime<Utc>) -> ChecksState {
        let grace = Span::from_std(self.config.disagreement_grace).unwrap_or_default();
        ChecksState {
            version: 0,
            as_of: now,
            current_bucket: bucket_of(now),
            checks: self
                .config
                .checks
                .iter()
                .map(|check| {
                    let decided = self.decided.get(&check.id).cloned().unwrap_or_default();
                    CheckStatus {
                        id: check.id.clone(),
                        component: check.component.clone().unwrap_or_default(),
                        name_ko: check.name_ko.clone(),
                        name_en: check.name_en.clone(),
                        kind: check.probe.kind().to_string(),
                        verdict: shown(decided.verdict),
                        since: decided.since,
                        past_grace: decided.verdict == Verdict::Failing
                            && decided.since.is_none_or(|since| now - since >= grace),
                        detail: decided.detail,
                        agents_reporting: decided.reporting,
                        agents_failing: decided.failing,
                        agents_set_aside: decided.set_aside,
                        series: self
                            .series
                            .get(&check.id)
                            .map(|s| s.values().copied().collect())
                            .unwrap_or_default(),
                    }
                })
                .collect(),
        }
    }
}

/// The loop: every second, catch up, decide, record, roll up, publish.
pub async fn run(
    store: Arc<dyn Store>,
    config: Arc<ChecksConfig>,
    snapshot: Arc<SnapshotHandle>,
    outbox: Option<Arc<Outbox>>,
) {
    let mut tracker = Tracker::new(config.clone(), Utc::now());
    while let Err(error) = tracker.load(store.as_ref(), Utc::now()).await {
        tracing::warn!(%error, "reading the checks' state failed; retrying");
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    let mut ticks: u64 = 0;
    loop {
        if let Err(error) = step(&mut tracker, store.as_ref(), outbox.as_deref(), &snapshot).await {
            tracing::warn!(%error, "deciding the checks failed");
        }
        if ticks.is_multiple_of(3600) {
            prune(store.as_ref(), &config).await;
        }
        ticks = ticks.wrapping_add(1);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

pub async fn step(
    tracker: &mut Tracker,
    store: &dyn Store,
    outbox: Option<&Outbox>,
    snapshot: &SnapshotHandle,
) -> Result<(), StoreError> {
    tracker.catch_up(store).await?;
    let now = Utc::now();
    for Transition {
        check,
        before,
        after,
        at,
        detail,
    } in tracker.decide_all(now)
    {
        // Only failing and its end are news; Unknown (nobody reporting) is not a verdict.
        let failing = after == Verdict::Failing;
        let recovered = before == Verdict::Failing && after != Verdict::Unknown;
        if after == Verdict::Unknown && before != Verdict::Failing {
            continue;
        }
        let change = VerdictChange {
            check: check.id.clone(),
            component: check.component.clone().unwrap_or_default(),
            at,
            verdict: after.as_str().to_string(),
            detail: detail.clone(),
        };
        let new = store.save_verdict_change(&change).await?;
        tracing::info!(check = %check.id, from = before.as_str(), to = after.as_str(), %detail, "check verdict changed");
        if new && (failing || recovered) {
            if let Some(outbox) = outbox {
                store
                    .record_event(&outbox.events().check(&check, failing, at, &detail))
                    .await?;
                outbox.wake();
            }
        }
    }
    let rollups = tracker.roll_up(now);
    store.save_rollups(&rollups).await?;
    snapshot.set_checks(tracker.state(now));
    Ok(())
}

async fn prune(store: &dyn Store, config: &ChecksConfig) {
    let now = Utc::now();
    let results_before = now - Span::days(i64::from(config.raw_retention_days));
    let rollups_before = bucket_of(now - Span::days(90));
    match store.prune_checks(results_before, rollups_before).await {
        Ok((results, rollups)) if results + rollups > 0 => {
            tracing::info!(results, rollups, "deleted check results past retention")
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "deleting old check results failed"),
    }
}
