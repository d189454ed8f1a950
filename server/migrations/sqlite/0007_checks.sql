-- Automated checks (docs/checks.md): the agents allowed to push results, the raw
-- results (deleted after the retention period), their 5-minute rollups (kept 90 days),
-- and each change of a check's verdict (when checks first failed, for the record).

CREATE TABLE probe_agents (
    name       TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,       -- the HMAC key its results are signed with
    last_seq   BIGINT NOT NULL,     -- the highest batch taken: a replay is refused
    active     BOOLEAN NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE check_results (
    id         INTEGER PRIMARY KEY,
    check_id   TEXT NOT NULL,
    agent      TEXT NOT NULL,
    at         TEXT NOT NULL,
    outcome    TEXT NOT NULL,       -- up | slow | down
    latency_ms BIGINT NOT NULL,
    detail     TEXT NOT NULL
);
CREATE INDEX check_results_at ON check_results (at);

-- bucket: 5-minute periods since the Unix epoch.
CREATE TABLE check_rollups (
    check_id TEXT NOT NULL,
    bucket   BIGINT NOT NULL,
    count    BIGINT NOT NULL,
    failures BIGINT NOT NULL,
    slow     BIGINT NOT NULL,
    p50_ms   BIGINT NOT NULL,
    p95_ms   BIGINT NOT NULL,
    PRIMARY KEY (bucket, check_id)
);

-- The same change found by two instances is one row (the key is the result's time).
CREATE TABLE check_verdicts (
    check_id  TEXT NOT NULL,
    component TEXT NOT NULL,
    at        TEXT NOT NULL,
    verdict   TEXT NOT NULL,        -- unknown | up | degraded | failing
    detail    TEXT NOT NULL,
    PRIMARY KEY (check_id, at)
);
CREATE INDEX check_verdicts_at ON check_verdicts (at);

-- When the automated checks first found one of an incident's features failing (time to
-- acknowledge starts from the earliest of this, the crowd signal and first impact).
ALTER TABLE incidents ADD COLUMN checks_failed_at TEXT;
