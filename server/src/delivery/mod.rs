//! The durable outbox: how every official word reaches webhooks and email subscribers,
//! off the request path and across restarts.
//!
//! 1. **Events**: the ledger is the source. A loop turns each new public ledger entry into
//!    an event (written with one delivery per matching endpoint and subscriber, in one
//!    transaction) and moves a cursor stored in the database. A crash between a change
//!    and its event loses nothing: the entry is in the ledger, and the cursor is behind it.
//!    Crowd-signal changes are recorded as events by the detector.
//! 2. **Deliveries**: a worker leases due deliveries (so several instances never send the
//!    same one at once), sends them, and records each attempt. A failure is retried with
//!    exponential back-off (30 s, 1 min, 2 min, … at most an hour apart) for a day.

pub mod email;
pub mod events;
pub mod webhook;

use crate::domain::catalog::Catalog;
use crate::domain::replay::public_entries;
use crate::domain::rules::subject;
use crate::domain::state::StoredState;
use crate::store::{Attempt, AttemptOutcome, Channel, DueDelivery, Store, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use events::EventBuilder;
use lettre::message::Mailbox;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// Deliveries are retried for this long after the event.
pub const GIVE_UP_AFTER: TimeDelta = TimeDelta::hours(24);
/// A subscriber's confirmation link works this long; unconfirmed addresses are deleted after.
pub const CONFIRM_WITHIN: TimeDelta = TimeDelta::hours(48);
/// Back-off never waits longer than this between attempts.
const LONGEST_WAIT: TimeDelta = TimeDelta::hours(1);
/// How long an instance holds a delivery it is sending.
const LEASE: TimeDelta = TimeDelta::minutes(2);
const BATCH: i64 = 32;
/// Finished deliveries are kept in the log this long.
const LOG_KEPT: TimeDelta = TimeDelta::days(30);

pub struct OutboxSettings {
    /// Without a trailing slash: links in emails and webhook bodies start with it.
    pub base_url: String,
    /// Deliver to loopback and private addresses too (tests, internal receivers).
    pub allow_private: bool,
    /// The wait after the first failure; it doubles after each.
    pub first_retry: Duration,
    pub mailer: Option<email::Mailer>,
    pub from: Mailbox,
}

pub struct Outbox {
    store: Arc<dyn Store>,
    catalog: Arc<Catalog>,
    settings: OutboxSettings,
    client: reqwest::Client,
    wake: Notify,
    tasks: std::sync::Mutex<Vec<tokio::task::AbortHandle>>,
}

/// When to try again after `attempts` failed attempts (this one included), or to stop.
pub fn after_failure(
    created_at: DateTime<Utc>,
    attempts: i64,
    now: DateTime<Utc>,
    first_retry: Duration,
) -> AttemptOutcome {
    let give_up_at = created_at + GIVE_UP_AFTER;
    if now >= give_up_at {
        return AttemptOutcome::GaveUp;
    }
    let first = TimeDelta::from_std(first_retry).unwrap_or(TimeDelta::seconds(30));
    let doublings = (attempts.max(1) - 1).min(20) as i32;
    let wait = (first * 2i32.pow(doublings.min(30) as u32)).min(LONGEST_WAIT);
    AttemptOutcome::RetryAt((now + wait).min(give_up_at))
}

impl Outbox {
    pub fn start(
        store: Arc<dyn Store>,
        catalog: Arc<Catalog>,
        settings: OutboxSettings,
        published: watch::Receiver<u64>,
    ) -> Arc<Self> {
        let outbox = Arc::new(Outbox {
            client: webhook::client(settings.allow_private),
            store,
            catalog,
            settings,
            wake: Notify::new(),
            tasks: std::sync::Mutex::new(Vec::new()),
        });
        let tasks = [
            tokio::spawn(outbox.clone().fan_out(published)).abort_handle(),
            tokio::spawn(outbox.clone().deliver()).abort_handle(),
            tokio::spawn(outbox.clone().prune()).abort_handle(),
        ];
        outbox.tasks.lock().expect("outbox tasks").extend(tasks);
        outbox
    }

    /// Stops sending, as a crash would: what is pending stays in the database for the
    /// next start (its lease runs out).
    pub fn stop(&self) {
        for task in self.tasks.lock().expect("outbox tasks").drain(..) {
            task.abort();
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn email_enabled(&self) -> bool {
        self.settings.mailer.is_some()
    }

    pub fn allow_private(&self) -> bool {
        self.settings.allow_private
    }

    pub fn events(&self) -> EventBuilder<'_> {
        EventBuilder {
            catalog: &self.catalog,
            base_url: &self.settings.base_url,
        }
    }

    /// Something new to send (a subscription, a crowd event): look now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    async fn fan_out(self: Arc<Self>, mut published: watch::Receiver<u64>) {
        loop {
            match self.fan_out_once().await {
                Ok(0) => {}
                Ok(_) => self.wake.notify_one(),
                Err(error) => tracing::warn!(%error, "turning ledger entries into events failed"),
            }
            // Changes made here wake it at once; other instances' within 2 s.
            tokio::select! {
                changed = published.changed() => {
                    if changed.is_err() {
                        tokio::time::sleep(Duration::from_secs(2)).await;
                    }
                }
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            }
        }
    }

    /// Turns the ledger entries after the cursor into events; returns how many were new.
    pub async fn fan_out_once(&self) -> Result<usize, StoreError> {
        let mut recorded = 0;
        loop {
            let cursor = self.store.outbox_cursor().await?;
            let entries = self.store.ledger_after(cursor, 500).await?;
            let Some(last) = entries.last() else {
                return Ok(recorded);
            };
            let last = last.seq;
            let public = entries
                .iter()
                .any(|e| crate::domain::change::PUBLIC_ACTIONS.contains(&e.action.as_str()));
            // The incidents the entries name, read after the entries: they include them.
            let state = if public {
                // An entry that does not parse yields no event (`from_ledger`), not an error.
                let parsed: Vec<_> = entries
                    .iter()
                    .filter_map(|e| public_entries(std::slice::from_ref(e)).ok())
                    .flatten()
                    .collect();
                let mut ids: Vec<&str> =
                    parsed.iter().filter_map(|e| subject(&e.change).0).collect();
                ids.sort_unstable();
                ids.dedup();
                let incidents = self.store.load_incidents(&ids).await?;
                Some(StoredState::new(
                    incidents.into_iter().map(Arc::new).collect(),
                    Vec::new(),
                    Vec::new(),
                    None,
                    None,
                ))
            } else {
                None
            };
            let builder = self.events();
            for entry in &entries {
                match state.as_ref().and_then(|s| builder.from_ledger(entry, s)) {
                    Some(event) => recorded += usize::from(self.store.record_event(&event).await?),
                    None => self.store.advance_outbox_cursor(entry.seq).await?,
                }
            }
            if self.store.outbox_cursor().await? < last {
                return Ok(recorded);
            }
        }
    }

    /// Hourly: the delivery log keeps 30 days; an address never confirmed is deleted
    /// once its link has expired (nobody agreed to keep it).
    async fn prune(self: Arc<Self>) {
        loop {
            let now = Utc::now();
            match self
                .store
                .prune_outbox(now - LOG_KEPT, now - CONFIRM_WITHIN)
                .await
            {
                Ok((0, 0)) => {}
                Ok((deliveries, addresses)) => {
                    tracing::info!(
                        deliveries,
                        addresses,
                        "pruned the delivery log and unconfirmed addresses"
                    )
                }
                Err(error) => tracing::warn!(%error, "pruning the outbox failed"),
            }
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    }

    async fn deliver(self: Arc<Self>) {
        let idle = self.settings.first_retry.min(Duration::from_secs(1));
        loop {
            let now = Utc::now();
            match self.store.claim_deliveries(now, now + LEASE, BATCH).await {
                Ok(batch) if !batch.is_empty() => {
                    let mut sending = tokio::task::JoinSet::new();
                    for delivery in batch {
                        let outbox = self.clone();
                        sending.spawn(async move { outbox.attempt(delivery).await });
                    }
                    while sending.join_next().await.is_some() {}
                    continue;
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "claiming deliveries failed"),
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(idle) => {}
            }
        }
    }

    async fn attempt(&self, delivery: DueDelivery) {
        let (status, error, permanent) = match delivery.channel {
            Channel::Webhook => self.send_webhook(&delivery).await,
            Channel::Email => self.send_email(&delivery).await,
        };
        let now = Utc::now();
        let outcome = match (&error, permanent) {
            (None, _) => AttemptOutcome::Delivered,
            (Some(_), true) => AttemptOutcome::GaveUp,
            (Some(_), false) => after_failure(
                delivery.created_at,
                delivery.attempts + 1,
                now,
                self.settings.first_retry,
            ),
        };
        if let Some(error) = &error {
            tracing::info!(delivery = delivery.id, channel = delivery.channel.as_str(), %error, ?outcome, "delivery attempt failed");
        }
        let attempt = Attempt {
            at: now,
            status,
            error,
            outcome,
        };
        if let Err(error) = self.store.finish_delivery(delivery.id, &attempt).await {
            // The lease runs out and it is tried again: at least once, never lost.
            tracing::warn!(%error, delivery = delivery.id, "recording a delivery attempt failed");
        }
    }

    /// (status, error, whether the error is final).
    async fn send_webhook(&self, delivery: &DueDelivery) -> (Option<i64>, Option<String>, bool) {
        let Some(hook) = delivery.webhook.as_ref().filter(|h| h.active) else {
            return (None, Some("the endpoint was deactivated".into()), true);
        };
        let body = delivery.payload.as_deref().unwrap_or("{}");
        match webhook::send(
            &self.client,
            &hook.url,
            &hook.secret,
            &delivery.kind,
            delivery.id,
            body,
            self.settings.allow_private,
        )
        .await
        {
            Ok(status) if (200..300).contains(&status) => (Some(status.into()), None, false),
            Ok(status) => (
                Some(status.into()),
                Some(format!("the endpoint answered {status}")),
                false,
            ),
            Err(error) => (None, Some(error), false),
        }
    }

    async fn send_email(&self, delivery: &DueDelivery) -> (Option<i64>, Option<String>, bool) {
        let Some(mailer) = &self.settings.mailer else {
            return (None, Some("email is not configured".into()), true);
        };
        let Some(subscriber) = &delivery.subscriber else {
            return (None, Some("unsubscribed".into()), true);
        };
        let letters = email::Letters {
            catalog: &self.catalog,
            base_url: &self.settings.base_url,
            from: &self.settings.from,
        };
        let message = if delivery.kind == "confirm" {
            letters.confirmation(subscriber)
        } else {
            letters.notice(subscriber, delivery.payload.as_deref().unwrap_or("{}"))
        };
        let message = match message {
            Ok(message) => message,
            Err(error) => return (None, Some(error), true),
        };
        match mailer.send(message).await {
            Ok(code) => (Some(code), None, false),
            // 5xx is a permanent refusal (no such mailbox); anything else may pass later.
            Err((code, error)) => (code, Some(error), code.is_some_and(|c| c >= 500)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_for_a_day_then_stop() {
        let created = Utc::now();
        let first = Duration::from_secs(30);
        let wait = |attempts: i64, now: DateTime<Utc>| match after_failure(
            created, attempts, now, first,
        ) {
            AttemptOutcome::RetryAt(at) => (at - now).num_seconds(),
            other => panic!("{other:?}"),
        };
        assert_eq!(wait(1, created), 30);
        assert_eq!(wait(2, created), 60);
        assert_eq!(wait(3, created), 120);
        assert_eq!(wait(8, created), 3600, "at most an hour apart");
        assert_eq!(wait(30, created), 3600);
        // The last try is exactly a day after the event, then it stops.
        let late = created + TimeDelta::hours(23) + TimeDelta::minutes(50);
        assert_eq!(wait(25, late), 600);
        assert_eq!(
            after_failure(created, 26, created + GIVE_UP_AFTER, first),
            AttemptOutcome::GaveUp
        );
    }
}
