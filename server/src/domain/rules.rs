//! The rules a change must keep: on its own (catalog, lengths, shapes: `validate`) and
//! against the current state (the incident state machine, existing ids, the last
//! admin: `check`). No I/O: the store reads the `Current` facts a change needs inside
//! the write's own locked transaction and calls `check` there, so two staff acting at
//! once cannot both pass it.

use super::accounts::check_name;
use super::catalog::{is_slug, Catalog};
use super::change::Change;
use super::problem::Problem;
use super::state::StatusChange;
use app::model::{ComponentStatus, IncidentState, Role, UpdateKind};
use chrono::{DateTime, Utc};

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 10_000;

fn invalid<T>(
    field: &'static str,
    ko: impl Into<String>,
    en: impl Into<String>,
) -> Result<T, Problem> {
    Err(Problem::new(field, ko, en))
}

fn check_text(
    field: &'static str,
    what: (&str, &str),
    text: &str,
    max: usize,
) -> Result<(), Problem> {
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
) -> Result<(), Problem> {
    match text {
        Some(text) => check_text(field, what, text, max),
        None => Ok(()),
    }
}

fn check_component(catalog: &Catalog, field: &'static str, id: &str) -> Result<(), Problem> {
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
const NOTE: (&str, &str) = ("내부 메모", "the note");
const BODY_EN: (&str, &str) = ("영어 본문", "the English text");

/// Checks a change on its own (catalog, lengths, shapes) before anything is read or written.
pub fn validate(catalog: &Catalog, change: &Change) -> Result<(), Problem> {
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
        Change::AddNote(note) => check_text("note", NOTE, &note.body, BODY_MAX)?,
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
        Change::AddUser(user) => check_name(&user.name)?,
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
        Change::AddProbeAgent(agent) => {
            let name = &agent.name;
            if !(1..=64).contains(&name.len())
                || !name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return invalid(
                    "name",
                    "에이전트 이름은 영문 소문자·숫자·하이픈(-) 1~64자입니다",
                    "an agent's name is 1 to 64 of a-z, 0-9 and -",
                );
            }
        }
        Change::UpdateUser(_)
        | Change::SetProbeAgentActive(_)
        | Change::SetWebhookActive(_)
        | Change::SignIn(_)
        | Change::SignInFailed(_)
        | Change::SignOut(_) => {}
    }
    Ok(())
}

/// What a change is checked against, read with the write lock held: only what the
/// change names.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Current {
    /// The incident the change names (or would open), if it exists.
    pub incident: Option<IncidentNow>,
    /// Whether the update a correction names is one of that incident's.
    pub update_exists: bool,
    /// The account the change names, if it exists.
    pub account: Option<AccountNow>,
    /// Active admins other than the account the change names.
    pub other_active_admins: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IncidentNow {
    pub state: IncidentState,
    /// The latest state this incident gave each component it touched.
    pub components: Vec<StatusChange>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AccountNow {
    pub role: Role,
    pub active: bool,
}

/// Which facts `check` needs for a change: the incident id, the account name.
pub fn subject(change: &Change) -> (Option<&str>, Option<&str>) {
    match change {
        Change::OpenIncident(new) => (Some(&new.id), None),
        Change::PostUpdate(update) => (Some(&update.incident_id), None),
        Change::CorrectUpdate(fix) => (Some(&fix.incident_id), None),
        Change::AddNote(note) => (Some(&note.incident_id), None),
        Change::SetComponentStatus(set) => (set.incident_id.as_deref(), None),
        Change::AddUser(user) => (None, Some(&user.name)),
        Change::UpdateUser(user) => (None, Some(&user.name)),
        _ => (None, None),
    }
}

/// The incident state machine and the checks that need the current state. A resolve
/// gains the changes it implies: every component this incident still affects and the
/// update does not name goes back to operational.
pub fn check(current: &Current, change: &mut Change, now: DateTime<Utc>) -> Result<(), Problem> {
    let missing = |id: &str| {
        invalid::<()>(
            "incident",
            format!("'{id}' 장애가 없습니다"),
            format!("there is no incident '{id}'"),
        )
    };
    match change {
        Change::OpenIncident(new) => {
            if current.incident.is_some() {
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
            let Some(incident) = &current.incident else {
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
                for c in &incident.components {
                    if c.status != ComponentStatus::Operational
                        && !update.components.iter().any(|u| u.component == c.component)
                    {
                        update.components.push(StatusChange {
                            component: c.component.clone(),
                            status: ComponentStatus::Operational,
                        });
                    }
                }
            }
        }
        Change::AddNote(note) => {
            if current.incident.is_none() {
                return missing(&note.incident_id);
            }
        }
        Change::CorrectUpdate(fix) => {
            if current.incident.is_none() {
                return missing(&fix.incident_id);
            }
            if !current.update_exists {
                return invalid(
                    "update",
                    format!("이 장애에 {}번 업데이트가 없습니다", fix.update_id),
                    format!("there is no update {} in this incident", fix.update_id),
                );
            }
        }
        Change::SetComponentStatus(set) => {
            if let Some(id) = &set.incident_id {
                match &current.incident {
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
        Change::AddUser(user) => {
            if current.account.is_some() {
                return invalid(
                    "name",
                    format!("'{}' 계정이 이미 있습니다", user.name),
                    format!("there is already an account '{}'", user.name),
                );
            }
        }
        Change::UpdateUser(user) => {
            if current.account.is_none() {
                return invalid(
                    "name",
                    format!("'{}' 계정이 없습니다", user.name),
                    format!("there is no account '{}'", user.name),
                );
            }
            if current.other_active_admins == 0 && !(user.active && user.role == Role::Admin) {
                return invalid(
                    "role",
                    "마지막 관리자 계정은 권한을 낮추거나 비활성화할 수 없습니다",
                    "the last active admin cannot be demoted or deactivated",
                );
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::change::{Correction, NewUpdate, UserChange};

    fn current(state: IncidentState) -> Current {
        Current {
            incident: Some(IncidentNow {
                state,
                components: vec![
                    StatusChange {
                        component: "kakaotalk/messages".into(),
                        status: ComponentStatus::MajorOutage,
                    },
                    // Photos came back on their own while the incident went on.
                    StatusChange {
                        component: "kakaotalk/media".into(),
                        status: ComponentStatus::Operational,
                    },
                ],
            }),
            ..Current::default()
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
            notices: vec![],
        })
    }

    fn field(result: Result<(), Problem>) -> &'static str {
        match result {
            Err(problem) => problem.field,
            Ok(()) => panic!("expected a refusal"),
        }
    }

    #[test]
    fn a_resolve_brings_back_what_is_still_affected_and_only_that() {
        let mut change = update(IncidentState::Resolved, UpdateKind::Update, vec![], false);
        check(&current(IncidentState::Monitoring), &mut change, Utc::now()).unwrap();
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
            field(check(
                &current(IncidentState::Identified),
                &mut change,
                Utc::now()
            )),
            "components"
        );
        let mut change = update(IncidentState::Resolved, UpdateKind::Update, outage, true);
        check(&current(IncidentState::Identified), &mut change, Utc::now()).unwrap();
    }

    #[test]
    fn after_resolution_only_a_postmortem_follows() {
        let resolved = current(IncidentState::Resolved);
        let mut reopen = update(IncidentState::Monitoring, UpdateKind::Update, vec![], false);
        assert_eq!(field(check(&resolved, &mut reopen, Utc::now())), "state");
        let mut again = update(IncidentState::Resolved, UpdateKind::Update, vec![], false);
        assert_eq!(field(check(&resolved, &mut again, Utc::now())), "state");
        let mut apology = update(IncidentState::Resolved, UpdateKind::Apology, vec![], false);
        assert_eq!(field(check(&resolved, &mut apology, Utc::now())), "state");
        let mut postmortem = update(
            IncidentState::Resolved,
            UpdateKind::Postmortem,
            vec![],
            false,
        );
        check(&resolved, &mut postmortem, Utc::now()).unwrap();
        let mut early = update(
            IncidentState::Resolved,
            UpdateKind::Postmortem,
            vec![],
            false,
        );
        assert_eq!(
            field(check(
                &current(IncidentState::Monitoring),
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
            field(check(
                &current(IncidentState::Monitoring),
                &mut elsewhere,
                Utc::now()
            )),
            "update"
        );
        let mut orphan = update(IncidentState::Monitoring, UpdateKind::Update, vec![], false);
        assert_eq!(
            field(check(&Current::default(), &mut orphan, Utc::now())),
            "incident"
        );
    }

    #[test]
    fn the_last_active_admin_stays_an_active_admin() {
        let change = |role, active| {
            Change::UpdateUser(UserChange {
                name: "boss".into(),
                role,
                active,
            })
        };
        let alone = Current {
            account: Some(AccountNow {
                role: Role::Admin,
                active: true,
            }),
            other_active_admins: 0,
            ..Current::default()
        };
        assert_eq!(
            field(check(&alone, &mut change(Role::Comms, true), Utc::now())),
            "role"
        );
        assert_eq!(
            field(check(&alone, &mut change(Role::Admin, false), Utc::now())),
            "role"
        );
        check(&alone, &mut change(Role::Admin, true), Utc::now()).unwrap();
        let with_another = Current {
            other_active_admins: 1,
            ..alone
        };
        check(&with_another, &mut change(Role::Comms, true), Utc::now()).unwrap();
        assert_eq!(
            field(check(
                &Current::default(),
                &mut change(Role::Comms, true),
                Utc::now()
            )),
            "name"
        );
    }
}
