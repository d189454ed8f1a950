//! Keeping the open page current: the live stream, and polling every 30 s as its fallback.

use super::page_swap;
use futures_util::StreamExt;
use gloo_net::eventsource::futures::EventSource;
use leptos::prelude::*;
use web_sys::RequestInit;

pub fn start() {
    // Polling every 30 s is the fallback; the live stream makes it immediate.
    let every = std::time::Duration::from_secs(30);
    let _ = set_interval_with_handle(refresh, every);
    subscribe();
}

/// Listens to `/api/v1/events` (server-sent events) and refreshes the page on every change,
/// within a second of a staff action. The browser reconnects by itself, sending
/// `Last-Event-ID`; the server then replays what was missed, or sends `sync`. The first
/// `sync` (on connecting) is ignored: the page has just loaded.
fn subscribe() {
    let Ok(mut source) = EventSource::new("/api/v1/events") else {
        return;
    };
    let kinds = [
        "sync",
        "status",
        "update",
        "crowd",
        "check.failing",
        "check.recovered",
    ];
    let subscriptions: Vec<_> = kinds
        .iter()
        .filter_map(|kind| source.subscribe(*kind).ok())
        .collect();
    let mut first_sync = true;
    let mut all = futures_util::stream::select_all(subscriptions);
    leptos::task::spawn_local(async move {
        // `source` lives as long as this task: dropping it would close the stream.
        let _source = &mut source;
        while let Some(Ok((kind, _))) = all.next().await {
            if kind == "sync" && std::mem::take(&mut first_sync) {
                continue;
            }
            refresh();
        }
    });
}

/// Loads the open page again and puts its new content in place, if the page is one that
/// keeps itself current (`<main data-live>`) and the reader is not in the middle of it.
fn refresh() {
    leptos::task::spawn_local(async {
        let _ = refresh_now().await;
    });
}

async fn refresh_now() -> Result<(), wasm_bindgen::JsValue> {
    let document = document();
    let live = document
        .get_element_by_id("main")
        .is_some_and(|main| main.has_attribute("data-live"));
    if !live || page_swap::reader_is_in_main() {
        return Ok(());
    }
    let generation = page_swap::current_generation();
    let url = window().location().href()?;
    let fetched = page_swap::fetch(&url, &RequestInit::new()).await?;
    // The reader moved on (or typed) while it loaded: this copy is no longer theirs.
    if page_swap::current_generation() != generation || page_swap::reader_is_in_main() {
        return Ok(());
    }
    if let Some(html) = fetched.html {
        page_swap::refresh_main(&html)?;
    }
    Ok(())
}
