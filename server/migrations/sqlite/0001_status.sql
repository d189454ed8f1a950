-- The public state: incidents, their updates, component status changes, maintenance,
-- and the append-only ledger of every change. Times are UTC.

CREATE TABLE incidents (
    id          TEXT PRIMARY KEY,
    title_ko    TEXT NOT NULL,
    title_en    TEXT,
    impact      TEXT NOT NULL,
    state       TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    resolved_at TEXT,
    created_at  TEXT NOT NULL
);

-- The components an incident affects and the state it put each one in.
CREATE TABLE incident_components (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    component   TEXT NOT NULL,
    status      TEXT NOT NULL,
    PRIMARY KEY (incident_id, component)
);

CREATE TABLE incident_updates (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id   TEXT NOT NULL REFERENCES incidents (id),
    at            TEXT NOT NULL,
    state         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    retrospective BOOLEAN NOT NULL,
    body_ko       TEXT NOT NULL,
    body_en       TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX incident_updates_incident ON incident_updates (incident_id, at);

-- Every change of a component's state, with the time it took effect. The current
-- state and the uptime bars are derived from these.
CREATE TABLE component_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    component   TEXT NOT NULL,
    status      TEXT NOT NULL,
    at          TEXT NOT NULL,
    incident_id TEXT REFERENCES incidents (id),
    update_id   INTEGER REFERENCES incident_updates (id)
);
CREATE INDEX component_events_component ON component_events (component, at);

CREATE TABLE maintenances (
    id         TEXT PRIMARY KEY,
    title_ko   TEXT NOT NULL,
    title_en   TEXT,
    body_ko    TEXT NOT NULL,
    body_en    TEXT,
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    components TEXT NOT NULL, -- JSON array of component ids
    created_at TEXT NOT NULL
);

CREATE TABLE ledger (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    canonical TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL UNIQUE
);

-- The ledger is append-only for the application; tampering has to go around these
-- triggers, and `server ledger verify` finds what it did.
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
