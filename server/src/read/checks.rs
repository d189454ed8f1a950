//! The automated checks as readers see them: computed by `checks::watch`, kept in the
//! snapshot handle beside the public state (like the crowd figures), turned into page
//! data here. Shown beside the official state, never instead of it.

use super::localized::localized;
use super::snapshot::Snapshot;
use app::data::public::{CheckAlert, CheckView, FeatureChecks, LatencyChart};
use app::model::{CheckVerdict, ComponentStatus, Lang};
use chrono::{DateTime, TimeZone, Utc};

/// The latency chart's bins: 5 minutes, over 24 hours.
pub const BUCKET_SECONDS: i64 = 300;
pub const CHART_BUCKETS: i64 = 24 * 60 * 60 / BUCKET_SECONDS;

/// The 5-minute bucket a moment falls in (periods since the Unix epoch).
pub fn bucket_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(BUCKET_SECONDS)
}

pub fn bucket_start(bucket: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(bucket * BUCKET_SECONDS, 0)
        .single()
        .unwrap_or_default()
}

/// One check's results in one finished bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LatencyBucket {
    pub bucket: i64,
    pub count: u32,
    pub failures: u32,
    pub p50_ms: u32,
    pub p95_ms: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CheckStatus {
    pub id: String,
    /// `service/component`.
    pub component: String,
    pub name_ko: String,
    pub name_en: String,
    pub kind: String,
    pub verdict: CheckVerdict,
    /// When the verdict last changed (None: not since the site started watching).
    pub since: Option<DateTime<Utc>>,
    /// Failing for longer than the grace time (whatever the official state says).
    pub past_grace: bool,
    pub detail: String,
    pub agents_reporting: u32,
    pub agents_failing: u32,
    pub agents_set_aside: u32,
    /// Finished buckets of the last 24 hours, oldest first.
    pub series: Vec<LatencyBucket>,
}

#[derive(Clone, Debug, Default)]
pub struct ChecksState {
    pub version: u64,
    /// When the verdicts were last decided.
    pub as_of: DateTime<Utc>,
    /// The bucket the chart ends before (the current, unfinished one).
    pub current_bucket: i64,
    /// In the order of config/checks.toml.
    pub checks: Vec<CheckStatus>,
}

impl ChecksState {
    /// Whether the pages would show something else (the version then moves on).
    pub fn same_view(&self, other: &ChecksState) -> bool {
        self.checks == other.checks && self.current_bucket == other.current_bucket
    }

    fn chart(&self, check: &CheckStatus) -> LatencyChart {
        let first = self.current_bucket - CHART_BUCKETS;
        let mut chart = LatencyChart {
            start: bucket_start(first),
            bin_minutes: (BUCKET_SECONDS / 60) as u32,
            p50: vec![None; CHART_BUCKETS as usize],
            p95: vec![None; CHART_BUCKETS as usize],
            counts: vec![0; CHART_BUCKETS as usize],
            failures: vec![0; CHART_BUCKETS as usize],
        };
        for b in &check.series {
            let Ok(i) = usize::try_from(b.bucket - first) else {
                continue;
            };
            if i >= CHART_BUCKETS as usize {
                continue;
            }
            chart.counts[i] = b.count;
            chart.failures[i] = b.failures;
            // Latency is that of the answers that came: none when all failed.
            if b.count > b.failures {
                chart.p50[i] = Some(b.p50_ms);
                chart.p95[i] = Some(b.p95_ms);
            }
        }
        chart
    }

    fn view(&self, check: &CheckStatus, lang: Lang) -> CheckView {
        CheckView {
            id: check.id.clone(),
            name: localized(lang, &check.name_ko, Some(&check.name_en)).text,
            kind: check.kind.clone(),
            verdict: check.verdict,
            since: check.since,
            detail: check.detail.clone(),
            agents_reporting: check.agents_reporting,
            agents_failing: check.agents_failing,
            agents_set_aside: check.agents_set_aside,
            latency: self.chart(check),
        }
    }

    /// Since when a feature's checks disagree with its official state: failing past the
    /// grace time while officially operational.
    fn disagreement(&self, component: &str, official: ComponentStatus) -> Option<DateTime<Utc>> {
        if official != ComponentStatus::Operational {
            return None;
        }
        self.checks
            .iter()
            .filter(|c| c.component == component && c.past_grace)
            .filter_map(|c| c.since)
            .min()
    }

    /// The features of a service that have checks, in catalog order.
    pub fn features(&self, snapshot: &Snapshot, slug: &str, lang: Lang) -> Vec<FeatureChecks> {
        let Some(service) = snapshot.catalog.service(slug) else {
            return Vec::new();
        };
        service
            .components
            .iter()
            .filter_map(|component| {
                let id = format!("{slug}/{}", component.slug);
                let checks: Vec<CheckView> = self
                    .checks
                    .iter()
                    .filter(|c| c.component == id)
                    .map(|c| self.view(c, lang))
                    .collect();
                if checks.is_empty() {
                    return None;
                }
                let official = snapshot.current_status(&id);
                Some(FeatureChecks {
                    name: localized(lang, &component.name_ko, Some(&component.name_en)).text,
                    verdict: checks.iter().map(|c| c.verdict).max().unwrap_or_default(),
                    official,
                    disagreement_since: self.disagreement(&id, official),
                    checks,
                    component: id,
                })
            })
            .collect()
    }

    /// Every feature whose checks disagree with its official state, in catalog order.
    pub fn alerts(&self, snapshot: &Snapshot, lang: Lang) -> Vec<CheckAlert> {
        let mut alerts = Vec::new();
        for service in &snapshot.catalog.services {
            for component in &service.components {
                let id = format!("{}/{}", service.slug, component.slug);
                if let Some(since) = self.disagreement(&id, snapshot.current_status(&id)) {
                    alerts.push(CheckAlert {
                        service: service.slug.clone(),
                        service_name: localized(lang, &service.name_ko, Some(&service.name_en))
                            .text,
                        component: id,
                        name: localized(lang, &component.name_ko, Some(&component.name_en)).text,
                        since,
                    });
                }
            }
        }
        alerts
    }
}
