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
                    && !pieces.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"))
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
            .is_some_and(|list| list.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
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
}
