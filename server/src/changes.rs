//! The one path that changes public state: validate → write the change and its ledger
//! entry in one transaction → publish, so that the snapshot is rebuilt at once.

use crate::catalog::{is_slug, Catalog};
use crate::ledger::LedgerEntry;
use crate::snapshot::SnapshotHandle;
use crate::store::{Change, Store, StoreError, StoredState};
use chrono::Utc;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct Changes {
    store: Arc<dyn Store>,
    catalog: Arc<Catalog>,
    published: watch::Sender<u64>,
}

impl Changes {
    pub fn new(store: Arc<dyn Store>, catalog: Arc<Catalog>) -> Self {
        Changes {
            store,
            catalog,
            published: watch::Sender::new(0),
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Wakes whoever rebuilds the read model after each change.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.published.subscribe()
    }

    pub async fn apply(&self, actor: &str, change: Change) -> Result<LedgerEntry, ChangeError> {
        validate(&self.catalog, &change)?;
        if let Change::PostUpdate(update) = &change {
            if !self.store.incident_exists(&update.incident_id).await? {
                return Err(ChangeError::Invalid(format!(
                    "there is no incident '{}'",
                    update.incident_id
                )));
            }
        }
        let entry = self.store.apply(actor, Utc::now(), &change).await?;
        self.published.send_modify(|n| *n += 1);
        Ok(entry)
    }
}

fn check_text(what: &str, text: &str, max: usize) -> Result<(), ChangeError> {
    if text.trim().is_empty() {
        return Err(ChangeError::Invalid(format!("{what} is empty")));
    }
    if text.chars().count() > max {
        return Err(ChangeError::Invalid(format!(
            "{what} is longer than {max} characters"
        )));
    }
    Ok(())
}

fn check_component(catalog: &Catalog, id: &str) -> Result<(), ChangeError> {
    catalog
        .component(id)
        .map(|_| ())
        .ok_or_else(|| ChangeError::Invalid(format!("there is no component '{id}' in the catalog")))
}

/// Checks a change against the catalog before anything is written.
pub fn validate(catalog: &Catalog, change: &Change) -> Result<(), ChangeError> {
    match change {
        Change::OpenIncident(new) => {
            if !is_slug(&new.id) {
                return Err(ChangeError::Invalid(format!(
                    "incident id '{}' must be [a-z0-9-]+",
                    new.id
                )));
            }
            check_text("the Korean title", &new.title_ko, TITLE_MAX)?;
            if let Some(en) = &new.title_en {
                check_text("the English title", en, TITLE_MAX)?;
            }
            if new.components.is_empty() {
                return Err(ChangeError::Invalid(
                    "an incident must affect at least one component".into(),
                ));
            }
            for c in &new.components {
                check_component(catalog, &c.component)?;
            }
        }
        Change::PostUpdate(update) => {
            check_text("the Korean text", &update.body_ko, BODY_MAX)?;
            if let Some(en) = &update.body_en {
                check_text("the English text", en, BODY_MAX)?;
            }
            for c in &update.components {
                check_component(catalog, &c.component)?;
            }
        }
        Change::ScheduleMaintenance(m) => {
            if !is_slug(&m.id) {
                return Err(ChangeError::Invalid(format!(
                    "maintenance id '{}' must be [a-z0-9-]+",
                    m.id
                )));
            }
            check_text("the Korean title", &m.title_ko, TITLE_MAX)?;
            check_text("the Korean text", &m.body_ko, BODY_MAX)?;
            if m.ends_at <= m.starts_at {
                return Err(ChangeError::Invalid(
                    "the maintenance window ends before it starts".into(),
                ));
            }
            for c in &m.components {
                check_component(catalog, c)?;
            }
        }
    }
    Ok(())
}

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

    pub fn read(&self) -> Option<StoredState> {
        let bytes = std::fs::read(&self.0).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// Keeps the snapshot current: reloads from the database after every change published
/// here and once a minute (changes made by other instances; time passing). When the
/// database cannot be read, the last snapshot stays and is only re-timed.
pub async fn refresh_loop(
    store: Arc<dyn Store>,
    snapshot: Arc<SnapshotHandle>,
    mut published: watch::Receiver<u64>,
    last_known: LastKnownState,
    every: Duration,
) {
    let mut ticker = tokio::time::interval(every);
    ticker.tick().await;
    loop {
        tokio::select! {
            changed = published.changed() => if changed.is_err() { return },
            _ = ticker.tick() => {}
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
