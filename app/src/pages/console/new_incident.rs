//! `/admin/incidents/new`: open an incident, from a template or not.

use super::console_page;
use super::forms::{
    kind_options, post_form, value_of, ComponentSelects, FormBasics, NoticeTags, PreviewBlock,
    SelectField, SubmitButtons, TemplatePicker, TextField,
};
use crate::data::staff::{ConsoleBody, ConsolePage, ConsoleView, Template};
use crate::model::{Impact, Lang, UpdateKind};
use crate::text::public::impact_label;
use crate::text::staff::console_strings;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ConsoleNewIncident() -> impl IntoView {
    console_page(|| ConsolePage::NewIncident, render)
}

/// The template named in the address (`?template=`), if any.
pub(super) fn chosen_template(templates: &[Template]) -> Option<Template> {
    let id = use_query_map().read_untracked().get("template")?;
    templates.iter().find(|t| t.id == id).cloned()
}

fn render(view: &ConsoleView, lang: Lang) -> Option<AnyView> {
    let ConsoleBody::NewIncident(form) = &view.body else {
        return None;
    };
    let c = console_strings(lang);
    // From a crowd alert (`?service=`): that service's features preselected as partly
    // down; from a checks alert (`?component=`): that feature.
    let mut flash = view.flash.clone();
    if flash.is_empty() {
        let query = use_query_map().read_untracked();
        let component = query.get("component");
        let service = query.get("service").or_else(|| {
            component
                .as_deref()
                .and_then(|c| c.split_once('/'))
                .map(|(s, _)| s.to_string())
        });
        if let Some(service) = service {
            let prefix = format!("{service}/");
            flash.values = form
                .components
                .iter()
                .filter(|c| match &component {
                    Some(only) => c.id == *only,
                    None => c.id.starts_with(&prefix),
                })
                .map(|c| (format!("c.{}", c.id), "partial_outage".to_string()))
                .collect();
            // The rest as a new form would have it (with the first-notice template).
            let first = form.templates.iter().find(|t| t.id == "investigating");
            let text =
                |f: fn(&Template) -> &String| first.map(|t| f(t).clone()).unwrap_or_default();
            flash.values.extend([
                ("started_at".to_string(), form.now_local.clone()),
                ("impact".to_string(), "major".to_string()),
                ("kind".to_string(), "update".to_string()),
                ("title_ko".to_string(), text(|t| &t.title_ko)),
                ("title_en".to_string(), text(|t| &t.title_en)),
                ("body_ko".to_string(), text(|t| &t.body_ko)),
                ("body_en".to_string(), text(|t| &t.body_en)),
            ]);
        }
    }
    let kinds = vec![UpdateKind::Update, UpdateKind::Apology];
    let template = chosen_template(&form.templates);
    let t =
        |f: fn(&Template) -> &String| template.as_ref().map(|t| f(t).clone()).unwrap_or_default();
    let impacts = [Impact::Minor, Impact::Major, Impact::Critical, Impact::None]
        .into_iter()
        .map(|i| (i.as_str().to_string(), impact_label(lang, i).to_string()))
        .collect();
    let kind_default = template
        .as_ref()
        .map(|t| t.kind)
        .unwrap_or(UpdateKind::Update);
    Some(
        view! {
            <h1 class="page-title">{c.new_incident}</h1>
            <TemplatePicker templates=form.templates.clone() kinds=kinds.clone() chosen=template.as_ref().map(|t| t.id.clone()) />
            <PreviewBlock preview=flash.preview.clone() lang />
            {post_form(
                 "/admin/actions/open-incident",
                 "console-form",
                 view! {
                <FormBasics csrf=view.csrf.clone() />
                <TextField name="title_ko" label=c.title_ko value=value_of(&flash, "title_ko", t(|t| &t.title_ko))
                    error=flash.error_for("title_ko") required=true max=200 />
                <TextField name="title_en" label=c.title_en value=value_of(&flash, "title_en", t(|t| &t.title_en))
                    error=flash.error_for("title_en") max=200 help=c.optional />
                <SelectField name="impact".into() label=c.impact.into() options=impacts
                    selected=value_of(&flash, "impact", "major") error=flash.error_for("impact").unwrap_or_default() />
                <TextField name="started_at" label=c.started_at input_type="datetime-local"
                    value=value_of(&flash, "started_at", form.now_local.clone())
                    error=flash.error_for("started_at") required=true help=c.started_at_help />
                <ComponentSelects components=form.components.clone() flash=flash.clone() lang
                    none_label=c.not_affected with_operational=false legend=c.affected_components
                    error=flash.error_for("components") />
                <SelectField name="kind".into() label=c.kind.into() options=kind_options(lang, &kinds)
                    selected=value_of(&flash, "kind", kind_default.as_str()) />
                <TextField name="body_ko" label=c.body_ko multiline=true value=value_of(&flash, "body_ko", t(|t| &t.body_ko))
                    error=flash.error_for("body_ko") required=true max=10000 />
                <TextField name="body_en" label=c.body_en multiline=true value=value_of(&flash, "body_en", t(|t| &t.body_en))
                    error=flash.error_for("body_en") max=10000 help=c.optional />
                <NoticeTags duties=form.duties.clone() flash=flash.clone() lang />
                <SubmitButtons publish=c.publish />
                 }
                 .into_any(),
             )}
        }
        .into_any(),
    )
}
