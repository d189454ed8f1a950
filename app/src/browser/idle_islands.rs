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
fn listed_hash(hash_file: &Path, kind: &str) -> Option<String> {
    std::fs::read_to_string(hash_file)
        .ok()?
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(k, _)| k.trim() == kind)
        .map(|(_, hash)| hash.trim().to_string())
}

/// The paths of the build's outputs, under their content-hashed names when the build
/// hashed them (the hash file leptos's options name; see the server's
/// `web/kit/assets.rs`).
pub struct BuildOutputs {
    pub stylesheet: String,
    pub script: String,
    pub bundle: String,
}

/// Read once per process: the hash file does not change under a running server, and
/// pages are rendered often (leptos's own `HashedStylesheet` reads it at every render).
pub fn build_outputs(options: &LeptosOptions) -> &'static BuildOutputs {
    static OUTPUTS: OnceLock<BuildOutputs> = OnceLock::new();
    OUTPUTS.get_or_init(|| {
        let hash_file = std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.join(options.hash_file.as_ref())))
            .filter(|_| options.hash_files);
        let name = |kind: &str| {
            let hash = hash_file
                .as_deref()
                .and_then(|file| listed_hash(file, kind))
                .map(|hash| format!(".{hash}"))
                .unwrap_or_default();
            format!(
                "/{}/{}{hash}.{kind}",
                options.site_pkg_dir, options.output_name
            )
        };
        BuildOutputs {
            stylesheet: name("css"),
            script: name("js"),
            bundle: name("wasm"),
        }
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
    let BuildOutputs { script, bundle, .. } = build_outputs(&options);
    view! {
        <script type="module" nonce=leptos::nonce::use_nonce()>
            {format!("{}({script:?}, {bundle:?});", include_str!("load_islands.js").trim_end())}
        </script>
    }
}

#[cfg(test)]
mod tests {
    use super::listed_hash;

    #[test]
    fn the_hashes_are_read_from_the_hash_file() {
        let file = std::env::temp_dir().join(format!("hash-{}.txt", std::process::id()));
        std::fs::write(
            &file,
            "js: Aaaaaaaaaaaaaaaaaaaaaa\nwasm: Bbbbbbbbbbbbbbbbbbbbbb\ncss: Cccccccccccccccccccccc\n",
        )
        .unwrap();
        assert_eq!(
            listed_hash(&file, "css").as_deref(),
            Some("Cccccccccccccccccccccc")
        );
        assert_eq!(listed_hash(&file, "manifest"), None);
        std::fs::remove_file(&file).unwrap();
        assert_eq!(listed_hash(&file, "css"), None);
    }
}
