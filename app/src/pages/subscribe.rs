//! Email alerts: `/subscribe` (the form, and the outcome of each step), `/subscribe/confirm`
//! (the link in the confirmation email: one button, so a mail scanner opening the link
//! confirms nothing) and `/unsubscribe` (the link in every alert). Plain forms: they work
//! the same with JavaScript off.

use super::LoadError;
use crate::api::get_subscribe;
use crate::layout::use_lang;
use crate::model::Lang;
use crate::text::public::strings;
use crate::text::subscribe::subscribe_strings;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

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
