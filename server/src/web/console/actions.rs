//! The console's form posts. Each one: signed in? CSRF token right? role allowed? Then
//! the change goes through `Changes::apply` (so into the ledger), and the answer is a
//! redirect: to the result with a notice, or back to the form with what was typed and
//! what is wrong next to each field. A refused change changes nothing.

use super::responses::{forbidden, refusal, set_flash, stale_form, unavailable, unstorable};
use super::sessions;
use super::staff::{AnyRole, ManageStaff, Publish, StaffPost};
use super::Console;
use crate::domain::accounts;
use crate::domain::change::*;
use crate::domain::problem::Problem;
use crate::domain::state::{MaintenanceRecord, NoticeTag, StatusChange, UpdateRecord};
use crate::read::localized::localized;
use crate::read::snapshot::Snapshot;
use crate::store::StoreError;
use crate::web::kit::form::FormData;
use crate::web::kit::lang;
use crate::web::kit::reply::{path_segment, see_other};
use crate::write::changes::{ChangeError, Changes};
use app::data::staff::{Flash, Preview};
use app::model::{Impact, IncidentState, Lang, Role, UpdateKind};
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, Response, StatusCode};
use axum::Form;
use chrono::Utc;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_sessions::Session;

type Reply = Response<Body>;

fn notice(lang: Lang, ko: &str, en: &str) -> Flash {
    Flash {
        notice: Some(match lang {
            Lang::Ko => ko.to_string(),
            Lang::En => en.to_string(),
        }),
        ..Flash::default()
    }
}

/// Back to the form, with what was typed and the complaint next to its field.
pub(super) async fn refused(
    session: &Session,
    form: &FormData,
    lang: Lang,
    back: &str,
    problem: &Problem,
) -> Reply {
    let text = problem.text(lang).to_string();
    let mut flash = Flash {
        values: form.kept(),
        ..Flash::default()
    };
    flash
        .field_errors
        .push((problem.field.to_string(), text.clone()));
    flash.error = Some(text);
    set_flash(session, flash).await;
    see_other(back, form.chosen_lang())
}

async fn failed(
    session: &Session,
    form: &FormData,
    lang: Lang,
    back: &str,
    error: ChangeError,
) -> Reply {
    match error {
        ChangeError::Invalid(problem) => refused(session, form, lang, back, &problem).await,
        // The database is unreachable: say so on a page of its own (the session, kept in
        // that database, cannot carry the form back either).
        ChangeError::Store(StoreError::Database(error)) => {
            tracing::error!(%error, "a console change could not reach the database");
            unavailable(lang)
        }
        ChangeError::Store(error) => {
            tracing::error!(%error, "a console change failed in the database");
            let problem = Problem::new(
                "",
                "데이터베이스에 쓰지 못했습니다. 아무것도 바뀌지 않았습니다. 잠시 후 다시 보내 주세요.",
                "The database could not be written. Nothing was changed. Please send it again shortly.",
            );
            refused(session, form, lang, back, &problem).await
        }
    }
}

/// Applies a public change and waits (up to 2 s) until the snapshot shows it, so that
/// the page staff land on next, and every public page, already has it.
async fn publish(
    console: &Console,
    changes: &Changes,
    actor: &str,
    change: Change,
) -> Result<(), ChangeError> {
    let entry = changes.apply(actor, change).await?;
    let within = std::time::Duration::from_secs(2);
    (console.snapshot)
        .wait_until(within, |s| s.load().state.last_change >= Some(entry.at))
        .await;
    Ok(())
}

/// The end of every console change: on success a notice and a 303 to `to`; otherwise
/// back to the form (`back`) with the reason.
pub(super) async fn settle(
    session: &Session,
    form: &FormData,
    lang: Lang,
    result: Result<(), ChangeError>,
    to: &str,
    back: &str,
    done: (&str, &str),
) -> Reply {
    match result {
        Ok(()) => {
            set_flash(session, notice(lang, done.0, done.1)).await;
            see_other(to, form.chosen_lang())
        }
        Err(error) => failed(session, form, lang, back, error).await,
    }
}

fn peer(request_address: Option<&ConnectInfo<SocketAddr>>) -> String {
    request_address
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

// ---------------------------------------------------------------------------------------
// Signing in and out

pub async fn sign_in(
    State(console): State<Arc<Console>>,
    session: Session,
    headers: HeaderMap,
    address: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Reply {
    let form = FormData(pairs);
    let lang = form.lang(&headers);
    let Some(changes) = console.database() else {
        return unavailable(lang);
    };
    if !sessions::csrf_ok(&session, &form.text("csrf")).await {
        return stale_form(lang);
    }
    if let Some(problem) = form.unstorable() {
        return unstorable(lang, &problem);
    }
    let address = peer(address.as_ref().map(|a| &a.0));
    let name = form.text("name");
    let password = form
        .0
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let (account_key, address_key) = (format!("account:{name}"), format!("address:{address}"));
    let throttle = &console.throttle;
    if let Some(wait) = throttle
        .accounts
        .wait(&account_key)
        .or_else(|| throttle.addresses.wait(&address_key))
    {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        let mut reply = refusal(
            StatusCode::TOO_MANY_REQUESTS,
            lang,
            ("로그인 시도가 너무 많습니다", "Too many sign-in attempts"),
            (
                &format!("로그인 실패가 여러 번 있어 잠시 막아 두었습니다. {minutes}분 뒤에 다시 시도하세요."),
                &format!("After several failed sign-ins, signing in is paused. Try again in {minutes} minutes."),
            ),
        );
        reply
            .headers_mut()
            .insert(header::RETRY_AFTER, wait.as_secs().max(1).into());
        return reply;
    }

    let user = match changes.store().user(&name).await {
        Ok(user) => user,
        Err(error) => return failed(&session, &form, lang, "/admin/signin", error.into()).await,
    };
    // Hashing runs off the async threads; an unknown name is checked against a dummy hash.
    let stored = user.filter(|u| u.active).map(|u| u.password_hash);
    let ok = tokio::task::spawn_blocking(move || {
        accounts::verify_password(&password, stored.as_deref())
    })
    .await
    .unwrap_or(false);
    let record = SignInRecord {
        name: name.chars().take(64).collect(),
        address: address.clone(),
    };
    if !ok {
        throttle.accounts.fail(&account_key);
        throttle.addresses.fail(&address_key);
        if let Err(error) = changes
            .apply("anonymous", Change::SignInFailed(record))
            .await
        {
            tracing::error!(%error, "recording a failed sign-in");
        }
        let problem = Problem::new(
            "password",
            "계정 이름 또는 비밀번호가 맞지 않습니다.",
            "The account name or the password is not right.",
        );
        return refused(&session, &form, lang, "/admin/signin", &problem).await;
    }
    if let Err(error) = changes.apply(&name, Change::SignIn(record)).await {
        return failed(&session, &form, lang, "/admin/signin", error).await;
    }
    throttle.accounts.clear(&account_key);
    if let Err(error) = sessions::sign_in(&session, &name).await {
        tracing::error!(%error, "starting a session");
        return unavailable(lang);
    }
    set_flash(&session, notice(lang, "로그인했습니다.", "Signed in.")).await;
    see_other("/admin", form.chosen_lang())
}

pub async fn sign_out(
    address: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    post: StaffPost<AnyRole>,
) -> Reply {
    let StaffPost {
        session,
        form,
        changes,
        me,
        ..
    } = post;
    let record = SignInRecord {
        name: me.name.clone(),
        address: peer(address.as_ref().map(|a| &a.0)),
    };
    if let Err(error) = changes.apply(&me.name, Change::SignOut(record)).await {
        tracing::error!(%error, "recording a sign-out");
    }
    if let Err(error) = sessions::sign_out(&session).await {
        tracing::error!(%error, "ending a session");
    }
    see_other("/admin/signin", form.chosen_lang())
}

// ---------------------------------------------------------------------------------------
// Incidents

/// An id for a new incident: its start date (KST) and first service, made unique.
fn incident_id(
    snapshot: &Snapshot,
    started_at: chrono::DateTime<Utc>,
    components: &[StatusChange],
) -> String {
    let date = app::format::to_kst(started_at).format("%Y-%m-%d");
    let service = components
        .first()
        .and_then(|c| c.component.split_once('/'))
        .map(|(s, _)| s)
        .unwrap_or("incident");
    let base = format!("{date}-{service}");
    let taken = |id: &str| snapshot.state.incident(id).is_some();
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !taken(id))
        .expect("an unused id")
}

fn kind_of(form: &FormData, allowed: &[UpdateKind]) -> Result<UpdateKind, Problem> {
    UpdateKind::parse(&form.text("kind"))
        .filter(|k| allowed.contains(k))
        .ok_or_else(|| {
            Problem::new(
                "kind",
                "업데이트 종류를 고르세요",
                "choose the kind of update",
            )
        })
}

fn preview_of(
    snapshot: &Snapshot,
    lang: Lang,
    title: Option<(&str, Option<&str>)>,
    update: UpdateRecord,
) -> Preview {
    Preview {
        title: title.map(|(ko, en)| localized(lang, ko, en)),
        update: snapshot.update_view(&update, lang),
    }
}

/// The new-incident form as a change (checked against the catalog and the state later).
pub(super) fn read_incident(
    form: &FormData,
    snapshot: &Snapshot,
    now: chrono::DateTime<Utc>,
) -> Result<NewIncident, Problem> {
    let impact = Impact::parse(&form.text("impact"))
        .ok_or_else(|| Problem::new("impact", "영향도를 고르세요", "choose the impact"))?;
    let started_at = form.kst_time("started_at")?;
    let components = form.component_changes()?;
    let kind = kind_of(form, &[UpdateKind::Update, UpdateKind::Apology])?;
    Ok(NewIncident {
        id: incident_id(snapshot, started_at, &components),
        title_ko: form.text("title_ko"),
        title_en: form.optional("title_en"),
        impact,
        started_at,
        components,
        first_update: Some(FirstUpdate {
            at: now,
            kind,
            body_ko: form.text("body_ko"),
            body_en: form.optional("body_en"),
            notices: read_notices(form)?,
        }),
        crowd_signal_at: None,
        checks_failed_at: None,
    })
}

/// The update form as a change.
pub(super) fn read_update(
    form: &FormData,
    now: chrono::DateTime<Utc>,
) -> Result<NewUpdate, Problem> {
    let state = IncidentState::parse(&form.text("state"))
        .ok_or_else(|| Problem::new("state", "진행 상태를 고르세요", "choose the state"))?;
    Ok(NewUpdate {
        incident_id: form.text("incident"),
        at: now,
        state,
        kind: kind_of(
            form,
            &[
                UpdateKind::Update,
                UpdateKind::Apology,
                UpdateKind::Postmortem,
            ],
        )?,
        retrospective: false,
        body_ko: form.text("body_ko"),
        body_en: form.optional("body_en"),
        components: form.component_changes()?,
        still_affected_confirmed: form.checked("still_affected"),
        notices: read_notices(form)?,
    })
}

/// The legal duties ticked on an update form: `notice` = the duty, `element` =
/// "duty/element" for each element the text carries (checked against the rules by
/// `Changes`).
fn read_notices(form: &FormData) -> Result<Vec<NoticeTag>, Problem> {
    let mut tags: Vec<NoticeTag> = Vec::new();
    for duty in form.all("notice") {
        if !tags.iter().any(|t| t.duty == duty) {
            tags.push(NoticeTag {
                duty,
                elements: vec![],
            });
        }
    }
    for ticked in form.all("element") {
        let (duty, element) = ticked.split_once('/').unwrap_or(("", ticked.as_str()));
        match tags.iter_mut().find(|t| t.duty == duty) {
            Some(tag) if !tag.elements.iter().any(|e| e == element) => {
                tag.elements.push(element.to_string())
            }
            Some(_) => {}
            None => {
                return Err(Problem::new(
                    "notices",
                    "고지 요소를 표시하려면 그 고지도 함께 표시하세요",
                    "to tick an element of a notice, tick the notice too",
                ))
            }
        }
    }
    Ok(tags)
}

/// The correction form as a change.
pub(super) fn read_correction(form: &FormData) -> Result<Correction, Problem> {
    let Ok(update_id) = form.text("update").parse::<i64>() else {
        return Err(Problem::new(
            "update",
            "정정할 업데이트가 없습니다",
            "there is no such update to correct",
        ));
    };
    Ok(Correction {
        incident_id: form.text("incident"),
        update_id,
        body_ko: form.text("body_ko"),
        body_en: form.optional("body_en"),
    })
}

/// The maintenance form as a change.
pub(super) fn read_maintenance(
    form: &FormData,
    snapshot: &Snapshot,
) -> Result<MaintenanceRecord, Problem> {
    let starts_at = form.kst_time("starts_at")?;
    let ends_at = form.kst_time("ends_at")?;
    let base = format!(
        "{}-maintenance",
        app::format::to_kst(starts_at).format("%Y-%m-%d-%H%M")
    );
    let taken = |id: &str| snapshot.state.maintenances.iter().any(|m| m.id == id);
    let id = std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|id| !taken(id))
        .expect("an unused id");
    Ok(MaintenanceRecord {
        id,
        title_ko: form.text("title_ko"),
        title_en: form.optional("title_en"),
        body_ko: form.text("body_ko"),
        body_en: form.optional("body_en"),
        starts_at,
        ends_at,
        components: form.all("components"),
    })
}

pub async fn open_incident(post: StaffPost<Publish>) -> Reply {
    let StaffPost {
        console,
        session,
        form,
        lang,
        changes,
        me,
        ..
    } = post;
    let back = "/admin/incidents/new";
    let snapshot = console.snapshot.load();
    let mut new = match read_incident(&form, &snapshot, Utc::now()) {
        Ok(new) => new,
        Err(problem) => return refused(&session, &form, lang, back, &problem).await,
    };
    // Time to acknowledge starts when users' reports first stood out for these services.
    let services: Vec<&str> = new
        .components
        .iter()
        .filter_map(|c| c.component.split_once('/').map(|(s, _)| s))
        .collect();
    let since = new
        .started_at
        .checked_sub_signed(chrono::Duration::hours(6))
        .unwrap_or(new.started_at);
    new.crowd_signal_at = changes
        .store()
        .signals(since)
        .await
        .unwrap_or_default()
        .iter()
        .filter(|s| services.contains(&s.service.as_str()))
        .map(|s| s.fired_at)
        .min();
    // …or when the automated checks first found one of its features failing.
    new.checks_failed_at = changes
        .store()
        .verdict_changes(since)
        .await
        .unwrap_or_default()
        .iter()
        .filter(|v| v.verdict == "failing")
        .filter(|v| new.components.iter().any(|c| c.component == v.component))
        .map(|v| v.at)
        .min();
    let id = new.id.clone();
    if form.text("intent") == "preview" {
        return match changes.check(Change::OpenIncident(new)).await {
            Ok(Change::OpenIncident(new)) => {
                let first = new.first_update.clone().expect("built with a first update");
                let update = UpdateRecord {
                    id: 0,
                    at: first.at,
                    state: IncidentState::Investigating,
                    kind: first.kind,
                    retrospective: false,
                    body_ko: first.body_ko,
                    body_en: first.body_en,
                    notices: first.notices,
                    changes: new.components.clone(),
                    edited_at: None,
                };
                let preview = preview_of(
                    &snapshot,
                    lang,
                    Some((&new.title_ko, new.title_en.as_deref())),
                    update,
                );
                set_flash(
                    &session,
                    Flash {
                        values: form.kept(),
                        preview: Some(preview),
                        ..Flash::default()
                    },
                )
                .await;
                see_other(back, form.chosen_lang())
            }
            Ok(_) => unreachable!("check returns the change it was given"),
            Err(error) => failed(&session, &form, lang, back, error).await,
        };
    }
    let result = publish(&console, &changes, &me.name, Change::OpenIncident(new)).await;
    settle(
        &session,
        &form,
        lang,
        result,
        &format!("/admin/incidents/{id}"),
        back,
        ("장애를 공지했습니다.", "The incident is published."),
    )
    .await
}

pub async fn post_update(post: StaffPost<Publish>) -> Reply {
    let StaffPost {
        console,
        session,
        form,
        lang,
        changes,
        me,
        ..
    } = post;
    let back = format!("/admin/incidents/{}", path_segment(&form.text("incident")));
    let update = match read_update(&form, Utc::now()) {
        Ok(update) => update,
        Err(problem) => return refused(&session, &form, lang, &back, &problem).await,
    };
    if form.text("intent") == "preview" {
        return match changes.check(Change::PostUpdate(update)).await {
            Ok(Change::PostUpdate(update)) => {
                let record = UpdateRecord {
                    id: 0,
                    at: update.at,
                    state: update.state,
                    kind: update.kind,
                    retrospective: false,
                    body_ko: update.body_ko,
                    body_en: update.body_en,
                    changes: update.components,
                    edited_at: None,
                    notices: update.notices,
                };
                let snapshot = console.snapshot.load();
                let preview = preview_of(&snapshot, lang, None, record);
                set_flash(
                    &session,
                    Flash {
                        values: form.kept(),
                        preview: Some(preview),
                        ..Flash::default()
                    },
                )
                .await;
                see_other(&back, form.chosen_lang())
            }
            Ok(_) => unreachable!("check returns the change it was given"),
            Err(error) => failed(&session, &form, lang, &back, error).await,
        };
    }
    let result = publish(&console, &changes, &me.name, Change::PostUpdate(update)).await;
    settle(
        &session,
        &form,
        lang,
        result,
        &back,
        &back,
        ("업데이트를 게시했습니다.", "The update is published."),
    )
    .await
}

pub async fn correct_update(post: StaffPost<Publish>) -> Reply {
    let StaffPost {
        console,
        session,
        form,
        lang,
        changes,
        me,
        ..
    } = post;
    let back = format!("/admin/incidents/{}", path_segment(&form.text("incident")));
    let fix = match read_correction(&form) {
        Ok(fix) => fix,
        Err(problem) => return refused(&session, &form, lang, &back, &problem).await,
    };
    let result = publish(&console, &changes, &me.name, Change::CorrectUpdate(fix)).await;
    settle(
        &session,
        &form,
        lang,
        result,
        &back,
        &back,
        ("정정을 게시했습니다.", "The correction is published."),
    )
    .await
}

/// An internal note: in the ledger, shown to staff and regulators on the console only.
pub async fn add_note(post: StaffPost<Publish>) -> Reply {
    let StaffPost {
        session,
        form,
        lang,
        changes,
        me,
        ..
    } = post;
    let incident = form.text("incident");
    let back = format!("/admin/incidents/{}", path_segment(&incident));
    // Nothing public changes: no snapshot to wait for.
    let result = match read_notices(&form) {
        Ok(notices) => {
            let note = Change::AddNote(crate::domain::change::NewNote {
                incident_id: incident,
                body: form.text("note"),
                notices,
            });
            changes.apply(&me.name, note).await.map(|_| ())
        }
        Err(problem) => Err(ChangeError::Invalid(problem)),
    };
    settle(
        &session,
        &form,
        lang,
        result,
        &back,
        &back,
        ("내부 메모를 남겼습니다.", "The note is saved."),
    )
    .await
}

pub async fn component_status(post: StaffPost<Publish>) -> Reply {
    let StaffPost {
        console,
        session,
        form,
        lang,
        changes,
        me,
        ..
    } = post;
    let Some(status) = app::model::ComponentStatus::parse(&form.text("status")) else {
        let problem = Problem::new(
            "status",
            "구성 요소 상태를 고르세요",
            "choose a component status",
        );
        return refused(&session, &form, lang, "/admin", &problem).await;
    };
    let component = form.text("component");
    // Tie the change to the open incident that affects this component, if there is one.
    let incident_id = form.optional("incident").or_else(|| {
        console
            .snapshot
            .load()
            .state
            .unresolved()
            .rev()
            .find(|i| i.components.iter().any(|c| c.component == component))
            .map(|i| i.id.clone())
    });
    let set = ComponentStatusChange {
        component,
        status,
        incident_id,
    };
    let result = publish(
        &console,
        &changes,
        &me.name,
        Change::SetComponentStatus(set),
    )
    .await;
    settle(
        &session,
        &form,
        lang,
        result,
        "/admin",
        "/admin",
        (
            "구성 요소 상태를 바꿨습니다.",
            "The component status is changed.",
        ),
    )
    .await
}

// ---------------------------------------------------------------------------------------
// Maintenance

pub async fn schedule_maintenance(post: StaffPost<Publish>) -> Reply {
    let StaffPost {
        console,
        session,
        form,
        lang,
        changes,
        me,
        ..
    } = post;
    let back = "/admin/maintenance/new";
    let maintenance = match read_maintenance(&form, &console.snapshot.load()) {
        Ok(m) => m,
        Err(problem) => return refused(&session, &form, lang, back, &problem).await,
    };
    let result = publish(
        &console,
        &changes,
        &me.name,
        Change::ScheduleMaintenance(maintenance),
    )
    .await;
    settle(
        &session,
        &form,
        lang,
        result,
        "/admin",
        back,
        ("점검을 예약했습니다.", "The maintenance is scheduled."),
    )
    .await
}

// ---------------------------------------------------------------------------------------
// Staff accounts

pub async fn add_user(post: StaffPost<ManageStaff>) -> Reply {
    let StaffPost {
        session,
        form,
        lang,
        changes,
        me,
        ..
    } = post;
    let back = "/admin/users";
    let Some(role) = Role::parse(&form.text("role")) else {
        let problem = Problem::new("role", "역할을 고르세요", "choose a role");
        return refused(&session, &form, lang, back, &problem).await;
    };
    let password = form
        .0
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if let Err(problem) = accounts::check_password(&password) {
        return refused(&session, &form, lang, back, &problem).await;
    }
    let password_hash = tokio::task::spawn_blocking(move || accounts::hash_password(&password))
        .await
        .expect("hashing does not panic");
    let user = NewUser {
        name: form.text("name"),
        role,
        password_hash,
    };
    let result = changes
        .apply(&me.name, Change::AddUser(user))
        .await
        .map(|_| ());
    settle(
        &session,
        &form,
        lang,
        result,
        back,
        back,
        ("계정을 추가했습니다.", "The account is added."),
    )
    .await
}

pub async fn update_user(post: StaffPost<ManageStaff>) -> Reply {
    let StaffPost {
        session,
        form,
        lang,
        changes,
        me,
        ..
    } = post;
    let back = "/admin/users";
    let Some(role) = Role::parse(&form.text("role")) else {
        let problem = Problem::new("role", "역할을 고르세요", "choose a role");
        return refused(&session, &form, lang, back, &problem).await;
    };
    let change = UserChange {
        name: form.text("name"),
        role,
        active: form.checked("active"),
    };
    let result = changes
        .apply(&me.name, Change::UpdateUser(change))
        .await
        .map(|_| ());
    settle(
        &session,
        &form,
        lang,
        result,
        back,
        back,
        ("계정을 바꿨습니다.", "The account is changed."),
    )
    .await
}

// ---------------------------------------------------------------------------------------
// The ledger as JSON Lines

/// One line per entry: `seq`, `at`, `actor`, `action`, `change` (the canonical entry's
/// fields), then `prev_hash` and `hash`. README explains how to re-verify it.
pub async fn export_ledger(
    State(console): State<Arc<Console>>,
    session: Session,
    request: Request,
) -> Reply {
    let lang = lang::from_headers(request.headers());
    let Some(changes) = console.database() else {
        return unavailable(lang);
    };
    let Some(me) = console.me(&session).await else {
        return see_other("/admin/signin", None);
    };
    if !me.role.can_read_ledger() {
        return forbidden(lang);
    }
    let entries = match changes.store().ledger().await {
        Ok(entries) => entries,
        Err(error) => {
            tracing::error!(%error, "reading the ledger for export");
            return unavailable(lang);
        }
    };
    let mut out = String::new();
    for entry in entries {
        let mut line: serde_json::Value =
            serde_json::from_str(&entry.canonical).unwrap_or_default();
        if let Some(fields) = line.as_object_mut() {
            fields.insert("prev_hash".into(), entry.prev_hash.into());
            fields.insert("hash".into(), entry.hash.into());
        }
        out.push_str(&line.to_string());
        out.push('\n');
    }
    Response::builder()
        .header(header::CONTENT_TYPE, "application/jsonl; charset=utf-8")
        .header(
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"ledger.jsonl\"",
        )
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(out))
        .expect("valid response")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ledger, rules};
    use crate::read::snapshot::fixture;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    static SNAPSHOT: LazyLock<Arc<Snapshot>> = LazyLock::new(|| fixture::handle(3).load());

    /// The fields a refusal may name.
    const FIELDS: [&str; 14] = [
        "impact",
        "started_at",
        "components",
        "kind",
        "state",
        "update",
        "starts_at",
        "ends_at",
        "id",
        "title_ko",
        "title_en",
        "body_ko",
        "body_en",
        "incident",
    ];

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => prop::sample::select(vec![
                "", "major", "minor", "update", "apology", "postmortem", "resolved",
                "monitoring", "major_outage", "operational", "1", "-1", "9223372036854775808",
                "2022-10-15T15:30", "2030-01-01T02:00", "1900-01-01T00:00",
                "-262143-01-01T14:59", "+262142-12-31T23:59", "kakaotalk/media", "kakaotalk/messages",
                "incident-1", "a\nb", "가나다", "\0",
            ]).prop_map(String::from),
            2 => any::<String>(),
            1 => ("[가-힣a-z ]{1,3}", 1usize..4000).prop_map(|(s, n)| s.repeat(n)),
        ]
    }

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => prop::sample::select(vec![
                "impact", "started_at", "kind", "state", "update", "incident", "starts_at",
                "ends_at", "title_ko", "title_en", "body_ko", "body_en", "components",
                "still_affected", "intent", "c.kakaotalk/media", "c.kakaotalk/messages",
                "c.nope/x", "c.",
            ]).prop_map(String::from),
            1 => any::<String>(),
        ]
    }

    fn form() -> impl Strategy<Value = FormData> {
        prop::collection::vec((name(), value()), 0..16).prop_map(FormData)
    }

    /// A change as the ledger records it reads back as the same change.
    fn through_the_ledger(change: &Change) -> Result<(), TestCaseError> {
        let at = Utc::now();
        let value = serde_json::to_value(change).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let text = ledger::canonical(1, at, "tester", change.action(), &value);
        let read = ledger::read_canonical(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: Change = serde_json::from_value(read["change"].clone())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&back, change);
        Ok(())
    }

    /// Read, then checked on its own: a change or a refusal naming a field; never a panic.
    fn read_and_validate(read: Result<Change, Problem>) -> Result<(), TestCaseError> {
        let catalog = &SNAPSHOT.catalog;
        let checked = read.and_then(|change| {
            rules::validate(catalog, &change)?;
            Ok(change)
        });
        match checked {
            Ok(change) => through_the_ledger(&change)?,
            Err(problem) => {
                prop_assert!(FIELDS.contains(&problem.field), "{}", problem.field);
                prop_assert!(!problem.ko.is_empty() && !problem.en.is_empty());
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 128,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Every console form that makes a public change, from any fields at all.
        #[test]
        fn any_console_form_is_a_change_or_a_named_refusal(form in form()) {
            let now = Utc::now();
            read_and_validate(read_incident(&form, &SNAPSHOT, now).map(Change::OpenIncident))?;
            read_and_validate(read_update(&form, now).map(Change::PostUpdate))?;
            read_and_validate(read_correction(&form).map(Change::CorrectUpdate))?;
            read_and_validate(read_maintenance(&form, &SNAPSHOT).map(Change::ScheduleMaintenance))?;
        }

        /// A form filled in as the page offers it is accepted, and read as typed.
        #[test]
        fn a_valid_incident_form_is_accepted(
            title in "[가-힣A-Za-z0-9 ]{0,60}[가-힣A-Za-z0-9]",
            body in "[가-힣A-Za-z0-9 .,\n]{0,300}[가-힣]",
            impact in prop::sample::select(vec!["none", "minor", "major", "critical"]),
            kind in prop::sample::select(vec!["update", "apology"]),
            component in prop::sample::select(fixture::catalog().component_ids().collect::<Vec<_>>()),
            status in prop::sample::select(vec!["degraded_performance", "partial_outage", "major_outage"]),
            minutes_ago in 0i64..5_000_000,
        ) {
            let now = Utc::now();
            let started = app::format::to_kst(now - chrono::Duration::minutes(minutes_ago)).format("%Y-%m-%dT%H:%M").to_string();
            let form = FormData(vec![
                ("title_ko".into(), title.clone()),
                ("impact".into(), impact.into()),
                ("started_at".into(), started),
                (format!("c.{component}"), status.into()),
                ("kind".into(), kind.into()),
                ("body_ko".into(), body.clone()),
            ]);
            let new = read_incident(&form, &SNAPSHOT, now).map_err(|p| TestCaseError::fail(p.en))?;
            prop_assert_eq!(&new.title_ko, title.trim());
            prop_assert_eq!(new.components.len(), 1);
            let change = Change::OpenIncident(new);
            rules::validate(&SNAPSHOT.catalog, &change).map_err(|p| TestCaseError::fail(p.en))?;
            through_the_ledger(&change)?;
        }
    }
}
