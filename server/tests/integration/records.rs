//! The regulator's record: availability tables and their exports, from the seeded
//! history (the real 2021–2022 outages).

use crate::common;

use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::Value;
use tower::ServiceExt;

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

async fn get(router: &Router, uri: &str) -> Reply {
    let _rendering = common::ROUTE_DISCOVERY.read().await;
    let response = router
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

/// October 2022 has 31 × 1,440 = 44,640 minutes (KST).
const OCTOBER: f64 = 44_640.0;

/// The seeded figures of October 2022, computed by hand from seed/kakao-history.toml
/// (all KST; "major" minutes count 1, "partial" 0.3, "degraded" 0):
///
/// kakaotalk/messages  major 10-04 14:14–14:32 (18) + 10-15 15:29–10-16 01:31 (511 + 91
///                     = 602) = 620; then degraded until 10-20 23:00 (not down).
/// kakaotalk/media     major 10-15 15:29–10-20 23:00: 511 + 4 × 1,440 + 1,380 = 7,651.
/// kakaotalk/login     18 (10-04) + 7,651 = 7,669.
/// kakaotalk/gift      7,651 (its 2022-09-15 partial outage is September's).
/// KakaoTalk           mean (620 + 7,651 + 7,669 + 7,651) / 4 = 5,897.75.
/// kakaopay/payments   major 10-15 15:29–10-16 08:00: 511 + 480 = 991.
/// kakaopay/transfer   major 10-15 15:29–10-16 15:30: 511 + 930 = 1,441.
/// Kakao Pay           mean (991 + 1,441) / 2 = 1,216.
/// kakaot/taxi         major 10-15 15:29–10-16 15:30 (1,441), then partial until
///                     10-20 23:00: 510 + 3 × 1,440 + 1,380 = 6,210 partial minutes;
///                     weighted 1,441 + 0.3 × 6,210 = 3,304.
const HAND: [(&str, &str, f64, f64, f64); 8] = [
    ("kakaotalk", "messages", 620.0, 0.0, 620.0),
    ("kakaotalk", "media", 7_651.0, 0.0, 7_651.0),
    ("kakaotalk", "login", 7_669.0, 0.0, 7_669.0),
    ("kakaotalk", "gift", 7_651.0, 0.0, 7_651.0),
    ("kakaotalk", "", 5_897.75, 0.0, 5_897.75),
    ("kakaopay", "", 1_216.0, 0.0, 1_216.0),
    ("kakaot", "taxi", 1_441.0, 6_210.0, 3_304.0),
    ("kakaopay", "transfer", 1_441.0, 0.0, 1_441.0),
];

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn october_2022_availability_matches_the_figures_computed_by_hand_from_the_seed() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let reply = get(&app.router, "/availability.json?year=2022").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let view = reply.json();
        assert_eq!(view["year"], 2022);
        for (service, component, major, partial, down) in HAND {
            let s = view["services"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["service"]["slug"] == service)
                .unwrap_or_else(|| panic!("{service} is in the table"));
            let figures = if component.is_empty() {
                &s["service"]
            } else {
                s["components"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["slug"] == component)
                    .unwrap_or_else(|| panic!("{service}/{component} is in the table"))
            };
            let october = &figures["months"][9];
            let what = format!("{service}/{component}");
            assert!(
                close(october["elapsed"].as_f64().unwrap(), OCTOBER),
                "{what}"
            );
            assert!(
                close(october["major"].as_f64().unwrap(), major),
                "{what}: {october}"
            );
            assert!(
                close(october["partial"].as_f64().unwrap(), partial),
                "{what}: {october}"
            );
            assert!(
                close(october["down"].as_f64().unwrap(), down),
                "{what}: {october}"
            );
            let availability = 100.0 * (1.0 - down / OCTOBER);
            assert!(
                close(october["availability"].as_f64().unwrap(), availability),
                "{what}: {october}"
            );
        }
        // KakaoTalk's October: 86.79 %, as the page shows it (rounded down).
        let page = get(&app.router, "/availability?year=2022&service=kakaotalk").await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(
            html.contains("86.78%"),
            "the service's October figure is on the page"
        );
        assert!(html.contains("availability-chart"), "the chart is drawn");
        // The ledger point the figures reflect is the seed's last public entry.
        assert!(view["ledger"]["seq"].as_i64().unwrap() > 0);
        assert_eq!(view["ledger"]["head_hash"].as_str().unwrap().len(), 64);
    });
}

#[test]
fn the_csv_export_opens_with_korean_intact_and_carries_the_ledger_point() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let reply = get(&app.router, "/availability.csv?year=2022").await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        assert!(reply.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("availability-2022.csv"));
        let bom = "\u{feff}".as_bytes();
        assert!(
            reply.body.starts_with(bom),
            "Excel needs the byte-order mark"
        );
        let mut reader = csv::Reader::from_reader(&reply.body[bom.len()..]);
        let header_row = reader.headers().unwrap().clone();
        let column = |name: &str| header_row.iter().position(|h| h == name).unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let october_talk = rows
            .iter()
            .find(|r| {
                &r[column("service")] == "kakaotalk"
                    && r[column("component")].is_empty()
                    && &r[column("month")] == "10"
            })
            .expect("KakaoTalk's October row");
        assert_eq!(&october_talk[column("service_name")], "카카오톡");
        assert_eq!(&october_talk[column("weighted_down_min")], "5897.8");
        let json = get(&app.router, "/availability.json?year=2022")
            .await
            .json();
        for row in &rows {
            assert_eq!(
                &row[column("ledger_head_hash")],
                json["ledger"]["head_hash"].as_str().unwrap()
            );
            assert_eq!(
                row[column("ledger_seq")].parse::<i64>().unwrap(),
                json["ledger"]["seq"].as_i64().unwrap()
            );
        }
        let media = rows
            .iter()
            .find(|r| &r[column("component")] == "media" && &r[column("month")] == "10")
            .unwrap();
        assert_eq!(&media[column("component_name")], "사진·동영상 전송");
    });
}

#[test]
fn a_bad_year_or_service_is_refused_in_the_readers_language() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        for (uri, korean) in [
            ("/availability?year=1999", "1999년의 기록은 없습니다"),
            ("/availability?year=2999", "2999년의 기록은 없습니다"),
            ("/availability?year=20x2", "올바른 연도가 아닙니다"),
            ("/availability?service=nope", "'nope'라는 서비스는 없습니다"),
        ] {
            let page = get(&app.router, uri).await;
            assert_eq!(page.status, StatusCode::BAD_REQUEST, "{uri}");
            assert!(page.text().contains(korean), "{uri}");
        }
        let english = get(&app.router, "/availability?year=1999&lang=en").await;
        assert_eq!(english.status, StatusCode::BAD_REQUEST);
        assert!(english.text().contains("There is no record for 1999"));
        for uri in [
            "/availability.json?year=1999",
            "/availability.csv?service=nope",
        ] {
            let reply = get(&app.router, uri).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{uri}");
            let body = reply.json();
            assert!(body["error"].as_str().unwrap().len() > 10);
            assert!(body["error_ko"].as_str().unwrap().len() > 10);
        }
    });
}

/// The verdicts for the five real incidents: only the fire passed the 4-hour threshold
/// of its day; its first notice (15:50) came before the notice was due (19:29) but no
/// notice on record gave a contact point, and no compensation notice is on record.
#[test]
fn the_five_real_incidents_get_the_verdicts_of_the_rules_of_their_day() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let below = [
            "2021-05-05-kakaotalk-messages",
            "2021-07-16-kakaotalk-images",
            "2022-09-15-daum-gift-login",
            "2022-10-04-kakaotalk-messages",
        ];
        for id in below {
            let record = get(&app.router, &format!("/incidents/{id}/record.json"))
                .await
                .json();
            let standing = |duty: &str| {
                record["duties"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|d| d["duty"] == duty)
                    .unwrap()["standing"]
                    .clone()
            };
            assert_eq!(standing("user_notice"), "below_threshold", "{id}");
            assert_eq!(standing("compensation_notice"), "below_threshold", "{id}");
            assert_eq!(standing("ministry_report"), "not_in_force", "{id}");
        }
        let fire = get(
            &app.router,
            "/incidents/2022-10-15-pangyo-datacenter-fire/record.json?lang=en",
        )
        .await;
        assert_eq!(fire.status, StatusCode::OK);
        let fire = fire.json();
        // 15:29 → 15:50; 15:29 on the 15th → 23:00 on the 20th.
        assert_eq!(fire["time_to_acknowledge"], 21);
        assert_eq!(fire["time_to_resolve"], 7_651);
        let duty = |name: &str| {
            fire["duties"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["duty"] == name)
                .unwrap()
                .clone()
        };
        let notice = duty("user_notice");
        assert_eq!(notice["standing"], "met");
        assert_eq!(notice["due_at"], "2022-10-15T10:29:00Z");
        assert_eq!(notice["missing"], serde_json::json!(["a contact point"]));
        assert_eq!(notice["fulfilled_by"].as_array().unwrap().len(), 3);
        let compensation = duty("compensation_notice");
        assert_eq!(compensation["standing"], "overdue");
        assert_eq!(compensation["due_at"], "2022-11-19T14:00:00Z");
        assert_eq!(duty("ministry_report")["standing"], "not_in_force");
        // Photo transfer was down from 15:29 on the 15th to 23:00 on the 20th.
        let media = fire["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "kakaotalk/media")
            .unwrap()
            .clone();
        assert_eq!(media["major"], 7_651.0);
        // Messages: down until 01:31 (602 min), then degraded until the end.
        let messages = fire["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "kakaotalk/messages")
            .unwrap()
            .clone();
        assert_eq!(messages["major"], 602.0);
        assert_eq!(messages["degraded"], 7_049.0);

        // The page says the same, in Korean, with every statement verbatim.
        let page = get(
            &app.router,
            "/incidents/2022-10-15-pangyo-datacenter-fire/record",
        )
        .await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        for expected in [
            "기한 내 이행",
            "기한 경과 (이행 기록 없음)",
            "해당 없음 (당시 시행 전)",
            "상담 접수 연락처",
            "완전한 복구가 지연되고 있는 점 다시 한번 사과드린다",
            "이 기록의 일부는 나중에 공개 보도를 바탕으로 작성되었습니다",
        ] {
            assert!(html.contains(expected), "the record page shows {expected}");
        }
    });
}

#[test]
fn the_history_and_incident_exports_read_back_with_korean_intact() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let reply = get(&app.router, "/history.csv?year=2022").await;
        assert_eq!(reply.status, StatusCode::OK);
        let bom = "\u{feff}".as_bytes();
        assert!(reply.body.starts_with(bom));
        let mut reader = csv::Reader::from_reader(&reply.body[bom.len()..]);
        let header_row = reader.headers().unwrap().clone();
        let column = |name: &str| header_row.iter().position(|h| h == name).unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3, "three incidents in 2022");
        let fire = rows
            .iter()
            .find(|r| &r[column("id")] == "2022-10-15-pangyo-datacenter-fire")
            .unwrap();
        assert_eq!(
            &fire[column("title")],
            "SK C&C 판교 데이터센터 화재로 카카오 서비스 전면 장애"
        );
        assert_eq!(&fire[column("time_to_acknowledge_min")], "21");
        assert_eq!(&fire[column("user_notice")], "met");
        assert_eq!(fire[column("ledger_head_hash")].len(), 64);

        let record = get(
            &app.router,
            "/incidents/2022-10-15-pangyo-datacenter-fire/record.csv",
        )
        .await;
        assert_eq!(record.status, StatusCode::OK);
        let mut reader = csv::Reader::from_reader(&record.body[bom.len()..]);
        let statements: Vec<csv::StringRecord> = reader
            .records()
            .map(Result::unwrap)
            .filter(|r| &r[0] == "statement")
            .collect();
        assert!(statements
            .iter()
            .any(|r| r[4].contains("완전한 복구가 지연되고 있는 점 다시 한번 사과드린다")));

        for (uri, status) in [
            ("/history.csv?year=abcd", StatusCode::BAD_REQUEST),
            ("/history.json?service=nope", StatusCode::BAD_REQUEST),
            ("/incidents/no-such/record.json", StatusCode::NOT_FOUND),
            (
                "/incidents/2022-10-15-pangyo-datacenter-fire/record.xml",
                StatusCode::NOT_FOUND,
            ),
        ] {
            let reply = get(&app.router, uri).await;
            assert_eq!(reply.status, status, "{uri}");
            assert!(reply.json()["error_ko"].as_str().is_some(), "{uri}");
        }
        let missing = get(&app.router, "/incidents/no-such/record").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
    });
}

// ---------------------------------------------------------------------------
// As of a past moment: the ledger replayed.

use app::model::{ComponentStatus, Impact, IncidentState, UpdateKind};
use server::domain::change::{
    Change, ComponentStatusChange, Correction, FirstUpdate, NewIncident, NewUpdate,
};
use server::domain::replay;
use server::domain::state::{MaintenanceRecord, StatusChange};

const FIRE: &str = "/incidents/2022-10-15-pangyo-datacenter-fire";

/// A little of every public change staff make, after the seeded history.
async fn staff_changes(app: &server::startup::Running) -> i64 {
    let changes = app.changes.clone().unwrap();
    let now = chrono::Utc::now();
    changes
        .apply(
            "comms",
            Change::OpenIncident(NewIncident {
                id: "payments-slow".into(),
                title_ko: "결제 지연".into(),
                title_en: Some("Payments slow".into()),
                impact: Impact::Minor,
                started_at: now - chrono::Duration::minutes(20),
                components: vec![StatusChange {
                    component: "kakaopay/payments".into(),
                    status: ComponentStatus::DegradedPerformance,
                }],
                first_update: Some(FirstUpdate {
                    at: now,
                    kind: UpdateKind::Update,
                    body_ko: "결제가 느립니다. 원인을 찾고 있습니다.".into(),
                    body_en: None,
                    notices: vec![],
                }),
                crowd_signal_at: Some(now - chrono::Duration::minutes(25)),
                checks_failed_at: None,
            }),
        )
        .await
        .unwrap();
    changes
        .apply(
            "comms",
            Change::SetComponentStatus(ComponentStatusChange {
                component: "kakaopay/payments".into(),
                status: ComponentStatus::PartialOutage,
                incident_id: Some("payments-slow".into()),
            }),
        )
        .await
        .unwrap();
    changes
        .apply(
            "comms",
            Change::ScheduleMaintenance(MaintenanceRecord {
                id: "db-upgrade".into(),
                title_ko: "DB 업그레이드".into(),
                title_en: None,
                body_ko: "점검".into(),
                body_en: None,
                starts_at: now + chrono::Duration::days(1),
                ends_at: now + chrono::Duration::days(1) + chrono::Duration::hours(1),
                components: vec!["kakaot/taxi".into()],
            }),
        )
        .await
        .unwrap();
    changes
        .apply(
            "comms",
            Change::PostUpdate(NewUpdate {
                incident_id: "payments-slow".into(),
                at: chrono::Utc::now(),
                state: IncidentState::Resolved,
                kind: UpdateKind::Update,
                retrospective: false,
                body_ko: "복구되었습니다.".into(),
                body_en: Some("Resolved.".into()),
                components: vec![],
                still_affected_confirmed: false,
                notices: vec![],
            }),
        )
        .await
        .unwrap();
    let state = changes.store().load().await.unwrap();
    let first = state
        .incidents()
        .iter()
        .find(|i| i.id == "payments-slow")
        .unwrap()
        .updates[0]
        .id;
    changes
        .apply(
            "comms",
            Change::CorrectUpdate(Correction {
                incident_id: "payments-slow".into(),
                update_id: first,
                body_ko: "결제가 느립니다. 카드사 연동 문제입니다.".into(),
                body_en: None,
            }),
        )
        .await
        .unwrap();
    first
}

/// The ledger alone rebuilds exactly the state the database holds, on both engines.
#[test]
fn replaying_the_whole_ledger_gives_the_state_the_database_holds() {
    common::block_on(async {
        for db in [common::sqlite(), common::postgres().await] {
            let app = common::app(&db).await;
            staff_changes(&app).await;
            let store = app.changes.clone().unwrap().store().clone();
            let loaded = store.load().await.unwrap();
            let entries = replay::public_entries(&store.ledger().await.unwrap()).unwrap();
            let replayed = replay::replay(&entries, &replay::update_ids(&loaded), None);
            assert_eq!(replayed.incidents(), loaded.incidents(), "{}", db.url);
            // The ledger does not hold the rows' ids (the database's own numbering).
            let without_ids = |state: &server::domain::state::StoredState| {
                state
                    .events()
                    .iter()
                    .map(|e| (e.component.clone(), e.status, e.at, e.incident_id.clone()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(without_ids(&replayed), without_ids(&loaded), "{}", db.url);
            assert_eq!(replayed.maintenances, loaded.maintenances, "{}", db.url);
            assert_eq!(replayed.last_change, loaded.last_change, "{}", db.url);
            assert_eq!(replayed.ledger_head, loaded.ledger_head, "{}", db.url);
        }
    });
}

#[test]
fn as_of_shows_the_fire_as_the_public_saw_it_before_the_notice_at_07_24_and_resolved() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let at = |moment: &str| format!("{FIRE}/record.json?as_of={moment}");

        // 15:40: the outage had begun (15:29); nothing had been published yet.
        let before = get(&app.router, &at("2022-10-15T15:40%2B09:00"))
            .await
            .json();
        assert_eq!(before["past"], true);
        assert_eq!(before["incident"]["updates"].as_array().unwrap().len(), 0);
        assert_eq!(before["first_notice_at"], serde_json::Value::Null);
        let page = get(
            &app.router,
            &format!("{FIRE}?as_of=2022-10-15T15:40%2B09:00"),
        )
        .await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        assert!(html.contains("과거 시점 보기"));
        assert!(html.contains("당시 공지 기록 없음"), "not acknowledged yet");
        assert!(
            !html.contains("긴급 점검"),
            "the 15:50 notice is not shown yet"
        );

        // 08:00 the next morning, with the '+' unencoded as a form sends it: the 07:24
        // statement, no resolution.
        let morning = get(&app.router, &at("2022-10-16T08:00+09:00")).await.json();
        assert_eq!(morning["incident"]["summary"]["state"], "identified");
        assert_eq!(
            morning["incident"]["summary"]["resolved_at"],
            serde_json::Value::Null
        );
        let bodies: Vec<String> = morning["incident"]["updates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["body"]["text"].as_str().unwrap().to_string())
            .collect();
        assert!(bodies.iter().any(|b| b.contains("다시 한번 사과드린다")));
        assert!(!bodies.iter().any(|b| b.contains("모든 서비스가 복구됐다")));
        // Photo transfer was still down then: the availability counted up to 08:00.
        let media = morning["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "kakaotalk/media")
            .unwrap()
            .clone();
        assert_eq!(media["major"], 991.0); // 15:29 → 08:00
        let page = get(
            &app.router,
            &format!("{FIRE}?as_of=2022-10-16T08:00%2B09:00"),
        )
        .await;
        assert!(page.text().contains("다시 한번 사과드린다"));
        assert!(!page.text().contains("모든 서비스가 복구됐다"));

        // After the resolution: the page as it is now, with the banner.
        let after = get(&app.router, &at("2022-10-21T00:00%2B09:00"))
            .await
            .json();
        assert_eq!(after["incident"]["summary"]["state"], "resolved");
        assert_eq!(
            after["incident"]["summary"]["resolved_at"],
            "2022-10-20T14:00:00Z"
        );
        let now = get(&app.router, &format!("{FIRE}/record.json"))
            .await
            .json();
        assert_eq!(
            after["incident"]["updates"].as_array().unwrap().len(),
            now["incident"]["updates"].as_array().unwrap().len() - 1,
            "all but the postmortem of 6 December"
        );

        // The history and the availability, as of a moment: the fire is not in 2022's
        // history as of 2022-10-01, and September's figures are all there were.
        let history = get(&app.router, "/history.json?as_of=2022-10-01T00:00%2B09:00")
            .await
            .json();
        let ids: Vec<&str> = history["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["incident"]["summary"]["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), 3);
        assert!(!ids.contains(&"2022-10-15-pangyo-datacenter-fire"));
        let csv = get(
            &app.router,
            "/availability.csv?year=2022&as_of=2022-10-16T08:00%2B09:00",
        )
        .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.text().contains("2022-10-15T23:00:00Z"),
            "as_of on every row"
        );
    });
}

#[test]
fn as_of_before_a_correction_shows_the_original_text() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let changes = app.changes.clone().unwrap();
        let published = chrono::Utc::now();
        changes
            .apply(
                "comms",
                Change::OpenIncident(NewIncident {
                    id: "login-errors".into(),
                    title_ko: "로그인 오류".into(),
                    title_en: None,
                    impact: Impact::Minor,
                    started_at: published - chrono::Duration::minutes(5),
                    components: vec![StatusChange {
                        component: "kakao-account/login".into(),
                        status: ComponentStatus::PartialOutage,
                    }],
                    first_update: Some(FirstUpdate {
                        at: published,
                        kind: UpdateKind::Update,
                        body_ko: "로그인이 10분 동안 안 됩니다.".into(),
                        body_en: None,
                        notices: vec![],
                    }),
                    crowd_signal_at: None,
                    checks_failed_at: None,
                }),
            )
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let update = changes
            .store()
            .load()
            .await
            .unwrap()
            .incidents()
            .iter()
            .find(|i| i.id == "login-errors")
            .unwrap()
            .updates[0]
            .id;
        changes
            .apply(
                "comms",
                Change::CorrectUpdate(Correction {
                    incident_id: "login-errors".into(),
                    update_id: update,
                    body_ko: "로그인이 1분 동안 안 됩니다.".into(),
                    body_en: None,
                }),
            )
            .await
            .unwrap();
        // The snapshot is rebuilt after the change is published, not inside `apply`.
        let corrected = (app.snapshot)
            .wait_until(std::time::Duration::from_secs(5), |s| {
                s.load().state.incidents().iter().any(|i| {
                    i.id == "login-errors" && i.updates[0].body_ko.starts_with("로그인이 1분")
                })
            })
            .await;
        assert!(corrected, "the correction reached the snapshot");
        let between = (published + chrono::Duration::milliseconds(700))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let then = get(
            &app.router,
            &format!("/incidents/login-errors?as_of={between}"),
        )
        .await;
        assert_eq!(then.status, StatusCode::OK);
        assert!(
            then.text().contains("로그인이 10분 동안 안 됩니다."),
            "the original text"
        );
        assert!(!then.text().contains("로그인이 1분 동안"));
        let now = get(&app.router, "/incidents/login-errors").await;
        assert!(now.text().contains("로그인이 1분 동안 안 됩니다."));
    });
}

#[test]
fn a_moment_that_cannot_be_shown_is_refused_with_the_reason() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        for (uri, korean) in [
            (
                format!("{FIRE}?as_of=yesterday"),
                "읽을 수 있는 시각이 아닙니다",
            ),
            (
                format!("{FIRE}?as_of=2022-13-01T00:00"),
                "읽을 수 있는 시각이 아닙니다",
            ),
            (
                format!("{FIRE}/record?as_of=2021-05-05T21:00%2B09:00"),
                "기록된 가장 이른 사실",
            ),
            ("/history?as_of=2099-01-01T00:00Z".to_string(), "미래입니다"),
            (
                "/availability?as_of=2020-01-01T00:00Z".to_string(),
                "기록된 가장 이른 사실",
            ),
        ] {
            let page = get(&app.router, &uri).await;
            assert_eq!(page.status, StatusCode::BAD_REQUEST, "{uri}");
            assert!(page.text().contains(korean), "{uri}: {korean}");
        }
        for uri in [
            "/history.csv?as_of=later",
            "/availability.json?as_of=2099-01-01T00:00Z",
            "/incidents/2022-10-15-pangyo-datacenter-fire/record.csv?as_of=1999-01-01T00:00Z",
        ] {
            let reply = get(&app.router, uri).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{uri}");
            assert!(reply.json()["error_ko"].as_str().is_some());
        }
        // The earliest fact itself can be shown: 21:47 on 5 May 2021.
        let first = get(&app.router, "/history?as_of=2021-05-05T21:47%2B09:00").await;
        assert_eq!(first.status, StatusCode::OK);
    });
}

/// Every sequence number a record's figures name.
fn named_sources(record: &Value) -> Vec<(String, Vec<i64>)> {
    let seqs = |v: &Value| -> Vec<i64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_i64().unwrap())
            .collect()
    };
    let mut named = Vec::new();
    for m in record["milestones"].as_array().unwrap() {
        named.push((format!("milestone {}", m["kind"]), seqs(&m["sources"])));
    }
    for c in record["components"].as_array().unwrap() {
        named.push((format!("component {}", c["id"]), seqs(&c["sources"])));
    }
    for d in record["duties"].as_array().unwrap() {
        for f in d["fulfilled_by"].as_array().unwrap() {
            named.push((format!("duty {}", d["duty"]), seqs(&f["sources"])));
        }
    }
    for figure in ["time_to_acknowledge", "time_to_resolve", "apology"] {
        named.push((figure.to_string(), seqs(&record["figure_sources"][figure])));
    }
    named
}

#[test]
fn every_figure_of_the_fire_names_ledger_entries_that_are_in_the_chain() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let store = app.changes.clone().unwrap().store().clone();
        let chain = store.ledger().await.unwrap();
        let record = get(&app.router, &format!("{FIRE}/record.json"))
            .await
            .json();
        let listed = record["ledger_entries"].as_array().unwrap();
        assert!(listed.len() >= 10, "{}", listed.len());
        // Each listed entry is the chain's, hash and all.
        for entry in listed {
            let seq = entry["seq"].as_i64().unwrap();
            let held = chain.iter().find(|e| e.seq == seq).unwrap();
            assert_eq!(entry["hash"], held.hash.as_str(), "entry {seq}");
            assert_eq!(entry["action"], held.action.as_str(), "entry {seq}");
        }
        let listed_seqs: Vec<i64> = listed.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        // Every figure names at least one entry, and only listed ones.
        for (figure, seqs) in named_sources(&record) {
            assert!(!seqs.is_empty(), "{figure} names no ledger entry");
            for seq in seqs {
                assert!(
                    listed_seqs.contains(&seq),
                    "{figure} names {seq}, not listed"
                );
            }
        }
        // The first impact comes from the entry that opened the incident.
        let first = record["milestones"][0]["sources"][0].as_i64().unwrap();
        assert_eq!(
            chain.iter().find(|e| e.seq == first).unwrap().action,
            "open_incident"
        );
        // The page links each figure to its entry, listed with its hash.
        let page = get(&app.router, &format!("{FIRE}/record")).await.text();
        assert!(page.contains(&format!("href=\"#ledger-{first}\"")));
        assert!(page.contains(&format!("id=\"ledger-{first}\"")));
        let held = chain.iter().find(|e| e.seq == first).unwrap();
        assert!(page.contains(&held.hash));
        // The CSV lists the same entries.
        let csv = get(&app.router, &format!("{FIRE}/record.csv")).await.text();
        assert_eq!(csv.matches("\r\nledger_entry,").count(), listed.len());

        // As of 08:00 on the 16th: no entry behind the resolution (20th) or the apology.
        let past = get(
            &app.router,
            &format!("{FIRE}/record.json?as_of=2022-10-16T08:00%2B09:00"),
        )
        .await
        .json();
        let past_listed = past["ledger_entries"].as_array().unwrap();
        assert!(!past_listed.is_empty() && past_listed.len() < listed.len());
        assert_eq!(
            past["figure_sources"]["time_to_resolve"],
            serde_json::json!([])
        );
        // Within a past view, links keep its moment: incident ↔ record, history → incident.
        let moment = "as_of=2022-10-15T23:00:00Z";
        let page = get(
            &app.router,
            &format!("{FIRE}?as_of=2022-10-16T08:00%2B09:00"),
        )
        .await
        .text();
        assert!(
            page.contains(&format!("href=\"{FIRE}/record?{moment}\"")),
            "{page}"
        );
        let page = get(&app.router, &format!("{FIRE}/record?{moment}"))
            .await
            .text();
        assert!(page.contains(&format!("href=\"{FIRE}?{moment}\"")));
        let page = get(&app.router, &format!("/history?{moment}")).await.text();
        assert!(page.contains(&format!("href=\"{FIRE}?{moment}\"")));
        for (figure, seqs) in named_sources(&past) {
            for seq in seqs {
                assert!(
                    past_listed.iter().any(|e| e["seq"] == seq),
                    "{figure} names {seq}, not listed as of then"
                );
            }
        }
    });
}

#[test]
fn the_record_shows_the_busiest_minute_of_crowd_reports_during_the_incident() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let store = app.changes.clone().unwrap().store().clone();
        let kst = |h: u32, m: u32| {
            chrono::TimeZone::with_ymd_and_hms(&app::format::kst(), 2022, 10, 15, h, m, 0)
                .unwrap()
                .with_timezone(&chrono::Utc)
        };
        let mut n = 0;
        let mut reports = |service: &str, at: chrono::DateTime<chrono::Utc>, count: usize| {
            (0..count)
                .map(|i| {
                    n += 1;
                    server::store::NewReport {
                        service: service.into(),
                        problem: "send".into(),
                        region: String::new(),
                        client: format!("client-{n}"),
                        at: at + chrono::Duration::seconds((i % 60) as i64),
                        key: server::crowd::intake::report_key(),
                    }
                })
                .collect::<Vec<_>>()
        };
        let before = get(&app.router, &format!("{FIRE}/record.json"))
            .await
            .json();
        assert_eq!(before["crowd_counts_read"], true);
        assert_eq!(before["crowd_peak"], Value::Null);
        // 13:00 is more than an hour before the first sign (15:29): not this incident's.
        let mut batch = reports("kakaotalk", kst(13, 0), 900);
        batch.extend(reports("kakaotalk", kst(15, 31), 300));
        batch.extend(reports("kakaotalk", kst(15, 32), 120));
        batch.extend(reports("kakaopay", kst(15, 32), 200));
        store.add_reports(&batch).await.unwrap();
        let record = get(&app.router, &format!("{FIRE}/record.json"))
            .await
            .json();
        let peak = &record["crowd_peak"];
        // 15:32: 120 + 200 over the incident's services together.
        assert_eq!(peak["reports"], 320);
        assert_eq!(peak["minute"], "2022-10-15T06:32:00Z");
        assert_eq!(
            peak["services"][0],
            serde_json::json!(["카카오톡", "2022-10-15T06:31:00Z", 300])
        );
        let page = get(&app.router, &format!("{FIRE}/record")).await.text();
        assert!(page.contains("분당 최다 제보"));
        // As of 15:31, the 15:32 minute had not happened.
        let past = get(
            &app.router,
            &format!("{FIRE}/record.json?as_of=2022-10-15T15:31:30%2B09:00"),
        )
        .await
        .json();
        assert_eq!(past["crowd_peak"]["reports"], 300);
    });
}
