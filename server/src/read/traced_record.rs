//! An incident's record with what the database holds beside the snapshot: the ledger
//! entries behind each figure (`domain::provenance`), and the crowd's busiest minute
//! (from the per-minute counts, which are not in the ledger).

use super::crowd::minute_time;
use super::past::PastViews;
use super::snapshot::Snapshot;
use crate::domain::provenance::{self, Source};
use crate::domain::replay;
use crate::store::Store;
use app::data::public::FilterError;
use app::data::record::{CrowdPeak, RecordView};
use app::model::Lang;
use chrono::TimeDelta;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Crowd reports this long before the first sign still belong to the incident: users
/// report before anyone declares anything.
const LEAD_MINUTES: i64 = 60;

impl PastViews {
    /// The record of incident `id`, now or as of `as_of`.
    pub async fn record(
        &self,
        id: &str,
        lang: Lang,
        as_of: Option<&str>,
    ) -> Result<Option<RecordView>, FilterError> {
        let snapshot = self.snapshot_at(as_of).await?;
        if snapshot.state.incident(id).is_none() {
            return Ok(None);
        }
        let traced = match &self.store {
            Some(store) => self.traced(store.as_ref(), &snapshot, id).await,
            None => None,
        };
        let mut record = snapshot.record_view(id, lang, traced.as_deref(), None);
        if let (Some(record), Some(store)) = (&mut record, &self.store) {
            if let Some(peak) = crowd_peak(store.as_ref(), &snapshot, id, lang).await {
                record.crowd_peak = peak;
                record.crowd_counts_read = true;
            }
        }
        Ok(record)
    }

    /// The entries behind the incident's facts as `snapshot` shows them; None when the
    /// ledger cannot be read.
    async fn traced(
        &self,
        store: &dyn Store,
        snapshot: &Snapshot,
        id: &str,
    ) -> Option<Vec<Source>> {
        let head = snapshot.state.ledger_head.as_ref().map_or(0, |h| h.seq);
        let entries = match store.public_ledger_naming(id).await {
            Ok(entries) => entries,
            Err(error) => {
                tracing::warn!(error = %error, "a record without its ledger entries");
                return None;
            }
        };
        let entries: Vec<_> = entries.into_iter().filter(|e| e.seq <= head).collect();
        let parsed = match replay::public_entries(&entries) {
            Ok(parsed) => parsed,
            Err(error) => {
                tracing::error!(error, "the ledger does not replay");
                return None;
            }
        };
        let ids = replay::update_ids(&self.snapshot.load().state)
            .remove(id)
            .unwrap_or_default();
        Some(provenance::sources(&parsed, id, &ids, snapshot.past))
    }
}

/// The busiest minute of crowd reports over the incident's services, from an hour before
/// its first sign to its resolution (or the view's moment). `None` when the counts cannot
/// be read; `Some(None)` when nobody reported.
async fn crowd_peak(
    store: &dyn Store,
    snapshot: &Arc<Snapshot>,
    id: &str,
    lang: Lang,
) -> Option<Option<CrowdPeak>> {
    let incident = snapshot.state.incident(id)?;
    let first_sign = incident
        .crowd_signal_at
        .map_or(incident.started_at, |s| s.min(incident.started_at));
    let from = (first_sign - TimeDelta::minutes(LEAD_MINUTES))
        .timestamp()
        .div_euclid(60);
    let end = incident
        .resolved_at
        .unwrap_or(snapshot.built_at)
        .min(snapshot.built_at);
    let to = end.timestamp().div_euclid(60) + 1;
    let services: Vec<&str> = incident
        .components
        .iter()
        .filter_map(|c| c.component.split('/').next())
        .collect();
    let rows = match store.report_totals(from, to).await {
        Ok(rows) => rows,
        Err(error) => {
            tracing::warn!(error = %error, "a record without its crowd counts");
            return None;
        }
    };
    let mut together: BTreeMap<i64, i64> = BTreeMap::new();
    let mut per_service: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for row in rows
        .iter()
        .filter(|r| services.contains(&r.service.as_str()))
    {
        *together.entry(row.minute).or_default() += row.count;
        let best = per_service
            .entry(row.service.as_str())
            .or_insert((row.minute, 0));
        if row.count > best.1 {
            *best = (row.minute, row.count);
        }
    }
    // The earliest of equal peaks: when it first got that bad.
    let Some((&minute, &reports)) = together
        .iter()
        .max_by_key(|(minute, count)| (**count, -**minute))
    else {
        return Some(None);
    };
    let services = snapshot
        .catalog
        .services
        .iter()
        .filter_map(|s| {
            let (minute, count) = per_service.get(s.slug.as_str())?;
            Some((
                Snapshot::name(lang, &s.name_ko, &s.name_en),
                minute_time(*minute),
                *count,
            ))
        })
        .collect();
    Some(Some(CrowdPeak {
        minute: minute_time(minute),
        reports,
        services,
    }))
}
