//! `/admin/webhooks` (admins): register endpoints, see their signing secrets, switch them
//! off, and read the delivery log of webhooks and emails.

use super::console_page;
use super::forms::{post_form, value_of, FormBasics, TextField};
use crate::components::Time;
use crate::console::{ConsoleBody, ConsolePage, ConsoleView, DeliveryRow};
use crate::model::Lang;
use leptos::prelude::*;

#[component]
pub fn ConsoleWebhooks() -> impl IntoView {
    console_page(|| ConsolePage::Webhooks, render)
}

pub struct WebhookStrings {
    pub title: &'static str,
    pub endpoints: &'static str,
    pub none_yet: &'static str,
    pub url: &'static str,
    pub services: &'static str,
    pub every_service: &'static str,
    pub secret: &'static str,
    pub show_secret: &'static str,
    pub state: &'static str,
    pub active: &'static str,
    pub inactive: &'static str,
    pub deactivate: &'static str,
    pub activate: &'static str,
    pub add: &'static str,
    pub add_help: &'static str,
    pub log: &'static str,
    pub log_empty: &'static str,
    pub channel: &'static str,
    pub event: &'static str,
    pub attempts: &'static str,
    pub result: &'static str,
    pub next_attempt: &'static str,
    pub created: &'static str,
    pub email: &'static str,
    pub email_off: &'static str,
    pub subscribers: &'static str,
    pub pending: &'static str,
    pub delivered: &'static str,
    pub waiting: &'static str,
    pub failed: &'static str,
}

pub fn webhook_strings(lang: Lang) -> &'static WebhookStrings {
    match lang {
        Lang::Ko => &WebhookStrings {
            title: "웹훅·이메일 알림",
            endpoints: "웹훅 엔드포인트",
            none_yet: "등록된 엔드포인트가 없습니다.",
            url: "엔드포인트 주소",
            services: "서비스",
            every_service: "모든 서비스",
            secret: "서명 비밀키",
            show_secret: "비밀키 보기",
            state: "상태",
            active: "사용 중",
            inactive: "꺼짐",
            deactivate: "끄기",
            activate: "다시 켜기",
            add: "엔드포인트 등록",
            add_help: "이벤트마다 JSON을 POST하고 X-Status-Signature 헤더에 HMAC-SHA256 서명을 붙입니다. 실패하면 하루 동안 간격을 늘려 다시 보냅니다. 내부·사설 주소는 등록할 수 없습니다. 서비스를 고르지 않으면 모든 서비스의 이벤트를 받습니다.",
            log: "전송 기록",
            log_empty: "아직 보낸 것이 없습니다.",
            channel: "경로",
            event: "이벤트",
            attempts: "시도",
            result: "마지막 결과",
            next_attempt: "다음 시도",
            created: "생성",
            email: "이메일",
            email_off: "이 사이트에는 이메일 발송(STATUS_SMTP_URL)이 설정되어 있지 않습니다.",
            subscribers: "확인된 구독자",
            pending: "확인 대기",
            delivered: "전달됨",
            waiting: "대기 중",
            failed: "실패",
        },
        Lang::En => &WebhookStrings {
            title: "Webhooks and email alerts",
            endpoints: "Webhook endpoints",
            none_yet: "No endpoint is registered.",
            url: "Endpoint URL",
            services: "Services",
            every_service: "Every service",
            secret: "Signing secret",
            show_secret: "Show secret",
            state: "State",
            active: "Active",
            inactive: "Off",
            deactivate: "Turn off",
            activate: "Turn on again",
            add: "Register endpoint",
            add_help: "Each event is POSTed as JSON with an HMAC-SHA256 signature in X-Status-Signature. Failures are retried with growing intervals for a day. Internal and private addresses are refused. Choose no service to get every service's events.",
            log: "Delivery log",
            log_empty: "Nothing has been sent yet.",
            channel: "Channel",
            event: "Event",
            attempts: "Attempts",
            result: "Last result",
            next_attempt: "Next attempt",
            created: "Created",
            email: "Email",
            email_off: "Email sending (STATUS_SMTP_URL) is not configured on this site.",
            subscribers: "Confirmed subscribers",
            pending: "Awaiting confirmation",
            delivered: "Delivered",
            waiting: "Pending",
            failed: "Failed",
        },
    }
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
