-- Reaching people and tools: webhook endpoints, email subscribers, and the durable outbox
-- (events and their deliveries). An event is written once per public ledger entry or
-- crowd-signal change (`key` is unique, so several instances fan it out once); each
-- event is expanded, in the same transaction, into one delivery per matching endpoint or
-- subscriber. Deliveries are retried until they succeed or a day has passed.

CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    url        TEXT NOT NULL,
    services   TEXT NOT NULL,  -- comma-separated service slugs; '' for every service
    secret     TEXT NOT NULL,  -- HMAC-SHA256 key; never in the ledger
    active     BOOLEAN NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE subscribers (
    id               TEXT PRIMARY KEY,  -- random; the unsubscribe links carry it
    email            TEXT NOT NULL UNIQUE,
    lang             TEXT NOT NULL,
    services         TEXT NOT NULL,     -- comma-separated; '' for every service
    created_at       TEXT NOT NULL,
    confirmed_at     TEXT,              -- NULL until the address is confirmed (double opt-in)
    confirm_token    TEXT UNIQUE,       -- the pending confirmation, if any
    pending_services TEXT,              -- what confirming it applies
    pending_lang     TEXT,
    confirm_sent_at  TEXT
);

CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,   -- `ledger-42`, `crowd-kakaotalk-…-fired`
    kind       TEXT NOT NULL,          -- `incident.updated`, …
    services   TEXT NOT NULL,
    payload    TEXT NOT NULL,          -- the JSON body webhooks receive
    created_at TEXT NOT NULL
);

-- How far the ledger has been turned into events.
CREATE TABLE outbox_cursor (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    ledger_seq BIGINT NOT NULL
);
INSERT INTO outbox_cursor (id, ledger_seq) VALUES (1, 0);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    event_id        BIGINT REFERENCES events (id),  -- NULL for a confirmation email
    channel         TEXT NOT NULL,     -- 'webhook' or 'email'
    target          TEXT NOT NULL,     -- webhook id or subscriber id
    kind            TEXT NOT NULL,     -- the event kind, or 'confirm'
    state           TEXT NOT NULL,     -- 'pending', 'delivered', 'failed'
    attempts        BIGINT NOT NULL,
    created_at      TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT NOT NULL,     -- an instance sending it holds it until then
    last_attempt_at TEXT,
    last_status     BIGINT,            -- HTTP status or SMTP code of the last attempt
    last_error      TEXT,
    delivered_at    TEXT
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_target ON deliveries (target, id);
