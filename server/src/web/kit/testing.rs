//! For the tests of the public endpoints: requests made of generated parts, answered by
//! a router in-process.

use axum::body::{to_bytes, Body};
use axum::http::{header, HeaderMap, Request, StatusCode, Uri};
use axum::Router;
use proptest::prelude::*;
use tower::ServiceExt;

/// A query string a client may send: `lang` right or wrong, fields twice, malformed
/// percent-escapes, percent-encoded Unicode (NULs included), huge numbers, long runs.
pub fn query() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        "lang=(ko|en|fr|e%6E|EN|%00|)",
        "(year|page|service|lang|x)=(2022|0|-1|99999999999999999999|kakaotalk|%zz|%E0%A4|%FF|[a-z0-9]{0,6})",
        any::<String>().prop_map(|s| format!("x={}", url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>())),
        "[a-z=&%+]{0,8}",
        ("[a-z]{1,3}", 1usize..2000).prop_map(|(s, n)| format!("q={}", s.repeat(n))),
    ];
    prop::collection::vec(part, 0..5).prop_map(|parts| parts.join("&"))
}

/// An `Accept-Language` a client may send, or none.
pub fn accept_language() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        "((ko|en|en-US|ko-KR|fr|\\*)(;q=(0|1|0\\.[0-9]|NaN|-1|1e99))?, ?){0,4}",
        "[ -~]{0,40}",
    ])
}

/// `path?query` as a URI, when it is one.
pub fn uri(path: &str, query: &str) -> Option<Uri> {
    let text = if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    };
    text.parse().ok()
}

/// A GET of `uri` through `router`, on a runtime of its own.
pub fn get(
    router: &Router,
    uri: Uri,
    accept_language: Option<&str>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::get(uri);
    if let Some(value) = accept_language {
        request = request.header(header::ACCEPT_LANGUAGE, value);
    }
    let request = request.body(Body::empty()).expect("a request");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let response = router.clone().oneshot(request).await.expect("an answer");
        let (parts, body) = response.into_parts();
        let bytes = to_bytes(body, usize::MAX).await.expect("a body");
        (parts.status, parts.headers, bytes.to_vec())
    })
}
