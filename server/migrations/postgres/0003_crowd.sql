-- Crowd reports: raw reports (deleted after the retention period) and per-minute counts
-- kept up to date on the write path, so charts never scan raw reports. `minute` is
-- minutes since the Unix epoch (UTC); region is '' when the reporter named none.

CREATE TABLE reports (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service     TEXT NOT NULL,
    problem     TEXT NOT NULL,
    region      TEXT NOT NULL,
    client      TEXT NOT NULL,  -- salted hash of address and user agent; the salt changes daily
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX reports_at ON reports (at);

CREATE TABLE report_counts (
    service TEXT NOT NULL,
    problem TEXT NOT NULL,
    region  TEXT NOT NULL,
    minute  BIGINT NOT NULL,
    count   BIGINT NOT NULL,
    PRIMARY KEY (minute, service, problem, region)
);

-- When the crowd signal fired and cleared, per service.
CREATE TABLE crowd_signals (
    service    TEXT NOT NULL,
    fired_at   TIMESTAMPTZ NOT NULL,
    cleared_at TIMESTAMPTZ,
    peak       BIGINT NOT NULL,
    PRIMARY KEY (service, fired_at)
);

-- When the crowd signal first fired for an incident's services (time to acknowledge).
ALTER TABLE incidents ADD COLUMN crowd_signal_at TIMESTAMPTZ;
