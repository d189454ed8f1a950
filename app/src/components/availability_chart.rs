//! A service's year as an SVG bar chart drawn on the server: one bar per month, its height
//! the weighted minutes down. The table beside it carries the same figures for screen
//! readers, so the drawing is hidden from them.

use crate::data::record::MinutesView;
use crate::model::Lang;
use crate::text::record::{minutes, month_short};
use leptos::prelude::*;

const WIDTH: f64 = 360.0;
const HEIGHT: f64 = 120.0;
const AXIS: f64 = 18.0;
const TOP: f64 = 14.0;

#[component]
pub fn AvailabilityChart(months: Vec<MinutesView>, lang: Lang) -> impl IntoView {
    let peak = months.iter().map(|m| m.down).fold(0.0, f64::max);
    // The scale's top: the worst month, or 60 minutes when the year was calm, so a
    // ten-minute outage does not fill the chart.
    let scale = peak.max(60.0);
    let slot = WIDTH / 12.0;
    let plot = HEIGHT - AXIS - TOP;
    let bars = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let x = i as f64 * slot + slot * 0.2;
            let h = if m.down > 0.0 {
                (m.down / scale * plot).max(1.5)
            } else {
                0.0
            };
            let y = TOP + plot - h;
            let label = month_short(lang, i as u32 + 1);
            let class = if m.elapsed <= 0.0 {
                "month not-begun"
            } else if m.down > 0.0 {
                "month down"
            } else {
                "month"
            };
            view! {
                <g class=class>
                    <rect x=format!("{x:.1}") y=format!("{y:.1}") width=format!("{:.1}", slot * 0.6) height=format!("{h:.1}") />
                    <text x=format!("{:.1}", x + slot * 0.3) y=format!("{:.1}", HEIGHT - 4.0) text-anchor="middle">{label}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="availability-chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") aria-hidden="true" focusable="false">
            <line class="baseline" x1="0" x2=WIDTH.to_string() y1=format!("{:.1}", TOP + plot) y2=format!("{:.1}", TOP + plot) />
            <text class="scale" x="0" y="10">{format!("{} {}", minutes(scale), if lang == Lang::Ko { "분" } else { "min" })}</text>
            {bars}
        </svg>
    }
}
