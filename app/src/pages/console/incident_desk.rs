//! `/admin/incidents/{id}`: post updates to an incident and correct published ones.

use super::console_page;
use super::forms::{
    kind_options, post_form, state_options, value_of, ComponentSelects, FormBasics, NoticeTags,
    PreviewBlock, SelectField, SubmitButtons, TemplatePicker, TextField,
};
use super::new_incident::chosen_template;
use crate::components::UpdateEntry;
use crate::data::staff::{ConsoleBody, ConsolePage, ConsoleView, Template};
use crate::format;
use crate::layout::use_lang;
use crate::model::{IncidentState, Lang, UpdateKind};
use crate::text::public::{state_label, strings};
use crate::text::record::{countdown, standing_label, strings as record_strings};
use crate::text::staff::console_strings;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ConsoleIncident() -> impl IntoView {
    let params = use_params_map();
    console_page(
        move || ConsolePage::Incident(params.read().get("id").unwrap_or_default()),
        render,
    )
}

fn render(view: &ConsoleView, lang: Lang) -> Option<AnyView> {
    let ConsoleBody::Incident(desk) = &view.body else {
        return None;
    };
    let ctx = use_lang();
    let c = console_strings(lang);
    let flash = view.flash.clone();
    let incident = desk.incident.clone();
    let summary = incident.summary.clone();
    let id = summary.id.clone();
    let resolved = summary.state == IncidentState::Resolved;
    let can_publish = view.me.as_ref().is_some_and(|me| me.role.can_publish());
    let kinds = if resolved {
        vec![UpdateKind::Postmortem]
    } else {
        vec![UpdateKind::Update, UpdateKind::Apology]
    };
    let template = chosen_template(&desk.templates);
    let t =
        |f: fn(&Template) -> &String| template.as_ref().map(|t| f(t).clone()).unwrap_or_default();
    let default_state = if resolved {
        IncidentState::Resolved
    } else {
        template.as_ref().map(|t| t.state).unwrap_or(summary.state)
    };
    let default_kind = template
        .as_ref()
        .map(|t| t.kind)
        .filter(|k| kinds.contains(k))
        .unwrap_or(kinds[0]);

    let timeline = incident
        .updates
        .into_iter()
        .map(|update| {
            let correction = can_publish.then(|| {
                let update_id = update.id.to_string();
                let prefix = format!("u{}", update.id);
                // After a refused correction, what was typed; otherwise the published text.
                let (ko, en) = if flash.value("update").as_deref() == Some(update_id.as_str()) {
                    (flash.value("body_ko"), flash.value("body_en"))
                } else {
                    desk.originals
                        .iter()
                        .find(|o| o.id == update.id)
                        .map(|o| (Some(o.body_ko.clone()), o.body_en.clone()))
                        .unwrap_or_default()
                };
                view! {
                    <details class="correction">
                        <summary>{c.correct}</summary>
                        <p class="help">{c.correct_help}</p>
                        {post_form(
                             "/admin/actions/correct-update",
                             "",
                             view! {
                            <FormBasics csrf=view.csrf.clone() />
                            <input type="hidden" name="incident" value=id.clone() />
                            <input type="hidden" name="update" value=update_id />
                            <div class="field">
                                <label for=format!("{prefix}-ko")>{c.body_ko}</label>
                                <textarea id=format!("{prefix}-ko") name="body_ko" rows="4" required>
                                    {format::rcdata(ko.unwrap_or_default())}
                                </textarea>
                            </div>
                            <div class="field">
                                <label for=format!("{prefix}-en")>{c.body_en}</label>
                                <textarea id=format!("{prefix}-en") name="body_en" rows="4">{format::rcdata(en.unwrap_or_default())}</textarea>
                            </div>
                            <div class="buttons"><button type="submit">{c.save_correction}</button></div>
                             }
                             .into_any(),
                         )}
                    </details>
                }
            });
            view! { <li><UpdateEntry update lang />{correction}</li> }
        })
        .collect_view();

    let checklist = (!desk.duties.is_empty()).then(|| {
        let r = record_strings(lang);
        let items = desk
            .duties
            .iter()
            .map(|d| {
                let due = match (d.due_at, d.remaining_minutes) {
                    (Some(at), Some(left)) if matches!(d.standing.as_str(), "open" | "overdue" | "not_yet") => {
                        format!("{} {} ({})", r.due, format::date_time(lang, at), countdown(lang, left))
                    }
                    (Some(at), _) => format!("{} {}", r.due, format::date_time(lang, at)),
                    (None, _) => String::new(),
                };
                let elements = d
                    .required
                    .iter()
                    .map(|name| {
                        let ok = !d.missing.contains(name);
                        view! { <li class=if ok { "carried" } else { "missing" }>{format!("{} {name}", if ok { "✓" } else { "✗" })}</li> }
                    })
                    .collect_view();
                view! {
                    <li class=format!("duty-item standing-{}", d.standing)>
                        <strong>{d.name.clone()}</strong>
                        " — "{standing_label(lang, &d.standing)}
                        {(!due.is_empty()).then(|| view! { <span class="due">" · "{due.clone()}</span> })}
                        {(!d.required.is_empty()).then(|| view! { <ul class="elements">{elements}</ul> })}
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="checklist" aria-labelledby="duties-h">
                <h2 id="duties-h">{r.checklist}</h2>
                <p class="help">{r.checklist_help}</p>
                <ul class="plain">{items}</ul>
            </section>
        }
    });
    let taggable = desk.duties.clone();
    let notes = {
        let r = record_strings(lang);
        let list = if desk.notes.is_empty() {
            view! { <p class="empty">{r.no_notes}</p> }.into_any()
        } else {
            let items = desk
                .notes
                .iter()
                .map(|n| {
                    let tags = n
                        .duties
                        .iter()
                        .map(|duty| {
                            desk.duties
                                .iter()
                                .find(|d| &d.duty == duty)
                                .map_or(duty.clone(), |d| d.name.clone())
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    view! {
                        <li class="note">
                            <p class="meta">
                                <time datetime=format::machine(n.at)>{format::date_time(lang, n.at)}</time>
                                {format!(" · {} · #{}", n.author, n.seq)}
                            </p>
                            {(!tags.is_empty()).then(|| view! { <p class="note-tags">{tags}</p> })}
                            <p class="note-body">{n.body.clone()}</p>
                        </li>
                    }
                })
                .collect_view();
            view! { <ul class="plain notes">{items}</ul> }.into_any()
        };
        let form = can_publish.then(|| {
            post_form(
                "/admin/actions/add-note",
                "",
                view! {
                    <FormBasics csrf=view.csrf.clone() />
                    <input type="hidden" name="incident" value=id.clone() />
                    <TextField name="note" label=r.note_label multiline=true value=value_of(&flash, "note", String::new())
                        error=flash.error_for("note") required=true max=10000 />
                    <NoticeTags duties=taggable.clone() flash=flash.clone() lang by_note=true />
                    <div class="buttons"><button type="submit">{r.add_note}</button></div>
                }
                .into_any(),
            )
        });
        view! {
            <section class="internal-notes" aria-labelledby="notes-h">
                <h2 id="notes-h">{r.notes_title}</h2>
                <p class="help">{r.notes_help}</p>
                {list}
                {form}
            </section>
        }
    };

    let update_form = can_publish.then(|| {
        view! {
            <section aria-labelledby="post-h">
                <h2 id="post-h">{c.post_update}</h2>
                <TemplatePicker templates=desk.templates.clone() kinds=kinds.clone() chosen=template.as_ref().map(|t| t.id.clone()) />
                <PreviewBlock preview=flash.preview.clone() lang />
                {post_form(
                     "/admin/actions/post-update",
                     "console-form",
                     view! {
                    <FormBasics csrf=view.csrf.clone() />
                    <input type="hidden" name="incident" value=id.clone() />
                    {(!resolved).then(|| view! {
                        <SelectField name="state".into() label=c.state.into() options=state_options(lang)
                            selected=value_of(&flash, "state", default_state.as_str()) error=flash.error_for("state").unwrap_or_default() />
                    })}
                    {resolved.then(|| view! { <input type="hidden" name="state" value="resolved" /> })}
                    <SelectField name="kind".into() label=c.kind.into() options=kind_options(lang, &kinds)
                        selected=value_of(&flash, "kind", default_kind.as_str()) error=flash.error_for("kind").unwrap_or_default() />
                    <TextField name="body_ko" label=c.body_ko multiline=true value=value_of(&flash, "body_ko", t(|t| &t.body_ko))
                        error=flash.error_for("body_ko") required=true max=10000 />
                    <TextField name="body_en" label=c.body_en multiline=true value=value_of(&flash, "body_en", t(|t| &t.body_en))
                        error=flash.error_for("body_en") max=10000 help=c.optional />
                    <NoticeTags duties=taggable.clone() flash=flash.clone() lang />
                    {(!resolved).then(|| view! {
                        <p class="help">{c.resolve_help}</p>
                        <ComponentSelects components=desk.components.clone() flash=flash.clone() lang
                            none_label=c.no_change with_operational=true legend=c.affected_components
                            error=flash.error_for("components") />
                        <div class="field checkbox">
                            <input type="checkbox" id="f-still" name="still_affected" value="1"
                                checked=flash.has_value("still_affected", "1") />
                            <label for="f-still">{c.still_affected}</label>
                        </div>
                    })}
                    <SubmitButtons publish=c.publish />
                     }
                     .into_any(),
                 )}
            </section>
        }
    });

    Some(
        view! {
            <h1 class="page-title">{summary.title.text.clone()}</h1>
            <p class="meta">
                <span class=format!("state st-{}", summary.state.as_str())>{state_label(lang, summary.state)}</span>
                " · "<a href=ctx.href(&format!("/incidents/{id}"))>{c.view_public}</a>
            </p>
            {checklist}
            {notes}
            {update_form}
            <section aria-labelledby="tl-h">
                <h2 id="tl-h">{strings(lang).timeline}</h2>
                <ol class="timeline">{timeline}</ol>
            </section>
        }
        .into_any(),
    )
}
