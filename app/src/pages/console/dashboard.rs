//! `/admin`: open and recent incidents, component status, upcoming maintenance.

use super::console_page;
use super::forms::{post_form, status_options, FormBasics};
use crate::components::{StatusBadge, Time};
use crate::data::staff::{ConsoleBody, ConsolePage, ConsoleView, IncidentRow};
use crate::layout::use_lang;
use crate::model::Lang;
use crate::text::public::{state_label, status_label};
use crate::text::staff::console_strings;
use leptos::prelude::*;

#[component]
pub fn ConsoleDashboard() -> impl IntoView {
    console_page(|| ConsolePage::Dashboard, render)
}

pub(super) fn incident_rows(rows: Vec<IncidentRow>, lang: Lang) -> impl IntoView {
    let ctx = use_lang();
    rows.into_iter()
        .map(|row| {
            view! {
                <li>
                    <a href=ctx.href(&format!("/admin/incidents/{}", row.id))>{row.title.text}</a>
                    " · "<span class=format!("state st-{}", row.state.as_str())>{state_label(lang, row.state)}</span>
                    " · "<Time at=row.started_at lang />
                </li>
            }
        })
        .collect_view()
}

fn render(view: &ConsoleView, lang: Lang) -> Option<AnyView> {
    let ConsoleBody::Dashboard(d) = &view.body else {
        return None;
    };
    let c = console_strings(lang);
    let can_publish = view.me.as_ref().is_some_and(|me| me.role.can_publish());
    let open = if d.open.is_empty() {
        view! { <p>{c.no_open_incidents}</p> }.into_any()
    } else {
        view! { <ul class="console-list">{incident_rows(d.open.clone(), lang)}</ul> }.into_any()
    };
    let components = d
        .components
        .iter()
        .map(|comp| {
            let label = format!("{} · {}", comp.service, comp.name);
            let control = if can_publish {
                let id = format!("cs-{}", comp.id.replace('/', "-"));
                let options = status_options(lang, "—", true)
                    .into_iter()
                    .skip(1)
                    .map(|(value, text)| {
                        let is = value == comp.status.as_str();
                        view! { <option value=value selected=is>{text}</option> }
                    })
                    .collect_view();
                let (csrf, component, hidden_label) =
                    (view.csrf.clone(), comp.id.clone(), label.clone());
                view! {
                    {post_form(
                         "/admin/actions/component-status",
                         "inline-form",
                         view! {
                        <FormBasics csrf />
                        <input type="hidden" name="component" value=component />
                        <label class="visually-hidden" for=id.clone()>{hidden_label}</label>
                        <select id=id name="status">{options}</select>
                        <button type="submit" class="secondary">{c.set_status}</button>
                         }
                         .into_any(),
                     )}
                }
                .into_any()
            } else {
                view! { <span>{status_label(lang, comp.status)}</span> }.into_any()
            };
            view! {
                <tr>
                    <th scope="row"><StatusBadge status=comp.status lang />" "{label}</th>
                    <td>{control}</td>
                </tr>
            }
        })
        .collect_view();
    let maintenance = if d.maintenance.is_empty() {
        view! { <p>{c.no_maintenance}</p> }.into_any()
    } else {
        let items = d
            .maintenance
            .iter()
            .cloned()
            .map(|m| view! { <li>{m.title.text}" · "<Time at=m.starts_at lang />" – "<Time at=m.ends_at lang /></li> })
            .collect_view();
        view! { <ul class="console-list">{items}</ul> }.into_any()
    };
    Some(
        view! {
            <h1 class="page-title">{c.dashboard}</h1>
            <section aria-labelledby="open-h">
                <h2 id="open-h">{c.open_incidents}</h2>
                {open}
            </section>
            <section aria-labelledby="cs-h">
                <h2 id="cs-h">{c.component_status}</h2>
                <p class="help">{c.component_status_help}</p>
                <table class="console-table status-table"><tbody>{components}</tbody></table>
            </section>
            <section aria-labelledby="mt-h">
                <h2 id="mt-h">{c.upcoming_maintenance}</h2>
                {maintenance}
            </section>
            <section aria-labelledby="recent-h">
                <h2 id="recent-h">{c.recent_incidents}</h2>
                <ul class="console-list">{incident_rows(d.recent.clone(), lang)}</ul>
            </section>
        }
        .into_any(),
    )
}
