//! Past views: the public state as of a past moment, rebuilt by replaying the ledger
//! (`domain::replay`) and rendered by the same read model as the present. The parsed
//! ledger is kept and caught up from the database at each request; the last few past
//! snapshots are kept too, so a reader paging through one moment replays it once.

use super::snapshot::{Snapshot, SnapshotHandle};
use crate::domain::replay::{self, PublicEntry};
use crate::store::Store;
use app::data::public::FilterError;
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use std::sync::{Arc, Mutex};

/// Past snapshots kept (a moment × the ledger's head).
const KEPT: usize = 32;

pub struct PastViews {
    pub(super) store: Option<Arc<dyn Store>>,
    pub(super) snapshot: Arc<SnapshotHandle>,
    entries: tokio::sync::Mutex<Vec<PublicEntry>>,
    kept: Mutex<Vec<Kept>>,
}

/// A past snapshot, with the moment and the ledger head it was built at.
type Kept = (DateTime<Utc>, i64, Arc<Snapshot>);

impl PastViews {
    /// `store` is None where there is no database (a mirror, a site started without it):
    /// past views are refused there.
    pub fn new(store: Option<Arc<dyn Store>>, snapshot: Arc<SnapshotHandle>) -> Self {
        PastViews {
            store,
            snapshot,
            entries: tokio::sync::Mutex::new(Vec::new()),
            kept: Mutex::new(Vec::new()),
        }
    }

    /// The present snapshot, or the past one `as_of` names (none or blank: the present).
    pub async fn snapshot_at(&self, as_of: Option<&str>) -> Result<Arc<Snapshot>, FilterError> {
        match as_of.map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(self.snapshot.load()),
            Some(text) => self.at(text).await,
        }
    }

    /// The snapshot as of `text` (a time as the `as_of` parameter gives it).
    pub async fn at(&self, text: &str) -> Result<Arc<Snapshot>, FilterError> {
        let now = Utc::now();
        let as_of = parse_as_of(text)?;
        if as_of > now {
            return Err(FilterError::AsOfInFuture(text.chars().take(40).collect()));
        }
        let store = self.store.as_ref().ok_or(FilterError::PastUnavailable)?;
        let mut entries = self.entries.lock().await;
        let after = entries.last().map_or(0, |e| e.seq);
        match store.public_ledger_after(after).await {
            Ok(new) => {
                let parsed = replay::public_entries(&new).map_err(|error| {
                    tracing::error!(error, "the ledger does not replay");
                    FilterError::PastUnavailable
                })?;
                entries.extend(parsed);
            }
            // The past does not change: what was read before still shows it, short of the
            // newest entries.
            Err(error) if !entries.is_empty() => {
                tracing::warn!(error = %error, "past view from the ledger read before");
            }
            Err(_) => return Err(FilterError::PastUnavailable),
        }
        let head = entries.last().map_or(0, |e| e.seq);
        let earliest = replay::earliest_fact(&entries);
        match earliest {
            Some(first) if as_of >= first => {}
            _ => {
                return Err(FilterError::AsOfTooEarly {
                    given: text.chars().take(40).collect(),
                    earliest: earliest.unwrap_or(now),
                })
            }
        }
        if let Some(hit) = self.kept(as_of, head) {
            return Ok(hit);
        }
        let current = self.snapshot.load();
        let ids = replay::update_ids(&current.state);
        let state = replay::replay(&entries, &ids, Some(as_of));
        drop(entries);
        let mut past = Snapshot::build(
            0,
            current.catalog.clone(),
            current.law.clone(),
            Arc::new(state),
            as_of,
        );
        past.past = Some(as_of);
        let past = Arc::new(past);
        let mut kept = self.kept.lock().expect("past views lock");
        if kept.len() >= KEPT {
            kept.remove(0);
        }
        kept.push((as_of, head, past.clone()));
        Ok(past)
    }

    fn kept(&self, as_of: DateTime<Utc>, head: i64) -> Option<Arc<Snapshot>> {
        self.kept
            .lock()
            .expect("past views lock")
            .iter()
            .find(|(at, h, _)| *at == as_of && *h == head)
            .map(|(_, _, s)| s.clone())
    }
}

/// `2022-10-16T07:30+09:00`, with or without seconds and fractions, `Z` or an offset;
/// without a zone, Korea time. A `+` arrives as a space when the address was not
/// encoded (a form's query string), so a space before the offset is read as `+`.
pub fn parse_as_of(text: &str) -> Result<DateTime<Utc>, FilterError> {
    let bad = || FilterError::BadAsOf(text.chars().take(40).collect());
    let given = text.trim();
    if given.is_empty() || given.len() > 40 {
        return Err(bad());
    }
    let normalized = given.replace(' ', "+");
    if let Ok(at) = DateTime::parse_from_rfc3339(&normalized) {
        return Ok(at.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H:%M%#z"] {
        if let Ok(at) = DateTime::parse_from_str(&normalized, format) {
            return Ok(at.with_timezone(&Utc));
        }
    }
    let normalized = normalized.trim_end_matches('Z');
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(local) = NaiveDateTime::parse_from_str(normalized, format) {
            let zone: FixedOffset = if given.ends_with('Z') {
                FixedOffset::east_opt(0).expect("UTC")
            } else {
                app::format::kst()
            };
            if let Some(at) = zone.from_local_datetime(&local).single() {
                return Ok(at.with_timezone(&Utc));
            }
        }
    }
    Err(bad())
}

impl app::api::PastModel for PastViews {
    fn record<'a>(
        &'a self,
        id: &'a str,
        lang: app::model::Lang,
        as_of: Option<&'a str>,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<
                    Output = Result<Option<app::data::record::RecordView>, FilterError>,
                > + Send
                + 'a,
        >,
    > {
        Box::pin(PastViews::record(self, id, lang, as_of))
    }

    fn at<'a>(
        &'a self,
        as_of: &'a str,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<Arc<dyn app::api::ReadModel>, FilterError>>
                + Send
                + 'a,
        >,
    > {
        Box::pin(async move {
            PastViews::at(self, as_of)
                .await
                .map(|s| s as Arc<dyn app::api::ReadModel>)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_is_read_with_its_zone_or_in_korea_time() {
        let expected: DateTime<Utc> = "2022-10-15T22:30:00Z".parse().unwrap();
        for text in [
            "2022-10-16T07:30+09:00",
            "2022-10-16T07:30 09:00",
            "2022-10-16T07:30:00+09:00",
            "2022-10-15T22:30:00Z",
            "2022-10-15T22:30:00.000Z",
            "2022-10-16T07:30",
        ] {
            assert_eq!(parse_as_of(text).unwrap(), expected, "{text}");
        }
        for text in [
            "",
            "yesterday",
            "2022-13-01T00:00",
            "2022-10-16",
            "2022-10-16T25:00",
        ] {
            assert!(
                matches!(parse_as_of(text), Err(FilterError::BadAsOf(_))),
                "{text}"
            );
        }
    }
}
