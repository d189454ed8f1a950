//! A moment, shown in Korea time.

use crate::format;
use crate::model::Lang;
use chrono::{DateTime, Utc};
use leptos::prelude::*;

/// A moment shown in Korea time; `datetime` carries UTC for machines.
#[component]
pub fn Time(at: DateTime<Utc>, lang: Lang) -> impl IntoView {
    view! { <time datetime=format::machine(at)>{format::date_time(lang, at)}</time> }
}
