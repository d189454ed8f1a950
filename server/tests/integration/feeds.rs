//! Feeds and badges: Atom and RSS parsed by a standard XML parser (Python's, not ours),
//! iCalendar unfolded and read as RFC 5545 says, badges as SVG with an accessible title.

use crate::common;

use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use server::domain::change::Change;
use server::domain::state::MaintenanceRecord;
use tower::ServiceExt;

async fn get(router: &Router, uri: &str) -> (StatusCode, String, String) {
    let _rendering = common::ROUTE_DISCOVERY.read().await;
    let response = router
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (
        status,
        content_type,
        String::from_utf8(bytes.to_vec()).unwrap(),
    )
}

/// Runs Python's XML parser over a feed and returns what it read, one line per item.
fn python_reads(feed: &str, script: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.xml");
    std::fs::write(&path, feed).unwrap();
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const ATOM_READER: &str = r#"
import sys, xml.etree.ElementTree as ET
ns = {"a": "http://www.w3.org/2005/Atom"}
feed = ET.parse(sys.argv[1]).getroot()
assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
for required in ("a:id", "a:title", "a:updated", "a:author/a:name"):
    assert feed.find(required, ns) is not None and (feed.find(required, ns).text or "").strip(), required
ids = set()
for entry in feed.findall("a:entry", ns):
    for required in ("a:id", "a:title", "a:updated", "a:content"):
        assert entry.find(required, ns) is not None, required
    entry_id = entry.find("a:id", ns).text
    assert entry_id not in ids, "ids are unique"
    ids.add(entry_id)
    print(entry_id, "|", entry.find("a:title", ns).text, "|", entry.find("a:link", ns).get("href"))
"#;

const RSS_READER: &str = r#"
import sys, email.utils, xml.etree.ElementTree as ET
rss = ET.parse(sys.argv[1]).getroot()
assert rss.tag == "rss" and rss.get("version") == "2.0"
channel = rss.find("channel")
for required in ("title", "link", "description"):
    assert (channel.findtext(required) or "").strip(), required
for item in channel.findall("item"):
    email.utils.parsedate_to_datetime(item.findtext("pubDate"))
    print(item.findtext("guid"), "|", item.findtext("title"))
"#;

#[test]
fn atom_and_rss_parse_and_carry_every_update() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let (status, content_type, atom) = get(&app.router, "/feed.atom").await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("application/atom+xml"));
        let entries = python_reads(&atom, ATOM_READER);
        let updates: usize = app
            .snapshot
            .load()
            .state
            .incidents()
            .iter()
            .map(|i| i.updates.len())
            .sum();
        assert_eq!(entries.lines().count(), updates);
        assert!(
            entries
                .lines()
                .next()
                .unwrap()
                .contains("2022-10-15-pangyo-datacenter-fire"),
            "newest first"
        );
        assert!(entries.contains("사후 분석"));

        let (_, _, english) = get(&app.router, "/feed.atom?lang=en").await;
        assert!(english.contains("xml:lang=\"en\""));
        assert!(python_reads(&english, ATOM_READER).contains("Postmortem"));

        let (_, content_type, rss) = get(&app.router, "/services/daum/feed.rss").await;
        assert!(content_type.starts_with("application/rss+xml"));
        let items = python_reads(&rss, RSS_READER);
        assert!(items.lines().count() >= 2);
        assert!(
            items
                .lines()
                .all(|l| l.contains("2022-09-15-daum-gift-login")
                    || l.contains("2022-10-15-pangyo-datacenter-fire")),
            "only Daum's incidents"
        );

        let (status, _, body) = get(&app.router, "/services/nope/feed.atom").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("'nope'"));
        let (_, _, home) = get(&app.router, "/").await;
        assert!(
            home.contains("application/atom+xml") && home.contains("href=\"/feed.atom\""),
            "the feed is discoverable"
        );
    })
}

#[test]
fn maintenance_is_an_icalendar_feed() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let start = chrono::Utc::now() + chrono::Duration::days(2);
        app.changes
            .clone()
            .unwrap()
            .apply(
                "comms",
                Change::ScheduleMaintenance(MaintenanceRecord {
                    id: "payments-db".into(),
                    title_ko: "카카오페이 결제 점검; 새벽, 짧게".into(),
                    title_en: Some("Kakao Pay payments maintenance".into()),
                    body_ko: "결제 시스템을 점검합니다. 점검 중에는 결제가 되지 않습니다. 이용에 불편을 드려 죄송합니다.".into(),
                    body_en: None,
                    starts_at: start,
                    ends_at: start + chrono::Duration::hours(2),
                    components: vec!["kakaopay/payments".into()],
                }),
            )
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let (status, content_type, ics) = get(&app.router, "/maintenance.ics").await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("text/calendar"));
        assert!(
            ics.split("\r\n").all(|line| line.len() <= 75),
            "folded at 75 octets"
        );
        assert!(
            !ics.replace("\r\n", "").contains('\n'),
            "CRLF line ends only"
        );
        // Unfold (RFC 5545 3.1), then read the properties of the one event.
        let unfolded = ics.replace("\r\n ", "");
        let lines: Vec<&str> = unfolded.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.first(), Some(&"BEGIN:VCALENDAR"));
        assert_eq!(lines.last(), Some(&"END:VCALENDAR"));
        let prop = |name: &str| {
            lines
                .iter()
                .find_map(|l| l.strip_prefix(&format!("{name}:")))
                .unwrap()
                .to_string()
        };
        assert_eq!(prop("UID"), "payments-db@status.kakao");
        assert_eq!(prop("SUMMARY"), "카카오페이 결제 점검\\; 새벽\\, 짧게");
        let parse =
            |v: String| chrono::NaiveDateTime::parse_from_str(&v, "%Y%m%dT%H%M%SZ").unwrap();
        assert_eq!(
            parse(prop("DTSTART")).and_utc().timestamp(),
            start.timestamp()
        );
        assert_eq!(
            (parse(prop("DTEND")) - parse(prop("DTSTART"))).num_hours(),
            2
        );
        assert!(prop("DESCRIPTION").starts_with("결제 시스템을 점검합니다."));
    })
}

#[test]
fn badges_are_svg_with_a_title_and_unknown_services_are_404_svg() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let (status, content_type, svg) = get(&app.router, "/badge/kakaotalk.svg").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "image/svg+xml");
        assert!(svg.contains("<title>카카오톡: 정상</title>"));
        assert!(svg.contains("role=\"img\""));
        let (_, _, english) = get(&app.router, "/badge/kakaotalk.svg?lang=en").await;
        assert!(english.contains("<title>KakaoTalk: Operational</title>"));
        let (status, content_type, missing) = get(&app.router, "/badge/nope.svg").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(content_type, "image/svg+xml");
        assert!(missing.contains("unknown service"));
    })
}

#[test]
fn the_widget_is_a_frameable_page_of_states_without_script() {
    common::block_on(async {
        let db = common::sqlite();
        let app =
            common::app_with(&db, |c| c.public_url = "https://status.example.com".into()).await;
        let response = app
            .router
            .clone()
            .oneshot(
                Request::get("/embed/kakaotalk")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_string();
        assert!(!csp.contains("frame-ancestors"), "any site may embed it");
        assert!(!response.headers().contains_key("x-frame-options"));
        assert!(csp.contains("default-src 'none'"), "it loads nothing");
        assert!(response.headers().contains_key(header::ETAG));
        let (_, content_type, html) = get(&app.router, "/embed/kakaotalk").await;
        assert_eq!(content_type, "text/html; charset=utf-8");
        assert!(html.contains("카카오톡"));
        assert!(html.contains("정상"));
        assert!(html.contains("href=\"https://status.example.com/services/kakaotalk\""));
        assert!(!html.contains("<script"));
        assert!(!html.contains("카카오페이"), "only the service asked for");

        let (_, _, all) = get(&app.router, "/embed?lang=en").await;
        assert!(
            all.contains("KakaoTalk") && all.contains("Kakao Pay"),
            "{all}"
        );
        assert!(all.contains("lang=\"en\""));

        let (status, content_type, _) = get(&app.router, "/embed/nope").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(content_type, "text/plain; charset=utf-8");
    })
}
