//! The tamper-evident ledger: every change, appended in the same transaction as the change
//! itself, each entry chained to the one before by SHA-256.
//!
//! Canonical form of an entry: the JSON object `{"action","actor","at","change","seq"}`
//! with keys sorted at every level, no insignificant white space, UTF-8 without escaping
//! non-ASCII, `at` as RFC 3339 UTC with microseconds (`2022-10-15T06:29:00.000000Z`).
//! `hash = hex(SHA-256(prev_hash ‖ canonical))`, where `prev_hash` is the previous
//! entry's hash as 64 lowercase hex characters (64 zeros before the first entry).
//!
//! Reading it back (`read_canonical`, used by `verify`) takes only that form: the text
//! must be exactly what `canonical` writes for the object it parses to. So a key written
//! twice — which `canonical` never writes, and which JSON readers resolve differently
//! (first or last wins) — is refused (`Broken::NotCanonical`) rather than read one way
//! here and another way by a regulator's tool; so are white space, unsorted keys, other
//! number spellings and fields other than the five.

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

/// The five fields of a canonical entry, as `canonical` writes them (sorted).
pub const FIELDS: [&str; 5] = ["action", "actor", "at", "change", "seq"];

/// Why a text is not a canonical entry.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum NotCanonical {
    #[error("not JSON: {0}")]
    Json(String),
    #[error("not an object of exactly the fields action, actor, at, change and seq")]
    Fields,
    #[error("not in canonical form (a key written twice, white space, unsorted keys or another spelling)")]
    Form,
}

/// Reads a canonical entry: the object, if `text` is exactly its canonical form.
pub fn read_canonical(text: &str) -> Result<Value, NotCanonical> {
    let value: Value =
        serde_json::from_str(text).map_err(|error| NotCanonical::Json(error.to_string()))?;
    let fields_ok = value
        .as_object()
        .is_some_and(|o| o.len() == FIELDS.len() && FIELDS.iter().all(|f| o.contains_key(*f)));
    if !fields_ok {
        return Err(NotCanonical::Fields);
    }
    // The text as `canonical` writes the value it holds (not `Value == str`, which
    // would compare a JSON string with the text).
    let written = value.to_string();
    if written != text {
        return Err(NotCanonical::Form);
    }
    Ok(value)
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
    #[error("entry {seq}'s content is not in canonical form: {why}")]
    NotCanonical { seq: i64, why: NotCanonical },
}

impl Broken {
    pub fn seq(&self) -> i64 {
        match self {
            Broken::Edited { seq }
            | Broken::OutOfOrder { seq, .. }
            | Broken::Reordered { seq, .. }
            | Broken::Unlinked { seq }
            | Broken::Mismatch { seq }
            | Broken::NotCanonical { seq, .. } => *seq,
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
        let parsed = read_canonical(&entry.canonical).map_err(|why| Broken::NotCanonical {
            seq: entry.seq,
            why,
        })?;
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

    #[test]
    fn a_key_written_twice_is_refused_not_read_one_way() {
        let at = Utc.with_ymd_and_hms(2022, 10, 15, 6, 29, 0).unwrap();
        let text = canonical(1, at, "system", "open", &json!({"a": 1}));
        assert_eq!(read_canonical(&text).unwrap()["change"]["a"], 1);
        let twice = text.replacen("{\"action\"", "{\"action\":\"open\",\"action\"", 1);
        assert_eq!(read_canonical(&twice), Err(NotCanonical::Form));
        let spaced = text.replace(':', ": ");
        assert_eq!(read_canonical(&spaced), Err(NotCanonical::Form));
        assert_eq!(read_canonical("[1]"), Err(NotCanonical::Fields));
        assert!(matches!(read_canonical("{"), Err(NotCanonical::Json(_))));
        // In a chain, with every hash recomputed, it is named.
        let mut entries = chain(2);
        entries[1].canonical =
            entries[1]
                .canonical
                .replacen("{\"action\"", "{\"action\":\"x\",\"action\"", 1);
        entries[1].hash = chain_hash(&entries[1].prev_hash, &entries[1].canonical);
        assert!(matches!(
            verify(&entries),
            Err(Broken::NotCanonical {
                seq: 2,
                why: NotCanonical::Form
            })
        ));
    }

    mod properties {
        use super::super::*;
        use chrono::TimeZone;
        use proptest::prelude::*;

        /// Text of every kind: any Unicode (NULs, quotes, backslashes, astral planes).
        fn text() -> impl Strategy<Value = String> {
            prop_oneof![
                any::<String>(),
                prop::collection::vec(any::<char>(), 0..24).prop_map(String::from_iter),
                Just("\"\\\u{0}\u{7f}\u{2028}가😀".to_string()),
            ]
        }

        /// JSON values as a change holds them: integers of any size (no floats: no
        /// change has one, and only exact numbers round-trip by definition), strings,
        /// nesting; objects built from pairs in the order given.
        fn json_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                any::<u64>().prop_map(Value::from),
                any::<i32>().prop_map(|n| Value::from(f64::from(n) / 4.0)),
                text().prop_map(Value::from),
            ];
            leaf.prop_recursive(4, 48, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
                    prop::collection::vec((text(), inner), 0..6)
                        .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
                ]
            })
        }

        /// Instants the databases keep (1970–9999, microseconds).
        fn instant() -> impl Strategy<Value = DateTime<Utc>> {
            (0i64..253_402_300_799, 0u32..1_000_000)
                .prop_map(|(s, us)| Utc.timestamp_opt(s, us * 1000).unwrap())
        }

        proptest! {
            #![proptest_config(ProptestConfig {
                cases: 192,
                failure_persistence: None,
                ..ProptestConfig::default()
            })]

            /// parse(canonical(x)) == x; canonical is deterministic and is its own
            /// canonical form (idempotent); keys are sorted; non-ASCII is not escaped.
            #[test]
            fn canonical_round_trips(seq in any::<i64>(), at in instant(), actor in text(), action in text(), change in json_value()) {
                let text = canonical(seq, at, &actor, &action, &change);
                prop_assert_eq!(&text, &canonical(seq, at, &actor, &action, &change));
                let parsed = read_canonical(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&parsed["change"], &change);
                prop_assert_eq!(parsed["seq"].as_i64(), Some(seq));
                prop_assert_eq!(parsed["actor"].as_str(), Some(actor.as_str()));
                prop_assert_eq!(parsed["action"].as_str(), Some(action.as_str()));
                let read_at = DateTime::parse_from_rfc3339(parsed["at"].as_str().unwrap()).unwrap();
                prop_assert_eq!(read_at.with_timezone(&Utc), at);
                prop_assert_eq!(parsed.to_string(), text.clone());
                for c in actor.chars().chain(action.chars()).filter(|c| !c.is_ascii() && *c != '\u{2028}' && *c != '\u{2029}') {
                    prop_assert!(text.contains(c), "{c:?} is written as itself");
                }
            }

            /// The order in which an object's keys were given does not change the text.
            #[test]
            fn key_order_does_not_matter(pairs in prop::collection::btree_map(text(), json_value(), 0..8), seed in any::<u64>()) {
                let forward: serde_json::Map<String, Value> = pairs.clone().into_iter().collect();
                let mut shuffled: Vec<(String, Value)> = pairs.into_iter().collect();
                let n = shuffled.len().max(1);
                shuffled.rotate_left((seed as usize) % n);
                shuffled.reverse();
                let backward: serde_json::Map<String, Value> = shuffled.into_iter().collect();
                let at = Utc.timestamp_opt(1_665_815_340, 0).unwrap();
                prop_assert_eq!(
                    canonical(1, at, "a", "b", &Value::Object(forward)),
                    canonical(1, at, "a", "b", &Value::Object(backward))
                );
            }

            /// A key written twice anywhere in an entry is refused, whichever copy a
            /// reader would keep.
            #[test]
            fn a_duplicate_key_is_refused(change in json_value(), field in 0usize..5, actor in text()) {
                let at = Utc.timestamp_opt(1_665_815_340, 0).unwrap();
                let text = canonical(7, at, &actor, "open", &change);
                let key = FIELDS[field];
                let twice = format!("{{\"{key}\":null,{}", &text[1..]);
                prop_assert!(read_canonical(&twice).is_err());
            }

            /// Any text at all is read or refused with a reason; never a panic.
            #[test]
            fn any_text_is_read_or_refused(text in prop_oneof![any::<String>(), "\\{(\"[a-z]{1,6}\":[0-9a-z\"]{0,8},?){0,6}\\}"]) {
                if let Ok(value) = read_canonical(&text) {
                    prop_assert_eq!(value.to_string(), text);
                }
            }

            /// A chain of any changes verifies; changing any one entry (even with its hash
            /// recomputed) is found at or after it, never before; any columns whatsoever
            /// are verified without a panic.
            #[test]
            fn a_chain_verifies_and_any_edit_is_found(
                changes in prop::collection::vec(json_value(), 1..6),
                victim in any::<prop::sample::Index>(),
                replacement in json_value(),
                rehash in any::<bool>(),
            ) {
                let mut entries: Vec<LedgerEntry> = Vec::new();
                for (i, change) in changes.iter().enumerate() {
                    let prev = entries.last().map(|e| (e.seq, e.hash.clone()));
                    let at = Utc.timestamp_opt(1_665_815_340 + i as i64, 0).unwrap();
                    entries.push(next_entry(prev, at, "system", "open", change));
                }
                let verified = verify(&entries).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(verified.count, entries.len());
                let i = victim.index(entries.len());
                let edited = canonical(entries[i].seq, entries[i].at, "system", "open", &replacement);
                if edited != entries[i].canonical {
                    entries[i].canonical = edited;
                    if rehash {
                        entries[i].hash = chain_hash(&entries[i].prev_hash, &entries[i].canonical);
                    }
                    match verify(&entries) {
                        // The head itself, re-hashed: only its known hash tells.
                        Ok(now) => prop_assert!(rehash && i + 1 == entries.len() && now.head != verified.head),
                        Err(broken) => prop_assert!(broken.seq() as usize > i, "{broken} at {i}"),
                    }
                }
            }

            #[test]
            fn any_columns_verify_or_break(rows in prop::collection::vec(
                (any::<i64>(), text(), text(), text(), text()), 0..5)
            ) {
                let at = Utc.timestamp_opt(0, 0).unwrap();
                let entries: Vec<LedgerEntry> = rows.into_iter().map(|(seq, actor, canonical, prev_hash, hash)| LedgerEntry {
                    seq, at, actor, action: "open".into(), canonical, prev_hash, hash,
                }).collect();
                if let Err(broken) = verify(&entries) {
                    prop_assert!(!broken.to_string().is_empty());
                }
            }
        }
    }
}
