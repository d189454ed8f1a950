-- Each report gets its own key when it is taken, so that a report kept in an instance's
-- spool while the database was unreachable is stored exactly once, however often its
-- replay is retried (reports stored before this migration have none).
ALTER TABLE reports ADD COLUMN report_key TEXT;
CREATE UNIQUE INDEX reports_report_key ON reports (report_key);
