#!/usr/bin/env bash
# The hardening test: the attacks a public status page meets, against a release server
# on a fresh database (its own, on loopback), with the settings it ships with:
#
#   1. schemathesis against /api/openapi.json, stateful, every check (scripts/schemathesis.sh);
#   2. slow clients: 2,000 connections trickling request heads (slowloris) and 500
#      trickling bodies (slow POST) while ordinary readers read — the readers keep their
#      latency, every slow connection is closed soon after its deadline
#      (scripts/hardening/slow_clients.py);
#   3. the soak: 1,000 connections for 60 s mixing pages, API documents, feeds, badges,
#      the widget and crowd reports (wrk, scripts/hardening/soak.lua), with 50 live
#      streams held open throughout (scripts/hardening/live_streams.py) — 0 errors,
#      0 5xx; p50/p99 latency and the server's RSS recorded.
#
# One line per check (`ok   …` / `FAIL …`) with its figures, then
# `hardening: N passed, M failed`; exit status 1 if any check failed. docs/hardening.md
# explains the checks and lists the measured figures.
#
# Input (environment): SERVER_BIN (target/release/server), SITE_ROOT (target/site),
# HARDENING_PORT (3298), SOAK_SECONDS (60), SOAK_CONNECTIONS (1000). Installs wrk
# (Debian) when missing. Every process it started and its files are removed at exit.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

SERVER_BIN="${SERVER_BIN:-target/release/server}"
SITE_ROOT="${SITE_ROOT:-target/site}"
PORT="${HARDENING_PORT:-3298}"
SOAK_SECONDS="${SOAK_SECONDS:-60}"
SOAK_CONNECTIONS="${SOAK_CONNECTIONS:-1000}"
HEADER_TIMEOUT=10 # the shipped defaults (STATUS_HEADER_TIMEOUT_SECONDS, …_BODY_…)
BODY_TIMEOUT=10
base="http://127.0.0.1:$PORT"

tmp="$(mktemp -d /tmp/hardening.XXXXXX)"
results="$tmp/results"
: >"$results"
server_pid="" live_pid="" rss_pid=""
cleanup() {
  set +e
  trap - EXIT INT TERM
  for p in $live_pid $rss_pid $server_pid; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
# Each check line goes to the terminal and to the results the summary counts.
record() { tee -a "$results"; }
fail_line() { echo "FAIL $*" | record; }
ok_line() { echo "ok   $*" | record; }

if ! command -v wrk >/dev/null 2>&1; then
  say "installing wrk"
  DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null 2>&1 \
    || { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk >/dev/null 2>&1; }
fi
# Thousands of connections need as many files, here and in the server.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

say "starting a release server on $base"
DATABASE_URL="sqlite://$tmp/status.db" STATUS_LAST_STATE="$tmp/last-state.json" \
  STATUS_SPOOL="$tmp/reports.spool" STATUS_TRUSTED_PROXIES=127.0.0.1 \
  LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT="$SITE_ROOT" LEPTOS_OUTPUT_NAME=status \
  RUST_LOG=error "$SERVER_BIN" serve >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -sf "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log"; break; }
  sleep 0.5
done
curl -sf "$base/healthz" >/dev/null 2>&1 && ok_line "the server answers — $base" \
  || fail_line "the server did not start — see its log above"

rss() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$server_pid/status" 2>/dev/null; }

say "schemathesis against the OpenAPI document"
if BASE_URL="$base" scripts/schemathesis.sh >"$tmp/schemathesis.log" 2>&1; then st=0; else st=$?; fi
tail -n 25 "$tmp/schemathesis.log"
summary="$(grep -E '^schemathesis: [0-9]+ passed, [0-9]+ failed' "$tmp/schemathesis.log" | tail -1)"
if [ "$st" -eq 0 ] && [ -n "$summary" ]; then
  ok_line "schemathesis, stateful, every check — ${summary#schemathesis: }"
else
  fail_line "schemathesis — exit $st, ${summary:-no summary line}"
fi

say "slow clients: slowloris and slow POST"
python3 scripts/hardening/slow_clients.py "$base" "$server_pid" "$HEADER_TIMEOUT" "$BODY_TIMEOUT" 2>&1 | record

say "the soak: $SOAK_CONNECTIONS connections for $SOAK_SECONDS s, with live streams"
rss_start="$(rss)"
( peak=0; while kill -0 "$server_pid" 2>/dev/null; do
    now="$(rss)"; [ -n "$now" ] && [ "$now" -gt "$peak" ] && peak=$now && echo "$peak" >"$tmp/rss-peak"
    sleep 1
  done ) &
rss_pid=$!
python3 scripts/hardening/live_streams.py "$base" 50 "$((SOAK_SECONDS + 5))" >"$tmp/live.log" 2>&1 &
live_pid=$!
sleep 2
wrk -t2 -c"$SOAK_CONNECTIONS" -d"${SOAK_SECONDS}s" --timeout 10s --latency \
  -s scripts/hardening/soak.lua "$base" >"$tmp/wrk.log" 2>&1
wait "$live_pid"
live_pid=""
cat "$tmp/live.log" | record
kill "$rss_pid" 2>/dev/null; wait "$rss_pid" 2>/dev/null; rss_pid=""
sed -n '/Requests\/sec/p;/Transfer\/sec/p' "$tmp/wrk.log"
read -r s2 s3 s4 s5 < <(sed -n 's/^soak-statuses 2xx=\([0-9]*\) 3xx=\([0-9]*\) 4xx=\([0-9]*\) 5xx=\([0-9]*\)$/\1 \2 \3 \4/p' "$tmp/wrk.log")
read -r p50 p90 p99 pmax < <(sed -n 's/^soak-latency p50=\([0-9.]*\) p90=\([0-9.]*\) p99=\([0-9.]*\) max=\([0-9.]*\)$/\1 \2 \3 \4/p' "$tmp/wrk.log")
errors="$(sed -n 's/^soak-errors //p' "$tmp/wrk.log")"
rps="$(awk '/^Requests\/sec/ { print $2 }' "$tmp/wrk.log")"
socket_errors="$(echo "$errors" | awk -F'[= ]' '{ print $2 + $4 + $6 + $8 }')"
if [ -n "${s2:-}" ] && [ "${s5:-1}" -eq 0 ] && [ "${s4:-1}" -eq 0 ] && [ "${socket_errors:-1}" -eq 0 ]; then
  ok_line "soak, $SOAK_CONNECTIONS connections for $SOAK_SECONDS s — $((s2 + s3)) answers ($rps req/s), 0 4xx, 0 5xx, 0 socket errors; latency p50 $p50 ms, p90 $p90 ms, p99 $p99 ms, max $pmax ms"
else
  cat "$tmp/wrk.log"
  fail_line "soak — statuses 2xx=${s2:-?} 3xx=${s3:-?} 4xx=${s4:-?} 5xx=${s5:-?}; socket errors: ${errors:-none reported}"
fi
rss_end="$(rss)"
echo "     server RSS: ${rss_start:-?} MB before the soak, ${rss_end:-?} MB after, peak $(cat "$tmp/rss-peak" 2>/dev/null || echo '?') MB"
kill -0 "$server_pid" 2>/dev/null && ok_line "the server is still up — RSS ${rss_end} MB" \
  || fail_line "the server died during the test — $(tail -3 "$tmp/server.log")"

passed=$(grep -c '^ok ' "$results")
failed=$(grep -c '^FAIL' "$results")
echo "hardening: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
