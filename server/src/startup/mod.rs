//! Putting the pieces together: configuration → database → seed → snapshot → router.
//! The only module that sees every other one.

pub mod config;
pub mod listener;

use crate::checks::agent::{Agent, AgentChecks};
use crate::checks::ingest::Ingest;
use crate::checks::sinks::LocalSink;
use crate::checks::watch;
use crate::crowd::figures;
use crate::crowd::intake::Intake;
use crate::crowd::spool::Spool;
use crate::delivery::email::Mailer;
use crate::delivery::{Outbox, OutboxSettings};
use crate::domain::catalog::Catalog;
use crate::domain::change::{Change, NewProbeAgent};
use crate::domain::checks::ChecksConfig;
use crate::domain::law::Law;
use crate::read::past::PastViews;
use crate::read::refresh::{refresh_loop, LastKnownState};
use crate::read::snapshot::SnapshotHandle;
use crate::store;
use crate::web::console::templates;
use crate::web::console::Console;
use crate::web::health::Health;
use crate::web::kit::assets;
use crate::web::kit::throttle::SignInThrottle;
use crate::web::probes::Probes;
use crate::web::reports::Reports;
use crate::web::static_files::StaticFiles;
use crate::web::subscribe::Subscriptions;
use crate::web::{router, AppState};
use crate::write::changes::{ChangeError, Changes};
use crate::write::seed;
use anyhow::Context;
use axum::Router;
use chrono::Utc;
use config::Config;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::AbortHandle;

pub struct Running {
    pub router: Router,
    pub snapshot: Arc<SnapshotHandle>,
    /// None while the database cannot be reached (the last known state is served).
    pub changes: Option<Arc<Changes>>,
    /// Webhooks and email; None while the database cannot be reached.
    pub outbox: Option<Arc<Outbox>>,
    /// Health, readiness and metrics; `begin_drain` at shutdown.
    pub health: Arc<Health>,
    /// The loops started with it (refresh, crowd figures, housekeeping, live events…).
    background: Vec<AbortHandle>,
}

impl Drop for Running {
    /// Stops what it started, so that its database connections close with it (tests
    /// start many apps in one process).
    fn drop(&mut self) {
        for task in &self.background {
            task.abort();
        }
        if let Some(outbox) = &self.outbox {
            outbox.stop();
        }
    }
}

/// Leptos settings from the standard `LEPTOS_*` variables, with this site's defaults
/// for any that are missing, so that the binary also runs on its own.
pub fn leptos_options() -> LeptosOptions {
    let env = |name: &str, default: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or(default.into())
    };
    let site_addr = env("LEPTOS_SITE_ADDR", "127.0.0.1:3000");
    // Content-hashed names when the build wrote them: the options carry the hash file,
    // which `app::browser::build_outputs` reads once.
    let hash_file = assets::hash_file();
    let options = LeptosOptions::builder()
        .output_name(env("LEPTOS_OUTPUT_NAME", "status"))
        .site_root(env("LEPTOS_SITE_ROOT", "target/site"))
        .site_pkg_dir(env("LEPTOS_SITE_PKG_DIR", "pkg"))
        .hash_files(hash_file.is_some())
        .hash_file(std::sync::Arc::from(
            hash_file.map_or("hash.txt".into(), |f| f.display().to_string()),
        ))
        .site_addr(
            site_addr
                .parse::<std::net::SocketAddr>()
                .unwrap_or_else(|_| ([127, 0, 0, 1], 3000).into()),
        )
        .reload_port(3001)
        .env(if env("LEPTOS_ENV", "PROD").eq_ignore_ascii_case("DEV") {
            leptos::config::Env::DEV
        } else {
            leptos::config::Env::PROD
        })
        .build();
    assets::name_stylesheet(&options);
    options
}

/// What an app is started for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    /// The site: everything.
    Serve,
    /// Reading only, to export the public pages (`server export-static`): the snapshot
    /// kept current and the crowd figures; no seeding, no outbox, no report intake, no
    /// console, no session clean-up.
    Mirror,
}

pub async fn start(config: &Config, leptos: LeptosOptions) -> anyhow::Result<Running> {
    start_as(config, leptos, Mode::Serve).await
}

pub async fn start_as(
    config: &Config,
    leptos: LeptosOptions,
    mode: Mode,
) -> anyhow::Result<Running> {
    let catalog = Arc::new(Catalog::load(&config.catalog)?);
    let law = Arc::new(Law::load(&config.rules)?);
    let last_known = LastKnownState(config.last_state.clone());
    let opened = match mode {
        Mode::Serve => open_and_seed(config, &catalog, &law).await,
        Mode::Mirror => store::connect(&config.database_url)
            .await
            .map(|store| Changes::new(store, catalog.clone()).with_law(law.clone()))
            .map_err(anyhow::Error::from),
    };

    let (changes, state, confirmed_at) = match opened {
        Ok(changes) => {
            let state = changes
                .store()
                .load()
                .await
                .context("reading the database")?;
            last_known.save(&state);
            (Some(Arc::new(changes)), state, None)
        }
        Err(error) => {
            // The rule: the status site survives the outage it reports.
            let (state, saved_at) = last_known.read().with_context(|| {
                format!("the database is unavailable ({error:#}) and there is no last known state at {}", config.last_state.display())
            })?;
            tracing::error!(
                error = format!("{error:#}"),
                "database unavailable: serving the last known state read-only"
            );
            (None, state, Some(saved_at))
        }
    };

    let mut background = Vec::new();
    let snapshot = Arc::new(match confirmed_at {
        None => SnapshotHandle::new(catalog.clone(), law.clone(), Arc::new(state), Utc::now()),
        Some(at) => SnapshotHandle::new_stale(
            catalog.clone(),
            law.clone(),
            Arc::new(state),
            at,
            Utc::now(),
        ),
    });
    let every = Duration::from_secs(config.refresh_seconds.max(1));
    match &changes {
        Some(changes) => {
            background.push(
                tokio::spawn(refresh_loop(
                    changes.store().clone(),
                    snapshot.clone(),
                    changes.subscribe(),
                    last_known,
                    every,
                ))
                .abort_handle(),
            );
        }
        None => {
            let (snapshot, config, catalog) = (snapshot.clone(), config.clone(), catalog.clone());
            background.push(
                tokio::spawn(async move {
                    reconnect_loop(config, catalog, snapshot, last_known, every).await
                })
                .abort_handle(),
            );
        }
    }

    let statics = Arc::new(StaticFiles::load(std::path::Path::new(
        leptos.site_root.as_ref(),
    )));
    if !statics.is_empty() && !statics.contains(assets::stylesheet()) {
        tracing::error!(
            stylesheet = assets::stylesheet(),
            site_root = %leptos.site_root,
            "the pages name a stylesheet the site folder does not have: they will render \
             without style. Build the site and the server together (cargo leptos build \
             --release) and keep hash.txt beside the server binary"
        );
    }
    if let Some(changes) = changes.as_ref().filter(|_| mode == Mode::Serve) {
        // Expired staff sessions are deleted hourly (they are refused as soon as they expire).
        background.push(
            tokio::spawn(
                tower_sessions::session_store::ExpiredDeletion::continuously_delete_expired(
                    changes.store().sessions(),
                    tokio::time::Duration::from_secs(3600),
                ),
            )
            .abort_handle(),
        );
    }
    let outbox = match changes.as_ref().filter(|_| mode == Mode::Serve) {
        Some(changes) => Some(Outbox::start(
            changes.store().clone(),
            catalog.clone(),
            OutboxSettings {
                base_url: config.base_url(),
                allow_private: config.webhook_allow_private,
                first_retry: Duration::from_millis(config.delivery_retry_ms.max(1)),
                mailer: Mailer::from_url(&config.smtp_url)
                    .with_context(|| format!("STATUS_SMTP_URL {}", redact(&config.smtp_url)))?,
                from: config
                    .mail_from
                    .parse()
                    .with_context(|| format!("STATUS_MAIL_FROM '{}'", config.mail_from))?,
            },
            changes.subscribe(),
        )),
        None => None,
    };
    let spool = || {
        Spool::open(&config.spool, config.spool_capacity)
            .with_context(|| format!("opening the report spool {}", config.spool.display()))
    };
    let reports = match (&changes, &outbox) {
        (Some(changes), Some(outbox)) => {
            let store = changes.store().clone();
            let intake = Intake::start(catalog.clone(), store.clone(), spool()?);
            background.push(
                tokio::spawn(figures::run(
                    store.clone(),
                    catalog.clone(),
                    snapshot.clone(),
                    Duration::from_secs(config.crowd_refresh_seconds.max(1)),
                    intake.stored(),
                    Some(outbox.clone()),
                ))
                .abort_handle(),
            );
            Some((intake, store))
        }
        // Started without its database: reports are still taken, into the spool, and
        // reach the database as soon as it answers (the store connects when used).
        (None, _) if mode == Mode::Serve => {
            let store = store::connect_lazy(&config.database_url)?;
            Some((
                Intake::start(catalog.clone(), store.clone(), spool()?),
                store,
            ))
        }
        _ => None,
    }
    .map(|(intake, store)| {
        background.push(
            tokio::spawn(housekeeping(
                intake.clone(),
                store,
                config.report_retention_days,
            ))
            .abort_handle(),
        );
        Arc::new(Reports {
            intake,
            snapshot: snapshot.clone(),
            trusted_proxies: config.trusted_proxies.clone(),
        })
    });
    if let Some(changes) = changes.as_ref().filter(|_| mode == Mode::Mirror) {
        // The mirror shows the crowd figures too; it records no events (no outbox).
        let (keep, stored) = tokio::sync::watch::channel(0);
        let figures = figures::run(
            changes.store().clone(),
            catalog.clone(),
            snapshot.clone(),
            Duration::from_secs(config.crowd_refresh_seconds.max(1)),
            stored,
            None,
        );
        background.push(
            tokio::spawn(async move {
                let _keep = keep;
                figures.await
            })
            .abort_handle(),
        );
    }
    let probes = match changes.as_ref().filter(|_| mode == Mode::Serve) {
        Some(changes) => {
            start_checks(
                config,
                &catalog,
                changes,
                &snapshot,
                outbox.clone(),
                &mut background,
            )
            .await?
        }
        None => None,
    };
    let console = Arc::new(Console {
        changes: changes.clone().filter(|_| mode == Mode::Serve),
        snapshot: snapshot.clone(),
        templates: templates::load(&config.templates)?,
        throttle: SignInThrottle::default(),
        outbox: outbox.clone(),
    });
    let subscriptions = Arc::new(Subscriptions::new(
        outbox.clone(),
        config.trusted_proxies.clone(),
    ));
    snapshot.set_email_alerts(outbox.as_ref().is_some_and(|o| o.email_enabled()));
    let live = crate::web::live::Live::new(
        config.limits.live_streams_per_address.max(1),
        config.trusted_proxies.clone(),
    );
    background.push(
        tokio::spawn(crate::web::live::produce(live.clone(), snapshot.clone())).abort_handle(),
    );
    let health = Health::new(
        snapshot.clone(),
        reports.clone(),
        changes.as_ref().map(|c| c.store().clone()),
        live.clone(),
    );
    let past = Arc::new(PastViews::new(
        changes.as_ref().map(|c| c.store().clone()),
        snapshot.clone(),
    ));
    let router = router(AppState {
        leptos,
        snapshot: snapshot.clone(),
        past,
        statics,
        console,
        reports,
        secure_cookies: config.secure_cookies(),
        public_url: config.public_url.clone(),
        subscriptions,
        base_url: config.base_url(),
        live,
        health: health.clone(),
        body_deadline: Duration::from_secs(config.limits.body_timeout_seconds.max(1)),
        probes,
    });
    Ok(Running {
        router,
        snapshot,
        changes,
        outbox,
        health,
        background,
    })
}

/// The automated checks: the configuration (refused with its line and reason), the
/// ingest agents push to, the loop that decides verdicts, and the agent inside the
/// server. None when no check is configured.
async fn start_checks(
    config: &Config,
    catalog: &Arc<Catalog>,
    changes: &Arc<Changes>,
    snapshot: &Arc<SnapshotHandle>,
    outbox: Option<Arc<Outbox>>,
    background: &mut Vec<AbortHandle>,
) -> anyhow::Result<Option<Arc<Probes>>> {
    let site = url::Url::parse(&config.base_url())
        .with_context(|| format!("the site's address {} is not a URL", config.base_url()))?;
    let checks = Arc::new(ChecksConfig::load_optional(&config.checks, catalog)?.with_site(&site));
    if checks.checks.is_empty() {
        return Ok(None);
    }
    let store = changes.store().clone();
    let ingest = Arc::new(Ingest::new(store.clone(), checks.clone()));
    background.push(
        tokio::spawn(watch::run(
            store.clone(),
            checks.clone(),
            snapshot.clone(),
            outbox,
        ))
        .abort_handle(),
    );
    if config.builtin_agent {
        let name = builtin_agent_name(&site);
        let known = store.probe_agents().await?.iter().any(|a| a.name == name);
        if !known {
            let agent = NewProbeAgent {
                name: name.clone(),
                secret: random_key(),
            };
            match changes.apply("system", Change::AddProbeAgent(agent)).await {
                // Another instance of the same name won the race: fine.
                Ok(_) | Err(ChangeError::Store(store::StoreError::Conflict(_))) => {}
                Err(error) => return Err(error).context("registering the built-in agent"),
            }
        }
        let agent = Agent::new(name, None, Arc::new(LocalSink(ingest.clone())))?;
        let (keep, list) = tokio::sync::watch::channel(Arc::new(AgentChecks {
            checks: checks.checks.clone(),
            controls: checks.controls.clone(),
        }));
        background.push(
            tokio::spawn(async move {
                let _keep = keep;
                agent.run(list).await
            })
            .abort_handle(),
        );
    }
    Ok(Some(Arc::new(Probes { ingest, store })))
}

/// One built-in agent per instance (each counts in the quorum): named after the host
/// and the address it serves, in the letters agent names allow (a-z, 0-9, -; 64 at most).
fn builtin_agent_name(site: &url::Url) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    let addr = std::env::var("LEPTOS_SITE_ADDR")
        .unwrap_or_else(|_| format!("{}", site.port_or_known_default().unwrap_or(0)));
    agent_name(&format!("built-in-{host}-{addr}"))
}

/// `text` as an agent name: lower case, anything but a-z and 0-9 as one `-`, 64 at most.
fn agent_name(text: &str) -> String {
    let mut name = String::new();
    for c in text.to_ascii_lowercase().chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            name.push(c);
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    name.truncate(64);
    name.trim_end_matches('-').to_string()
}

/// A random key (the built-in agent's is never used on a network; registered agents'
/// are printed once).
pub fn random_key() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut key = [0u8; 32];
    OsRng.fill_bytes(&mut key);
    hex::encode(key)
}

/// Opens (and migrates) the database and loads the seeded history if it is not there yet,
/// so that the ledger always starts with the first seeded fact.
pub async fn open_and_seed(
    config: &Config,
    catalog: &Arc<Catalog>,
    law: &Arc<Law>,
) -> anyhow::Result<Changes> {
    let store = store::connect(&config.database_url)
        .await
        .with_context(|| format!("opening the database {}", redact(&config.database_url)))?;
    let changes = Changes::new(store, catalog.clone()).with_law(law.clone());
    if !config.seed.is_empty() {
        let added = seed::seed(&changes, std::path::Path::new(&config.seed)).await?;
        if added > 0 {
            tracing::info!(added, "seeded the incident history");
        }
    }
    Ok(changes)
}

/// While the database is down: keep serving, keep trying, and take over when it is back.
async fn reconnect_loop(
    config: Config,
    catalog: Arc<Catalog>,
    snapshot: Arc<SnapshotHandle>,
    last_known: LastKnownState,
    every: Duration,
) {
    loop {
        tokio::time::sleep(Duration::from_secs(5)).await;
        snapshot.rebuild(None, Utc::now());
        let law = snapshot.load().law.clone();
        if let Ok(changes) = open_and_seed(&config, &catalog, &law).await {
            tracing::info!("the database is back");
            if let Ok(state) = changes.store().load().await {
                last_known.save(&state);
                snapshot.rebuild(Some(Arc::new(state)), Utc::now());
            }
            refresh_loop(
                changes.store().clone(),
                snapshot,
                changes.subscribe(),
                last_known,
                every,
            )
            .await;
            return;
        }
    }
}

/// Every minute: forget clients whose repeat window has passed; every hour: delete raw
/// reports older than the retention period (the per-minute counts stay).
async fn housekeeping(intake: Arc<Intake>, store: Arc<dyn store::Store>, retention_days: u32) {
    let mut minutes = 0u32;
    loop {
        tokio::time::sleep(Duration::from_secs(60)).await;
        intake.forget_old();
        if minutes.is_multiple_of(60) {
            let before = Utc::now() - chrono::Duration::days(i64::from(retention_days));
            match store.delete_reports_before(before).await {
                Ok(deleted) if deleted > 0 => {
                    tracing::info!(deleted, "deleted raw reports past retention")
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "deleting old reports failed"),
            }
        }
        minutes = minutes.wrapping_add(1);
    }
}

/// A database URL without its password, for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}@{}", &url[..scheme + 3], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_built_in_agents_name_is_one_the_ledger_takes() {
        use crate::domain::change::{Change, NewProbeAgent};
        for text in [
            "built-in-Status.Host_01-127.0.0.1:3000",
            "built-in-host-[::1]:8080",
            &format!("built-in-{}-0.0.0.0:3000", "x".repeat(80)),
        ] {
            let name = super::agent_name(text);
            let change = Change::AddProbeAgent(NewProbeAgent {
                name: name.clone(),
                secret: String::new(),
            });
            let catalog = crate::domain::catalog::Catalog::load(std::path::Path::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../config/catalog.toml"
            )))
            .unwrap();
            assert!(
                crate::domain::rules::validate(&catalog, &change).is_ok(),
                "{text} -> {name}"
            );
        }
        assert_eq!(
            super::agent_name("built-in-Status.Host_01-127.0.0.1:3000"),
            "built-in-status-host-01-127-0-0-1-3000"
        );
    }
}
