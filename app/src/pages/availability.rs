//! `/availability`: each service's availability month by month for a year, as a chart and
//! a table with the minutes behind each figure; with `service`, its components too.

use super::{BadRequest, LoadError};
use crate::api::get_availability;
use crate::components::{AvailabilityChart, PastBanner};
use crate::data::record::{AvailabilityView, MinutesView, ServiceAvailability, YearFigures};
use crate::format;
use crate::layout::use_lang;
use crate::model::Lang;
use crate::text::public::filter_error_text;
use crate::text::record::{minutes, month_short, strings};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

#[component]
pub fn AvailabilityPage() -> impl IntoView {
    let ctx = use_lang();
    let query = use_query_map();
    let filters = move || {
        let q = query.read();
        (q.get("service"), q.get("year"), q.get("as_of"))
    };
    let data = Resource::new(
        move || (filters(), ctx.get()),
        |((service, year, as_of), lang)| get_availability(service, year, lang, as_of),
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let lang = ctx.untracked();
                match data.await {
                    Ok(Ok(view)) => view! { <Availability view lang /> }.into_any(),
                    Ok(Err(error)) => view! { <BadRequest reason=filter_error_text(lang, &error) /> }.into_any(),
                    Err(_) => view! { <LoadError /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The query string of this view (for the export links).
fn query(
    service: Option<&str>,
    year: i32,
    lang: Lang,
    past: Option<chrono::DateTime<chrono::Utc>>,
) -> String {
    let mut params = vec![format!("year={year}")];
    if let Some(at) = past {
        params.push(format!("as_of={}", format::machine(at)));
    }
    if let Some(service) = service {
        params.push(format!("service={service}"));
    }
    if lang == Lang::En {
        params.push("lang=en".into());
    }
    params.join("&")
}

#[component]
fn Availability(view: AvailabilityView, lang: Lang) -> impl IntoView {
    let ctx = use_lang();
    let s = strings(lang);
    let title = format!(
        "{} {} · {}",
        s.availability_title, view.year, view.page_name
    );
    let selected_service = view.service.clone().unwrap_or_default();
    let service_options = view
        .choices
        .into_iter()
        .map(|sv| {
            let selected = sv.slug == selected_service;
            view! { <option value=sv.slug selected=selected>{sv.name}</option> }
        })
        .collect_view();
    let year_options = view
        .years
        .iter()
        .map(|y| view! { <option value=y.to_string() selected=*y == view.year>{y.to_string()}</option> })
        .collect_view();
    let past_at = view.past.then_some(view.as_of);
    let q = query(view.service.as_deref(), view.year, lang, past_at);
    let past =
        past_at.map(|at| view! { <PastBanner at lang now_href=ctx.href("/availability") /> });
    let one_service = view.service.is_some();
    let services = view
        .services
        .into_iter()
        .map(|service| view! { <ServiceYear service lang with_components=one_service /> })
        .collect_view();
    let ledger = match &view.ledger {
        Some(mark) => format!("#{} · {}", mark.seq, mark.head_hash),
        None => s.no_ledger.to_string(),
    };
    view! {
        <Title text=title />
        <Meta name="description" content=s.availability_intro />
        {past}
        <h1 class="page-title">{format!("{} · {}", s.availability_title, view.year)}</h1>
        <p class="lead">{s.availability_intro}</p>
        <p class="rule-note">{s.availability_rule}</p>
        <form class="filters" method="get" action="/availability">
            {(lang == Lang::En || ctx.explicit.get_untracked()).then(|| view! { <input type="hidden" name="lang" value=lang.code() /> })}
            {past_at.map(|at| view! { <input type="hidden" name="as_of" value=format::machine(at) /> })}
            <label>
                <span>{s.service_label}</span>
                <select name="service">
                    <option value="" selected=selected_service.is_empty()>{s.all_services}</option>
                    {service_options}
                </select>
            </label>
            <label>
                <span>{s.filter_year}</span>
                <select name="year">{year_options}</select>
            </label>
            <button type="submit">{s.apply}</button>
        </form>
        <dl class="record-mark">
            <dt>{s.as_of}</dt>
            <dd><time datetime=format::machine(view.as_of)>{format::date_time(lang, view.as_of)}</time></dd>
            <dt>{s.ledger_mark}</dt>
            <dd class="hash">{ledger}</dd>
        </dl>
        <p class="exports">
            {s.export}": "
            <a href=format!("/availability.csv?{q}")>{s.export_csv}</a>
            " · "
            <a href=format!("/availability.json?{q}")>{s.export_json}</a>
        </p>
        {services}
    }
}

#[component]
fn ServiceYear(service: ServiceAvailability, lang: Lang, with_components: bool) -> impl IntoView {
    let ctx = use_lang();
    let s = strings(lang);
    let id = format!("avail-{}", service.service.slug);
    let heading = service.service.name.clone();
    let link = ctx.href(&format!("/services/{}", service.service.slug));
    let components = with_components.then(|| {
        service
            .components
            .iter()
            .map(|c| {
                let cid = format!("avail-{}-{}", service.service.slug, c.slug);
                let labelled = cid.clone();
                view! {
                    <section class="component-year" aria-labelledby=labelled>
                        <h3 id=cid>{c.name.clone()}</h3>
                        <MonthTable figures=c.clone() lang />
                    </section>
                }
            })
            .collect_view()
    });
    let year_rows = (!with_components).then(|| {
        let rows = service
            .components
            .iter()
            .map(|c| view! { <Row label=c.name.clone() m=c.year /> })
            .collect_view();
        view! {
            <details class="component-years">
                <summary>{s.components_of}</summary>
                <div class="table-scroll" tabindex="0">
                    <table class="figures">
                        <thead><Head first=s.component lang /></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        }
    });
    let labelled = id.clone();
    view! {
        <section class="service-year" aria-labelledby=labelled>
            <h2 id=id><a href=link>{heading}</a>" · "{format::percent(service.service.year.availability)}</h2>
            <figure>
                <AvailabilityChart months=service.service.months.clone() lang />
                <figcaption>{s.chart_caption}</figcaption>
            </figure>
            <MonthTable figures=service.service.clone() lang />
            {year_rows}
            {components}
        </section>
    }
}

#[component]
fn Head(first: &'static str, lang: Lang) -> impl IntoView {
    let s = strings(lang);
    view! {
        <tr>
            <th scope="col">{first}</th>
            <th scope="col">{s.availability}</th>
            <th scope="col">{s.down_minutes}</th>
            <th scope="col">{s.major_minutes}</th>
            <th scope="col">{s.partial_minutes}</th>
            <th scope="col">{s.maintenance_minutes}</th>
            <th scope="col">{s.elapsed_minutes}</th>
        </tr>
    }
}

#[component]
fn Row(label: String, m: MinutesView) -> impl IntoView {
    if m.elapsed <= 0.0 {
        return view! {
            <tr class="not-begun">
                <th scope="row">{label}</th>
                <td colspan="6">"—"</td>
            </tr>
        }
        .into_any();
    }
    let class = (m.down > 0.0).then_some("down");
    view! {
        <tr class=class>
            <th scope="row">{label}</th>
            <td>{format::percent(m.availability)}</td>
            <td>{minutes(m.down)}</td>
            <td>{minutes(m.major)}</td>
            <td>{minutes(m.partial)}</td>
            <td>{minutes(m.maintenance)}</td>
            <td>{minutes(m.elapsed)}</td>
        </tr>
    }
    .into_any()
}

#[component]
fn MonthTable(figures: YearFigures, lang: Lang) -> impl IntoView {
    let s = strings(lang);
    let rows = figures
        .months
        .iter()
        .enumerate()
        .map(|(i, m)| view! { <Row label=month_short(lang, i as u32 + 1) m=*m /> })
        .collect_view();
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="figures">
                <caption class="visually-hidden">{figures.name.clone()}</caption>
                <thead><Head first=s.month lang /></thead>
                <tbody>{rows}</tbody>
                <tfoot><Row label=s.year_total.to_string() m=figures.year /></tfoot>
            </table>
        </div>
    }
}
