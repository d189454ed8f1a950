//! The notice on top of a past view: what moment it shows, what that means, and the way
//! back to the present.

use crate::format;
use crate::model::Lang;
use crate::text::record::strings;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// A link within a past view stays at its moment (`as_of`), so a reader paging through
/// the record as it stood then does not land in the present.
pub fn at_moment(href: String, past: Option<DateTime<Utc>>) -> String {
    match past {
        Some(at) => {
            let sep = if href.contains('?') { '&' } else { '?' };
            format!("{href}{sep}as_of={}", format::machine(at))
        }
        None => href,
    }
}

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
