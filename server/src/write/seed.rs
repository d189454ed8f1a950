//! The real incident history, loaded into an empty database on first start through the
//! same path as every staff change (actor `system`), so the ledger starts with it.
//! Idempotent: an incident already present is left alone.

use crate::domain::change::{Change, NewIncident, NewUpdate};
use crate::domain::state::{NoticeTag, StatusChange};
use crate::write::changes::{ChangeError, Changes};
use app::model::{ComponentStatus, Impact, IncidentState, UpdateKind};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Deserialize)]
struct SeedFile {
    incidents: Vec<SeedIncident>,
}

#[derive(Debug, Deserialize)]
struct SeedIncident {
    id: String,
    impact: Impact,
    started_at: DateTime<Utc>,
    title_ko: String,
    title_en: Option<String>,
    components: Vec<StatusChange>,
    updates: Vec<SeedUpdate>,
}

#[derive(Debug, Deserialize)]
struct SeedUpdate {
    at: DateTime<Utc>,
    state: IncidentState,
    kind: UpdateKind,
    #[serde(default)]
    retrospective: bool,
    body_ko: String,
    body_en: Option<String>,
    #[serde(default)]
    components: BTreeMap<String, ComponentStatus>,
    /// The duties this update fulfils (config/rules.toml), with the elements it carries.
    #[serde(default)]
    notices: Vec<NoticeTag>,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("cannot read the seed file {0}: {1}")]
    Read(String, std::io::Error),
    #[error("the seed file {0} is not valid: {1}")]
    Parse(String, toml::de::Error),
    #[error("seeding incident {0} failed: {1}")]
    Apply(String, ChangeError),
}

/// Loads the history file and applies every incident not yet in the database.
/// Returns how many incidents were added.
pub async fn seed(changes: &Changes, path: &Path) -> Result<usize, SeedError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| SeedError::Read(name.clone(), e))?;
    let file: SeedFile = toml::from_str(&text).map_err(|e| SeedError::Parse(name, e))?;
    let mut added = 0;
    for incident in file.incidents {
        let id = incident.id.clone();
        let exists = changes
            .store()
            .incident_exists(&id)
            .await
            .map_err(|e| SeedError::Apply(id.clone(), e.into()))?;
        if exists {
            continue;
        }
        for change in incident.into_changes() {
            changes
                .apply("system", change)
                .await
                .map_err(|e| SeedError::Apply(id.clone(), e))?;
        }
        added += 1;
    }
    Ok(added)
}

impl SeedIncident {
    fn into_changes(self) -> Vec<Change> {
        let id = self.id.clone();
        let mut changes = vec![Change::OpenIncident(NewIncident {
            id: self.id,
            title_ko: self.title_ko,
            title_en: self.title_en,
            impact: self.impact,
            started_at: self.started_at,
            components: self.components,
            first_update: None,
            crowd_signal_at: None,
            checks_failed_at: None,
        })];
        changes.extend(self.updates.into_iter().map(|u| {
            Change::PostUpdate(NewUpdate {
                incident_id: id.clone(),
                at: u.at,
                state: u.state,
                kind: u.kind,
                retrospective: u.retrospective,
                body_ko: u.body_ko,
                body_en: u.body_en,
                components: u
                    .components
                    .into_iter()
                    .map(|(component, status)| StatusChange { component, status })
                    .collect(),
                still_affected_confirmed: false,
                notices: u.notices,
            })
        }));
        changes
    }
}
