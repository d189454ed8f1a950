//! The reader's language: the one the page's address chose (`?lang=` or a form's `lang`
//! field), else the browser's `Accept-Language`, else Korean.

use app::model::Lang;
use axum::extract::Request;
use axum::http::{header, HeaderMap};

/// From `Accept-Language` alone.
pub fn from_headers(headers: &HeaderMap) -> Lang {
    Lang::negotiate(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// The language chosen explicitly, else `Accept-Language`.
pub fn chosen_or_headers(chosen: Option<Lang>, headers: &HeaderMap) -> Lang {
    chosen.unwrap_or_else(|| from_headers(headers))
}

/// `lang=` in a query string, if it names a language.
pub fn from_query(query: Option<&str>) -> Option<Lang> {
    query
        .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("lang=")))
        .and_then(Lang::parse)
}

/// The language a request will be answered in: `?lang=` first, then Accept-Language.
pub fn of_request(request: &Request) -> Lang {
    chosen_or_headers(from_query(request.uri().query()), request.headers())
}
