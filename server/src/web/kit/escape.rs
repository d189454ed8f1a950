//! Escaping text for HTML and XML (refusal pages, the API page, feeds, badges, the
//! widget): one function, so no one forgets a character.

/// `&`, `<`, `>` and `"` as entities: safe in element text and in quoted attributes.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
