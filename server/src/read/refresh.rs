//! Keeping the snapshot current: reloaded after each change published here or announced
//! by another instance, once a minute, and at each maintenance edge; saved
//! to disk as the last known state, served while the database is down.

use super::snapshot::SnapshotHandle;
use crate::domain::state::StoredState;
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// Where the last state read from the database is kept, so that an instance started
/// while the database is down still serves the last known state.
#[derive(Clone)]
pub struct LastKnownState(pub PathBuf);

impl LastKnownState {
    pub fn save(&self, state: &StoredState) {
        let write = || -> std::io::Result<()> {
            if let Some(dir) = self.0.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = self.0.with_extension("json.tmp");
            std::fs::write(&tmp, serde_json::to_vec(state)?)?;
            std::fs::rename(&tmp, &self.0)
        };
        if let Err(error) = write() {
            tracing::warn!(%error, path = %self.0.display(), "could not save the last known state");
        }
    }

    /// The state, and when it was saved (when it was last confirmed by the database).
    pub fn read(&self) -> Option<(StoredState, DateTime<Utc>)> {
        let bytes = std::fs::read(&self.0).ok()?;
        let saved_at = std::fs::metadata(&self.0).and_then(|m| m.modified()).ok()?;
        Some((serde_json::from_slice(&bytes).ok()?, saved_at.into()))
    }
}

/// How often the database is asked whether it answers: the stale notice appears within
/// this long of losing it, and the catch-up starts within this long of its return.
pub const DATABASE_CHECK: Duration = Duration::from_secs(2);

/// The next moment a maintenance window starts or ends, after `now`.
fn next_maintenance_edge(state: &StoredState, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    state
        .maintenances
        .iter()
        .flat_map(|m| [m.starts_at, m.ends_at])
        .filter(|at| *at > now)
        .min()
}

/// Keeps the snapshot current: reloads from the database after every change published
/// here, at once when another instance announces one (PostgreSQL), after the listener
/// reconnects, and once a minute (the safety net; time passing). When the database
/// cannot be read, the last snapshot stays, re-timed and marked stale; it is checked
/// every `DATABASE_CHECK`, and reloaded as soon as it answers again.
pub async fn refresh_loop(
    store: Arc<dyn Store>,
    snapshot: Arc<SnapshotHandle>,
    mut published: watch::Receiver<u64>,
    last_known: LastKnownState,
    every: Duration,
) {
    // Other instances' changes, announced by the database (PostgreSQL); the ticker
    // stays as the safety net.
    let heard = Arc::new(Notify::new());
    let _listening = StopOnDrop(
        tokio::spawn({
            let (store, heard) = (store.clone(), heard.clone());
            async move { store.listen_for_changes(heard).await }
        })
        .abort_handle(),
    );
    let mut ticker = tokio::time::interval(every);
    ticker.tick().await;
    let mut check = tokio::time::interval(DATABASE_CHECK);
    check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    check.tick().await;
    let mut slow = 0;
    loop {
        // A maintenance window opens or closes at its minute, not up to a tick later.
        let edge = next_maintenance_edge(&snapshot.load().state, Utc::now())
            .and_then(|at| (at - Utc::now()).to_std().ok())
            .unwrap_or(Duration::from_secs(24 * 3600));
        tokio::select! {
            changed = published.changed() => if changed.is_err() { return },
            _ = heard.notified() => {}
            _ = ticker.tick() => {}
            _ = tokio::time::sleep(edge) => {}
            _ = check.tick() => {
                // A refusal is decisive; a slow answer (a busy machine) only after it
                // happens twice in a row, so that the notice does not flicker.
                let answers = match tokio::time::timeout(DATABASE_CHECK, store.ping()).await {
                    Ok(Ok(())) => {
                        slow = 0;
                        true
                    }
                    Ok(Err(_)) => false,
                    Err(_) => {
                        slow += 1;
                        slow < 2
                    }
                };
                match (answers, snapshot.is_stale()) {
                    // Back: reload at once (below).
                    (true, true) => tracing::info!("the database answers again; catching up"),
                    // Lost: say so on every page now, not at the next reload.
                    (false, false) => {
                        tracing::error!("the database does not answer; serving the last known state");
                        snapshot.rebuild(None, Utc::now());
                        continue;
                    }
                    _ => continue,
                }
            }
        }
        match store.load().await {
            Ok(state) => {
                last_known.save(&state);
                snapshot.rebuild(Some(Arc::new(state)), Utc::now());
            }
            Err(error) => {
                tracing::error!(%error, "cannot read the database; serving the last known state");
                snapshot.rebuild(None, Utc::now());
            }
        }
    }
}

/// Stops the listener when the refresh loop ends, however it ends (returned, or aborted
/// with the app that started it): it holds a connection of its own.
struct StopOnDrop(tokio::task::AbortHandle);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
