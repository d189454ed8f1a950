-- An incident's component events are read by incident: the write path's check of the
-- incident's current state, and the refresh that re-reads only the incidents a change
-- touched. Without this index both scan every event ever recorded.
CREATE INDEX component_events_incident ON component_events (incident_id, at);
