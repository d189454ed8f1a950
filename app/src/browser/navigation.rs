//! Links and forms answered in place: the new page replaces the open one's body, and the
//! address and the history move as on a page load. Anything that is not a page of this
//! site (a feed, a download, another origin, a new tab) is left to the browser.

use super::page_swap;
use leptos::ev;
use leptos::prelude::*;
use std::cell::Cell;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    Element, FormData, HtmlAnchorElement, HtmlButtonElement, HtmlFormElement, HtmlInputElement,
    MouseEvent, RequestInit, SubmitEvent, Url, UrlSearchParams,
};

thread_local! {
    /// A form's answer is awaited: a second press of the button posts nothing twice.
    static POSTING: Cell<bool> = const { Cell::new(false) };
}

/// Addresses that are files, not pages: the browser fetches them itself.
const FILE_EXTENSIONS: [&str; 9] = [
    ".atom", ".rss", ".ics", ".json", ".csv", ".pdf", ".svg", ".xml", ".jsonl",
];

pub fn start() {
    let on_click = window_event_listener(ev::click, on_click);
    let on_submit = window_event_listener(ev::submit, on_submit);
    // Back and forward: the page the address now names.
    let on_back = window_event_listener(ev::popstate, |_| {
        if let Ok(url) = window().location().href() {
            go(
                url.clone(),
                RequestInit::new(),
                History::Keep,
                Fallback::Load(url),
                false,
            );
        }
    });
    // Listening lasts as long as the document.
    std::mem::forget((on_click, on_submit, on_back));
    // A page is put in place by this code, and so is its scroll position.
    if let Ok(history) = window().history() {
        let _ = history.set_scroll_restoration(web_sys::ScrollRestoration::Manual);
    }
}

fn on_click(event: MouseEvent) {
    if event.default_prevented()
        || event.button() != 0
        || event.meta_key()
        || event.ctrl_key()
        || event.shift_key()
        || event.alt_key()
    {
        return;
    }
    let Some(link) = event
        .target()
        .and_then(|target| target.dyn_into::<Element>().ok())
        .and_then(|element| element.closest("a[href]").ok().flatten())
        .and_then(|element| element.dyn_into::<HtmlAnchorElement>().ok())
    else {
        return;
    };
    let external = link.rel().split_whitespace().any(|rel| rel == "external");
    if !link.target().is_empty() || link.has_attribute("download") || external {
        return;
    }
    let Some(url) = page_of_this_site(&link.href()) else {
        return;
    };
    // A link within the open page (the skip link, a heading's anchor) scrolls, as it would.
    let here = window().location();
    if !url.hash().is_empty()
        && here.pathname().ok().as_deref() == Some(&url.pathname())
        && here.search().ok().as_deref() == Some(&url.search())
    {
        return;
    }
    event.prevent_default();
    go(
        url.href(),
        RequestInit::new(),
        History::Push,
        Fallback::Load(url.href()),
        true,
    );
}

fn on_submit(event: SubmitEvent) {
    if event.default_prevented() {
        return;
    }
    let Some(form) = event
        .target()
        .and_then(|target| target.dyn_into::<HtmlFormElement>().ok())
    else {
        return;
    };
    if !form.target().is_empty() {
        return;
    }
    let Some(url) = page_of_this_site(&form.action()) else {
        return;
    };
    let Ok(fields) = fields_of(&form, event.submitter()) else {
        return;
    };
    event.prevent_default();
    let init = RequestInit::new();
    if form.method().eq_ignore_ascii_case("post") {
        if POSTING.with(|posting| posting.replace(true)) {
            return;
        }
        init.set_method("POST");
        init.set_body(&fields);
        go(
            url.href(),
            init,
            History::PushIfMoved,
            Fallback::Submit(form),
            true,
        );
    } else {
        url.set_search(&String::from(fields.to_string()));
        go(
            url.href(),
            init,
            History::Push,
            Fallback::Load(url.href()),
            true,
        );
    }
}

/// The form's fields as the browser would send them, with the button pressed (the report
/// form's problem is the button's value).
fn fields_of(
    form: &HtmlFormElement,
    submitter: Option<web_sys::HtmlElement>,
) -> Result<UrlSearchParams, JsValue> {
    let data = FormData::new_with_form(form)?;
    let pressed = submitter.and_then(|element| {
        if let Some(button) = element.dyn_ref::<HtmlButtonElement>() {
            Some((button.name(), button.value()))
        } else {
            element
                .dyn_ref::<HtmlInputElement>()
                .map(|input| (input.name(), input.value()))
        }
    });
    if let Some((name, value)) = pressed.filter(|(name, _)| !name.is_empty()) {
        data.append_with_str(&name, &value)?;
    }
    UrlSearchParams::new_with_str_sequence_sequence(&data)
}

/// The address, if it is a page of this site (same origin, not a file or an API answer).
fn page_of_this_site(address: &str) -> Option<Url> {
    let url = Url::new(address).ok()?;
    let origin = window().location().origin().ok()?;
    let path = url.pathname();
    let is_file = FILE_EXTENSIONS.iter().any(|ext| path.ends_with(ext));
    (url.origin() == origin && !is_file && !path.starts_with("/api/")).then_some(url)
}

/// What the history gets once the page is shown.
#[derive(Clone, Copy, PartialEq)]
enum History {
    /// A new entry, at the page's address (after redirects).
    Push,
    /// A new entry only if the answer came from another address (a redirect after a post);
    /// a form answered where it was sent (a refusal) keeps the address the reader was at.
    PushIfMoved,
    /// Back or forward: the history already holds the address.
    Keep,
}

/// What the browser does itself when the answer cannot be shown in place (offline, or
/// not a page): load the address, or send the form as it would have without JavaScript.
enum Fallback {
    Load(String),
    Submit(HtmlFormElement),
}

fn go(url: String, init: RequestInit, history: History, fallback: Fallback, to_top: bool) {
    let generation = page_swap::next_generation();
    leptos::task::spawn_local(async move {
        let fetched = page_swap::fetch(&url, &init).await;
        POSTING.with(|posting| posting.set(false));
        if page_swap::current_generation() != generation {
            return;
        }
        match fetched {
            // Not a page after all (a file, an API answer): the browser loads it itself.
            Ok(fetched) => {
                if show(&fetched, history, to_top).is_err() {
                    let _ = window().location().assign(&fetched.url);
                }
            }
            // No answer (offline): the browser tries, and says so, as it would without us.
            Err(_) => {
                let _ = match fallback {
                    Fallback::Load(url) => window().location().assign(&url),
                    Fallback::Submit(form) => form.submit(),
                };
            }
        }
    });
}

fn show(fetched: &page_swap::Fetched, history: History, to_top: bool) -> Result<(), JsValue> {
    let Some(html) = &fetched.html else {
        return Err(JsValue::NULL);
    };
    page_swap::show_page(html)?;
    let moved = fetched.redirected;
    let push = match history {
        History::Push => true,
        History::PushIfMoved => moved,
        History::Keep => false,
    };
    if push {
        window()
            .history()?
            .push_state_with_url(&JsValue::NULL, "", Some(&fetched.url))?;
    }
    let hash = Url::new(&fetched.url)
        .map(|url| url.hash())
        .unwrap_or_default();
    let target = (!hash.is_empty())
        .then(|| document().get_element_by_id(&hash[1..]))
        .flatten();
    match target {
        Some(element) => element.scroll_into_view(),
        None if to_top => window().scroll_to_with_x_and_y(0.0, 0.0),
        None => {}
    }
    Ok(())
}
