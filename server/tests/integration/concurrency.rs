//! Two staff at once must not both win: conflicting changes fired at the same moment, on
//! SQLite and PostgreSQL, through two instances (two connection pools on one database,
//! as two servers would be), so that only the database's own lock can order them.

use crate::common;
use crate::on_both_backends;

use app::model::{ComponentStatus, Impact, IncidentState, Role, UpdateKind};
use chrono::Utc;
use common::browser::signed_in;
use common::TestDb;
use server::domain::catalog::Catalog;
use server::domain::change::{Change, NewIncident, NewUpdate, NewUser, UserChange};
use server::domain::ledger::LedgerEntry;
use server::domain::state::StatusChange;
use server::store;
use server::write::changes::{ChangeError, Changes};
use std::sync::Arc;

on_both_backends!(
    eight_staff_resolving_over_http_see_one_success,
    twenty_resolves_of_one_incident_leave_one,
    an_update_racing_a_resolve_never_follows_it,
    two_admins_demoting_each_other_leave_one_admin,
    one_account_name_is_taken_once,
);

/// Two instances of the write side over the same database.
async fn two_instances(db: &TestDb) -> [Arc<Changes>; 2] {
    let catalog =
        Arc::new(Catalog::load(&common::repo_root().join("config/catalog.toml")).unwrap());
    let mut instances = Vec::new();
    for _ in 0..2 {
        let store = store::connect(&db.url).await.expect("connect and migrate");
        instances.push(Arc::new(Changes::new(store, catalog.clone())));
    }
    instances.try_into().ok().expect("two instances")
}

fn outage(id: &str) -> Change {
    Change::OpenIncident(NewIncident {
        id: id.into(),
        title_ko: "카카오톡 메시지 전송 장애".into(),
        title_en: Some("KakaoTalk messages failing".into()),
        impact: Impact::Critical,
        started_at: Utc::now(),
        components: vec![StatusChange {
            component: "kakaotalk/messages".into(),
            status: ComponentStatus::MajorOutage,
        }],
        first_update: None,
        crowd_signal_at: None,
        checks_failed_at: None,
    })
}

fn update(incident: &str, state: IncidentState, body: &str) -> Change {
    Change::PostUpdate(NewUpdate {
        incident_id: incident.into(),
        at: Utc::now(),
        state,
        kind: UpdateKind::Update,
        retrospective: false,
        body_ko: body.into(),
        body_en: None,
        components: vec![],
        still_affected_confirmed: false,
        notices: vec![],
    })
}

/// Fires every change at once, alternating between the instances.
async fn all_at_once(
    instances: &[Arc<Changes>; 2],
    changes: Vec<Change>,
) -> Vec<Result<LedgerEntry, ChangeError>> {
    let barrier = Arc::new(tokio::sync::Barrier::new(changes.len()));
    let tasks: Vec<_> = changes
        .into_iter()
        .enumerate()
        .map(|(n, change)| {
            let instance = instances[n % 2].clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                instance.apply(&format!("staff-{n}"), change).await
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("the task ran"));
    }
    results
}

/// How many resolved updates the incident "fire" has (it is resolved when there is one).
async fn resolved_updates(changes: &Changes) -> usize {
    let state = changes.store().load().await.unwrap();
    let fire = state.incidents().iter().find(|i| i.id == "fire").unwrap();
    let resolved = fire
        .updates
        .iter()
        .filter(|u| u.state == IncidentState::Resolved)
        .count();
    assert_eq!(fire.state == IncidentState::Resolved, resolved > 0);
    resolved
}

/// The refusal a person would read, or a panic if it was anything else.
fn refusal(result: &Result<LedgerEntry, ChangeError>) -> (&'static str, String) {
    match result {
        Err(ChangeError::Invalid(problem)) => (problem.field, problem.ko.clone()),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn twenty_resolves_of_one_incident_leave_one(db: TestDb) {
    let [a, b] = two_instances(&db).await;
    a.apply("staff", outage("fire")).await.unwrap();
    let resolves = (0..20)
        .map(|n| update("fire", IncidentState::Resolved, &format!("복구 {n}")))
        .collect();
    let results = all_at_once(&[a.clone(), b], resolves).await;

    let won: Vec<_> = results.iter().filter(|r| r.is_ok()).collect();
    assert_eq!(won.len(), 1, "exactly one resolve wins: {results:?}");
    for lost in results.iter().filter(|r| r.is_err()) {
        let (field, text) = refusal(lost);
        assert_eq!(field, "state");
        assert_eq!(text, "이미 해결된 장애입니다. 사후 분석만 붙일 수 있습니다");
    }
    assert_eq!(
        resolved_updates(&a).await,
        1,
        "one resolved update on record"
    );
    // The ledger holds the opening and the one resolve, and still verifies.
    let entries = a.store().ledger().await.unwrap();
    assert_eq!(entries.len(), 2);
    server::domain::ledger::verify(&entries).expect("the ledger verifies");
}

async fn an_update_racing_a_resolve_never_follows_it(db: TestDb) {
    let [a, b] = two_instances(&db).await;
    a.apply("staff", outage("fire")).await.unwrap();
    let mut racing: Vec<Change> = (0..9)
        .map(|n| {
            update(
                "fire",
                IncidentState::Monitoring,
                &format!("지켜보는 중 {n}"),
            )
        })
        .collect();
    racing.insert(4, update("fire", IncidentState::Resolved, "복구했습니다"));
    let results = all_at_once(&[a.clone(), b], racing).await;

    let resolve = results[4].as_ref().expect("the only resolve wins");
    for (n, result) in results.iter().enumerate().filter(|(n, _)| *n != 4) {
        match result {
            // Written before the resolve: it comes before it in the ledger.
            Ok(entry) => assert!(
                entry.seq < resolve.seq,
                "update {n} landed after the resolve"
            ),
            Err(_) => assert_eq!(refusal(result).0, "state", "update {n}"),
        }
    }
    let state = a.store().load().await.unwrap();
    let fire = state.incidents().iter().find(|i| i.id == "fire").unwrap();
    let last = fire.updates.last().expect("updates");
    assert_eq!(
        last.state,
        IncidentState::Resolved,
        "nothing follows the resolve"
    );
    assert_eq!(fire.state, IncidentState::Resolved);
    // The resolve brought the component back, even if an update had come in between.
    let messages = state
        .events()
        .iter()
        .rfind(|e| e.component == "kakaotalk/messages")
        .unwrap();
    assert_eq!(messages.status, ComponentStatus::Operational);
}

async fn two_admins_demoting_each_other_leave_one_admin(db: TestDb) {
    let [a, b] = two_instances(&db).await;
    for name in ["admin-kim", "admin-lee"] {
        let user = NewUser {
            name: name.into(),
            role: Role::Admin,
            password_hash: "not used here".into(),
        };
        a.apply("cli", Change::AddUser(user)).await.unwrap();
    }
    let demote = |name: &str| {
        Change::UpdateUser(UserChange {
            name: name.into(),
            role: Role::Comms,
            active: true,
        })
    };
    let results = all_at_once(
        &[a.clone(), b],
        vec![demote("admin-kim"), demote("admin-lee")],
    )
    .await;

    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    let lost = results.iter().find(|r| r.is_err()).unwrap();
    assert_eq!(
        refusal(lost),
        (
            "role",
            "마지막 관리자 계정은 권한을 낮추거나 비활성화할 수 없습니다".to_string()
        )
    );
    let admins = a
        .store()
        .users()
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.active && u.role == Role::Admin)
        .count();
    assert_eq!(admins, 1, "one active admin remains");
}

async fn one_account_name_is_taken_once(db: TestDb) {
    let [a, b] = two_instances(&db).await;
    let same_name = (0..10)
        .map(|_| {
            Change::AddUser(NewUser {
                name: "comms-park".into(),
                role: Role::Comms,
                password_hash: "not used here".into(),
            })
        })
        .collect();
    let results = all_at_once(&[a.clone(), b], same_name).await;

    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    for lost in results.iter().filter(|r| r.is_err()) {
        assert_eq!(
            refusal(lost),
            ("name", "'comms-park' 계정이 이미 있습니다".to_string())
        );
    }
    assert_eq!(a.store().users().await.unwrap().len(), 1);
    assert_eq!(a.store().ledger().await.unwrap().len(), 1);
}

/// The race as it was found: eight signed-in staff press "resolved" on one incident at
/// the same moment, through two instances. One sees "published"; seven are sent back to
/// the form with the reason, and the incident has one resolved update.
async fn eight_staff_resolving_over_http_see_one_success(db: TestDb) {
    let first = common::app(&db).await;
    let changes = first.changes.clone().unwrap();
    changes.apply("staff", outage("fire")).await.unwrap();
    // Started after the incident was opened, so its pages know it from the start.
    let second = common::app(&db).await;
    let mut browsers = Vec::new();
    for n in 0..8 {
        let app = if n % 2 == 0 { &first } else { &second };
        browsers.push(signed_in(app, &format!("comms-{n}"), Role::Comms).await);
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(browsers.len()));
    let tasks: Vec<_> = browsers
        .into_iter()
        .map(|mut browser| {
            let barrier = barrier.clone();
            tokio::spawn(async move {
                let csrf = browser.csrf("/admin/signin").await;
                barrier.wait().await;
                let fields = [
                    ("incident", "fire"),
                    ("state", "resolved"),
                    ("kind", "update"),
                    ("body_ko", "복구했습니다"),
                    ("csrf", csrf.as_str()),
                ];
                let reply = browser.post("/admin/actions/post-update", &fields).await;
                assert_eq!(reply.status, axum::http::StatusCode::SEE_OTHER);
                // The page the browser lands on says what happened.
                browser.get(reply.location()).await.body
            })
        })
        .collect();
    let mut pages = Vec::new();
    for task in tasks {
        pages.push(task.await.expect("the browser ran"));
    }
    let published = pages
        .iter()
        .filter(|p| p.contains("업데이트를 게시했습니다."))
        .count();
    let refused = pages
        .iter()
        .filter(|p| p.contains("이미 해결된 장애입니다. 사후 분석만 붙일 수 있습니다"))
        .count();
    assert_eq!((published, refused), (1, 7));
    assert_eq!(resolved_updates(&changes).await, 1);
}
