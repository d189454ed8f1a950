//! A response body kept ready in every encoding a client may ask for (identity, gzip,
//! brotli) with a strong ETag per encoding, so a hot response costs a lookup, not work.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use bytes::Bytes;
use std::io::Write;
use std::sync::OnceLock;

pub struct Encoded {
    content_type: HeaderValue,
    /// Hash of the identity bytes; the ETag of each encoding derives from it.
    tag: String,
    identity: Bytes,
    compressible: bool,
    /// Compressed on first request: a large file costs nothing until someone wants it.
    gzip: OnceLock<Bytes>,
    br: OnceLock<Bytes>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Coding {
    Identity,
    Gzip,
    Br,
}

fn is_compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || ["json", "javascript", "wasm", "svg", "xml", "manifest"]
            .iter()
            .any(|t| content_type.contains(t))
}

/// Whether a parameter of an `Accept-Encoding` item is a weight of zero ("not
/// acceptable"): `q=0`, `Q=0.000`, ` q = 0 ` — the parameter name is case-insensitive
/// and a weight is a number (RFC 9110 §12.4.2).
fn refuses(parameter: &str) -> bool {
    let Some((name, weight)) = parameter.split_once('=') else {
        return false;
    };
    name.trim().eq_ignore_ascii_case("q") && weight.trim().parse::<f32>().is_ok_and(|q| q == 0.0)
}

/// Whether an `If-None-Match` list names `etag`: by weak comparison, as a GET's
/// condition is (RFC 9110 §13.1.2: `W/"x"` matches `"x"`), or `*`.
fn none_match(list: &str, etag: &str) -> bool {
    list.split(',').any(|tag| {
        let tag = tag.trim();
        tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag
    })
}

impl Encoded {
    pub fn new(content_type: HeaderValue, body: Bytes) -> Self {
        let tag = {
            use sha2::Digest;
            hex::encode(&sha2::Sha256::digest(&body)[..12])
        };
        let compressible = body.len() > 256 && is_compressible(content_type.to_str().unwrap_or(""));
        Encoded {
            content_type,
            tag,
            identity: body,
            compressible,
            gzip: OnceLock::new(),
            br: OnceLock::new(),
        }
    }

    fn gzip(&self) -> &Bytes {
        self.gzip.get_or_init(|| {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            encoder
                .write_all(&self.identity)
                .expect("writing to memory");
            Bytes::from(encoder.finish().expect("writing to memory"))
        })
    }

    fn br(&self) -> &Bytes {
        self.br.get_or_init(|| {
            let mut out = Vec::new();
            {
                let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
                writer.write_all(&self.identity).expect("writing to memory");
            }
            Bytes::from(out)
        })
    }

    fn choose(&self, request: &HeaderMap) -> Coding {
        let accepted = request
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let accepts = |name: &str| {
            accepted.split(',').any(|part| {
                let mut pieces = part.trim().split(';');
                pieces
                    .next()
                    .is_some_and(|n| n.trim().eq_ignore_ascii_case(name))
                    && !pieces.any(refuses)
            })
        };
        if self.compressible && accepts("br") {
            Coding::Br
        } else if self.compressible && accepts("gzip") {
            Coding::Gzip
        } else {
            Coding::Identity
        }
    }

    /// The answer to a GET or HEAD: 304 when the client already has these bytes.
    pub fn respond(
        &self,
        request: &HeaderMap,
        cache_control: &'static str,
        vary: &'static str,
    ) -> Response<Body> {
        let coding = self.choose(request);
        let (body, etag, content_encoding) = match coding {
            Coding::Identity => (&self.identity, format!("\"{}\"", self.tag), None),
            Coding::Gzip => (self.gzip(), format!("\"{}-gz\"", self.tag), Some("gzip")),
            Coding::Br => (self.br(), format!("\"{}-br\"", self.tag), Some("br")),
        };
        let not_modified = request
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|list| none_match(list, &etag));
        let mut builder = Response::builder()
            .header(header::ETAG, &etag)
            .header(header::CACHE_CONTROL, cache_control)
            .header(header::VARY, vary);
        if not_modified {
            return builder
                .status(StatusCode::NOT_MODIFIED)
                .body(Body::empty())
                .expect("valid response");
        }
        if let Some(encoding) = content_encoding {
            builder = builder.header(header::CONTENT_ENCODING, encoding);
        }
        builder
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, self.content_type.clone())
            .body(Body::from(body.clone()))
            .expect("valid response")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn the_best_accepted_encoding_is_sent_with_its_own_etag() {
        let page = Encoded::new(
            HeaderValue::from_static("text/html; charset=utf-8"),
            Bytes::from("가".repeat(1000)),
        );
        let br = page.respond(
            &headers(&[("accept-encoding", "gzip, deflate, br")]),
            "public",
            "Accept-Encoding",
        );
        assert_eq!(br.headers()["content-encoding"], "br");
        let gz = page.respond(
            &headers(&[("accept-encoding", "gzip, br;q=0")]),
            "public",
            "Accept-Encoding",
        );
        assert_eq!(gz.headers()["content-encoding"], "gzip");
        let plain = page.respond(&HeaderMap::new(), "public", "Accept-Encoding");
        assert!(plain.headers().get("content-encoding").is_none());
        assert_ne!(br.headers()["etag"], plain.headers()["etag"]);
    }

    #[test]
    fn a_matching_if_none_match_gets_304_and_a_stale_one_gets_the_page() {
        let page = Encoded::new(
            HeaderValue::from_static("text/html"),
            Bytes::from("x".repeat(1000)),
        );
        let first = page.respond(&HeaderMap::new(), "public", "Accept-Encoding");
        let etag = first.headers()["etag"].to_str().unwrap().to_string();
        let again = page.respond(
            &headers(&[("if-none-match", &etag)]),
            "public",
            "Accept-Encoding",
        );
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        let stale = page.respond(
            &headers(&[("if-none-match", "\"old\"")]),
            "public",
            "Accept-Encoding",
        );
        assert_eq!(stale.status(), StatusCode::OK);
    }

    #[test]
    fn a_weak_validator_and_a_spelled_out_zero_weight_are_understood() {
        // Before: `W/"…"` (what a proxy that re-encodes sends back) got
        // the whole body again, and `br;Q=0` got brotli.
        let page = Encoded::new(
            HeaderValue::from_static("text/html"),
            Bytes::from("x".repeat(1000)),
        );
        let etag = page
            .respond(&HeaderMap::new(), "public", "Accept-Encoding")
            .headers()["etag"]
            .to_str()
            .unwrap()
            .to_string();
        let weak = page.respond(
            &headers(&[("if-none-match", &format!("\"other\", W/{etag}"))]),
            "public",
            "Accept-Encoding",
        );
        assert_eq!(weak.status(), StatusCode::NOT_MODIFIED);
        for refusal in ["br;Q=0", "br; q = 0", "br;q=0.0", "br;q=0.000"] {
            let reply = page.respond(
                &headers(&[("accept-encoding", &format!("{refusal}, gzip"))]),
                "public",
                "Accept-Encoding",
            );
            assert_eq!(reply.headers()["content-encoding"], "gzip", "{refusal}");
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn header_text() -> impl Strategy<Value = String> {
            prop_oneof![
                any::<String>(),
                "((br|gzip|GZIP|deflate|identity|\\*|x)( ?; ?[qQ] ?= ?(0|1|0\\.[0-9]{0,4}|NaN|-0|abc))?, ?){0,5}",
                "(((W/)?\"[0-9a-f-]{0,30}\"|\\*|W/|\"), ?){0,4}",
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig {
                cases: 128,
                failure_persistence: None,
                ..ProptestConfig::default()
            })]

            /// Any Accept-Encoding and If-None-Match: 200 with a coding asked for (or
            /// none), or 304 exactly when the list names this answer's tag; the body
            /// decodes to the same bytes.
            #[test]
            fn any_request_headers_get_a_consistent_answer(accept in header_text(), none_match_list in header_text(), body in "[a-z가-힣 ]{0,600}") {
                let page = Encoded::new(HeaderValue::from_static("text/html"), Bytes::from(body.clone()));
                let mut request = HeaderMap::new();
                if let Ok(v) = HeaderValue::from_str(&accept) {
                    request.insert(header::ACCEPT_ENCODING, v);
                }
                let plain = page.respond(&request, "public", "Accept-Encoding");
                prop_assert_eq!(plain.status(), StatusCode::OK);
                let etag = plain.headers()["etag"].to_str().unwrap().to_string();
                match plain.headers().get("content-encoding").map(|v| v.to_str().unwrap().to_string()) {
                    Some(coding) => prop_assert!(accept.to_ascii_lowercase().contains(coding.as_str())),
                    None => prop_assert!(!etag.ends_with("-br\"") && !etag.ends_with("-gz\"")),
                }
                if let Ok(v) = HeaderValue::from_str(&none_match_list) {
                    request.insert(header::IF_NONE_MATCH, v);
                }
                let conditional = page.respond(&request, "public", "Accept-Encoding");
                let named = request.contains_key(header::IF_NONE_MATCH) && none_match_list.split(',').any(|t| {
                    let t = t.trim();
                    t == "*" || t == etag || t == format!("W/{etag}")
                });
                let expected = if named { StatusCode::NOT_MODIFIED } else { StatusCode::OK };
                prop_assert_eq!(conditional.status(), expected);
                use std::io::Read;
                let mut gunzipped = Vec::new();
                flate2::read::GzDecoder::new(&page.gzip()[..]).read_to_end(&mut gunzipped).unwrap();
                prop_assert_eq!(&gunzipped, body.as_bytes());
                let mut unbrotlied = Vec::new();
                brotli::Decompressor::new(&page.br()[..], 4096).read_to_end(&mut unbrotlied).unwrap();
                prop_assert_eq!(&unbrotlied, body.as_bytes());
            }

            /// Its own ETag, weak or strong, anywhere in a list: 304.
            #[test]
            fn its_own_tag_anywhere_in_a_list_is_304(before in "(\"[a-z]{1,8}\", ?){0,3}", weak in any::<bool>(), after in "(, ?\"[a-z]{1,8}\"){0,3}") {
                let page = Encoded::new(HeaderValue::from_static("application/json"), Bytes::from("{}"));
                let etag = page.respond(&HeaderMap::new(), "public", "Accept-Encoding").headers()["etag"].to_str().unwrap().to_string();
                let list = format!("{before}{}{etag}{after}", if weak { "W/" } else { "" });
                let reply = page.respond(&headers(&[("if-none-match", &list)]), "public", "Accept-Encoding");
                prop_assert_eq!(reply.status(), StatusCode::NOT_MODIFIED);
            }
        }
    }
}
