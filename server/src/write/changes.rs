//! The one path that changes anything: validate → check against the current state and
//! write the change with its ledger entry, in one locked transaction → publish, so that
//! the snapshot is rebuilt at once.

use crate::domain::change::Change;
use crate::domain::ledger::LedgerEntry;
use crate::domain::problem::Problem;
use crate::domain::rules;
use crate::store::{Store, StoreError};
use chrono::Utc;
use std::sync::Arc;
use tokio::sync::watch;

use crate::domain::catalog::Catalog;

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("{0}")]
    Invalid(Problem),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ChangeError {
    /// A refusal found under the write lock is the same refusal as one found before it.
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Refused(problem) => ChangeError::Invalid(problem),
            other => ChangeError::Store(other),
        }
    }
}

impl From<Problem> for ChangeError {
    fn from(problem: Problem) -> Self {
        ChangeError::Invalid(problem)
    }
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

    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// Wakes whoever rebuilds the read model after each public change.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.published.subscribe()
    }

    /// Checks a change as `apply` would, without writing it (for previews); returns it as
    /// it would be written.
    pub async fn check(&self, mut change: Change) -> Result<Change, ChangeError> {
        rules::validate(&self.catalog, &change)?;
        let current = self.store.current(&change).await?;
        rules::check(&current, &mut change, Utc::now())?;
        Ok(change)
    }

    /// The one way anything changes: checked against the catalog, then — inside the
    /// store's write transaction, with the ledger locked — against the current state,
    /// written with its ledger entry, then published.
    pub async fn apply(&self, actor: &str, mut change: Change) -> Result<LedgerEntry, ChangeError> {
        rules::validate(&self.catalog, &change)?;
        let entry = self.store.apply(actor, Utc::now(), &mut change).await?;
        if change.is_public() {
            self.published.send_modify(|n| *n += 1);
        }
        Ok(entry)
    }
}
