//! A list of components, each with its state.

use super::StatusBadge;
use crate::data::public::ComponentState;
use crate::model::Lang;
use leptos::prelude::*;

/// "Service · component [state]" items, for a list of affected or changed components.
#[component]
pub fn ComponentStates(items: Vec<ComponentState>, lang: Lang) -> impl IntoView {
    items
        .into_iter()
        .map(|c| {
            view! {
                <li>
                    <span>{format!("{} · {}", c.service, c.component)}</span>
                    " "
                    <StatusBadge status=c.status lang />
                </li>
            }
        })
        .collect_view()
}
