use super::console_page;
use super::forms::{post_form, FormBasics, TextField};
use crate::console::{ConsoleBody, ConsolePage, ConsoleView};
use crate::console_i18n::console_strings;
use crate::model::Lang;
use leptos::prelude::*;

#[component]
pub fn ConsoleSignIn() -> impl IntoView {
    console_page(|| ConsolePage::SignIn, render)
}

fn render(view: &ConsoleView, lang: Lang) -> Option<AnyView> {
    if view.body != ConsoleBody::SignIn {
        return None;
    }
    let c = console_strings(lang);
    let flash = &view.flash;
    Some(
        view! {
            <section class="sign-in">
                <h1 class="page-title">{c.sign_in}</h1>
                {post_form(
                     "/admin/actions/signin",
                     "",
                     view! {
                    <FormBasics csrf=view.csrf.clone() />
                    <TextField name="name" label=c.name value=flash.value("name").unwrap_or_default()
                        error=flash.error_for("name") required=true />
                    <TextField name="password" label=c.password value=String::new()
                        error=flash.error_for("password") required=true input_type="password" />
                    <div class="buttons"><button type="submit">{c.sign_in}</button></div>
                     }
                     .into_any(),
                 )}
            </section>
        }
        .into_any(),
    )
}
