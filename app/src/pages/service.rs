//! `/services/{slug}`: one service, its components' bars, incidents and user reports.

use super::home::{MaintenanceList, ServiceCard};
use super::{LoadError, NotFound};
use crate::api::get_service;
use crate::components::{
    ActiveIncidents, CheckBanner, ChecksPanel, CrowdBanner, CrowdPanel, IncidentCard, ReportForm,
    StatusBadge, UptimeBarView,
};
use crate::data::public::ServiceView;
use crate::data::public::{CheckAlert, CrowdAlert};
use crate::layout::use_lang;
use crate::model::Lang;
use crate::text::crowd::crowd_strings;
use crate::text::public::{incident_count, service_description, strings};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

#[component]
pub fn ServicePage() -> impl IntoView {
    let ctx = use_lang();
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let data = Resource::new(
        move || (slug(), ctx.get()),
        |(slug, lang)| get_service(slug, lang),
    );
    view! {
        <Transition fallback=move || view! { <p class="loading">{strings(ctx.untracked()).loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(view)) => view! { <Service view lang=ctx.untracked() /> }.into_any(),
                    Ok(None) => view! { <NotFound /> }.into_any(),
                    Err(_) => view! { <LoadError /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Service(view: ServiceView, lang: Lang) -> impl IntoView {
    let s = strings(lang);
    let title = format!("{} · {}", view.service.name, view.page_name);
    let c = crowd_strings(lang);
    let name = view.service.name.clone();
    let alert = view.crowd.firing_since.map(|since| CrowdAlert {
        slug: view.report.slug.clone(),
        name: name.clone(),
        since,
        last_hour: view.crowd.last_hour,
    });
    let description = view.service.description.clone();
    let check_alerts = view
        .checks
        .iter()
        .filter_map(|feature| {
            Some(CheckAlert {
                service: view.report.slug.clone(),
                service_name: name.clone(),
                component: feature.component.clone(),
                name: feature.name.clone(),
                since: feature.disagreement_since?,
            })
        })
        .map(|alert| view! { <CheckBanner alert lang /> })
        .collect_view();
    let bars = view
        .bars
        .into_iter()
        .map(|bar| {
            let label = format!("{} · {}", bar.component.name, s.uptime_90);
            view! {
                <article class="component-bar">
                    <header class="service-head">
                        <h3>{bar.component.name}</h3>
                        <StatusBadge status=bar.component.status lang />
                    </header>
                    <UptimeBarView bar=bar.uptime lang label />
                </article>
            }
        })
        .collect_view();
    // The newest few only; the rest are a link away, in the history filtered by service.
    let more_incidents = (view.incidents_total > view.incidents.len()).then(|| {
        let href = use_lang().href(&format!("/history?service={}", view.report.slug));
        let label = format!(
            "{} ({})",
            s.all_service_incidents,
            incident_count(lang, view.incidents_total)
        );
        view! { <p class="more-incidents"><a href=href>{label}</a></p> }
    });
    let incidents = if view.incidents.is_empty() {
        view! { <p>{s.no_service_incidents}</p> }.into_any()
    } else {
        view.incidents
            .into_iter()
            .map(|incident| view! { <IncidentCard incident lang /> })
            .collect_view()
            .into_any()
    };
    view! {
        <Title text=title />
        <Meta name="description" content=service_description(lang, &name, &description) />
        <h1 class="page-title">{name}</h1>
        <p class="lead">{description}</p>
        <section aria-labelledby="now-h">
            <h2 id="now-h">{s.nav_home}</h2>
            <ServiceCard service=view.service lang />
        </section>
        {check_alerts}
        {alert.map(|alert| view! { <CrowdBanner alert lang /> })}
        <ActiveIncidents incidents=view.active lang />
        <MaintenanceList items=view.maintenance lang />
        <section class="report" aria-labelledby="report-h">
            <h2 id="report-h">{c.having_a_problem}</h2>
            <p>{c.report_service_intro}</p>
            <ReportForm choices=view.report lang />
        </section>
        <CrowdPanel crowd=view.crowd lang />
        <ChecksPanel features=view.checks lang />
        <section aria-labelledby="components-h">
            <h2 id="components-h">{s.components}</h2>
            <div class="component-bars">{bars}</div>
        </section>
        <section aria-labelledby="incidents-h">
            <h2 id="incidents-h">{s.service_incidents}</h2>
            {incidents}
            {more_incidents}
        </section>
    }
}
