//! `/admin/maintenance/new`: schedule a maintenance window.

use super::console_page;
use super::forms::{post_form, value_of, FormBasics, TextField};
use crate::data::staff::{ConsoleBody, ConsolePage, ConsoleView, Template};
use crate::model::Lang;
use crate::text::staff::console_strings;
use leptos::prelude::*;

#[component]
pub fn ConsoleNewMaintenance() -> impl IntoView {
    console_page(|| ConsolePage::NewMaintenance, render)
}

fn render(view: &ConsoleView, lang: Lang) -> Option<AnyView> {
    let ConsoleBody::NewMaintenance(form) = &view.body else {
        return None;
    };
    let c = console_strings(lang);
    let flash = view.flash.clone();
    let template = form
        .templates
        .iter()
        .find(|t| t.id == "maintenance")
        .cloned();
    let t =
        |f: fn(&Template) -> &String| template.as_ref().map(|t| f(t).clone()).unwrap_or_default();
    let error = flash.error_for("components");
    let boxes = form
        .components
        .iter()
        .map(|comp| {
            let id = format!("m-{}", comp.id.replace('/', "-"));
            let checked = flash.has_value("components", &comp.id);
            view! {
                <div class="field checkbox">
                    <input type="checkbox" id=id.clone() name="components" value=comp.id.clone() checked=checked />
                    <label for=id>{format!("{} · {}", comp.service, comp.name)}</label>
                </div>
            }
        })
        .collect_view();
    Some(
        view! {
            <h1 class="page-title">{c.new_maintenance}</h1>
            {post_form(
                 "/admin/actions/schedule-maintenance",
                 "console-form",
                 view! {
                <FormBasics csrf=view.csrf.clone() />
                <TextField name="title_ko" label=c.title_ko value=value_of(&flash, "title_ko", t(|t| &t.title_ko))
                    error=flash.error_for("title_ko") required=true max=200 />
                <TextField name="title_en" label=c.title_en value=value_of(&flash, "title_en", t(|t| &t.title_en))
                    error=flash.error_for("title_en") max=200 help=c.optional />
                <TextField name="starts_at" label=c.starts_at input_type="datetime-local"
                    value=value_of(&flash, "starts_at", form.now_local.clone()) error=flash.error_for("starts_at") required=true />
                <TextField name="ends_at" label=c.ends_at input_type="datetime-local"
                    value=value_of(&flash, "ends_at", "") error=flash.error_for("ends_at") required=true />
                <fieldset class="components-field">
                    <legend>{c.affected_components}</legend>
                    {error.map(|e| view! { <p class="field-error">{e}</p> })}
                    {boxes}
                </fieldset>
                <TextField name="body_ko" label=c.body_ko multiline=true value=value_of(&flash, "body_ko", t(|t| &t.body_ko))
                    error=flash.error_for("body_ko") required=true max=10000 />
                <TextField name="body_en" label=c.body_en multiline=true value=value_of(&flash, "body_en", t(|t| &t.body_en))
                    error=flash.error_for("body_en") max=10000 help=c.optional />
                <div class="buttons"><button type="submit">{c.schedule}</button></div>
                 }
                 .into_any(),
             )}
        }
        .into_any(),
    )
}
