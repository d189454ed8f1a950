#!/usr/bin/env bash
# Load test of the crowd-report intake against the release build on SQLite: many
# simulated clients (a new address each, through the trusted-proxy header) POST reports to
# /api/v1/reports; then the number acknowledged (201) is compared with the number stored.
# Then the same load again, with the server killed by SIGKILL in the middle; after a
# restart every acknowledged report must be in the database.
#
#   bash scripts/bench-reports.sh         # DURATION=30 CONNECTIONS=256
#
# Figures are written to stdout and target/bench/reports.md (docs/benchmark.md keeps the
# last ones measured).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DURATION="${DURATION:-30}"
CONNECTIONS="${CONNECTIONS:-256}"
PORT="${PORT:-3311}"
BIN=target/release/server

command -v sqlite3 >/dev/null || { apt-get install -y sqlite3 >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y sqlite3 >/dev/null; }; }
# The server and the load generator (server/examples/report_load.rs: unlike wrk, it lets
# the requests in flight finish, so the acknowledged count is exact).
cargo build --release -p server --bin server --example report_load
LOAD=target/release/examples/report_load

work="$(mktemp -d)"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

start_server() {
  DATABASE_URL="sqlite://$work/status.db" STATUS_LAST_STATE="$work/last.json" STATUS_SEED= \
    STATUS_TRUSTED_PROXIES=127.0.0.1 LEPTOS_SITE_ADDR="127.0.0.1:$PORT" RUST_LOG=warn \
    "$BIN" serve >>"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$work/server.log"; exit 1
}
stored() { sqlite3 "$work/status.db" "SELECT COUNT(*) FROM reports"; }
field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i+1) }' "$2"; }

mkdir -p target/bench
echo "== sustained load: ${DURATION}s, $CONNECTIONS connections"
start_server
"$LOAD" "127.0.0.1:$PORT" "$CONNECTIONS" "$DURATION" >"$work/load.txt"
cat "$work/load.txt"
acked="$(field acked "$work/load.txt")"
busy="$(field busy "$work/load.txt")"
rate="$(field rps "$work/load.txt")"
p50="$(field p50_ms "$work/load.txt")"; p99="$(field p99_ms "$work/load.txt")"
rss_kb="$(awk '/VmHWM/ { print $2 }' "/proc/$server_pid/status")"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
count="$(stored)"
verdict=$([ "$acked" = "$count" ] && echo "equal" || echo "DIFFERENT")

echo "== crash: SIGKILL in the middle of the load, restart, count"
rm -f "$work"/status.db*
start_server
"$LOAD" "127.0.0.1:$PORT" "$CONNECTIONS" 20 >"$work/crash.txt" 2>&1 &
wrk_pid=$!
sleep 8
kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null || true
wait "$wrk_pid" || true
cat "$work/crash.txt"
crash_acked="$(field acked "$work/crash.txt")"
start_server   # recovers the database (WAL) as a restart in production would
crash_stored="$(stored)"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
crash_verdict=$([ "$crash_stored" -ge "$crash_acked" ] && echo "every acknowledged report is there" || echo "REPORTS LOST")

report="$(cat <<EOF2
| measure | value |
|---|---|
| durable reports per second (201 answers per second over ${DURATION} s) | $rate |
| acknowledged / stored | $acked / $count ($verdict) |
| answered 503 (queue full, not stored) | $busy |
| latency p50 / p99 | $p50 ms / $p99 ms |
| server peak RSS | $((rss_kb / 1024)) MiB |
| kill -9 mid-load: acknowledged / stored after restart | $crash_acked / $crash_stored ($crash_verdict) |
EOF2
)"
echo "$report" | tee target/bench/reports.md
other="$(field other "$work/load.txt")"
[ "$other" = "0" ] || { echo "unexpected answers: $other"; exit 1; }
grep -q "REPORTS LOST\|DIFFERENT" target/bench/reports.md && exit 1 || exit 0
