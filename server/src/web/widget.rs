//! The embeddable widget: `/embed` (every service) and `/embed/{service}`, a tiny HTML
//! document for an `<iframe>` on another site — no script, no external asset, one inline
//! style sheet (allowed by its hash, no style attributes), links opening in a new tab.
//! Served from the snapshot like the API (ETag, caching), and meant to be framed by any site.

use crate::read::localized::localized;
use crate::read::snapshot::{Snapshot, SnapshotHandle};
use crate::web::feeds::status_colour;
use crate::web::kit::encoded::Encoded;
use crate::web::kit::escape::escape;
use crate::web::kit::versioned::Versioned;
use crate::web::statuspage::public_document;
use app::model::{ComponentStatus, Lang};
use app::text::public::status_label;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, Response, StatusCode};
use axum::routing::get;
use axum::Router;
use std::sync::{Arc, OnceLock};

pub struct Widget {
    pub snapshot: Arc<SnapshotHandle>,
    /// Links in the widget are absolute (it lives on another site).
    pub base_url: String,
    /// Each widget, built once per snapshot version and language.
    documents: Versioned,
}

impl Widget {
    pub fn new(snapshot: Arc<SnapshotHandle>, base_url: String) -> Self {
        Widget {
            snapshot,
            base_url,
            documents: Versioned::default(),
        }
    }
}

const STYLE: &str = "body{margin:0;font:14px/1.4 system-ui,-apple-system,'Apple SD Gothic Neo','Noto Sans KR',sans-serif;color:#111827;background:#fff}\
ul{list-style:none;margin:0;padding:6px}li{display:flex;justify-content:space-between;gap:8px;padding:6px 8px;border-bottom:1px solid #e5e7eb}\
li:last-child{border-bottom:0}a{color:inherit;text-decoration:none}a:hover,a:focus{text-decoration:underline}\
.state{color:#fff;border-radius:999px;padding:0 8px;white-space:nowrap;font-size:13px}\
footer{padding:4px 14px 8px;font-size:12px;color:#4b5563}";

/// The style sheet: `STYLE` and a background per status (`.s-operational` …).
fn style() -> &'static str {
    static SHEET: OnceLock<String> = OnceLock::new();
    SHEET.get_or_init(|| {
        let mut sheet = STYLE.to_string();
        for status in ComponentStatus::ALL {
            sheet.push_str(&format!(
                ".s-{}{{background:{}}}",
                status.as_str(),
                status_colour(status)
            ));
        }
        sheet
    })
}

/// The widget's policy: nothing but its own style sheet. No `frame-ancestors`: any page
/// may frame it, including `file:` and `about:` documents, which `frame-ancestors *`
/// would refuse.
fn policy() -> HeaderValue {
    static POLICY: OnceLock<HeaderValue> = OnceLock::new();
    POLICY
        .get_or_init(|| {
            let hash = crate::web::guard::csp::hash(style().as_bytes());
            HeaderValue::from_str(&format!(
                "default-src 'none'; style-src '{hash}'; base-uri 'none'; form-action 'none'"
            ))
            .expect("a policy is ASCII")
        })
        .clone()
}

fn render(snapshot: &Snapshot, only: Option<&str>, lang: Lang, base: &str) -> Option<String> {
    let services: Vec<_> = match only {
        Some(slug) => vec![snapshot.catalog.service(slug)?],
        None => snapshot.catalog.services.iter().collect(),
    };
    let q = if lang == Lang::En { "?lang=en" } else { "" };
    let rows: String = services
        .iter()
        .map(|service| {
            let status = snapshot.service_status(service);
            let name = localized(lang, &service.name_ko, Some(&service.name_en)).text;
            format!(
                "<li><a href=\"{base}/services/{slug}{q}\">{name}</a><span class=\"state s-{status}\">{label}</span></li>",
                slug = service.slug,
                name = escape(&name),
                status = status.as_str(),
                label = status_label(lang, status),
            )
        })
        .collect();
    let page = localized(
        lang,
        &snapshot.catalog.page.name_ko,
        Some(&snapshot.catalog.page.name_en),
    )
    .text;
    let footer = match lang {
        Lang::Ko => "자세히 보기",
        Lang::En => "Details",
    };
    Some(format!(
        "<!DOCTYPE html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><base target=\"_blank\"><style>{style}</style></head>\
         <body><ul>{rows}</ul><footer><a href=\"{base}/{q}\">{title} · {footer} →</a></footer></body></html>",
        code = lang.code(),
        title = escape(&page),
        style = style(),
    ))
}

fn respond(widget: &Widget, only: Option<&str>, request: &Request) -> Response<Body> {
    let lang = crate::web::kit::lang::of_request(request);
    let key = only.unwrap_or("");
    let built = widget
        .documents
        .get_or_build(widget.snapshot.load().version, key, lang, || {
            let html = render(&widget.snapshot.load(), only, lang, &widget.base_url)?;
            Some(Encoded::new(
                HeaderValue::from_static("text/html; charset=utf-8"),
                html.into(),
            ))
        });
    let Some(encoded) = built else {
        return Response::builder()
            .status(StatusCode::NOT_FOUND)
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-store")
            .body(Body::from(match lang {
                Lang::Ko => "그런 서비스가 없습니다",
                Lang::En => "no such service",
            }))
            .expect("valid response");
    };
    let mut response = public_document(&encoded, request);
    response
        .headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, policy());
    response
}

async fn all(State(widget): State<Arc<Widget>>, request: Request) -> Response<Body> {
    respond(&widget, None, &request)
}

async fn one(
    State(widget): State<Arc<Widget>>,
    Path(slug): Path<String>,
    request: Request,
) -> Response<Body> {
    respond(&widget, Some(&slug), &request)
}

pub fn router(widget: Arc<Widget>) -> Router {
    Router::new()
        .route("/embed", get(all))
        .route("/embed/{slug}", get(one))
        .with_state(widget)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::snapshot::fixture;
    use crate::web::kit::testing;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    static WIDGET: LazyLock<Arc<Widget>> = LazyLock::new(|| {
        Arc::new(Widget::new(
            fixture::handle(3),
            "https://status.example".into(),
        ))
    });

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 64,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// `/embed` and `/embed/{slug}` with any slug and query: the widget in the chosen
        /// language, 404 for no such service, 400 for a slug that is not UTF-8.
        #[test]
        fn any_embed_address_is_the_widget_or_a_refusal(
            slug in prop::option::of(prop_oneof![
                Just("kakaotalk".to_string()),
                Just("%6Bakaotalk".to_string()),
                Just("%FF".to_string()),
                any::<String>().prop_map(|s| crate::web::kit::reply::path_segment(&s)),
            ]),
            query in testing::query(),
            accept in testing::accept_language(),
        ) {
            let path = slug.as_ref().map_or("/embed".to_string(), |s| format!("/embed/{s}"));
            let Some(uri) = testing::uri(&path, &query) else {
                return Ok(());
            };
            let mut headers = axum::http::HeaderMap::new();
            if let Some(value) = accept.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                headers.insert(header::ACCEPT_LANGUAGE, value);
            }
            let lang = crate::web::kit::lang::chosen_or_headers(crate::web::kit::lang::from_query(uri.query()), &headers);
            let (status, _, body) = testing::get(&router(WIDGET.clone()), uri, accept.as_deref().filter(|_| !headers.is_empty()));
            let decoded = slug.as_deref().map(|s| {
                url::form_urlencoded::parse(format!("s={}", s.replace('+', "%2B")).as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            });
            let s = WIDGET.snapshot.load();
            match slug.as_deref() {
                Some("%FF") => prop_assert_eq!(status, StatusCode::BAD_REQUEST),
                _ => match render(&s, decoded.as_deref(), lang, &WIDGET.base_url) {
                    Some(html) => {
                        prop_assert_eq!(status, StatusCode::OK);
                        prop_assert_eq!(String::from_utf8(body).unwrap(), html);
                    }
                    None => prop_assert_eq!(status, StatusCode::NOT_FOUND),
                },
            }
        }
    }
}
