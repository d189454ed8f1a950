//! `/`: the current status of every service, active incidents and maintenance.

use super::LoadError;
use crate::api::get_home;
use crate::components::{ActiveIncidents, LocalText, StatusBadge, StatusIcon, Time, UptimeBarView};
use crate::components::{CheckBanner, CrowdBanner};
use crate::data::public::{HomeView, MaintenanceView, ServiceSummary};
use crate::layout::use_lang;
use crate::model::{ComponentStatus, Lang};
use crate::text::crowd::crowd_strings;
use crate::text::public::{banner_label, strings};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

#[component]
pub fn HomePage() -> impl IntoView {
    let ctx = use_lang();
    let data = Resource::new(move || ctx.get(), get_home);
    view! {
        <Transition fallback=move || view! { <p class="loading">{strings(ctx.untracked()).loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(home) => view! { <Home home lang=ctx.untracked() /> }.into_any(),
                    Err(_) => view! { <LoadError /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Home(home: HomeView, lang: Lang) -> impl IntoView {
    let s = strings(lang);
    let c = crowd_strings(lang);
    let ctx = use_lang();
    let overall = home.overall;
    let crowd_alerts = home
        .crowd_alerts
        .into_iter()
        .map(|alert| view! { <CrowdBanner alert lang /> })
        .collect_view();
    let check_alerts = home
        .check_alerts
        .into_iter()
        .map(|alert| view! { <CheckBanner alert lang /> })
        .collect_view();
    let report_links = home
        .services
        .iter()
        .map(|service| {
            let href = ctx.href(&format!("/report/{}", service.slug));
            view! { <li><a class="report-link" href=href>{service.name.clone()}</a></li> }
        })
        .collect_view();
    let services = home
        .services
        .into_iter()
        .map(|service| view! { <ServiceCard service lang /> })
        .collect_view();
    view! {
        <Title text=home.page_name />
        <Meta name="description" content=strings(lang).home_description />
        <section class=format!("banner s-{}", overall.as_str()) role="status">
            <StatusIcon status=overall />
            <h1>{banner_label(lang, overall)}</h1>
        </section>
        {check_alerts}
        {crowd_alerts}
        <ActiveIncidents incidents=home.active lang />
        <MaintenanceList items=home.maintenance lang />
        <section class="report" aria-labelledby="report-h">
            <h2 id="report-h">{c.having_a_problem}</h2>
            <p>{c.report_intro}</p>
            <ul class="report-services">{report_links}</ul>
        </section>
        <section aria-labelledby="services-h">
            <h2 id="services-h">{s.services}</h2>
            <p class="legend">{s.uptime_legend}</p>
            <div class="services">{services}</div>
        </section>
        <p class="updated">{s.last_updated} " " <Time at=home.updated_at lang /></p>
    }
}

/// A service card: its status, each component's status, and its 90-day bar.
#[component]
pub fn ServiceCard(service: ServiceSummary, lang: Lang) -> impl IntoView {
    let ctx = use_lang();
    let s = strings(lang);
    let components = service
        .components
        .into_iter()
        .map(|c| {
            view! {
                <li class=format!("component s-{}", c.status.as_str())>
                    <span class="component-name">{c.name}</span>
                    <StatusBadge status=c.status lang />
                </li>
            }
        })
        .collect_view();
    let label = format!("{} · {}", service.name, s.uptime_90);
    view! {
        <article class=format!("service-card s-{}", service.status.as_str())>
            <header class="service-head">
                <h3><a href=ctx.href(&format!("/services/{}", service.slug))>{service.name}</a></h3>
                <StatusBadge status=service.status lang />
            </header>
            <div role="group" aria-label=s.components>
                <ul class="components">{components}</ul>
            </div>
            <UptimeBarView bar=service.uptime lang label />
        </article>
    }
}

/// Maintenance windows in progress and upcoming (nothing when there are none).
#[component]
pub fn MaintenanceList(items: Vec<MaintenanceView>, lang: Lang) -> impl IntoView {
    let s = strings(lang);
    (!items.is_empty()).then(|| {
        let entries = items
            .into_iter()
            .map(|m| {
                let label = if m.in_progress { s.maintenance_in_progress } else { s.maintenance_upcoming };
                view! {
                    <article class="maintenance">
                        <h3>{m.title.text.clone()}</h3>
                        <p class="when">
                            <span class=if m.in_progress { "badge s-under_maintenance" } else { "badge upcoming" }>
                                <StatusIcon status=ComponentStatus::UnderMaintenance />
                                <span>{label}</span>
                            </span>
                            " " <Time at=m.starts_at lang /> " – " <Time at=m.ends_at lang />
                        </p>
                        <p class="affected">{m.components.join(", ")}</p>
                        <LocalText text=m.body lang />
                    </article>
                }
            })
            .collect_view();
        view! {
            <section class="maintenance-list" aria-labelledby="maint-h">
                <h2 id="maint-h">{s.maintenance}</h2>
                {entries}
            </section>
        }
    })
}
