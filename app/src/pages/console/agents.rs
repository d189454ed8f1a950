//! `/admin/agents` (admins): the probe agents allowed to push check results — register
//! one (its key is shown here, to put in the agent's key file), turn one off.

use super::console_page;
use super::forms::{post_form, value_of, FormBasics, TextField};
use crate::components::Time;
use crate::data::staff::{ConsoleBody, ConsolePage, ConsoleView};
use crate::model::Lang;
use crate::text::checks::agent_strings;
use leptos::prelude::*;

#[component]
pub fn ConsoleAgents() -> impl IntoView {
    console_page(|| ConsolePage::Agents, render)
}

fn render(view: &ConsoleView, lang: Lang) -> Option<AnyView> {
    let ConsoleBody::Agents(agents) = &view.body else {
        return None;
    };
    let a = agent_strings(lang);
    let flash = view.flash.clone();
    let rows = agents
        .iter()
        .map(|agent| {
            view! {
                <tr>
                    <th scope="row"><code class="break">{agent.name.clone()}</code></th>
                    <td><details><summary>{a.show_key}</summary><code class="break">{agent.key.clone()}</code></details></td>
                    <td>{if agent.active { a.active } else { a.inactive }}</td>
                    <td>{agent.last_seq}</td>
                    <td><Time at=agent.created_at lang /></td>
                    <td>
                        {post_form(
                            "/admin/actions/agent-active",
                            "inline-form",
                            view! {
                                <FormBasics csrf=view.csrf.clone() />
                                <input type="hidden" name="name" value=agent.name.clone() />
                                <input type="hidden" name="active" value=if agent.active { "0" } else { "1" } />
                                <button type="submit" class="secondary">{if agent.active { a.deactivate } else { a.activate }}</button>
                            }
                            .into_any(),
                        )}
                    </td>
                </tr>
            }
        })
        .collect_view();
    Some(
        view! {
            <h1 class="page-title">{a.title}</h1>
            <p>{a.intro}</p>
            <section aria-labelledby="agents-h">
                <h2 id="agents-h">{a.title}</h2>
                {if agents.is_empty() {
                    view! { <p>{a.none_yet}</p> }.into_any()
                } else {
                    view! {
                        <div class="table-scroll" tabindex="0">
                            <table class="console-table agents">
                                <thead><tr>
                                    <th scope="col">{a.name}</th><th scope="col">{a.key}</th><th scope="col">{a.state}</th>
                                    <th scope="col">{a.last_batch}</th><th scope="col">{a.created}</th>
                                    <th scope="col"><span class="visually-hidden">{a.state}</span></th>
                                </tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    }
                    .into_any()
                }}
            </section>
            <section aria-labelledby="add-agent-h">
                <h2 id="add-agent-h">{a.add}</h2>
                <p class="hint">{a.add_help}</p>
                {post_form(
                    "/admin/actions/add-agent",
                    "console-form",
                    view! {
                        <FormBasics csrf=view.csrf.clone() />
                        <TextField name="name" label=a.name value=value_of(&flash, "name", "") error=flash.error_for("name")
                            required=true max=64 />
                        <div class="buttons"><button type="submit">{a.add}</button></div>
                    }
                    .into_any(),
                )}
            </section>
        }
        .into_any(),
    )
}
