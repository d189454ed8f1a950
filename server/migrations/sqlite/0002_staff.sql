-- Staff accounts for the console, and corrections of published updates.

CREATE TABLE users (
    name          TEXT PRIMARY KEY,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,  -- Argon2id, PHC string
    active        BOOLEAN NOT NULL,
    created_at    TEXT NOT NULL
);

-- Set when an update's text was corrected after publication; the original text stays
-- in the ledger entry that published it.
ALTER TABLE incident_updates ADD COLUMN edited_at TEXT;
