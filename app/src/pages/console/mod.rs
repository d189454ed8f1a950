//! The staff console: one file per page, all loaded from `get_console`. Every form is a
//! plain POST to `/admin/actions/…` (the server answers with a redirect), so the console
//! works the same with JavaScript off; with it on, navigation stays in the page.

mod agents;
mod dashboard;
mod forms;
mod incident_desk;
mod ledger;
mod maintenance_new;
mod new_incident;
mod sign_in;
mod users;
mod webhooks;

pub use agents::ConsoleAgents;
pub use dashboard::ConsoleDashboard;
pub use incident_desk::ConsoleIncident;
pub use ledger::ConsoleLedger;
pub use maintenance_new::ConsoleNewMaintenance;
pub use new_incident::ConsoleNewIncident;
pub use sign_in::ConsoleSignIn;
pub use users::ConsoleUsers;
pub use webhooks::ConsoleWebhooks;

use super::{set_status, LoadError};
use crate::api::get_console;
use crate::data::staff::{ConsoleBody, ConsolePage, ConsoleView};
use crate::layout::use_lang;
use crate::model::Lang;
use crate::text::crowd::crowd_strings;
use crate::text::public::strings;
use crate::text::staff::{console_strings, role_label};
use crate::text::webhooks::webhook_strings;
use forms::{post_form, FormBasics};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

/// Renders a page's own body, or None when the body is not the page's.
type Render = fn(&ConsoleView, Lang) -> Option<AnyView>;

/// Loads a console page and puts it in the console frame.
pub(crate) fn console_page(
    page: impl Fn() -> ConsolePage + Send + Sync + 'static,
    render: Render,
) -> impl IntoView {
    let ctx = use_lang();
    // The query is part of the key: a template chosen (`?template=`) re-renders the form.
    let search = leptos_router::hooks::use_location().search;
    let data = Resource::new(
        move || (page(), ctx.get(), search.get()),
        |(page, lang, _)| get_console(page, lang),
    );
    view! {
        <Meta name="robots" content="noindex" />
        <Transition fallback=move || view! { <p class="loading">{strings(ctx.untracked()).loading}</p> }>
            {move || Suspend::new(async move {
                let lang = ctx.untracked();
                match data.await {
                    Ok(view) => frame(view, lang, render),
                    Err(_) => view! { <LoadError /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn frame(view: ConsoleView, lang: Lang, render: Render) -> AnyView {
    let ctx = use_lang();
    let c = console_strings(lang);
    let message = |code: u16, text: &'static str| {
        set_status(code);
        view! { <p class="console-message">{text}</p> }.into_any()
    };
    let body = match &view.body {
        // The server answers this one with a redirect to the sign-in page.
        ConsoleBody::NeedSignIn => view! {
            <p class="console-message">
                {c.need_sign_in}" "<a href=ctx.href("/admin/signin")>{c.sign_in}</a>
            </p>
        }
        .into_any(),
        ConsoleBody::Forbidden => message(403, c.forbidden),
        ConsoleBody::NotFound => message(404, c.not_found),
        ConsoleBody::Unavailable => message(503, c.unavailable),
        _ => render(&view, lang).unwrap_or_else(|| message(404, c.not_found)),
    };
    let nav = view.me.clone().map(|me| {
        let role = me.role;
        view! {
            <nav class="console-nav" aria-label=c.console>
                <a href=ctx.href("/admin")>{c.dashboard}</a>
                {role.can_publish().then(|| view! {
                    <a href=ctx.href("/admin/incidents/new")>{c.new_incident}</a>
                    <a href=ctx.href("/admin/maintenance/new")>{c.new_maintenance}</a>
                })}
                {role.can_manage_staff().then(|| view! { <a href=ctx.href("/admin/users")>{c.users}</a> })}
                {role.can_read_ledger().then(|| view! { <a href=ctx.href("/admin/ledger")>{c.ledger}</a> })}
                {role.can_manage_staff().then(|| view! { <a href=ctx.href("/admin/webhooks")>{webhook_strings(lang).title}</a> })}
                {role.can_manage_staff().then(|| view! { <a href=ctx.href("/admin/agents")>{crate::text::checks::agent_strings(lang).title}</a> })}
            </nav>
            {post_form(
                 "/admin/actions/signout",
                 "console-me",
                 view! {
                <FormBasics csrf=view.csrf.clone() />
                <span>{c.signed_in_as}" "<strong>{me.name}</strong>" ("{role_label(lang, role)}")"</span>
                <button type="submit" class="link-button">{c.sign_out}</button>
                 }
                 .into_any(),
             )}
            {(!role.can_publish()).then(|| view! { <p class="read-only-note">{c.read_only}</p> })}
        }
    });
    let alerts = view
        .crowd_alerts
        .into_iter()
        .map(|alert| {
            let crowd = crowd_strings(lang);
            let href = ctx.href(&format!("/admin/incidents/new?service={}", alert.slug));
            view! {
                <div class="crowd-banner" role="alert">
                    <p class="crowd-title">{crowd.users_reporting.replace("{}", &alert.name)}</p>
                    <p class="crowd-meta">
                        {crowd.reports_last_hour}" "<strong>{alert.last_hour}</strong>" · "
                        <crate::components::Time at=alert.since lang />
                    </p>
                    <p><a class="report-link" href=href>{c.open_incident_for_crowd}</a></p>
                </div>
            }
        })
        .collect_view();
    let check_alerts = view
        .check_alerts
        .into_iter()
        .map(|alert| {
            let checks = crate::text::checks::check_strings(lang);
            let href = ctx.href(&format!(
                "/admin/incidents/new?component={}",
                alert.component
            ));
            let name = format!("{} · {}", alert.service_name, alert.name);
            view! {
                <div class="check-banner" role="alert">
                    <p class="check-title">{checks.detected}</p>
                    <p>{checks.detected_detail.replace("{}", &name)}</p>
                    <p class="crowd-meta"><crate::components::Time at=alert.since lang /></p>
                    <p><a class="report-link" href=href>{c.open_incident_for_check}</a></p>
                </div>
            }
        })
        .collect_view();
    let flash = view.flash;
    view! {
        <Title text=c.console />
        <div class="console">
            <div class="console-bar">{nav}</div>
            {check_alerts}
            {alerts}
            {flash.notice.map(|notice| view! { <p class="notice" role="status">{notice}</p> })}
            {flash.error.map(|error| view! { <p class="form-error" role="alert">{error}</p> })}
            {body}
        </div>
    }
    .into_any()
}
