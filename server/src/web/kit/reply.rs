//! Answers every handler shares: a redirect after a post, a refusal as a small page of
//! its own in the reader's language, JSON.

use super::escape::escape;
use app::model::Lang;
use axum::body::Body;
use axum::http::{header, Response, StatusCode};
use serde::Serialize;

/// 303 to `path`, in the language the form was sent in.
pub fn see_other(path: &str, lang: Option<Lang>) -> Response<Body> {
    let location = match lang {
        Some(lang) if path.contains('?') => format!("{path}&lang={lang}"),
        Some(lang) => format!("{path}?lang={lang}"),
        None => path.to_string(),
    };
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, location)
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::empty())
        .expect("valid response")
}

/// A refusal as a small page of its own, in the reader's language, with a way back.
pub fn refusal_with_link(
    status: StatusCode,
    lang: Lang,
    title: (&str, &str),
    text: (&str, &str),
    href: &str,
    link: (&str, &str),
) -> Response<Body> {
    let (title, text, link) = match lang {
        Lang::Ko => (title.0, text.0, link.0),
        Lang::En => (title.1, text.1, link.1),
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{title}</title>\
         <link rel=\"stylesheet\" href=\"/pkg/status.css\"></head><body>\
         <main id=\"main\" class=\"wrap\"><section class=\"error-page\"><h1>{title}</h1><p>{text}</p>\
         <p><a href=\"{href}\">{link}</a></p></section></main></body></html>",
        title = escape(title),
        text = escape(text),
        href = escape(href),
        link = escape(link),
    );
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(html))
        .expect("valid response")
}

/// A JSON answer that no one caches (the API's cacheable documents go through the
/// snapshot's pre-encoded bodies instead).
pub fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response<Body> {
    json_with_cache(status, value, "no-store")
}

/// A JSON answer with the given `Cache-Control`.
pub fn json_with_cache<T: Serialize + ?Sized>(
    status: StatusCode,
    value: &T,
    cache_control: &'static str,
) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, cache_control)
        .body(Body::from(
            serde_json::to_vec(value).expect("a value serialisable as JSON"),
        ))
        .expect("valid response")
}
