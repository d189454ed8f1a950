//! The Content-Security-Policy of each kind of response. A page's policy allows exactly
//! the inline scripts it carries, by their SHA-256 hashes (Leptos's hydration bootstrap
//! and the resources it serializes), never by a nonce: a nonce changes per response,
//! which would give a cached page a new body on every render. The hashes follow from
//! the body, so the page cache computes them once per render and keeps them with it.

use axum::http::HeaderValue;
use base64::Engine;
use sha2::{Digest, Sha256};

/// What every page may load: its own origin's scripts, styles, images and data, and
/// WebAssembly (`wasm-unsafe-eval` lets the bundle compile; it allows no JavaScript
/// `eval`). Nothing is framed, posted or based elsewhere.
const PAGE_POLICY: &str = "default-src 'self'; style-src 'self'; img-src 'self' data:; \
    font-src 'self'; connect-src 'self'; manifest-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Documents that are not pages (JSON, feeds, badges, files): nothing runs in them,
/// even when a browser opens one directly (an SVG badge could hold a script).
pub const DOCUMENT_POLICY: &str =
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The policy of an HTML page: `PAGE_POLICY` and a `script-src` allowing its own inline
/// scripts by hash. `https` adds `upgrade-insecure-requests`.
pub fn for_page(html: &[u8], https: bool) -> HeaderValue {
    let mut policy = String::with_capacity(PAGE_POLICY.len() + 160);
    policy.push_str(PAGE_POLICY);
    policy.push_str("; script-src 'self' 'wasm-unsafe-eval'");
    let mut seen: Vec<String> = Vec::new();
    for script in inline_scripts(html) {
        let hash = hash(script);
        if !seen.contains(&hash) {
            policy.push_str(" '");
            policy.push_str(&hash);
            policy.push('\'');
            seen.push(hash);
        }
    }
    if https {
        policy.push_str("; upgrade-insecure-requests");
    }
    HeaderValue::from_str(&policy).expect("a policy is ASCII")
}

/// `sha256-…` of a script or style text, as CSP writes it.
pub fn hash(text: &[u8]) -> String {
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text))
    )
}

/// The text of every `<script>` element without a `src`, exactly as served (a script is
/// raw text in HTML: the browser hashes these bytes). Markup is not parsed beyond what
/// finding them needs: a quoted attribute may hold `>`, and the text ends at the first
/// `</script` whatever its case.
pub fn inline_scripts(html: &[u8]) -> Vec<&[u8]> {
    let mut scripts = Vec::new();
    let mut at = 0;
    while let Some(start) = find_ignore_case(html, at, b"<script") {
        let tag_from = start + b"<script".len();
        // `<scripts>` or `<script-x>` are not script elements.
        if !matches!(
            html.get(tag_from),
            Some(b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'>')
        ) {
            at = tag_from;
            continue;
        }
        let Some(tag_end) = end_of_tag(html, tag_from) else {
            break;
        };
        let attributes = &html[tag_from..tag_end];
        let text_from = tag_end + 1;
        let text_end = find_ignore_case(html, text_from, b"</script").unwrap_or(html.len());
        if !has_src(attributes) {
            scripts.push(&html[text_from..text_end]);
        }
        at = text_end;
    }
    scripts
}

/// The index of the `>` closing a start tag, skipping quoted attribute values.
fn end_of_tag(html: &[u8], from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, &byte) in html.iter().enumerate().skip(from) {
        match (quote, byte) {
            (None, b'"' | b'\'') => quote = Some(byte),
            (Some(q), b) if b == q => quote = None,
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn has_src(attributes: &[u8]) -> bool {
    let lower = attributes.to_ascii_lowercase();
    lower
        .windows(4)
        .enumerate()
        .any(|(i, w)| w == b"src=" && (i == 0 || lower[i - 1].is_ascii_whitespace()))
}

fn find_ignore_case(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|i| i + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_external_ones_skipped() {
        let html = br#"<head><script type="module" nonce="">boot()</script><script src="/pkg/x.js"></script></head><body><p>&lt;script&gt;</p><SCRIPT data-x="a>b">__RESOLVED_RESOURCES=[1]</SCRIPT><scripts>no</scripts></body>"#;
        let found: Vec<&str> = inline_scripts(html)
            .into_iter()
            .map(|s| std::str::from_utf8(s).unwrap())
            .collect();
        assert_eq!(found, vec!["boot()", "__RESOLVED_RESOURCES=[1]"]);
    }

    #[test]
    fn the_policy_lists_each_inline_script_once_by_its_hash() {
        let html = b"<script>a()</script><script>a()</script><script>b()</script>";
        let policy = for_page(html, false);
        let policy = policy.to_str().unwrap();
        // echo -n 'a()' | openssl dgst -sha256 -binary | base64
        assert!(policy.contains("'sha256-qVpDBgj7bpq5hMAcGp3AOc79J3Y1Z4HvySTwKrWDoy4='"));
        assert_eq!(policy.matches("'sha256-").count(), 2, "{policy}");
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval'"));
        assert!(policy.contains("object-src 'none'") && policy.contains("base-uri 'none'"));
        assert!(!policy.contains("upgrade-insecure-requests"));
        assert!(for_page(html, true)
            .to_str()
            .unwrap()
            .ends_with("; upgrade-insecure-requests"));
    }

    #[test]
    fn an_unterminated_script_is_hashed_to_the_end_and_a_broken_tag_ends_the_scan() {
        assert_eq!(inline_scripts(b"<script>x"), vec![b"x".as_slice()]);
        assert!(inline_scripts(b"<script type=\"a").is_empty());
        assert!(inline_scripts(b"").is_empty());
    }
}
