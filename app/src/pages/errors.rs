//! The error pages: not found (404), bad request (400), and data that could not load.

use super::set_status;
use crate::layout::use_lang;
use crate::text::public::strings;
use leptos::prelude::*;
use leptos_meta::Title;

/// 404, in the reader's language.
#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    let ctx = use_lang();
    let s = move || strings(ctx.get());
    view! {
        <Title text=move || s().not_found_title />
        <section class="error-page">
            <h1>{move || s().not_found_title}</h1>
            <p>{move || s().not_found_text}</p>
            <p><a href=move || ctx.tracked_href("/")>{move || s().back_home}</a></p>
        </section>
    }
}

/// 400, with the specific reason.
#[component]
pub fn BadRequest(reason: String) -> impl IntoView {
    set_status(400);
    let ctx = use_lang();
    let s = move || strings(ctx.get());
    view! {
        <Title text=move || s().bad_request_title />
        <section class="error-page">
            <h1>{move || s().bad_request_title}</h1>
            <p class="reason">{reason}</p>
            <p><a href=move || ctx.tracked_href("/")>{move || s().back_home}</a></p>
        </section>
    }
}

/// When the data cannot be fetched (in the browser, the server unreachable): say so,
/// keep the page, and let the next refresh try again.
#[component]
pub fn LoadError() -> impl IntoView {
    set_status(503);
    let ctx = use_lang();
    view! { <p class="load-error" role="status">{move || strings(ctx.get()).load_error}</p> }
}
