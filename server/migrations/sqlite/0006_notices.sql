-- The legal duties an official update was published to fulfil, with the elements it
-- carries (config/rules.toml): a JSON array of {"duty": "...", "elements": ["..."]}.
ALTER TABLE incident_updates ADD COLUMN notices TEXT NOT NULL DEFAULT '[]';
