//! The automated checks on the public pages: each feature's verdict beside its official
//! status (never instead of it), a 24-hour latency chart drawn on the server with the
//! same numbers in a table, and the banner when checks and the official word disagree.

use super::{StatusBadge, Time};
use crate::data::public::{CheckAlert, CheckView, FeatureChecks, LatencyChart};
use crate::format;
use crate::layout::use_lang;
use crate::model::{CheckVerdict, Lang};
use crate::text::checks::{check_strings, verdict_label};
use leptos::prelude::*;

/// A verdict as icon-free text in a dashed outline: unlike the official badge on purpose.
#[component]
pub fn VerdictBadge(verdict: CheckVerdict, lang: Lang) -> impl IntoView {
    view! { <span class=format!("verdict v-{}", verdict.as_str())>{verdict_label(verdict, lang)}</span> }
}

/// "Automated checks detect a problem — not yet officially confirmed".
#[component]
pub fn CheckBanner(alert: CheckAlert, lang: Lang) -> impl IntoView {
    let ctx = use_lang();
    let t = check_strings(lang);
    let name = format!("{} · {}", alert.service_name, alert.name);
    view! {
        // A div: axe allows no live-region role on <aside>.
        <div class="check-banner" role="status">
            <p class="check-title">
                <a href=ctx.href(&format!("/services/{}", alert.service))>{t.detected}</a>
            </p>
            <p>{t.detected_detail.replace("{}", &name)}</p>
            <p class="crowd-meta"><Time at=alert.since lang /></p>
        </div>
    }
}

/// p50 and p95 as two lines over 24 hours; bins with failures marked along the bottom.
#[component]
fn LatencyChartView(chart: LatencyChart, name: String, lang: Lang) -> impl IntoView {
    let t = check_strings(lang);
    let n = chart.p50.len().max(1);
    let top = chart
        .p95
        .iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0)
        .max(50) as f32;
    let height = 100.0f32;
    let y = |v: u32| height - 4.0 - (v as f32 / top * (height - 8.0));
    let line = |values: &[Option<u32>]| {
        let mut d = String::new();
        let mut pen_down = false;
        for (i, v) in values.iter().enumerate() {
            match v {
                Some(v) => {
                    d.push_str(&format!(
                        "{}{}.5,{:.1} ",
                        if pen_down { "L" } else { "M" },
                        i,
                        y(*v)
                    ));
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        d
    };
    let p50 = line(&chart.p50);
    let p95 = line(&chart.p95);
    let failed = chart
        .failures
        .iter()
        .enumerate()
        .filter(|(_, f)| **f > 0)
        .map(|(i, _)| view! { <rect x=i.to_string() y="96" width="1" height="4" /> })
        .collect_view();
    let per_hour = (60 / chart.bin_minutes.max(1)) as usize;
    let rows = (0..chart.p50.len().div_ceil(per_hour.max(1)))
        .map(|h| {
            let range = h * per_hour..((h + 1) * per_hour).min(chart.p50.len());
            let at = chart.start + chrono::Duration::hours(h as i64);
            let label = format::to_kst(at).format("%m-%d %H:00").to_string();
            let count: u32 = chart.counts[range.clone()].iter().sum();
            let failures: u32 = chart.failures[range.clone()].iter().sum();
            let worst = |values: &[Option<u32>]| {
                values[range.clone()]
                    .iter()
                    .flatten()
                    .max()
                    .map(|v| format!("{v} ms"))
                    .unwrap_or_else(|| t.no_data.to_string())
            };
            view! {
                <tr>
                    <th scope="row">{label}</th>
                    <td>{worst(&chart.p50)}</td>
                    <td>{worst(&chart.p95)}</td>
                    <td>{count}</td>
                    <td>{failures}</td>
                </tr>
            }
        })
        .collect_view();
    let summary = format!("{name} · {}", t.chart_title);
    let label = summary.clone();
    view! {
        <figure class="latency-chart">
            <svg viewBox=format!("0 0 {n} {height}") preserveAspectRatio="none" role="img" aria-label=label>
                <title>{summary}</title>
                {(!p95.is_empty()).then(|| view! { <path class="p95" d=p95 /> })}
                {(!p50.is_empty()).then(|| view! { <path class="p50" d=p50 /> })}
                <g class="failed">{failed}</g>
            </svg>
            <figcaption class="legend">{t.chart_legend}</figcaption>
        </figure>
        <details class="crowd-table">
            <summary>{t.as_table}</summary>
            <table class="console-table">
                <caption class="visually-hidden">{name}" · "{t.chart_title}</caption>
                <thead><tr>
                    <th scope="col">{t.period}</th>
                    <th scope="col">"p50"</th>
                    <th scope="col">"p95"</th>
                    <th scope="col">{t.results}</th>
                    <th scope="col">{t.failures}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </details>
    }
}

#[component]
fn CheckItem(check: CheckView, lang: Lang) -> impl IntoView {
    let t = check_strings(lang);
    let agents = format!(
        "{} {} · {} {}",
        t.agents, check.agents_reporting, t.failing_agents, check.agents_failing
    );
    let set_aside = (check.agents_set_aside > 0)
        .then(|| format!(" · {} {}", t.set_aside, check.agents_set_aside));
    let detail = (!check.detail.is_empty())
        .then(|| view! { <p class="check-detail">{check.detail.clone()}</p> });
    let since = check
        .since
        .map(|at| view! { " · "{t.since}" "<Time at lang /> });
    let name = check.name.clone();
    view! {
        <li class="check">
            <p class="check-head">
                <span class="check-name">{check.name}</span>
                <VerdictBadge verdict=check.verdict lang />
            </p>
            <p class="crowd-meta">{agents}{set_aside}{since}</p>
            {detail}
            <LatencyChartView chart=check.latency name lang />
        </li>
    }
}

/// Every feature of a service that has checks, with its official status beside.
#[component]
pub fn ChecksPanel(features: Vec<FeatureChecks>, lang: Lang) -> impl IntoView {
    let t = check_strings(lang);
    if features.is_empty() {
        return ().into_any();
    }
    let items = features
        .into_iter()
        .map(|feature| {
            let checks = feature
                .checks
                .into_iter()
                .map(|check| view! { <CheckItem check lang /> })
                .collect_view();
            view! {
                <article class="feature-checks">
                    <header class="service-head">
                        <h3>{feature.name}</h3>
                        <VerdictBadge verdict=feature.verdict lang />
                    </header>
                    <p class="crowd-meta">{t.official_state}" "<StatusBadge status=feature.official lang /></p>
                    <ul class="checks">{checks}</ul>
                </article>
            }
        })
        .collect_view();
    view! {
        <section class="checks-panel" aria-labelledby="checks-h">
            <h2 id="checks-h">{t.section}</h2>
            <p class="crowd-note">{t.intro}</p>
            {items}
        </section>
    }
    .into_any()
}
