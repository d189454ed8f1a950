//! Where each address of the site goes in a static mirror, and the pages' links
//! rewritten to match. A file server ignores query strings, so what the site says with
//! `?lang=en` the mirror says with an `/en/` prefix, and any other query (history
//! filters) becomes a path segment: `/history?service=kakaotalk&page=2&lang=en` →
//! `/en/history/page-2_service-kakaotalk/index.html`, linked as
//! `/en/history/page-2_service-kakaotalk/`.

/// An address of the site as the crawler found it: a path and its query parameters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    pub path: String,
    /// `en` for English; otherwise the Korean default.
    pub english: bool,
    /// The other parameters, sorted (so one page has one address).
    pub params: Vec<(String, String)>,
}

impl Address {
    /// A same-site address from a link (`/…`), or None for anything else (another
    /// origin, `//host`, a fragment, `mailto:`).
    pub fn parse(link: &str) -> Option<Address> {
        let link = link.split('#').next()?;
        if !link.starts_with('/') || link.starts_with("//") {
            return None;
        }
        let (path, query) = link.split_once('?').unwrap_or((link, ""));
        let mut english = false;
        let mut params = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match (key, value) {
                ("lang", "en") => english = true,
                ("lang", _) => {}
                _ => params.push((key.to_string(), value.to_string())),
            }
        }
        params.sort();
        Some(Address {
            path: path.to_string(),
            english,
            params,
        })
    }

    /// The address to request from the app.
    pub fn request_uri(&self) -> String {
        let mut query: Vec<String> = self
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if self.english {
            query.push("lang=en".into());
        }
        if query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, query.join("&"))
        }
    }

    /// The parameters as one path segment: `service-kakaotalk_year-2022`.
    fn params_segment(&self) -> String {
        let joined: Vec<String> = self
            .params
            .iter()
            .map(|(k, v)| format!("{}-{}", safe_segment(k), safe_segment(v)))
            .collect();
        joined.join("_")
    }

    /// The folder a page goes in (no leading or trailing slash; "" for the home page).
    fn folder(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.english {
            parts.push("en".into());
        }
        parts.extend(
            self.path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(safe_segment),
        );
        if !self.params.is_empty() {
            parts.push(self.params_segment());
        }
        parts.join("/")
    }

    /// The file in the mirror: pages are `…/index.html`; other documents keep their
    /// name, under `en/` for English, with `.json` added to a name without an extension
    /// (`/api/v1/services` → `api/v1/services.json`: a folder of that name exists too).
    /// A download with filters keeps its extension last:
    /// `/availability.csv?year=2022` → `availability_year-2022.csv`.
    pub fn file(&self, is_page: bool) -> String {
        if !is_page && !self.params.is_empty() {
            let plain = Address {
                params: vec![],
                ..self.clone()
            };
            let name = plain.file(false);
            let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, "json"));
            return format!("{stem}_{}.{ext}", self.params_segment());
        }
        let folder = self.folder();
        match (is_page, folder.is_empty()) {
            (true, true) => "index.html".into(),
            (true, false) => format!("{folder}/index.html"),
            (false, _) if !folder.rsplit('/').next().unwrap_or("").contains('.') => {
                format!("{folder}.json")
            }
            (false, _) => folder,
        }
    }

    /// How a mirrored page links to it.
    pub fn href(&self, is_page: bool) -> String {
        match is_page {
            true if self.folder().is_empty() => "/".into(),
            true => format!("/{}/", self.folder()),
            false => format!("/{}", self.file(false)),
        }
    }
}

/// Keeps a path segment to characters every file system and file server takes.
fn safe_segment(segment: &str) -> String {
    segment
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Which attribute a link is in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Attribute {
    Href,
    Src,
    /// A form's target: a POST, which a file server cannot take.
    Action,
}

/// A link found in a page: where its value starts and ends, its attribute, its value.
pub struct Link {
    start: usize,
    end: usize,
    pub attribute: Attribute,
    pub value: String,
}

/// The values of the `href`, `src` and `action` attributes in an HTML text.
pub fn links(html: &str) -> Vec<Link> {
    let mut found = Vec::new();
    for (attribute, kind) in [
        (" href=\"", Attribute::Href),
        (" src=\"", Attribute::Src),
        (" action=\"", Attribute::Action),
    ] {
        let mut from = 0;
        while let Some(at) = html[from..].find(attribute) {
            let start = from + at + attribute.len();
            let Some(length) = html[start..].find('"') else {
                break;
            };
            found.push(Link {
                start,
                end: start + length,
                attribute: kind,
                value: html[start..start + length].replace("&amp;", "&"),
            });
            from = start + length;
        }
    }
    found.sort_by_key(|link| link.start);
    found
}

/// Replaces each link's value with what `rewrite` gives (None keeps it).
pub fn rewrite_links(html: &str, rewrite: impl Fn(&Link) -> Option<String>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    for link in links(html) {
        if let Some(new) = rewrite(&link) {
            out.push_str(&html[copied..link.start]);
            out.push_str(&new.replace('&', "&amp;"));
            copied = link.end;
        }
    }
    out.push_str(&html[copied..]);
    out
}

/// Drops every `<script>` element and the preloads of the WebAssembly bundle: a file
/// server has neither the server functions nor the live stream that hydration uses, and
/// every page is whole without JavaScript.
pub fn without_scripts(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<script") {
        out.push_str(&rest[..at]);
        match rest[at..].find("</script>") {
            Some(end) => rest = &rest[at + end + "</script>".len()..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    // `<link rel="modulepreload" …>` and `<link rel="preload" … as="fetch" …>` of /pkg.
    let mut cleaned = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(at) = rest.find("<link") {
        let Some(end) = rest[at..].find('>') else {
            break;
        };
        let tag = &rest[at..at + end + 1];
        cleaned.push_str(&rest[..at]);
        if !(tag.contains("modulepreload") || (tag.contains("preload") && tag.contains("/pkg/"))) {
            cleaned.push_str(tag);
        }
        rest = &rest[at + end + 1..];
    }
    cleaned.push_str(rest);
    cleaned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_becomes_a_prefix_and_other_parameters_a_folder() {
        let home = Address::parse("/?lang=en").unwrap();
        assert_eq!(home.file(true), "en/index.html");
        assert_eq!(home.href(true), "/en/");
        let ko = Address::parse("/services/kakaotalk?lang=ko").unwrap();
        assert_eq!(ko.href(true), "/services/kakaotalk/");
        let history = Address::parse("/history?service=kakaotalk&page=2&lang=en").unwrap();
        assert_eq!(
            history.file(true),
            "en/history/page-2_service-kakaotalk/index.html"
        );
        assert_eq!(
            history.request_uri(),
            "/history?page=2&service=kakaotalk&lang=en"
        );
        let feed = Address::parse("/feed.atom?lang=en").unwrap();
        assert_eq!(feed.file(false), "en/feed.atom");
        assert_eq!(feed.href(false), "/en/feed.atom");
        let services = Address::parse("/api/v1/services").unwrap();
        assert_eq!(services.file(false), "api/v1/services.json");
        // A download with filters keeps its extension, so a file server types it right.
        let csv = Address::parse("/availability.csv?year=2022&service=kakaotalk&lang=en").unwrap();
        assert_eq!(
            csv.file(false),
            "en/availability_service-kakaotalk_year-2022.csv"
        );
        assert_eq!(
            csv.href(false),
            "/en/availability_service-kakaotalk_year-2022.csv"
        );
        assert_eq!(Address::parse("https://example.com/"), None);
        assert_eq!(Address::parse("//example.com/x"), None);
        assert_eq!(
            Address::parse("/incidents/x#u3").unwrap().path,
            "/incidents/x"
        );
    }

    #[test]
    fn links_are_rewritten_and_scripts_dropped() {
        let html = r#"<head><link rel="modulepreload" href="/pkg/status.js"><link rel="stylesheet" href="/pkg/status.css"><script type="module">import('/pkg/status.js')</script></head><a href="/history?year=2022&amp;lang=en">x</a><img src="/badge/kakaotalk.svg">"#;
        let rewritten = rewrite_links(&without_scripts(html), |link| {
            Address::parse(&link.value).map(|a| a.href(!a.path.contains('.')))
        });
        assert_eq!(
            rewritten,
            r#"<head><link rel="stylesheet" href="/pkg/status.css"></head><a href="/en/history/year-2022/">x</a><img src="/badge/kakaotalk.svg">"#
        );
    }
}
