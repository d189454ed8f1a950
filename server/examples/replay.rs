//! What a past view (`?as_of=`) costs: replaying the ledger (docs/benchmark.md).
//!
//!   cargo run --release --example replay -- [ENTRIES]      (default 100000)
//!
//! 1. The seeded ledger (the five real incidents, in a fresh SQLite database): parse its
//!    public entries, then replay as of three moments of the 2022-10-15 fire and build the
//!    read model from each.
//! 2. A generated ledger of ENTRIES public entries (incidents of 5 entries each: open,
//!    a component change, three updates ending in a resolution; one every 6 hours, so
//!    the history spans years), hashed into a chain like the real one.
//!
//! Prints, per case: parse (once per new entry: the site keeps what it parsed), replay
//! and build (each past view), as the median of the runs.

use app::model::{ComponentStatus, Impact, IncidentState, UpdateKind};
use chrono::{DateTime, Duration, Utc};
use server::domain::catalog::Catalog;
use server::domain::change::{Change, ComponentStatusChange, NewIncident, NewUpdate};
use server::domain::law::Law;
use server::domain::ledger::{self, LedgerEntry};
use server::domain::replay;
use server::domain::state::StatusChange;
use server::read::snapshot::Snapshot;
use server::write::changes::Changes;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

const RUNS: usize = 7;

fn median_ms(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    runs[runs.len() / 2]
}

fn time<T>(f: impl Fn() -> T) -> (f64, T) {
    let mut runs = Vec::new();
    let mut last = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        last = Some(f());
        runs.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    (median_ms(runs), last.unwrap())
}

fn report(name: &str, entries: &[LedgerEntry], catalog: &Arc<Catalog>, moments: &[DateTime<Utc>]) {
    let (parse_ms, parsed) = time(|| replay::public_entries(entries).expect("the ledger parses"));
    println!(
        "{name}: {} ledger entries ({} public), parse {parse_ms:.1} ms",
        entries.len(),
        parsed.len()
    );
    let law = Arc::new(Law::bundled());
    for moment in moments {
        let (replay_ms, state) =
            time(|| replay::replay(&parsed, &replay::UpdateIds::new(), Some(*moment)));
        let state = Arc::new(state);
        let (build_ms, _) =
            time(|| Snapshot::build(0, catalog.clone(), law.clone(), state.clone(), *moment));
        println!(
            "  as of {}: {} incidents visible, replay {replay_ms:.1} ms, build {build_ms:.1} ms, total {:.1} ms",
            moment.to_rfc3339(),
            state.incidents().len(),
            replay_ms + build_ms
        );
    }
}

/// A ledger of `n` public entries, chained and hashed like the real one.
fn generated(n: usize) -> (Vec<LedgerEntry>, DateTime<Utc>) {
    let start: DateTime<Utc> = "2012-01-01T00:00:00Z".parse().unwrap();
    let mut entries: Vec<LedgerEntry> = Vec::with_capacity(n);
    let push = |entries: &mut Vec<LedgerEntry>, at: DateTime<Utc>, change: Change| {
        let prev = entries.last().map(|e| (e.seq, e.hash.clone()));
        let payload = serde_json::to_value(&change).unwrap();
        entries.push(ledger::next_entry(
            prev,
            at,
            "comms",
            change.action(),
            &payload,
        ));
    };
    let components = [
        "kakaotalk/messages",
        "kakaopay/payments",
        "kakaot/taxi",
        "kakaomap/map",
    ];
    let mut i = 0;
    while entries.len() < n {
        let id = format!("incident-{i}");
        let began = start + Duration::hours(6 * i as i64);
        let component = components[i % components.len()].to_string();
        let update = |minutes: i64, state: IncidentState, components: Vec<StatusChange>| {
            Change::PostUpdate(NewUpdate {
                incident_id: id.clone(),
                at: began + Duration::minutes(minutes),
                state,
                kind: UpdateKind::Update,
                retrospective: false,
                body_ko: "상황을 알려 드립니다. 원인을 확인하고 복구하고 있습니다.".into(),
                body_en: Some("We are finding the cause and restoring the service.".into()),
                components,
                still_affected_confirmed: false,
                notices: vec![],
            })
        };
        let steps = vec![
            (
                began,
                Change::OpenIncident(NewIncident {
                    id: id.clone(),
                    title_ko: format!("장애 {i}"),
                    title_en: Some(format!("Incident {i}")),
                    impact: Impact::Major,
                    started_at: began,
                    components: vec![StatusChange {
                        component: component.clone(),
                        status: ComponentStatus::MajorOutage,
                    }],
                    first_update: None,
                    crowd_signal_at: None,
                    checks_failed_at: None,
                }),
            ),
            (
                began + Duration::minutes(10),
                update(10, IncidentState::Investigating, vec![]),
            ),
            (
                began + Duration::minutes(30),
                Change::SetComponentStatus(ComponentStatusChange {
                    component: component.clone(),
                    status: ComponentStatus::PartialOutage,
                    incident_id: Some(id.clone()),
                }),
            ),
            (
                began + Duration::minutes(40),
                update(40, IncidentState::Identified, vec![]),
            ),
            (
                began + Duration::minutes(90),
                update(
                    90,
                    IncidentState::Resolved,
                    vec![StatusChange {
                        component: component.clone(),
                        status: ComponentStatus::Operational,
                    }],
                ),
            ),
        ];
        for (at, change) in steps {
            if entries.len() < n {
                push(&mut entries, at, change);
            }
        }
        i += 1;
    }
    let end = entries.last().unwrap().at;
    (entries, end)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let catalog = Arc::new(Catalog::load(&root.join("config/catalog.toml"))?);

    let dir = tempfile::tempdir()?;
    let store =
        server::store::connect(&format!("sqlite://{}/replay.db", dir.path().display())).await?;
    let changes = Changes::new(store.clone(), catalog.clone());
    server::write::seed::seed(&changes, &root.join("seed/kakao-history.toml")).await?;
    let seeded = store.ledger().await?;
    let kst = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
    report(
        "seeded",
        &seeded,
        &catalog,
        &[
            kst("2022-10-15T15:40:00+09:00"),
            kst("2022-10-16T08:00:00+09:00"),
            kst("2022-10-21T00:00:00+09:00"),
        ],
    );

    let (entries, end) = generated(n);
    let first = entries[0].at;
    report(
        "generated",
        &entries,
        &catalog,
        &[first + (end - first) / 2, end],
    );
    Ok(())
}
