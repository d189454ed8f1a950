//! An incident in a list, and the "active incidents" section.

use super::{Time, UpdateEntry};
use crate::data::public::IncidentSummary;
use crate::layout::use_lang;
use crate::model::Lang;
use crate::text::public::{impact_label, state_label, strings};
use leptos::prelude::*;

/// An incident in a list: title, impact, state, start, and (when asked) its latest update.
#[component]
pub fn IncidentCard(
    incident: IncidentSummary,
    lang: Lang,
    #[prop(optional)] with_latest: bool,
    /// In a past view: the moment its link keeps.
    #[prop(default = None)]
    past: Option<chrono::DateTime<chrono::Utc>>,
) -> impl IntoView {
    let ctx = use_lang();
    let s = strings(lang);
    let href = crate::components::at_moment(ctx.href(&format!("/incidents/{}", incident.id)), past);
    let services = incident
        .services
        .iter()
        .map(|sv| sv.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let latest = if with_latest { incident.latest } else { None };
    view! {
        <article class=format!("incident-card impact-{}", incident.impact.as_str())>
            <h3>
                <a href=href>{incident.title.text}</a>
            </h3>
            <p class="meta">
                <span class=format!("impact impact-{}", incident.impact.as_str())>
                    {format!("{} {}", s.impact, impact_label(lang, incident.impact))}
                </span>
                <span class=format!("state st-{}", incident.state.as_str())>{state_label(lang, incident.state)}</span>
                <span class="services">{services}</span>
            </p>
            <p class="when">
                {s.started} " " <Time at=incident.started_at lang />
                {incident.resolved_at.map(|at| view! { " · " {s.resolved} " " <Time at lang /> })}
            </p>
            {latest.map(|update| view! {
                <div class="latest">
                    <h4>{s.latest_update}</h4>
                    <UpdateEntry update lang />
                </div>
            })}
        </article>
    }
}

/// The "active incidents" section, with each incident's latest update; nothing when calm.
#[component]
pub fn ActiveIncidents(incidents: Vec<IncidentSummary>, lang: Lang) -> impl IntoView {
    (!incidents.is_empty()).then(|| {
        let cards = incidents
            .into_iter()
            .map(|incident| view! { <IncidentCard incident lang with_latest=true /> })
            .collect_view();
        view! {
            <section class="active" aria-labelledby="active-h">
                <h2 id="active-h">{strings(lang).active_incidents}</h2>
                {cards}
            </section>
        }
    })
}
