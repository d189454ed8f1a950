//! How the page loads the island: once the browser is idle after the first paint, the
//! script (`load_islands.js`, leptos's island bootstrap) imports the bundle and hydrates
//! each `<leptos-island>`. Unlike leptos's `<HydrationScripts islands=true>`, it puts no
//! `modulepreload`/`preload` hints in `<head>`: they start the bundle's download before
//! the first paint, which Lighthouse's slow phone then pays for before the largest paint
//! (LCP 0.3–0.4 s after FCP with them, issue 14).

use leptos::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

/// The hash cargo-leptos's hash file lists for one kind of output (`css`, `js`, `wasm`):
/// its lines read `kind: hash`.
pub fn listed_hash(hash_file: &Path, kind: &str) -> Option<String> {
    std::fs::read_to_string(hash_file)
        .ok()?
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(k, _)| k.trim() == kind)
        .map(|(_, hash)| hash.trim().to_string())
}

/// The bundle's script and WebAssembly paths, under their content-hashed names when the
/// build hashed them (the hash file leptos's options name; see the server's
/// `web/kit/assets.rs`).
fn bundle_paths(options: &LeptosOptions) -> &'static (String, String) {
    static PATHS: OnceLock<(String, String)> = OnceLock::new();
    PATHS.get_or_init(|| {
        let listed = |kind: &str| -> Option<String> {
            if !options.hash_files {
                return None;
            }
            let file = std::env::current_exe()
                .ok()?
                .parent()?
                .join(options.hash_file.as_ref());
            listed_hash(&file, kind).map(|hash| format!(".{hash}"))
        };
        let base = format!("/{}/{}", options.site_pkg_dir, options.output_name);
        (
            format!("{base}{}.js", listed("js").unwrap_or_default()),
            format!("{base}{}.wasm", listed("wasm").unwrap_or_default()),
        )
    })
}

/// The island loader, in the document's `<head>`.
#[component]
pub fn IdleIslands(options: LeptosOptions) -> impl IntoView {
    // As leptos's islands script does: the server's HTML outside islands carries no
    // hydration markers.
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    let (js, wasm) = bundle_paths(&options);
    view! {
        <script type="module" nonce=leptos::nonce::use_nonce()>
            {format!("{}({js:?}, {wasm:?});", include_str!("load_islands.js").trim_end())}
        </script>
    }
}
