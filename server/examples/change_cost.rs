//! What one staff change costs as the history grows (docs/benchmark.md): fills a fresh
//! database with resolved incidents through the write path, and at each checkpoint times
//! 20 updates to one open incident — the check under the write lock, the write and its
//! ledger entry, the commit.
//!
//!   cargo run --release --example change_cost -- [DATABASE_URL] [CHECKPOINTS]
//!   cargo run --release --example change_cost -- sqlite:///tmp/cost.db 5,500,5000
//!
//! Prints one line per checkpoint: `incidents N  median_ms X  p90_ms Y  whole_state_load_ms Z`
//! (Z: what reading the whole public state costs at that size, which the write path did
//! before every change until the check moved under the write lock).

use app::model::{ComponentStatus, Impact, IncidentState, UpdateKind};
use chrono::Utc;
use server::domain::catalog::Catalog;
use server::domain::change::{Change, NewIncident, NewUpdate};
use server::domain::state::StatusChange;
use server::write::changes::Changes;
use std::sync::Arc;
use std::time::Instant;

fn opened(id: &str) -> Change {
    Change::OpenIncident(NewIncident {
        id: id.into(),
        title_ko: "카카오톡 메시지 전송 장애".into(),
        title_en: Some("KakaoTalk messages failing".into()),
        impact: Impact::Major,
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

fn update(id: &str, state: IncidentState) -> Change {
    Change::PostUpdate(NewUpdate {
        incident_id: id.into(),
        at: Utc::now(),
        state,
        kind: UpdateKind::Update,
        retrospective: false,
        body_ko: "상황을 지켜보고 있습니다.".into(),
        body_en: None,
        components: vec![],
        still_affected_confirmed: false,
        notices: vec![],
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = tempfile::tempdir()?;
    let url = args
        .next()
        .unwrap_or_else(|| format!("sqlite://{}/cost.db", dir.path().display()));
    let checkpoints: Vec<usize> = args
        .next()
        .unwrap_or_else(|| "5,500,5000".into())
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let catalog = Arc::new(Catalog::load(&root.join("config/catalog.toml"))?);
    let changes = Changes::new(server::store::connect(&url).await?, catalog);

    changes.apply("bench", opened("open")).await?;
    let mut filled = 0;
    for checkpoint in checkpoints {
        while filled < checkpoint {
            let id = format!("past-{filled}");
            changes.apply("bench", opened(&id)).await?;
            changes
                .apply("bench", update(&id, IncidentState::Resolved))
                .await?;
            filled += 1;
        }
        let mut times_ms: Vec<f64> = Vec::new();
        for _ in 0..20 {
            let started = Instant::now();
            changes
                .apply("bench", update("open", IncidentState::Monitoring))
                .await?;
            times_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        // What the write path did before each change until the check moved under the
        // lock: read the whole public state.
        let mut load_ms: Vec<f64> = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            changes.store().load().await?;
            load_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times_ms.sort_by(f64::total_cmp);
        load_ms.sort_by(f64::total_cmp);
        println!(
            "incidents {filled:>6}  median_ms {:>6.2}  p90_ms {:>6.2}  whole_state_load_ms {:>7.2}",
            times_ms[times_ms.len() / 2],
            times_ms[times_ms.len() * 9 / 10],
            load_ms[load_ms.len() / 2]
        );
    }
    Ok(())
}
