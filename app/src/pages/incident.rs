//! `/incidents/{id}`: one incident and its timeline.

use super::{BadRequest, LoadError, NotFound};
use crate::api::get_incident;
use crate::components::{ComponentStates, PastBanner, Time, UpdateEntry};
use crate::data::public::IncidentView;
use crate::format;
use crate::layout::use_lang;
use crate::model::Lang;
use crate::text::public::{
    filter_error_text, impact_label, incident_description, state_label, strings,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn IncidentPage() -> impl IntoView {
    let ctx = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let as_of = move || query.read().get("as_of");
    let data = Resource::new(
        move || (id(), ctx.get(), as_of()),
        |(id, lang, as_of)| get_incident(id, lang, as_of),
    );
    view! {
        <Transition fallback=move || view! { <p class="loading">{strings(ctx.untracked()).loading}</p> }>
            {move || Suspend::new(async move {
                let lang = ctx.untracked();
                match data.await {
                    Ok(Ok(Some(incident))) => view! { <Incident incident lang /> }.into_any(),
                    Ok(Ok(None)) => view! { <NotFound /> }.into_any(),
                    Ok(Err(error)) => view! { <BadRequest reason=filter_error_text(lang, &error) /> }.into_any(),
                    Err(_) => view! { <LoadError /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Incident(incident: IncidentView, lang: Lang) -> impl IntoView {
    let ctx = use_lang();
    let s = strings(lang);
    let summary = incident.summary;
    let duration = summary
        .resolved_at
        .map(|end| format::duration(lang, end - summary.started_at))
        .unwrap_or_else(|| s.ongoing.to_string());
    let updates = incident
        .updates
        .into_iter()
        .map(|update| view! { <li><UpdateEntry update lang /></li> })
        .collect_view();
    let title_lang = if summary.title.fallback {
        "ko"
    } else {
        lang.code()
    };
    let title_fallback = summary.title.fallback;
    let record_href = crate::components::at_moment(
        ctx.href(&format!("/incidents/{}/record", summary.id)),
        incident.past,
    );
    let past = incident.past.map(|at| {
        let now_href = ctx.href(&format!("/incidents/{}", summary.id));
        view! { <PastBanner at lang now_href /> }
    });
    view! {
        <Title text=summary.title.text.clone() />
        <Meta name="description" content=incident_description(lang, &summary.title.text, summary.started_at, summary.state) />
        {past}
        <article class=format!("incident impact-{}", summary.impact.as_str())>
            <h1 class="page-title" lang=title_lang>{summary.title.text.clone()}</h1>
            {title_fallback.then(|| view! { <p class="fallback-note">{s.english_missing}</p> })}
            <p class="meta">
                <span class=format!("impact impact-{}", summary.impact.as_str())>
                    {format!("{} {}", s.impact, impact_label(lang, summary.impact))}
                </span>
                <span class=format!("state st-{}", summary.state.as_str())>{state_label(lang, summary.state)}</span>
            </p>
            <dl class="facts">
                <dt>{s.started}</dt>
                <dd><Time at=summary.started_at lang /></dd>
                <dt>{s.acknowledged}</dt>
                <dd>
                    {match incident.acknowledged_at {
                        Some(at) => view! { <Time at lang /> }.into_any(),
                        None => view! { <span>{s.not_acknowledged}</span> }.into_any(),
                    }}
                </dd>
                {incident.crowd_signal_at.map(|signal| view! {
                    <dt>{s.crowd_signal}</dt>
                    <dd><Time at=signal lang /></dd>
                })}
                {incident.checks_failed_at.map(|failed| view! {
                    <dt>{crate::text::record::strings(lang).checks_failed}</dt>
                    <dd><Time at=failed lang /></dd>
                })}
                // From the first sign before any notice: the crowd's or the checks'.
                {[incident.crowd_signal_at, incident.checks_failed_at].into_iter().flatten().min().map(|first| {
                    let gap = incident
                        .acknowledged_at
                        .map(|ack| format::duration(lang, (ack - first).max(chrono::TimeDelta::zero())))
                        .unwrap_or_else(|| s.not_acknowledged.to_string());
                    view! {
                        <dt>{s.time_to_acknowledge}</dt>
                        <dd class="time-to-acknowledge">{gap}</dd>
                    }
                })}
                <dt>{s.resolved}</dt>
                <dd>
                    {match summary.resolved_at {
                        Some(at) => view! { <Time at lang /> }.into_any(),
                        None => view! { <span>{s.ongoing}</span> }.into_any(),
                    }}
                </dd>
                <dt>{s.duration}</dt>
                <dd>{duration}</dd>
            </dl>
            <section aria-labelledby="affected-h">
                <h2 id="affected-h">{s.affected}</h2>
                <ul class="affected">
                    <ComponentStates items=incident.affected lang />
                </ul>
            </section>
            <section aria-labelledby="timeline-h">
                <h2 id="timeline-h">{s.timeline}</h2>
                <ol class="timeline">{updates}</ol>
            </section>
            <p><a href=record_href>{crate::text::record::strings(lang).record_link}</a></p>
            <p><a href=ctx.href("/history")>{s.back_to_history}</a></p>
        </article>
    }
}
