//! Shared test set-up: fresh databases on both backends, and the app built on them.
#![allow(dead_code)]

use server::startup::config::Config;
use server::startup::{self, Running};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::LazyLock;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A fresh database: a file in a temporary folder, or a new PostgreSQL database.
pub struct TestDb {
    pub url: String,
    pub dir: tempfile::TempDir,
}

pub fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("status.db").display());
    TestDb { url, dir }
}

fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// Starts the machine's PostgreSQL when it is not running (as CI may find it).
fn ensure_postgres_running() {
    let ready = || {
        Command::new("pg_isready")
            .args(["-h", "127.0.0.1", "-p", "5432"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if ready() {
        return;
    }
    let version = std::fs::read_dir("/etc/postgresql")
        .ok()
        .and_then(|mut dirs| dirs.next())
        .and_then(|d| d.ok())
        .map(|d| d.file_name().to_string_lossy().to_string());
    if let Some(version) = version {
        let _ = Command::new("pg_ctlcluster")
            .args(["--skip-systemctl-redirect", &version, "main", "start"])
            .status();
    }
    for _ in 0..30 {
        if ready() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    panic!("PostgreSQL is not running at 127.0.0.1:5432 and could not be started");
}

/// One runtime for every test in a binary, as in production: Leptos keeps some state
/// process-wide, and a test that renders on a runtime another test has shut down hangs.
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
});

pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    RUNTIME.block_on(future)
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub async fn postgres() -> TestDb {
    ensure_postgres_running();
    let name = format!(
        "status_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        chrono::Utc::now().timestamp_micros()
    );
    let admin = format!("{}/postgres", postgres_admin_url());
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    TestDb {
        url: format!("{}/{name}", postgres_admin_url()),
        dir: tempfile::tempdir().expect("temp dir"),
    }
}

pub fn config(db: &TestDb) -> Config {
    Config {
        database_url: db.url.clone(),
        catalog: repo_root().join("config/catalog.toml"),
        rules: repo_root().join("config/rules.toml"),
        seed: repo_root()
            .join("seed/kakao-history.toml")
            .display()
            .to_string(),
        last_state: db.dir.path().join("last-state.json"),
        spool: db.dir.path().join("reports.spool"),
        spool_capacity: 10_000,
        refresh_seconds: 60,
        templates: repo_root().join("config/templates.toml"),
        public_url: String::new(),
        trusted_proxies: vec![],
        report_retention_days: 30,
        crowd_refresh_seconds: 1,
        webhook_allow_private: false,
        smtp_url: String::new(),
        mail_from: "Kakao Status <status@localhost>".into(),
        delivery_retry_ms: 200,
        // No checks unless a test asks for them (tests/integration/checks.rs).
        checks: PathBuf::new(),
        builtin_agent: false,
        limits: Default::default(),
    }
}

/// Leptos discovers the routes by running the app in a process-wide "route list" mode;
/// a page rendered by another test at that moment never finishes. Production builds its
/// router once, before serving; here, building a router excludes rendering.
pub static ROUTE_DISCOVERY: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

/// The whole app on this database, as the binary starts it (migrated and seeded).
pub async fn app(db: &TestDb) -> Running {
    app_with(db, |_| {}).await
}

/// The same, with the configuration changed first.
pub async fn app_with(db: &TestDb, change: impl FnOnce(&mut Config)) -> Running {
    app_as(db, startup::Mode::Serve, change).await
}

/// The app in a given mode, with the configuration changed first.
pub async fn app_as(db: &TestDb, mode: startup::Mode, change: impl FnOnce(&mut Config)) -> Running {
    let mut config = config(db);
    change(&mut config);
    let _discovering = ROUTE_DISCOVERY.write().await;
    startup::start_as(&config, leptos_options(db), mode)
        .await
        .expect("the app starts")
}

/// Leptos settings for a test app: its site folder is `site/` in the database's folder.
pub fn leptos_options(db: &TestDb) -> leptos::prelude::LeptosOptions {
    leptos::prelude::LeptosOptions::builder()
        .output_name("status")
        .site_root(db.dir.path().join("site").display().to_string())
        .build()
}
pub mod browser;
pub mod proxy;

/// Runs each named `async fn(TestDb)` as two tests: on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::common::block_on(async { super::$name(super::common::sqlite()).await })
            }
            #[test]
            fn postgres() {
                super::common::block_on(async { super::$name(super::common::postgres().await).await })
            }
        }
    )*};
}
