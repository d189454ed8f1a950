//! The automated checks in the database: agents and their keys, raw results (a batch is
//! taken once per agent sequence number, in the transaction that stores it), 5-minute
//! rollups and the verdict changes.

use super::backend::{Backend, RowsAffected};
use super::sql::{micros, SqlStore, Statement, Value, ROWS_PER_INSERT};
use super::StoreError;
use crate::domain::checks::Outcome;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{ColumnIndex, Encode, Executor, Row, Type};

#[derive(Clone, Debug, PartialEq)]
pub struct AgentRecord {
    pub name: String,
    pub secret: String,
    pub last_seq: i64,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// One probe result, as an agent reported it.
#[derive(Clone, Debug, PartialEq)]
pub struct NewCheckResult {
    pub check: String,
    pub at: DateTime<Utc>,
    pub outcome: Outcome,
    pub latency_ms: i64,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StoredCheckResult {
    /// Increases in the order results were stored (readers catch up from the last seen).
    pub id: i64,
    pub agent: String,
    pub result: NewCheckResult,
}

/// A check's results in one 5-minute bucket (all agents).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rollup {
    pub check: String,
    /// 5-minute periods since the Unix epoch.
    pub bucket: i64,
    pub count: i64,
    pub failures: i64,
    pub slow: i64,
    pub p50_ms: i64,
    pub p95_ms: i64,
}

/// A check's verdict changed, at the time of the result that changed it.
#[derive(Clone, Debug, PartialEq)]
pub struct VerdictChange {
    pub check: String,
    pub component: String,
    pub at: DateTime<Utc>,
    /// `domain::verdict::Verdict` as text.
    pub verdict: String,
    pub detail: String,
}

/// What storing a batch did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchStored {
    Stored,
    /// The agent already sent a batch with this or a later number.
    Replayed,
    /// No active agent of that name.
    UnknownAgent,
}

#[async_trait]
pub trait ChecksStore {
    async fn probe_agents(&self) -> Result<Vec<AgentRecord>, StoreError>;
    // Agents are added and turned off as ledger changes (`Change::AddProbeAgent`,
    // `Change::SetProbeAgentActive`, in state.rs).
    /// Stores the batch if `seq` is above the agent's last one, and moves it, in one
    /// transaction: of two copies of a batch (a retry, a replay), one is stored. With no
    /// `seq` (heartbeats, which the site receives itself) the results are just stored.
    async fn add_check_results(
        &self,
        agent: &str,
        seq: Option<i64>,
        results: &[NewCheckResult],
    ) -> Result<BatchStored, StoreError>;
    /// Results stored after `id`, in order, at most `limit`.
    async fn check_results_after(
        &self,
        id: i64,
        limit: i64,
    ) -> Result<Vec<StoredCheckResult>, StoreError>;
    /// The id of the first result at or after `at` minus one (where a reader starts).
    async fn check_results_start(&self, at: DateTime<Utc>) -> Result<i64, StoreError>;
    /// Inserts or replaces rollups.
    async fn save_rollups(&self, rollups: &[Rollup]) -> Result<(), StoreError>;
    /// Rollups with `from <= bucket < to`.
    async fn rollups(&self, from: i64, to: i64) -> Result<Vec<Rollup>, StoreError>;
    /// Records a verdict change once (the same change from two instances is one row);
    /// true when it was new.
    async fn save_verdict_change(&self, change: &VerdictChange) -> Result<bool, StoreError>;
    /// Verdict changes at or after `since`, oldest first.
    async fn verdict_changes(&self, since: DateTime<Utc>)
        -> Result<Vec<VerdictChange>, StoreError>;
    /// Deletes raw results before `results_before` and rollups before `rollups_before`
    /// (a bucket number); returns both counts.
    async fn prune_checks(
        &self,
        results_before: DateTime<Utc>,
        rollups_before: i64,
    ) -> Result<(u64, u64), StoreError>;
}

#[async_trait]
impl<DB> ChecksStore for SqlStore<DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'s> &'s str: ColumnIndex<DB::Row> + Encode<'s, DB> + Type<DB>,
    String: Value<DB>,
    i64: Value<DB>,
    Option<i64>: Value<DB>,
    bool: Value<DB>,
    DateTime<Utc>: Value<DB>,
{
    async fn probe_agents(&self) -> Result<Vec<AgentRecord>, StoreError> {
        sqlx::query(
            "SELECT name, secret, last_seq, active, created_at FROM probe_agents ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(AgentRecord {
                name: row.try_get("name")?,
                secret: row.try_get("secret")?,
                last_seq: row.try_get("last_seq")?,
                active: row.try_get("active")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
    }

    async fn add_check_results(
        &self,
        agent: &str,
        seq: Option<i64>,
        results: &[NewCheckResult],
    ) -> Result<BatchStored, StoreError> {
        let _writer = self.write_lock.lock().await;
        let mut tx = self.begin_write().await?;
        if DB::BACKEND == "postgres" {
            // Ids must become visible in order, or a reader catching up by id could pass
            // one committed late by another instance: one writer of results at a time.
            sqlx::query("LOCK TABLE check_results IN EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await?;
        }
        // The conditional update is the replay guard: it takes the row's lock, so of two
        // transactions with the same number the second finds last_seq already moved.
        if let Some(seq) = seq {
            let moved = sqlx::query(
            "UPDATE probe_agents SET last_seq = $1 WHERE name = $2 AND active AND last_seq < $1",
        )
        .bind(seq)
        .bind(agent)
        .execute(&mut *tx)
        .await?
        .rows_affected();
            if moved == 0 {
                let known: Option<bool> =
                    sqlx::query("SELECT active FROM probe_agents WHERE name = $1")
                        .bind(agent)
                        .fetch_optional(&mut *tx)
                        .await?
                        .map(|row| row.try_get("active"))
                        .transpose()?;
                return Ok(match known {
                    Some(true) => BatchStored::Replayed,
                    _ => BatchStored::UnknownAgent,
                });
            }
        }
        for chunk in results.chunks(ROWS_PER_INSERT) {
            let mut insert = Statement::<DB>::new(
                "INSERT INTO check_results (check_id, agent, at, outcome, latency_ms, detail) ",
            );
            insert.push_values(chunk, |row, r| {
                row.push_bind(&r.check)
                    .push_bind(agent)
                    .push_bind(micros(r.at))
                    .push_bind(r.outcome.as_str())
                    .push_bind(r.latency_ms)
                    .push_bind(&r.detail);
            });
            let (sql, arguments) = insert.into_parts()?;
            sqlx::query_with(&sql, arguments).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(BatchStored::Stored)
    }

    async fn check_results_after(
        &self,
        id: i64,
        limit: i64,
    ) -> Result<Vec<StoredCheckResult>, StoreError> {
        sqlx::query(
            "SELECT id, check_id, agent, at, outcome, latency_ms, detail FROM check_results \
             WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            let outcome: String = row.try_get("outcome")?;
            Ok(StoredCheckResult {
                id: row.try_get("id")?,
                agent: row.try_get("agent")?,
                result: NewCheckResult {
                    check: row.try_get("check_id")?,
                    at: row.try_get("at")?,
                    outcome: super::sql::parse(&outcome, "outcome", Outcome::parse)?,
                    latency_ms: row.try_get("latency_ms")?,
                    detail: row.try_get("detail")?,
                },
            })
        })
        .collect()
    }

    async fn check_results_start(&self, at: DateTime<Utc>) -> Result<i64, StoreError> {
        let first: Option<i64> =
            sqlx::query("SELECT CAST(MIN(id) AS BIGINT) AS id FROM check_results WHERE at >= $1")
                .bind(micros(at))
                .fetch_one(&self.pool)
                .await?
                .try_get("id")?;
        match first {
            Some(id) => Ok(id - 1),
            None => Ok(
                sqlx::query("SELECT CAST(MAX(id) AS BIGINT) AS id FROM check_results")
                    .fetch_one(&self.pool)
                    .await?
                    .try_get::<Option<i64>, _>("id")?
                    .unwrap_or(0),
            ),
        }
    }

    async fn save_rollups(&self, rollups: &[Rollup]) -> Result<(), StoreError> {
        if rollups.is_empty() {
            return Ok(());
        }
        let _writer = self.write_lock.lock().await;
        let mut tx = self.begin_write().await?;
        for chunk in rollups.chunks(ROWS_PER_INSERT) {
            let mut insert = Statement::<DB>::new(
                "INSERT INTO check_rollups (check_id, bucket, count, failures, slow, p50_ms, p95_ms) ",
            );
            insert.push_values(chunk, |row, r| {
                row.push_bind(&r.check)
                    .push_bind(r.bucket)
                    .push_bind(r.count)
                    .push_bind(r.failures)
                    .push_bind(r.slow)
                    .push_bind(r.p50_ms)
                    .push_bind(r.p95_ms);
            });
            insert.push(
                " ON CONFLICT (bucket, check_id) DO UPDATE SET count = excluded.count, \
                 failures = excluded.failures, slow = excluded.slow, \
                 p50_ms = excluded.p50_ms, p95_ms = excluded.p95_ms",
            );
            let (sql, arguments) = insert.into_parts()?;
            sqlx::query_with(&sql, arguments).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn rollups(&self, from: i64, to: i64) -> Result<Vec<Rollup>, StoreError> {
        sqlx::query(
            "SELECT check_id, bucket, count, failures, slow, p50_ms, p95_ms FROM check_rollups \
             WHERE bucket >= $1 AND bucket < $2 ORDER BY bucket, check_id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(Rollup {
                check: row.try_get("check_id")?,
                bucket: row.try_get("bucket")?,
                count: row.try_get("count")?,
                failures: row.try_get("failures")?,
                slow: row.try_get("slow")?,
                p50_ms: row.try_get("p50_ms")?,
                p95_ms: row.try_get("p95_ms")?,
            })
        })
        .collect()
    }

    async fn save_verdict_change(&self, change: &VerdictChange) -> Result<bool, StoreError> {
        let _writer = self.write_lock.lock().await;
        Ok(sqlx::query(
            "INSERT INTO check_verdicts (check_id, component, at, verdict, detail) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (check_id, at) DO NOTHING",
        )
        .bind(&change.check)
        .bind(&change.component)
        .bind(micros(change.at))
        .bind(&change.verdict)
        .bind(&change.detail)
        .execute(&self.pool)
        .await?
        .rows_affected()
            > 0)
    }

    async fn verdict_changes(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<VerdictChange>, StoreError> {
        sqlx::query(
            "SELECT check_id, component, at, verdict, detail FROM check_verdicts \
             WHERE at >= $1 ORDER BY at, check_id",
        )
        .bind(micros(since))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(VerdictChange {
                check: row.try_get("check_id")?,
                component: row.try_get("component")?,
                at: row.try_get("at")?,
                verdict: row.try_get("verdict")?,
                detail: row.try_get("detail")?,
            })
        })
        .collect()
    }

    async fn prune_checks(
        &self,
        results_before: DateTime<Utc>,
        rollups_before: i64,
    ) -> Result<(u64, u64), StoreError> {
        let _writer = self.write_lock.lock().await;
        let results = sqlx::query("DELETE FROM check_results WHERE at < $1")
            .bind(micros(results_before))
            .execute(&self.pool)
            .await?
            .rows_affected();
        let rollups = sqlx::query("DELETE FROM check_rollups WHERE bucket < $1")
            .bind(rollups_before)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok((results, rollups))
    }
}
