//! The embeddable widget: `/embed` (every service) and `/embed/{service}`, a tiny HTML
//! document for an `<iframe>` on another site — no script, no external asset, styles
//! inline, links opening in a new tab. Served from the snapshot like the API (ETag,
//! caching), and meant to be framed by any site.

use crate::read::localized::localized;
use crate::read::snapshot::{Snapshot, SnapshotHandle};
use crate::web::feeds::status_colour;
use crate::web::kit::encoded::Encoded;
use crate::web::kit::escape::escape;
use crate::web::statuspage::public_document;
use app::model::Lang;
use app::text::public::status_label;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, Response, StatusCode};
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

pub struct Widget {
    pub snapshot: Arc<SnapshotHandle>,
    /// Links in the widget are absolute (it lives on another site).
    pub base_url: String,
}

const STYLE: &str = "body{margin:0;font:14px/1.4 system-ui,-apple-system,'Apple SD Gothic Neo','Noto Sans KR',sans-serif;color:#111827;background:#fff}\
ul{list-style:none;margin:0;padding:6px}li{display:flex;justify-content:space-between;gap:8px;padding:6px 8px;border-bottom:1px solid #e5e7eb}\
li:last-child{border-bottom:0}a{color:inherit;text-decoration:none}a:hover,a:focus{text-decoration:underline}\
.state{color:#fff;border-radius:999px;padding:0 8px;white-space:nowrap;font-size:13px}\
footer{padding:4px 14px 8px;font-size:12px;color:#4b5563}";

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
                "<li><a href=\"{base}/services/{slug}{q}\">{name}</a><span class=\"state\" style=\"background:{colour}\">{label}</span></li>",
                slug = service.slug,
                name = escape(&name),
                colour = status_colour(status),
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
         <title>{title}</title><base target=\"_blank\"><style>{STYLE}</style></head>\
         <body><ul>{rows}</ul><footer><a href=\"{base}/{q}\">{title} · {footer} →</a></footer></body></html>",
        code = lang.code(),
        title = escape(&page),
    ))
}

fn respond(widget: &Widget, only: Option<&str>, request: &Request) -> Response<Body> {
    let lang = crate::web::kit::lang::of_request(request);
    let Some(html) = render(&widget.snapshot.load(), only, lang, &widget.base_url) else {
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
    let encoded = Encoded::new(
        HeaderValue::from_static("text/html; charset=utf-8"),
        html.into(),
    );
    let mut response = public_document(&encoded, request);
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            // No `frame-ancestors`: any page may frame it, including `file:` and
            // `about:` documents, which `frame-ancestors *` would refuse.
            "default-src 'none'; style-src 'unsafe-inline'",
        ),
    );
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
