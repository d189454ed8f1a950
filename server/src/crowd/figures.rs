//! What the pages show about crowd reports, recomputed every few seconds from the
//! per-minute counts (never from raw reports), and the signal advanced with it.

use crate::delivery::Outbox;
use crate::domain::catalog::Catalog;
use crate::domain::signal::{self, Detector, BASELINE_WEEKS, RECENT_MINUTES};
use crate::read::crowd::{minute_time, CrowdState, ServiceCrowd, BIN_MINUTES};
use crate::read::snapshot::SnapshotHandle;
use crate::store::{SignalRecord, Store};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub const DAY_MINUTES: i64 = 1440;
const WEEK_MINUTES: i64 = 7 * DAY_MINUTES;

/// Per-service series of counts per minute over `[from, to)`.
async fn series(
    store: &dyn Store,
    from: i64,
    to: i64,
) -> anyhow::Result<HashMap<String, Vec<i64>>> {
    let mut out: HashMap<String, Vec<i64>> = HashMap::new();
    for row in store.report_totals(from, to).await? {
        let len = (to - from) as usize;
        let counts = out.entry(row.service).or_insert_with(|| vec![0; len]);
        if let Some(slot) = counts.get_mut((row.minute - from) as usize) {
            *slot = row.count;
        }
    }
    Ok(out)
}

/// Recomputes the figures every `every`, and soon after reports are stored (at most four
/// times a second), and advances the signal; runs forever.
pub async fn run(
    store: Arc<dyn Store>,
    catalog: Arc<Catalog>,
    snapshot: Arc<SnapshotHandle>,
    every: Duration,
    mut stored: tokio::sync::watch::Receiver<u64>,
    outbox: Option<Arc<Outbox>>,
) {
    let mut detectors: HashMap<String, Detector> = HashMap::new();
    // Signals that were still firing when this instance started carry on.
    if let Ok(open) = store.signals(Utc::now() - chrono::Duration::days(1)).await {
        for s in open.into_iter().filter(|s| s.cleared_at.is_none()) {
            let detector = detectors.entry(s.service.clone()).or_default();
            detector.firing_since = Some(s.fired_at.timestamp().div_euclid(60));
            detector.peak = s.peak;
        }
    }
    let mut ticker = tokio::time::interval(every);
    let mut baseline = Baseline::default();
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            changed = stored.changed() => if changed.is_err() { return },
        }
        match refresh_with(
            &*store,
            &catalog,
            &mut detectors,
            &mut baseline,
            outbox.as_deref(),
            Utc::now(),
        )
        .await
        {
            Ok(state) => snapshot.set_crowd(state),
            Err(error) => {
                tracing::warn!(error = format!("{error:#}"), "crowd figures not refreshed")
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The past weeks' counts, read again only when the chart moves to a new 5-minute bin.
#[derive(Default)]
pub struct Baseline {
    start: i64,
    weeks: Vec<HashMap<String, Vec<i64>>>,
}

/// One refresh: the last 24 hours per 5 minutes, the normal level from past weeks, the
/// last hour's problems and regions, and one step of each service's signal.
pub async fn refresh(
    store: &dyn Store,
    catalog: &Catalog,
    detectors: &mut HashMap<String, Detector>,
    now: DateTime<Utc>,
) -> anyhow::Result<CrowdState> {
    refresh_with(
        store,
        catalog,
        detectors,
        &mut Baseline::default(),
        None,
        now,
    )
    .await
}

async fn refresh_with(
    store: &dyn Store,
    catalog: &Catalog,
    detectors: &mut HashMap<String, Detector>,
    baseline: &mut Baseline,
    outbox: Option<&Outbox>,
    now: DateTime<Utc>,
) -> anyhow::Result<CrowdState> {
    let now_minute = now.timestamp().div_euclid(60);
    // Bins end with the one holding the current minute.
    let end = (now_minute.div_euclid(BIN_MINUTES) + 1) * BIN_MINUTES;
    let start = end - DAY_MINUTES;
    let half = signal::BASELINE_HALF_WIDTH as i64;
    let today = series(store, start, end).await?;
    if baseline.start != start || baseline.weeks.is_empty() {
        baseline.weeks.clear();
        for k in 1..=BASELINE_WEEKS as i64 {
            let shift = k * WEEK_MINUTES;
            baseline
                .weeks
                .push(series(store, start - shift - half, end - shift + half).await?);
        }
        baseline.start = start;
    }
    let weeks = &baseline.weeks;
    let mut problems: HashMap<String, HashMap<String, u32>> = HashMap::new();
    let mut regions: HashMap<String, HashMap<String, u32>> = HashMap::new();
    for row in store
        .report_breakdown(now_minute - 59, now_minute + 1)
        .await?
    {
        *problems
            .entry(row.service.clone())
            .or_default()
            .entry(row.problem)
            .or_default() += row.count as u32;
        if !row.region.is_empty() {
            *regions
                .entry(row.service)
                .or_default()
                .entry(row.region)
                .or_default() += row.count as u32;
        }
    }
    let sorted = |map: Option<&HashMap<String, u32>>| {
        let mut items: Vec<(String, u32)> = map
            .map(|m| m.iter().map(|(k, v)| (k.clone(), *v)).collect())
            .unwrap_or_default();
        items.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        items
    };

    let mut state = CrowdState {
        as_of: now,
        ..CrowdState::default()
    };
    for service in &catalog.services {
        let slug = &service.slug;
        let empty = vec![0; (end - start) as usize];
        let counts = today.get(slug).unwrap_or(&empty);
        let past: Vec<Option<&Vec<i64>>> = weeks.iter().map(|w| w.get(slug)).collect();
        // Normal per minute at index i of today's series (past weeks are offset by `half`).
        let normal_at = |i: usize| {
            let per_week: Vec<Option<f64>> = past
                .iter()
                .map(|w| {
                    Some(w.map_or(0.0, |w| {
                        signal::window_mean(w, i + half as usize).unwrap_or(0.0)
                    }))
                })
                .collect();
            signal::normal_per_minute(&per_week)
        };
        let bins = counts
            .chunks(BIN_MINUTES as usize)
            .map(|c| c.iter().sum::<i64>() as u32)
            .collect();
        let normal = (0..counts.len())
            .step_by(BIN_MINUTES as usize)
            .map(|i| (normal_at(i + BIN_MINUTES as usize / 2) * BIN_MINUTES as f64) as f32)
            .collect();
        let now_index = (now_minute - start) as usize;
        let recent: i64 = counts[now_index + 1 - RECENT_MINUTES as usize..=now_index]
            .iter()
            .sum();
        let detector = detectors.entry(slug.clone()).or_default();
        let before = detector.firing_since;
        match detector.step(now_minute, recent, normal_at(now_index)) {
            Some(signal::Change::Fired) => {
                // At the minute, not the second: every instance steps the same detector
                // over the same shared counts, so they record one signal and one event
                // (both keyed by the service and this time), not one each.
                let fired_at = minute_time(now_minute);
                store
                    .save_signal(&SignalRecord {
                        service: slug.clone(),
                        fired_at,
                        cleared_at: None,
                        peak: recent,
                    })
                    .await?;
                if let Some(outbox) = outbox {
                    store
                        .record_event(&outbox.events().crowd(slug, fired_at, None, recent))
                        .await?;
                    outbox.wake();
                }
            }
            Some(signal::Change::Cleared) => {
                if let Some(fired) = before {
                    let record = SignalRecord {
                        service: slug.clone(),
                        fired_at: minute_fired_at(store, slug, fired).await,
                        cleared_at: Some(now),
                        peak: recent,
                    };
                    store.save_signal(&record).await?;
                    if let Some(outbox) = outbox {
                        let event =
                            outbox
                                .events()
                                .crowd(slug, record.fired_at, record.cleared_at, recent);
                        store.record_event(&event).await?;
                        outbox.wake();
                    }
                }
            }
            None => {}
        }
        let last_hour: u32 = counts[now_index.saturating_sub(59)..=now_index]
            .iter()
            .sum::<i64>() as u32;
        state.services.insert(
            slug.clone(),
            ServiceCrowd {
                start_minute: start,
                bins,
                normal,
                last_hour,
                problems: sorted(problems.get(slug)),
                regions: sorted(regions.get(slug)),
                firing_since: detector.firing_since.map(minute_time),
            },
        );
    }
    Ok(state)
}

/// The stored firing time of the signal that fired in `minute` (the row's key).
async fn minute_fired_at(store: &dyn Store, service: &str, minute: i64) -> DateTime<Utc> {
    store
        .signals(minute_time(minute))
        .await
        .ok()
        .and_then(|s| {
            s.into_iter()
                .find(|s| s.service == service && s.cleared_at.is_none())
        })
        .map(|s| s.fired_at)
        .unwrap_or_else(|| minute_time(minute))
}
