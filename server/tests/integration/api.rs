//! Contract tests of the Statuspage-compatible API: the shape of Atlassian Statuspage's
//! public v2 documents (field names, types, value sets, nesting), checked field by field.

use crate::common;

use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::Value;
use tower::ServiceExt;

async fn get(
    router: &Router,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let _rendering = common::ROUTE_DISCOVERY.read().await;
    let mut request = Request::get(uri);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

const COMPONENT_STATUSES: [&str; 5] = [
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
];
const INCIDENT_STATUSES: [&str; 5] = [
    "investigating",
    "identified",
    "monitoring",
    "resolved",
    "postmortem",
];
const IMPACTS: [&str; 4] = ["none", "minor", "major", "critical"];

fn is_time(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

fn check_page(page: &Value) {
    for key in ["id", "name", "url", "time_zone"] {
        assert!(page[key].is_string(), "page.{key}");
    }
    assert!(is_time(&page["updated_at"]));
}

fn check_component(c: &Value, groups: &[String]) {
    for key in ["id", "name", "page_id"] {
        assert!(c[key].is_string(), "component.{key}: {c}");
    }
    assert!(
        COMPONENT_STATUSES.contains(&c["status"].as_str().unwrap()),
        "{c}"
    );
    assert!(is_time(&c["created_at"]) && is_time(&c["updated_at"]));
    assert!(c["position"].is_u64());
    assert!(
        c["showcase"].is_boolean()
            && c["group"].is_boolean()
            && c["only_show_if_degraded"].is_boolean()
    );
    assert!(c["description"].is_string() || c["description"].is_null());
    assert!(c.get("start_date").is_some());
    if c["group"] == true {
        assert!(c["group_id"].is_null());
        assert!(c["components"]
            .as_array()
            .is_some_and(|ids| !ids.is_empty()));
    } else {
        assert!(
            groups.contains(&c["group_id"].as_str().unwrap().to_string()),
            "group_id names a group: {c}"
        );
    }
}

fn check_incident(i: &Value) {
    for key in ["id", "name", "shortlink", "page_id"] {
        assert!(i[key].is_string(), "incident.{key}");
    }
    assert!(INCIDENT_STATUSES.contains(&i["status"].as_str().unwrap()));
    assert!(IMPACTS.contains(&i["impact"].as_str().unwrap()));
    for key in ["created_at", "updated_at", "started_at"] {
        assert!(is_time(&i[key]), "incident.{key}");
    }
    for key in ["monitoring_at", "resolved_at"] {
        assert!(i[key].is_null() || is_time(&i[key]), "incident.{key}");
    }
    for u in i["incident_updates"].as_array().unwrap() {
        assert!(INCIDENT_STATUSES.contains(&u["status"].as_str().unwrap()));
        for key in ["id", "body", "incident_id"] {
            assert!(u[key].is_string(), "update.{key}");
        }
        for key in ["created_at", "updated_at", "display_at"] {
            assert!(is_time(&u[key]), "update.{key}");
        }
        assert_eq!(u["incident_id"], i["id"]);
        if let Some(affected) = u["affected_components"].as_array() {
            for a in affected {
                assert!(a["code"].is_string() && a["name"].is_string());
                assert!(COMPONENT_STATUSES.contains(&a["old_status"].as_str().unwrap()));
                assert!(COMPONENT_STATUSES.contains(&a["new_status"].as_str().unwrap()));
            }
        } else {
            assert!(u["affected_components"].is_null());
        }
    }
    assert!(i["components"].is_array());
}

#[test]
fn summary_has_the_statuspage_v2_shape() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let (status, headers, summary) = get(&app.router, "/api/v2/summary.json", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        check_page(&summary["page"]);
        let components = summary["components"].as_array().unwrap();
        let groups: Vec<String> = components
            .iter()
            .filter(|c| c["group"] == true)
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            groups,
            [
                "kakaotalk",
                "kakaopay",
                "kakaot",
                "kakaomap",
                "daum",
                "kakao-account"
            ]
        );
        for c in components {
            check_component(c, &groups);
        }
        assert!(components
            .iter()
            .any(|c| c["id"] == "kakaotalk.media" && c["name"] == "사진·동영상 전송"));
        assert_eq!(
            summary["incidents"],
            Value::Array(vec![]),
            "nothing unresolved in the seeded history"
        );
        assert!(summary["scheduled_maintenances"].is_array());
        assert_eq!(summary["status"]["indicator"], "none");
        assert_eq!(summary["status"]["description"], "모든 서비스 정상");

        let (_, _, english) = get(&app.router, "/api/v2/status.json?lang=en", &[]).await;
        assert_eq!(english["status"]["description"], "All Systems Operational");
        // Statuspage's two keys, and ours: whether the data is as of a lost database.
        assert_eq!(
            english.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["last_confirmed_at", "page", "stale", "status"]
        );
        assert_eq!(english["stale"], false);
        assert_eq!(english["last_confirmed_at"], Value::Null);
    })
}

#[test]
fn incidents_carry_their_updates_and_the_fire_its_postmortem() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let (_, headers, all) = get(
            &app.router,
            "/api/v2/incidents.json",
            &[("accept-language", "en")],
        )
        .await;
        let incidents = all["incidents"].as_array().unwrap();
        assert_eq!(incidents.len(), 5);
        for i in incidents {
            check_incident(i);
        }
        let fire = &incidents[0];
        assert_eq!(fire["id"], "2022-10-15-pangyo-datacenter-fire");
        assert_eq!(fire["status"], "postmortem");
        assert_eq!(fire["impact"], "critical");
        assert_eq!(fire["started_at"], "2022-10-15T06:29:00.000Z");
        assert_eq!(
            fire["incident_updates"][0]["status"], "postmortem",
            "newest first"
        );
        let resolve = fire["incident_updates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["status"] == "resolved")
            .unwrap();
        let messages = resolve["affected_components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["code"] == "kakaotalk.messages")
            .unwrap();
        assert_eq!(messages["new_status"], "operational");
        assert_ne!(messages["old_status"], "operational");

        // Revalidation: the same document is a 304 by its ETag.
        let etag = headers[header::ETAG].to_str().unwrap().to_string();
        let (status, _, _) = get(
            &app.router,
            "/api/v2/incidents.json",
            &[("accept-language", "en"), ("if-none-match", &etag)],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);

        for uri in [
            "/api/v2/incidents/unresolved.json",
            "/api/v2/scheduled-maintenances.json",
            "/api/v2/scheduled-maintenances/upcoming.json",
            "/api/v2/scheduled-maintenances/active.json",
            "/api/v2/components.json",
        ] {
            let (status, _, doc) = get(&app.router, uri, &[]).await;
            assert_eq!(status, StatusCode::OK, "{uri}");
            check_page(&doc["page"]);
        }
    })
}

#[test]
fn our_own_api_is_described_by_an_openapi_3_1_document_generated_from_the_code() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let (status, _, doc) = get(&app.router, "/api/openapi.json", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(doc["openapi"], "3.1.0");
        let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
        for path in [
            "/api/v1/services",
            "/api/v1/services/{slug}/crowd",
            "/api/v1/incidents",
            "/api/v1/reports",
            "/api/v1/events",
        ] {
            assert!(paths.iter().any(|p| *p == path), "{path} is described");
        }
        assert!(doc["components"]["schemas"]["Incident"]["properties"]
            ["time_to_acknowledge_seconds"]
            .is_object());

        let (_, _, services) = get(&app.router, "/api/v1/services?lang=en", &[]).await;
        let services = services.as_array().unwrap();
        assert_eq!(services.len(), 6);
        assert_eq!(services[0]["name"], "KakaoTalk");
        assert_eq!(services[0]["status"], "operational");
        assert_eq!(services[0]["reports_last_hour"], 0);

        let (_, _, daum) = get(&app.router, "/api/v1/incidents?service=daum", &[]).await;
        assert_eq!(daum["total"], 2);
        let ids: Vec<&str> = daum["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "2022-10-15-pangyo-datacenter-fire",
                "2022-09-15-daum-gift-login"
            ]
        );
        let (_, _, year) = get(&app.router, "/api/v1/incidents?year=2021", &[]).await;
        assert_eq!(year["total"], 2);
        let (status, _, bad) = get(&app.router, "/api/v1/incidents?service=nope", &[]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(bad["error"], "there is no service 'nope'");
        let (status, _, _) = get(&app.router, "/api/v1/incidents?page=9", &[]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        let (status, _, crowd) = get(&app.router, "/api/v1/services/kakaotalk/crowd", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(crowd["bin_minutes"], 5);
        let (status, _, missing) = get(&app.router, "/api/v1/services/nope/crowd", &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(missing["error"].is_string());

        let _rendering = common::ROUTE_DISCOVERY.read().await;
        let page = tower::ServiceExt::oneshot(
            app.router.clone(),
            Request::get("/api").body(Body::empty()).unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = String::from_utf8(
            to_bytes(page.into_body(), usize::MAX)
                .await
                .unwrap()
                .to_vec(),
        )
        .unwrap();
        assert!(
            html.contains("<code>/api/v1/incidents</code>")
                && html.contains("/api/v2/summary.json")
        );
    })
}
