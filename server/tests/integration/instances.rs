//! Several instances over one PostgreSQL: a change committed by one is on every other
//! one's pages and documents within a second (LISTEN/NOTIFY), not at its next minute.

use crate::common;

use app::model::{ComponentStatus, Impact};
use chrono::Utc;
use common::browser::Browser;
use server::domain::change::{Change, NewIncident};
use server::domain::state::StatusChange;
use std::time::{Duration, Instant};

#[test]
fn a_change_on_one_instance_is_on_the_others_pages_within_a_second() {
    common::block_on(async {
        let db = common::postgres().await;
        // Both reload by themselves only every 60 s (the test configuration).
        let first = common::app(&db).await;
        let second = common::app(&db).await;
        let knows = |app: &server::startup::Running| {
            app.snapshot
                .load()
                .state
                .incidents()
                .iter()
                .any(|i| i.id == "pushed")
        };
        assert!(!knows(&second));

        let change = Change::OpenIncident(NewIncident {
            id: "pushed".into(),
            title_ko: "카카오T 호출 장애".into(),
            title_en: Some("Kakao T hailing failing".into()),
            impact: Impact::Major,
            started_at: Utc::now(),
            components: vec![StatusChange {
                component: "kakaot/taxi".into(),
                status: ComponentStatus::MajorOutage,
            }],
            first_update: None,
            crowd_signal_at: None,
            checks_failed_at: None,
        });
        let committed = Instant::now();
        first
            .changes
            .clone()
            .unwrap()
            .apply("staff", change)
            .await
            .unwrap();
        let seen = (second.snapshot)
            .wait_until(Duration::from_secs(1), |s| {
                s.load().state.incidents().iter().any(|i| i.id == "pushed")
            })
            .await;
        let took = committed.elapsed();
        assert!(seen, "the other instance did not see the change within 1 s");
        eprintln!("propagated to the other instance in {took:?}");

        let mut reader = Browser::new(&second);
        let page = reader.get("/incidents/pushed").await;
        assert_eq!(page.status, axum::http::StatusCode::OK);
        assert!(page.body.contains("카카오T 호출 장애"));
        let unresolved = reader.get("/api/v2/incidents/unresolved.json").await;
        assert!(
            unresolved.body.contains("\"pushed\""),
            "{}",
            unresolved.body
        );
    })
}
