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
            "/api/v2/summary.json",
            "/api/v2/status.json",
            "/api/v2/components.json",
            "/api/v2/incidents.json",
            "/api/v2/incidents/unresolved.json",
            "/api/v2/scheduled-maintenances.json",
            "/api/v2/scheduled-maintenances/upcoming.json",
            "/api/v2/scheduled-maintenances/active.json",
        ] {
            assert!(paths.iter().any(|p| *p == path), "{path} is described");
        }
        assert!(doc["components"]["schemas"]["Incident"]["properties"]
            ["time_to_acknowledge_seconds"]
            .is_object());

        // Query parameters are in the query, optional; the service is one of the catalog's.
        let history = &doc["paths"]["/api/v1/incidents"]["get"];
        for parameter in history["parameters"].as_array().unwrap() {
            assert_eq!(parameter["in"], "query", "{parameter}");
            assert_eq!(parameter["required"], false, "{parameter}");
        }
        let parameter = |operation: &Value, name: &str| {
            operation["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .unwrap()
                .clone()
        };
        assert_eq!(
            parameter(history, "service")["schema"]["enum"][0],
            "kakaotalk"
        );
        assert_eq!(parameter(history, "page")["schema"]["minimum"], 1);
        let crowd_op = &doc["paths"]["/api/v1/services/{slug}/crowd"]["get"];
        assert_eq!(parameter(crowd_op, "slug")["in"], "path");
        assert_eq!(
            parameter(crowd_op, "slug")["schema"]["enum"]
                .as_array()
                .unwrap()
                .len(),
            6
        );
        assert!(
            crowd_op["responses"]["400"].is_object() && crowd_op["responses"]["404"].is_object()
        );

        // A report is a form naming one of its service's problems; every answer is JSON,
        // a refusal for too many says when to come back, and a report links to the
        // figures it counts in (what schemathesis's stateful phase follows).
        let report = &doc["paths"]["/api/v1/reports"]["post"];
        let form = &report["requestBody"]["content"]["application/x-www-form-urlencoded"];
        assert_eq!(form["schema"]["$ref"], "#/components/schemas/ReportRequest");
        assert_eq!(form["example"]["service"], "kakaotalk");
        let choices = doc["components"]["schemas"]["ReportRequest"]["oneOf"]
            .as_array()
            .unwrap();
        assert_eq!(choices.len(), 6, "one per service");
        let talk = choices
            .iter()
            .find(|c| c["properties"]["service"]["enum"][0] == "kakaotalk")
            .unwrap();
        assert!(talk["properties"]["problem"]["enum"]
            .as_array()
            .unwrap()
            .contains(&Value::from("send")));
        assert!(!talk["properties"]["problem"]["enum"]
            .as_array()
            .unwrap()
            .contains(&Value::from("payment")));
        assert_eq!(talk["properties"]["region"]["enum"][0], "");
        for status in [
            "200", "201", "202", "400", "408", "413", "415", "429", "503",
        ] {
            assert!(
                report["responses"][status]["content"]["application/json"]["schema"]["$ref"]
                    .is_string(),
                "{status} is documented with its JSON body"
            );
        }
        assert_eq!(
            report["responses"]["429"]["headers"]["Retry-After"]["required"],
            true
        );
        assert_eq!(
            report["responses"]["201"]["links"]["ReportedServiceCrowd"],
            serde_json::json!({ "operationId": "crowd", "parameters": { "slug": "$request.body#/service" } })
        );
        assert_eq!(
            doc["paths"]["/api/v1/services"]["get"]["responses"]["200"]["links"]
                ["FirstServiceCrowd"]["parameters"]["slug"],
            "$response.body#/0/slug"
        );
        // Statuspage's documents, described as served (and checked against it below).
        let summary = &doc["paths"]["/api/v2/summary.json"]["get"]["responses"];
        assert_eq!(
            summary["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Summary"
        );
        assert_eq!(summary["200"]["headers"]["ETag"]["required"], true);
        assert!(summary["304"].is_object());
        assert_eq!(
            doc["components"]["schemas"]["StatuspageComponent"]["additionalProperties"],
            false
        );

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
        // A page past the last is not found; one that is no page number is refused; both
        // say why, in JSON.
        let (status, _, past) = get(&app.router, "/api/v1/incidents?page=9", &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(past["error"], "there is no page 9; there are 1");
        for query in [
            "page=0",
            "page=1000001",
            "page=abc",
            "year=twenty",
            "service=",
        ] {
            let uri = format!("/api/v1/incidents?{query}");
            let (status, headers, bad) = get(&app.router, &uri, &[]).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
            assert_eq!(headers[header::CONTENT_TYPE], "application/json", "{query}");
            assert!(bad["error"].is_string(), "{query}");
        }
        let (status, headers, bad) = get(&app.router, "/api/v1/services/%FF/crowd", &[]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
        assert!(bad["error"].as_str().unwrap().contains("UTF-8"));

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

/// Every Statuspage document, with something in each list (an open incident with an
/// update that changed a component, an active and an upcoming maintenance), reads as
/// the schema the OpenAPI document gives it: the `doc` types read exactly the documented
/// fields and values, and refuse any other.
#[test]
fn every_statuspage_document_is_what_the_openapi_document_says() {
    use app::model::{ComponentStatus, Impact, IncidentState, UpdateKind};
    use server::domain::change::{Change, NewIncident, NewUpdate};
    use server::domain::state::{MaintenanceRecord, StatusChange};
    use server::web::statuspage::doc;

    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let changes = app.changes.clone().expect("database up");
        let now = chrono::Utc::now();
        let hour = chrono::Duration::hours(1);
        let mut apply = Vec::new();
        for (id, starts_at) in [("db-now", now - hour), ("db-later", now + hour * 48)] {
            apply.push(Change::ScheduleMaintenance(MaintenanceRecord {
                id: id.into(),
                title_ko: "카카오페이 결제 점검".into(),
                title_en: Some("Kakao Pay payments maintenance".into()),
                body_ko: "결제 시스템을 점검합니다.".into(),
                body_en: None,
                starts_at,
                ends_at: starts_at + hour * 2,
                components: vec!["kakaopay/payments".into()],
            }));
        }
        apply.push(Change::OpenIncident(NewIncident {
            id: "photos-slow".into(),
            title_ko: "카카오톡 사진 전송 지연".into(),
            title_en: None,
            impact: Impact::Major,
            started_at: now,
            components: vec![StatusChange {
                component: "kakaotalk/media".into(),
                status: ComponentStatus::PartialOutage,
            }],
            first_update: None,
            crowd_signal_at: None,
            checks_failed_at: None,
        }));
        apply.push(Change::PostUpdate(NewUpdate {
            incident_id: "photos-slow".into(),
            at: now,
            state: IncidentState::Identified,
            kind: UpdateKind::Update,
            retrospective: false,
            body_ko: "원인을 찾았습니다.".into(),
            body_en: Some("The cause is found.".into()),
            components: vec![StatusChange {
                component: "kakaotalk/media".into(),
                status: ComponentStatus::MajorOutage,
            }],
            still_affected_confirmed: false,
            notices: vec![],
        }));
        for change in apply {
            changes.apply("comms", change).await.unwrap();
        }
        for _ in 0..100 {
            let (_, _, open) = get(&app.router, "/api/v2/incidents/unresolved.json", &[]).await;
            if open["incidents"].as_array().is_some_and(|i| !i.is_empty()) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }

        let (_, _, openapi) = get(&app.router, "/api/openapi.json", &[]).await;
        fn reads<T: serde::de::DeserializeOwned>(uri: &str, document: &Value) {
            if let Err(error) = serde_json::from_value::<T>(document.clone()) {
                panic!("{uri} is not what the OpenAPI document says: {error}\n{document}");
            }
        }
        /// Reads a served document as its `doc` type, or fails saying where it differs.
        type Check = fn(&str, &Value);
        // Endpoint, its schema's name, its check, its list and how long that list is.
        let endpoints: [(&str, &str, Check, &str, usize); 8] = [
            ("summary", "Summary", reads::<doc::Summary>, "incidents", 1),
            (
                "status",
                "StatusDocument",
                reads::<doc::StatusDocument>,
                "",
                0,
            ),
            (
                "components",
                "ComponentsDocument",
                reads::<doc::ComponentsDocument>,
                "components",
                23,
            ),
            (
                "incidents",
                "IncidentsDocument",
                reads::<doc::IncidentsDocument>,
                "incidents",
                6,
            ),
            (
                "incidents/unresolved",
                "IncidentsDocument",
                reads::<doc::IncidentsDocument>,
                "incidents",
                1,
            ),
            (
                "scheduled-maintenances",
                "MaintenancesDocument",
                reads::<doc::MaintenancesDocument>,
                "scheduled_maintenances",
                2,
            ),
            (
                "scheduled-maintenances/upcoming",
                "MaintenancesDocument",
                reads::<doc::MaintenancesDocument>,
                "scheduled_maintenances",
                1,
            ),
            (
                "scheduled-maintenances/active",
                "MaintenancesDocument",
                reads::<doc::MaintenancesDocument>,
                "scheduled_maintenances",
                1,
            ),
        ];
        for (endpoint, schema, check, list, length) in endpoints {
            let path = format!("/api/v2/{endpoint}.json");
            assert_eq!(
                openapi["paths"][&path]["get"]["responses"]["200"]["content"]["application/json"]
                    ["schema"]["$ref"],
                format!("#/components/schemas/{schema}"),
                "{path}"
            );
            for lang in ["ko", "en"] {
                let uri = format!("{path}?lang={lang}");
                let (status, headers, document) = get(&app.router, &uri, &[]).await;
                assert_eq!(status, StatusCode::OK, "{uri}");
                assert!(headers.contains_key(header::ETAG), "{uri}");
                check(&uri, &document);
                if !list.is_empty() {
                    assert_eq!(document[list].as_array().unwrap().len(), length, "{uri}");
                }
            }
        }
        let (_, _, summary) = get(&app.router, "/api/v2/summary.json", &[]).await;
        assert_eq!(
            summary["scheduled_maintenances"].as_array().unwrap().len(),
            2
        );
        let update = &summary["incidents"][0]["incident_updates"][0];
        assert_eq!(
            update["affected_components"][0]["new_status"],
            "major_outage"
        );

        // A report sent as anything but a form is refused, in JSON, and not counted.
        let _rendering = common::ROUTE_DISCOVERY.read().await;
        let response = app
            .router
            .clone()
            .oneshot(
                Request::post("/api/v1/reports")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(r#"{"service":"kakaotalk","problem":"send"}"#))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let body: Value =
            serde_json::from_slice(&to_bytes(response.into_body(), usize::MAX).await.unwrap())
                .unwrap();
        assert_eq!(body["counted"], false);
        assert!(body["error"]
            .as_str()
            .unwrap()
            .contains("application/x-www-form-urlencoded"));
    })
}
