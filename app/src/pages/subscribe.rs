//! Email alerts: `/subscribe` (the form, and the outcome of each step), `/subscribe/confirm`
//! (the link in the confirmation email: one button, so a mail scanner opening the link
//! confirms nothing) and `/unsubscribe` (the link in every alert). Plain forms: they work
//! the same with JavaScript off.

use super::LoadError;
use crate::api::get_subscribe;
use crate::i18n::strings;
use crate::layout::use_lang;
use crate::model::Lang;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

struct SubscribeStrings {
    title: &'static str,
    intro: &'static str,
    email: &'static str,
    services: &'static str,
    services_help: &'static str,
    submit: &'static str,
    privacy: &'static str,
    not_configured: &'static str,
    other_ways: &'static str,
    sent: &'static str,
    confirmed: &'static str,
    unsubscribed: &'static str,
    bad_email: &'static str,
    bad_service: &'static str,
    expired: &'static str,
    throttled: &'static str,
    unavailable: &'static str,
    confirm_title: &'static str,
    confirm_intro: &'static str,
    confirm_button: &'static str,
    unsubscribe_title: &'static str,
    unsubscribe_intro: &'static str,
    unsubscribe_button: &'static str,
    missing_link: &'static str,
}

fn subscribe_strings(lang: Lang) -> &'static SubscribeStrings {
    match lang {
        Lang::Ko => &SubscribeStrings {
            title: "이메일 알림 받기",
            intro: "장애 안내, 공식 업데이트와 사과문, 예정된 점검을 이메일로 보내 드립니다. 신청하면 확인 메일이 가고, 메일의 링크에서 확인해야 보내기 시작합니다.",
            email: "이메일 주소",
            services: "받을 서비스",
            services_help: "하나도 고르지 않으면 모든 서비스의 소식을 받습니다.",
            submit: "구독 신청",
            privacy: "이메일 주소는 알림을 보내는 데만 쓰며, 구독을 해지하면 바로 삭제합니다. 모든 알림 메일에 한 번에 해지하는 링크가 있습니다.",
            not_configured: "이 사이트에는 이메일 발송이 설정되어 있지 않아 지금은 구독을 받을 수 없습니다.",
            other_ways: "다른 방법으로 받기:",
            sent: "확인 메일을 보냈습니다. 메일의 링크를 열어 '구독 확인'을 눌러 주세요. 몇 분 안에 오지 않으면 스팸함을 확인하세요.",
            confirmed: "구독이 확인되었습니다. 이제부터 장애와 점검 소식을 이메일로 보내 드립니다.",
            unsubscribed: "구독을 해지했습니다. 이메일 주소는 삭제되었고, 더 이상 메일을 보내지 않습니다.",
            bad_email: "올바른 이메일 주소를 입력하세요 (예: name@example.com).",
            bad_service: "알 수 없는 서비스가 있습니다. 목록에서 고르세요.",
            expired: "확인 링크가 만료되었거나 이미 사용되었습니다. 다시 신청해 주세요.",
            throttled: "요청이 너무 많습니다. 잠시 후 다시 시도하세요.",
            unavailable: "지금은 요청을 처리할 수 없습니다. 잠시 후 다시 시도하세요.",
            confirm_title: "구독 확인",
            confirm_intro: "아래 버튼을 누르면 이메일 알림 구독이 확인됩니다.",
            confirm_button: "구독 확인",
            unsubscribe_title: "구독 해지",
            unsubscribe_intro: "아래 버튼을 누르면 이메일 알림 구독을 해지하고 이메일 주소를 삭제합니다.",
            unsubscribe_button: "구독 해지",
            missing_link: "링크가 올바르지 않습니다. 메일에 있는 링크 전체를 열어 주세요.",
        },
        Lang::En => &SubscribeStrings {
            title: "Get email alerts",
            intro: "Outage notices, official updates and apologies, and scheduled maintenance, by email. After you sign up you get a confirmation email; nothing is sent until you confirm.",
            email: "Email address",
            services: "Services",
            services_help: "Choose none to hear about every service.",
            submit: "Subscribe",
            privacy: "Your address is used only to send these alerts and is deleted as soon as you unsubscribe. Every alert has a one-click unsubscribe link.",
            not_configured: "Email sending is not configured on this site, so subscriptions are not available right now.",
            other_ways: "Other ways to follow:",
            sent: "We sent you a confirmation email. Open its link and press \"Confirm\". If it does not arrive within a few minutes, check your spam folder.",
            confirmed: "Your subscription is confirmed. You will get outage and maintenance notices by email.",
            unsubscribed: "You are unsubscribed. Your address has been deleted and no more email will be sent.",
            bad_email: "Enter a valid email address (e.g. name@example.com).",
            bad_service: "One of the services is unknown. Choose from the list.",
            expired: "The confirmation link has expired or was already used. Please sign up again.",
            throttled: "Too many requests. Please try again in a moment.",
            unavailable: "The request cannot be handled right now. Please try again in a moment.",
            confirm_title: "Confirm your subscription",
            confirm_intro: "Press the button to confirm your email alerts.",
            confirm_button: "Confirm",
            unsubscribe_title: "Unsubscribe",
            unsubscribe_intro: "Press the button to stop the email alerts and delete your address.",
            unsubscribe_button: "Unsubscribe",
            missing_link: "This link is not complete. Open the whole link from the email.",
        },
    }
}

fn query(name: &'static str) -> Option<String> {
    use_query_map()
        .read_untracked()
        .get(name)
        .filter(|v| !v.is_empty())
}

/// The outcome of the last step, from the address the server redirected to.
fn outcome(lang: Lang) -> Option<AnyView> {
    let t = subscribe_strings(lang);
    let done = query("done");
    let error = query("error");
    if let Some(done) = done {
        let text = match done.as_str() {
            "sent" => t.sent,
            "confirmed" => t.confirmed,
            "unsubscribed" => t.unsubscribed,
            _ => return None,
        };
        return Some(view! { <p class="notice" role="status">{text}</p> }.into_any());
    }
    let text = match error?.as_str() {
        "email" => t.bad_email,
        "services" => t.bad_service,
        "expired" => t.expired,
        "throttled" => t.throttled,
        _ => t.unavailable,
    };
    Some(view! { <p class="form-error" role="alert">{text}</p> }.into_any())
}

#[component]
pub fn SubscribePage() -> impl IntoView {
    let ctx = use_lang();
    let data = Resource::new(move || ctx.get(), get_subscribe);
    view! {
        <Transition fallback=move || view! { <p class="loading">{strings(ctx.untracked()).loading}</p> }>
            {move || Suspend::new(async move {
                let lang = ctx.untracked();
                let t = subscribe_strings(lang);
                let Ok(page) = data.await else {
                    return view! { <LoadError /> }.into_any();
                };
                let boxes = page
                    .services
                    .into_iter()
                    .map(|(slug, name)| {
                        let id = format!("sub-{slug}");
                        view! {
                            <div class="field checkbox">
                                <input type="checkbox" id=id.clone() name="services" value=slug />
                                <label for=id>{name}</label>
                            </div>
                        }
                    })
                    .collect_view();
                let form = if page.email_alerts {
                    view! {
                        <form method="post" action="/subscribe" class="subscribe-form">
                            <input type="hidden" name="lang" value=lang.code() />
                            <div class="field">
                                <label for="sub-email">{t.email}</label>
                                <input id="sub-email" name="email" type="email" required=true autocomplete="email"
                                    inputmode="email" maxlength="254" placeholder="name@example.com" />
                            </div>
                            <fieldset>
                                <legend>{t.services}</legend>
                                <p class="help">{t.services_help}</p>
                                {boxes}
                            </fieldset>
                            <div class="buttons"><button type="submit">{t.submit}</button></div>
                            <p class="hint">{t.privacy}</p>
                        </form>
                    }
                    .into_any()
                } else {
                    view! { <p>{t.not_configured}</p> }.into_any()
                };
                view! {
                    <Title text=t.title />
                    <Meta name="description" content=t.intro />
                    <h1 class="page-title">{t.title}</h1>
                    {outcome(lang)}
                    <p>{t.intro}</p>
                    {form}
                    <p class="other-ways">
                        {t.other_ways}" "
                        <a href="/feed.atom">"Atom"</a>" · "<a href="/feed.rss">"RSS"</a>" · "
                        <a href="/maintenance.ics">"iCalendar"</a>" · "<a href=ctx.href("/api")>"API"</a>
                    </p>
                }
                .into_any()
            })}
        </Transition>
    }
}

/// One button that posts the token from the link.
fn one_button(
    title: &'static str,
    intro: &'static str,
    button: &'static str,
    action: &'static str,
    field: &'static str,
    value: Option<String>,
    lang: Lang,
) -> impl IntoView {
    let t = subscribe_strings(lang);
    let body = match value {
        Some(value) => view! {
            <p>{intro}</p>
            <form method="post" action=action>
                <input type="hidden" name=field value=value />
                <input type="hidden" name="lang" value=lang.code() />
                <div class="buttons"><button type="submit">{button}</button></div>
            </form>
        }
        .into_any(),
        None => view! { <p class="form-error" role="alert">{t.missing_link}</p> }.into_any(),
    };
    view! {
        <Title text=title />
        // The address carries a secret: it must not leak to other sites.
        <Meta name="referrer" content="no-referrer" />
        <Meta name="robots" content="noindex" />
        <h1 class="page-title">{title}</h1>
        {body}
    }
}

#[component]
pub fn ConfirmSubscriptionPage() -> impl IntoView {
    let lang = use_lang().untracked();
    let t = subscribe_strings(lang);
    one_button(
        t.confirm_title,
        t.confirm_intro,
        t.confirm_button,
        "/subscribe/confirm",
        "token",
        query("token"),
        lang,
    )
}

#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let lang = use_lang().untracked();
    let t = subscribe_strings(lang);
    one_button(
        t.unsubscribe_title,
        t.unsubscribe_intro,
        t.unsubscribe_button,
        "/unsubscribe",
        "id",
        query("id"),
        lang,
    )
}
