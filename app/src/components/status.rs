//! A component status as icon, text and colour.

use crate::model::{ComponentStatus, Lang};
use crate::text::public::status_label;
use leptos::prelude::*;

/// A status as icon + text + colour: never colour alone.
#[component]
pub fn StatusBadge(status: ComponentStatus, lang: Lang) -> impl IntoView {
    view! {
        <span class=format!("badge s-{}", status.as_str())>
            <StatusIcon status />
            <span>{status_label(lang, status)}</span>
        </span>
    }
}

/// Inline SVG icons: no icon font, nothing fetched from elsewhere.
#[component]
pub fn StatusIcon(status: ComponentStatus) -> impl IntoView {
    let path = match status {
        // check mark
        ComponentStatus::Operational => "M7 12.5l3.2 3.2L17 9",
        // wrench-like tool: a bar
        ComponentStatus::UnderMaintenance => "M8 8l8 8M14 6l4 4",
        // minus
        ComponentStatus::DegradedPerformance => "M7 12h10",
        // exclamation
        ComponentStatus::PartialOutage => "M12 7v6M12 16.5v.5",
        // cross
        ComponentStatus::MajorOutage => "M8 8l8 8M16 8l-8 8",
    };
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
            <circle cx="12" cy="12" r="11" fill="currentColor" />
            <path d=path stroke="#fff" stroke-width="2.6" fill="none" stroke-linecap="round" stroke-linejoin="round" />
        </svg>
    }
}
