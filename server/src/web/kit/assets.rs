//! The names of the build's outputs. With cargo-leptos's `hash-files`, each output (the
//! stylesheet, the script, the WebAssembly) carries its content hash in its name,
//! `status.<hash>.css`, and the hashes are listed in `hash.txt`, written beside the
//! server binary. A browser keeps such a file for a year without asking again; a new
//! build has new names. Whatever has no hash in its name is checked on every visit.

use app::browser::build_outputs;
use leptos::config::LeptosOptions;
use std::path::PathBuf;
use std::sync::OnceLock;

/// `Cache-Control` for a file whose name carries its content hash.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` for the other site files: kept, but checked on each visit (ETag).
pub const REVALIDATE: &str = "public, max-age=0, must-revalidate";

/// The hash file cargo-leptos wrote for this binary: `LEPTOS_HASH_FILE_NAME` (relative
/// to the binary's folder, as cargo-leptos sets it, or absolute), by default `hash.txt`
/// beside the binary. None when there is none: a build without hashing, or a binary
/// cargo-leptos did not build (tests, examples), whose pages use the plain names.
pub fn hash_file() -> Option<PathBuf> {
    let name = std::env::var("LEPTOS_HASH_FILE_NAME")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "hash.txt".into());
    // `join` keeps an absolute name as it is.
    let path = std::env::current_exe().ok()?.parent()?.join(name);
    path.is_file().then_some(path)
}

static STYLESHEET: OnceLock<&'static str> = OnceLock::new();

/// Records the stylesheet's path the pages name (`app::browser::build_outputs`) for the
/// pages written outside Leptos (refusals, the API's index). The first call wins: every
/// app in a process is built from the same site.
pub fn name_stylesheet(options: &LeptosOptions) {
    let _ = STYLESHEET.set(&build_outputs(options).stylesheet);
}

/// The stylesheet's path (`/pkg/status.<hash>.css`).
pub fn stylesheet() -> &'static str {
    STYLESHEET.get().copied().unwrap_or("/pkg/status.css")
}

/// Whether a file name carries a content hash the way cargo-leptos writes one:
/// `name.<hash>.ext`, the hash an MD5 in unpadded base64url (22 characters).
pub fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1].iter().any(|part| {
            part.len() == 22
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_with_a_content_hash_are_kept_for_a_year() {
        assert!(is_content_hashed("/pkg/status.Xq3-_9aZbCdEfGhIjKlMnO.wasm"));
        assert!(is_content_hashed("/pkg/status.Xq3-_9aZbCdEfGhIjKlMnO.css"));
        assert!(!is_content_hashed("/pkg/status.css"));
        assert!(!is_content_hashed("/favicon.svg"));
        assert!(!is_content_hashed("/robots.txt"));
        // A 22-character word that is not between dots is not a hash.
        assert!(!is_content_hashed("/pkg/abcdefghijklmnopqrstuv.js"));
        assert!(!is_content_hashed("/pkg/status.abc!efghijklmnopqrstuv.js"));
    }
}
