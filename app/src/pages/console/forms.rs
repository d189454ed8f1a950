//! Pieces every console form uses: the hidden fields, labelled inputs with their error
//! next to them, and the preview of what the public page will show.

use crate::components::UpdateEntry;
use crate::data::record::DutyView;
use crate::data::staff::{ComponentChoice, Flash, Preview, Template};
use crate::format;
use crate::layout::use_lang;
use crate::model::{ComponentStatus, IncidentState, Lang, UpdateKind};
use crate::text::public::{kind_label, state_label, status_label};
use crate::text::record::strings as record_strings;
use crate::text::staff::console_strings;
use leptos::prelude::*;

/// A form that posts to a console action: a plain POST, which the page's island sends in
/// place when JavaScript is on (`browser::navigation`).
#[component]
pub fn PostForm(
    action: &'static str,
    #[prop(optional)] class: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <form method="post" action=action class=(!class.is_empty()).then_some(class)>
            {children()}
        </form>
    }
}

/// A `PostForm` around fields built beforehand (a component's children must own what
/// they show, so the fields are rendered first).
pub fn post_form(action: &'static str, class: &'static str, fields: AnyView) -> impl IntoView {
    view! { <PostForm action class>{fields}</PostForm> }
}

/// The CSRF token, and the reader's language when the address chose it.
#[component]
pub fn FormBasics(csrf: String) -> impl IntoView {
    let ctx = use_lang();
    let lang = ctx
        .explicit
        .get_untracked()
        .then(|| view! { <input type="hidden" name="lang" value=ctx.untracked().code() /> });
    view! {
        <input type="hidden" name="csrf" value=csrf />
        {lang}
    }
}

/// What a field shows: what was typed before (kept after an error), else a default.
pub fn value_of(flash: &Flash, name: &str, default: impl Into<String>) -> String {
    if flash.is_empty() {
        default.into()
    } else {
        flash.value(name).unwrap_or_default()
    }
}

fn error_view(id: String, error: Option<String>) -> impl IntoView {
    error.map(|e| view! { <p class="field-error" id=id>{e}</p> })
}

#[component]
pub fn TextField(
    name: &'static str,
    label: &'static str,
    value: String,
    error: Option<String>,
    #[prop(optional)] required: bool,
    #[prop(optional)] multiline: bool,
    #[prop(optional)] input_type: Option<&'static str>,
    #[prop(optional)] help: Option<&'static str>,
    #[prop(optional)] max: Option<usize>,
    /// For the browser's password manager: `username`, `current-password`, `new-password`.
    #[prop(optional)]
    autocomplete: Option<&'static str>,
) -> impl IntoView {
    let id = format!("f-{name}");
    let error_id = format!("{id}-error");
    let invalid = error.is_some();
    let described = invalid.then(|| error_id.clone());
    let input = if multiline {
        view! {
            <textarea id=id.clone() name=name rows="6" required=required maxlength=max
                aria-invalid=invalid.then_some("true") aria-describedby=described.clone()>{format::rcdata(value)}</textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() name=name type=input_type.unwrap_or("text") value=value required=required
                maxlength=max autocomplete=autocomplete aria-invalid=invalid.then_some("true") aria-describedby=described.clone() />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {help.map(|h| view! { <p class="help">{h}</p> })}
            {input}
            {error_view(error_id, error)}
        </div>
    }
}

/// A `<select>` with its label.
#[component]
pub fn SelectField(
    name: String,
    label: String,
    options: Vec<(String, String)>,
    selected: String,
    #[prop(optional)] error: Option<String>,
) -> impl IntoView {
    // `c.kakaotalk/media` → `f-c-kakaotalk-media`: an id of letters, digits and dashes.
    let id = format!("f-{}", name.replace(['/', '.'], "-"));
    let error_id = format!("{id}-error");
    let error = error.filter(|e| !e.is_empty());
    let invalid = error.is_some();
    let options = options
        .into_iter()
        .map(|(value, text)| {
            let is = value == selected;
            view! { <option value=value selected=is>{text}</option> }
        })
        .collect_view();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id name=name aria-invalid=invalid.then_some("true")
                aria-describedby=invalid.then(|| error_id.clone())>{options}</select>
            {error_view(error_id, error)}
        </div>
    }
}

pub fn status_options(
    lang: Lang,
    none_label: &'static str,
    with_operational: bool,
) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), none_label.to_string())];
    for status in ComponentStatus::ALL {
        if status == ComponentStatus::Operational && !with_operational {
            continue;
        }
        if status == ComponentStatus::UnderMaintenance {
            continue;
        }
        options.push((status.as_str().into(), status_label(lang, status).into()));
    }
    options
}

pub fn kind_options(lang: Lang, kinds: &[UpdateKind]) -> Vec<(String, String)> {
    kinds
        .iter()
        .map(|k| (k.as_str().to_string(), kind_label(lang, *k).to_string()))
        .collect()
}

pub fn state_options(lang: Lang) -> Vec<(String, String)> {
    [
        IncidentState::Investigating,
        IncidentState::Identified,
        IncidentState::Monitoring,
        IncidentState::Resolved,
    ]
    .into_iter()
    .map(|s| (s.as_str().to_string(), state_label(lang, s).to_string()))
    .collect()
}

/// One select per component, grouped by service, named `c.{service}/{component}`.
#[component]
pub fn ComponentSelects(
    components: Vec<ComponentChoice>,
    flash: Flash,
    lang: Lang,
    none_label: &'static str,
    with_operational: bool,
    legend: &'static str,
    error: Option<String>,
) -> impl IntoView {
    let mut groups: Vec<(String, Vec<ComponentChoice>)> = Vec::new();
    for c in components {
        match groups.iter_mut().find(|(s, _)| *s == c.service) {
            Some((_, list)) => list.push(c),
            None => groups.push((c.service.clone(), vec![c])),
        }
    }
    let groups = groups
        .into_iter()
        .map(|(service, list)| {
            let selects = list
                .into_iter()
                .map(|c| {
                    let name = format!("c.{}", c.id);
                    let selected = flash.value(&name).unwrap_or_default();
                    let label = format!("{} · {}", c.name, status_label(lang, c.status));
                    view! {
                        <SelectField name label options=status_options(lang, none_label, with_operational) selected />
                    }
                })
                .collect_view();
            view! { <fieldset class="component-group"><legend>{service}</legend>{selects}</fieldset> }
        })
        .collect_view();
    let described = error.is_some().then_some("f-components-error");
    view! {
        <fieldset class="components-field" aria-describedby=described>
            <legend>{legend}</legend>
            {error_view("f-components-error".into(), error)}
            {groups}
        </fieldset>
    }
}

/// A GET form that reloads the page with a template's text filled in.
#[component]
pub fn TemplatePicker(
    templates: Vec<Template>,
    kinds: Vec<UpdateKind>,
    chosen: Option<String>,
) -> impl IntoView {
    let ctx = use_lang();
    let c = console_strings(ctx.untracked());
    let options = templates
        .into_iter()
        .filter(|t| kinds.contains(&t.kind))
        .map(|t| {
            let is = chosen.as_deref() == Some(t.id.as_str());
            view! { <option value=t.id selected=is>{t.name}</option> }
        })
        .collect_view();
    let lang = ctx
        .explicit
        .get_untracked()
        .then(|| view! { <input type="hidden" name="lang" value=ctx.untracked().code() /> });
    let action = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();
    let fields = view! {
            {lang}
            <label for="f-template">{c.template}</label>
            <select id="f-template" name="template">
                <option value="">{c.no_template}</option>
                {options}
            </select>
            <button type="submit" class="secondary">{c.use_template}</button>
    }
    .into_any();
    view! {
        <form method="get" action=action class="template-picker">
            {fields}
        </form>
    }
}

#[component]
pub fn PreviewBlock(preview: Option<Preview>, lang: Lang) -> impl IntoView {
    let c = console_strings(lang);
    preview.map(|p| {
        view! {
            <section class="preview" aria-labelledby="preview-h">
                <h2 id="preview-h">{c.preview_heading}</h2>
                {p.title.map(|t| view! { <h3 class="preview-title">{t.text}</h3> })}
                <UpdateEntry update=p.update lang />
            </section>
        }
    })
}

/// Preview and publish: two submit buttons of one form.
#[component]
pub fn SubmitButtons(publish: &'static str) -> impl IntoView {
    let c = console_strings(use_lang().untracked());
    view! {
        <div class="buttons">
            <button type="submit" name="intent" value="preview" class="secondary">{c.preview}</button>
            <button type="submit" name="intent" value="publish">{publish}</button>
        </div>
    }
}

/// The legal duties an update (or, with `by_note`, an internal note) can be marked as
/// fulfilling (config/rules.toml): a box per duty (`notice`), and under it a box per
/// element its text carries (`element` = "duty/element"). Nothing when no such duty is in
/// force.
#[component]
pub fn NoticeTags(
    duties: Vec<DutyView>,
    flash: Flash,
    lang: Lang,
    #[prop(optional)] by_note: bool,
) -> impl IntoView {
    let duties: Vec<DutyView> = duties
        .into_iter()
        .filter(|d| !d.required_ids.is_empty() && d.by_note == by_note)
        .collect();
    (!duties.is_empty()).then(|| {
        let r = record_strings(lang);
        let (legend, help) = if by_note {
            (r.note_tag_legend, r.note_tag_help)
        } else {
            (r.tag_legend, r.tag_help)
        };
        let boxes = duties
            .iter()
            .map(|d| {
                let duty_id = format!("f-notice-{}", d.duty);
                let elements = d
                    .required_ids
                    .iter()
                    .zip(&d.required)
                    .map(|(element, name)| {
                        let value = format!("{}/{element}", d.duty);
                        let id = format!("f-el-{}-{element}", d.duty);
                        let checked = flash.has_value("element", &value);
                        view! {
                            <div class="field checkbox element">
                                <input type="checkbox" id=id.clone() name="element" value=value checked=checked />
                                <label for=id>{name.clone()}</label>
                            </div>
                        }
                    })
                    .collect_view();
                let checked = flash.has_value("notice", &d.duty);
                view! {
                    <div class="duty-tag">
                        <div class="field checkbox">
                            <input type="checkbox" id=duty_id.clone() name="notice" value=d.duty.clone() checked=checked />
                            <label for=duty_id>{d.name.clone()}</label>
                        </div>
                        {elements}
                    </div>
                }
            })
            .collect_view();
        view! {
            <fieldset class="notices">
                <legend>{legend}</legend>
                <p class="help">{help}</p>
                {flash.error_for("notices").map(|e| view! { <p class="error">{e}</p> })}
                {boxes}
            </fieldset>
        }
    })
}
