//! Both SQL backends. The statements are the same text for both (`$1` placeholders work
//! in SQLite too), so one macro writes the `Store` implementation for each; what differs
//! (connecting, migrations, how a writer takes the ledger lock) is written out per backend.

use super::*;
use crate::ledger::{self, LedgerEntry};
use crate::sessions::SessionBackend;
use chrono::{DateTime, SubsecRound, Utc};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::Row;
use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

pub struct SqliteStore {
    pub(super) pool: SqlitePool,
    /// One writer at a time inside this process; SQLite allows one anyway.
    pub(super) write_lock: tokio::sync::Mutex<()>,
}

impl SqliteStore {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
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
        // FULL synchronous: a success answer means the change survives a power cut.
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        tower_sessions_sqlx_store::SqliteStore::new(pool.clone())
            .migrate()
            .await?;
        Ok(Self {
            pool,
            write_lock: tokio::sync::Mutex::new(()),
        })
    }
}

impl SqliteStore {
    /// A write transaction that takes SQLite's write lock at once (`BEGIN IMMEDIATE`): a
    /// deferred one that reads first cannot upgrade if another connection (the session
    /// store) wrote meanwhile, and fails at once instead of waiting its turn.
    pub(super) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }
}

pub struct PostgresStore {
    pub(super) pool: PgPool,
    pub(super) write_lock: tokio::sync::Mutex<()>,
}

impl PostgresStore {
    pub(super) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.pool.begin().await
    }

    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        tower_sessions_sqlx_store::PostgresStore::new(pool.clone())
            .migrate()
            .await?;
        Ok(Self {
            pool,
            write_lock: tokio::sync::Mutex::new(()),
        })
    }
}

pub(super) fn parse<T>(
    value: &str,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, StoreError> {
    parse(value).ok_or_else(|| {
        StoreError::Database(sqlx::Error::Decode(
            format!("unknown {what} '{value}' in the database").into(),
        ))
    })
}

/// Both databases keep microseconds; truncating first makes what is stored, what is
/// hashed into the ledger and what is read back the same value.
pub(super) fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

fn user_record<'r, R: Row>(row: &'r R) -> Result<UserRecord, StoreError>
where
    &'r str: sqlx::ColumnIndex<R>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    DateTime<Utc>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(UserRecord {
        name: row.try_get("name")?,
        role: parse(&row.try_get::<String, _>("role")?, "role", Role::parse)?,
        password_hash: row.try_get("password_hash")?,
        active: row.try_get("active")?,
        created_at: row.try_get("created_at")?,
    })
}

pub(super) fn ledger_entry<'r, R: Row>(row: &'r R) -> Result<LedgerEntry, StoreError>
where
    &'r str: sqlx::ColumnIndex<R>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    DateTime<Utc>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(LedgerEntry {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        canonical: row.try_get("canonical")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// Rows per multi-row INSERT: well under both databases' limits on bound parameters.
pub(super) const ROWS_PER_INSERT: usize = 500;

macro_rules! sql_store {
    ($store:ty, $db:ty, $backend:literal, $ledger_lock:literal) => {
        #[async_trait]
        impl Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

            async fn load(&self) -> Result<StoredState, StoreError> {
                let pool = &self.pool;
                let mut affected: HashMap<String, Vec<StatusChange>> = HashMap::new();
                for row in sqlx::query("SELECT incident_id, component, status FROM incident_components ORDER BY component")
                    .fetch_all(pool)
                    .await?
                {
                    affected.entry(row.try_get("incident_id")?).or_default().push(StatusChange {
                        component: row.try_get("component")?,
                        status: parse(&row.try_get::<String, _>("status")?, "status", ComponentStatus::parse)?,
                    });
                }

                let mut events = Vec::new();
                let mut changes_by_update: HashMap<i64, Vec<StatusChange>> = HashMap::new();
                for row in sqlx::query("SELECT component, status, at, incident_id, update_id FROM component_events ORDER BY at, id")
                    .fetch_all(pool)
                    .await?
                {
                    let event = ComponentEvent {
                        component: row.try_get("component")?,
                        status: parse(&row.try_get::<String, _>("status")?, "status", ComponentStatus::parse)?,
                        at: row.try_get("at")?,
                        incident_id: row.try_get("incident_id")?,
                    };
                    if let Some(update_id) = row.try_get::<Option<i64>, _>("update_id")? {
                        changes_by_update
                            .entry(update_id)
                            .or_default()
                            .push(StatusChange { component: event.component.clone(), status: event.status });
                    }
                    events.push(event);
                }

                let mut updates: HashMap<String, Vec<UpdateRecord>> = HashMap::new();
                for row in sqlx::query(
                    "SELECT id, incident_id, at, state, kind, retrospective, body_ko, body_en, edited_at \
                     FROM incident_updates ORDER BY at, id",
                )
                .fetch_all(pool)
                .await?
                {
                    let id: i64 = row.try_get("id")?;
                    updates.entry(row.try_get("incident_id")?).or_default().push(UpdateRecord {
                        id,
                        at: row.try_get("at")?,
                        state: parse(&row.try_get::<String, _>("state")?, "state", IncidentState::parse)?,
                        kind: parse(&row.try_get::<String, _>("kind")?, "kind", UpdateKind::parse)?,
                        retrospective: row.try_get("retrospective")?,
                        body_ko: row.try_get("body_ko")?,
                        body_en: row.try_get("body_en")?,
                        changes: changes_by_update.remove(&id).unwrap_or_default(),
                        edited_at: row.try_get("edited_at")?,
                    });
                }

                let mut incidents = Vec::new();
                for row in sqlx::query(
                    "SELECT id, title_ko, title_en, impact, state, started_at, resolved_at, crowd_signal_at \
                     FROM incidents ORDER BY started_at, id",
                )
                .fetch_all(pool)
                .await?
                {
                    let id: String = row.try_get("id")?;
                    incidents.push(IncidentRecord {
                        components: affected.remove(&id).unwrap_or_default(),
                        updates: updates.remove(&id).unwrap_or_default(),
                        title_ko: row.try_get("title_ko")?,
                        title_en: row.try_get("title_en")?,
                        impact: parse(&row.try_get::<String, _>("impact")?, "impact", Impact::parse)?,
                        state: parse(&row.try_get::<String, _>("state")?, "state", IncidentState::parse)?,
                        started_at: row.try_get("started_at")?,
                        resolved_at: row.try_get("resolved_at")?,
                        crowd_signal_at: row.try_get("crowd_signal_at")?,
                        id,
                    });
                }

                let mut maintenances = Vec::new();
                for row in sqlx::query(
                    "SELECT id, title_ko, title_en, body_ko, body_en, starts_at, ends_at, components \
                     FROM maintenances ORDER BY starts_at, id",
                )
                .fetch_all(pool)
                .await?
                {
                    let components: String = row.try_get("components")?;
                    maintenances.push(MaintenanceRecord {
                        id: row.try_get("id")?,
                        title_ko: row.try_get("title_ko")?,
                        title_en: row.try_get("title_en")?,
                        body_ko: row.try_get("body_ko")?,
                        body_en: row.try_get("body_en")?,
                        starts_at: row.try_get("starts_at")?,
                        ends_at: row.try_get("ends_at")?,
                        components: serde_json::from_str(&components)
                            .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))?,
                    });
                }

                let last_change = sqlx::query(&format!(
                    "SELECT at FROM ledger WHERE action IN ({}) ORDER BY seq DESC LIMIT 1",
                    PUBLIC_ACTIONS.map(|a| format!("'{a}'")).join(", ")
                ))
                    .fetch_optional(pool)
                    .await?
                    .map(|row| row.try_get("at"))
                    .transpose()?;

                Ok(StoredState { incidents, events, maintenances, last_change })
            }

            async fn apply(&self, actor: &str, at: DateTime<Utc>, change: &Change) -> Result<LedgerEntry, StoreError> {
                let _writer = self.write_lock.lock().await;
                let at = micros(at);
                let mut tx = self.begin_write().await?;
                if !$ledger_lock.is_empty() {
                    sqlx::query($ledger_lock).execute(&mut *tx).await?;
                }
                // The change first: on SQLite the first write takes the write lock, so the
                // ledger head read below cannot be overtaken by another writer.
                match change {
                    Change::OpenIncident(new) => {
                        let started_at = micros(new.started_at);
                        sqlx::query(
                            "INSERT INTO incidents (id, title_ko, title_en, impact, state, started_at, created_at, crowd_signal_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        )
                        .bind(&new.id)
                        .bind(&new.title_ko)
                        .bind(&new.title_en)
                        .bind(new.impact.as_str())
                        .bind(IncidentState::Investigating.as_str())
                        .bind(started_at)
                        .bind(at)
                        .bind(new.crowd_signal_at.map(micros))
                        .execute(&mut *tx)
                        .await?;
                        for c in &new.components {
                            sqlx::query("INSERT INTO incident_components (incident_id, component, status) VALUES ($1, $2, $3)")
                                .bind(&new.id)
                                .bind(&c.component)
                                .bind(c.status.as_str())
                                .execute(&mut *tx)
                                .await?;
                            sqlx::query("INSERT INTO component_events (component, status, at, incident_id) VALUES ($1, $2, $3, $4)")
                                .bind(&c.component)
                                .bind(c.status.as_str())
                                .bind(started_at)
                                .bind(&new.id)
                                .execute(&mut *tx)
                                .await?;
                        }
                        if let Some(first) = &new.first_update {
                            sqlx::query(
                                "INSERT INTO incident_updates \
                                 (incident_id, at, state, kind, retrospective, body_ko, body_en, created_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                            )
                            .bind(&new.id)
                            .bind(micros(first.at))
                            .bind(IncidentState::Investigating.as_str())
                            .bind(first.kind.as_str())
                            .bind(false)
                            .bind(&first.body_ko)
                            .bind(&first.body_en)
                            .bind(at)
                            .execute(&mut *tx)
                            .await?;
                        }
                    }
                    Change::PostUpdate(new) => {
                        let update_at = micros(new.at);
                        let update_id: i64 = sqlx::query(
                            "INSERT INTO incident_updates \
                             (incident_id, at, state, kind, retrospective, body_ko, body_en, created_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                        )
                        .bind(&new.incident_id)
                        .bind(update_at)
                        .bind(new.state.as_str())
                        .bind(new.kind.as_str())
                        .bind(new.retrospective)
                        .bind(&new.body_ko)
                        .bind(&new.body_en)
                        .bind(at)
                        .fetch_one(&mut *tx)
                        .await?
                        .try_get("id")?;
                        let resolved_at = (new.state == IncidentState::Resolved).then_some(update_at);
                        // A postmortem after resolution does not move the resolution time.
                        sqlx::query(
                            "UPDATE incidents SET state = $1, resolved_at = COALESCE(resolved_at, $2) WHERE id = $3",
                        )
                        .bind(new.state.as_str())
                        .bind(resolved_at)
                        .bind(&new.incident_id)
                        .execute(&mut *tx)
                        .await?;
                        for c in &new.components {
                            sqlx::query(
                                "INSERT INTO component_events (component, status, at, incident_id, update_id) \
                                 VALUES ($1, $2, $3, $4, $5)",
                            )
                            .bind(&c.component)
                            .bind(c.status.as_str())
                            .bind(update_at)
                            .bind(&new.incident_id)
                            .bind(update_id)
                            .execute(&mut *tx)
                            .await?;
                        }
                    }
                    Change::ScheduleMaintenance(m) => {
                        let components = serde_json::to_string(&m.components)
                            .map_err(|e| StoreError::Database(sqlx::Error::Encode(e.into())))?;
                        sqlx::query(
                            "INSERT INTO maintenances \
                             (id, title_ko, title_en, body_ko, body_en, starts_at, ends_at, components, created_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                        )
                        .bind(&m.id)
                        .bind(&m.title_ko)
                        .bind(&m.title_en)
                        .bind(&m.body_ko)
                        .bind(&m.body_en)
                        .bind(micros(m.starts_at))
                        .bind(micros(m.ends_at))
                        .bind(components)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                    }
                    Change::CorrectUpdate(fix) => {
                        let changed = sqlx::query(
                            "UPDATE incident_updates SET body_ko = $1, body_en = $2, edited_at = $3 \
                             WHERE id = $4 AND incident_id = $5",
                        )
                        .bind(&fix.body_ko)
                        .bind(&fix.body_en)
                        .bind(at)
                        .bind(fix.update_id)
                        .bind(&fix.incident_id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        if changed != 1 {
                            return Err(StoreError::Conflict(format!("there is no update {} in incident '{}'", fix.update_id, fix.incident_id)));
                        }
                    }
                    Change::SetComponentStatus(set) => {
                        sqlx::query("INSERT INTO component_events (component, status, at, incident_id) VALUES ($1, $2, $3, $4)")
                            .bind(&set.component)
                            .bind(set.status.as_str())
                            .bind(at)
                            .bind(&set.incident_id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    Change::AddUser(user) => {
                        sqlx::query(
                            "INSERT INTO users (name, role, password_hash, active, created_at) VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(&user.name)
                        .bind(user.role.as_str())
                        .bind(&user.password_hash)
                        .bind(true)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                    }
                    Change::UpdateUser(user) => {
                        let changed = sqlx::query("UPDATE users SET role = $1, active = $2 WHERE name = $3")
                            .bind(user.role.as_str())
                            .bind(user.active)
                            .bind(&user.name)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                        if changed != 1 {
                            return Err(StoreError::Conflict(format!("there is no account '{}'", user.name)));
                        }
                    }
                    Change::AddWebhook(hook) => {
                        sqlx::query("INSERT INTO webhooks (id, url, services, secret, active, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                            .bind(&hook.id)
                            .bind(&hook.url)
                            .bind(hook.services.join(","))
                            .bind(&hook.secret)
                            .bind(true)
                            .bind(at)
                            .execute(&mut *tx)
                            .await?;
                    }
                    Change::SetWebhookActive(hook) => {
                        let changed = sqlx::query("UPDATE webhooks SET active = $1 WHERE id = $2")
                            .bind(hook.active)
                            .bind(&hook.id)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                        if changed != 1 {
                            return Err(StoreError::Conflict(format!("there is no webhook '{}'", hook.id)));
                        }
                    }
                    // Recorded in the ledger only.
                    Change::SignIn(_) | Change::SignInFailed(_) | Change::SignOut(_) => {}
                }

                let head = sqlx::query("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|row| Ok::<_, sqlx::Error>((row.try_get("seq")?, row.try_get("hash")?)))
                    .transpose()?;
                let payload = serde_json::to_value(change).map_err(|e| StoreError::Database(sqlx::Error::Encode(e.into())))?;
                let entry = ledger::next_entry(head, at, actor, change.action(), &payload);
                sqlx::query(
                    "INSERT INTO ledger (seq, at, actor, action, canonical, prev_hash, hash) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(entry.seq)
                .bind(entry.at)
                .bind(&entry.actor)
                .bind(&entry.action)
                .bind(&entry.canonical)
                .bind(&entry.prev_hash)
                .bind(&entry.hash)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(entry)
            }

            async fn incident_exists(&self, id: &str) -> Result<bool, StoreError> {
                Ok(sqlx::query("SELECT 1 AS one FROM incidents WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
                    .is_some())
            }

            async fn user(&self, name: &str) -> Result<Option<UserRecord>, StoreError> {
                sqlx::query("SELECT name, role, password_hash, active, created_at FROM users WHERE name = $1")
                    .bind(name)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(|row| user_record(&row))
                    .transpose()
            }

            async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
                sqlx::query("SELECT name, role, password_hash, active, created_at FROM users ORDER BY name")
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(user_record)
                    .collect()
            }

            async fn add_reports(&self, reports: &[NewReport]) -> Result<(), StoreError> {
                let mut counts: HashMap<(&str, &str, &str, i64), i64> = HashMap::new();
                for r in reports {
                    *counts.entry((&r.service, &r.problem, &r.region, r.at.timestamp().div_euclid(60))).or_default() += 1;
                }
                let _writer = self.write_lock.lock().await;
                let mut tx = self.begin_write().await?;
                for chunk in reports.chunks(ROWS_PER_INSERT) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new("INSERT INTO reports (service, problem, region, client, at) ");
                    insert.push_values(chunk, |mut row, r| {
                        row.push_bind(&r.service).push_bind(&r.problem).push_bind(&r.region).push_bind(&r.client).push_bind(micros(r.at));
                    });
                    insert.build().execute(&mut *tx).await?;
                }
                let counts: Vec<_> = counts.into_iter().collect();
                for chunk in counts.chunks(ROWS_PER_INSERT) {
                    let mut upsert = sqlx::QueryBuilder::<$db>::new("INSERT INTO report_counts (service, problem, region, minute, count) ");
                    upsert.push_values(chunk, |mut row, ((service, problem, region, minute), count)| {
                        row.push_bind(*service).push_bind(*problem).push_bind(*region).push_bind(*minute).push_bind(*count);
                    });
                    upsert.push(" ON CONFLICT (minute, service, problem, region) DO UPDATE SET count = report_counts.count + excluded.count");
                    upsert.build().execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn report_totals(&self, from: i64, to: i64) -> Result<Vec<MinuteTotal>, StoreError> {
                sqlx::query(
                    "SELECT service, minute, CAST(SUM(count) AS BIGINT) AS count FROM report_counts \
                     WHERE minute >= $1 AND minute < $2 GROUP BY service, minute",
                )
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|row| Ok(MinuteTotal { service: row.try_get("service")?, minute: row.try_get("minute")?, count: row.try_get("count")? }))
                .collect()
            }

            async fn report_breakdown(&self, from: i64, to: i64) -> Result<Vec<Breakdown>, StoreError> {
                sqlx::query(
                    "SELECT service, problem, region, CAST(SUM(count) AS BIGINT) AS count FROM report_counts \
                     WHERE minute >= $1 AND minute < $2 GROUP BY service, problem, region",
                )
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|row| {
                    Ok(Breakdown {
                        service: row.try_get("service")?,
                        problem: row.try_get("problem")?,
                        region: row.try_get("region")?,
                        count: row.try_get("count")?,
                    })
                })
                .collect()
            }

            async fn delete_reports_before(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
                let _writer = self.write_lock.lock().await;
                Ok(sqlx::query("DELETE FROM reports WHERE at < $1").bind(micros(before)).execute(&self.pool).await?.rows_affected())
            }

            async fn save_signal(&self, signal: &SignalRecord) -> Result<(), StoreError> {
                let _writer = self.write_lock.lock().await;
                sqlx::query(
                    "INSERT INTO crowd_signals (service, fired_at, cleared_at, peak) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (service, fired_at) DO UPDATE SET cleared_at = excluded.cleared_at, peak = excluded.peak",
                )
                .bind(&signal.service)
                .bind(micros(signal.fired_at))
                .bind(signal.cleared_at.map(micros))
                .bind(signal.peak)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn signals(&self, since: DateTime<Utc>) -> Result<Vec<SignalRecord>, StoreError> {
                sqlx::query("SELECT service, fired_at, cleared_at, peak FROM crowd_signals WHERE fired_at >= $1 ORDER BY fired_at")
                    .bind(micros(since))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|row| {
                        Ok(SignalRecord {
                            service: row.try_get("service")?,
                            fired_at: row.try_get("fired_at")?,
                            cleared_at: row.try_get("cleared_at")?,
                            peak: row.try_get("peak")?,
                        })
                    })
                    .collect()
            }

            async fn ledger(&self) -> Result<Vec<LedgerEntry>, StoreError> {
                let rows = sqlx::query("SELECT seq, at, actor, action, canonical, prev_hash, hash FROM ledger ORDER BY seq")
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(ledger_entry).collect()
            }
        }
    };
}

sql_store!(SqliteStore, sqlx::Sqlite, "sqlite", "");
impl SessionsIn for SqliteStore {
    fn sessions(&self) -> SessionBackend {
        SessionBackend::Sqlite(tower_sessions_sqlx_store::SqliteStore::new(
            self.pool.clone(),
        ))
    }
}
// Serialises writers across every instance sharing the database: the ledger is a chain.
sql_store!(
    PostgresStore,
    sqlx::Postgres,
    "postgres",
    "LOCK TABLE ledger IN EXCLUSIVE MODE"
);
impl SessionsIn for PostgresStore {
    fn sessions(&self) -> SessionBackend {
        SessionBackend::Postgres(tower_sessions_sqlx_store::PostgresStore::new(
            self.pool.clone(),
        ))
    }
}
