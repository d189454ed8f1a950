//! The in-process cache in front of the public pages: every anonymous GET of a page or
//! data endpoint is rendered once per snapshot version and language, kept compressed,
//! and answered with a strong ETag (304 on If-None-Match). During an outage millions of
//! people reload the same few pages; they cost a hash-map lookup.
//!
//! After a change, the first request of a page renders it; the others asking at that
//! moment wait for that render (single flight) rather than each rendering it, or being
//! given the page from before the change (an open page loads itself again right after
//! a live event: it must get the new page).

use crate::read::snapshot::SnapshotHandle;
use crate::web::guard::csp;
use crate::web::guard::headers::{carries_secret, is_html};
use crate::web::kit::encoded::Encoded;
use app::model::Lang;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode};
use axum::middleware::Next;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Browsers revalidate every time (cheap: 304); shared caches may serve a page for a
/// second, and keep serving it if we are down.
pub const PAGE_CACHE_CONTROL: &str =
    "public, max-age=0, s-maxage=1, stale-while-revalidate=5, stale-if-error=86400";
/// The data the hydrated pages refetch after a live event (`/_status/…`): always
/// revalidated, never served stale, or the page would show what the event replaced.
const DATA_CACHE_CONTROL: &str = "public, no-cache";
const VARY: &str = "Accept-Encoding, Accept-Language";
const MAX_ENTRIES: usize = 4096;
const MAX_BODY: usize = 8 * 1024 * 1024;

struct Entry {
    version: u64,
    body: Encoded,
    /// The page's policy, allowing its inline scripts by hash (pages only).
    csp: Option<HeaderValue>,
}

impl Entry {
    fn respond(&self, request: &HeaderMap, cache_control: &'static str) -> Response<Body> {
        let mut response = self.body.respond(request, cache_control, VARY);
        if let Some(csp) = &self.csp {
            // On a 304 too: a browser merges its headers into the page it kept.
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, csp.clone());
        }
        response
    }
}

type Key = (String, Lang);

pub struct PageCache {
    snapshot: Arc<SnapshotHandle>,
    /// The site is reached over https (the pages' policy upgrades insecure requests).
    https: bool,
    entries: RwLock<HashMap<Key, Arc<Entry>>>,
    /// One lock per key, held while it renders: the single flight.
    renders: std::sync::Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>,
}

impl PageCache {
    pub fn new(snapshot: Arc<SnapshotHandle>, https: bool) -> Self {
        PageCache {
            snapshot,
            https,
            entries: RwLock::new(HashMap::new()),
            renders: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// The entry, if rendered at `version` or later.
    fn fresh(&self, key: &Key, version: u64) -> Option<Arc<Entry>> {
        self.get(key).filter(|entry| entry.version >= version)
    }

    fn render_lock(&self, key: &Key) -> Arc<tokio::sync::Mutex<()>> {
        let mut renders = self.renders.lock().expect("render locks");
        if renders.len() >= MAX_ENTRIES {
            // Locks nobody holds or waits for can go.
            renders.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        renders.entry(key.clone()).or_default().clone()
    }

    fn get(&self, key: &(String, Lang)) -> Option<Arc<Entry>> {
        self.entries.read().expect("cache lock").get(key).cloned()
    }

    fn remove(&self, key: &(String, Lang)) {
        self.entries.write().expect("cache lock").remove(key);
    }

    fn put(&self, key: (String, Lang), entry: Entry) {
        let mut entries = self.entries.write().expect("cache lock");
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&key) {
            // Drop what an older snapshot rendered first; if that is not enough, start over.
            let version = entry.version;
            entries.retain(|_, e| e.version == version);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, Arc::new(entry));
    }
}

/// Leptos's axum integration puts a fresh random CSP nonce into every page it renders
/// (`nonce="…"`, and `crossorigin="…"` on the module preload). This site's policy allows
/// inline scripts by hash, not nonce (`guard::csp`), and a random value would give a cached page a new ETag on every render,
/// so browsers and CDNs could never revalidate. The value is blanked; an empty
/// `crossorigin` means `anonymous`, exactly what the random (invalid) keyword meant.
fn without_random_nonce(html: bytes::Bytes) -> bytes::Bytes {
    let Ok(text) = std::str::from_utf8(&html) else {
        return html;
    };
    let Some(start) = text.find(" nonce=\"").map(|i| i + " nonce=\"".len()) else {
        return html;
    };
    let Some(len) = text[start..].find('"') else {
        return html;
    };
    let nonce = &text[start..start + len];
    if nonce.is_empty() {
        return html;
    }
    bytes::Bytes::from(text.replace(&format!("=\"{nonce}\""), "=\"\""))
}

/// The console depends on who asks; it is never cached, even before sign-in (the
/// sign-in form carries a per-session CSRF token).
fn is_staff_only(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/") || path.starts_with("/_console/")
}

fn is_anonymous(request: &Request) -> bool {
    !request.headers().contains_key(header::COOKIE)
        && !request.headers().contains_key(header::AUTHORIZATION)
}

pub async fn layer(
    State(cache): State<Arc<PageCache>>,
    request: Request,
    next: Next,
) -> Response<Body> {
    if !matches!(*request.method(), Method::GET | Method::HEAD)
        || !is_anonymous(&request)
        || is_staff_only(request.uri().path())
        // One entry per subscriber, holding their secrets: never kept.
        || carries_secret(request.uri().path())
    {
        return next.run(request).await;
    }
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let cache_control = if path.starts_with("/_status/") {
        DATA_CACHE_CONTROL
    } else {
        PAGE_CACHE_CONTROL
    };
    let key = (path, crate::web::kit::lang::of_request(&request));
    let version = cache.snapshot.version();
    if let Some(entry) = cache.fresh(&key, version) {
        return entry.respond(request.headers(), cache_control);
    }
    let render_lock = cache.render_lock(&key);
    let _rendering = render_lock.lock().await;
    // Rendered by the request this one waited for?
    if let Some(entry) = cache.fresh(&key, version) {
        return entry.respond(request.headers(), cache_control);
    }

    // Only a miss pays for keeping the request headers past the render.
    let headers = request.headers().clone();
    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return Response::builder()
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .body(Body::from("response too large"))
            .expect("valid response");
    };
    if parts.status != StatusCode::OK || parts.headers.contains_key(header::SET_COOKIE) {
        // What was there is no longer the answer (or never was): forget it.
        cache.remove(&key);
        return Response::from_parts(parts, Body::from(bytes));
    }
    let html = is_html(&parts.headers);
    let bytes = if html {
        without_random_nonce(bytes)
    } else {
        bytes
    };
    let csp = html.then(|| csp::for_page(&bytes, cache.https));
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .cloned()
        .unwrap_or_else(|| header::HeaderValue::from_static("text/html; charset=utf-8"));
    let entry = Entry {
        version,
        body: Encoded::new(content_type, bytes),
        csp,
    };
    let response = entry.respond(&headers, cache_control);
    cache.put(key, entry);
    response
}

#[cfg(test)]
mod tests {
    use super::without_random_nonce;

    #[test]
    fn the_random_nonce_is_blanked_everywhere_it_appears() {
        let page = r#"<link rel="modulepreload" href="/pkg/status.js" crossorigin="r4nd0m"><script type="module" nonce="r4nd0m">x</script><p>r4nd0m</p>"#;
        let cleaned = without_random_nonce(bytes::Bytes::from(page));
        assert_eq!(
            std::str::from_utf8(&cleaned).unwrap(),
            r#"<link rel="modulepreload" href="/pkg/status.js" crossorigin=""><script type="module" nonce="">x</script><p>r4nd0m</p>"#
        );
    }
}
