//! Answers every handler shares: a redirect after a post, a refusal as a small page of
//! its own in the reader's language, JSON.

use super::escape::escape;
use app::model::Lang;
use axum::body::Body;
use axum::http::{header, Response, StatusCode};
use serde::Serialize;

/// A piece of text as one path segment: everything but `A-Z a-z 0-9 - . _ ~`
/// percent-encoded (an id typed into a form cannot add a segment, a query or a fragment).
pub fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An address as a `Location` header may carry it: control characters, spaces,
/// non-ASCII and the characters a URI may not hold percent-encoded, the rest as given.
fn location_safe(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    for b in address.bytes() {
        if b.is_ascii_graphic() && !b"\"<>\\^`{|}".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// 303 to `path`, in the language the form was sent in. Whatever `path` holds, the
/// answer is a redirect (see `location_safe`), never a panic.
pub fn see_other(path: &str, lang: Option<Lang>) -> Response<Body> {
    let location = location_safe(&match lang {
        Some(lang) if path.contains('?') => format!("{path}&lang={lang}"),
        Some(lang) => format!("{path}?lang={lang}"),
        None => path.to_string(),
    });
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
         <link rel=\"stylesheet\" href=\"{stylesheet}\"></head><body>\
         <main id=\"main\" class=\"wrap\"><section class=\"error-page\"><h1>{title}</h1><p>{text}</p>\
         <p><a href=\"{href}\">{link}</a></p></section></main></body></html>",
        title = escape(title),
        text = escape(text),
        href = escape(href),
        link = escape(link),
        stylesheet = super::assets::stylesheet(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_with_a_line_break_is_encoded_not_a_panic() {
        // Before: `post-update` with `incident=a%0Ab` redirected back to
        // `/admin/incidents/a\nb`, which no header may hold, and the handler panicked.
        let reply = see_other("/admin/incidents/a\nb", Some(Lang::En));
        assert_eq!(reply.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            reply.headers()[header::LOCATION],
            "/admin/incidents/a%0Ab?lang=en"
        );
        assert_eq!(path_segment("2022-10-15-kakao"), "2022-10-15-kakao");
        assert_eq!(path_segment("a/b?c#d%"), "a%2Fb%3Fc%23d%25");
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig {
                cases: 256,
                failure_persistence: None,
                ..ProptestConfig::default()
            })]

            /// Any path: a 303 whose Location is ASCII without spaces or controls, equal to
            /// the path when it already was such a path.
            #[test]
            fn any_path_is_a_redirect(path in any::<String>(), lang in prop::option::of(prop_oneof![Just(Lang::Ko), Just(Lang::En)])) {
                let reply = see_other(&path, lang);
                prop_assert_eq!(reply.status(), StatusCode::SEE_OTHER);
                let location = reply.headers()[header::LOCATION].to_str().unwrap().to_string();
                prop_assert!(location.bytes().all(|b| b.is_ascii_graphic()));
                if lang.is_none() && path.bytes().all(|b| b.is_ascii_graphic() && !b"\"<>\\^`{|}".contains(&b)) {
                    prop_assert_eq!(location, path);
                }
            }

            /// A path segment never holds a separator, and decodes back to the text.
            #[test]
            fn a_segment_decodes_back(text in any::<String>()) {
                let segment = path_segment(&text);
                prop_assert!(!segment.contains(['/', '?', '#']));
                let decoded: String = url::form_urlencoded::parse(format!("x={}", segment.replace('+', "%2B")).as_bytes())
                    .next().map(|(_, v)| v.into_owned()).unwrap_or_default();
                prop_assert_eq!(decoded, text);
            }
        }
    }
}
