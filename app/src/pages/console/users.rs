//! `/admin/users` (admins): staff accounts and their roles.

use super::console_page;
use super::forms::{post_form, value_of, FormBasics, SelectField, TextField};
use crate::components::Time;
use crate::data::staff::{ConsoleBody, ConsolePage, ConsoleView};
use crate::model::{Lang, Role};
use crate::text::staff::{console_strings, role_label};
use leptos::prelude::*;

#[component]
pub fn ConsoleUsers() -> impl IntoView {
    console_page(|| ConsolePage::Users, render)
}

fn role_options(lang: Lang) -> Vec<(String, String)> {
    Role::ALL
        .into_iter()
        .map(|r| (r.as_str().to_string(), role_label(lang, r).to_string()))
        .collect()
}

fn render(view: &ConsoleView, lang: Lang) -> Option<AnyView> {
    let ConsoleBody::Users(users) = &view.body else {
        return None;
    };
    let c = console_strings(lang);
    let flash = view.flash.clone();
    let rows = users
        .iter()
        .map(|user| {
            let role_id = format!("r-{}", user.name);
            let active_id = format!("a-{}", user.name);
            let options = Role::ALL
                .into_iter()
                .map(|r| view! { <option value=r.as_str() selected=r == user.role>{role_label(lang, r)}</option> })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{user.name.clone()}</th>
                    <td>
                        {post_form(
                             "/admin/actions/update-user",
                             "inline-form",
                             view! {
                            <FormBasics csrf=view.csrf.clone() />
                            <input type="hidden" name="name" value=user.name.clone() />
                            <label class="visually-hidden" for=role_id.clone()>{c.role}</label>
                            <select id=role_id name="role">{options}</select>
                            <input type="checkbox" id=active_id.clone() name="active" value="1" checked=user.active />
                            <label for=active_id>{c.active}</label>
                            <button type="submit" class="secondary">{c.save}</button>
                             }
                             .into_any(),
                         )}
                    </td>
                    <td><Time at=user.created_at lang /></td>
                </tr>
            }
        })
        .collect_view();
    Some(
        view! {
            <h1 class="page-title">{c.users}</h1>
            <table class="console-table">
                <thead><tr><th scope="col">{c.name}</th><th scope="col">{c.role}</th><th scope="col">{c.created}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <section aria-labelledby="add-h">
                <h2 id="add-h">{c.add_user}</h2>
                {post_form(
                     "/admin/actions/add-user",
                     "console-form",
                     view! {
                    <FormBasics csrf=view.csrf.clone() />
                    <TextField name="name" label=c.name value=value_of(&flash, "name", "") error=flash.error_for("name") required=true max=32 />
                    <SelectField name="role".into() label=c.role.into() options=role_options(lang)
                        selected=value_of(&flash, "role", "comms") error=flash.error_for("role").unwrap_or_default() />
                    <TextField name="password" label=c.password value=String::new() error=flash.error_for("password")
                        required=true input_type="password" max=128 autocomplete="new-password" />
                    <div class="buttons"><button type="submit">{c.add_user}</button></div>
                     }
                     .into_any(),
                 )}
            </section>
        }
        .into_any(),
    )
}
