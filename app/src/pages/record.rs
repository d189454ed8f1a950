//! `/incidents/{id}/record`: the incident as a regulator reads it — milestones, time to
//! acknowledge and to resolve, minutes per component and state, the legal duties'
//! verdicts, and every statement verbatim. It prints to A4 (style/main.css, @media print).

use super::{BadRequest, LoadError, NotFound};
use crate::api::get_record;
use crate::components::{PastBanner, Time, UpdateEntry};
use crate::data::record::{DutyView, LedgerEntryRef, MilestoneKind, RecordView};
use crate::format;
use crate::layout::use_lang;
use crate::model::Lang;
use crate::text::public::filter_error_text;
use crate::text::record::{facts_label, milestone_label, minutes, standing_label, strings};
use chrono::TimeDelta;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn RecordPage() -> impl IntoView {
    let ctx = use_lang();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let as_of = move || query.read().get("as_of");
    let data = Resource::new(
        move || (id(), ctx.get(), as_of()),
        |(id, lang, as_of)| get_record(id, lang, as_of),
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let lang = ctx.untracked();
                match data.await {
                    Ok(Ok(Some(record))) => view! { <Record record lang /> }.into_any(),
                    Ok(Ok(None)) => view! { <NotFound /> }.into_any(),
                    Ok(Err(error)) => view! { <BadRequest reason=filter_error_text(lang, &error) /> }.into_any(),
                    Err(_) => view! { <LoadError /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn when(lang: Lang, at: Option<chrono::DateTime<chrono::Utc>>, none: &'static str) -> AnyView {
    match at {
        Some(at) => view! { <Time at lang /> }.into_any(),
        None => view! { <span class="none">{none}</span> }.into_any(),
    }
}

fn span(lang: Lang, minutes: Option<i64>, none: &'static str) -> String {
    minutes.map_or(none.to_string(), |m| {
        format::duration(lang, TimeDelta::minutes(m))
    })
}

/// Links to the ledger entries a figure comes from ("원장 #12 #14"), listed at the end of
/// the page; nothing where the entries are unknown.
fn sources(lang: Lang, seqs: &[i64]) -> Option<impl IntoView> {
    (!seqs.is_empty()).then(|| {
        let links = seqs
            .iter()
            .map(|seq| view! { " "<a href=format!("#ledger-{seq}")>{format!("#{seq}")}</a> })
            .collect_view();
        view! { <span class="sources">{strings(lang).sources}{links}</span> }
    })
}

/// One entry as a block rather than a table row: its hash is 64 characters, too wide
/// for a phone's table.
fn ledger_item(entry: LedgerEntryRef, lang: Lang) -> impl IntoView {
    let s = strings(lang);
    let facts = facts_label(lang, &entry.facts);
    view! {
        <li id=format!("ledger-{}", entry.seq)>
            <p class="entry-head">
                <strong>{format!("#{}", entry.seq)}</strong>" · "<code>{entry.action}</code>" · "
                {s.recorded_at}" "<Time at=entry.recorded_at lang />
            </p>
            <p class="entry-facts">{facts}</p>
            <p class="hash">{entry.hash}</p>
        </li>
    }
}

#[component]
fn Record(record: RecordView, lang: Lang) -> impl IntoView {
    let ctx = use_lang();
    let s = strings(lang);
    let summary = record.incident.summary.clone();
    // Short enough for a tab and a search result (html-validate: at most 70 characters).
    let title = format!("{} · {}", s.record_title, summary.id);
    let milestones = record
        .milestones
        .iter()
        .map(|m| {
            let label = milestone_label(lang, &m.kind);
            let anchor = m.update_id.map(|id| format!("#update-{id}"));
            let retro = m.retrospective.then(
                || view! { <span class="retro">{format!(" ({})", s.retrospective_mark)}</span> },
            );
            view! {
                <li>
                    <Time at=m.at lang />" · "
                    {match anchor {
                        Some(href) => view! { <a href=href>{label}</a> }.into_any(),
                        None => view! { <span>{label}</span> }.into_any(),
                    }}
                    {retro}
                    {sources(lang, &m.sources)}
                </li>
            }
        })
        .collect_view();
    let component_rows = record
        .components
        .iter()
        .map(|c| {
            view! {
                <tr>
                    <th scope="row">{format!("{} · {}", c.service, c.component)}</th>
                    <td>{minutes(c.major)}</td>
                    <td>{minutes(c.partial)}</td>
                    <td>{minutes(c.degraded)}</td>
                    <td>{minutes(c.operational)}</td>
                    <td>{sources(lang, &c.sources)}</td>
                </tr>
            }
        })
        .collect_view();
    let duties = record
        .duties
        .into_iter()
        .map(|duty| view! { <Duty duty lang /> })
        .collect_view();
    let statements = record
        .incident
        .updates
        .iter()
        .rev()
        .cloned()
        .map(|update| {
            let anchor = format!("update-{}", update.id);
            view! { <li id=anchor><UpdateEntry update lang /></li> }
        })
        .collect_view();
    let milestone_sources = |kind: MilestoneKind| {
        record
            .milestones
            .iter()
            .find(|m| m.kind == kind)
            .map(|m| m.sources.clone())
            .unwrap_or_default()
    };
    let (impact_sources, notice_sources) = (
        milestone_sources(MilestoneKind::FirstImpact),
        milestone_sources(MilestoneKind::FirstNotice),
    );
    let figure = &record.figure_sources;
    let crowd_peak = match (&record.crowd_peak, record.crowd_counts_read) {
        (Some(peak), _) => {
            let per_service = peak
                .services
                .iter()
                .map(|(name, at, count)| view! { <li>{format!("{name}: {count} · ")}<Time at=*at lang /></li> })
                .collect_view();
            view! {
                <strong>{format!("{}", peak.reports)}</strong>" · "<Time at=peak.minute lang />
                <ul class="plain">{per_service}</ul>
            }
            .into_any()
        }
        (None, true) => view! { <span class="none">{s.crowd_peak_none}</span> }.into_any(),
        (None, false) => view! { <span class="none">{s.crowd_peak_unread}</span> }.into_any(),
    };
    let ledger_entries = match record.ledger_entries.clone() {
        Some(entries) => {
            let rows = entries
                .into_iter()
                .map(|entry| ledger_item(entry, lang))
                .collect_view();
            view! { <ol class="plain ledger-entries">{rows}</ol> }.into_any()
        }
        None => view! { <p class="none">{s.ledger_unavailable}</p> }.into_any(),
    };
    let ledger = match &record.ledger {
        Some(mark) => format!("#{} · {}", mark.seq, mark.head_hash),
        None => s.no_ledger.to_string(),
    };
    let past_at = record.past.then_some(record.as_of);
    let incident_href =
        crate::components::at_moment(ctx.href(&format!("/incidents/{}", summary.id)), past_at);
    let export = |ext: &str| {
        let mut params = Vec::new();
        if lang == Lang::En {
            params.push("lang=en".to_string());
        }
        if let Some(at) = past_at {
            params.push(format!("as_of={}", format::machine(at)));
        }
        let query = if params.is_empty() {
            String::new()
        } else {
            format!("?{}", params.join("&"))
        };
        format!("/incidents/{}/record.{ext}{query}", summary.id)
    };
    let past = past_at.map(|at| {
        let now_href = ctx.href(&format!("/incidents/{}/record", summary.id));
        view! { <PastBanner at lang now_href /> }
    });
    view! {
        <Title text=title />
        <Meta name="description" content=s.record_intro />
        {past}
        <article class="record">
            <p class="kicker">{s.record_title}</p>
            <h1 class="page-title">{summary.title.text.clone()}</h1>
            <p class="lead">{s.record_intro}</p>
            {record.compiled_afterwards.then(|| view! { <p class="compiled-note">{s.compiled_afterwards}</p> })}
            <dl class="record-mark">
                <dt>{s.as_of}</dt>
                <dd><Time at=record.as_of lang /></dd>
                <dt>{s.ledger_mark}</dt>
                <dd class="hash">{ledger}</dd>
            </dl>
            <p class="exports no-print">
                {s.export}": "
                <a href=export("csv")>{s.export_csv}</a>
                " · "
                <a href=export("json")>{s.export_json}</a>
                " · "
                <span>{s.print}</span>
            </p>
            <section aria-labelledby="figures-h">
                <h2 id="figures-h">{s.figures}</h2>
                <dl class="facts">
                    <dt>{s.first_impact}</dt>
                    <dd><Time at=summary.started_at lang />{sources(lang, &impact_sources)}</dd>
                    <dt>{s.crowd_signal}</dt>
                    <dd>
                        {when(lang, record.incident.crowd_signal_at, s.none_on_record)}
                        {record.incident.crowd_signal_at.and_then(|_| sources(lang, &impact_sources))}
                    </dd>
                    <dt>{s.checks_failed}</dt>
                    <dd>
                        {when(lang, record.incident.checks_failed_at, s.none_on_record)}
                        {record.incident.checks_failed_at.and_then(|_| sources(lang, &impact_sources))}
                    </dd>
                    <dt>{s.crowd_peak}</dt>
                    <dd class="crowd-peak">{crowd_peak}</dd>
                    <dt>{s.first_notice}</dt>
                    <dd>{when(lang, record.first_notice_at, s.none_on_record)}{sources(lang, &notice_sources)}</dd>
                    <dt>{s.time_to_acknowledge}</dt>
                    <dd>
                        <span class="tta">{span(lang, record.time_to_acknowledge, s.none_on_record)}</span>
                        {sources(lang, &figure.time_to_acknowledge)}
                    </dd>
                    <dt>{s.resolved}</dt>
                    <dd>{when(lang, summary.resolved_at, s.not_yet)}</dd>
                    <dt>{s.time_to_resolve}</dt>
                    <dd>
                        <span class="ttr">{span(lang, record.time_to_resolve, s.not_yet)}</span>
                        {sources(lang, &figure.time_to_resolve)}
                    </dd>
                    <dt>{s.apology}</dt>
                    <dd>{when(lang, record.apology_at, s.none_on_record)}{sources(lang, &figure.apology)}</dd>
                    <dt>{s.compensation_notice}</dt>
                    <dd>
                        {when(lang, record.compensation_notice_at, s.none_on_record)}
                        {sources(lang, &figure.compensation_notice)}
                    </dd>
                </dl>
                <p class="hint">{s.crowd_peak_note}</p>
            </section>
            <section aria-labelledby="milestones-h">
                <h2 id="milestones-h">{s.milestones}</h2>
                <ol class="milestones">{milestones}</ol>
            </section>
            <section aria-labelledby="components-h">
                <h2 id="components-h">{s.component_times}</h2>
                <div class="table-scroll" tabindex="0">
                    <table class="figures">
                        <thead>
                            <tr>
                                <th scope="col">{s.component}</th>
                                <th scope="col">{s.major_minutes}</th>
                                <th scope="col">{s.partial_minutes}</th>
                                <th scope="col">{s.degraded_minutes}</th>
                                <th scope="col">{s.operational_minutes}</th>
                                <th scope="col">{s.sources}</th>
                            </tr>
                        </thead>
                        <tbody>{component_rows}</tbody>
                    </table>
                </div>
            </section>
            <section aria-labelledby="duties-h">
                <h2 id="duties-h">{s.duties}</h2>
                <p class="lead">{s.duties_intro}</p>
                {duties}
            </section>
            <section aria-labelledby="statements-h">
                <h2 id="statements-h">{s.statements}</h2>
                <ol class="timeline">{statements}</ol>
            </section>
            <section aria-labelledby="ledger-h">
                <h2 id="ledger-h">{s.ledger_entries}</h2>
                <p class="lead">{s.ledger_entries_intro}</p>
                {ledger_entries}
            </section>
            <p class="no-print"><a href=incident_href>{s.back_to_incident}</a></p>
        </article>
    }
}

#[component]
fn Duty(duty: DutyView, lang: Lang) -> impl IntoView {
    let s = strings(lang);
    let fulfilled = if duty.fulfilled_by.is_empty() {
        view! { <span class="none">{s.none_on_record}</span> }.into_any()
    } else {
        let items = duty
            .fulfilled_by
            .iter()
            .map(|f| {
                let timing = if f.in_time { s.in_time } else { s.too_late };
                let elements = f.elements.join(", ");
                let at = match f.update_id {
                    Some(id) => view! { <a href=format!("#update-{id}")><Time at=f.at lang /></a> }
                        .into_any(),
                    None => view! { <Time at=f.at lang />{format!(" ({})", s.internal_note)} }
                        .into_any(),
                };
                view! {
                    <li>
                        {at}
                        {format!(" — {timing}; {elements}")}
                        {sources(lang, &f.sources)}
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="plain">{items}</ul> }.into_any()
    };
    let missing = if duty.missing.is_empty() {
        s.nothing_missing.to_string()
    } else {
        duty.missing.join(", ")
    };
    let applies = !matches!(duty.standing.as_str(), "not_in_force" | "below_threshold");
    view! {
        <div class=format!("duty standing-{}", duty.standing)>
            <h3>{duty.name.clone()}</h3>
            <p class="standing"><strong>{standing_label(lang, &duty.standing)}</strong></p>
            <p class="basis">{duty.basis.clone()}</p>
            {applies.then(|| view! {
                <dl class="facts">
                    <dt>{s.due}</dt>
                    <dd>{when(lang, duty.due_at, s.not_yet)}</dd>
                    <dt>{s.fulfilled_by}</dt>
                    <dd>{fulfilled}</dd>
                    <dt>{s.required}</dt>
                    <dd>{duty.required.join(", ")}</dd>
                    <dt>{s.missing}</dt>
                    <dd class="missing">{missing}</dd>
                </dl>
            })}
        </div>
    }
}
