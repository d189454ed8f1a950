//! The tamper-evident ledger: every change, appended in the same transaction as the change
//! itself, each entry chained to the one before by SHA-256.
//!
//! Canonical form of an entry: the JSON object `{"action","actor","at","change","seq"}`
//! with keys sorted at every level, no insignificant white space, UTF-8 without escaping
//! non-ASCII, `at` as RFC 3339 UTC with microseconds (`2022-10-15T06:29:00.000000Z`).
//! `hash = hex(SHA-256(prev_hash ‖ canonical))`, where `prev_hash` is the previous
//! entry's hash as 64 lowercase hex characters (64 zeros before the first entry).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    /// Exactly the bytes that were hashed.
    pub canonical: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Time as it is written into the canonical form; microseconds, as both databases keep.
pub fn canonical_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// serde_json's map is ordered by key, so `to_string` of a `Value` is canonical.
pub fn canonical(seq: i64, at: DateTime<Utc>, actor: &str, action: &str, change: &Value) -> String {
    json!({
        "seq": seq,
        "at": canonical_time(at),
        "actor": actor,
        "action": action,
        "change": change,
    })
    .to_string()
}

pub fn chain_hash(prev_hash: &str, canonical: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical.as_bytes());
    hex::encode(hasher.finalize())
}

/// Builds the entry that follows `prev` (None for the first).
pub fn next_entry(
    prev: Option<(i64, String)>,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    change: &Value,
) -> LedgerEntry {
    let (seq, prev_hash) = match prev {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let canonical = canonical(seq, at, actor, action, change);
    let hash = chain_hash(&prev_hash, &canonical);
    LedgerEntry {
        seq,
        at,
        actor: actor.to_string(),
        action: action.to_string(),
        canonical,
        prev_hash,
        hash,
    }
}

#[derive(Debug, PartialEq)]
pub struct Verified {
    pub count: usize,
    pub head: String,
}

#[derive(Debug, PartialEq, thiserror::Error)]
pub enum Broken {
    #[error("entry {seq} was edited: its content no longer matches its hash")]
    Edited { seq: i64 },
    #[error("entry {expected} is missing (deleted): the next entry found is {found}")]
    Deleted { expected: i64, found: i64 },
    #[error("entry {seq} is out of order: expected entry {expected} here")]
    OutOfOrder { seq: i64, expected: i64 },
    #[error("entry {seq} holds the content of entry {holds}: entries were reordered")]
    Reordered { seq: i64, holds: i64 },
    #[error("entry {seq} does not link to the entry before it (its previous hash differs)")]
    Unlinked { seq: i64 },
    #[error("entry {seq}'s columns disagree with its canonical content")]
    Mismatch { seq: i64 },
}

impl Broken {
    pub fn seq(&self) -> i64 {
        match self {
            Broken::Edited { seq }
            | Broken::OutOfOrder { seq, .. }
            | Broken::Reordered { seq, .. }
            | Broken::Unlinked { seq }
            | Broken::Mismatch { seq } => *seq,
            Broken::Deleted { expected, .. } => *expected,
        }
    }
}

/// Recomputes the chain over entries in storage order and names the first that fails.
pub fn verify(entries: &[LedgerEntry]) -> Result<Verified, Broken> {
    let mut prev_hash = GENESIS.to_string();
    for (index, entry) in entries.iter().enumerate() {
        let expected = index as i64 + 1;
        if entry.seq > expected {
            return Err(Broken::Deleted {
                expected,
                found: entry.seq,
            });
        }
        if entry.seq < expected {
            return Err(Broken::OutOfOrder {
                seq: entry.seq,
                expected,
            });
        }
        if chain_hash(&entry.prev_hash, &entry.canonical) != entry.hash {
            return Err(Broken::Edited { seq: entry.seq });
        }
        let parsed: Value = serde_json::from_str(&entry.canonical)
            .map_err(|_| Broken::Edited { seq: entry.seq })?;
        if let Some(holds) = parsed["seq"].as_i64().filter(|holds| *holds != entry.seq) {
            return Err(Broken::Reordered {
                seq: entry.seq,
                holds,
            });
        }
        if entry.prev_hash != prev_hash {
            return Err(Broken::Unlinked { seq: entry.seq });
        }
        let agrees = parsed["actor"] == json!(entry.actor)
            && parsed["action"] == json!(entry.action)
            && parsed["at"] == json!(canonical_time(entry.at));
        if !agrees {
            return Err(Broken::Mismatch { seq: entry.seq });
        }
        prev_hash = entry.hash.clone();
    }
    Ok(Verified {
        count: entries.len(),
        head: prev_hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn chain(n: usize) -> Vec<LedgerEntry> {
        let mut entries: Vec<LedgerEntry> = Vec::new();
        for i in 0..n {
            let at = Utc.with_ymd_and_hms(2022, 10, 15, 6, 29, i as u32).unwrap();
            let prev = entries.last().map(|e| (e.seq, e.hash.clone()));
            entries.push(next_entry(
                prev,
                at,
                "system",
                "post_update",
                &json!({"n": i, "text": "사과드립니다"}),
            ));
        }
        entries
    }

    #[test]
    fn an_untouched_chain_verifies_with_its_head() {
        let entries = chain(4);
        let verified = verify(&entries).unwrap();
        assert_eq!(verified.count, 4);
        assert_eq!(verified.head, entries[3].hash);
        assert_eq!(verify(&[]).unwrap().head, GENESIS);
    }

    #[test]
    fn the_canonical_form_is_sorted_and_compact() {
        let at = Utc.with_ymd_and_hms(2022, 10, 15, 6, 29, 0).unwrap();
        let text = canonical(1, at, "system", "open", &json!({"z": 1, "a": "가"}));
        assert_eq!(
            text,
            r#"{"action":"open","actor":"system","at":"2022-10-15T06:29:00.000000Z","change":{"a":"가","z":1},"seq":1}"#
        );
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut entries = chain(4);
        entries[2].canonical = entries[2].canonical.replace("사과", "해명");
        assert_eq!(verify(&entries), Err(Broken::Edited { seq: 3 }));
    }

    #[test]
    fn an_edit_with_a_recomputed_hash_breaks_the_next_link() {
        let mut entries = chain(4);
        entries[1].canonical = entries[1].canonical.replace("사과", "해명");
        entries[1].hash = chain_hash(&entries[1].prev_hash, &entries[1].canonical);
        assert_eq!(verify(&entries), Err(Broken::Unlinked { seq: 3 }));
    }

    #[test]
    fn a_deleted_entry_is_named() {
        let mut entries = chain(4);
        entries.remove(1);
        assert_eq!(
            verify(&entries),
            Err(Broken::Deleted {
                expected: 2,
                found: 3
            })
        );
        let mut tail_cut = chain(4);
        tail_cut.remove(0);
        assert_eq!(verify(&tail_cut).unwrap_err().seq(), 1);
    }

    #[test]
    fn swapped_entries_are_named() {
        let mut entries = chain(4);
        entries.swap(1, 2);
        assert_eq!(
            verify(&entries),
            Err(Broken::Deleted {
                expected: 2,
                found: 3
            })
        );
        // Swapping the rows but keeping the sequence numbers in order is named too.
        let mut renumbered = chain(4);
        renumbered.swap(1, 2);
        renumbered[1].seq = 2;
        renumbered[2].seq = 3;
        assert_eq!(
            verify(&renumbered),
            Err(Broken::Reordered { seq: 2, holds: 3 })
        );
    }

    #[test]
    fn a_column_edited_beside_its_canonical_text_is_named() {
        let mut entries = chain(3);
        entries[1].actor = "someone-else".into();
        assert_eq!(verify(&entries), Err(Broken::Mismatch { seq: 2 }));
    }
}
