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
use crate::domain::law::{Channel, Law};

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
    /// The duties an update may be tagged with (the bundled rules unless `with_law`).
    law: Arc<Law>,
    published: watch::Sender<u64>,
}

impl Changes {
    pub fn new(store: Arc<dyn Store>, catalog: Arc<Catalog>) -> Self {
        Changes {
            store,
            catalog,
            law: Arc::new(Law::bundled()),
            published: watch::Sender::new(0),
        }
    }

    /// The rules the site was started with (config/rules.toml or `STATUS_RULES`).
    pub fn with_law(mut self, law: Arc<Law>) -> Self {
        self.law = law;
        self
    }

    /// Checks a change on its own: against the catalog, and its notice tags against
    /// the rules.
    fn validate(&self, change: &Change) -> Result<(), ChangeError> {
        rules::validate(&self.catalog, change)?;
        let (tags, on) = match change {
            Change::OpenIncident(new) => (
                new.first_update.as_ref().map(|f| &f.notices),
                Channel::Update,
            ),
            Change::PostUpdate(new) => (Some(&new.notices), Channel::Update),
            Change::AddNote(note) => (Some(&note.notices), Channel::Note),
            _ => (None, Channel::Update),
        };
        for tag in tags.into_iter().flatten() {
            self.law.check_tag(tag, on).map_err(|(ko, en)| {
                ChangeError::Invalid(Problem::new(
                    "notices",
                    format!("법적 고지 표시가 규칙과 맞지 않습니다: {ko}"),
                    format!("the notice tag does not match the rules: {en}"),
                ))
            })?;
        }
        Ok(())
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
        self.validate(&change)?;
        let current = self.store.current(&change).await?;
        rules::check(&current, &mut change, Utc::now())?;
        Ok(change)
    }

    /// The one way anything changes: checked against the catalog, then — inside the
    /// store's write transaction, with the ledger locked — against the current state,
    /// written with its ledger entry, then published.
    pub async fn apply(&self, actor: &str, mut change: Change) -> Result<LedgerEntry, ChangeError> {
        self.validate(&change)?;
        let entry = self.store.apply(actor, Utc::now(), &mut change).await?;
        if change.is_public() {
            self.published.send_modify(|n| *n += 1);
        }
        Ok(entry)
    }
}
