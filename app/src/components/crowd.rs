//! Crowd reports on the public pages: the report form, the "users are reporting" banner
//! (next to, and unlike, the official status), and the 24-hour chart with its table.

use super::Time;
use crate::data::public::{CrowdAlert, CrowdChart, CrowdView, ReportChoices, Share};
use crate::format;
use crate::layout::use_lang;
use crate::model::Lang;
use crate::text::crowd::crowd_strings;
use leptos::prelude::*;

/// Region (optional), then one button per problem: one tap reports.
#[component]
pub fn ReportForm(choices: ReportChoices, lang: Lang) -> impl IntoView {
    let ctx = use_lang();
    let c = crowd_strings(lang);
    let action = format!("/report/{}", choices.slug);
    let regions = choices
        .regions
        .into_iter()
        .map(|(slug, name)| view! { <option value=slug>{name}</option> })
        .collect_view();
    let problems = choices
        .problems
        .into_iter()
        .map(|(slug, name)| view! { <button type="submit" name="problem" value=slug>{name}</button> })
        .collect_view();
    let lang_field = ctx
        .explicit
        .get_untracked()
        .then(|| view! { <input type="hidden" name="lang" value=lang.code() /> });
    let fields = view! {
        {lang_field}
        <div class="field">
            <label for="report-region">{c.region}</label>
            <select id="report-region" name="region">
                <option value="">{c.no_region}</option>
                {regions}
            </select>
        </div>
        <fieldset class="problem-buttons">
            <legend>{c.what_is_wrong}</legend>
            {problems}
        </fieldset>
    }
    .into_any();
    view! {
        <form method="post" action=action class="report-form">
            {fields}
        </form>
    }
}

#[component]
pub fn CrowdBanner(alert: CrowdAlert, lang: Lang) -> impl IntoView {
    let ctx = use_lang();
    let c = crowd_strings(lang);
    view! {
        <div class="crowd-banner" role="status">
            <p class="crowd-title">
                <a href=ctx.href(&format!("/services/{}", alert.slug))>{c.users_reporting.replace("{}", &alert.name)}</a>
            </p>
            <p class="crowd-meta">
                {c.reports_last_hour}" "<strong>{alert.last_hour}</strong>" · "<Time at=alert.since lang />
            </p>
            <p class="crowd-note">{c.not_official}</p>
        </div>
    }
}

fn share_list(items: Vec<Share>) -> impl IntoView {
    items
        .into_iter()
        .map(|s| {
            view! {
                <li>
                    <span class="share-name">{s.name}</span>
                    // A drawing, not a style attribute: the pages' policy allows no inline styles.
                    <svg class="share-bar" viewBox="0 0 100 1" preserveAspectRatio="none" aria-hidden="true">
                        <rect class="share-fill" width=s.percent.to_string() height="1"></rect>
                    </svg>
                    <span class="share-value">{format!("{}% ({})", s.percent, s.count)}</span>
                </li>
            }
        })
        .collect_view()
}

/// The chart as SVG drawn on the server (bars over the shaded normal level), and the
/// same numbers by the hour in a table.
#[component]
pub fn CrowdChartView(chart: CrowdChart, lang: Lang) -> impl IntoView {
    let c = crowd_strings(lang);
    let n = chart.counts.len().max(1);
    let top = chart
        .counts
        .iter()
        .map(|v| *v as f32)
        .chain(chart.normal.iter().copied())
        .fold(4.0f32, f32::max);
    let height = 100.0f32;
    let y = |v: f32| height - (v / top * height);
    let mut area = format!("M0,{height}");
    for (i, v) in chart.normal.iter().enumerate() {
        area.push_str(&format!(" L{},{:.1} L{},{:.1}", i, y(*v), i + 1, y(*v)));
    }
    area.push_str(&format!(" L{n},{height} Z"));
    let bars = chart
        .counts
        .iter()
        .enumerate()
        .filter(|(_, v)| **v > 0)
        .map(|(i, v)| {
            let top_y = y(*v as f32);
            view! { <rect x=i.to_string() y=format!("{top_y:.1}") width="0.8" height=format!("{:.1}", height - top_y) /> }
        })
        .collect_view();
    let total: u32 = chart.counts.iter().sum();
    let per_hour = (60 / chart.bin_minutes.max(1)) as usize;
    let rows = chart
        .counts
        .chunks(per_hour.max(1))
        .zip(chart.normal.chunks(per_hour.max(1)))
        .enumerate()
        .map(|(h, (counts, normal))| {
            let at = chart.start + chrono::Duration::hours(h as i64);
            let label = format::to_kst(at).format("%m-%d %H:00").to_string();
            view! {
                <tr>
                    <th scope="row">{label}</th>
                    <td>{counts.iter().sum::<u32>()}</td>
                    <td>{normal.iter().sum::<f32>().round() as u32}</td>
                </tr>
            }
        })
        .collect_view();
    let summary = format!("{} · {} {}", c.chart_title, c.reports, total);
    let label = summary.clone();
    view! {
        <figure class="crowd-chart">
            <svg viewBox=format!("0 0 {n} {height}") preserveAspectRatio="none" role="img" aria-label=label>
                <title>{summary}</title>
                <path class="normal" d=area />
                <g class="bars">{bars}</g>
            </svg>
            <figcaption class="legend">{c.chart_legend}</figcaption>
        </figure>
        <details class="crowd-table">
            <summary>{c.as_table}</summary>
            <table class="console-table">
                <caption class="visually-hidden">{c.chart_title}</caption>
                <thead><tr><th scope="col">{c.hour}</th><th scope="col">{c.reports}</th><th scope="col">{c.normal}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </details>
    }
}

/// What users report about one service: chart, top problems, regions.
#[component]
pub fn CrowdPanel(crowd: CrowdView, lang: Lang) -> impl IntoView {
    let c = crowd_strings(lang);
    let problems = (!crowd.problems.is_empty()).then(|| {
        view! {
            <h3>{c.top_problems}</h3>
            <ul class="shares">{share_list(crowd.problems)}</ul>
        }
    });
    let regions = (!crowd.regions.is_empty()).then(|| {
        view! {
            <h3>{c.regions}</h3>
            <ul class="shares">{share_list(crowd.regions)}</ul>
        }
    });
    view! {
        <section class="crowd-panel" aria-labelledby="crowd-h">
            <h2 id="crowd-h">{c.user_reports}</h2>
            <p class="crowd-note">{c.not_official}</p>
            <p>{c.reports_last_hour}" "<strong class="crowd-count">{crowd.last_hour}</strong></p>
            <CrowdChartView chart=crowd.chart lang />
            {problems}
            {regions}
        </section>
    }
}
