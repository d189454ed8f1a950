//! What each console page shows, built from the session, the snapshot and the database.

use super::responses::take_flash;
use super::Console;
use crate::domain::law::TaggedNote;
use crate::domain::ledger;
use crate::read::localized::localized;
use crate::read::snapshot::Snapshot;
use crate::web::console::templates;
use app::api::ConsoleModel;
use app::api::ReadModel;
use app::data::staff::*;
use app::model::{IncidentState, Lang};
use chrono::Utc;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tower_sessions::Session;

pub struct Model(pub Arc<Console>);

impl ConsoleModel for Model {
    fn view(
        &self,
        request: http::request::Parts,
        page: ConsolePage,
        lang: Lang,
    ) -> Pin<Box<dyn Future<Output = ConsoleView> + Send>> {
        let console = self.0.clone();
        Box::pin(async move { build(&console, request, page, lang).await })
    }
}

fn bare(body: ConsoleBody) -> ConsoleView {
    ConsoleView {
        csrf: String::new(),
        me: None,
        crowd_alerts: Vec::new(),
        check_alerts: Vec::new(),
        flash: Flash::default(),
        body,
    }
}

async fn build(
    console: &Console,
    request: http::request::Parts,
    page: ConsolePage,
    lang: Lang,
) -> ConsoleView {
    let (Some(changes), Some(session)) = (&console.database(), request.extensions.get::<Session>())
    else {
        return bare(ConsoleBody::Unavailable);
    };
    let Ok(csrf) = crate::web::console::sessions::csrf_token(session).await else {
        return bare(ConsoleBody::Unavailable);
    };
    let me = console.me(session).await;
    let flash = take_flash(session).await;
    let crowd_alerts = uncovered_alerts(console, lang);
    let check_alerts = {
        let snapshot = console.snapshot.load();
        console.snapshot.checks().alerts(&snapshot, lang)
    };
    let view = |me: Option<Me>, body| ConsoleView {
        crowd_alerts: if me.is_some() {
            crowd_alerts.clone()
        } else {
            Vec::new()
        },
        check_alerts: if me.is_some() {
            check_alerts.clone()
        } else {
            Vec::new()
        },
        csrf: csrf.clone(),
        me,
        flash: flash.clone(),
        body,
    };
    if page == ConsolePage::SignIn {
        return view(me, ConsoleBody::SignIn);
    }
    let Some(me) = me else {
        return view(None, ConsoleBody::NeedSignIn);
    };
    let snapshot = console.snapshot.load();
    let role = me.role;
    let body = match page {
        ConsolePage::SignIn => ConsoleBody::SignIn,
        ConsolePage::Dashboard => ConsoleBody::Dashboard(dashboard(&snapshot, lang)),
        ConsolePage::NewIncident | ConsolePage::NewMaintenance if !role.can_publish() => {
            ConsoleBody::Forbidden
        }
        ConsolePage::NewIncident => {
            ConsoleBody::NewIncident(incident_form(console, &snapshot, lang))
        }
        ConsolePage::NewMaintenance => {
            ConsoleBody::NewMaintenance(incident_form(console, &snapshot, lang))
        }
        ConsolePage::Incident(id) => match snapshot.incident(&id, lang) {
            None => ConsoleBody::NotFound,
            Some(incident) => {
                let record = snapshot.state.incident(&id);
                let services: Vec<&str> = record
                    .map(|r| {
                        r.components
                            .iter()
                            .filter_map(|c| c.component.split_once('/').map(|(s, _)| s))
                            .collect()
                    })
                    .unwrap_or_default();
                // Notes live in the ledger; the desk shows none rather than fail with it,
                // and then does not judge the duties that notes fulfil.
                let read = changes.store().notes(&id).await.ok();
                let tagged: Option<Vec<TaggedNote>> = read.as_ref().map(|notes| {
                    notes
                        .iter()
                        .map(|n| TaggedNote {
                            seq: n.seq,
                            at: n.at,
                            notices: n.notices.clone(),
                        })
                        .collect()
                });
                let duties = snapshot
                    .record_view(&id, lang, None, tagged.as_deref())
                    .map(|r| r.duties)
                    .unwrap_or_default();
                let notes = read
                    .unwrap_or_default()
                    .into_iter()
                    .map(|n| app::data::staff::NoteView {
                        seq: n.seq,
                        at: n.at,
                        author: n.author,
                        body: n.body,
                        duties: n.notices.into_iter().map(|t| t.duty).collect(),
                    })
                    .collect();
                ConsoleBody::Incident(Box::new(IncidentDesk {
                    duties,
                    notes,
                    incident,
                    components: choices(&snapshot, lang, |id| {
                        services.iter().any(|s| id.starts_with(&format!("{s}/")))
                    }),
                    templates: templates::for_reader(&console.templates, lang),
                    originals: record
                        .map(|r| {
                            r.updates
                                .iter()
                                .map(|u| UpdateText {
                                    id: u.id,
                                    body_ko: u.body_ko.clone(),
                                    body_en: u.body_en.clone(),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                }))
            }
        },
        ConsolePage::Users if !role.can_manage_staff() => ConsoleBody::Forbidden,
        ConsolePage::Users => match changes.store().users().await {
            Ok(users) => ConsoleBody::Users(
                users
                    .into_iter()
                    .map(|u| UserRow {
                        name: u.name,
                        role: u.role,
                        active: u.active,
                        created_at: u.created_at,
                    })
                    .collect(),
            ),
            Err(_) => ConsoleBody::Unavailable,
        },
        ConsolePage::Webhooks if !role.can_manage_staff() => ConsoleBody::Forbidden,
        ConsolePage::Webhooks => {
            match webhooks_report(console, changes.store().as_ref(), lang).await {
                Ok(report) => ConsoleBody::Webhooks(report),
                Err(_) => ConsoleBody::Unavailable,
            }
        }
        ConsolePage::Agents if !role.can_manage_staff() => ConsoleBody::Forbidden,
        ConsolePage::Agents => match changes.store().probe_agents().await {
            Ok(agents) => ConsoleBody::Agents(
                agents
                    .into_iter()
                    .map(|a| app::data::staff::AgentRow {
                        name: a.name,
                        key: a.secret,
                        active: a.active,
                        last_seq: a.last_seq,
                        created_at: a.created_at,
                    })
                    .collect(),
            ),
            Err(_) => ConsoleBody::Unavailable,
        },
        ConsolePage::Ledger if !role.can_read_ledger() => ConsoleBody::Forbidden,
        ConsolePage::Ledger => match changes.store().ledger().await {
            Ok(entries) => ConsoleBody::Ledger(ledger_report(&entries)),
            Err(_) => ConsoleBody::Unavailable,
        },
    };
    view(Some(me), body)
}

/// The crowd signals firing for services that no open incident covers.
fn uncovered_alerts(console: &Console, lang: Lang) -> Vec<app::data::public::CrowdAlert> {
    let snapshot = console.snapshot.load();
    let covered = |service: &str| {
        snapshot.state.unresolved().any(|i| {
            i.components
                .iter()
                .any(|c| c.component.starts_with(&format!("{service}/")))
        })
    };
    console
        .snapshot
        .crowd()
        .alerts(&snapshot.catalog, lang)
        .into_iter()
        .filter(|a| !covered(&a.slug))
        .collect()
}

/// Components as form choices, in catalog order, with their state now.
fn choices(snapshot: &Snapshot, lang: Lang, keep: impl Fn(&str) -> bool) -> Vec<ComponentChoice> {
    let mut out = Vec::new();
    for service in &snapshot.catalog.services {
        for component in &service.components {
            let id = format!("{}/{}", service.slug, component.slug);
            if !keep(&id) {
                continue;
            }
            let (service_name, name) = match lang {
                Lang::Ko => (&service.name_ko, &component.name_ko),
                Lang::En => (&service.name_en, &component.name_en),
            };
            out.push(ComponentChoice {
                status: snapshot.current_status(&id),
                id,
                service: service_name.clone(),
                name: name.clone(),
            });
        }
    }
    out
}

fn row(record: &crate::domain::state::IncidentRecord, lang: Lang) -> IncidentRow {
    IncidentRow {
        id: record.id.clone(),
        title: localized(lang, &record.title_ko, record.title_en.as_deref()),
        impact: record.impact,
        state: record.state,
        started_at: record.started_at,
    }
}

fn dashboard(snapshot: &Snapshot, lang: Lang) -> Dashboard {
    let incidents = snapshot.state.incidents();
    let open = snapshot
        .state
        .unresolved()
        .rev()
        .map(|i| row(i, lang))
        .collect();
    let recent = incidents
        .iter()
        .rev()
        .filter(|i| i.state == IncidentState::Resolved)
        .take(5)
        .map(|i| row(i, lang))
        .collect();
    let now = Utc::now();
    let maintenance = snapshot
        .state
        .maintenances
        .iter()
        .filter(|m| m.ends_at > now)
        .map(|m| app::data::public::MaintenanceView {
            id: m.id.clone(),
            title: localized(lang, &m.title_ko, m.title_en.as_deref()),
            body: localized(lang, &m.body_ko, m.body_en.as_deref()),
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            components: m.components.clone(),
            in_progress: m.starts_at <= now,
        })
        .collect();
    Dashboard {
        open,
        recent,
        components: choices(snapshot, lang, |_| true),
        maintenance,
    }
}

fn incident_form(console: &Console, snapshot: &Snapshot, lang: Lang) -> IncidentForm {
    IncidentForm {
        components: choices(snapshot, lang, |_| true),
        templates: templates::for_reader(&console.templates, lang),
        now_local: crate::web::kit::form::kst_now_local(),
        duties: snapshot.duties_in_force(snapshot.built_at, lang),
    }
}

pub fn ledger_report(entries: &[ledger::LedgerEntry]) -> LedgerReport {
    let (count, head, broken) = match ledger::verify(entries) {
        Ok(ok) => (ok.count, ok.head, None),
        Err(broken) => (
            entries.len(),
            String::new(),
            Some((broken.seq(), broken.to_string())),
        ),
    };
    LedgerReport {
        count,
        head,
        broken,
        recent: entries
            .iter()
            .rev()
            .take(50)
            .map(|e| LedgerRow {
                seq: e.seq,
                at: e.at,
                actor: e.actor.clone(),
                action: e.action.clone(),
                hash: e.hash.clone(),
            })
            .collect(),
    }
}

async fn webhooks_report(
    console: &Console,
    store: &dyn crate::store::Store,
    lang: Lang,
) -> Result<WebhooksReport, crate::store::StoreError> {
    let catalog = console.snapshot.load().catalog.clone();
    let name = |slug: &str| match catalog.service(slug) {
        Some(s) if lang == Lang::En => s.name_en.clone(),
        Some(s) => s.name_ko.clone(),
        None => slug.to_string(),
    };
    let (confirmed, pending) = store.subscriber_counts().await?;
    Ok(WebhooksReport {
        endpoints: store
            .webhooks()
            .await?
            .into_iter()
            .map(|hook| WebhookRow {
                services: hook.services.iter().map(|s| name(s)).collect(),
                id: hook.id,
                url: hook.url,
                secret: hook.secret,
                active: hook.active,
                created_at: hook.created_at,
            })
            .collect(),
        deliveries: store
            .deliveries(100)
            .await?
            .into_iter()
            .map(|d| DeliveryRow {
                id: d.id,
                target: (d.channel == "webhook").then_some(d.target),
                channel: d.channel,
                kind: d.kind,
                event: d.event_key,
                next_attempt_at: (d.state == "pending").then_some(d.next_attempt_at),
                state: d.state,
                attempts: d.attempts,
                created_at: d.created_at,
                last_status: d.last_status,
                last_error: d.last_error,
            })
            .collect(),
        services: catalog
            .services
            .iter()
            .map(|s| (s.slug.clone(), name(&s.slug)))
            .collect(),
        email_enabled: console.outbox.as_ref().is_some_and(|o| o.email_enabled()),
        subscribers_confirmed: confirmed,
        subscribers_pending: pending,
    })
}
