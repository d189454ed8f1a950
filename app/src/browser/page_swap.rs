//! Fetching a page and putting it in place of the open one.

use leptos::prelude::{document, window};
use std::cell::Cell;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DomParser, Request, RequestInit, Response, SupportedType};

thread_local! {
    /// Bumped by every navigation: an answer that arrives after a newer navigation began
    /// is dropped, so the page shown is always the last one asked for.
    static GENERATION: Cell<u64> = const { Cell::new(0) };
}

pub fn next_generation() -> u64 {
    GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    })
}

pub fn current_generation() -> u64 {
    GENERATION.with(Cell::get)
}

/// A fetched answer: where it ended up (after redirects), and its HTML if it is a page.
pub struct Fetched {
    pub url: String,
    pub redirected: bool,
    pub html: Option<String>,
}

/// Always asks the server (a 304 when nothing changed): the pages allow a browser to show
/// a stale copy for a few seconds (`stale-while-revalidate`), which after a live event
/// would be the very page the event replaced.
pub async fn fetch(url: &str, init: &RequestInit) -> Result<Fetched, JsValue> {
    init.set_cache(web_sys::RequestCache::NoCache);
    let request = Request::new_with_str_and_init(url, init)?;
    request.headers().set("Accept", "text/html")?;
    let answer = JsFuture::from(window().fetch_with_request(&request)).await?;
    let response: Response = answer.dyn_into()?;
    let is_html = response
        .headers()
        .get("content-type")?
        .is_some_and(|kind| kind.starts_with("text/html"));
    let html = if is_html {
        JsFuture::from(response.text()?).await?.as_string()
    } else {
        None
    };
    Ok(Fetched {
        url: response.url(),
        redirected: response.redirected(),
        html,
    })
}

fn parse(html: &str) -> Result<web_sys::Document, JsValue> {
    DomParser::new()?.parse_from_string(html, SupportedType::TextHtml)
}

/// The title and the language of the new page, which the whole page's replacement and a
/// refresh of its content both carry over.
fn take_head(new: &web_sys::Document) {
    let document = document();
    document.set_title(&new.title());
    if let (Some(old_root), Some(new_root)) = (document.document_element(), new.document_element())
    {
        if let Some(lang) = new_root.get_attribute("lang") {
            let _ = old_root.set_attribute("lang", &lang);
        }
    }
    if let Some(description) = new.query_selector("meta[name=description]").ok().flatten() {
        if let Some(old) = document
            .query_selector("meta[name=description]")
            .ok()
            .flatten()
        {
            let _ = old.set_attribute(
                "content",
                &description.get_attribute("content").unwrap_or_default(),
            );
        }
    }
}

/// Shows a new page: its head's title and language, and its body in place of the old one.
/// The old body's focus goes with it, as on a page load.
pub fn show_page(html: &str) -> Result<(), JsValue> {
    let new = parse(html)?;
    take_head(&new);
    if let Some(body) = new.body() {
        document().set_body(Some(&body));
    }
    Ok(())
}

/// Whether the reader is in the page's content (typing in a form, or on a link reached with
/// the keyboard): a refresh then waits, so it neither drops what was typed nor the focus.
pub fn reader_is_in_main() -> bool {
    let document = document();
    match (
        document.active_element(),
        document.get_element_by_id("main"),
    ) {
        (Some(active), Some(main)) => active != main && main.contains(Some(&active)),
        _ => false,
    }
}

/// Refreshes the open page's content (`<main>`) from a new copy of it, keeping the header
/// and the scroll position. Returns false when nothing changed.
pub fn refresh_main(html: &str) -> Result<bool, JsValue> {
    let new = parse(html)?;
    let document = document();
    let (Some(old_main), Some(new_main)) = (
        document.get_element_by_id("main"),
        new.get_element_by_id("main"),
    ) else {
        return Ok(false);
    };
    if old_main.inner_html() == new_main.inner_html() {
        return Ok(false);
    }
    take_head(&new);
    let scroll = window().scroll_y().unwrap_or(0.0);
    old_main.replace_with_with_node_1(&new_main)?;
    window().scroll_to_with_x_and_y(0.0, scroll);
    Ok(true)
}
