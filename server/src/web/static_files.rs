//! The site folder (`target/site`: the WebAssembly bundle, CSS, icons), read into
//! memory at start and served compressed with ETags. Nothing is fetched from elsewhere.
//! The build outputs have their content hash in their names and are kept by browsers
//! for a year; the rest is checked on every visit.

use crate::web::kit::assets;
use crate::web::kit::encoded::Encoded;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Response};
use bytes::Bytes;
use std::collections::HashMap;
use std::path::Path;

#[derive(Default)]
pub struct StaticFiles {
    files: HashMap<String, (Encoded, &'static str)>,
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        _ => "application/octet-stream",
    }
}

impl StaticFiles {
    /// Reads every file under `root`; a missing folder gives an empty set (the pages still
    /// work without JavaScript and style, which is the point).
    pub fn load(root: &Path) -> Self {
        let mut files = HashMap::new();
        let mut pending = vec![root.to_path_buf()];
        while let Some(dir) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    pending.push(path);
                } else if let (Ok(bytes), Ok(relative)) =
                    (std::fs::read(&path), path.strip_prefix(root))
                {
                    let url = format!("/{}", relative.to_string_lossy().replace('\\', "/"));
                    let encoded = Encoded::new(
                        HeaderValue::from_static(content_type(&url)),
                        Bytes::from(bytes),
                    );
                    let cache_control = if assets::is_content_hashed(&url) {
                        assets::IMMUTABLE
                    } else {
                        assets::REVALIDATE
                    };
                    files.insert(url, (encoded, cache_control));
                }
            }
        }
        if files.is_empty() {
            tracing::warn!(root = %root.display(), "no site files found: pages will render without style or hydration");
        }
        StaticFiles { files }
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    pub fn respond(&self, path: &str, headers: &HeaderMap) -> Option<Response<Body>> {
        let (file, cache_control) = self.files.get(path)?;
        Some(file.respond(headers, cache_control, "Accept-Encoding"))
    }
}
