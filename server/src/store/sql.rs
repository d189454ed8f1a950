//! The store over SQL: one implementation for both backends, generic over the sqlx
//! database. The statements are the same text for both (`$1` placeholders work in SQLite
//! too); what differs (connecting, migrations, how a writer takes the ledger lock) is in
//! `backend.rs`. The public state (`load`, `apply`) is in `state.rs`, the outbox in
//! `outbox.rs`.
//!
//! The impl blocks that run statements share one where-clause, the sqlx bounds that
//! `Backend` cannot carry (Rust implies only bounds whose subject is the trait's own type
//! or its associated types): a connection executes, columns are found by name, and the
//! value types we store bind, decode and have a type on the backend. Each such impl block
//! states the same list.

use super::backend::{Backend, RowsAffected};
use super::sessions::SessionBackend;
use super::*;
use crate::domain::change::Change;
use crate::domain::ledger::LedgerEntry;
use crate::domain::rules::Current;
use crate::domain::state::{IncidentRecord, LedgerHead, StateChanges, StoredState};
use chrono::{DateTime, SubsecRound, Utc};
use sqlx::{Arguments, ColumnIndex, Decode, Encode, Executor, Pool, Row, Type};
use std::collections::HashMap;

/// The store on a SQL database `DB` (`sqlx::Sqlite` or `sqlx::Postgres`).
pub struct SqlStore<DB: Backend> {
    pub(super) pool: Pool<DB>,
    /// One writer at a time inside this process (SQLite allows one anyway).
    pub(super) write_lock: tokio::sync::Mutex<()>,
}

pub type SqliteStore = SqlStore<sqlx::Sqlite>;
pub type PostgresStore = SqlStore<sqlx::Postgres>;

/// A Rust type stored in a column: it binds, decodes and has a type on `DB`.
pub trait Value<DB: sqlx::Database>:
    Type<DB> + for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Send + Sync
{
}

impl<DB: sqlx::Database, T> Value<DB> for T where
    T: Type<DB> + for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Send + Sync
{
}

impl<DB: Backend> SqlStore<DB> {
    /// Opens (and migrates) the database.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Ok(Self {
            pool: DB::connect(url).await?,
            write_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// The store of a database that does not answer now: it connects when used.
    pub fn connect_lazy(url: &str) -> Result<Self, StoreError> {
        Ok(Self {
            pool: DB::connect_lazy(url)?,
            write_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// A write transaction, begun as the backend wants (`BEGIN IMMEDIATE` on SQLite).
    pub(super) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, DB>, sqlx::Error> {
        match DB::BEGIN_WRITE {
            Some(statement) => self.pool.begin_with(statement).await,
            None => self.pool.begin().await,
        }
    }
}

impl<DB: Backend> SessionsIn for SqlStore<DB> {
    fn sessions(&self) -> SessionBackend {
        DB::sessions(&self.pool)
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

/// A statement assembled piece by piece, each value bound as it is pushed, with the
/// placeholders `sqlx::QueryBuilder` writes (`?` on SQLite, `$n` on PostgreSQL). Generic
/// code cannot run a `QueryBuilder` it owns: the lifetime of `DB::Arguments<'q>` is
/// invariant, so the borrow `build()` takes outlives the builder (sqlx issue #1978). This
/// one is taken apart instead (`into_parts`) and run with `sqlx::query_with`.
pub(super) struct Statement<'q, DB: sqlx::Database> {
    sql: String,
    arguments: DB::Arguments<'q>,
    error: Option<sqlx::error::BoxDynError>,
}

impl<'q, DB: sqlx::Database> Statement<'q, DB> {
    pub(super) fn new(sql: impl Into<String>) -> Self {
        Self {
            sql: sql.into(),
            arguments: Default::default(),
            error: None,
        }
    }

    pub(super) fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Binds the value and writes its placeholder.
    pub(super) fn push_bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'q + Encode<'q, DB> + Type<DB>,
    {
        if let Err(e) = self.arguments.add(value) {
            self.error.get_or_insert(e);
        }
        self.arguments
            .format_placeholder(&mut self.sql)
            .expect("writing to a String");
        self
    }

    /// Placeholders separated by ", ".
    pub(super) fn separated(&mut self) -> Separated<'_, 'q, DB> {
        Separated {
            statement: self,
            first: true,
        }
    }

    /// `VALUES (…), (…)`: one tuple a row.
    pub(super) fn push_values<I: IntoIterator>(
        &mut self,
        rows: I,
        mut push_row: impl FnMut(&mut Separated<'_, 'q, DB>, I::Item),
    ) -> &mut Self {
        self.push("VALUES ");
        for (i, row) in rows.into_iter().enumerate() {
            self.push(if i == 0 { "(" } else { ", (" });
            push_row(&mut self.separated(), row);
            self.push(")");
        }
        self
    }

    /// The text and the arguments, for `sqlx::query_with`.
    pub(super) fn into_parts(self) -> Result<(String, DB::Arguments<'q>), sqlx::Error> {
        match self.error {
            Some(e) => Err(sqlx::Error::Encode(e)),
            None => Ok((self.sql, self.arguments)),
        }
    }
}

/// Values pushed into a [`Statement`] with ", " between them.
pub(super) struct Separated<'s, 'q, DB: sqlx::Database> {
    statement: &'s mut Statement<'q, DB>,
    first: bool,
}

impl<'q, DB: sqlx::Database> Separated<'_, 'q, DB> {
    pub(super) fn push_bind<T>(&mut self, value: T) -> &mut Self
    where
        T: 'q + Encode<'q, DB> + Type<DB>,
    {
        if !std::mem::take(&mut self.first) {
            self.statement.push(", ");
        }
        self.statement.push_bind(value);
        self
    }
}

#[async_trait]
impl<DB> Store for SqlStore<DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'s> &'s str: ColumnIndex<DB::Row> + Encode<'s, DB> + Type<DB>,
    String: Value<DB>,
    Option<String>: Value<DB>,
    i64: Value<DB>,
    Option<i64>: Value<DB>,
    bool: Value<DB>,
    DateTime<Utc>: Value<DB>,
    Option<DateTime<Utc>>: Value<DB>,
{
    fn backend(&self) -> &'static str {
        DB::BACKEND
    }

    async fn load(&self) -> Result<StoredState, StoreError> {
        self.load_state().await
    }

    async fn load_changes_after(
        &self,
        head: &LedgerHead,
        last_event_id: i64,
    ) -> Result<Option<StateChanges>, StoreError> {
        self.read_changes_after(head, last_event_id).await
    }

    async fn load_incidents(&self, ids: &[&str]) -> Result<Vec<IncidentRecord>, StoreError> {
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            found.extend(self.load_incident(id).await?);
        }
        Ok(found)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn listen_for_changes(&self, heard: Arc<tokio::sync::Notify>) {
        DB::listen(&self.pool, heard).await
    }

    async fn current(&self, change: &Change) -> Result<Current, StoreError> {
        self.current_facts(change).await
    }

    async fn apply(
        &self,
        actor: &str,
        at: DateTime<Utc>,
        change: &mut Change,
    ) -> Result<LedgerEntry, StoreError> {
        self.apply_change(actor, at, change).await
    }

    async fn incident_exists(&self, id: &str) -> Result<bool, StoreError> {
        Ok(sqlx::query("SELECT 1 AS one FROM incidents WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .is_some())
    }

    async fn user(&self, name: &str) -> Result<Option<UserRecord>, StoreError> {
        sqlx::query(
            "SELECT name, role, password_hash, active, created_at FROM users WHERE name = $1",
        )
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

    async fn add_reports(&self, reports: &[NewReport]) -> Result<u64, StoreError> {
        let _writer = self.write_lock.lock().await;
        let mut tx = self.begin_write().await?;
        // Only the reports actually inserted are counted: a replayed one is skipped.
        let mut counts: HashMap<(String, String, String, i64), i64> = HashMap::new();
        let mut added = 0;
        for chunk in reports.chunks(ROWS_PER_INSERT) {
            let mut insert = Statement::<DB>::new(
                "INSERT INTO reports (service, problem, region, client, at, report_key) ",
            );
            insert.push_values(chunk, |row, r| {
                row.push_bind(&r.service)
                    .push_bind(&r.problem)
                    .push_bind(&r.region)
                    .push_bind(&r.client)
                    .push_bind(micros(r.at))
                    .push_bind(&r.key);
            });
            insert.push(
                " ON CONFLICT (report_key) DO NOTHING RETURNING service, problem, region, at",
            );
            let (sql, arguments) = insert.into_parts()?;
            for row in sqlx::query_with(&sql, arguments)
                .fetch_all(&mut *tx)
                .await?
            {
                let at: DateTime<Utc> = row.try_get("at")?;
                *counts
                    .entry((
                        row.try_get("service")?,
                        row.try_get("problem")?,
                        row.try_get("region")?,
                        at.timestamp().div_euclid(60),
                    ))
                    .or_default() += 1;
                added += 1;
            }
        }
        let counts: Vec<_> = counts.into_iter().collect();
        for chunk in counts.chunks(ROWS_PER_INSERT) {
            let mut upsert = Statement::<DB>::new(
                "INSERT INTO report_counts (service, problem, region, minute, count) ",
            );
            upsert.push_values(chunk, |row, ((service, problem, region, minute), count)| {
                row.push_bind(service.as_str())
                    .push_bind(problem.as_str())
                    .push_bind(region.as_str())
                    .push_bind(*minute)
                    .push_bind(*count);
            });
            upsert.push(
                " ON CONFLICT (minute, service, problem, region) DO UPDATE \
                 SET count = report_counts.count + excluded.count",
            );
            let (sql, arguments) = upsert.into_parts()?;
            sqlx::query_with(&sql, arguments).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(added)
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
        .map(|row| {
            Ok(MinuteTotal {
                service: row.try_get("service")?,
                minute: row.try_get("minute")?,
                count: row.try_get("count")?,
            })
        })
        .collect()
    }

    async fn report_breakdown(&self, from: i64, to: i64) -> Result<Vec<Breakdown>, StoreError> {
        sqlx::query(
            "SELECT service, problem, region, CAST(SUM(count) AS BIGINT) AS count \
             FROM report_counts WHERE minute >= $1 AND minute < $2 \
             GROUP BY service, problem, region",
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
        Ok(sqlx::query("DELETE FROM reports WHERE at < $1")
            .bind(micros(before))
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    async fn save_signal(&self, signal: &SignalRecord) -> Result<(), StoreError> {
        let _writer = self.write_lock.lock().await;
        sqlx::query(
            "INSERT INTO crowd_signals (service, fired_at, cleared_at, peak) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (service, fired_at) DO UPDATE \
             SET cleared_at = excluded.cleared_at, peak = excluded.peak",
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
        sqlx::query(
            "SELECT service, fired_at, cleared_at, peak FROM crowd_signals WHERE fired_at >= $1 \
             ORDER BY fired_at",
        )
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

    async fn notes(&self, incident_id: &str) -> Result<Vec<NoteRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, canonical, prev_hash, hash FROM ledger \
             WHERE action = 'add_note' ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut notes = Vec::new();
        for row in &rows {
            let entry = ledger_entry(row)?;
            let canonical: serde_json::Value = serde_json::from_str(&entry.canonical)
                .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))?;
            let change = &canonical["change"];
            if change["incident_id"] == incident_id {
                let Ok(Change::AddNote(note)) = serde_json::from_value(change.clone()) else {
                    continue;
                };
                notes.push(NoteRecord {
                    seq: entry.seq,
                    at: entry.at,
                    author: entry.actor,
                    body: note.body,
                    notices: note.notices,
                });
            }
        }
        Ok(notes)
    }

    async fn public_ledger_after(&self, seq: i64) -> Result<Vec<LedgerEntry>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT seq, at, actor, action, canonical, prev_hash, hash FROM ledger \
             WHERE seq > $1 AND action IN ({}) ORDER BY seq",
            crate::domain::change::PUBLIC_ACTIONS
                .map(|a| format!("'{a}'"))
                .join(", ")
        ))
        .bind(seq)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(ledger_entry).collect()
    }

    async fn public_ledger_naming(&self, id: &str) -> Result<Vec<LedgerEntry>, StoreError> {
        // Slugs hold no LIKE wildcards (`_`, `%`); anything else matches nothing.
        if !crate::domain::catalog::is_slug(id) {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(&format!(
            "SELECT seq, at, actor, action, canonical, prev_hash, hash FROM ledger \
             WHERE action IN ({}) AND canonical LIKE $1 ORDER BY seq",
            crate::domain::change::PUBLIC_ACTIONS
                .map(|a| format!("'{a}'"))
                .join(", ")
        ))
        .bind(format!("%\"{id}\"%"))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(ledger_entry).collect()
    }

    async fn ledger(&self) -> Result<Vec<LedgerEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, canonical, prev_hash, hash FROM ledger ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(ledger_entry).collect()
    }
}
