//! `/report/{service}`: the second tap from the home page; `/report/{service}/thanks`:
//! the answer to a report sent without JavaScript (and the page JavaScript lands on).

use super::{LoadError, NotFound};
use crate::api::get_report_page;
use crate::components::{CrowdBanner, ReportForm};
use crate::data::public::{CrowdAlert, ReportPage};
use crate::layout::use_lang;
use crate::model::Lang;
use crate::text::crowd::crowd_strings;
use crate::text::public::strings;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

fn load(thanks: bool, view: fn(ReportPage, Lang) -> AnyView) -> impl IntoView {
    let ctx = use_lang();
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let data = Resource::new(
        move || (slug(), ctx.get()),
        move |(slug, lang)| {
            let page = if thanks { "thanks" } else { "form" };
            get_report_page(slug, lang, page.to_string())
        },
    );
    view! {
        <Transition fallback=move || view! { <p class="loading">{strings(ctx.untracked()).loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(page)) => view(page, ctx.untracked()),
                    Ok(None) => view! { <NotFound /> }.into_any(),
                    Err(_) => view! { <LoadError /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn ReportServicePage() -> impl IntoView {
    load(false, |page, lang| {
        let c = crowd_strings(lang);
        let alert = page.crowd.firing_since.map(|since| CrowdAlert {
            slug: page.choices.slug.clone(),
            name: page.choices.name.clone(),
            since,
            last_hour: page.crowd.last_hour,
        });
        let title = format!("{} · {}", c.having_a_problem, page.choices.name);
        view! {
            <Title text=title.clone() />
            <h1 class="page-title">{title}</h1>
            {alert.map(|alert| view! { <CrowdBanner alert lang /> })}
            <p>{c.report_service_intro}</p>
            <ReportForm choices=page.choices lang />
        }
        .into_any()
    })
}

#[component]
pub fn ReportThanksPage() -> impl IntoView {
    let query = use_query_map();
    let result = query.read_untracked().get("result");
    // `repeat`: counted before; `saved`: kept on the server until the database is back.
    let render: fn(ReportPage, Lang) -> AnyView = match result.as_deref() {
        Some("repeat") => thanks::<REPEAT>,
        Some("saved") => thanks::<SAVED>,
        _ => thanks::<COUNTED>,
    };
    load(true, render)
}

const COUNTED: u8 = 0;
const REPEAT: u8 = 1;
const SAVED: u8 = 2;

fn thanks<const RESULT: u8>(page: ReportPage, lang: Lang) -> AnyView {
    let ctx = use_lang();
    let c = crowd_strings(lang);
    let message = match RESULT {
        REPEAT => c.thanks_repeat,
        SAVED => c.thanks_saved,
        _ => c.thanks_counted,
    };
    let back = ctx.href(&format!("/services/{}", page.choices.slug));
    // Short (html-validate's `long-title`: at most 70 characters); the heading says the rest.
    let title = format!("{} · {}", c.thanks_title, page.choices.name);
    view! {
        <Title text=title />
        <Meta name="robots" content="noindex" />
        <section class="thanks" role="status">
            <h1 class="page-title">{message}</h1>
            <p>{page.choices.name.clone()}" · "{c.reports_last_hour}" "<strong class="crowd-count">{page.crowd.last_hour}</strong></p>
            <p><a href=back>{c.back_to_service}</a></p>
        </section>
    }
    .into_any()
}
