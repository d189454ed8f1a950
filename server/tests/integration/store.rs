//! The store suite, run against SQLite and PostgreSQL alike.

use crate::common;
use crate::on_both_backends;

use app::model::{ComponentStatus, Impact, IncidentState, UpdateKind};
use chrono::{DateTime, TimeZone, Utc};
use common::TestDb;
use server::domain::catalog::Catalog;
use server::domain::change::{Change, NewIncident, NewUpdate};
use server::domain::ledger;
use server::domain::state::StatusChange;
use server::store;
use server::write::changes::Changes;
use server::write::seed::seed;
use std::sync::Arc;

async fn changes(db: &TestDb) -> Changes {
    let store = store::connect(&db.url).await.expect("connect and migrate");
    let catalog = Catalog::load(&common::repo_root().join("config/catalog.toml")).unwrap();
    Changes::new(store, Arc::new(catalog))
}

fn seed_path() -> std::path::PathBuf {
    common::repo_root().join("seed/kakao-history.toml")
}

fn kst(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    chrono::FixedOffset::east_opt(9 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn new_incident(id: &str) -> Change {
    Change::OpenIncident(NewIncident {
        id: id.into(),
        title_ko: "카카오톡 사진 전송 장애".into(),
        title_en: Some("KakaoTalk photo transfer failing".into()),
        impact: Impact::Major,
        started_at: Utc::now(),
        components: vec![StatusChange {
            component: "kakaotalk/media".into(),
            status: ComponentStatus::MajorOutage,
        }],
        first_update: None,
        crowd_signal_at: None,
        checks_failed_at: None,
    })
}

on_both_backends!(
    seeding_loads_the_five_real_incidents_once,
    the_fire_keeps_its_facts_and_its_apology,
    a_change_and_its_ledger_entry_are_written_together,
    a_refused_change_writes_nothing,
    the_ledger_is_append_only,
    migrations_run_again_without_harm,
    reports_are_counted_per_minute_and_raw_reports_expire,
    the_state_read_by_its_changes_is_the_state_read_whole,
);

async fn seeding_loads_the_five_real_incidents_once(db: TestDb) {
    let changes = changes(&db).await;
    assert_eq!(seed(&changes, &seed_path()).await.unwrap(), 5);
    let first = changes.store().ledger().await.unwrap();
    assert_eq!(
        seed(&changes, &seed_path()).await.unwrap(),
        0,
        "a second seeding adds nothing"
    );
    assert_eq!(changes.store().ledger().await.unwrap().len(), first.len());

    let state = changes.store().load().await.unwrap();
    let ids: Vec<_> = state.incidents().iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids.len(), 5);
    let started: Vec<_> = state.incidents().iter().map(|i| i.started_at).collect();
    assert_eq!(
        started,
        [
            kst(2021, 5, 5, 21, 47),
            kst(2021, 7, 16, 16, 30),
            kst(2022, 9, 15, 14, 27),
            kst(2022, 10, 4, 14, 14),
            kst(2022, 10, 15, 15, 29)
        ]
    );
    assert!(state
        .incidents()
        .iter()
        .all(|i| i.state == IncidentState::Resolved && i.resolved_at.is_some()));
    // The seeded history went through the ledger, as actor `system`, and verifies.
    assert!(first.iter().all(|e| e.actor == "system"));
    let verified = ledger::verify(&first).unwrap();
    assert_eq!(verified.count, first.len());
}

async fn the_fire_keeps_its_facts_and_its_apology(db: TestDb) {
    let changes = changes(&db).await;
    seed(&changes, &seed_path()).await.unwrap();
    let state = changes.store().load().await.unwrap();
    let fire = state
        .incidents()
        .iter()
        .find(|i| i.started_at == kst(2022, 10, 15, 15, 29))
        .unwrap();
    assert_eq!(fire.impact, Impact::Critical);
    assert_eq!(fire.resolved_at, Some(kst(2022, 10, 20, 23, 0)));
    let apology = fire
        .updates
        .iter()
        .find(|u| u.at == kst(2022, 10, 16, 7, 24))
        .expect("the 07:24 statement");
    assert_eq!(apology.kind, UpdateKind::Apology);
    assert!(!apology.retrospective);
    assert!(apology.body_ko.contains("사과"));
    // The first notice at 15:50 is when Kakao acknowledged it.
    let first_notice = fire.updates.iter().find(|u| !u.retrospective).unwrap();
    assert_eq!(first_notice.at, kst(2022, 10, 15, 15, 50));
    // Text messages came back (unstable) at 01:31 on the 16th, before photos.
    let messages: Vec<_> = state
        .events()
        .iter()
        .filter(|e| e.component == "kakaotalk/messages")
        .collect();
    assert!(messages
        .iter()
        .any(|e| e.at == kst(2022, 10, 16, 1, 31)
            && e.status == ComponentStatus::DegradedPerformance));
    // Every component the fire took down is operational at the end.
    for c in &fire.components {
        let last = state
            .events()
            .iter()
            .rfind(|e| e.component == c.component)
            .unwrap();
        assert_eq!(last.status, ComponentStatus::Operational, "{}", c.component);
    }
}

async fn a_change_and_its_ledger_entry_are_written_together(db: TestDb) {
    let changes = changes(&db).await;
    let before = changes.store().ledger().await.unwrap().len();
    let entry = changes
        .apply("comms-kim", new_incident("photo-outage"))
        .await
        .unwrap();
    let ledger = changes.store().ledger().await.unwrap();
    assert_eq!(ledger.len(), before + 1);
    assert_eq!(ledger.last().unwrap(), &entry);
    assert!(entry.canonical.contains("\"photo-outage\""));
    assert_eq!(entry.action, "open_incident");

    let update = Change::PostUpdate(NewUpdate {
        incident_id: "photo-outage".into(),
        at: Utc::now(),
        state: IncidentState::Resolved,
        kind: UpdateKind::Apology,
        retrospective: false,
        body_ko: "불편을 드려 죄송합니다.".into(),
        body_en: None,
        components: vec![StatusChange {
            component: "kakaotalk/media".into(),
            status: ComponentStatus::Operational,
        }],
        still_affected_confirmed: false,
        notices: vec![],
    });
    changes.apply("comms-kim", update).await.unwrap();
    let state = changes.store().load().await.unwrap();
    let incident = state
        .incidents()
        .iter()
        .find(|i| i.id == "photo-outage")
        .unwrap();
    assert_eq!(incident.state, IncidentState::Resolved);
    assert!(incident.resolved_at.is_some());
    assert_eq!(incident.updates[0].changes.len(), 1);
    let verified = ledger::verify(&changes.store().ledger().await.unwrap()).unwrap();
    assert_eq!(verified.count, before + 2);
}

async fn a_refused_change_writes_nothing(db: TestDb) {
    let changes = changes(&db).await;
    changes
        .apply("comms-kim", new_incident("dup"))
        .await
        .unwrap();
    let ledger_before = changes.store().ledger().await.unwrap().len();
    let state_before = changes.store().load().await.unwrap();
    // The same id again: the database refuses, and the ledger entry goes with it.
    assert!(changes
        .apply("comms-kim", new_incident("dup"))
        .await
        .is_err());
    // An unknown component: refused before anything is written.
    let Change::OpenIncident(mut bad) = new_incident("bad") else {
        unreachable!()
    };
    bad.components[0].component = "kakaotalk/teleport".into();
    let error = changes
        .apply("comms-kim", Change::OpenIncident(bad))
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("kakaotalk/teleport"), "{error}");
    assert_eq!(changes.store().ledger().await.unwrap().len(), ledger_before);
    assert_eq!(
        changes.store().load().await.unwrap().incidents(),
        state_before.incidents()
    );
}

async fn the_ledger_is_append_only(db: TestDb) {
    let changes = changes(&db).await;
    changes
        .apply("comms-kim", new_incident("one"))
        .await
        .unwrap();
    let update = "UPDATE ledger SET actor = 'someone-else' WHERE seq = 1";
    let delete = "DELETE FROM ledger WHERE seq = 1";
    if db.url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        assert!(sqlx::query(update).execute(&pool).await.is_err());
        assert!(sqlx::query(delete).execute(&pool).await.is_err());
    } else {
        let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
        assert!(sqlx::query(update).execute(&pool).await.is_err());
        assert!(sqlx::query(delete).execute(&pool).await.is_err());
    }
    assert!(ledger::verify(&changes.store().ledger().await.unwrap()).is_ok());
}

async fn migrations_run_again_without_harm(db: TestDb) {
    let first = changes(&db).await;
    seed(&first, &seed_path()).await.unwrap();
    let count = first.store().ledger().await.unwrap().len();
    drop(first);
    let again = changes(&db).await;
    assert_eq!(again.store().ledger().await.unwrap().len(), count);
    assert_eq!(again.store().load().await.unwrap().incidents().len(), 5);
}

async fn reports_are_counted_per_minute_and_raw_reports_expire(db: TestDb) {
    use server::store::{NewReport, SignalRecord};
    let store = store::connect(&db.url).await.unwrap();
    let at = kst(2022, 10, 15, 15, 31);
    let report = |problem: &str, region: &str, seconds: i64| NewReport {
        service: "kakaotalk".into(),
        problem: problem.into(),
        region: region.into(),
        client: format!("{problem}{region}{seconds}"),
        at: at + chrono::Duration::seconds(seconds),
        key: server::crowd::intake::report_key(),
    };
    // 1,200 in one batch (more than one multi-row INSERT), over two minutes.
    let mut batch: Vec<_> = (0..1000).map(|i| report("send", "seoul", i % 60)).collect();
    batch.extend((0..200).map(|i| report("media", "", 60 + i % 60)));
    assert_eq!(store.add_reports(&batch).await.unwrap(), 1200);
    // The same reports again (a spool replayed twice) are neither stored nor counted again.
    assert_eq!(store.add_reports(&batch[..700]).await.unwrap(), 0);
    // A second batch adds to the same minutes.
    store
        .add_reports(&[report("send", "busan", 5)])
        .await
        .unwrap();

    let minute = at.timestamp() / 60;
    let mut totals = store.report_totals(minute, minute + 2).await.unwrap();
    totals.sort_by_key(|t| t.minute);
    let per_minute: Vec<_> = totals
        .iter()
        .map(|t| (t.minute - minute, t.count))
        .collect();
    assert_eq!(per_minute, [(0, 1001), (1, 200)]);
    let mut breakdown = store.report_breakdown(minute, minute + 2).await.unwrap();
    breakdown.sort_by_key(|b| std::cmp::Reverse(b.count));
    let parts: Vec<_> = breakdown
        .iter()
        .map(|b| (b.problem.as_str(), b.region.as_str(), b.count))
        .collect();
    assert_eq!(
        parts,
        [
            ("send", "seoul", 1000),
            ("media", "", 200),
            ("send", "busan", 1)
        ]
    );

    // Raw reports past retention go; the counts stay.
    let deleted = store
        .delete_reports_before(at + chrono::Duration::seconds(60))
        .await
        .unwrap();
    assert_eq!(deleted, 1001);
    assert_eq!(
        store
            .report_totals(minute, minute + 2)
            .await
            .unwrap()
            .iter()
            .map(|t| t.count)
            .sum::<i64>(),
        1201
    );

    // A signal is saved when it fires and updated when it clears.
    let mut signal = SignalRecord {
        service: "kakaotalk".into(),
        fired_at: at,
        cleared_at: None,
        peak: 900,
    };
    store.save_signal(&signal).await.unwrap();
    signal.cleared_at = Some(at + chrono::Duration::hours(5));
    signal.peak = 4000;
    store.save_signal(&signal).await.unwrap();
    assert_eq!(
        store
            .signals(at - chrono::Duration::hours(1))
            .await
            .unwrap(),
        vec![signal]
    );
}

/// What the database says changed since `state`'s point of the ledger.
async fn changes_since(
    store: &dyn server::store::Store,
    state: &server::domain::state::StoredState,
) -> server::domain::state::StateChanges {
    let head = state
        .ledger_head
        .as_ref()
        .expect("the state has a ledger point");
    store
        .load_changes_after(head, state.last_event_id())
        .await
        .unwrap()
        .expect("the ledger still holds the state's point")
}

/// A refresh reads only what the ledger says changed (`load_changes_after`) and applies
/// it to the state it had: after every kind of public change, that must be exactly what a
/// whole read gives, in the same order (an incident backdated into the middle of the
/// history, events at one moment, a correction, a status set alone, a maintenance).
async fn the_state_read_by_its_changes_is_the_state_read_whole(db: TestDb) {
    use server::domain::change::{ComponentStatusChange, Correction};
    use server::domain::state::{LedgerHead, MaintenanceRecord};
    let changes = changes(&db).await;
    seed(&changes, &seed_path()).await.unwrap();
    let store = changes.store();
    let mut state = store.load().await.unwrap();
    let now = Utc::now();
    let backdated = kst(2022, 3, 1, 9, 0);
    let steps = vec![
        Change::OpenIncident(NewIncident {
            started_at: backdated,
            ..match new_incident("backdated") {
                Change::OpenIncident(new) => new,
                _ => unreachable!(),
            }
        }),
        new_incident("now"),
        Change::PostUpdate(NewUpdate {
            incident_id: "now".into(),
            at: now,
            state: IncidentState::Identified,
            kind: UpdateKind::Update,
            retrospective: false,
            body_ko: "원인을 찾았습니다.".into(),
            body_en: None,
            components: vec![StatusChange {
                component: "kakaotalk/media".into(),
                status: ComponentStatus::PartialOutage,
            }],
            still_affected_confirmed: false,
            notices: vec![],
        }),
        Change::SetComponentStatus(ComponentStatusChange {
            component: "kakaomap/search".into(),
            status: ComponentStatus::DegradedPerformance,
            incident_id: None,
        }),
        Change::ScheduleMaintenance(MaintenanceRecord {
            id: "night-work".into(),
            title_ko: "야간 점검".into(),
            title_en: None,
            body_ko: "점검합니다.".into(),
            body_en: None,
            starts_at: now + chrono::Duration::days(1),
            ends_at: now + chrono::Duration::days(1) + chrono::Duration::hours(1),
            components: vec!["kakaopay/payments".into()],
        }),
        Change::PostUpdate(NewUpdate {
            incident_id: "now".into(),
            at: now + chrono::Duration::seconds(1),
            state: IncidentState::Resolved,
            kind: UpdateKind::Apology,
            retrospective: false,
            body_ko: "복구되었습니다. 죄송합니다.".into(),
            body_en: None,
            components: vec![],
            still_affected_confirmed: false,
            notices: vec![],
        }),
    ];
    for (n, change) in steps.into_iter().enumerate() {
        changes.apply("comms", change).await.unwrap();
        let delta = changes_since(store.as_ref(), &state).await;
        assert!(!delta.is_empty(), "step {n} changed something");
        state = state.with_changes(delta);
        assert_eq!(state, store.load().await.unwrap(), "after step {n}");
    }
    // A correction, found by the id the database gave the update.
    let update_id = state
        .incidents()
        .iter()
        .find(|i| i.id == "now")
        .unwrap()
        .updates[0]
        .id;
    changes
        .apply(
            "comms",
            Change::CorrectUpdate(Correction {
                incident_id: "now".into(),
                update_id,
                body_ko: "원인을 찾았습니다 (정정).".into(),
                body_en: None,
            }),
        )
        .await
        .unwrap();
    let delta = changes_since(store.as_ref(), &state).await;
    assert_eq!(
        delta.incidents.len(),
        1,
        "only the corrected incident is read"
    );
    state = state.with_changes(delta);
    assert_eq!(state, store.load().await.unwrap(), "after the correction");

    // Nothing new: nothing read.
    let delta = changes_since(store.as_ref(), &state).await;
    assert!(delta.is_empty() && delta.ledger_head.is_none());
    // A point the ledger does not hold (another database): no answer but a whole read.
    let elsewhere = LedgerHead {
        seq: state.ledger_head.as_ref().unwrap().seq,
        hash: "0".repeat(64),
    };
    assert!(store
        .load_changes_after(&elsewhere, 0)
        .await
        .unwrap()
        .is_none());
}
