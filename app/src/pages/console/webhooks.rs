//! `/admin/webhooks` (admins): register endpoints, see their signing secrets, switch them
//! off, and read the delivery log of webhooks and emails.

use super::console_page;
use super::forms::{post_form, value_of, FormBasics, TextField};
use crate::components::Time;
use crate::data::staff::{ConsoleBody, ConsolePage, ConsoleView, DeliveryRow};
use crate::model::Lang;
use crate::text::webhooks::webhook_strings;
use leptos::prelude::*;

#[component]
pub fn ConsoleWebhooks() -> impl IntoView {
    console_page(|| ConsolePage::Webhooks, render)
}

fn delivery_row(row: DeliveryRow, lang: Lang) -> impl IntoView {
    let w = webhook_strings(lang);
    let state = match row.state.as_str() {
        "delivered" => w.delivered,
        "failed" => w.failed,
        _ => w.waiting,
    };
    let result = match (row.last_status, row.last_error) {
        (Some(status), None) => status.to_string(),
        (Some(status), Some(error)) => format!("{status} · {error}"),
        (None, Some(error)) => error,
        (None, None) => "—".into(),
    };
    let channel = if row.channel == "email" {
        w.email.to_string()
    } else {
        format!("webhook {}", row.target.unwrap_or_default())
    };
    view! {
        <tr class=format!("delivery-{}", row.state)>
            <td>{row.id}</td>
            <td><Time at=row.created_at lang /></td>
            <td>{channel}</td>
            <td><code>{row.kind}</code>" "{row.event.map(|e| view! { <small>{e}</small> })}</td>
            <td>{state}</td>
            <td>{row.attempts}</td>
            <td class="delivery-result">{result}</td>
            <td>{row.next_attempt_at.map(|at| view! { <Time at lang /> })}</td>
        </tr>
    }
}

fn render(view: &ConsoleView, lang: Lang) -> Option<AnyView> {
    let ConsoleBody::Webhooks(report) = &view.body else {
        return None;
    };
    let w = webhook_strings(lang);
    let flash = view.flash.clone();
    let endpoints = report
        .endpoints
        .iter()
        .map(|hook| {
            let services = if hook.services.is_empty() {
                w.every_service.to_string()
            } else {
                hook.services.join(", ")
            };
            view! {
                <tr>
                    <th scope="row"><code class="break">{hook.url.clone()}</code><br /><small>{hook.id.clone()}</small></th>
                    <td>{services}</td>
                    <td><details><summary>{w.show_secret}</summary><code class="break">{hook.secret.clone()}</code></details></td>
                    <td>{if hook.active { w.active } else { w.inactive }}</td>
                    <td><Time at=hook.created_at lang /></td>
                    <td>
                        {post_form(
                            "/admin/actions/webhook-active",
                            "inline-form",
                            view! {
                                <FormBasics csrf=view.csrf.clone() />
                                <input type="hidden" name="id" value=hook.id.clone() />
                                <input type="hidden" name="active" value=if hook.active { "0" } else { "1" } />
                                <button type="submit" class="secondary">{if hook.active { w.deactivate } else { w.activate }}</button>
                            }
                            .into_any(),
                        )}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let service_boxes = report
        .services
        .iter()
        .cloned()
        .map(|(slug, name)| {
            let id = format!("wh-s-{slug}");
            let checked = flash.has_value("services", &slug);
            view! {
                <div class="field checkbox">
                    <input type="checkbox" id=id.clone() name="services" value=slug checked=checked />
                    <label for=id>{name}</label>
                </div>
            }
        })
        .collect_view();
    let deliveries = report
        .deliveries
        .iter()
        .cloned()
        .map(|row| delivery_row(row, lang))
        .collect_view();
    let email = if report.email_enabled {
        view! {
            <p>{w.subscribers}": "<strong>{report.subscribers_confirmed}</strong>" · "{w.pending}": "{report.subscribers_pending}</p>
        }
        .into_any()
    } else {
        view! { <p>{w.email_off}</p> }.into_any()
    };
    Some(
        view! {
            <h1 class="page-title">{w.title}</h1>
            <section aria-labelledby="endpoints-h">
                <h2 id="endpoints-h">{w.endpoints}</h2>
                {if report.endpoints.is_empty() {
                    view! { <p>{w.none_yet}</p> }.into_any()
                } else {
                    view! {
                        // Focusable, so that keyboard users can scroll a table wider than the screen.
                        <div class="table-scroll" tabindex="0">
                            <table class="console-table endpoints">
                                <thead><tr>
                                    <th scope="col">{w.url}</th><th scope="col">{w.services}</th><th scope="col">{w.secret}</th>
                                    <th scope="col">{w.state}</th><th scope="col">{w.created}</th><th scope="col"><span class="visually-hidden">{w.state}</span></th>
                                </tr></thead>
                                <tbody>{endpoints}</tbody>
                            </table>
                        </div>
                    }
                    .into_any()
                }}
            </section>
            <section aria-labelledby="add-hook-h">
                <h2 id="add-hook-h">{w.add}</h2>
                <p class="hint">{w.add_help}</p>
                {post_form(
                    "/admin/actions/add-webhook",
                    "console-form",
                    view! {
                        <FormBasics csrf=view.csrf.clone() />
                        <TextField name="url" label=w.url value=value_of(&flash, "url", "") error=flash.error_for("url")
                            required=true input_type="url" max=2000 />
                        <fieldset class="services-field">
                            <legend>{w.services}</legend>
                            {service_boxes}
                        </fieldset>
                        <div class="buttons"><button type="submit">{w.add}</button></div>
                    }
                    .into_any(),
                )}
            </section>
            <section aria-labelledby="email-h">
                <h2 id="email-h">{w.email}</h2>
                {email}
            </section>
            <section aria-labelledby="log-h">
                <h2 id="log-h">{w.log}</h2>
                {if report.deliveries.is_empty() {
                    view! { <p>{w.log_empty}</p> }.into_any()
                } else {
                    view! {
                        <div class="table-scroll" tabindex="0">
                            <table class="console-table deliveries">
                                <thead><tr>
                                    <th scope="col">"#"</th><th scope="col">{w.created}</th><th scope="col">{w.channel}</th>
                                    <th scope="col">{w.event}</th><th scope="col">{w.state}</th><th scope="col">{w.attempts}</th>
                                    <th scope="col">{w.result}</th><th scope="col">{w.next_attempt}</th>
                                </tr></thead>
                                <tbody>{deliveries}</tbody>
                            </table>
                        </div>
                    }
                    .into_any()
                }}
            </section>
        }
        .into_any(),
    )
}
