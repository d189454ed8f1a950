//! The live stream: an update posted by staff arrives as an event within a second; a
//! client that reconnects with `Last-Event-ID` gets what it missed; a bogus id starts
//! from now.

use crate::common;

use app::model::{IncidentState, UpdateKind};
use axum::body::Body;
use axum::http::{header, Request};
use axum::Router;
use server::domain::change::{Change, NewUpdate};
use std::time::Duration;
use tokio_stream::StreamExt;

/// Opens the stream and returns a function reading the next event (id, kind, data).
async fn open(
    router: &Router,
    last_event_id: Option<&str>,
) -> impl tokio_stream::Stream<Item = (String, String, String)> {
    let mut request = Request::get("/api/v1/events");
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id);
    }
    let response = {
        let _rendering = common::ROUTE_DISCOVERY.read().await;
        tower::ServiceExt::oneshot(router.clone(), request.body(Body::empty()).unwrap())
            .await
            .unwrap()
    };
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
    let mut buffer = String::new();
    response
        .into_body()
        .into_data_stream()
        .filter_map(move |chunk| {
            buffer.push_str(&String::from_utf8_lossy(&chunk.ok()?));
            let end = buffer.find("\n\n")?;
            let block: String = buffer.drain(..end + 2).collect();
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                    .unwrap_or("")
                    .to_string()
            };
            Some((field("id"), field("event"), field("data")))
        })
}

#[test]
fn updates_arrive_live_and_are_replayed_after_a_reconnect() {
    common::block_on(async {
        let db = common::sqlite();
        let app = common::app(&db).await;
        let mut stream = Box::pin(open(&app.router, None).await);
        let (sync_id, kind, _) = stream.next().await.unwrap();
        assert_eq!(kind, "sync");

        let post = Change::PostUpdate(NewUpdate {
            incident_id: "2022-10-15-pangyo-datacenter-fire".into(),
            at: chrono::Utc::now(),
            state: IncidentState::Resolved,
            kind: UpdateKind::Postmortem,
            retrospective: false,
            body_ko: "추가 사후 분석".into(),
            body_en: None,
            components: vec![],
            still_affected_confirmed: false,
            notices: vec![],
        });
        app.changes
            .clone()
            .unwrap()
            .apply("comms", post)
            .await
            .unwrap();
        let started = std::time::Instant::now();
        let (update_id, kind, data) = tokio::time::timeout(Duration::from_secs(2), async {
            loop {
                let event = stream.next().await.unwrap();
                if event.1 == "update" {
                    return event;
                }
            }
        })
        .await
        .expect("the update arrives");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "within a second: {:?}",
            started.elapsed()
        );
        assert_eq!(kind, "update");
        assert!(data.contains("\"incident\":\"2022-10-15-pangyo-datacenter-fire\""));
        assert!(data.contains("\"kind\":\"postmortem\""));

        // Reconnecting with the id seen before the update replays it, after `sync`.
        let mut again = Box::pin(open(&app.router, Some(&sync_id)).await);
        let (_, kind, data) = again.next().await.unwrap();
        assert_eq!(kind, "sync");
        let replayed: usize = data
            .trim_start_matches("{\"replayed\":")
            .trim_end_matches('}')
            .parse()
            .unwrap();
        assert!(replayed >= 1, "{data}");
        let mut missed = Vec::new();
        for _ in 0..replayed {
            missed.push(again.next().await.unwrap());
        }
        assert!(
            missed
                .iter()
                .any(|(id, kind, _)| *id == update_id && kind == "update"),
            "the missed update is replayed: {missed:?}"
        );

        // A bogus id starts from now: the sync event, nothing replayed (an event published
        // meanwhile is new, with an id above the sync's).
        let mut bogus = Box::pin(open(&app.router, Some("not-a-number")).await);
        let (from, kind, data) = bogus.next().await.unwrap();
        assert_eq!((kind.as_str(), data.as_str()), ("sync", "{\"replayed\":0}"));
        let next = tokio::time::timeout(Duration::from_millis(600), bogus.next()).await;
        if let Ok(next) = next {
            let (id, kind, _) = next.expect("the stream stays open");
            assert!(
                id.parse::<u64>().unwrap() > from.parse::<u64>().unwrap(),
                "no replay for a bogus id: {kind} {id}"
            );
        }
    })
}
