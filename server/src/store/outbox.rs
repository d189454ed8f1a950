//! The durable outbox in the database: webhook endpoints, email subscribers, events and
//! their deliveries. An event and all of its deliveries are written in one transaction;
//! a delivery is claimed with a lease, so several instances never send it at once.

use super::backend::{Backend, RowsAffected};
use super::sql::{ledger_entry, micros, SqlStore, Statement, Value, ROWS_PER_INSERT};
use super::StoreError;
use crate::domain::ledger::LedgerEntry;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{ColumnIndex, Encode, Executor, Row, Type};

#[derive(Clone, Debug, PartialEq)]
pub struct WebhookRecord {
    pub id: String,
    pub url: String,
    /// Empty for every service.
    pub services: Vec<String>,
    pub secret: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// Something to tell subscribers: a public ledger entry or a crowd-signal change.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEvent {
    /// Unique: the same event recorded twice (by two instances) fans out once.
    pub key: String,
    /// The ledger entry it comes from, which moves the outbox cursor.
    pub ledger_seq: Option<i64>,
    pub kind: String,
    pub services: Vec<String>,
    /// The JSON body webhooks receive.
    pub payload: String,
    pub at: DateTime<Utc>,
    /// Whether email subscribers get it too (official words, not every change).
    pub email: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Webhook,
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Email => "email",
        }
    }
}

/// A delivery claimed for sending, with what sending it needs.
#[derive(Clone, Debug, PartialEq)]
pub struct DueDelivery {
    pub id: i64,
    pub channel: Channel,
    pub target: String,
    /// The event kind, or `confirm` for a confirmation email.
    pub kind: String,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub event_key: Option<String>,
    pub payload: Option<String>,
    /// The endpoint, if it still exists.
    pub webhook: Option<WebhookRecord>,
    /// The subscriber, if still subscribed.
    pub subscriber: Option<SubscriberRecord>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SubscriberRecord {
    pub id: String,
    pub email: String,
    pub lang: String,
    pub services: Vec<String>,
    pub confirmed: bool,
    pub confirm_token: Option<String>,
    pub pending_lang: Option<String>,
    pub pending_services: Option<Vec<String>>,
}

/// What one attempt came to.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    /// HTTP status or SMTP reply code, when there was an answer.
    pub status: Option<i64>,
    pub error: Option<String>,
    pub outcome: AttemptOutcome,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AttemptOutcome {
    Delivered,
    RetryAt(DateTime<Utc>),
    GaveUp,
}

/// One line of the delivery log.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryRecord {
    pub id: i64,
    pub channel: String,
    pub target: String,
    pub kind: String,
    pub event_key: Option<String>,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A request to subscribe (or to change a subscription), confirmed by email.
#[derive(Clone, Debug, PartialEq)]
pub struct NewSubscription {
    pub email: String,
    pub lang: String,
    pub services: Vec<String>,
    /// The subscriber id if this address is new.
    pub id: String,
    pub confirm_token: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubscribeOutcome {
    /// A confirmation email is queued.
    ConfirmationQueued,
    /// One was sent to this address a moment ago; no second one (no mail bombing).
    RecentlySent,
}

#[async_trait]
pub trait OutboxStore {
    async fn webhooks(&self) -> Result<Vec<WebhookRecord>, StoreError>;
    /// The last ledger entry turned into events.
    async fn outbox_cursor(&self) -> Result<i64, StoreError>;
    /// Ledger entries after `seq`, at most `limit`.
    async fn ledger_after(&self, seq: i64, limit: i64) -> Result<Vec<LedgerEntry>, StoreError>;
    /// Moves the cursor past entries that make no event (sign-ins, accounts).
    async fn advance_outbox_cursor(&self, seq: i64) -> Result<(), StoreError>;
    /// Writes the event and one delivery per matching endpoint and confirmed subscriber
    /// (registered before the event), in one transaction. False if it was already there.
    async fn record_event(&self, event: &NewEvent) -> Result<bool, StoreError>;
    /// Leases up to `limit` deliveries that are due.
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DueDelivery>, StoreError>;
    async fn finish_delivery(&self, id: i64, attempt: &Attempt) -> Result<(), StoreError>;
    /// The newest deliveries, newest first.
    async fn deliveries(&self, limit: i64) -> Result<Vec<DeliveryRecord>, StoreError>;
    /// Records the request and queues the confirmation email, in one transaction.
    async fn subscribe(
        &self,
        request: &NewSubscription,
        resend_after: DateTime<Utc>,
    ) -> Result<SubscribeOutcome, StoreError>;
    /// Applies the pending subscription of a confirmation sent after `sent_after`.
    async fn confirm_subscription(
        &self,
        token: &str,
        sent_after: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Option<SubscriberRecord>, StoreError>;
    /// Deletes the subscriber (the address is not kept) and what was waiting for it.
    async fn unsubscribe(&self, id: &str) -> Result<bool, StoreError>;
    async fn subscriber(&self, id: &str) -> Result<Option<SubscriberRecord>, StoreError>;
    /// Confirmed and unconfirmed subscribers.
    async fn subscriber_counts(&self) -> Result<(i64, i64), StoreError>;
    /// Deliveries not yet delivered nor given up (the outbox backlog).
    async fn pending_deliveries(&self) -> Result<i64, StoreError>;
    /// Deletes finished deliveries created before `finished_before`, and addresses that
    /// were never confirmed, asked for before `unconfirmed_before`; returns both counts.
    async fn prune_outbox(
        &self,
        finished_before: DateTime<Utc>,
        unconfirmed_before: DateTime<Utc>,
    ) -> Result<(u64, u64), StoreError>;
}

fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Empty on either side means every service.
fn wants(chosen: &[String], event: &[String]) -> bool {
    chosen.is_empty() || event.is_empty() || chosen.iter().any(|s| event.contains(s))
}

const WEBHOOK_COLUMNS: &str = "id, url, services, secret, active, created_at";
const SUBSCRIBER_COLUMNS: &str =
    "id, email, lang, services, confirmed_at, confirm_token, pending_lang, pending_services";

/// `w.id AS w_id, w.url AS w_url, …`: a table's columns under a prefix, for a join.
fn prefixed(table: &str, columns: &str) -> String {
    columns
        .split(", ")
        .map(|c| format!("{table}.{c} AS {table}_{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A webhook from a row; `prefix` is "" or the join's "w_".
fn webhook_record<'r, R: Row>(row: &'r R, prefix: &str) -> Result<WebhookRecord, StoreError>
where
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    DateTime<Utc>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let c = |name: &str| format!("{prefix}{name}");
    Ok(WebhookRecord {
        id: row.try_get(c("id").as_str())?,
        url: row.try_get(c("url").as_str())?,
        services: list(&row.try_get::<String, _>(c("services").as_str())?),
        secret: row.try_get(c("secret").as_str())?,
        active: row.try_get(c("active").as_str())?,
        created_at: row.try_get(c("created_at").as_str())?,
    })
}

/// A subscriber from a row; `prefix` is "" or the join's "s_".
fn subscriber_record<'r, R: Row>(row: &'r R, prefix: &str) -> Result<SubscriberRecord, StoreError>
where
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<DateTime<Utc>>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let c = |name: &str| format!("{prefix}{name}");
    Ok(SubscriberRecord {
        id: row.try_get(c("id").as_str())?,
        email: row.try_get(c("email").as_str())?,
        lang: row.try_get(c("lang").as_str())?,
        services: list(&row.try_get::<String, _>(c("services").as_str())?),
        confirmed: row
            .try_get::<Option<DateTime<Utc>>, _>(c("confirmed_at").as_str())?
            .is_some(),
        confirm_token: row.try_get(c("confirm_token").as_str())?,
        pending_lang: row.try_get(c("pending_lang").as_str())?,
        pending_services: row
            .try_get::<Option<String>, _>(c("pending_services").as_str())?
            .map(|s| list(&s)),
    })
}

#[async_trait]
impl<DB> OutboxStore for SqlStore<DB>
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
    async fn webhooks(&self) -> Result<Vec<WebhookRecord>, StoreError> {
        sqlx::query(&format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY created_at, id"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| webhook_record(row, ""))
        .collect()
    }

    async fn outbox_cursor(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query("SELECT ledger_seq FROM outbox_cursor WHERE id = 1")
                .fetch_one(&self.pool)
                .await?
                .try_get("ledger_seq")?,
        )
    }

    async fn ledger_after(&self, seq: i64, limit: i64) -> Result<Vec<LedgerEntry>, StoreError> {
        sqlx::query(
            "SELECT seq, at, actor, action, canonical, prev_hash, hash FROM ledger WHERE seq > $1 \
             ORDER BY seq LIMIT $2",
        )
        .bind(seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(ledger_entry)
        .collect()
    }

    async fn advance_outbox_cursor(&self, seq: i64) -> Result<(), StoreError> {
        let _writer = self.write_lock.lock().await;
        sqlx::query("UPDATE outbox_cursor SET ledger_seq = $1 WHERE id = 1 AND ledger_seq < $1")
            .bind(seq)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn record_event(&self, event: &NewEvent) -> Result<bool, StoreError> {
        let at = micros(event.at);
        let _writer = self.write_lock.lock().await;
        let mut tx = self.begin_write().await?;
        let id: Option<i64> = sqlx::query(
            "INSERT INTO events (key, kind, services, payload, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING RETURNING id",
        )
        .bind(&event.key)
        .bind(&event.kind)
        .bind(event.services.join(","))
        .bind(&event.payload)
        .bind(at)
        .fetch_optional(&mut *tx)
        .await?
        .map(|row| row.try_get("id"))
        .transpose()?;
        if let Some(event_id) = id {
            let mut targets: Vec<(&'static str, String)> = Vec::new();
            for row in sqlx::query(
                "SELECT id, services FROM webhooks WHERE active = $1 AND created_at <= $2 \
                 ORDER BY id",
            )
            .bind(true)
            .bind(at)
            .fetch_all(&mut *tx)
            .await?
            {
                if wants(
                    &list(&row.try_get::<String, _>("services")?),
                    &event.services,
                ) {
                    targets.push(("webhook", row.try_get("id")?));
                }
            }
            if event.email {
                for row in sqlx::query(
                    "SELECT id, services FROM subscribers \
                     WHERE confirmed_at IS NOT NULL AND confirmed_at <= $1 ORDER BY id",
                )
                .bind(at)
                .fetch_all(&mut *tx)
                .await?
                {
                    if wants(
                        &list(&row.try_get::<String, _>("services")?),
                        &event.services,
                    ) {
                        targets.push(("email", row.try_get("id")?));
                    }
                }
            }
            for chunk in targets.chunks(ROWS_PER_INSERT) {
                let mut insert = Statement::<DB>::new(
                    "INSERT INTO deliveries \
                     (event_id, channel, target, kind, state, attempts, created_at, \
                     next_attempt_at, lease_until) ",
                );
                insert.push_values(chunk, |row, (channel, target)| {
                    row.push_bind(event_id)
                        .push_bind(*channel)
                        .push_bind(target)
                        .push_bind(&event.kind)
                        .push_bind("pending")
                        .push_bind(0i64)
                        .push_bind(at)
                        .push_bind(at)
                        .push_bind(at);
                });
                let (sql, arguments) = insert.into_parts()?;
                sqlx::query_with(&sql, arguments).execute(&mut *tx).await?;
            }
        }
        if let Some(seq) = event.ledger_seq {
            sqlx::query(
                "UPDATE outbox_cursor SET ledger_seq = $1 WHERE id = 1 AND ledger_seq < $1",
            )
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id.is_some())
    }

    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let (now, lease_until) = (micros(now), micros(lease_until));
        let ids: Vec<i64> = {
            let _writer = self.write_lock.lock().await;
            // The conditions are repeated outside the subquery: on PostgreSQL a row
            // another instance leased meanwhile is re-checked and skipped.
            sqlx::query(
                "UPDATE deliveries SET lease_until = $1 \
                 WHERE state = 'pending' AND next_attempt_at <= $2 AND lease_until <= $2 AND id \
                 IN (SELECT id FROM deliveries \
                 WHERE state = 'pending' AND next_attempt_at <= $2 AND lease_until <= $2 \
                 ORDER BY next_attempt_at, id LIMIT $3) RETURNING id",
            )
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| row.try_get("id"))
            .collect::<Result<_, _>>()?
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut select = Statement::<DB>::new(format!(
            "SELECT d.id, d.channel, d.target, d.kind, d.attempts, d.created_at, e.key, \
             e.payload, {}, {} FROM deliveries d LEFT JOIN events e ON e.id = d.event_id \
             LEFT JOIN webhooks w ON d.channel = 'webhook' AND w.id = d.target \
             LEFT JOIN subscribers s ON d.channel = 'email' AND s.id = d.target WHERE d.id IN (",
            prefixed("w", WEBHOOK_COLUMNS),
            prefixed("s", SUBSCRIBER_COLUMNS),
        ));
        let mut separated = select.separated();
        for id in &ids {
            separated.push_bind(*id);
        }
        select.push(") ORDER BY d.id");
        let (sql, arguments) = select.into_parts()?;
        sqlx::query_with(&sql, arguments)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                let channel = match row.try_get::<String, _>("channel")?.as_str() {
                    "email" => Channel::Email,
                    _ => Channel::Webhook,
                };
                // A LEFT JOIN that found nothing: the endpoint or subscriber is gone.
                let webhook = match row.try_get::<Option<String>, _>("w_id")? {
                    Some(_) => Some(webhook_record(row, "w_")?),
                    None => None,
                };
                let subscriber = match row.try_get::<Option<String>, _>("s_id")? {
                    Some(_) => Some(subscriber_record(row, "s_")?),
                    None => None,
                };
                Ok(DueDelivery {
                    id: row.try_get("id")?,
                    channel,
                    target: row.try_get("target")?,
                    kind: row.try_get("kind")?,
                    attempts: row.try_get("attempts")?,
                    created_at: row.try_get("created_at")?,
                    event_key: row.try_get("key")?,
                    payload: row.try_get("payload")?,
                    webhook,
                    subscriber,
                })
            })
            .collect()
    }

    async fn finish_delivery(&self, id: i64, attempt: &Attempt) -> Result<(), StoreError> {
        let at = micros(attempt.at);
        let (state, next, delivered_at) = match attempt.outcome {
            AttemptOutcome::Delivered => ("delivered", at, Some(at)),
            AttemptOutcome::RetryAt(next) => ("pending", micros(next), None),
            AttemptOutcome::GaveUp => ("failed", at, None),
        };
        let _writer = self.write_lock.lock().await;
        sqlx::query(
            "UPDATE deliveries \
             SET state = $1, attempts = attempts + 1, next_attempt_at = $2, lease_until = $3, \
             last_attempt_at = $3, last_status = $4, last_error = $5, delivered_at = $6 \
             WHERE id = $7",
        )
        .bind(state)
        .bind(next)
        .bind(at)
        .bind(attempt.status)
        .bind(&attempt.error)
        .bind(delivered_at)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn deliveries(&self, limit: i64) -> Result<Vec<DeliveryRecord>, StoreError> {
        sqlx::query(
            "SELECT d.id, d.channel, d.target, d.kind, e.key, d.state, d.attempts, d.created_at, \
             d.next_attempt_at, d.last_attempt_at, d.last_status, d.last_error, d.delivered_at \
             FROM deliveries d LEFT JOIN events e ON e.id = d.event_id ORDER BY d.id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(DeliveryRecord {
                id: row.try_get("id")?,
                channel: row.try_get("channel")?,
                target: row.try_get("target")?,
                kind: row.try_get("kind")?,
                event_key: row.try_get("key")?,
                state: row.try_get("state")?,
                attempts: row.try_get("attempts")?,
                created_at: row.try_get("created_at")?,
                next_attempt_at: row.try_get("next_attempt_at")?,
                last_attempt_at: row.try_get("last_attempt_at")?,
                last_status: row.try_get("last_status")?,
                last_error: row.try_get("last_error")?,
                delivered_at: row.try_get("delivered_at")?,
            })
        })
        .collect()
    }

    async fn subscribe(
        &self,
        request: &NewSubscription,
        resend_after: DateTime<Utc>,
    ) -> Result<SubscribeOutcome, StoreError> {
        let at = micros(request.at);
        let _writer = self.write_lock.lock().await;
        let mut tx = self.begin_write().await?;
        let existing = sqlx::query("SELECT id, confirm_sent_at FROM subscribers WHERE email = $1")
            .bind(&request.email)
            .fetch_optional(&mut *tx)
            .await?;
        let id = match existing {
            Some(row) => {
                let sent: Option<DateTime<Utc>> = row.try_get("confirm_sent_at")?;
                if sent.is_some_and(|sent| sent > micros(resend_after)) {
                    return Ok(SubscribeOutcome::RecentlySent);
                }
                let id: String = row.try_get("id")?;
                sqlx::query(
                    "UPDATE subscribers \
                     SET confirm_token = $1, pending_services = $2, pending_lang = $3, \
                     confirm_sent_at = $4 WHERE id = $5",
                )
                .bind(&request.confirm_token)
                .bind(request.services.join(","))
                .bind(&request.lang)
                .bind(at)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
                id
            }
            None => {
                sqlx::query(
                    "INSERT INTO subscribers \
                     (id, email, lang, services, created_at, confirm_token, pending_services, \
                     pending_lang, confirm_sent_at) VALUES ($1, $2, $3, $4, $5, $6, $4, $3, $5)",
                )
                .bind(&request.id)
                .bind(&request.email)
                .bind(&request.lang)
                .bind(request.services.join(","))
                .bind(at)
                .bind(&request.confirm_token)
                .execute(&mut *tx)
                .await?;
                request.id.clone()
            }
        };
        sqlx::query(
            "INSERT INTO deliveries \
             (event_id, channel, target, kind, state, attempts, created_at, next_attempt_at, \
             lease_until) VALUES (NULL, 'email', $1, 'confirm', 'pending', 0, $2, $2, $2)",
        )
        .bind(&id)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(SubscribeOutcome::ConfirmationQueued)
    }

    async fn confirm_subscription(
        &self,
        token: &str,
        sent_after: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Option<SubscriberRecord>, StoreError> {
        let _writer = self.write_lock.lock().await;
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE subscribers \
             SET services = COALESCE(pending_services, services), lang = COALESCE(pending_lang, \
             lang), confirmed_at = COALESCE(confirmed_at, $1), confirm_token = NULL, \
             pending_services = NULL, pending_lang = NULL \
             WHERE confirm_token = $2 AND confirm_sent_at > $3 RETURNING id",
        )
        .bind(micros(at))
        .bind(token)
        .bind(micros(sent_after))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = changed else {
            return Ok(None);
        };
        let id: String = row.try_get("id")?;
        let record = sqlx::query(&format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE id = $1"
        ))
        .bind(&id)
        .fetch_one(&mut *tx)
        .await?;
        let record = subscriber_record(&record, "")?;
        tx.commit().await?;
        Ok(Some(record))
    }

    async fn unsubscribe(&self, id: &str) -> Result<bool, StoreError> {
        let _writer = self.write_lock.lock().await;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE deliveries SET state = 'failed', last_error = 'unsubscribed' \
             WHERE channel = 'email' AND target = $1 AND state = 'pending'",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let deleted = sqlx::query("DELETE FROM subscribers WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(deleted == 1)
    }

    async fn subscriber(&self, id: &str) -> Result<Option<SubscriberRecord>, StoreError> {
        sqlx::query(&format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| subscriber_record(&row, ""))
        .transpose()
    }

    async fn subscriber_counts(&self) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query(
            "SELECT CAST(COUNT(confirmed_at) AS BIGINT) AS confirmed, CAST(COUNT(*) - \
             COUNT(confirmed_at) AS BIGINT) AS pending FROM subscribers",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get("confirmed")?, row.try_get("pending")?))
    }

    async fn pending_deliveries(&self) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT CAST(COUNT(*) AS BIGINT) AS pending FROM deliveries WHERE state = 'pending'",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("pending")?)
    }

    async fn prune_outbox(
        &self,
        finished_before: DateTime<Utc>,
        unconfirmed_before: DateTime<Utc>,
    ) -> Result<(u64, u64), StoreError> {
        let _writer = self.write_lock.lock().await;
        let mut tx = self.begin_write().await?;
        let deliveries =
            sqlx::query("DELETE FROM deliveries WHERE state <> 'pending' AND created_at < $1")
                .bind(micros(finished_before))
                .execute(&mut *tx)
                .await?
                .rows_affected();
        let unconfirmed = sqlx::query(
            "DELETE FROM subscribers WHERE confirmed_at IS NULL AND confirm_sent_at < $1",
        )
        .bind(micros(unconfirmed_before))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok((deliveries, unconfirmed))
    }
}

#[cfg(test)]
mod tests {
    use super::wants;

    #[test]
    fn an_empty_choice_means_every_service() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(wants(&s(&[]), &s(&["kakaotalk"])));
        assert!(wants(&s(&["kakaotalk", "kakaopay"]), &s(&["kakaopay"])));
        assert!(!wants(&s(&["kakaomap"]), &s(&["kakaotalk", "kakaopay"])));
    }
}
