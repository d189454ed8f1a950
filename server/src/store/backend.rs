//! What differs between the two SQL backends: connecting and migrating, how a write
//! transaction begins, how `apply` takes the ledger lock, and the session store. The
//! statements themselves are shared (see `sql.rs`).

use super::sessions::SessionBackend;
use super::StoreError;
use sqlx::postgres::PgListener;
use sqlx::postgres::{PgPoolOptions, PgQueryResult};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteQueryResult,
    SqliteSynchronous,
};
use sqlx::{IntoArguments, Pool, Postgres, Sqlite};
use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// A database the store runs on: implemented for `sqlx::Sqlite` and `sqlx::Postgres`.
///
/// The bounds on its associated types are implied wherever `DB: Backend` is (arguments
/// bind, a query result counts its rows); the other sqlx bounds have another type as
/// subject, which Rust does not imply, and are stated on each impl block that runs SQL.
pub trait Backend:
    for<'q> sqlx::Database<Arguments<'q>: IntoArguments<'q, Self>, QueryResult: RowsAffected>
{
    /// "sqlite" or "postgres".
    const BACKEND: &'static str;

    /// The statement that begins a write transaction, if not the plain `BEGIN`.
    const BEGIN_WRITE: Option<&'static str>;

    /// Run first in `apply`'s transaction, if anything.
    const LEDGER_LOCK: Option<&'static str>;

    /// Opens the pool and brings the schema (ours and the session store's) up to date.
    fn connect(url: &str) -> impl Future<Output = Result<Pool<Self>, StoreError>> + Send;

    /// A pool that connects only when used (no migration): for an instance started
    /// while its database is unreachable, so that what it writes meanwhile (reports)
    /// reaches the database as soon as it answers.
    fn connect_lazy(url: &str) -> Result<Pool<Self>, StoreError>;

    /// The session store in the same database.
    fn sessions(pool: &Pool<Self>) -> SessionBackend;

    /// Run in `apply`'s transaction after a public change, with the ledger seq as its one
    /// argument: tells every other instance on the database at commit, if anything.
    const ANNOUNCE: Option<&'static str>;

    /// Wakes `heard` whenever another instance announces a change, and once after each
    /// (re)connection, since announcements made while no one listened are lost; runs
    /// forever. Returns at once where there are no other instances to hear.
    fn listen(pool: &Pool<Self>, heard: Arc<Notify>) -> impl Future<Output = ()> + Send;
}

/// The PostgreSQL channel changes are announced on.
pub const CHANGES_CHANNEL: &str = "status_changes";

/// What each backend's query result has, as a trait (sqlx has it as inherent methods).
pub trait RowsAffected {
    fn rows_affected(&self) -> u64;
}

impl RowsAffected for SqliteQueryResult {
    fn rows_affected(&self) -> u64 {
        SqliteQueryResult::rows_affected(self)
    }
}

impl RowsAffected for PgQueryResult {
    fn rows_affected(&self) -> u64 {
        PgQueryResult::rows_affected(self)
    }
}

impl Backend for Sqlite {
    const BACKEND: &'static str = "sqlite";

    /// Takes SQLite's write lock at once: a deferred transaction that reads first cannot
    /// upgrade if another connection (the session store) wrote meanwhile, and fails at
    /// once instead of waiting its turn.
    const BEGIN_WRITE: Option<&'static str> = Some("BEGIN IMMEDIATE");

    /// `BEGIN IMMEDIATE` already serialises writers.
    const LEDGER_LOCK: Option<&'static str> = None;

    async fn connect(url: &str) -> Result<Pool<Self>, StoreError> {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(sqlite_options(path)?)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        tower_sessions_sqlx_store::SqliteStore::new(pool.clone())
            .migrate()
            .await?;
        Ok(pool)
    }

    fn connect_lazy(url: &str) -> Result<Pool<Self>, StoreError> {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        Ok(SqlitePoolOptions::new()
            .max_connections(8)
            .connect_lazy_with(sqlite_options(path)?))
    }

    fn sessions(pool: &Pool<Self>) -> SessionBackend {
        SessionBackend::Sqlite(tower_sessions_sqlx_store::SqliteStore::new(pool.clone()))
    }

    /// An embedded database has one instance: nobody else to tell.
    const ANNOUNCE: Option<&'static str> = None;

    async fn listen(_: &Pool<Self>, _: Arc<Notify>) {}
}

/// FULL synchronous: a success answer means the change survives a power cut.
fn sqlite_options(path: &str) -> Result<SqliteConnectOptions, StoreError> {
    Ok(SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10)))
}

fn pg_pool() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
}

impl Backend for Postgres {
    const BACKEND: &'static str = "postgres";

    const BEGIN_WRITE: Option<&'static str> = None;

    /// Serialises writers across every instance sharing the database: the ledger is a
    /// chain.
    const LEDGER_LOCK: Option<&'static str> = Some("LOCK TABLE ledger IN EXCLUSIVE MODE");

    async fn connect(url: &str) -> Result<Pool<Self>, StoreError> {
        let pool = pg_pool().connect(url).await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        tower_sessions_sqlx_store::PostgresStore::new(pool.clone())
            .migrate()
            .await?;
        Ok(pool)
    }

    fn connect_lazy(url: &str) -> Result<Pool<Self>, StoreError> {
        Ok(pg_pool().connect_lazy(url)?)
    }

    fn sessions(pool: &Pool<Self>) -> SessionBackend {
        SessionBackend::Postgres(tower_sessions_sqlx_store::PostgresStore::new(pool.clone()))
    }

    /// NOTIFY is transactional: delivered at commit, never for a change rolled back.
    const ANNOUNCE: Option<&'static str> = Some("SELECT pg_notify('status_changes', $1)");

    async fn listen(pool: &Pool<Self>, heard: Arc<Notify>) {
        loop {
            let mut listener = match PgListener::connect_with(pool).await {
                Ok(listener) => listener,
                Err(error) => {
                    tracing::warn!(%error, "cannot listen for other instances' changes; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            if let Err(error) = listener.listen(CHANGES_CHANNEL).await {
                tracing::warn!(%error, "cannot listen for other instances' changes; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            // Listening (again): what was announced while no one listened is read now.
            heard.notify_one();
            loop {
                match listener.try_recv().await {
                    Ok(Some(_)) => heard.notify_one(),
                    // The connection was lost: connect again, then reload.
                    Ok(None) => break,
                    Err(error) => {
                        tracing::warn!(%error, "lost the listener for other instances' changes");
                        break;
                    }
                }
            }
        }
    }
}
