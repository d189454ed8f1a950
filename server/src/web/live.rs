//! Live updates: one server-sent events stream (`GET /api/v1/events`) of status changes,
//! new incident updates and crowd-signal changes. One producer watches the snapshot and
//! broadcasts; every open stream is a receiver of that broadcast (no query per client),
//! with a heartbeat comment every 15 s so that proxies keep it open.
//!
//! Event ids increase; the last 1,024 events are kept, so a client reconnecting with
//! `Last-Event-ID` gets what it missed. Every stream starts with a `sync` event (the
//! client reloads its data), which also covers ids from before a restart or beyond the
//! kept events; a bogus `Last-Event-ID` simply starts from now.

use crate::read::snapshot::SnapshotHandle;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use axum::Router;
use serde_json::json;
use std::collections::{HashSet, VecDeque};
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::{Stream, StreamExt};

const KEPT: usize = 1024;

#[derive(Clone, Debug, PartialEq)]
pub struct LiveEvent {
    pub id: u64,
    /// `status`, `update` or `crowd`.
    pub kind: &'static str,
    pub data: String,
}

pub struct Live {
    sender: broadcast::Sender<LiveEvent>,
    kept: Mutex<VecDeque<LiveEvent>>,
    next_id: Mutex<u64>,
    /// Becomes true at shutdown: every stream ends, so the server can drain.
    closing: tokio::sync::watch::Sender<bool>,
    open: Arc<AtomicUsize>,
}

/// Counts a stream as open for as long as it lives.
struct OpenStream(Arc<AtomicUsize>);

impl OpenStream {
    fn new(open: &Arc<AtomicUsize>) -> Self {
        open.fetch_add(1, Ordering::Relaxed);
        OpenStream(open.clone())
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Live {
    pub fn new() -> Arc<Self> {
        // Ids of this process start above any of an earlier one (milliseconds since 1970).
        let first = chrono::Utc::now().timestamp_millis() as u64 * 1000;
        Arc::new(Live {
            sender: broadcast::channel(KEPT).0,
            kept: Mutex::new(VecDeque::with_capacity(KEPT)),
            next_id: Mutex::new(first),
            closing: tokio::sync::watch::Sender::new(false),
            open: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// Ends every open stream and every one opened from now on (shutdown).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    pub fn open_streams(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }

    pub fn publish(&self, kind: &'static str, data: serde_json::Value) {
        let mut next = self.next_id.lock().expect("live ids");
        let event = LiveEvent {
            id: *next,
            kind,
            data: data.to_string(),
        };
        *next += 1;
        let mut kept = self.kept.lock().expect("live events");
        if kept.len() == KEPT {
            kept.pop_front();
        }
        kept.push_back(event.clone());
        let _ = self.sender.send(event);
    }

    /// The events after `last_id` that are still kept (none for an unknown id).
    fn missed(&self, last_id: Option<u64>) -> Vec<LiveEvent> {
        let Some(last) = last_id else {
            return Vec::new();
        };
        let kept = self.kept.lock().expect("live events");
        kept.iter().filter(|e| e.id > last).cloned().collect()
    }

    fn latest_id(&self) -> u64 {
        *self.next_id.lock().expect("live ids") - 1
    }
}

/// Wakes at each swap of the snapshot and publishes what
/// changed: the public state, new incident updates, the crowd signals.
pub async fn produce(live: Arc<Live>, snapshot: Arc<SnapshotHandle>) {
    let mut seen_updates: HashSet<i64> = snapshot
        .load()
        .state
        .incidents
        .iter()
        .flat_map(|i| i.updates.iter().map(|u| u.id))
        .collect();
    let mut last_change = snapshot.load().state.last_change;
    let mut stale = snapshot.load().stale;
    let mut firing: Vec<String> = firing_services(&snapshot);
    let mut version = snapshot.version();
    loop {
        if snapshot
            .changed_since(version, Duration::from_secs(60))
            .await
            == version
        {
            continue;
        }
        version = snapshot.version();
        let s = snapshot.load();
        for incident in &s.state.incidents {
            for update in &incident.updates {
                if !seen_updates.insert(update.id) {
                    continue;
                }
                live.publish(
                    "update",
                    json!({ "incident": incident.id, "update": update.id, "state": update.state.as_str(), "kind": update.kind.as_str() }),
                );
            }
        }
        // The database lost or back is news too: pages show or drop their delay notice.
        if s.state.last_change != last_change || s.stale != stale {
            last_change = s.state.last_change;
            stale = s.stale;
            live.publish(
                "status",
                json!({ "overall": s.overall().as_str(), "last_change": last_change, "stale": stale }),
            );
        }
        let now_firing = firing_services(&snapshot);
        if now_firing != firing {
            firing = now_firing;
            live.publish("crowd", json!({ "firing": firing }));
        }
    }
}

fn firing_services(snapshot: &SnapshotHandle) -> Vec<String> {
    let crowd = snapshot.crowd();
    let mut firing: Vec<String> = crowd
        .services
        .iter()
        .filter(|(_, c)| c.firing_since.is_some())
        .map(|(s, _)| s.clone())
        .collect();
    firing.sort();
    firing
}

fn to_sse(event: LiveEvent) -> Event {
    Event::default()
        .id(event.id.to_string())
        .event(event.kind)
        .data(event.data)
}

/// Live updates as server-sent events: `sync`, `status`, `update`, `crowd`. Reconnect with
/// `Last-Event-ID` to get what was missed.
#[utoipa::path(get, path = "/api/v1/events",
    params(("Last-Event-ID" = Option<String>, Header, description = "The id of the last event received; a bogus one starts from now")),
    responses((status = 200, description = "A text/event-stream that stays open, with a heartbeat comment every 15 s", content_type = "text/event-stream")))]
pub async fn stream(
    State(live): State<Arc<Live>>,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // Subscribe first, so that nothing published from here on is missed.
    let receiver = live.sender.subscribe();
    let last_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let missed = live.missed(last_id);
    let replayed_up_to = missed.last().map(|e| e.id).unwrap_or(0);
    let sync = Event::default()
        .id(live.latest_id().to_string())
        .event("sync")
        .data(json!({ "replayed": missed.len() }).to_string());
    let head = tokio_stream::iter(
        std::iter::once(sync)
            .chain(missed.into_iter().map(to_sse))
            .map(Ok),
    );
    let live_events = BroadcastStream::new(receiver).filter_map(move |item| match item {
        Ok(event) if event.id > replayed_up_to => Some(Ok(to_sse(event))),
        Ok(_) => None,
        // Fell behind by more than the channel holds: tell the client to reload.
        Err(_) => Some(Ok(Event::default().event("sync").data("{\"replayed\":0}"))),
    });
    // At shutdown the stream ends; the browser reconnects (to another instance).
    let closing = tokio_stream::wrappers::WatchStream::new(live.closing.subscribe())
        .filter(|closing| *closing)
        .map(|_| None);
    let open = OpenStream::new(&live.open);
    let events = head
        .chain(live_events)
        .map(Some)
        .merge(closing)
        .take_while(Option::is_some)
        .map(move |event| {
            let _counted = &open;
            event.expect("taken while some")
        });
    Sse::new(events).keep_alive(
        KeepAlive::new()
            .interval(Duration::from_secs(15))
            .text("heartbeat"),
    )
}

pub fn router(live: Arc<Live>) -> Router {
    Router::new()
        .route("/api/v1/events", get(stream))
        .with_state(live)
}
