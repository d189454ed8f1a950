//! Live updates: one server-sent events stream (`GET /api/v1/events`) of status changes,
//! new incident updates, crowd-signal changes and automated checks failing or recovering. One producer watches the snapshot and
//! broadcasts; every open stream is a receiver of that broadcast (no query per client),
//! with a heartbeat comment every 15 s so that proxies keep it open.
//!
//! Event ids increase; the last 1,024 events are kept, so a client reconnecting with
//! `Last-Event-ID` gets what it missed. Every stream starts with a `sync` event (the
//! client reloads its data), which also covers ids from before a restart or beyond the
//! kept events; a bogus `Last-Event-ID` simply starts from now.
//!
//! One address may hold only so many streams open (`STATUS_LIVE_STREAMS_PER_ADDRESS`):
//! beyond, 429 — the page then refreshes every 30 s, as it does without JavaScript.

use crate::read::snapshot::SnapshotHandle;
use crate::web::kit::client::client_address;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, Response, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Extension;
use axum::Router;
use serde_json::json;
use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
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
    /// Open streams per client address, and how many one may hold.
    by_address: Arc<Mutex<HashMap<IpAddr, usize>>>,
    per_address: usize,
    /// Proxies whose `X-Forwarded-For` names the client.
    trusted_proxies: Vec<IpAddr>,
}

/// Counts a stream as open, in all and for its address, for as long as it lives.
struct OpenStream {
    open: Arc<AtomicUsize>,
    by_address: Arc<Mutex<HashMap<IpAddr, usize>>>,
    address: IpAddr,
}

impl OpenStream {
    /// None when the address already holds as many streams as it may.
    fn new(live: &Live, address: IpAddr) -> Option<Self> {
        {
            let mut by_address = live.by_address.lock().expect("live addresses");
            let count = by_address.entry(address).or_insert(0);
            if *count >= live.per_address {
                return None;
            }
            *count += 1;
        }
        live.open.fetch_add(1, Ordering::Relaxed);
        Some(OpenStream {
            open: live.open.clone(),
            by_address: live.by_address.clone(),
            address,
        })
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::Relaxed);
        let mut by_address = self.by_address.lock().expect("live addresses");
        if let Some(count) = by_address.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                by_address.remove(&self.address);
            }
        }
    }
}

impl Live {
    /// `per_address`: how many streams one client address may hold open.
    pub fn new(per_address: usize, trusted_proxies: Vec<IpAddr>) -> Arc<Self> {
        // Ids of this process start above any of an earlier one (milliseconds since 1970).
        let first = chrono::Utc::now().timestamp_millis() as u64 * 1000;
        Arc::new(Live {
            sender: broadcast::channel(KEPT).0,
            kept: Mutex::new(VecDeque::with_capacity(KEPT)),
            next_id: Mutex::new(first),
            closing: tokio::sync::watch::Sender::new(false),
            open: Arc::new(AtomicUsize::new(0)),
            by_address: Arc::new(Mutex::new(HashMap::new())),
            per_address,
            trusted_proxies,
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
    // Update ids grow with each one written (under the ledger lock): newer than this
    // one is new. A comparison per update, no set that grows with the history.
    let mut newest_update = snapshot.load().state.newest_update_id();
    let mut last_change = snapshot.load().state.last_change;
    let mut stale = snapshot.load().stale;
    let mut firing: Vec<String> = firing_services(&snapshot);
    let mut checks_failing: Vec<String> = failing_checks(&snapshot);
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
        let seen = newest_update;
        newest_update = newest_update.max(s.state.newest_update_id());
        // Found by the state's index of update ids, not by a pass over the history.
        for (incident, update) in s.state.updates_after(seen) {
            live.publish(
                "update",
                json!({ "incident": incident.id, "update": update.id, "state": update.state.as_str(), "kind": update.kind.as_str() }),
            );
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
        // The automated checks: `check.failing` / `check.recovered`, per check.
        let now_failing = failing_checks(&snapshot);
        for id in now_failing.iter().filter(|id| !checks_failing.contains(id)) {
            live.publish("check.failing", check_event(&snapshot, id));
        }
        for id in checks_failing.iter().filter(|id| !now_failing.contains(id)) {
            live.publish("check.recovered", check_event(&snapshot, id));
        }
        checks_failing = now_failing;
    }
}

fn failing_checks(snapshot: &SnapshotHandle) -> Vec<String> {
    snapshot
        .checks()
        .checks
        .iter()
        .filter(|c| c.verdict == app::model::CheckVerdict::Failing)
        .map(|c| c.id.clone())
        .collect()
}

fn check_event(snapshot: &SnapshotHandle, id: &str) -> serde_json::Value {
    let checks = snapshot.checks();
    let check = checks.checks.iter().find(|c| c.id == id);
    json!({
        "check": id,
        "component": check.map(|c| c.component.clone()),
        "verdict": check.map(|c| c.verdict.as_str()),
        "since": check.and_then(|c| c.since),
        "official": false,
    })
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

/// Live updates as server-sent events: `sync`, `status`, `update`, `crowd`,
/// `check.failing`, `check.recovered`. Reconnect with
/// `Last-Event-ID` to get what was missed.
#[utoipa::path(get, path = "/api/v1/events",
    params(("Last-Event-ID" = Option<String>, Header, description = "The id of the last event received; a bogus one starts from now")),
    responses(
        (status = 200, description = "A text/event-stream that stays open, with a heartbeat comment every 15 s", content_type = "text/event-stream"),
        (status = 429, description = "This address already holds as many open streams as it may; retry after the time given", content_type = "text/plain")))]
pub async fn stream(
    State(live): State<Arc<Live>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
) -> Response<Body> {
    let address = client_address(
        peer.map(|Extension(ConnectInfo(a))| a.ip()),
        &headers,
        &live.trusted_proxies,
    );
    let Some(open) = OpenStream::new(&live, address) else {
        metrics::counter!("status_live_refused_total").increment(1);
        return Response::builder()
            .status(StatusCode::TOO_MANY_REQUESTS)
            .header(header::RETRY_AFTER, "30")
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-store")
            .body(Body::from(
                "이 주소에서 열린 실시간 연결이 너무 많습니다. 페이지는 30초마다 새로 고칩니다.\n\
                 Too many live streams are open from this address; pages refresh every 30 s instead.\n",
            ))
            .expect("valid response");
    };
    events(&live, &headers, open).into_response()
}

fn events(
    live: &Live,
    headers: &HeaderMap,
    open: OpenStream,
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
