-- The public state: incidents, their updates, component status changes, maintenance,
-- and the append-only ledger of every change.

CREATE TABLE incidents (
    id          TEXT PRIMARY KEY,
    title_ko    TEXT NOT NULL,
    title_en    TEXT,
    impact      TEXT NOT NULL,
    state       TEXT NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    resolved_at TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL
);

-- The components an incident affects and the state it put each one in.
CREATE TABLE incident_components (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    component   TEXT NOT NULL,
    status      TEXT NOT NULL,
    PRIMARY KEY (incident_id, component)
);

CREATE TABLE incident_updates (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id   TEXT NOT NULL REFERENCES incidents (id),
    at            TIMESTAMPTZ NOT NULL,
    state         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    retrospective BOOLEAN NOT NULL,
    body_ko       TEXT NOT NULL,
    body_en       TEXT,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX incident_updates_incident ON incident_updates (incident_id, at);

-- Every change of a component's state, with the time it took effect. The current
-- state and the uptime bars are derived from these.
CREATE TABLE component_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    component   TEXT NOT NULL,
    status      TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    incident_id TEXT REFERENCES incidents (id),
    update_id   BIGINT REFERENCES incident_updates (id)
);
CREATE INDEX component_events_component ON component_events (component, at);

CREATE TABLE maintenances (
    id         TEXT PRIMARY KEY,
    title_ko   TEXT NOT NULL,
    title_en   TEXT,
    body_ko    TEXT NOT NULL,
    body_en    TEXT,
    starts_at  TIMESTAMPTZ NOT NULL,
    ends_at    TIMESTAMPTZ NOT NULL,
    components TEXT NOT NULL, -- JSON array of component ids
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE ledger (
    seq       BIGINT PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    canonical TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL UNIQUE
);

-- The ledger is append-only for the application; tampering has to go around this
-- trigger, and `server ledger verify` finds what it did.
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only';
END;
$$;
CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON ledger
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
