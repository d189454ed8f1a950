//! The public pages over HTTP, against the real app on a real (SQLite) database.

use crate::common;

use app::model::{ComponentStatus, Impact, IncidentState, UpdateKind};
use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::Utc;
use server::domain::change::{Change, NewIncident, NewUpdate};
use server::domain::state::StatusChange;
use std::time::{Duration, Instant};
use tower::ServiceExt;

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn get(router: &Router, uri: &str, headers: &[(&str, &str)]) -> Reply {
    let _rendering = common::ROUTE_DISCOVERY.read().await;
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

const SERVICES_KO: [&str; 6] = [
    "카카오톡",
    "카카오페이",
    "카카오T",
    "카카오맵",
    "다음",
    "카카오계정",
];

#[test]
fn the_home_page_is_korean_by_default_with_every_service_and_component() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let home = get(&app.router, "/", &[]).await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(
            home.body.contains("<html lang=\"ko\""),
            "html lang is Korean"
        );
        assert!(home.body.contains("모든 서비스 정상"));
        for name in SERVICES_KO {
            assert!(
                home.body.contains(&format!(">{name}</a>")),
                "{name} is listed"
            );
        }
        for component in [
            "사진·동영상 전송",
            "선물하기",
            "택시 호출",
            "길찾기",
            "메일",
        ] {
            assert!(home.body.contains(component), "{component} is listed");
        }
        // 90 cells per service bar.
        assert_eq!(home.body.matches("tabindex=\"0\"").count(), 6 * 90);
    })
}

#[test]
fn english_comes_from_accept_language_or_the_address() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let by_header = get(&app.router, "/", &[("accept-language", "en-US,en;q=0.9")]).await;
        assert!(by_header.body.contains("<html lang=\"en\""));
        assert!(by_header.body.contains("All systems operational"));
        let by_query = get(
            &app.router,
            "/history?lang=en",
            &[("accept-language", "ko-KR")],
        )
        .await;
        assert!(by_query.body.contains("Incident history"));
        // Links on an English page chosen by address keep the language.
        assert!(by_query
            .body
            .contains("href=\"/incidents/2022-10-15-pangyo-datacenter-fire?lang=en\""));
        let korean = get(
            &app.router,
            "/history?lang=ko",
            &[("accept-language", "en")],
        )
        .await;
        assert!(korean.body.contains("장애 기록"));
    })
}

#[test]
fn the_fire_incident_shows_its_timeline_and_the_apology_in_kst() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let page = get(
            &app.router,
            "/incidents/2022-10-15-pangyo-datacenter-fire",
            &[],
        )
        .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("2022년 10월 15일 15:29 KST"));
        assert!(
            page.body.contains("datetime=\"2022-10-15T06:29:00Z\""),
            "UTC for machines"
        );
        assert!(page.body.contains("2022년 10월 16일 07:24 KST"));
        assert!(
            page.body.contains("kind-apology"),
            "the apology is marked as such"
        );
        assert!(page.body.contains("공식 사과"));
        assert!(page
            .body
            .contains("사진·동영상을 제외한 문자 메시지 수발신이 가능하다"));
        assert!(
            page.body.contains("5일 7시간 31분"),
            "duration from 15:29 on the 15th to 23:00 on the 20th"
        );
        let english = get(
            &app.router,
            "/incidents/2022-10-15-pangyo-datacenter-fire?lang=en",
            &[],
        )
        .await;
        assert!(english.body.contains("15 Oct 2022, 15:29 KST"));
        assert!(english.body.contains("Official apology"));
    })
}

#[test]
fn pages_carry_strong_etags_and_compression() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let first = get(&app.router, "/", &[("accept-encoding", "gzip, br")]).await;
        assert_eq!(first.headers[header::CONTENT_ENCODING], "br");
        let etag = first.headers[header::ETAG].to_str().unwrap().to_string();
        assert!(
            etag.starts_with('"') && !etag.starts_with("W/"),
            "strong ETag: {etag}"
        );
        assert!(first.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("public"));
        let again = get(
            &app.router,
            "/",
            &[("accept-encoding", "gzip, br"), ("if-none-match", &etag)],
        )
        .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        let gzip = get(&app.router, "/", &[("accept-encoding", "gzip")]).await;
        assert_eq!(gzip.headers[header::CONTENT_ENCODING], "gzip");
        let plain = get(&app.router, "/", &[]).await;
        assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
        assert!(plain.body.contains("모든 서비스 정상"));
    })
}

#[test]
fn a_page_rendered_again_without_changes_keeps_its_etag() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let first = get(&app.router, "/", &[]).await;
        // The minute rebuild: same data, new snapshot version, so the page is rendered again.
        let same = app.snapshot.load().state.clone();
        app.snapshot.rebuild(Some(same), Utc::now());
        let again = get(
            &app.router,
            "/",
            &[(
                "if-none-match",
                first.headers[header::ETAG].to_str().unwrap(),
            )],
        )
        .await;
        assert_eq!(
            again.status,
            StatusCode::NOT_MODIFIED,
            "browsers and CDNs can revalidate"
        );
    })
}

#[test]
fn wrong_addresses_get_404_in_the_readers_language() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        for uri in [
            "/nope",
            "/services/nope",
            "/incidents/nope",
            "/services/kakaotalk/extra",
        ] {
            let page = get(&app.router, uri, &[]).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
            assert!(page.body.contains("페이지를 찾을 수 없습니다"), "{uri}");
        }
        let english = get(&app.router, "/services/nope?lang=en", &[]).await;
        assert_eq!(english.status, StatusCode::NOT_FOUND);
        assert!(english.body.contains("Page not found"));
    })
}

#[test]
fn bad_history_filters_get_400_with_the_reason() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let cases = [
            ("/history?year=abc", "'abc'는 올바른 연도가 아닙니다"),
            ("/history?year=22", "'22'는 올바른 연도가 아닙니다"),
            ("/history?page=0", "'0'는 올바른 페이지 번호가 아닙니다"),
            ("/history?page=-1", "'-1'는 올바른 페이지 번호가 아닙니다"),
            ("/history?page=99", "99 페이지는 없습니다"),
            ("/history?service=nope", "'nope'라는 서비스는 없습니다"),
            (
                "/history?service=%3Cscript%3E",
                "'&lt;script&gt;'라는 서비스는 없습니다",
            ),
        ];
        for (uri, reason) in cases {
            let page = get(&app.router, uri, &[]).await;
            assert_eq!(page.status, StatusCode::BAD_REQUEST, "{uri}");
            assert!(page.body.contains(reason), "{uri}: expected {reason}");
        }
        let english = get(&app.router, "/history?year=abc&lang=en", &[]).await;
        assert!(english.body.contains("'abc' is not a year"));
    })
}

#[test]
fn history_filters_by_service_and_year() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let count = |body: &str| body.matches("class=\"incident-card").count();
        let all = get(&app.router, "/history", &[]).await;
        assert_eq!(count(&all.body), 5);
        // Newest first, grouped by month.
        let fire = all.body.find("2022-10-15-pangyo").unwrap();
        let oldest = all.body.find("2021-05-05-kakaotalk").unwrap();
        assert!(fire < oldest);
        assert!(all.body.contains("2022년 10월</h2>"));
        let y2021 = get(&app.router, "/history?year=2021", &[]).await;
        assert_eq!(count(&y2021.body), 2);
        let pay = get(&app.router, "/history?service=kakaopay", &[]).await;
        assert_eq!(count(&pay.body), 1);
        // A form submits empty fields for "all".
        let empty = get(&app.router, "/history?service=&year=&page=", &[]).await;
        assert_eq!(empty.status, StatusCode::OK);
        assert_eq!(count(&empty.body), 5);
    })
}

/// A service page lists its newest incidents, never more than ten however long its
/// history, and links to all of them: the history filtered by the service.
#[test]
fn a_service_page_lists_its_newest_incidents_and_links_to_the_rest() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let count = |body: &str| body.matches("class=\"incident-card").count();
        let before = get(&app.router, "/services/kakaotalk?lang=en", &[]).await;
        let seeded = count(&before.body);
        assert!(seeded < 10, "the seed has a short history");
        assert!(!before.body.contains("All incidents of this service"));
        let changes = app.changes.clone().expect("database up");
        let added = 12;
        for n in 0..added {
            let id = format!("generated-{n:02}");
            // Resolved, and before the 90-day bars: listed only among the incidents.
            let at = Utc::now() - chrono::Duration::days(200) + chrono::Duration::hours(n);
            changes
                .apply(
                    "comms-kim",
                    Change::OpenIncident(NewIncident {
                        id: id.clone(),
                        title_ko: format!("생성된 장애 {n}"),
                        title_en: Some(format!("Generated incident {n}")),
                        impact: Impact::Minor,
                        started_at: at,
                        components: vec![StatusChange {
                            component: "kakaotalk/login".into(),
                            status: ComponentStatus::PartialOutage,
                        }],
                        first_update: None,
                        crowd_signal_at: None,
                        checks_failed_at: None,
                    }),
                )
                .await
                .unwrap();
            changes
                .apply(
                    "comms-kim",
                    Change::PostUpdate(NewUpdate {
                        incident_id: id,
                        at: at + chrono::Duration::minutes(30),
                        state: IncidentState::Resolved,
                        kind: UpdateKind::Update,
                        retrospective: true,
                        body_ko: "복구되었습니다.".into(),
                        body_en: Some("Resolved.".into()),
                        components: vec![],
                        still_affected_confirmed: false,
                        notices: vec![],
                    }),
                )
                .await
                .unwrap();
        }
        let newest = "generated-11";
        let started = Instant::now();
        let page = loop {
            let page = get(&app.router, "/services/kakaotalk?lang=en", &[]).await;
            if page.body.contains(newest) || started.elapsed() > Duration::from_secs(2) {
                break page;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert_eq!(
            count(&page.body),
            10,
            "ten incidents, not the whole history"
        );
        let total = seeded + added as usize;
        assert!(
            page.body.contains(&format!(
                "<a href=\"/history?service=kakaotalk&amp;lang=en\">All incidents of this service ({total} incidents)</a>"
            )),
            "a link to the rest, with how many there are"
        );
        // Newest first: the last opened is listed, the first opened is a link away.
        assert!(page.body.contains("/incidents/generated-11"));
        assert!(!page.body.contains("/incidents/generated-00"));
        let history = get(
            &app.router,
            "/history?service=kakaotalk&page=2&lang=en",
            &[],
        )
        .await;
        assert!(history.body.contains("/incidents/generated-00"));
    })
}

#[test]
fn the_data_endpoints_answer_get_with_json() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let home = get(&app.router, "/_status/home?lang=en", &[]).await;
        assert_eq!(home.status, StatusCode::OK);
        let json: serde_json::Value = serde_json::from_str(&home.body).unwrap();
        assert_eq!(json["services"].as_array().unwrap().len(), 6);
        assert_eq!(json["services"][0]["name"], "KakaoTalk");
        assert!(home.headers.contains_key(header::ETAG));
    })
}

#[test]
fn a_change_is_on_the_public_page_within_a_second() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let before = get(&app.router, "/", &[]).await;
        let etag_before = before.headers[header::ETAG].clone();
        let changes = app.changes.clone().expect("database up");
        changes
            .apply(
                "comms-kim",
                Change::OpenIncident(NewIncident {
                    id: "photo-transfer-down".into(),
                    title_ko: "카카오톡 사진 전송 지연".into(),
                    title_en: None,
                    impact: Impact::Major,
                    started_at: Utc::now(),
                    components: vec![StatusChange {
                        component: "kakaotalk/media".into(),
                        status: ComponentStatus::PartialOutage,
                    }],
                    first_update: None,
                    crowd_signal_at: None,
                    checks_failed_at: None,
                }),
            )
            .await
            .unwrap();
        changes
            .apply(
                "comms-kim",
                Change::PostUpdate(NewUpdate {
                    incident_id: "photo-transfer-down".into(),
                    at: Utc::now(),
                    state: IncidentState::Investigating,
                    kind: UpdateKind::Update,
                    retrospective: false,
                    body_ko: "사진 전송이 지연되고 있습니다. <script>alert(1)</script>".into(),
                    body_en: None,
                    components: vec![],
                    still_affected_confirmed: false,
                    notices: vec![],
                }),
            )
            .await
            .unwrap();
        let started = Instant::now();
        let page = loop {
            let page = get(&app.router, "/", &[]).await;
            if page.body.contains("사진 전송이 지연되고 있습니다")
                || started.elapsed() > Duration::from_secs(1)
            {
                break page;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert!(
            page.body.contains("카카오톡 사진 전송 지연"),
            "visible within a second"
        );
        assert!(
            page.body.contains("사진 전송이 지연되고 있습니다"),
            "with its latest update"
        );
        assert!(
            page.body.contains("일부 서비스 부분 장애"),
            "the banner names the worst state"
        );
        assert!(page.body.contains("진행 중인 장애"));
        assert!(
            !page.body.contains("<script>alert(1)</script>"),
            "text is escaped, never executed"
        );
        assert!(
            page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "shown as the text it is"
        );
        assert_ne!(
            page.headers[header::ETAG],
            etag_before,
            "caches see the change"
        );
        // English readers get the Korean text, with a note saying so.
        let english = get(&app.router, "/incidents/photo-transfer-down?lang=en", &[]).await;
        assert!(english
            .body
            .contains("No English text yet; showing the Korean original."));
    })
}

#[test]
fn the_last_known_state_is_served_when_the_database_is_gone() {
    common::block_on(async {
        let db = common::sqlite();
        // A first start reads the database and keeps its state.
        drop(common::app(&db).await);
        // Then the database is unreachable.
        let mut config = common::config(&db);
        config.database_url = "postgres://nobody@127.0.0.1:1/none".into();
        let leptos = leptos::prelude::LeptosOptions::builder()
            .output_name("status")
            .site_root("none")
            .build();
        let app = server::startup::start(&config, leptos)
            .await
            .expect("starts without its database");
        assert!(app.changes.is_none());
        let history = get(&app.router, "/history", &[]).await;
        assert_eq!(history.status, StatusCode::OK);
        assert_eq!(history.body.matches("class=\"incident-card").count(), 5);
    })
}

/// A search result or a shared link says what each public page is, in its language.
#[test]
fn every_public_page_describes_itself_for_search_results_and_shared_links() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        for (uri, expected) in [
            ("/", "공식 장애 공지와 사과문"),
            ("/?lang=en", "official incident updates"),
            ("/services/kakaotalk", "카카오톡 — 메신저"),
            (
                "/incidents/2022-10-15-pangyo-datacenter-fire",
                "2022년 10월 15일",
            ),
            ("/history", "지금까지 기록된 모든 장애"),
            ("/availability", "가용성"),
            (
                "/incidents/2022-10-15-pangyo-datacenter-fire/record",
                "법이 요구하는 수치",
            ),
        ] {
            let page = get(&app.router, uri, &[]).await.body;
            let start = page
                .find("<meta name=\"description\" content=\"")
                .unwrap_or_else(|| panic!("{uri} has no description"))
                + 34;
            let content = &page[start..start + page[start..].find('"').unwrap()];
            assert!(content.chars().count() > 20, "{uri}: {content}");
            assert!(content.contains(expected), "{uri}: {content}");
            assert_eq!(
                page.matches("name=\"description\"").count(),
                1,
                "{uri} describes itself once"
            );
        }
    });
}
