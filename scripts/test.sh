#!/usr/bin/env bash
# Runs every test: formatting and lints, unit tests, integration tests against SQLite
# and PostgreSQL (started if it is not running), the end-to-end tests in Chromium
# against a freshly built release server on a fresh database, and the survival test
# (two release instances on a private PostgreSQL behind nginx: scripts/survival-test.sh)
# and the hardening test (schemathesis, slow clients, a 1,000-connection soak against a
# release server: scripts/hardening-test.sh). Ends with one summary line.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
. scripts/setup.sh --browser

work="$(mktemp -d)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "==> formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings

echo "==> unit and integration tests (SQLite and PostgreSQL)"
# The property tests draw the same cases on every run of this script (a failure is
# reproducible, CI never flakes on a new draw); set PROPTEST_RNG_SEED to explore others.
export PROPTEST_RNG_SEED="${PROPTEST_RNG_SEED:-20221015}"
cargo test --workspace 2>&1 | tee "$work/cargo-test.log"

echo "==> building the release site (the browser and survival tests run what users run)"
cargo leptos build --release

echo "==> end-to-end tests in Chromium"
port="${E2E_PORT:-3197}"
# The first administrator, created the way the README tells a new user to.
export E2E_ADMIN_NAME="e2e-admin" E2E_ADMIN_PASSWORD="e2e admin password $RANDOM$RANDOM"
printf '%s\n' "$E2E_ADMIN_PASSWORD" | DATABASE_URL="sqlite://$work/status.db" RUST_LOG=warn \
  target/release/server user add --role admin "$E2E_ADMIN_NAME" >/dev/null
# Email goes to files here (no mail leaves the machine); the browser tests read them.
export E2E_MAIL_DIR="$work/mail"
DATABASE_URL="sqlite://$work/status.db" STATUS_LAST_STATE="$work/last-state.json" \
  STATUS_SMTP_URL="file://$E2E_MAIL_DIR" \
  LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=status RUST_LOG=warn \
  STATUS_SPOOL="$work/reports.spool" STATUS_CHECKS=end2end/checks.toml \
  target/release/server serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.5
done
e2e_status=0
BASE_URL="http://127.0.0.1:$port" PLAYWRIGHT_JSON_OUTPUT_NAME="$work/e2e.json" \
  end2end/run.sh --reporter=list,json || e2e_status=$?
{ kill "$server_pid" && wait "$server_pid"; } 2>/dev/null || true
server_pid=""

echo "==> the survival test: two instances, nginx, PostgreSQL lost and back, the mirror"
survival_status=0
SERVER_BIN=target/release/server SITE_ROOT=target/site scripts/survival-test.sh \
  | tee "$work/survival.log" || survival_status=$?

echo "==> the hardening test: schemathesis, slow clients, the soak"
hardening_status=0
SERVER_BIN=target/release/server SITE_ROOT=target/site scripts/hardening-test.sh \
  | tee "$work/hardening.log" || hardening_status=$?

# One closing line for everything that ran.
cargo_passed=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) if ($i ~ /^passed;?$/) s += $(i-1) } END { print s + 0 }' "$work/cargo-test.log")
cargo_failed=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) if ($i ~ /^failed;?$/) s += $(i-1) } END { print s + 0 }' "$work/cargo-test.log")
read -r e2e_passed e2e_failed < <(node -e '
  const r = require(process.argv[1]).stats;
  console.log((r.expected || 0) + " " + ((r.unexpected || 0) + (r.flaky || 0)));
' "$work/e2e.json" 2>/dev/null || echo "0 1")
read -r survival_passed survival_failed < <(awk '/^survival: / { print $2, $4 }' "$work/survival.log" | tail -1) || true
survival_passed=${survival_passed:-0}
survival_failed=${survival_failed:-1}
read -r hardening_passed hardening_failed < <(awk '/^hardening: / { print $2, $4 }' "$work/hardening.log" | tail -1) || true
hardening_passed=${hardening_passed:-0}
hardening_failed=${hardening_failed:-1}
echo
echo "cargo: ${cargo_passed} passed, ${cargo_failed} failed"
echo "end2end: ${e2e_passed} passed, ${e2e_failed} failed"
echo "survival: ${survival_passed} passed, ${survival_failed} failed"
echo "hardening: ${hardening_passed} passed, ${hardening_failed} failed"
echo "total: $((cargo_passed + e2e_passed + survival_passed + hardening_passed)) passed, $((cargo_failed + e2e_failed + survival_failed + hardening_failed)) failed"
[ "$e2e_status" -eq 0 ] && [ "$survival_status" -eq 0 ] && [ "$hardening_status" -eq 0 ]
