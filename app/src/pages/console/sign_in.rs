//! `/admin/signin`: the staff sign-in form.

use super::console_page;
use super::forms::{post_form, FormBasics, TextField};
use crate::data::staff::{ConsoleBody, ConsolePage, ConsoleView};
use crate::model::Lang;
use crate::text::staff::console_strings;
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
                        error=flash.error_for("name") required=true autocomplete="username" />
                    <TextField name="password" label=c.password value=String::new()
                        error=flash.error_for("password") required=true input_type="password" autocomplete="current-password" />
                    <div class="buttons"><button type="submit">{c.sign_in}</button></div>
                     }
                     .into_any(),
                 )}
            </section>
        }
        .into_any(),
    )
}
