//! The staff console over HTTP, on both databases: who may do what (every role × every
//! action), sign-in and sessions, CSRF, and refused input that changes nothing.

use crate::common;
use crate::on_both_backends;

use axum::http::{header, StatusCode};
use common::browser::*;
use common::TestDb;
use server::domain::change::Change;
use server::startup::Running;

async fn ledger_len(app: &Running) -> usize {
    app.changes
        .clone()
        .unwrap()
        .store()
        .ledger()
        .await
        .unwrap()
        .len()
}

on_both_backends!(
    every_role_can_do_exactly_what_it_may,
    without_a_session_or_token_nothing_changes,
    sign_in_rotates_the_session_and_sign_out_ends_it,
    failed_sign_ins_are_throttled_without_revealing_names,
    bad_input_is_refused_with_its_reason_and_the_input_kept,
    an_incident_from_open_to_postmortem,
);

/// A console action: where it posts, its fields, and whether the role may do it.
type Action<'a> = (&'a str, Vec<(&'a str, &'a str)>, bool);

const OPEN: &[(&str, &str)] = &[
    ("intent", "publish"),
    ("title_ko", "카카오톡 사진 전송 장애"),
    ("title_en", "KakaoTalk photo transfer failing"),
    ("impact", "major"),
    ("started_at", "2026-11-25T09:00"),
    ("c.kakaotalk/media", "major_outage"),
    ("kind", "update"),
    ("body_ko", "사진 전송이 되지 않습니다."),
];

/// Every action, for every role: allowed ones change state and write one ledger entry
/// each; refused ones answer 403 and write nothing.
async fn every_role_can_do_exactly_what_it_may(db: TestDb) {
    use app::model::Role;
    let app = common::app(&db).await;
    for role in Role::ALL {
        let name = format!("staff-{}", role.as_str());
        let mut browser = signed_in(&app, &name, role).await;
        let publish = role.can_publish();
        let admin = role.can_manage_staff();

        let before = ledger_len(&app).await;
        let reply = browser.act("/admin/actions/open-incident", OPEN).await;
        if publish {
            assert_eq!(
                reply.status,
                StatusCode::SEE_OTHER,
                "{role:?} opens an incident"
            );
            assert!(reply
                .location()
                .starts_with("/admin/incidents/2026-11-25-kakaotalk"));
            assert_eq!(ledger_len(&app).await, before + 1);
        } else {
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{role:?} may not open an incident"
            );
            assert!(reply.body.contains("권한이 없습니다"));
            assert_eq!(ledger_len(&app).await, before);
        }

        // The seeded fire is resolved: a postmortem can be attached to it.
        let fire_id = "2022-10-15-pangyo-datacenter-fire".to_string();
        let state = app.changes.clone().unwrap().store().load().await.unwrap();
        let fire = state.incidents().iter().find(|i| i.id == fire_id).unwrap();
        let update_id = fire.updates[0].id.to_string();
        let new_name = format!("new-by-{}", role.as_str());
        let actions: Vec<Action> = vec![
            (
                "/admin/actions/post-update",
                vec![
                    ("incident", &fire_id),
                    ("state", "resolved"),
                    ("kind", "postmortem"),
                    ("body_ko", "사후 분석 보강"),
                    ("intent", "publish"),
                ],
                publish,
            ),
            (
                "/admin/actions/correct-update",
                vec![
                    ("incident", &fire_id),
                    ("update", &update_id),
                    ("body_ko", "정정된 문장"),
                ],
                publish,
            ),
            (
                "/admin/actions/component-status",
                vec![
                    ("component", "kakaomap/search"),
                    ("status", "degraded_performance"),
                ],
                publish,
            ),
            (
                "/admin/actions/schedule-maintenance",
                vec![
                    ("title_ko", "정기 점검"),
                    ("body_ko", "점검합니다"),
                    ("starts_at", "2030-01-01T02:00"),
                    ("ends_at", "2030-01-01T04:00"),
                    ("components", "kakaotalk/messages"),
                ],
                publish,
            ),
            (
                "/admin/actions/add-user",
                vec![
                    ("name", &new_name),
                    ("role", "comms"),
                    ("password", PASSWORD),
                ],
                admin,
            ),
        ];
        for (action, fields, allowed) in actions {
            let before = ledger_len(&app).await;
            let reply = browser.act(action, &fields).await;
            if allowed {
                assert_eq!(
                    reply.status,
                    StatusCode::SEE_OTHER,
                    "{role:?} {action}: {}",
                    reply.body
                );
                let page = browser.get(reply.location()).await;
                assert!(
                    !page.body.contains("class=\"form-error\""),
                    "{role:?} {action} was refused: {}",
                    page.body
                );
                assert_eq!(
                    ledger_len(&app).await,
                    before + 1,
                    "{role:?} {action} is in the ledger"
                );
            } else {
                assert_eq!(
                    reply.status,
                    StatusCode::FORBIDDEN,
                    "{role:?} may not {action}"
                );
                assert_eq!(
                    ledger_len(&app).await,
                    before,
                    "{role:?} {action} changed nothing"
                );
            }
        }

        // Pages: what each role may open.
        for (page, allowed) in [
            ("/admin", true),
            ("/admin/incidents/new", publish),
            ("/admin/maintenance/new", publish),
            ("/admin/users", admin),
            ("/admin/ledger", role.can_read_ledger()),
        ] {
            let reply = browser.get(page).await;
            let expected = if allowed {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(reply.status, expected, "{role:?} GET {page}");
        }
        let export = browser.get("/admin/ledger/export").await;
        if role.can_read_ledger() {
            assert_eq!(export.status, StatusCode::OK);
            assert!(export.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/jsonl"));
            assert_eq!(export.body.lines().count(), ledger_len(&app).await);
        } else {
            assert_eq!(
                export.status,
                StatusCode::FORBIDDEN,
                "{role:?} may not export the ledger"
            );
        }
    }
}

async fn without_a_session_or_token_nothing_changes(db: TestDb) {
    let app = common::app(&db).await;
    let before = ledger_len(&app).await;
    let mut stranger = Browser::new(&app);
    let reply = stranger.post("/admin/actions/open-incident", OPEN).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/admin/signin");
    let page = stranger.get("/admin").await;
    assert!(
        page.status.is_redirection(),
        "the console redirects to sign-in"
    );
    assert!(stranger
        .get("/admin/ledger/export")
        .await
        .status
        .is_redirection());

    let mut comms = signed_in(&app, "kim", app::model::Role::Comms).await;
    let before_signed_in = ledger_len(&app).await;
    let mut stale: Vec<(&str, &str)> = vec![(
        "csrf",
        "0000000000000000000000000000000000000000000000000000000000000000",
    )];
    stale.extend_from_slice(OPEN);
    let reply = comms.post("/admin/actions/open-incident", &stale).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(
        reply.body.contains("양식이 만료되었습니다"),
        "{}",
        reply.body
    );
    let reply = comms.post("/admin/actions/open-incident", OPEN).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "no token at all");
    assert_eq!(ledger_len(&app).await, before_signed_in);
    assert!(
        before_signed_in > before,
        "only the account and its sign-in were recorded"
    );
}

async fn sign_in_rotates_the_session_and_sign_out_ends_it(db: TestDb) {
    let app = common::app(&db).await;
    add_user(&app, "lee", app::model::Role::Comms).await;
    let mut browser = Browser::new(&app);
    let form = browser.get("/admin/signin").await;
    assert_eq!(
        form.headers["x-frame-options"], "DENY",
        "no other site may frame the console"
    );
    let anonymous = browser
        .cookie
        .clone()
        .expect("the sign-in form starts a session");
    assert!(browser
        .sign_in("lee", PASSWORD)
        .await
        .status
        .is_redirection());
    let signed_in = browser.cookie.clone().unwrap();
    assert_ne!(anonymous, signed_in, "the session id changes at sign-in");
    let ledger = app.changes.clone().unwrap().store().ledger().await.unwrap();
    assert_eq!(ledger.last().unwrap().action, "sign_in");
    assert_eq!(ledger.last().unwrap().actor, "lee");

    assert_eq!(browser.get("/admin").await.status, StatusCode::OK);
    let reply = browser.act("/admin/actions/signout", &[]).await;
    assert_eq!(reply.location(), "/admin/signin");
    // The old cookie names nothing any more.
    let mut replay = Browser {
        router: app.router.clone(),
        cookie: Some(signed_in),
    };
    assert!(replay.get("/admin").await.status.is_redirection());
    let ledger = app.changes.clone().unwrap().store().ledger().await.unwrap();
    assert_eq!(ledger.last().unwrap().action, "sign_out");
}

async fn failed_sign_ins_are_throttled_without_revealing_names(db: TestDb) {
    let app = common::app(&db).await;
    add_user(&app, "park", app::model::Role::Comms).await;
    let mut browser = Browser::new(&app);
    let mut messages = Vec::new();
    for name in ["park", "nobody"] {
        for _ in 0..5 {
            let reply = browser.sign_in(name, "wrong password!").await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER);
        }
        let reply = browser.sign_in(name, PASSWORD).await;
        assert_eq!(
            reply.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{name} is throttled"
        );
        assert!(reply.headers.contains_key(header::RETRY_AFTER));
        messages.push(reply.body.replace(name, ""));
    }
    assert_eq!(
        messages[0], messages[1],
        "a missing account looks the same as a real one"
    );
    let ledger = app.changes.clone().unwrap().store().ledger().await.unwrap();
    assert_eq!(
        ledger
            .iter()
            .filter(|e| e.action == "sign_in_failed")
            .count(),
        10
    );
    assert!(
        !ledger
            .iter()
            .any(|e| e.canonical.contains("wrong password")),
        "no password in the ledger"
    );
    assert!(
        !ledger.iter().any(|e| e.canonical.contains("$argon2")),
        "no hash in the ledger"
    );
}

async fn bad_input_is_refused_with_its_reason_and_the_input_kept(db: TestDb) {
    let app = common::app(&db).await;
    let mut comms = signed_in(&app, "choi", app::model::Role::Comms).await;
    let long = "가".repeat(201);
    let with = |changes: &[(&'static str, &'static str)]| -> Vec<(&'static str, String)> {
        OPEN.iter()
            .map(|(k, v)| {
                (
                    *k,
                    changes
                        .iter()
                        .find(|(ck, _)| ck == k)
                        .map(|(_, cv)| cv.to_string())
                        .unwrap_or(v.to_string()),
                )
            })
            .collect()
    };
    let mut cases: Vec<(Vec<(&str, String)>, &str)> = vec![
        (with(&[("title_ko", "  ")]), "한국어 제목을(를) 입력하세요"),
        (
            with(&[("c.kakaotalk/media", "")]),
            "영향받는 구성 요소를 하나 이상 고르세요",
        ),
        (
            with(&[("started_at", "yesterday")]),
            "올바른 날짜·시각이 아닙니다",
        ),
        (with(&[("impact", "apocalyptic")]), "영향도를 고르세요"),
        (
            with(&[("c.kakaotalk/media", "on_fire")]),
            "구성 요소 상태가 아닙니다",
        ),
    ];
    let mut long_title = with(&[]);
    long_title[1].1 = long.clone();
    cases.push((long_title, "200자를 넘을 수 없습니다"));
    let mut unknown = with(&[]);
    unknown.push(("c.kakaotalk/teleport", "major_outage".into()));
    cases.push((
        unknown,
        "카탈로그에 'kakaotalk/teleport' 구성 요소가 없습니다",
    ));
    let before = ledger_len(&app).await;
    for (fields, message) in cases {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let reply = comms.act("/admin/actions/open-incident", &fields).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(reply.location(), "/admin/incidents/new");
        let form = comms.get("/admin/incidents/new").await;
        assert!(form.body.contains(message), "the form says '{message}'");
        assert!(
            form.body.contains("사진 전송이 되지 않습니다."),
            "what was typed is kept"
        );
    }
    assert_eq!(ledger_len(&app).await, before, "nothing was written");

    // Open one, then: a resolve that leaves an outage without saying so is refused.
    let reply = comms.act("/admin/actions/open-incident", OPEN).await;
    let id = reply
        .location()
        .trim_start_matches("/admin/incidents/")
        .to_string();
    let before = ledger_len(&app).await;
    let reply = comms
        .act(
            "/admin/actions/post-update",
            &[
                ("incident", &id),
                ("state", "resolved"),
                ("kind", "update"),
                ("body_ko", "해결"),
                ("c.kakaotalk/media", "partial_outage"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let page = comms.get(reply.location()).await;
    assert!(
        page.body.contains("해결 후에도 kakaotalk/media이(가)"),
        "{}",
        page.body
    );
    // A maintenance window that ends before it starts.
    let reply = comms
        .act(
            "/admin/actions/schedule-maintenance",
            &[
                ("title_ko", "점검"),
                ("body_ko", "점검"),
                ("starts_at", "2030-01-01T04:00"),
                ("ends_at", "2030-01-01T02:00"),
                ("components", "kakaotalk/messages"),
            ],
        )
        .await;
    let page = comms.get(reply.location()).await;
    assert!(page
        .body
        .contains("점검 종료 시각이 시작 시각보다 앞섭니다"));
    assert_eq!(ledger_len(&app).await, before, "nothing was written");

    // Resolved: a later update is refused (only a postmortem may follow).
    let reply = comms
        .act(
            "/admin/actions/post-update",
            &[
                ("incident", &id),
                ("state", "resolved"),
                ("kind", "update"),
                ("body_ko", "해결됐습니다"),
            ],
        )
        .await;
    assert!(comms
        .get(reply.location())
        .await
        .body
        .contains("업데이트를 게시했습니다"));
    let before = ledger_len(&app).await;
    let reply = comms
        .act(
            "/admin/actions/post-update",
            &[
                ("incident", &id),
                ("state", "monitoring"),
                ("kind", "update"),
                ("body_ko", "다시 열기"),
            ],
        )
        .await;
    assert!(comms
        .get(reply.location())
        .await
        .body
        .contains("이미 해결된 장애입니다"));
    assert_eq!(ledger_len(&app).await, before);

    // In English, the same refusal reads in English.
    let reply = comms
        .act(
            "/admin/actions/post-update",
            &[
                ("lang", "en"),
                ("incident", &id),
                ("state", "monitoring"),
                ("kind", "update"),
                ("body_ko", "x"),
            ],
        )
        .await;
    assert_eq!(reply.location(), format!("/admin/incidents/{id}?lang=en"));
    assert!(comms
        .get(reply.location())
        .await
        .body
        .contains("this incident is resolved"));
}

/// The incident lifecycle as the public sees it: opened, apology, component back on its
/// own, resolved (every component back to operational), corrected, postmortem.
async fn an_incident_from_open_to_postmortem(db: TestDb) {
    let app = common::app(&db).await;
    let mut comms = signed_in(&app, "jung", app::model::Role::Comms).await;
    let mut fields = OPEN.to_vec();
    fields.push(("c.kakaotalk/login", "partial_outage"));
    fields.push((
        "body_en",
        "<script>alert('x')</script> Photos cannot be sent.",
    ));
    let reply = comms.act("/admin/actions/open-incident", &fields).await;
    let id = reply
        .location()
        .trim_start_matches("/admin/incidents/")
        .to_string();
    let public = |app: &Running, id: String| {
        let router = app.router.clone();
        async move {
            let mut reader = Browser {
                router,
                cookie: None,
            };
            reader.get(&format!("/incidents/{id}?lang=en")).await.body
        }
    };
    let page = public(&app, id.clone()).await;
    assert!(page.contains("KakaoTalk photo transfer failing"));
    assert!(
        page.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;")
            || page.contains("&lt;script&gt;"),
        "text, never markup"
    );
    assert!(!page.contains("<script>alert("));

    comms
        .act(
            "/admin/actions/post-update",
            &[
                ("incident", &id),
                ("state", "identified"),
                ("kind", "apology"),
                ("body_ko", "불편을 드려 죄송합니다."),
                ("body_en", "We are sorry."),
            ],
        )
        .await;
    comms
        .act(
            "/admin/actions/component-status",
            &[("component", "kakaotalk/login"), ("status", "operational")],
        )
        .await;
    let snapshot = app.snapshot.load();
    assert_eq!(
        snapshot.current_status("kakaotalk/login"),
        app::model::ComponentStatus::Operational
    );
    assert_eq!(
        snapshot.current_status("kakaotalk/media"),
        app::model::ComponentStatus::MajorOutage
    );
    assert!(public(&app, id.clone()).await.contains("Official apology"));

    comms
        .act(
            "/admin/actions/post-update",
            &[
                ("incident", &id),
                ("state", "resolved"),
                ("kind", "update"),
                ("body_ko", "복구됐습니다."),
            ],
        )
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        app.snapshot.load().current_status("kakaotalk/media"),
        app::model::ComponentStatus::Operational,
        "resolve returns components to operational"
    );

    let state = app.changes.clone().unwrap().store().load().await.unwrap();
    let incident = state.incidents().iter().find(|i| i.id == id).unwrap();
    let apology = incident
        .updates
        .iter()
        .find(|u| u.kind == app::model::UpdateKind::Apology)
        .unwrap();
    let apology_id = apology.id.to_string();
    comms
        .act(
            "/admin/actions/correct-update",
            &[
                ("incident", &id),
                ("update", &apology_id),
                ("body_ko", "큰 불편을 드려 진심으로 사과드립니다."),
                ("body_en", "We are deeply sorry."),
            ],
        )
        .await;
    let page = public(&app, id.clone()).await;
    assert!(page.contains("We are deeply sorry."));
    assert!(page.contains("Edited"), "a correction is marked");
    let ledger = app.changes.clone().unwrap().store().ledger().await.unwrap();
    assert!(
        ledger.iter().any(|e| e.canonical.contains("We are sorry.")),
        "the original stays in the ledger"
    );

    comms
        .act(
            "/admin/actions/post-update",
            &[
                ("incident", &id),
                ("state", "resolved"),
                ("kind", "postmortem"),
                ("body_ko", "원인과 대책"),
                ("body_en", "Cause and fixes"),
            ],
        )
        .await;
    assert!(public(&app, id.clone()).await.contains("Cause and fixes"));
    server::domain::ledger::verify(&app.changes.clone().unwrap().store().ledger().await.unwrap())
        .expect("the ledger verifies");
}

/// The README's promise: an export can be re-verified by someone else's few lines of
/// Python (scripts/verify-ledger.py uses none of this project's code), and an edit to the
/// export is caught there too.
#[test]
fn an_exported_ledger_verifies_with_an_independent_script() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let mut admin = signed_in(&app, "auditor", app::model::Role::Admin).await;
        let mut fields = OPEN.to_vec();
        fields.push((
            "body_en",
            "Quotes \" and back\\slashes, tabs\t, 한글 and emoji 🔥 survive",
        ));
        admin.act("/admin/actions/open-incident", &fields).await;
        let export = admin.get("/admin/ledger/export").await;
        assert_eq!(export.status, StatusCode::OK);
        let head = app
            .changes
            .clone()
            .unwrap()
            .store()
            .ledger()
            .await
            .unwrap()
            .last()
            .unwrap()
            .hash
            .clone();

        let run = |text: String| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("ledger.jsonl");
            std::fs::write(&path, text).unwrap();
            let out = std::process::Command::new("python3")
                .arg(common::repo_root().join("scripts/verify-ledger.py"))
                .arg(&path)
                .output()
                .expect("python3 runs");
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
            )
        };
        let (ok, said) = run(export.body.clone());
        assert!(ok, "{said}");
        assert_eq!(
            said.trim(),
            format!("OK {} {head}", export.body.lines().count())
        );

        let tampered =
            export
                .body
                .replacen("사진 전송이 되지 않습니다.", "사진 전송은 정상입니다.", 1);
        let (ok, said) = run(tampered);
        assert!(!ok);
        assert!(said.contains("the hash does not match"), "{said}");

        // A record export names the ledger point it reflects; the script finds it in the
        // chain, and refuses an export whose point was altered.
        let check_export = |name: &str, body: &str| {
            let dir = tempfile::tempdir().unwrap();
            let ledger = dir.path().join("ledger.jsonl");
            std::fs::write(&ledger, &export.body).unwrap();
            let file = dir.path().join(name);
            std::fs::write(&file, body).unwrap();
            let out = std::process::Command::new("python3")
                .arg(common::repo_root().join("scripts/verify-ledger.py"))
                .arg(&ledger)
                .arg("--export")
                .arg(&file)
                .output()
                .expect("python3 runs");
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
            )
        };
        let csv = admin.get("/availability.csv").await.body;
        let (ok, said) = check_export("availability.csv", &csv);
        assert!(ok, "{said}");
        assert!(
            said.contains(&format!("EXPORT OK {}", export.body.lines().count())),
            "{said}"
        );
        let json = admin.get("/history.json").await.body;
        let (ok, said) = check_export("history.json", &json);
        assert!(ok, "{said}");
        // Every record in it names the same point; forge them all.
        let forged = json.replace(&head, &"0".repeat(64));
        let (ok, said) = check_export("history.json", &forged);
        assert!(!ok);
        assert!(said.contains("EXPORT BROKEN"), "{said}");
        // An incident's record lists the entries behind its figures; each is checked.
        let fire = "/incidents/2022-10-15-pangyo-datacenter-fire/record";
        for ext in ["json", "csv"] {
            let record = admin.get(&format!("{fire}.{ext}")).await.body;
            let name = format!("record.{ext}");
            let (ok, said) = check_export(&name, &record);
            assert!(ok, "{said}");
            let listed: serde_json::Value =
                serde_json::from_str(&admin.get(&format!("{fire}.json")).await.body).unwrap();
            let count = listed["ledger_entries"].as_array().unwrap().len();
            assert!(
                said.contains(&format!("; {count} entries behind it")),
                "{said}"
            );
            // One entry's hash altered: refused, naming it.
            let first = &listed["ledger_entries"][0];
            let hash = first["hash"].as_str().unwrap();
            let forged = record.replacen(hash, &"f".repeat(64), 1);
            let (ok, said) = check_export(&name, &forged);
            assert!(!ok, "{said}");
            assert!(
                said.contains(&format!("it lists entry {}", first["seq"])),
                "{said}"
            );
        }
    })
}

/// Scheduled maintenance switches its components to under_maintenance when the window
/// opens and back when it closes, with nobody clicking.
#[test]
fn maintenance_switches_components_on_its_own() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let changes = app.changes.clone().unwrap();
        let now = chrono::Utc::now();
        changes
            .apply(
                "comms",
                Change::ScheduleMaintenance(server::domain::state::MaintenanceRecord {
                    id: "db-upgrade".into(),
                    title_ko: "DB 업그레이드".into(),
                    title_en: None,
                    body_ko: "점검".into(),
                    body_en: None,
                    starts_at: now + chrono::Duration::milliseconds(1500),
                    ends_at: now + chrono::Duration::milliseconds(3000),
                    components: vec!["kakaopay/payments".into()],
                }),
            )
            .await
            .unwrap();
        let status = || app.snapshot.load().current_status("kakaopay/payments");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(
            status(),
            app::model::ComponentStatus::Operational,
            "not yet"
        );
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        assert_eq!(
            status(),
            app::model::ComponentStatus::UnderMaintenance,
            "in the window"
        );
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        assert_eq!(
            status(),
            app::model::ComponentStatus::Operational,
            "after it"
        );
    })
}

/// An incident opened after the crowd signal fired records it, and its page shows the
/// time from the surge of reports to the first public notice.
#[test]
fn an_incident_records_the_crowd_signal_and_shows_time_to_acknowledge() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let fired_at = chrono::Utc::now() - chrono::Duration::minutes(42);
        let store = app.changes.clone().unwrap().store().clone();
        store
            .save_signal(&server::store::SignalRecord {
                service: "kakaotalk".into(),
                fired_at,
                cleared_at: None,
                peak: 900,
            })
            .await
            .unwrap();
        let mut comms = signed_in(&app, "kang", app::model::Role::Comms).await;
        let mut fields = OPEN.to_vec();
        let started = app::format::to_kst(fired_at - chrono::Duration::minutes(5))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        fields.retain(|(k, _)| *k != "started_at");
        fields.push(("started_at", &started));
        let reply = comms.act("/admin/actions/open-incident", &fields).await;
        let id = reply
            .location()
            .trim_start_matches("/admin/incidents/")
            .to_string();
        let state = store.load().await.unwrap();
        let incident = state.incidents().iter().find(|i| i.id == id).unwrap();
        assert_eq!(
            incident.crowd_signal_at.map(|t| t.timestamp()),
            Some(fired_at.timestamp())
        );
        let mut reader = Browser::new(&app);
        let page = reader.get(&format!("/incidents/{id}")).await.body;
        assert!(page.contains("사용자 제보 급증"));
        assert!(
            page.contains("class=\"time-to-acknowledge\">42분<"),
            "42 minutes from the surge to the first notice"
        );
    })
}

/// An incident opened after the automated checks found one of its features failing
/// records when, and time to acknowledge starts there (the earliest sign); a check
/// failing on another feature does not count.
#[test]
fn an_incident_records_when_the_checks_first_failed() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let failed_at = chrono::Utc::now() - chrono::Duration::minutes(42);
        let store = app.changes.clone().unwrap().store().clone();
        for (component, at) in [
            ("kakaotalk/media", failed_at),
            (
                "kakaotalk/messages",
                failed_at - chrono::Duration::minutes(30),
            ),
        ] {
            store
                .save_verdict_change(&server::store::VerdictChange {
                    check: format!("{component}-check"),
                    component: component.into(),
                    at,
                    verdict: "failing".into(),
                    detail: "seoul-1: status 500".into(),
                })
                .await
                .unwrap();
        }
        let mut comms = signed_in(&app, "kang", app::model::Role::Comms).await;
        let mut fields = OPEN.to_vec();
        let started = app::format::to_kst(failed_at + chrono::Duration::minutes(5))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        fields.retain(|(k, _)| *k != "started_at");
        fields.push(("started_at", &started));
        let reply = comms.act("/admin/actions/open-incident", &fields).await;
        let id = reply
            .location()
            .trim_start_matches("/admin/incidents/")
            .to_string();
        let state = store.load().await.unwrap();
        let incident = state.incidents().iter().find(|i| i.id == id).unwrap();
        assert_eq!(
            incident.checks_failed_at.map(|t| t.timestamp()),
            Some(failed_at.timestamp()),
            "the failing check of the incident's own feature, not the other one"
        );
        let mut reader = Browser::new(&app);
        let page = reader.get(&format!("/incidents/{id}")).await.body;
        assert!(page.contains("자동 점검 실패"));
        assert!(
            page.contains("class=\"time-to-acknowledge\">42분<"),
            "42 minutes from the checks failing to the first notice"
        );
        let record = reader.get(&format!("/incidents/{id}/record")).await.body;
        assert!(
            record.contains("자동 점검 실패"),
            "a milestone of the record"
        );
    })
}

/// Comms see what the law asks while the outage runs — due times counting down — and mark
/// the update that fulfils a duty as they publish it; the incident report then judges it.
#[test]
fn the_checklist_counts_down_and_a_tagged_notice_is_judged_in_the_report() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let mut comms = signed_in(&app, "yoon", app::model::Role::Comms).await;
        let started = app::format::to_kst(chrono::Utc::now() - chrono::Duration::minutes(30))
            .format("%Y-%m-%dT%H:%M")
            .to_string();
        let mut fields = OPEN.to_vec();
        fields.retain(|(k, _)| *k != "started_at");
        fields.push(("started_at", &started));
        // The new-incident form offers the duties in force today.
        let form = comms.get("/admin/incidents/new").await.body;
        assert!(form.contains("이 업데이트가 이행하는 고지"));
        assert!(form.contains("value=\"user_notice/contact\""));

        // An element ticked without its notice is refused, and nothing is written.
        let before = ledger_len(&app).await;
        let mut refused = fields.clone();
        refused.push(("element", "user_notice/fact"));
        let reply = comms.act("/admin/actions/open-incident", &refused).await;
        let page = comms.get(reply.location()).await.body;
        assert!(
            page.contains("고지 요소를 표시하려면 그 고지도 함께 표시하세요"),
            "{page}"
        );
        assert_eq!(ledger_len(&app).await, before);
        // An element the rules do not have is refused too.
        let mut unknown = fields.clone();
        unknown.extend([
            ("notice", "user_notice"),
            ("element", "user_notice/weather"),
        ]);
        let reply = comms.act("/admin/actions/open-incident", &unknown).await;
        let page = comms.get(reply.location()).await.body;
        assert!(
            page.contains("법적 고지 표시가 규칙과 맞지 않습니다"),
            "{page}"
        );
        assert_eq!(ledger_len(&app).await, before);

        fields.extend([
            ("notice", "user_notice"),
            ("element", "user_notice/fact"),
            ("element", "user_notice/contact"),
        ]);
        let reply = comms.act("/admin/actions/open-incident", &fields).await;
        let desk_path = reply.location().to_string();
        let id = desk_path
            .trim_start_matches("/admin/incidents/")
            .to_string();
        // 30 minutes in: the notice to users (2-hour rule) is already met by the first
        // update; the report to the ministry (10 minutes or more) is 20 minutes overdue
        // (21 as the minute turns: the start was typed to the minute).
        let desk = comms.get(&desk_path).await.body;
        assert!(desk.contains("법적 의무 체크리스트"));
        assert!(desk.contains("기한 내 이행"));
        assert!(
            desk.contains("(기한을 20분 넘김)") || desk.contains("(기한을 21분 넘김)"),
            "{desk}"
        );
        assert!(desk.contains("✗ 장애 원인"));
        assert!(desk.contains("✓ 상담 접수 연락처"));
        let mut reader = Browser::new(&app);
        let record = reader
            .get(&format!("/incidents/{id}/record.json"))
            .await
            .body;
        let record: serde_json::Value = serde_json::from_str(&record).unwrap();
        let notice = record["duties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["duty"] == "user_notice")
            .unwrap()
            .clone();
        assert_eq!(notice["fulfilled_by"].as_array().unwrap().len(), 1);
        assert_eq!(notice["fulfilled_by"][0]["in_time"], true);
        assert_eq!(
            notice["missing"],
            serde_json::json!(["장애 원인", "대응 조치"])
        );
        // The tag is in the ledger entry that published the update.
        let store = app.changes.clone().unwrap().store().clone();
        let last = store
            .ledger()
            .await
            .unwrap()
            .last()
            .unwrap()
            .canonical
            .clone();
        assert!(last.contains(
            "\"notices\":[{\"duty\":\"user_notice\",\"elements\":[\"fact\",\"contact\"]}]"
        ));

        // The report to the ministry is not public: the public record says the duty
        // applied and leaves it to the regulator, instead of calling it overdue.
        let ministry = |record: &serde_json::Value| {
            record["duties"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["duty"] == "ministry_report")
                .unwrap()
                .clone()
        };
        assert_eq!(ministry(&record)["standing"], "internal");
        // It cannot ride on a public update; it is recorded with an internal note.
        let before = ledger_len(&app).await;
        let reply = comms
            .act(
                "/admin/actions/post-update",
                &[
                    ("incident", id.as_str()),
                    ("state", "identified"),
                    ("kind", "update"),
                    ("body_ko", "원인을 찾았습니다."),
                    ("notice", "ministry_report"),
                    ("element", "ministry_report/report"),
                ],
            )
            .await;
        let page = comms.get(reply.location()).await.body;
        assert!(page.contains("내부 메모로 기록합니다"), "{page}");
        assert_eq!(ledger_len(&app).await, before);
        let form = comms.get(&desk_path).await.body;
        assert!(form.contains("이 메모가 기록하는 보고"));
        let reply = comms
            .act(
                "/admin/actions/add-note",
                &[
                    ("incident", id.as_str()),
                    ("note", "과기정통부 상황실에 전화로 보고함"),
                    ("notice", "ministry_report"),
                    ("element", "ministry_report/report"),
                ],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(ledger_len(&app).await, before + 1);
        // Staff see it judged: reported 30 minutes in, 20 past the 10-minute mark.
        let desk = comms.get(&desk_path).await.body;
        assert!(desk.contains("기한 후 이행"), "{desk}");
        assert!(desk.contains("class=\"note-tags\""), "{desk}");
        // The public record still does not say (nor show the note).
        let record = reader
            .get(&format!("/incidents/{id}/record.json"))
            .await
            .body;
        assert!(!record.contains("상황실"));
        let record: serde_json::Value = serde_json::from_str(&record).unwrap();
        assert_eq!(ministry(&record)["standing"], "internal");
    })
}

/// Internal notes: staff write them, regulators read them, the public never sees them,
/// and the ledger keeps them like every change.
#[test]
fn internal_notes_are_for_staff_and_regulators_only() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let fire = "2022-10-15-pangyo-datacenter-fire";
        let desk = format!("/admin/incidents/{fire}");
        let mut comms = signed_in(&app, "han", app::model::Role::Comms).await;
        let note = "과기정통부 상황실에 16:05 전화로 1차 보고함 (담당: 한)";
        let before = ledger_len(&app).await;
        let reply = comms
            .act(
                "/admin/actions/add-note",
                &[("incident", fire), ("note", note)],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(ledger_len(&app).await, before + 1);
        let store = app.changes.clone().unwrap().store().clone();
        let entry = store.ledger().await.unwrap().last().unwrap().clone();
        assert_eq!(entry.action, "add_note");
        assert_eq!(entry.actor, "han");
        assert!(comms.get(&desk).await.body.contains(note));

        // Refused, with the reason, and nothing written: an empty note, an unknown incident.
        let reply = comms
            .act(
                "/admin/actions/add-note",
                &[("incident", fire), ("note", "  ")],
            )
            .await;
        assert!(comms.get(reply.location()).await.body.contains("내부 메모"));
        let reply = comms
            .act(
                "/admin/actions/add-note",
                &[("incident", "no-such"), ("note", "메모")],
            )
            .await;
        assert!(comms
            .get(reply.location())
            .await
            .body
            .contains("'no-such' 장애가 없습니다"));
        assert_eq!(ledger_len(&app).await, before + 1);

        // A regulator reads it and cannot write one.
        let mut regulator = signed_in(&app, "msit", app::model::Role::Regulator).await;
        let page = regulator.get(&desk).await.body;
        assert!(page.contains(note));
        assert!(page.contains("법적 의무 체크리스트"));
        assert!(!page.contains("action=\"/admin/actions/add-note\""));
        let token = regulator.csrf(&desk).await;
        let signed_in_len = ledger_len(&app).await;
        let refused = regulator
            .post(
                "/admin/actions/add-note",
                &[
                    ("csrf", &token),
                    ("incident", fire),
                    ("note", "규제 기관 메모"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(ledger_len(&app).await, signed_in_len, "nothing written");

        // Nowhere public.
        let mut reader = Browser::new(&app);
        for uri in [
            format!("/incidents/{fire}"),
            format!("/incidents/{fire}/record"),
            format!("/incidents/{fire}/record.json"),
            format!("/incidents/{fire}/record.csv"),
            "/history.json".to_string(),
            "/api/v2/incidents.json".to_string(),
            "/api/v1/incidents".to_string(),
            "/feed.atom".to_string(),
        ] {
            let body = reader.get(&uri).await.body;
            assert!(!body.contains("1차 보고함"), "{uri} shows an internal note");
        }
    })
}
