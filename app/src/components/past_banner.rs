//! The notice on top of a past view: what moment it shows, what that means, and the way
//! back to the present.

use crate::format;
use crate::model::Lang;
use crate::text::record::strings;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

#[component]
pub fn PastBanner(at: DateTime<Utc>, lang: Lang, now_href: String) -> impl IntoView {
    let s = strings(lang);
    view! {
        <p class="past-view" role="note">
            <strong>{s.past_view}</strong>" "
            <time datetime=format::machine(at)>{format::date_time(lang, at)}</time>
            {s.past_view_after}" "
            <a href=now_href>{s.past_view_now}</a>
        </p>
    }
}
