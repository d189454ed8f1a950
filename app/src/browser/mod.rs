//! What runs in the browser: one island, the only code in the client bundle (issue 14).
//!
//! Every page is whole in the server's HTML and works with JavaScript off. With it on,
//! this island keeps the open page current (the live stream, polling every 30 s as the
//! fallback) and loads links and form answers in place, so a reader or a staff member
//! stays in one document. Leptos's own islands router diffs the new page into the old
//! node by node, which does not handle a list that grows (a new update in a timeline);
//! here the page's body is replaced whole, which is always right.

mod idle_islands;
#[cfg(feature = "hydrate")]
mod live;
#[cfg(feature = "hydrate")]
mod navigation;
#[cfg(feature = "hydrate")]
mod page_swap;

pub use idle_islands::{build_outputs, BuildOutputs, IdleIslands};
use leptos::prelude::*;

/// Renders nothing; in the browser it starts the in-place navigation and the live updates.
#[island]
pub fn PageEnhancer() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        navigation::start();
        live::start();
    }
}

/// Whether the page at `path` keeps itself current: the public pages do; the console, and
/// the subscription pages with their one-time forms, do not.
pub fn is_live(path: &str) -> bool {
    !["/admin", "/subscribe", "/unsubscribe"]
        .iter()
        .any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")))
}

#[cfg(test)]
mod tests {
    use super::is_live;

    #[test]
    fn public_pages_are_live_and_the_console_is_not() {
        assert!(is_live("/"));
        assert!(is_live("/incidents/2022-10-15-pangyo-datacenter-fire"));
        assert!(is_live("/report/kakaotalk"));
        assert!(!is_live("/admin"));
        assert!(!is_live("/admin/incidents/new"));
        assert!(!is_live("/subscribe/confirm"));
        assert!(is_live("/administrators-guide"));
    }
}
