//! Feeds for those who do not keep a page open: Atom (RFC 4287) and RSS 2.0 of every
//! incident update, for the whole site and per service; an iCalendar (RFC 5545) feed of
//! scheduled maintenance; and a shields-style SVG badge per service. All from the
//! snapshot, with ETags; Korean by default, English with `?lang=en`.

use crate::domain::state::{IncidentRecord, UpdateRecord};
use crate::read::localized::localized;
use crate::read::snapshot::{Snapshot, SnapshotHandle};
use crate::web::kit::encoded::Encoded;
use crate::web::kit::escape::escape;
use crate::web::kit::versioned::Versioned;
use crate::web::statuspage::public_document;
use app::model::{ComponentStatus, Lang, UpdateKind};
use app::text::public::{kind_label, state_label, status_label};
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, Response, StatusCode};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, SecondsFormat, Utc};
use std::sync::Arc;

const FEED_ID: &str = "tag:status.kakao,2022:";
const MAX_ENTRIES: usize = 100;

pub struct Feeds {
    pub snapshot: Arc<SnapshotHandle>,
    /// Absolute links need the public address; empty: links are relative.
    pub public_url: String,
    /// Each feed and badge, built once per snapshot version and language.
    documents: Versioned,
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn text(lang: Lang, ko: &str, en: Option<&str>) -> String {
    localized(lang, ko, en).text
}

/// One feed entry: an update of an incident.
struct Entry<'a> {
    incident: &'a IncidentRecord,
    update: &'a UpdateRecord,
}

impl Feeds {
    pub fn new(snapshot: Arc<SnapshotHandle>, public_url: String) -> Self {
        Feeds {
            snapshot,
            public_url,
            documents: Versioned::default(),
        }
    }

    /// The document `key` in the request's language, built by `build` at most once per
    /// snapshot version; None when `build` finds nothing (an unknown service).
    fn document(
        &self,
        request: &Request,
        key: &str,
        content_type: &'static str,
        build: impl FnOnce(Lang) -> Option<String>,
    ) -> Option<Response<Body>> {
        let lang = lang(request);
        let encoded =
            self.documents
                .get_or_build(self.snapshot.load().version, key, lang, || {
                    build(lang).map(|body| {
                        Encoded::new(HeaderValue::from_static(content_type), body.into())
                    })
                })?;
        Some(public_document(&encoded, request))
    }

    fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.trim_end_matches('/'))
    }

    /// Updates of the incidents touching `service` (all when None), newest first: read
    /// from the state's index of updates by time, so only as far back as the feed goes.
    fn entries<'a>(s: &'a Snapshot, service: Option<&str>) -> Vec<Entry<'a>> {
        s.state
            .updates_newest_first()
            .filter(|(i, _)| {
                service.is_none_or(|svc| {
                    i.components
                        .iter()
                        .any(|c| c.component.starts_with(&format!("{svc}/")))
                })
            })
            .map(|(incident, update)| Entry { incident, update })
            .take(MAX_ENTRIES)
            .collect()
    }

    fn entry_title(e: &Entry, lang: Lang) -> String {
        let label = if e.update.kind == UpdateKind::Update {
            state_label(lang, e.update.state)
        } else {
            kind_label(lang, e.update.kind)
        };
        format!(
            "{} — {label}",
            text(lang, &e.incident.title_ko, e.incident.title_en.as_deref())
        )
    }

    fn title(s: &Snapshot, service: Option<&str>, lang: Lang) -> String {
        let page = text(lang, &s.catalog.page.name_ko, Some(&s.catalog.page.name_en));
        match service.and_then(|slug| s.catalog.service(slug)) {
            Some(svc) => format!("{} · {page}", text(lang, &svc.name_ko, Some(&svc.name_en))),
            None => page,
        }
    }

    pub fn atom(&self, service: Option<&str>, lang: Lang) -> String {
        let s = self.snapshot.load();
        let entries = Self::entries(&s, service);
        let updated = entries
            .iter()
            .map(|e| e.update.edited_at.unwrap_or(e.update.at))
            .max()
            .unwrap_or_else(|| s.updated_at());
        let (self_path, page_path, id) = match service {
            Some(slug) => (
                format!("/services/{slug}/feed.atom"),
                format!("/services/{slug}"),
                format!("{FEED_ID}feed:{slug}"),
            ),
            None => (
                "/feed.atom".to_string(),
                "/".to_string(),
                format!("{FEED_ID}feed"),
            ),
        };
        let q = if lang == Lang::En { "?lang=en" } else { "" };
        let mut out = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{lang}\">\n\
             <id>{id}:{lang}</id>\n<title>{}</title>\n<updated>{}</updated>\n\
             <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n\
             <author><name>{}</name></author>\n",
            escape(&Self::title(&s, service, lang)),
            rfc3339(updated),
            escape(&self.link(&format!("{self_path}{q}"))),
            escape(&self.link(&format!("{page_path}{q}"))),
            escape(&text(lang, &s.catalog.page.name_ko, Some(&s.catalog.page.name_en))),
        );
        for e in entries {
            out.push_str(&format!(
                "<entry>\n<id>{FEED_ID}incident:{}:update:{}</id>\n<title>{}</title>\n<published>{}</published>\n<updated>{}</updated>\n\
                 <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<content type=\"text\">{}</content>\n</entry>\n",
                escape(&e.incident.id),
                e.update.id,
                escape(&Self::entry_title(&e, lang)),
                rfc3339(e.update.at),
                rfc3339(e.update.edited_at.unwrap_or(e.update.at)),
                escape(&self.link(&format!("/incidents/{}{q}", e.incident.id))),
                escape(&text(lang, &e.update.body_ko, e.update.body_en.as_deref())),
            ));
        }
        out.push_str("</feed>\n");
        out
    }

    pub fn rss(&self, service: Option<&str>, lang: Lang) -> String {
        let s = self.snapshot.load();
        let entries = Self::entries(&s, service);
        let q = if lang == Lang::En { "?lang=en" } else { "" };
        let page_path = service
            .map(|slug| format!("/services/{slug}"))
            .unwrap_or_else(|| "/".into());
        let updated = entries
            .iter()
            .map(|e| e.update.edited_at.unwrap_or(e.update.at))
            .max()
            .unwrap_or_else(|| s.updated_at());
        let mut out = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\">\n<channel>\n<title>{}</title>\n<link>{}</link>\n\
             <description>{}</description>\n<language>{}</language>\n<lastBuildDate>{}</lastBuildDate>\n",
            escape(&Self::title(&s, service, lang)),
            escape(&self.link(&format!("{page_path}{q}"))),
            escape(&Self::title(&s, service, lang)),
            if lang == Lang::Ko { "ko-KR" } else { "en" },
            updated.to_rfc2822(),
        );
        for e in entries {
            out.push_str(&format!(
                "<item>\n<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"false\">{FEED_ID}incident:{}:update:{}</guid>\n\
                 <pubDate>{}</pubDate>\n<description>{}</description>\n</item>\n",
                escape(&Self::entry_title(&e, lang)),
                escape(&self.link(&format!("/incidents/{}{q}", e.incident.id))),
                escape(&e.incident.id),
                e.update.id,
                e.update.at.to_rfc2822(),
                escape(&text(lang, &e.update.body_ko, e.update.body_en.as_deref())),
            ));
        }
        out.push_str("</channel>\n</rss>\n");
        out
    }

    /// RFC 5545: CRLF line ends, lines folded at 75 octets, text escaped.
    pub fn ical(&self, lang: Lang) -> String {
        let s = self.snapshot.load();
        let escape = |t: &str| {
            t.replace('\\', "\\\\")
                .replace(';', "\\;")
                .replace(',', "\\,")
                .replace('\n', "\\n")
        };
        let stamp = |at: DateTime<Utc>| at.format("%Y%m%dT%H%M%SZ").to_string();
        let mut lines = vec![
            "BEGIN:VCALENDAR".to_string(),
            "VERSION:2.0".into(),
            "PRODID:-//Kakao service status//Scheduled maintenance//KO".into(),
            "CALSCALE:GREGORIAN".into(),
            "METHOD:PUBLISH".into(),
            format!("X-WR-CALNAME:{}", escape(&Self::title(&s, None, lang))),
        ];
        for m in &s.state.maintenances {
            lines.extend([
                "BEGIN:VEVENT".to_string(),
                format!("UID:{}@status.kakao", m.id),
                format!("DTSTAMP:{}", stamp(s.updated_at())),
                format!("DTSTART:{}", stamp(m.starts_at)),
                format!("DTEND:{}", stamp(m.ends_at)),
                format!(
                    "SUMMARY:{}",
                    escape(&text(lang, &m.title_ko, m.title_en.as_deref()))
                ),
                format!(
                    "DESCRIPTION:{}",
                    escape(&text(lang, &m.body_ko, m.body_en.as_deref()))
                ),
                format!("URL:{}", self.link("/")),
                "END:VEVENT".into(),
            ]);
        }
        lines.push("END:VCALENDAR".into());
        let mut out = String::new();
        for line in lines {
            // Fold: at most 75 octets a line, continuation lines start with a space.
            let mut current = String::new();
            for ch in line.chars() {
                if current.len() + ch.len_utf8() > 75 {
                    out.push_str(&current);
                    out.push_str("\r\n");
                    current = String::from(" ");
                }
                current.push(ch);
            }
            out.push_str(&current);
            out.push_str("\r\n");
        }
        out
    }

    /// A shields-style badge: the service's name, and its worst state now.
    pub fn badge(&self, slug: &str, lang: Lang) -> Option<String> {
        let s = self.snapshot.load();
        let service = s.catalog.service(slug)?;
        let status = s.service_status(service);
        let colour = status_colour(status);
        Some(badge_svg(
            &text(lang, &service.name_ko, Some(&service.name_en)),
            status_label(lang, status),
            colour,
        ))
    }
}

/// Width of a text in the badge's 11px font: wide for Hangul and other CJK, narrow else.
fn text_width(text: &str) -> usize {
    text.chars()
        .map(|c| if c.len_utf8() > 1 { 11 } else { 7 })
        .sum::<usize>()
        + 12
}

pub fn badge_svg(label: &str, message: &str, colour: &str) -> String {
    let (left, right) = (text_width(label), text_width(message));
    let total = left + right;
    let title = escape(&format!("{label}: {message}"));
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{total}\" height=\"20\" role=\"img\" aria-label=\"{title}\">\
         <title>{title}</title><rect width=\"{left}\" height=\"20\" fill=\"#555\"/>\
         <rect x=\"{left}\" width=\"{right}\" height=\"20\" fill=\"{colour}\"/>\
         <g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\" text-anchor=\"middle\">\
         <text x=\"{}\" y=\"14\">{}</text><text x=\"{}\" y=\"14\">{}</text></g></svg>",
        left / 2,
        escape(label),
        left + right / 2,
        escape(message),
    )
}

/// The colour of a state on badges and the widget (white text on it passes WCAG AA).
pub fn status_colour(status: ComponentStatus) -> &'static str {
    match status {
        ComponentStatus::Operational => "#137333",
        ComponentStatus::UnderMaintenance => "#1d4ed8",
        ComponentStatus::DegradedPerformance => "#8a5a00",
        ComponentStatus::PartialOutage => "#b43c0a",
        ComponentStatus::MajorOutage => "#b91c1c",
    }
}

fn not_found(content_type: &'static str, body: String) -> Response<Body> {
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(body))
        .expect("valid response")
}

use crate::web::kit::lang::of_request as lang;

const ATOM: &str = "application/atom+xml; charset=utf-8";
const RSS: &str = "application/rss+xml; charset=utf-8";

async fn site_atom(State(feeds): State<Arc<Feeds>>, request: Request) -> Response<Body> {
    feeds
        .document(&request, "atom", ATOM, |lang| Some(feeds.atom(None, lang)))
        .expect("the site feed always exists")
}

async fn site_rss(State(feeds): State<Arc<Feeds>>, request: Request) -> Response<Body> {
    feeds
        .document(&request, "rss", RSS, |lang| Some(feeds.rss(None, lang)))
        .expect("the site feed always exists")
}

fn unknown_service(slug: &str) -> Response<Body> {
    not_found(
        "text/plain; charset=utf-8",
        format!("There is no service '{slug}'. / '{slug}' 서비스는 없습니다.\n"),
    )
}

async fn service_atom(
    State(feeds): State<Arc<Feeds>>,
    Path(slug): Path<String>,
    request: Request,
) -> Response<Body> {
    let known = feeds.snapshot.load().catalog.service(&slug).is_some();
    let key = format!("atom/{slug}");
    known
        .then(|| {
            feeds.document(&request, &key, ATOM, |lang| {
                Some(feeds.atom(Some(&slug), lang))
            })
        })
        .flatten()
        .unwrap_or_else(|| unknown_service(&slug))
}

async fn service_rss(
    State(feeds): State<Arc<Feeds>>,
    Path(slug): Path<String>,
    request: Request,
) -> Response<Body> {
    let known = feeds.snapshot.load().catalog.service(&slug).is_some();
    let key = format!("rss/{slug}");
    known
        .then(|| {
            feeds.document(&request, &key, RSS, |lang| {
                Some(feeds.rss(Some(&slug), lang))
            })
        })
        .flatten()
        .unwrap_or_else(|| unknown_service(&slug))
}

async fn maintenance_ics(State(feeds): State<Arc<Feeds>>, request: Request) -> Response<Body> {
    feeds
        .document(&request, "ics", "text/calendar; charset=utf-8", |lang| {
            Some(feeds.ical(lang))
        })
        .expect("the calendar always exists")
}

async fn badge(
    State(feeds): State<Arc<Feeds>>,
    Path(file): Path<String>,
    request: Request,
) -> Response<Body> {
    let slug = file.strip_suffix(".svg").unwrap_or("");
    let key = format!("badge/{slug}");
    feeds
        .document(&request, &key, "image/svg+xml", |lang| {
            feeds.badge(slug, lang)
        })
        .unwrap_or_else(|| {
            not_found(
                "image/svg+xml",
                badge_svg(slug, "unknown service", "#9f9f9f"),
            )
        })
}

pub fn router(feeds: Arc<Feeds>) -> Router {
    Router::new()
        .route("/feed.atom", get(site_atom))
        .route("/feed.rss", get(site_rss))
        .route("/services/{slug}/feed.atom", get(service_atom))
        .route("/services/{slug}/feed.rss", get(service_rss))
        .route("/maintenance.ics", get(maintenance_ics))
        .route("/badge/{file}", get(badge))
        .with_state(feeds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::snapshot::fixture;
    use crate::web::kit::testing;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    static FEEDS: LazyLock<Arc<Feeds>> = LazyLock::new(|| {
        Arc::new(Feeds::new(
            fixture::handle(12),
            "https://status.example".into(),
        ))
    });

    /// A path segment naming a service: a real slug (as is or percent-encoded), one
    /// near it, malformed or non-UTF-8 escapes, or any text percent-encoded.
    fn segment() -> impl Strategy<Value = String> {
        let slugs: Vec<String> = FEEDS
            .snapshot
            .load()
            .catalog
            .services
            .iter()
            .map(|s| s.slug.clone())
            .collect();
        prop_oneof![
            prop::sample::select(slugs.clone()),
            prop::sample::select(slugs).prop_map(|s| format!(
                "%{:02X}{}",
                s.as_bytes()[0],
                &s[1..]
            )),
            Just("%zz".to_string()),
            Just("%FF%FE".to_string()),
            Just("KAKAOTALK".to_string()),
            any::<String>().prop_map(|s| crate::web::kit::reply::path_segment(&s)),
        ]
    }

    fn decoded(segment: &str) -> Option<String> {
        // As axum reads a path parameter: percent-decoded, refused when not UTF-8.
        let bytes: Vec<u8> = {
            let mut out = Vec::new();
            let b = segment.as_bytes();
            let mut i = 0;
            while i < b.len() {
                let hex = |c: u8| (c as char).to_digit(16);
                if b[i] == b'%' && i + 2 < b.len() {
                    if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                        out.push((h * 16 + l) as u8);
                        i += 3;
                        continue;
                    }
                }
                out.push(b[i]);
                i += 1;
            }
            out
        };
        String::from_utf8(bytes).ok()
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 64,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Every feed and badge, for any service segment and query: the service's feed in
        /// the chosen language, 404 for no such service, 400 for a segment that is not
        /// text; never a 5xx.
        #[test]
        fn any_feed_address_is_a_feed_or_a_refusal(
            kind in 0usize..6,
            segment in segment(),
            query in testing::query(),
            accept in testing::accept_language(),
        ) {
            let path = match kind {
                0 => "/feed.atom".to_string(),
                1 => "/feed.rss".to_string(),
                2 => format!("/services/{segment}/feed.atom"),
                3 => format!("/services/{segment}/feed.rss"),
                4 => "/maintenance.ics".to_string(),
                _ => format!("/badge/{segment}.svg"),
            };
            let Some(uri) = testing::uri(&path, &query) else {
                return Ok(());
            };
            let mut headers = axum::http::HeaderMap::new();
            if let Some(value) = accept.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                headers.insert(header::ACCEPT_LANGUAGE, value);
            }
            let lang = crate::web::kit::lang::chosen_or_headers(crate::web::kit::lang::from_query(uri.query()), &headers);
            let (status, _, body) = testing::get(&router(FEEDS.clone()), uri, accept.as_deref().filter(|_| !headers.is_empty()));
            let body = String::from_utf8(body).unwrap();
            let slug = decoded(&segment);
            let known = slug.as_deref().filter(|s| FEEDS.snapshot.load().catalog.service(s).is_some());
            let expected = match (kind, known) {
                (0, _) => Some(FEEDS.atom(None, lang)),
                (1, _) => Some(FEEDS.rss(None, lang)),
                (2, Some(s)) => Some(FEEDS.atom(Some(s), lang)),
                (3, Some(s)) => Some(FEEDS.rss(Some(s), lang)),
                (4, _) => Some(FEEDS.ical(lang)),
                (5, Some(s)) => FEEDS.badge(s, lang),
                _ => None,
            };
            match expected {
                Some(document) => {
                    prop_assert_eq!(status, StatusCode::OK);
                    prop_assert_eq!(body, document);
                }
                None if slug.is_none() => prop_assert_eq!(status, StatusCode::BAD_REQUEST),
                None => prop_assert_eq!(status, StatusCode::NOT_FOUND),
            }
        }
    }
}
