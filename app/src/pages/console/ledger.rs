//! `/admin/ledger`: the change ledger, its verification and export.

use super::console_page;
use crate::components::Time;
use crate::data::staff::{ConsoleBody, ConsolePage, ConsoleView};
use crate::model::Lang;
use crate::text::staff::console_strings;
use leptos::prelude::*;

#[component]
pub fn ConsoleLedger() -> impl IntoView {
    console_page(|| ConsolePage::Ledger, render)
}

fn render(view: &ConsoleView, lang: Lang) -> Option<AnyView> {
    let ConsoleBody::Ledger(report) = &view.body else {
        return None;
    };
    let c = console_strings(lang);
    let status = match &report.broken {
        None => view! {
            <p class="ledger-ok" role="status">
                <strong>{c.ledger_ok}</strong>" · "{c.entries}" "{report.count}" · "{c.head_hash}" "<code>{report.head.clone()}</code>
            </p>
        }
        .into_any(),
        Some((seq, why)) => view! {
            <p class="ledger-broken" role="alert">
                <strong>{c.ledger_broken}</strong>" · #"{*seq}": "{why.clone()}
            </p>
        }
        .into_any(),
    };
    let rows = report
        .recent
        .iter()
        .cloned()
        .map(|row| {
            view! {
                <tr>
                    <td>{row.seq}</td>
                    <td><Time at=row.at lang /></td>
                    <td>{row.actor}</td>
                    <td><code>{row.action}</code></td>
                    <td><code title=row.hash.clone()>{row.hash[..16].to_string()}"…"</code></td>
                </tr>
            }
        })
        .collect_view();
    Some(
        view! {
            <h1 class="page-title">{c.ledger}</h1>
            {status}
            <p><a href="/admin/ledger/export" rel="external" download="ledger.jsonl">{c.export}</a></p>
            <h2>{c.recent_entries}</h2>
            <div class="table-scroll">
                <table class="console-table">
                    <thead><tr>
                        <th scope="col">{c.seq}</th><th scope="col">{c.time}</th><th scope="col">{c.actor}</th>
                        <th scope="col">{c.action}</th><th scope="col">{c.hash}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any(),
    )
}
