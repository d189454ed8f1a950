//! The 90-day uptime bar.

use crate::data::public::UptimeBar;
use crate::format;
use crate::layout::use_lang;
use crate::model::Lang;
use crate::text::public::{status_label, strings};
use chrono::Days;
use leptos::prelude::*;

/// A 90-day bar, one cell per day coloured by that day's worst state. Each cell is
/// focusable: hover, tap or Tab shows the day's date, availability and state (the cell's
/// label, drawn by CSS) and, on days with incidents, links to them.
#[component]
pub fn UptimeBarView(bar: UptimeBar, lang: Lang, label: String) -> impl IntoView {
    let ctx = use_lang();
    let s = strings(lang);
    let cells = bar
        .days
        .into_iter()
        .enumerate()
        .map(|(i, day)| {
            let date = bar.first.checked_add_days(Days::new(i as u64)).unwrap_or(bar.first);
            let summary = format!(
                "{} · {} {} · {}",
                format::date(lang, date),
                s.availability,
                format::percent(day.availability()),
                status_label(lang, day.worst())
            );
            let incidents = (!day.incidents().is_empty()).then(|| {
                let items = day
                    .incidents()
                    .iter()
                    .map(|i| view! { <li><a href=ctx.href(&format!("/incidents/{}", i.id))>{i.title.text.clone()}</a></li> })
                    .collect_view();
                view! {
                    <div class="tip">
                        <span>{summary.clone()}</span>
                        <ul>{items}</ul>
                    </div>
                }
            });
            let class = if incidents.is_some() { "has-tip" } else { "" };
            view! {
                <li class=format!("day s-{} {class}", day.worst().as_str()) tabindex="0" aria-label=summary>
                    {incidents}
                </li>
            }
        })
        .collect_view();
    view! {
        // The bar's name is on a group around it (html-validate's `aria-label-misuse`: a
        // list is better not named); a named group is announced as focus enters a day.
        <div class="uptime" role="group" aria-label=label>
            <p class="uptime-head">
                <span>{s.uptime_90}</span>
                <strong>{format::percent(bar.availability)}</strong>
            </p>
            <ol class="bar">{cells}</ol>
            <p class="uptime-scale" aria-hidden="true">
                <span>{s.days_ago_90}</span>
                <span>{s.today}</span>
            </p>
        </div>
    }
}
