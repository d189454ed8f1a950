#!/usr/bin/env bash
# Installs what building and testing the site needs, when it is missing:
# the pinned Rust toolchain with the wasm target, cargo-leptos, wasm-bindgen-cli at the
# version in Cargo.lock, the end-to-end test packages (which bring wasm-opt), and, with
# --browser, Debian's Chromium. Safe to run again: each step checks first.
# Source it (`. scripts/setup.sh`) to get wasm-opt on PATH.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
toolchain="$(sed -n 's/^channel = "\(.*\)"/\1/p' "$repo/rust-toolchain.toml")"
cargo_leptos_version="0.3.11"
want_browser=false
[ "${1:-}" = "--browser" ] && want_browser=true

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

apt_install() {
  if ! apt-get install -y "$@" >/dev/null 2>&1; then
    apt-get update >/dev/null
    apt-get install -y "$@" >/dev/null
  fi
}

# Rust: the pinned toolchain, its wasm target and lints (rustup does not fetch them by itself here).
if ! rustup run "$toolchain" rustc --print target-list >/dev/null 2>&1 \
  || ! rustup target list --toolchain "$toolchain" --installed | grep -q wasm32-unknown-unknown; then
  say "installing Rust $toolchain with the wasm32 target"
  rustup toolchain install "$toolchain" --profile minimal -c clippy -c rustfmt -t wasm32-unknown-unknown
fi

# cargo-leptos builds the server and the WebAssembly bundle together (~15 minutes to install).
if ! cargo leptos --version 2>/dev/null | grep -q "$cargo_leptos_version"; then
  say "installing cargo-leptos $cargo_leptos_version (takes a while, once)"
  cargo +"$toolchain" install cargo-leptos --version "$cargo_leptos_version" --locked
fi

# wasm-bindgen-cli must match the wasm-bindgen library in Cargo.lock exactly.
bindgen_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$repo/Cargo.lock")"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  say "installing wasm-bindgen-cli $bindgen_version"
  cargo +"$toolchain" install wasm-bindgen-cli --version "$bindgen_version"
fi

# Node packages: Playwright for the end-to-end tests, and binaryen's wasm-opt for release builds.
if ! command -v npm >/dev/null 2>&1; then
  say "installing Node.js"
  apt_install nodejs npm
fi
if [ ! -x "$repo/end2end/node_modules/.bin/wasm-opt" ] || [ ! -d "$repo/end2end/node_modules/@playwright/test" ]; then
  say "installing the end-to-end test packages"
  (cd "$repo/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
export PATH="$repo/end2end/node_modules/.bin:$PATH"

if $want_browser && ! command -v chromium >/dev/null 2>&1; then
  say "installing Chromium (Debian's package)"
  apt_install chromium
fi
if $want_browser && ! command -v pdftotext >/dev/null 2>&1; then
  say "installing poppler-utils (pdftotext, for the printed report test)"
  apt_install poppler-utils
fi
if $want_browser && ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
  say "installing fonts-noto-cjk (Korean in screenshots and printed PDFs)"
  apt_install fonts-noto-cjk
fi
