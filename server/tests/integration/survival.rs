//! Surviving the outage it reports: the database lost while an instance serves (pages
//! and documents say how old they are, reports wait in the spool and are stored once
//! when it is back, staff are told nothing changed), the stop that drains live streams,
//! the operators' endpoints, and the static mirror.

use crate::common;

use app::model::Role;
use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use common::browser::{add_user, Browser, PASSWORD};
use server::startup::{Mode, Running};
use std::time::{Duration, Instant};
use tower::ServiceExt;

async fn get(app: &Running, uri: &str) -> (StatusCode, String) {
    let _rendering = common::ROUTE_DISCOVERY.read().await;
    let request = Request::get(uri)
        .header(header::ACCEPT_LANGUAGE, "ko")
        .body(Body::empty())
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn report(app: &Running, client: &str) -> (StatusCode, String) {
    let _rendering = common::ROUTE_DISCOVERY.read().await;
    let request = Request::post("/api/v1/reports")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::USER_AGENT, client)
        .header("x-forwarded-for", format!("198.51.100.{}", client.len()))
        .body(Body::from("service=kakaotalk&problem=send"))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn eventually(within: Duration, what: &str, mut check: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < within, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn the_database_lost_while_serving_then_back_without_losing_a_report() {
    common::block_on(async {
        let db = common::postgres().await;
        let relay = common::proxy::Relay::start("127.0.0.1:5432".parse().unwrap()).await;
        let via_relay = db.url.replace("127.0.0.1:5432", &relay.addr.to_string());
        let app = common::app_with(&db, |config| {
            config.database_url = via_relay;
            config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        })
        .await;
        add_user(&app, "comms", Role::Comms).await;
        let mut staff = Browser::new(&app);
        staff.sign_in("comms", PASSWORD).await;
        let csrf = staff.csrf("/admin/signin").await;
        assert_eq!(report(&app, "phone-a").await.0, StatusCode::CREATED);
        let (_, home) = get(&app, "/").await;
        assert!(!home.contains("stale-notice"));

        relay.cut();
        eventually(Duration::from_secs(6), "the loss noticed", async || {
            app.snapshot.is_stale()
        })
        .await;
        // Every page and document says how old it is; the instance says degraded, not down.
        let (status, home) = get(&app, "/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(home.contains("id=\"stale-notice\""), "{home}");
        assert!(home.contains("실시간 정보가 지연되고 있습니다"));
        let (_, summary) = get(&app, "/api/v2/summary.json").await;
        let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
        assert_eq!(summary["stale"], true);
        assert!(summary["last_confirmed_at"].is_string());
        let (status, health) = get(&app, "/healthz").await;
        assert_eq!(status, StatusCode::OK);
        let health: serde_json::Value = serde_json::from_str(&health).unwrap();
        assert_eq!(health["status"], "degraded");
        assert_eq!(health["database"], "down");
        assert_eq!(get(&app, "/readyz").await.0, StatusCode::OK);

        // Reports are taken into the spool; one client still counts once.
        for client in ["phone-bb", "phone-ccc", "phone-dddd"] {
            let (status, body) = report(&app, client).await;
            assert_eq!(status, StatusCode::ACCEPTED, "{body}");
            assert!(body.contains("\"spooled\":true"));
        }
        assert_eq!(report(&app, "phone-bb").await.0, StatusCode::OK, "a repeat");
        // Staff are told plainly that nothing changed.
        let refused = staff
            .post(
                "/admin/actions/component-status",
                &[
                    ("csrf", &csrf),
                    ("component", "kakaotalk/messages"),
                    ("status", "major_outage"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(refused.body.contains("아무것도 바뀌지 않았습니다"));

        relay.restore();
        eventually(Duration::from_secs(10), "caught up", async || {
            let (_, health) = get(&app, "/healthz").await;
            health.contains("\"status\":\"ok\"") && health.contains("\"spooled_reports\":0")
        })
        .await;
        let (_, home) = get(&app, "/").await;
        assert!(!home.contains("stale-notice"));
        // Every acknowledged report is stored, once.
        let direct = server::store::connect(&db.url).await.unwrap();
        let now = chrono::Utc::now().timestamp() / 60;
        let counted: i64 = direct
            .report_totals(now - 10, now + 2)
            .await
            .unwrap()
            .iter()
            .map(|t| t.count)
            .sum();
        assert_eq!(counted, 4);
    });
}

#[test]
fn an_instance_started_without_its_database_says_so_and_still_takes_reports() {
    common::block_on(async {
        let db = common::sqlite();
        // A first start reads the database and keeps its state on disk.
        drop(common::app(&db).await);
        let app = common::app_with(&db, |config| {
            config.database_url = "postgres://nobody@127.0.0.1:1/none".into();
            config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        })
        .await;
        assert!(app.changes.is_none());
        let (status, home) = get(&app, "/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(home.contains("id=\"stale-notice\""));
        let (status, body) = report(&app, "phone").await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let (_, health) = get(&app, "/healthz").await;
        assert!(health.contains("\"spooled_reports\":1"), "{health}");
    });
}

#[test]
fn a_stop_ends_the_live_streams_and_readiness_first() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let response = {
            // Not held past the request: `get` takes it again, and a writer may wait.
            let _rendering = common::ROUTE_DISCOVERY.read().await;
            app.router
                .clone()
                .oneshot(Request::get("/api/v1/events").body(Body::empty()).unwrap())
                .await
                .unwrap()
        };
        let mut body = response.into_body().into_data_stream();
        use tokio_stream::StreamExt;
        let first = body.next().await.unwrap().unwrap();
        assert!(String::from_utf8_lossy(&first).contains("event: sync"));

        app.health.begin_drain();
        let (status, text) = get(&app, "/readyz").await;
        assert_eq!(
            (status, text.as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, "draining")
        );
        let ended = tokio::time::timeout(Duration::from_secs(2), async {
            while body.next().await.is_some() {}
        })
        .await;
        assert!(ended.is_ok(), "the live stream did not end at the stop");
    });
}

#[test]
fn metrics_count_requests_by_class_and_show_the_instance() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        get(&app, "/api/v2/summary.json").await;
        let (status, text) = get(&app, "/metrics").await;
        assert_eq!(status, StatusCode::OK);
        for name in [
            "status_http_requests_total{class=\"statuspage_api\",status=\"2xx\"}",
            "status_http_request_duration_seconds_bucket{class=\"statuspage_api\"",
            "status_database_up 1",
            "status_snapshot_version",
            "status_snapshot_age_seconds",
            "status_report_spool_depth 0",
            "status_outbox_backlog",
        ] {
            assert!(text.contains(name), "{name} missing from:\n{text}");
        }
    });
}

#[test]
fn the_static_mirror_links_only_to_its_own_files_and_rewrites_only_changes() {
    common::block_on(async {
        let db = common::sqlite();
        // The site folder the build makes (only what the test needs of it).
        let site = db.dir.path().join("site");
        std::fs::create_dir_all(site.join("pkg")).unwrap();
        std::fs::write(site.join("pkg/status.css"), "body{}").unwrap();
        std::fs::write(site.join("favicon.svg"), "<svg/>").unwrap();
        // The site seeds the database; the mirror only reads it.
        drop(common::app(&db).await);
        let app = common::app_as(&db, Mode::Mirror, |_| {}).await;
        let out = db.dir.path().join("mirror");
        let _rendering = common::ROUTE_DISCOVERY.read().await;
        let export = async || {
            server::mirror::export_once(
                &app.router,
                &app.snapshot,
                &out,
                &site,
                "https://status.example.com",
            )
            .await
            .unwrap()
        };
        let first = export().await;
        assert!(first.broken.is_empty(), "{:?}", first.broken);
        for file in [
            "index.html",
            "en/index.html",
            "services/kakaotalk/index.html",
            "en/services/kakaotalk/index.html",
            "incidents/2022-10-15-pangyo-datacenter-fire/index.html",
            "history/index.html",
            "en/history/index.html",
            "api/v2/summary.json",
            "en/api/v2/summary.json",
            "api/v1/services.json",
            "feed.atom",
            "maintenance.ics",
            "badge/kakaotalk.svg",
            "embed/index.html",
            "pkg/status.css",
        ] {
            assert!(out.join(file).is_file(), "{file} is missing");
        }
        // Every link of every page leads to a file of the mirror, in its language.
        let mut pages = 0;
        let mut folders = vec![out.clone()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "html") {
                    continue;
                }
                pages += 1;
                let html = std::fs::read_to_string(&path).unwrap();
                assert!(!html.contains("<script"), "{} has a script", path.display());
                assert!(html.contains("id=\"mirror-notice\""));
                let english = path.starts_with(out.join("en"));
                for link in server::mirror::links::links(&html) {
                    let value = &link.value;
                    if !value.starts_with('/') {
                        continue;
                    }
                    assert!(!value.contains('?'), "{value} in {}", path.display());
                    let target = out.join(value.trim_start_matches('/'));
                    let target = if value.ends_with('/') {
                        target.join("index.html")
                    } else {
                        target
                    };
                    assert!(
                        target.is_file(),
                        "{value} in {} leads nowhere",
                        path.display()
                    );
                }
                // The home link of a page stays in its language.
                let home = if english {
                    "href=\"/en/\""
                } else {
                    "href=\"/\""
                };
                if html.contains("class=\"site-name\"") {
                    assert!(html.contains(home), "{} loses its language", path.display());
                }
            }
        }
        assert!(pages > 20, "only {pages} pages");
        let english_home = std::fs::read_to_string(out.join("en/index.html")).unwrap();
        assert!(english_home.contains("href=\"/en/services/kakaotalk/\""));
        assert!(english_home.contains("generated"));

        let again = export().await;
        assert_eq!(again.written, 0, "nothing changed, nothing rewritten");
        assert_eq!(again.files, first.files);
    });
}
