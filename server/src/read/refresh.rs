//! Keeping the snapshot current: after each change published here or announced by
//! another instance, once a minute, and at each maintenance edge. A refresh reads only
//! what the ledger says changed since the state it has (`Store::load_changes_after`),
//! so its cost does not grow with the years of history; the whole state is read only at
//! start and when the database no longer holds that point of the ledger. The state is
//! saved to disk as the last known state (served while the database is down) by a task
//! of its own, off the path of the change.

use super::snapshot::SnapshotHandle;
use crate::domain::state::StoredState;
use crate::store::Store;
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::task::AbortHandle;

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

    /// Saves each state sent to the returned sender, newest only and at most once per
    /// `SAVE_INTERVAL`: a change is saved at once, and the states sent while it is being
    /// written, or in the interval after, are saved together as the newest of them.
    /// Writing the file costs the whole history (serialising years of it takes a while),
    /// so under a burst of changes it is paid once per interval, not once per change;
    /// off the change's path (the change is already on the pages); and the interval
    /// grows with what a save took, so that saving never takes more than one part in
    /// `SAVE_DUTY` of a core, however long the history.
    pub fn saver(self) -> (watch::Sender<Option<Arc<StoredState>>>, StopOnDrop) {
        let (send, mut receive) = watch::channel::<Option<Arc<StoredState>>>(None);
        let task = tokio::spawn(async move {
            while receive.changed().await.is_ok() {
                let Some(state) = receive.borrow_and_update().clone() else {
                    continue;
                };
                let target = self.clone();
                let started = std::time::Instant::now();
                let _ = tokio::task::spawn_blocking(move || target.save(&state)).await;
                tokio::time::sleep(SAVE_INTERVAL.max(started.elapsed() * SAVE_DUTY)).await;
            }
        });
        (send, StopOnDrop(task.abort_handle()))
    }

    /// The state, and when it was saved (when it was last confirmed by the database).
    pub fn read(&self) -> Option<(StoredState, DateTime<Utc>)> {
        let bytes = std::fs::read(&self.0).ok()?;
        let saved_at = std::fs::metadata(&self.0).and_then(|m| m.modified()).ok()?;
        Some((serde_json::from_slice(&bytes).ok()?, saved_at.into()))
    }
}

/// The shortest time between two saves of the last known state (see `saver`).
const SAVE_INTERVAL: Duration = Duration::from_secs(1);

/// A save is followed by at least this many times as long without one (see `saver`).
const SAVE_DUTY: u32 = 20;

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

/// Keeps the snapshot current: reads what changed after every change published here, at
/// once when another instance announces one (PostgreSQL), after the listener
/// reconnects, and once a minute (the safety net; time passing). When the database
/// cannot be read, the last snapshot stays, re-timed and marked stale; it is checked
/// every `DATABASE_CHECK`, and read again as soon as it answers.
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
    let (save, _saver) = last_known.saver();
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
        match read_state(store.as_ref(), &snapshot.load().state).await {
            Ok((state, changed)) => {
                snapshot.rebuild(Some(state.clone()), Utc::now());
                if changed {
                    save.send_replace(Some(state));
                }
            }
            Err(error) => {
                tracing::error!(%error, "cannot read the database; serving the last known state");
                snapshot.rebuild(None, Utc::now());
            }
        }
    }
}

/// The state now: `known` with what the ledger says changed since, or, when that cannot
/// be told (no ledger point, events without ids, a replaced database), read whole. Says
/// whether it differs from `known`.
async fn read_state(
    store: &dyn Store,
    known: &Arc<StoredState>,
) -> Result<(Arc<StoredState>, bool), crate::store::StoreError> {
    if let (Some(head), true) = (&known.ledger_head, known.events_have_ids()) {
        match store
            .load_changes_after(head, known.last_event_id())
            .await?
        {
            Some(changes) if changes.is_empty() && changes.ledger_head.is_none() => {
                return Ok((known.clone(), false))
            }
            Some(changes) => return Ok((Arc::new(known.with_changes(changes)), true)),
            None => tracing::warn!(
                seq = head.seq,
                "the ledger no longer holds the state's last entry; reading the whole state"
            ),
        }
    }
    let state = Arc::new(store.load().await?);
    let changed = state != *known;
    Ok((state, changed))
}

/// Stops a task when what holds this is dropped, however that ends (returned, or
/// aborted with the app that started it): the listener holds a connection of its own.
pub struct StopOnDrop(AbortHandle);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
