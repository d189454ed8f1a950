//! The one path that changes public state: validate → write the change and its ledger
//! entry in one transaction → publish, so that the snapshot is rebuilt at once.

use crate::catalog::{is_slug, Catalog};
use crate::ledger::LedgerEntry;
use crate::snapshot::SnapshotHandle;
use crate::store::{Change, IncidentRecord, StatusChange, Store, StoreError, StoredState};
use app::model::{ComponentStatus, IncidentState, Role, UpdateKind};
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 10_000;

/// Why a change was refused, in both languages, and which form field it is about.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub field: &'static str,
    pub ko: String,
    pub en: String,
}

impl Problem {
    pub fn new(field: &'static str, ko: impl Into<String>, en: impl Into<String>) -> Self {
        Problem {
            field,
            ko: ko.into(),
            en: en.into(),
        }
    }

    pub fn text(&self, lang: app::model::Lang) -> &str {
        match lang {
            app::model::Lang::Ko => &self.ko,
            app::model::Lang::En => &self.en,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("{0}")]
    Invalid(Problem),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid<T>(
    field: &'static str,
    ko: impl Into<String>,
    en: impl Into<String>,
) -> Result<T, ChangeError> {
    Err(ChangeError::Invalid(Problem::new(field, ko, en)))
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

    /// Checks a public change as `apply` would, without writing it (for previews);
    /// returns it as it would be written.
    pub async fn check(&self, mut change: Change) -> Result<Change, ChangeError> {
        validate(&self.catalog, &change)?;
        let state = self.store.load().await?;
        check_against_state(&state, &mut change, Utc::now())?;
        Ok(change)
    }

    /// The one way anything changes: checked against the catalog and the current state,
    /// written with its ledger entry in one transaction, then published.
    pub async fn apply(&self, actor: &str, mut change: Change) -> Result<LedgerEntry, ChangeError> {
        validate(&self.catalog, &change)?;
        let now = Utc::now();
        match &mut change {
            Change::OpenIncident(_)
            | Change::PostUpdate(_)
            | Change::CorrectUpdate(_)
            | Change::SetComponentStatus(_) => {
                let state = self.store.load().await?;
                check_against_state(&state, &mut change, now)?;
            }
            Change::AddUser(user) => {
                if self.store.user(&user.name).await?.is_some() {
                    return invalid(
                        "name",
                        format!("'{}' 계정이 이미 있습니다", user.name),
                        format!("there is already an account '{}'", user.name),
                    );
                }
            }
            Change::UpdateUser(user) => {
                let users = self.store.users().await?;
                if !users.iter().any(|u| u.name == user.name) {
                    return invalid(
                        "name",
                        format!("'{}' 계정이 없습니다", user.name),
                        format!("there is no account '{}'", user.name),
                    );
                }
                let other_admins = users
                    .iter()
                    .filter(|u| u.name != user.name && u.active && u.role == Role::Admin)
                    .count();
                if other_admins == 0 && !(user.active && user.role == Role::Admin) {
                    return invalid(
                        "role",
                        "마지막 관리자 계정은 권한을 낮추거나 비활성화할 수 없습니다",
                        "the last active admin cannot be demoted or deactivated",
                    );
                }
            }
            _ => {}
        }
        let entry = self.store.apply(actor, now, &change).await?;
        if change.is_public() {
            self.published.send_modify(|n| *n += 1);
        }
        Ok(entry)
    }
}

fn check_text(
    field: &'static str,
    what: (&str, &str),
    text: &str,
    max: usize,
) -> Result<(), ChangeError> {
    if text.trim().is_empty() {
        return invalid(
            field,
            format!("{}을(를) 입력하세요", what.0),
            format!("{} is empty", what.1),
        );
    }
    if text.chars().count() > max {
        return invalid(
            field,
            format!("{}은(는) {max}자를 넘을 수 없습니다", what.0),
            format!("{} is longer than {max} characters", what.1),
        );
    }
    Ok(())
}

fn check_optional_text(
    field: &'static str,
    what: (&str, &str),
    text: &Option<String>,
    max: usize,
) -> Result<(), ChangeError> {
    match text {
        Some(text) => check_text(field, what, text, max),
        None => Ok(()),
    }
}

fn check_component(catalog: &Catalog, field: &'static str, id: &str) -> Result<(), ChangeError> {
    match catalog.component(id) {
        Some(_) => Ok(()),
        None => invalid(
            field,
            format!("카탈로그에 '{id}' 구성 요소가 없습니다"),
            format!("there is no component '{id}' in the catalog"),
        ),
    }
}

const TITLE_KO: (&str, &str) = ("한국어 제목", "the Korean title");
const TITLE_EN: (&str, &str) = ("영어 제목", "the English title");
const BODY_KO: (&str, &str) = ("한국어 본문", "the Korean text");
const BODY_EN: (&str, &str) = ("영어 본문", "the English text");

/// Checks a change on its own (catalog, lengths, shapes) before anything is read or written.
pub fn validate(catalog: &Catalog, change: &Change) -> Result<(), ChangeError> {
    match change {
        Change::OpenIncident(new) => {
            if !is_slug(&new.id) {
                return invalid(
                    "id",
                    format!("장애 ID '{}'는 [a-z0-9-]+ 형식이어야 합니다", new.id),
                    format!("incident id '{}' must be [a-z0-9-]+", new.id),
                );
            }
            check_text("title_ko", TITLE_KO, &new.title_ko, TITLE_MAX)?;
            check_optional_text("title_en", TITLE_EN, &new.title_en, TITLE_MAX)?;
            if new.components.is_empty() {
                return invalid(
                    "components",
                    "영향받는 구성 요소를 하나 이상 고르세요",
                    "an incident must affect at least one component",
                );
            }
            for c in &new.components {
                check_component(catalog, "components", &c.component)?;
            }
            if let Some(first) = &new.first_update {
                check_text("body_ko", BODY_KO, &first.body_ko, BODY_MAX)?;
                check_optional_text("body_en", BODY_EN, &first.body_en, BODY_MAX)?;
                if new.started_at > first.at {
                    return invalid(
                        "started_at",
                        "시작 시각이 첫 공지보다 늦을 수 없습니다",
                        "the start time cannot be later than the first update",
                    );
                }
            }
        }
        Change::PostUpdate(update) => {
            check_text("body_ko", BODY_KO, &update.body_ko, BODY_MAX)?;
            check_optional_text("body_en", BODY_EN, &update.body_en, BODY_MAX)?;
            for c in &update.components {
                check_component(catalog, "components", &c.component)?;
            }
            if update.kind == UpdateKind::Postmortem && update.state != IncidentState::Resolved {
                return invalid(
                    "kind",
                    "사후 분석은 해결된 장애에만 붙일 수 있습니다",
                    "a postmortem can only be attached to a resolved incident",
                );
            }
        }
        Change::CorrectUpdate(fix) => {
            check_text("body_ko", BODY_KO, &fix.body_ko, BODY_MAX)?;
            check_optional_text("body_en", BODY_EN, &fix.body_en, BODY_MAX)?;
        }
        Change::SetComponentStatus(set) => check_component(catalog, "component", &set.component)?,
        Change::ScheduleMaintenance(m) => {
            if !is_slug(&m.id) {
                return invalid(
                    "id",
                    format!("점검 ID '{}'는 [a-z0-9-]+ 형식이어야 합니다", m.id),
                    format!("maintenance id '{}' must be [a-z0-9-]+", m.id),
                );
            }
            check_text("title_ko", TITLE_KO, &m.title_ko, TITLE_MAX)?;
            check_optional_text("title_en", TITLE_EN, &m.title_en, TITLE_MAX)?;
            check_text("body_ko", BODY_KO, &m.body_ko, BODY_MAX)?;
            check_optional_text("body_en", BODY_EN, &m.body_en, BODY_MAX)?;
            if m.ends_at <= m.starts_at {
                return invalid(
                    "ends_at",
                    "점검 종료 시각이 시작 시각보다 앞섭니다",
                    "the maintenance window ends before it starts",
                );
            }
            if m.components.is_empty() {
                return invalid(
                    "components",
                    "점검할 구성 요소를 하나 이상 고르세요",
                    "choose at least one component under maintenance",
                );
            }
            for c in &m.components {
                check_component(catalog, "components", c)?;
            }
        }
        Change::AddUser(user) => crate::accounts::check_name(&user.name)?,
        Change::AddWebhook(hook) => {
            // The address itself (scheme, private ranges) is checked by the console, which
            // can resolve names; here: what can be checked without the network.
            if !(hook.url.starts_with("https://") || hook.url.starts_with("http://")) {
                return invalid(
                    "url",
                    "http:// 또는 https:// 주소만 쓸 수 있습니다",
                    "only http:// and https:// URLs can be used",
                );
            }
            if let Some(unknown) = hook.services.iter().find(|s| catalog.service(s).is_none()) {
                return invalid(
                    "services",
                    format!("알 수 없는 서비스입니다: {unknown}"),
                    format!("unknown service: {unknown}"),
                );
            }
        }
        Change::UpdateUser(_)
        | Change::SetWebhookActive(_)
        | Change::SignIn(_)
        | Change::SignInFailed(_)
        | Change::SignOut(_) => {}
    }
    Ok(())
}

/// The incident state machine and the checks that need the current state. A resolve
/// gains the changes it implies: every component this incident still affects and the
/// update does not name goes back to operational.
pub fn check_against_state(
    state: &StoredState,
    change: &mut Change,
    now: DateTime<Utc>,
) -> Result<(), ChangeError> {
    let find = |id: &str| state.incidents.iter().find(|i| i.id == id);
    let missing = |id: &str| {
        invalid::<()>(
            "incident",
            format!("'{id}' 장애가 없습니다"),
            format!("there is no incident '{id}'"),
        )
    };
    match change {
        Change::OpenIncident(new) => {
            if find(&new.id).is_some() {
                return invalid(
                    "id",
                    format!("'{}' 장애가 이미 있습니다", new.id),
                    format!("there is already an incident '{}'", new.id),
                );
            }
            if new.first_update.is_some() && new.started_at > now + chrono::Duration::minutes(1) {
                return invalid(
                    "started_at",
                    "시작 시각이 미래입니다",
                    "the start time is in the future",
                );
            }
        }
        Change::PostUpdate(update) => {
            let Some(incident) = find(&update.incident_id) else {
                return missing(&update.incident_id);
            };
            let resolved = incident.state == IncidentState::Resolved;
            if resolved && update.kind != UpdateKind::Postmortem {
                return invalid(
                    "state",
                    "이미 해결된 장애입니다. 사후 분석만 붙일 수 있습니다",
                    "this incident is resolved; only a postmortem can be added",
                );
            }
            if !resolved && update.kind == UpdateKind::Postmortem {
                return invalid(
                    "kind",
                    "사후 분석은 해결된 장애에만 붙일 수 있습니다",
                    "a postmortem can only be attached to a resolved incident",
                );
            }
            if update.state == IncidentState::Resolved && !resolved {
                let current = incident_component_states(state, incident);
                for c in &update.components {
                    if c.status != ComponentStatus::Operational && !update.still_affected_confirmed
                    {
                        return invalid(
                            "components",
                            format!("해결 후에도 {}이(가) '{}' 상태로 남습니다. 정상으로 바꾸거나, 그대로 두려면 확인란을 선택하세요", c.component, c.status.as_str()),
                            format!("resolving would leave {} in {}; set it to operational, or tick the box to confirm it stays affected", c.component, c.status.as_str()),
                        );
                    }
                }
                for (component, status) in current {
                    if status != ComponentStatus::Operational
                        && !update.components.iter().any(|c| c.component == component)
                    {
                        update.components.push(StatusChange {
                            component,
                            status: ComponentStatus::Operational,
                        });
                    }
                }
            }
        }
        Change::CorrectUpdate(fix) => {
            let Some(incident) = find(&fix.incident_id) else {
                return missing(&fix.incident_id);
            };
            if !incident.updates.iter().any(|u| u.id == fix.update_id) {
                return invalid(
                    "update",
                    format!("이 장애에 {}번 업데이트가 없습니다", fix.update_id),
                    format!("there is no update {} in this incident", fix.update_id),
                );
            }
        }
        Change::SetComponentStatus(set) => {
            if let Some(id) = &set.incident_id {
                match find(id) {
                    None => return missing(id),
                    Some(incident) if incident.state == IncidentState::Resolved => {
                        return invalid(
                            "incident",
                            "해결된 장애로는 상태를 바꿀 수 없습니다",
                            "a resolved incident cannot change a component's state",
                        );
                    }
                    Some(_) => {}
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// The latest state this incident gave each component it touched.
fn incident_component_states(
    state: &StoredState,
    incident: &IncidentRecord,
) -> Vec<(String, ComponentStatus)> {
    let mut latest: Vec<(String, ComponentStatus)> = Vec::new();
    for event in state
        .events
        .iter()
        .filter(|e| e.incident_id.as_deref() == Some(&incident.id))
    {
        match latest.iter_mut().find(|(c, _)| *c == event.component) {
            Some(entry) => entry.1 = event.status,
            None => latest.push((event.component.clone(), event.status)),
        }
    }
    latest
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
        // A maintenance window opens or closes at its minute, not up to a tick later.
        let edge = next_maintenance_edge(&snapshot.load().state, Utc::now())
            .and_then(|at| (at - Utc::now()).to_std().ok())
            .unwrap_or(Duration::from_secs(24 * 3600));
        tokio::select! {
            changed = published.changed() => if changed.is_err() { return },
            _ = ticker.tick() => {}
            _ = tokio::time::sleep(edge) => {}
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ComponentEvent, Correction, NewUpdate};
    use app::model::Impact;

    fn state(incident_state: IncidentState) -> StoredState {
        let at = Utc::now();
        let event = |component: &str, status| ComponentEvent {
            component: component.into(),
            status,
            at,
            incident_id: Some("fire".into()),
        };
        StoredState {
            incidents: vec![IncidentRecord {
                id: "fire".into(),
                title_ko: "화재".into(),
                title_en: None,
                impact: Impact::Critical,
                state: incident_state,
                started_at: at,
                resolved_at: None,
                components: vec![
                    StatusChange {
                        component: "kakaotalk/messages".into(),
                        status: ComponentStatus::MajorOutage,
                    },
                    StatusChange {
                        component: "kakaotalk/media".into(),
                        status: ComponentStatus::MajorOutage,
                    },
                ],
                updates: vec![],
                crowd_signal_at: None,
            }],
            events: vec![
                event("kakaotalk/messages", ComponentStatus::MajorOutage),
                event("kakaotalk/media", ComponentStatus::MajorOutage),
                // Photos came back on their own while the incident went on.
                event("kakaotalk/media", ComponentStatus::Operational),
            ],
            maintenances: vec![],
            last_change: None,
        }
    }

    fn update(
        state: IncidentState,
        kind: UpdateKind,
        components: Vec<StatusChange>,
        confirmed: bool,
    ) -> Change {
        Change::PostUpdate(NewUpdate {
            incident_id: "fire".into(),
            at: Utc::now(),
            state,
            kind,
            retrospective: false,
            body_ko: "본문".into(),
            body_en: None,
            components,
            still_affected_confirmed: confirmed,
        })
    }

    fn field(result: Result<(), ChangeError>) -> &'static str {
        match result {
            Err(ChangeError::Invalid(problem)) => problem.field,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_resolve_brings_back_what_is_still_affected_and_only_that() {
        let mut change = update(IncidentState::Resolved, UpdateKind::Update, vec![], false);
        check_against_state(&state(IncidentState::Monitoring), &mut change, Utc::now()).unwrap();
        let Change::PostUpdate(resolved) = change else {
            unreachable!()
        };
        assert_eq!(
            resolved.components,
            vec![StatusChange {
                component: "kakaotalk/messages".into(),
                status: ComponentStatus::Operational
            }]
        );
    }

    #[test]
    fn a_resolve_that_leaves_an_outage_must_say_so() {
        let outage = vec![StatusChange {
            component: "kakaotalk/messages".into(),
            status: ComponentStatus::PartialOutage,
        }];
        let mut change = update(
            IncidentState::Resolved,
            UpdateKind::Update,
            outage.clone(),
            false,
        );
        assert_eq!(
            field(check_against_state(
                &state(IncidentState::Identified),
                &mut change,
                Utc::now()
            )),
            "components"
        );
        let mut change = update(IncidentState::Resolved, UpdateKind::Update, outage, true);
        check_against_state(&state(IncidentState::Identified), &mut change, Utc::now()).unwrap();
    }

    #[test]
    fn after_resolution_only_a_postmortem_follows() {
        let resolved = state(IncidentState::Resolved);
        let mut reopen = update(IncidentState::Monitoring, UpdateKind::Update, vec![], false);
        assert_eq!(
            field(check_against_state(&resolved, &mut reopen, Utc::now())),
            "state"
        );
        let mut apology = update(IncidentState::Resolved, UpdateKind::Apology, vec![], false);
        assert_eq!(
            field(check_against_state(&resolved, &mut apology, Utc::now())),
            "state"
        );
        let mut postmortem = update(
            IncidentState::Resolved,
            UpdateKind::Postmortem,
            vec![],
            false,
        );
        check_against_state(&resolved, &mut postmortem, Utc::now()).unwrap();
        let mut early = update(
            IncidentState::Resolved,
            UpdateKind::Postmortem,
            vec![],
            false,
        );
        assert_eq!(
            field(check_against_state(
                &state(IncidentState::Monitoring),
                &mut early,
                Utc::now()
            )),
            "kind"
        );
    }

    #[test]
    fn updates_and_corrections_need_an_incident_and_an_update_that_exist() {
        let mut elsewhere = Change::CorrectUpdate(Correction {
            incident_id: "fire".into(),
            update_id: 99,
            body_ko: "정정".into(),
            body_en: None,
        });
        assert_eq!(
            field(check_against_state(
                &state(IncidentState::Monitoring),
                &mut elsewhere,
                Utc::now()
            )),
            "update"
        );
        let mut orphan = update(IncidentState::Monitoring, UpdateKind::Update, vec![], false);
        if let Change::PostUpdate(u) = &mut orphan {
            u.incident_id = "flood".into();
        }
        assert_eq!(
            field(check_against_state(
                &state(IncidentState::Monitoring),
                &mut orphan,
                Utc::now()
            )),
            "incident"
        );
    }
}
