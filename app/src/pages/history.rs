//! `/history`: every incident, by month, filtered by service and year, in pages.

use super::{BadRequest, LoadError};
use crate::api::get_history;
use crate::components::{IncidentCard, PastBanner};
use crate::data::public::HistoryView;
use crate::format;
use crate::layout::use_lang;
use crate::model::Lang;
use crate::text::public::{filter_error_text, incident_count, strings};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

#[component]
pub fn HistoryPage() -> impl IntoView {
    let ctx = use_lang();
    let query = use_query_map();
    let filters = move || {
        let q = query.read();
        (
            q.get("service"),
            q.get("year"),
            q.get("page"),
            q.get("as_of"),
        )
    };
    let data = Resource::new(
        move || (filters(), ctx.get()),
        |((service, year, page, as_of), lang)| get_history(service, year, page, lang, as_of),
    );
    view! {
        <Transition fallback=move || view! { <p class="loading">{strings(ctx.untracked()).loading}</p> }>
            {move || Suspend::new(async move {
                let lang = ctx.untracked();
                match data.await {
                    Ok(Ok(history)) => view! { <History history lang /> }.into_any(),
                    Ok(Err(error)) => view! { <BadRequest reason=filter_error_text(lang, &error) /> }.into_any(),
                    Err(_) => view! { <LoadError /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn History(history: HistoryView, lang: Lang) -> impl IntoView {
    let ctx = use_lang();
    let s = strings(lang);
    let title = format!("{} · {}", s.history_title, history.page_name);
    let selected_service = history.service.clone().unwrap_or_default();
    let selected_year = history.year;
    let service_options = history
        .services
        .into_iter()
        .map(|sv| {
            let selected = sv.slug == selected_service;
            view! { <option value=sv.slug selected=selected>{sv.name}</option> }
        })
        .collect_view();
    let year_options = history
        .years
        .into_iter()
        .map(|y| view! { <option value=y.to_string() selected=Some(y) == selected_year>{y.to_string()}</option> })
        .collect_view();

    let past_at = history.past;
    // Links to other pages keep the filters (and the language, through ctx.href).
    let page_href = {
        let service = history.service.clone();
        move |page: u32| {
            let mut params = Vec::new();
            if let Some(service) = &service {
                params.push(format!("service={service}"));
            }
            if let Some(year) = selected_year {
                params.push(format!("year={year}"));
            }
            if let Some(at) = past_at {
                params.push(format!("as_of={}", format::machine(at)));
            }
            params.push(format!("page={page}"));
            ctx.href(&format!("/history?{}", params.join("&")))
        }
    };
    let (page, pages) = (history.page, history.pages);
    let prev =
        (page > 1).then(|| view! { <a rel="prev" href=page_href(page - 1)>{s.previous_page}</a> });
    let next =
        (page < pages).then(|| view! { <a rel="next" href=page_href(page + 1)>{s.next_page}</a> });

    let months = if history.months.is_empty() {
        view! { <p class="empty">{s.no_history}</p> }.into_any()
    } else {
        history
            .months
            .into_iter()
            .map(|group| {
                let heading = format::month(lang, group.year, group.month);
                let cards = group
                    .incidents
                    .into_iter()
                    .map(|incident| view! { <IncidentCard incident lang past=past_at /> })
                    .collect_view();
                view! {
                    <section class="month">
                        <h2>{heading}</h2>
                        {cards}
                    </section>
                }
            })
            .collect_view()
            .into_any()
    };

    let past = history
        .past
        .map(|at| view! { <PastBanner at lang now_href=ctx.href("/history") /> });
    view! {
        <Title text=title />
        <Meta name="description" content=s.history_intro />
        {past}
        <h1 class="page-title">{s.history_title}</h1>
        <p class="lead">{s.history_intro}</p>
        <form class="filters" method="get" action="/history">
            {(lang == Lang::En || ctx.explicit.get_untracked()).then(|| view! { <input type="hidden" name="lang" value=lang.code() /> })}
            {past_at.map(|at| view! { <input type="hidden" name="as_of" value=format::machine(at) /> })}
            <label>
                <span>{s.filter_service}</span>
                <select name="service">
                    <option value="" selected=selected_service.is_empty()>{s.all_services}</option>
                    {service_options}
                </select>
            </label>
            <label>
                <span>{s.filter_year}</span>
                <select name="year">
                    <option value="" selected=selected_year.is_none()>{s.all_years}</option>
                    {year_options}
                </select>
            </label>
            <button type="submit">{s.apply_filter}</button>
        </form>
        <p class="count">{incident_count(lang, history.total)}</p>
        {months}
        <nav class="pager" aria-label=s.page_of>
            {prev}
            <span>{format!("{} {page} / {pages}", s.page_of)}</span>
            {next}
        </nav>
    }
}
