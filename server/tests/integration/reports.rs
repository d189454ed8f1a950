//! Crowd reports over HTTP: counted once per client, refused with a reason, limited per
//! address, acknowledged only when stored, and the signal they feed.

use crate::common;

use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use server::startup::Running;
use tower::ServiceExt;

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn send(router: &Router, request: Request<Body>) -> Reply {
    let _rendering = common::ROUTE_DISCOVERY.read().await;
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn post(uri: &str, body: &str, address: &str, agent: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT_LANGUAGE, "ko")
        .header(header::USER_AGENT, agent)
        .header("x-forwarded-for", address)
        .body(Body::from(body.to_string()))
        .unwrap()
}

async fn stored(app: &Running) -> i64 {
    let store = app.changes.clone().unwrap().store().clone();
    let now = chrono::Utc::now().timestamp() / 60;
    store
        .report_totals(now - 60, now + 2)
        .await
        .unwrap()
        .iter()
        .map(|t| t.count)
        .sum()
}

async fn behind_a_proxy(db: &common::TestDb) -> Running {
    common::app_with(db, |config| {
        config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]
    })
    .await
}

#[test]
fn a_report_from_the_page_is_counted_once_and_thanked() {
    common::block_on(async {
        let db = common::sqlite();
        let app = behind_a_proxy(&db).await;
        let first = send(
            &app.router,
            post(
                "/report/kakaotalk",
                "problem=media&region=seoul",
                "198.51.100.7",
                "phone",
            ),
        )
        .await;
        assert_eq!(first.status, StatusCode::SEE_OTHER);
        assert_eq!(
            first.headers[header::LOCATION],
            "/report/kakaotalk/thanks?result=counted"
        );
        let again = send(
            &app.router,
            post("/report/kakaotalk", "problem=send", "198.51.100.7", "phone"),
        )
        .await;
        assert_eq!(
            again.headers[header::LOCATION],
            "/report/kakaotalk/thanks?result=repeat",
            "one per client per 15 minutes"
        );
        // Another service is another report.
        let other = send(
            &app.router,
            post(
                "/report/kakaomap",
                "problem=search",
                "198.51.100.7",
                "phone",
            ),
        )
        .await;
        assert_eq!(
            other.headers[header::LOCATION],
            "/report/kakaomap/thanks?result=counted"
        );
        assert_eq!(stored(&app).await, 2);

        let thanks = send(
            &app.router,
            Request::get("/report/kakaotalk/thanks?result=repeat")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(thanks.status, StatusCode::OK);
        assert!(thanks.body.contains("이미 제보하셨습니다"));
    })
}

#[test]
fn bad_reports_are_refused_with_a_reason_and_store_nothing() {
    common::block_on(async {
        let db = common::sqlite();
        let app = behind_a_proxy(&db).await;
        let page = send(
            &app.router,
            post("/report/kakaotalk", "problem=teleport", "198.51.100.8", "a"),
        )
        .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST);
        assert!(page.body.contains("문제를 목록에서 하나 고르세요"));
        let region = send(
            &app.router,
            post(
                "/report/kakaotalk",
                "problem=send&region=atlantis&lang=en",
                "198.51.100.8",
                "a",
            ),
        )
        .await;
        assert_eq!(region.status, StatusCode::BAD_REQUEST);
        assert!(region.body.contains("Pick a region from the list"));
        let api = send(
            &app.router,
            post(
                "/api/v1/reports",
                "service=nope&problem=send",
                "198.51.100.8",
                "a",
            ),
        )
        .await;
        assert_eq!(api.status, StatusCode::BAD_REQUEST);
        assert_eq!(api.headers[header::CONTENT_TYPE], "application/json");
        assert_eq!(stored(&app).await, 0);
    })
}

#[test]
fn a_flood_from_one_address_is_limited_and_does_not_fire_the_signal() {
    common::block_on(async {
        let db = common::sqlite();
        let app = behind_a_proxy(&db).await;
        let mut limited = 0;
        for i in 0..300 {
            let agent = format!("bot-{i}");
            let reply = send(
                &app.router,
                post(
                    "/api/v1/reports",
                    "service=kakaotalk&problem=send",
                    "203.0.113.66",
                    &agent,
                ),
            )
            .await;
            match reply.status {
                StatusCode::CREATED => {}
                StatusCode::TOO_MANY_REQUESTS => {
                    assert!(reply.headers.contains_key(header::RETRY_AFTER));
                    limited += 1;
                }
                other => panic!("unexpected {other}"),
            }
        }
        assert_eq!(limited, 290, "a burst of 10, then refused");
        assert_eq!(stored(&app).await, 10);
        let mut detectors = Default::default();
        let catalog = server::domain::catalog::Catalog::load(
            &common::repo_root().join("config/catalog.toml"),
        )
        .unwrap();
        let store = app.changes.clone().unwrap().store().clone();
        let crowd =
            server::crowd::figures::refresh(&*store, &catalog, &mut detectors, chrono::Utc::now())
                .await
                .unwrap();
        assert_eq!(
            crowd.services["kakaotalk"].firing_since, None,
            "one address cannot fire the signal"
        );
        assert_eq!(crowd.services["kakaotalk"].last_hour, 10);
    })
}

/// Many clients at once: every report answered 201 is stored (acked means durable), and
/// the surge fires the signal, which the public pages and the console show.
#[test]
fn every_acknowledged_report_is_stored_and_a_surge_fires_the_signal() {
    common::block_on(async {
        let db = common::sqlite();
        let app = behind_a_proxy(&db).await;
        let mut sends = tokio::task::JoinSet::new();
        for i in 0..2000 {
            let router = app.router.clone();
            sends.spawn(async move {
                let address = format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256);
                send(
                    &router,
                    post(
                        "/api/v1/reports",
                        "service=kakaotalk&problem=send&region=seoul",
                        &address,
                        "phone",
                    ),
                )
                .await
                .status
            });
        }
        let statuses = sends.join_all().await;
        let acked = statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count() as i64;
        assert!(statuses
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(stored(&app).await, acked, "acknowledged = stored");
        assert!(acked > 1900);

        // The figures refresh every second in tests.
        let start = std::time::Instant::now();
        while app
            .snapshot
            .crowd()
            .services
            .get("kakaotalk")
            .and_then(|c| c.firing_since)
            .is_none()
        {
            assert!(
                start.elapsed() < std::time::Duration::from_secs(10),
                "the signal fires"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let home = send(&app.router, Request::get("/").body(Body::empty()).unwrap()).await;
        assert!(home
            .body
            .contains("사용자들이 카카오톡에 문제가 있다고 제보하고 있습니다"));
        let service = send(
            &app.router,
            Request::get("/services/kakaotalk")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert!(service.body.contains("class=\"crowd-chart\""));
        assert!(service.body.contains("메시지 보내기"));
        assert!(service.body.contains("100% ("), "the top problem's share");
        let store = app.changes.clone().unwrap().store().clone();
        let signals = store
            .signals(chrono::Utc::now() - chrono::Duration::hours(1))
            .await
            .unwrap();
        assert_eq!(signals.len(), 1);
        assert_eq!(signals[0].service, "kakaotalk");
    })
}
