//! The public state: loading everything the read model is built from, and applying a
//! change with its ledger entry in one transaction.

use super::backend::{Backend, RowsAffected};
use super::sql::{micros, parse, SqlStore, Value};
use super::*;
use crate::domain::change::*;
use crate::domain::ledger::{self, LedgerEntry};
use crate::domain::rules::{self, AccountNow, Current, IncidentNow};
use crate::domain::state::*;
use app::model::{ComponentStatus, Impact, IncidentState, Role, UpdateKind};
use chrono::{DateTime, Utc};
use sqlx::{ColumnIndex, Encode, Executor, Row, Type};
use std::collections::HashMap;
use std::sync::Arc;

const INCIDENT_COLUMNS: &str = "id, title_ko, title_en, impact, state, started_at, resolved_at, \
     crowd_signal_at, checks_failed_at";
const UPDATE_COLUMNS: &str = "id, incident_id, at, state, kind, retrospective, body_ko, body_en, \
     edited_at, notices";
const EVENT_COLUMNS: &str = "id, component, status, at, incident_id, update_id";
const MAINTENANCE_COLUMNS: &str =
    "id, title_ko, title_en, body_ko, body_en, starts_at, ends_at, components";

impl<DB> SqlStore<DB>
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
    pub(super) async fn load_state(&self) -> Result<StoredState, StoreError> {
        let pool = &self.pool;
        let mut affected: HashMap<String, Vec<StatusChange>> = HashMap::new();
        for row in sqlx::query(
            "SELECT incident_id, component, status FROM incident_components ORDER BY component",
        )
        .fetch_all(pool)
        .await?
        {
            affected
                .entry(row.try_get("incident_id")?)
                .or_default()
                .push(Self::status_change(&row)?);
        }

        let mut events = Vec::new();
        let mut changes_by_update: HashMap<i64, Vec<StatusChange>> = HashMap::new();
        for row in sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS} FROM component_events ORDER BY at, id"
        ))
        .fetch_all(pool)
        .await?
        {
            let event = Self::event(&row)?;
            if let Some(update_id) = row.try_get::<Option<i64>, _>("update_id")? {
                changes_by_update
                    .entry(update_id)
                    .or_default()
                    .push(StatusChange {
                        component: event.component.clone(),
                        status: event.status,
                    });
            }
            events.push(Arc::new(event));
        }

        let mut updates: HashMap<String, Vec<UpdateRecord>> = HashMap::new();
        for row in sqlx::query(&format!(
            "SELECT {UPDATE_COLUMNS} FROM incident_updates ORDER BY at, id"
        ))
        .fetch_all(pool)
        .await?
        {
            let mut update = Self::update(&row)?;
            update.changes = changes_by_update.remove(&update.id).unwrap_or_default();
            updates
                .entry(row.try_get("incident_id")?)
                .or_default()
                .push(update);
        }

        let mut incidents = Vec::new();
        for row in sqlx::query(&format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents ORDER BY started_at, id"
        ))
        .fetch_all(pool)
        .await?
        {
            let mut incident = Self::incident(&row)?;
            incident.components = affected.remove(&incident.id).unwrap_or_default();
            incident.updates = updates.remove(&incident.id).unwrap_or_default();
            incidents.push(Arc::new(incident));
        }

        let mut maintenances = Vec::new();
        for row in sqlx::query(&format!(
            "SELECT {MAINTENANCE_COLUMNS} FROM maintenances ORDER BY starts_at, id"
        ))
        .fetch_all(pool)
        .await?
        {
            maintenances.push(Self::maintenance(&row)?);
        }

        // The newest entry that changed the public state: when, and which (so what is
        // built from this state can name the point of the chain it reflects).
        let head = sqlx::query(&format!(
            "SELECT seq, at, hash FROM ledger WHERE action IN ({}) ORDER BY seq DESC LIMIT 1",
            PUBLIC_ACTIONS.map(|a| format!("'{a}'")).join(", ")
        ))
        .fetch_optional(pool)
        .await?;
        let (last_change, ledger_head) = match head {
            Some(row) => (
                Some(row.try_get("at")?),
                Some(LedgerHead {
                    seq: row.try_get("seq")?,
                    hash: row.try_get("hash")?,
                }),
            ),
            None => (None, None),
        };

        Ok(StoredState::new(
            incidents,
            events,
            maintenances,
            last_change,
            ledger_head,
        ))
    }

    /// What changed after `head` (a point of the ledger the caller's state reflects) and
    /// after event `last_event_id`: only the rows the new entries name, found by key.
    /// `None` when the ledger no longer holds `head` (the database was replaced or
    /// restored): only a full read can say what the state is then. The reads are not one
    /// transaction: a change committed between them may show its rows before its entry;
    /// its own announcement brings the next read, which reads its incident again.
    pub(super) async fn read_changes_after(
        &self,
        head: &LedgerHead,
        last_event_id: i64,
    ) -> Result<Option<StateChanges>, StoreError> {
        let pool = &self.pool;
        let known = sqlx::query("SELECT hash FROM ledger WHERE seq = $1")
            .bind(head.seq)
            .fetch_optional(pool)
            .await?
            .map(|row| row.try_get::<String, _>("hash"))
            .transpose()?;
        if known.as_deref() != Some(head.hash.as_str()) {
            return Ok(None);
        }
        let entries = self.public_ledger_after(head.seq).await?;
        let Some(newest) = entries.last() else {
            return Ok(Some(StateChanges::default()));
        };
        let mut changes = StateChanges {
            ledger_head: Some(LedgerHead {
                seq: newest.seq,
                hash: newest.hash.clone(),
            }),
            last_change: Some(newest.at),
            ..StateChanges::default()
        };
        let parsed = crate::domain::replay::public_entries(&entries)
            .map_err(|e| StoreError::Database(sqlx::Error::Protocol(e)))?;
        let mut incidents: Vec<&str> = Vec::new();
        let mut windows: Vec<&str> = Vec::new();
        for entry in &parsed {
            if let Some(id) = rules::subject(&entry.change).0 {
                if !incidents.contains(&id) {
                    incidents.push(id);
                }
            }
            if let Change::ScheduleMaintenance(m) = &entry.change {
                windows.push(&m.id);
            }
        }
        for id in incidents {
            changes.incidents.extend(self.load_incident(id).await?);
        }
        for id in windows {
            if let Some(row) = sqlx::query(&format!(
                "SELECT {MAINTENANCE_COLUMNS} FROM maintenances WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(pool)
            .await?
            {
                changes.maintenances.push(Self::maintenance(&row)?);
            }
        }
        for row in sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS} FROM component_events WHERE id > $1 ORDER BY at, id"
        ))
        .bind(last_event_id)
        .fetch_all(pool)
        .await?
        {
            changes.events.push(Self::event(&row)?);
        }
        Ok(Some(changes))
    }

    /// One incident as it is now, with its components and updates: read by its key.
    pub(super) async fn load_incident(
        &self,
        id: &str,
    ) -> Result<Option<IncidentRecord>, StoreError> {
        let pool = &self.pool;
        let Some(row) = sqlx::query(&format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(pool)
        .await?
        else {
            return Ok(None);
        };
        let mut incident = Self::incident(&row)?;
        for row in sqlx::query(
            "SELECT component, status FROM incident_components WHERE incident_id = $1 \
             ORDER BY component",
        )
        .bind(id)
        .fetch_all(pool)
        .await?
        {
            incident.components.push(Self::status_change(&row)?);
        }
        let mut changes_by_update: HashMap<i64, Vec<StatusChange>> = HashMap::new();
        for row in sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS} FROM component_events \
             WHERE incident_id = $1 AND update_id IS NOT NULL ORDER BY at, id"
        ))
        .bind(id)
        .fetch_all(pool)
        .await?
        {
            let event = Self::event(&row)?;
            changes_by_update
                .entry(row.try_get("update_id")?)
                .or_default()
                .push(StatusChange {
                    component: event.component,
                    status: event.status,
                });
        }
        for row in sqlx::query(&format!(
            "SELECT {UPDATE_COLUMNS} FROM incident_updates WHERE incident_id = $1 \
             ORDER BY at, id"
        ))
        .bind(id)
        .fetch_all(pool)
        .await?
        {
            let mut update = Self::update(&row)?;
            update.changes = changes_by_update.remove(&update.id).unwrap_or_default();
            incident.updates.push(update);
        }
        Ok(Some(incident))
    }

    fn status_change(row: &DB::Row) -> Result<StatusChange, StoreError> {
        Ok(StatusChange {
            component: row.try_get("component")?,
            status: parse(
                &row.try_get::<String, _>("status")?,
                "status",
                ComponentStatus::parse,
            )?,
        })
    }

    fn event(row: &DB::Row) -> Result<ComponentEvent, StoreError> {
        Ok(ComponentEvent {
            id: row.try_get("id")?,
            component: row.try_get("component")?,
            status: parse(
                &row.try_get::<String, _>("status")?,
                "status",
                ComponentStatus::parse,
            )?,
            at: row.try_get("at")?,
            incident_id: row.try_get("incident_id")?,
        })
    }

    /// An update without its status changes (they are read from the events).
    fn update(row: &DB::Row) -> Result<UpdateRecord, StoreError> {
        Ok(UpdateRecord {
            id: row.try_get("id")?,
            at: row.try_get("at")?,
            state: parse(
                &row.try_get::<String, _>("state")?,
                "state",
                IncidentState::parse,
            )?,
            kind: parse(
                &row.try_get::<String, _>("kind")?,
                "kind",
                UpdateKind::parse,
            )?,
            retrospective: row.try_get("retrospective")?,
            body_ko: row.try_get("body_ko")?,
            body_en: row.try_get("body_en")?,
            changes: Vec::new(),
            edited_at: row.try_get("edited_at")?,
            notices: serde_json::from_str(&row.try_get::<String, _>("notices")?)
                .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))?,
        })
    }

    /// An incident without its components and updates (read from their own tables).
    fn incident(row: &DB::Row) -> Result<IncidentRecord, StoreError> {
        Ok(IncidentRecord {
            id: row.try_get("id")?,
            components: Vec::new(),
            updates: Vec::new(),
            title_ko: row.try_get("title_ko")?,
            title_en: row.try_get("title_en")?,
            impact: parse(
                &row.try_get::<String, _>("impact")?,
                "impact",
                Impact::parse,
            )?,
            state: parse(
                &row.try_get::<String, _>("state")?,
                "state",
                IncidentState::parse,
            )?,
            started_at: row.try_get("started_at")?,
            resolved_at: row.try_get("resolved_at")?,
            crowd_signal_at: row.try_get("crowd_signal_at")?,
            checks_failed_at: row.try_get("checks_failed_at")?,
        })
    }

    fn maintenance(row: &DB::Row) -> Result<MaintenanceRecord, StoreError> {
        let components: String = row.try_get("components")?;
        Ok(MaintenanceRecord {
            id: row.try_get("id")?,
            title_ko: row.try_get("title_ko")?,
            title_en: row.try_get("title_en")?,
            body_ko: row.try_get("body_ko")?,
            body_en: row.try_get("body_en")?,
            starts_at: row.try_get("starts_at")?,
            ends_at: row.try_get("ends_at")?,
            components: serde_json::from_str(&components)
                .map_err(|e| StoreError::Database(sqlx::Error::Decode(e.into())))?,
        })
    }

    /// What `rules::check` needs to know about what the change names, and nothing else.
    pub(super) async fn read_current(
        conn: &mut DB::Connection,
        change: &Change,
    ) -> Result<Current, StoreError> {
        let mut current = Current::default();
        let (incident, account) = rules::subject(change);
        if let Some(id) = incident {
            let found = sqlx::query("SELECT state FROM incidents WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
            if let Some(row) = found {
                let mut components: Vec<StatusChange> = Vec::new();
                for row in sqlx::query(
                    "SELECT component, status FROM component_events WHERE incident_id = $1 \
                     ORDER BY at, id",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?
                {
                    let component: String = row.try_get("component")?;
                    let status = parse(
                        &row.try_get::<String, _>("status")?,
                        "status",
                        ComponentStatus::parse,
                    )?;
                    match components.iter_mut().find(|c| c.component == component) {
                        Some(latest) => latest.status = status,
                        None => components.push(StatusChange { component, status }),
                    }
                }
                current.incident = Some(IncidentNow {
                    state: parse(
                        &row.try_get::<String, _>("state")?,
                        "state",
                        IncidentState::parse,
                    )?,
                    components,
                });
            }
            if let Change::CorrectUpdate(fix) = change {
                current.update_exists = sqlx::query(
                    "SELECT id FROM incident_updates WHERE id = $1 AND incident_id = $2",
                )
                .bind(fix.update_id)
                .bind(&fix.incident_id)
                .fetch_optional(&mut *conn)
                .await?
                .is_some();
            }
        }
        if let Some(name) = account {
            if let Some(row) = sqlx::query("SELECT role, active FROM users WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *conn)
                .await?
            {
                current.account = Some(AccountNow {
                    role: parse(&row.try_get::<String, _>("role")?, "role", Role::parse)?,
                    active: row.try_get("active")?,
                });
            }
            current.other_active_admins = sqlx::query(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM users \
                 WHERE name <> $1 AND active = $2 AND role = $3",
            )
            .bind(name)
            .bind(true)
            .bind(Role::Admin.as_str())
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
        }
        Ok(current)
    }

    pub(super) async fn current_facts(&self, change: &Change) -> Result<Current, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Self::read_current(&mut conn, change).await
    }

    pub(super) async fn apply_change(
        &self,
        actor: &str,
        at: DateTime<Utc>,
        change: &mut Change,
    ) -> Result<LedgerEntry, StoreError> {
        let _writer = self.write_lock.lock().await;
        let at = micros(at);
        let mut tx = self.begin_write().await?;
        if let Some(lock) = DB::LEDGER_LOCK {
            sqlx::query(lock).execute(&mut *tx).await?;
        }
        // The lock is held (SQLite: BEGIN IMMEDIATE; PostgreSQL: the ledger lock), so
        // what is read here stays true until the commit: two staff acting at once are
        // checked one after the other, and the second sees the first one's change.
        let current = Self::read_current(&mut tx, change).await?;
        rules::check(&current, change, at).map_err(StoreError::Refused)?;
        let change: &Change = change;
        match change {
            Change::OpenIncident(new) => {
                let started_at = micros(new.started_at);
                sqlx::query(
                    "INSERT INTO incidents \
                     (id, title_ko, title_en, impact, state, started_at, created_at, \
                     crowd_signal_at, checks_failed_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&new.id)
                .bind(&new.title_ko)
                .bind(&new.title_en)
                .bind(new.impact.as_str())
                .bind(IncidentState::Investigating.as_str())
                .bind(started_at)
                .bind(at)
                .bind(new.crowd_signal_at.map(micros))
                .bind(new.checks_failed_at.map(micros))
                .execute(&mut *tx)
                .await?;
                for c in &new.components {
                    sqlx::query(
                        "INSERT INTO incident_components (incident_id, component, status) \
                         VALUES ($1, $2, $3)",
                    )
                    .bind(&new.id)
                    .bind(&c.component)
                    .bind(c.status.as_str())
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO component_events (component, status, at, incident_id) \
                         VALUES ($1, $2, $3, $4)",
                    )
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
                         (incident_id, at, state, kind, retrospective, body_ko, body_en, \
                         created_at, notices) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(&new.id)
                    .bind(micros(first.at))
                    .bind(IncidentState::Investigating.as_str())
                    .bind(first.kind.as_str())
                    .bind(false)
                    .bind(&first.body_ko)
                    .bind(&first.body_en)
                    .bind(at)
                    .bind(notices_json(&first.notices))
                    .execute(&mut *tx)
                    .await?;
                }
            }
            Change::PostUpdate(new) => {
                let update_at = micros(new.at);
                let update_id: i64 = sqlx::query(
                    "INSERT INTO incident_updates \
                     (incident_id, at, state, kind, retrospective, body_ko, body_en, created_at, \
                     notices) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(&new.incident_id)
                .bind(update_at)
                .bind(new.state.as_str())
                .bind(new.kind.as_str())
                .bind(new.retrospective)
                .bind(&new.body_ko)
                .bind(&new.body_en)
                .bind(at)
                .bind(notices_json(&new.notices))
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
                let resolved_at = (new.state == IncidentState::Resolved).then_some(update_at);
                // A postmortem after resolution does not move the resolution time.
                sqlx::query(
                    "UPDATE incidents SET state = $1, resolved_at = COALESCE(resolved_at, $2) \
                     WHERE id = $3",
                )
                .bind(new.state.as_str())
                .bind(resolved_at)
                .bind(&new.incident_id)
                .execute(&mut *tx)
                .await?;
                for c in &new.components {
                    sqlx::query(
                        "INSERT INTO component_events \
                         (component, status, at, incident_id, update_id) \
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
                     (id, title_ko, title_en, body_ko, body_en, starts_at, ends_at, components, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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
                    return Err(StoreError::Conflict(format!(
                        "there is no update {} in incident '{}'",
                        fix.update_id, fix.incident_id
                    )));
                }
            }
            Change::SetComponentStatus(set) => {
                sqlx::query(
                    "INSERT INTO component_events (component, status, at, incident_id) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(&set.component)
                .bind(set.status.as_str())
                .bind(at)
                .bind(&set.incident_id)
                .execute(&mut *tx)
                .await?;
            }
            Change::AddUser(user) => {
                sqlx::query(
                    "INSERT INTO users (name, role, password_hash, active, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
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
                let changed =
                    sqlx::query("UPDATE users SET role = $1, active = $2 WHERE name = $3")
                        .bind(user.role.as_str())
                        .bind(user.active)
                        .bind(&user.name)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                if changed != 1 {
                    return Err(StoreError::Conflict(format!(
                        "there is no account '{}'",
                        user.name
                    )));
                }
            }
            Change::AddWebhook(hook) => {
                sqlx::query(
                    "INSERT INTO webhooks (id, url, services, secret, active, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
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
                    return Err(StoreError::Conflict(format!(
                        "there is no webhook '{}'",
                        hook.id
                    )));
                }
            }
            Change::AddProbeAgent(agent) => {
                let added = sqlx::query(
                    "INSERT INTO probe_agents (name, secret, last_seq, active, created_at) \
                     VALUES ($1, $2, 0, TRUE, $3) ON CONFLICT (name) DO NOTHING",
                )
                .bind(&agent.name)
                .bind(&agent.secret)
                .bind(at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if added != 1 {
                    return Err(StoreError::Conflict(format!(
                        "an agent named '{}' already exists",
                        agent.name
                    )));
                }
            }
            Change::SetProbeAgentActive(agent) => {
                let changed = sqlx::query("UPDATE probe_agents SET active = $1 WHERE name = $2")
                    .bind(agent.active)
                    .bind(&agent.name)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if changed != 1 {
                    return Err(StoreError::Conflict(format!(
                        "there is no agent '{}'",
                        agent.name
                    )));
                }
            }
            // Recorded in the ledger only.
            Change::SignIn(_)
            | Change::SignInFailed(_)
            | Change::SignOut(_)
            | Change::AddNote(_) => {}
        }

        let head = sqlx::query("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?
            .map(|row| Ok::<_, sqlx::Error>((row.try_get("seq")?, row.try_get("hash")?)))
            .transpose()?;
        let payload = serde_json::to_value(change)
            .map_err(|e| StoreError::Database(sqlx::Error::Encode(e.into())))?;
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
        if let (Some(announce), true) = (DB::ANNOUNCE, change.is_public()) {
            sqlx::query(announce)
                .bind(entry.seq.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(entry)
    }
}

fn notices_json(notices: &[NoticeTag]) -> String {
    serde_json::to_string(notices).expect("tags serialise")
}
