//! Flat-cost benchmark (scripts/bench-history.sh): does the site slow down as its history
//! grows? The whole server runs in this process, on a new SQLite database, with no seed
//! and no checks. A generated history is appended through the same write path staff use
//! (`Changes::apply`, then waiting until the public snapshot shows the change, as the
//! console does), up to each size; at each size it measures:
//!
//! - appending: incidents per second over the last incidents added (each incident is three
//!   changes: opened, monitoring, resolved);
//! - a staff change: an update posted to an open incident until the snapshot shows it,
//!   its median time and the CPU the whole process spends per change (every thread,
//!   from /proc: unlike the time, not blurred by the disk's fsync latency);
//! - right after a change (so every page is rendered anew, not from the page cache):
//!   the home page, a service's page, the history's first and middle pages, an old
//!   incident's page, the Statuspage API's summary and incidents documents, and the
//!   Atom feed;
//! - the process's resident memory.
//!
//! The generated incidents lie in the past (six hours apart, ending 100 days ago), so
//! the 90-day bars and the active list hold the same thing at every size: only the
//! length of the history differs.
//!
//!   cargo run --release -p server --example history_load -- 5 1000 5000 10000
//!
//! Prints a Markdown table.

use app::model::{ComponentStatus, Impact, IncidentState, UpdateKind};
use axum::body::Body;
use chrono::{DateTime, Duration, Utc};
use clap::Parser;
use server::domain::change::{Change, FirstUpdate, NewIncident, NewUpdate};
use server::domain::state::StatusChange;
use server::startup::{self, config::Cli, Mode, Running};
use server::write::changes::Changes;
use std::sync::Arc;
use std::time::Instant;
use tower::ServiceExt;

/// Staff changes (and page renders after each) measured at every size.
const SAMPLES: usize = 100;
/// Changes made before each size's measured ones.
const WARM_UP: usize = 20;
/// Appending throughput is measured over at most this many incidents before each size.
const THROUGHPUT_WINDOW: usize = 1000;
const SPACING_HOURS: i64 = 6;

struct Bench {
    running: Running,
    changes: Arc<Changes>,
    components: Vec<String>,
    /// The first generated incident's start; the last one ends 100 days ago at most.
    origin: DateTime<Utc>,
    added: usize,
}

#[derive(Default)]
struct Row {
    size: usize,
    incidents_per_second: Option<f64>,
    staff_change_ms: f64,
    cpu_per_change_ms: f64,
    home_ms: f64,
    service_ms: f64,
    history_ms: f64,
    history_middle_ms: f64,
    incident_ms: f64,
    summary_ms: f64,
    incidents_json_ms: f64,
    feed_ms: f64,
    rss_mb: f64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    if sizes.is_empty() {
        sizes = vec![5, 1_000, 5_000, 10_000];
    }
    sizes.sort_unstable();
    let largest = *sizes.last().expect("sizes");

    let dir = tempfile::tempdir()?;
    let path = |name: &str| dir.path().join(name).display().to_string();
    let cli = Cli::parse_from([
        "server".to_string(),
        format!("--database-url=sqlite://{}", path("bench.db")),
        "--seed=".into(),
        format!("--last-state={}", path("last-state.json")),
        format!("--spool={}", path("reports.spool")),
        format!("--checks={}", path("no-checks.toml")),
        "--builtin-agent=false".into(),
    ]);
    let running = startup::start_as(&cli.config, startup::leptos_options(), Mode::Serve).await?;
    let changes = running.changes.clone().expect("the database is open");
    let components: Vec<String> = running.snapshot.load().catalog.component_ids().collect();
    let origin =
        Utc::now() - Duration::days(100) - Duration::hours(SPACING_HOURS * i64::try_from(largest)?);
    let mut bench = Bench {
        running,
        changes,
        components,
        origin,
        added: 0,
    };

    let mut rows = Vec::new();
    for size in sizes {
        let window = (size - bench.added).min(THROUGHPUT_WINDOW);
        while bench.added < size - window {
            bench.append().await?;
        }
        let started = Instant::now();
        while bench.added < size {
            bench.append().await?;
        }
        let incidents_per_second =
            (window >= 100).then(|| window as f64 / started.elapsed().as_secs_f64());
        let mut row = bench.measure(size).await?;
        row.incidents_per_second = incidents_per_second;
        eprintln!("measured at {size} incidents");
        rows.push(row);
    }

    println!("| incidents | appending, incidents/s | staff change p50 | CPU per staff change | home page after a change p50 | a service's page | history p. 1 | history, middle page | an old incident | /api/v2/summary.json | /api/v2/incidents.json | /feed.atom | RSS |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.0} MB |",
            r.size,
            r.incidents_per_second
                .map_or("–".into(), |v| format!("{v:.0}")),
            r.staff_change_ms,
            r.cpu_per_change_ms,
            r.home_ms,
            r.service_ms,
            r.history_ms,
            r.history_middle_ms,
            r.incident_ms,
            r.summary_ms,
            r.incidents_json_ms,
            r.feed_ms,
            r.rss_mb
        );
    }
    Ok(())
}

impl Bench {
    /// Applies a change as the console does: written, then shown by the snapshot.
    async fn staff(&self, change: Change) -> anyhow::Result<()> {
        let entry = self.changes.apply("bench", change).await?;
        let shown = self
            .running
            .snapshot
            .wait_until(std::time::Duration::from_secs(60), |s| {
                s.load().state.last_change >= Some(entry.at)
            })
            .await;
        anyhow::ensure!(
            shown,
            "the snapshot did not show ledger entry {}",
            entry.seq
        );
        Ok(())
    }

    /// One generated incident: opened, monitoring an hour later, resolved two hours later.
    async fn append(&mut self) -> anyhow::Result<()> {
        let i = self.added;
        let id = format!("gen-{i:05}");
        let component = self.components[i % self.components.len()].clone();
        let at = self.origin + Duration::hours(SPACING_HOURS * i as i64);
        self.staff(Change::OpenIncident(NewIncident {
            id: id.clone(),
            title_ko: format!("생성된 장애 {i}"),
            title_en: Some(format!("Generated incident {i}")),
            impact: Impact::Minor,
            started_at: at,
            components: vec![StatusChange {
                component: component.clone(),
                status: ComponentStatus::PartialOutage,
            }],
            first_update: Some(FirstUpdate {
                at,
                kind: UpdateKind::Update,
                body_ko: "일부 사용자에게 오류가 발생하고 있습니다.".into(),
                body_en: Some("Some users see errors.".into()),
                notices: Vec::new(),
            }),
            crowd_signal_at: None,
            checks_failed_at: None,
        }))
        .await?;
        for (hours, state) in [(1, IncidentState::Monitoring), (2, IncidentState::Resolved)] {
            self.staff(update(&id, at + Duration::hours(hours), state))
                .await?;
        }
        self.added += 1;
        Ok(())
    }

    async fn measure(&mut self, size: usize) -> anyhow::Result<Row> {
        // An incident open now, which each staff change updates (a new one per size:
        // a change reads its incident whole, so its updates must not pile up).
        let live = format!("live-{size}");
        let component = self.components[0].clone();
        self.staff(Change::OpenIncident(NewIncident {
            id: live.clone(),
            title_ko: "측정 중인 장애".into(),
            title_en: Some("The incident being measured".into()),
            impact: Impact::Major,
            started_at: Utc::now(),
            components: vec![StatusChange {
                component,
                status: ComponentStatus::MajorOutage,
            }],
            first_update: None,
            crowd_signal_at: None,
            checks_failed_at: None,
        }))
        .await?;
        let state = |n: usize| {
            if n.is_multiple_of(2) {
                IncidentState::Identified
            } else {
                IncidentState::Monitoring
            }
        };
        // Staff changes alone: how long each takes, and the CPU the whole process spends
        // on it (every thread: the write, the refresh, the live stream, the fan-out, the
        // last known state's saver), which the disk's latency does not blur.
        // Warm-up, unmeasured (the first size would otherwise pay for first renders and
        // lazily built state).
        for n in 0..WARM_UP {
            self.staff(update(&live, Utc::now(), state(n))).await?;
            self.get("/").await?;
        }
        let mut staff = Vec::new();
        let cpu_before = process_cpu_ms();
        for n in 0..SAMPLES {
            let started = Instant::now();
            self.staff(update(&live, Utc::now(), state(n))).await?;
            staff.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        let cpu_per_change = (process_cpu_ms() - cpu_before) / SAMPLES as f64;
        let old = format!("gen-{:05}", size / 2);
        let middle = (size / 10 / 2).max(1);
        let service = self.components[0]
            .split_once('/')
            .map_or("", |(service, _)| service);
        let pages = [
            "/".to_string(),
            format!("/services/{service}"),
            "/history".to_string(),
            format!("/history?page={middle}"),
            format!("/incidents/{old}"),
            "/api/v2/summary.json".to_string(),
            "/api/v2/incidents.json".to_string(),
            "/feed.atom".to_string(),
        ];
        // Then each page, rendered anew right after a change.
        let mut rendered: Vec<Vec<f64>> = vec![Vec::new(); pages.len()];
        for n in 0..SAMPLES {
            self.staff(update(&live, Utc::now(), state(n))).await?;
            for (page, times) in pages.iter().zip(&mut rendered) {
                times.push(self.get(page).await?);
            }
        }
        self.staff(update(&live, Utc::now(), IncidentState::Resolved))
            .await?;
        Ok(Row {
            size,
            cpu_per_change_ms: cpu_per_change,
            incidents_per_second: None,
            staff_change_ms: median(&mut staff),
            home_ms: median(&mut rendered[0]),
            service_ms: median(&mut rendered[1]),
            history_ms: median(&mut rendered[2]),
            history_middle_ms: median(&mut rendered[3]),
            incident_ms: median(&mut rendered[4]),
            summary_ms: median(&mut rendered[5]),
            incidents_json_ms: median(&mut rendered[6]),
            feed_ms: median(&mut rendered[7]),
            rss_mb: resident_mb(),
        })
    }

    /// Milliseconds to the whole body of a GET.
    async fn get(&self, uri: &str) -> anyhow::Result<f64> {
        let mut request = http::Request::get(uri).body(Body::empty())?;
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                [127, 0, 0, 1],
                40000,
            ))));
        let started = Instant::now();
        let response = self.running.router.clone().oneshot(request).await?;
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        anyhow::ensure!(status.is_success(), "GET {uri}: {status}");
        anyhow::ensure!(!body.is_empty(), "GET {uri}: empty body");
        Ok(ms)
    }
}

fn update(incident: &str, at: DateTime<Utc>, state: IncidentState) -> Change {
    Change::PostUpdate(NewUpdate {
        incident_id: incident.into(),
        at,
        state,
        kind: UpdateKind::Update,
        retrospective: false,
        body_ko: format!("상태: {}", state.as_str()),
        body_en: Some(format!("State: {}", state.as_str())),
        components: Vec::new(),
        still_affected_confirmed: false,
        notices: Vec::new(),
    })
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The process's resident memory now, from /proc (Linux).
/// CPU time the whole process has spent, every thread (Linux: each task's schedstat, in
/// nanoseconds), in milliseconds.
fn process_cpu_ms() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    let nanoseconds: u64 = tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    nanoseconds as f64 / 1e6
}

fn resident_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
