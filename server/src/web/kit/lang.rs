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

/// `lang=` in a query string, if it names a language: the first `lang` field, decoded
/// as a form decodes it (`lang=e%6E` is English, as the page it asks for is), so that a
/// document and its page agree.
pub fn from_query(query: Option<&str>) -> Option<Lang> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(name, _)| name == "lang")
        .and_then(|(_, value)| Lang::parse(&value))
}

/// The language a request will be answered in: `?lang=` first, then Accept-Language.
pub fn of_request(request: &Request) -> Lang {
    chosen_or_headers(from_query(request.uri().query()), request.headers())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use proptest::prelude::*;

    #[test]
    fn the_query_chooses_first_then_the_header() {
        assert_eq!(from_query(Some("lang=en")), Some(Lang::En));
        assert_eq!(from_query(Some("year=2022&lang=e%6E")), Some(Lang::En));
        assert_eq!(from_query(Some("lang=ko&lang=en")), Some(Lang::Ko));
        assert_eq!(from_query(Some("lang=fr")), None);
        assert_eq!(from_query(Some("xlang=en")), None);
        assert_eq!(from_query(None), None);
    }

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(header::ACCEPT_LANGUAGE, value);
        }
        headers
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Any query string (malformed escapes, any Unicode, fields twice): the first
        /// `lang` field decides when it is `ko` or `en`, else nothing.
        #[test]
        fn any_query_names_a_language_or_none(query in prop_oneof![
            any::<String>(),
            "(lang=(ko|en|fr|%6[5b]n|%zz|)&?|[a-z%=&]{0,6}){0,5}",
        ]) {
            let first = url::form_urlencoded::parse(query.as_bytes())
                .find(|(k, _)| k == "lang")
                .map(|(_, v)| v.into_owned());
            let expected = match first.as_deref() {
                Some("ko") => Some(Lang::Ko),
                Some("en") => Some(Lang::En),
                _ => None,
            };
            prop_assert_eq!(from_query(Some(&query)), expected);
        }

        /// Any Accept-Language: a language, never a panic (NaN, huge or negative
        /// weights included); Korean unless English is named with a positive weight.
        #[test]
        fn any_accept_language_gives_a_language(value in prop_oneof![
            any::<String>(),
            "((ko|en|en-US|ko-KR|fr|\\*)(;q=(0|1|0\\.[0-9]{1,3}|NaN|inf|-1|1e99|[a-z]{0,3}))?, ?){0,5}",
        ]) {
            let lang = from_headers(&accept(&value));
            if !value.to_ascii_lowercase().contains("en") {
                prop_assert_eq!(lang, Lang::Ko);
            }
            prop_assert_eq!(chosen_or_headers(Some(Lang::En), &accept(&value)), Lang::En);
        }
    }
}

/// The `lang` query parameter as the API documents describe it (they read it with
/// `of_request`).
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    /// `ko` (default) or `en`; anything else: `Accept-Language` decides.
    #[param(nullable = false)]
    pub lang: Option<String>,
}
