//! Documents built from the snapshot (feeds, badges, the widget), kept encoded per
//! version of the public state they show (not of the crowd figures, which they do not
//! show: a stream of reports does not rebuild them). A hot document costs a lookup, not
//! a rebuild and a brotli pass per request: a feed reader storm during an outage would
//! otherwise cost a core per hundred requests.

use crate::web::kit::encoded::Encoded;
use app::model::Lang;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// At most this many documents are kept; past it, the map starts over (keys are the
/// known endpoints, services and languages, so this is only a guard).
const MAX_ENTRIES: usize = 1024;

/// A document's key and language → the version it was built at, and the document.
type Entries = HashMap<(String, Lang), (u64, Arc<Encoded>)>;

#[derive(Default)]
pub struct Versioned {
    entries: Mutex<Entries>,
}

impl Versioned {
    /// The document for `key` in `lang` as built at `version`, building it when it was
    /// not yet built at that version. `build` returning None (an unknown service) is not
    /// kept.
    pub fn get_or_build(
        &self,
        version: u64,
        key: &str,
        lang: Lang,
        build: impl FnOnce() -> Option<Encoded>,
    ) -> Option<Arc<Encoded>> {
        let lookup = (key.to_string(), lang);
        if let Some((_, encoded)) = self
            .entries
            .lock()
            .expect("document cache")
            .get(&lookup)
            .filter(|(v, _)| *v == version)
        {
            return Some(encoded.clone());
        }
        let encoded = Arc::new(build()?);
        let mut entries = self.entries.lock().expect("document cache");
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(lookup, (version, encoded.clone()));
        Some(encoded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn doc(text: &'static str) -> Option<Encoded> {
        Some(Encoded::new(
            HeaderValue::from_static("text/plain"),
            text.into(),
        ))
    }

    #[test]
    fn a_document_is_built_once_per_version() {
        let cache = Versioned::default();
        let mut builds = 0;
        for _ in 0..3 {
            cache.get_or_build(1, "feed", Lang::Ko, || {
                builds += 1;
                doc("v1")
            });
        }
        assert_eq!(builds, 1);
        cache.get_or_build(1, "feed", Lang::En, || {
            builds += 1;
            doc("v1 en")
        });
        cache.get_or_build(2, "feed", Lang::Ko, || {
            builds += 1;
            doc("v2")
        });
        assert_eq!(builds, 3, "another language or version is built anew");
        assert!(cache
            .get_or_build(2, "nothing", Lang::Ko, || None)
            .is_none());
        assert!(cache
            .get_or_build(2, "nothing", Lang::Ko, || None)
            .is_none());
    }
}
