#!/usr/bin/env bash
# Benchmark the home page against nginx serving the identical bytes as a static file.
#
#   bash scripts/bench.sh            # after `cargo leptos build --release`
#
# Env: BIN (default target/release/server), DURATION (seconds per wrk run, default 15),
#      PORT (server, default 3290), NGINX_PORT (default 3291),
#      HEALTH_TIMEOUT (seconds to wait for /healthz, default 120).
# Writes the report to stdout and target/bench/results.md; raw wrk output to target/bench/.
# Everything runs on 127.0.0.1; all processes and the temp dir are cleaned up on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BIN="${BIN:-target/release/server}"
DURATION="${DURATION:-15}"
PORT="${PORT:-3290}"
NGINX_PORT="${NGINX_PORT:-3291}"
HEALTH_TIMEOUT="${HEALTH_TIMEOUT:-120}"
# The bundle has its content hash in its name (status.<hash>.wasm; cargo-leptos hash-files).
WASM="$(ls target/site/pkg/status.*.wasm target/site/pkg/status.wasm 2>/dev/null | head -1 || true)"
WASM="${WASM:-target/site/pkg/status.wasm}"
OUT_DIR="target/bench"

# Targets (from the issue).
RATIO_TARGET="0.6"        # server req/s >= 0.6 x nginx req/s
P99_TARGET_MS="20"        # server p99 <= 20 ms at 1,000 connections
WASM_GZ_TARGET=200000     # gzip -9 of status.wasm <= 200 KB (decimal)

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

[[ "$DURATION" =~ ^[0-9]+$ && "$DURATION" -gt 0 ]] || die "DURATION must be a positive integer (seconds)"
[[ "$PORT" =~ ^[0-9]+$ && "$NGINX_PORT" =~ ^[0-9]+$ ]] || die "PORT and NGINX_PORT must be numbers"
[[ "$PORT" != "$NGINX_PORT" ]] || die "PORT and NGINX_PORT must differ"
[[ -x "$BIN" ]] || die "no executable at $BIN (build with: cargo leptos build --release, or set BIN=...)"

# --- tools -----------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1 || ! command -v nginx >/dev/null 2>&1; then
  log "installing wrk and nginx"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y wrk nginx >&2; then
    apt-get update >&2
    apt-get install -y wrk nginx >&2
  fi
fi
for tool in wrk nginx curl gzip sha256sum awk timeout; do
  command -v "$tool" >/dev/null 2>&1 || die "missing tool: $tool"
done
NGINX="$(command -v nginx)"

# --- the bundle must be the optimized one ---------------------------------------------
# A release build that skipped wasm-opt serves a bundle several times larger (issue 14):
# measuring it would hide that, so the benchmark stops. wasm-opt -Oz on an optimized
# bundle gains almost nothing; on one that skipped it, most of its size.
WASM_OPT="$(PATH="$ROOT/end2end/node_modules/.bin:$PATH" command -v wasm-opt || true)"
if [[ -f "$WASM" && -n "$WASM_OPT" ]]; then
  log "checking that $WASM is optimized (wasm-opt -Oz on a copy)"
  "$WASM_OPT" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$WASM" -o "${TMPDIR:-/tmp}/status-reopt.$$.wasm" >&2
  before="$(wc -c <"$WASM")"
  after="$(wc -c <"${TMPDIR:-/tmp}/status-reopt.$$.wasm")"
  rm -f "${TMPDIR:-/tmp}/status-reopt.$$.wasm"
  if (( after * 100 < before * 97 )); then
    die "$WASM ($before bytes) is not the optimized release bundle: wasm-opt -Oz takes it to $after bytes. Rebuild with: cargo leptos build --release (wasm-opt on PATH)"
  fi
  log "optimized: wasm-opt -Oz gains $(( (before - after) * 1000 / before ))‰"
elif [[ -f "$WASM" ]]; then
  die "no wasm-opt to check $WASM with (scripts/setup.sh installs it in end2end/node_modules)"
fi

# --- cleanup ---------------------------------------------------------------------------
TMP="$(mktemp -d -t status-bench.XXXXXX)"
SERVER_PID=""
NGINX_PID=""

stop_pid() { # pid, seconds to wait after TERM
  local pid="$1" wait_s="$2" i children
  [[ -n "$pid" ]] || return 0
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  children="$(pgrep -P "$pid" 2>/dev/null || true)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < wait_s * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  # nginx workers exit with their master; make sure none is left behind.
  for c in $children; do kill -KILL "$c" 2>/dev/null || true; done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$NGINX_PID" 5
  stop_pid "$SERVER_PID" 10
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

LOADAVG_START="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)"

# --- limits ----------------------------------------------------------------------------
if ! ulimit -n 65536 2>/dev/null; then
  hard="$(ulimit -Hn)"
  if [[ "$hard" == unlimited ]]; then ulimit -n 65536; else ulimit -n "$hard"; fi
  log "warning: could not set ulimit -n 65536; using $(ulimit -n)"
fi
(( $(ulimit -n) >= 4096 )) || die "open-file limit $(ulimit -n) is too low for 1,000 connections"

port_busy() { curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/"; }
port_busy "$PORT" && die "something already listens on 127.0.0.1:$PORT (set PORT=...)"
port_busy "$NGINX_PORT" && die "something already listens on 127.0.0.1:$NGINX_PORT (set NGINX_PORT=...)"

# --- server ----------------------------------------------------------------------------
log "starting $BIN on 127.0.0.1:$PORT (fresh database in $TMP)"
DATABASE_URL="sqlite://$TMP/status.db" \
STATUS_LAST_STATE="$TMP/last-state.json" \
LEPTOS_SITE_ADDR="127.0.0.1:$PORT" \
LEPTOS_SITE_ROOT="target/site" \
RUST_LOG=warn \
  "$BIN" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

SERVER_URL="http://127.0.0.1:$PORT/"
NGINX_URL="http://127.0.0.1:$NGINX_PORT/"

deadline=$((SECONDS + HEALTH_TIMEOUT))
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/healthz" || true)" == 200 ]]; do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    tail -n 30 "$TMP/server.log" >&2 || true
    die "server exited before becoming healthy"
  fi
  if (( SECONDS >= deadline )); then
    tail -n 30 "$TMP/server.log" >&2 || true
    die "server not healthy after ${HEALTH_TIMEOUT}s"
  fi
  sleep 0.5
done
log "server healthy (pid $SERVER_PID)"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || true; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || true; }
mib() { [[ -n "$1" ]] && awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}' || echo "n/a"; }

sleep 1
RSS_START="$(rss_kb "$SERVER_PID")"

# --- the page, and nginx serving the same bytes -----------------------------------------
mkdir -p "$TMP/www" "$TMP/nginx/logs"
code="$(curl -s -o "$TMP/www/index.html" -w '%{http_code}' --max-time 30 "$SERVER_URL" || true)"
[[ "$code" == 200 ]] || die "GET $SERVER_URL returned HTTP $code"
[[ -s "$TMP/www/index.html" ]] || die "GET $SERVER_URL returned an empty body"
PAGE_BYTES="$(wc -c <"$TMP/www/index.html" | tr -d ' ')"

cat >"$TMP/nginx/nginx.conf" <<CONF
worker_processes auto;
worker_rlimit_nofile 65536;
user root;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log warn;
events {
    worker_connections 4096;
}
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    open_file_cache max=64 inactive=60s;
    open_file_cache_valid 60s;
    etag on;
    types { text/html html; }
    default_type text/html;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $TMP/www;
        index index.html;
        location / { }
    }
}
CONF

"$NGINX" -t -q -p "$TMP/nginx" -e "$TMP/nginx/logs/error.log" -c "$TMP/nginx/nginx.conf" \
  || die "nginx rejected the generated config"
log "starting nginx on 127.0.0.1:$NGINX_PORT"
"$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/logs/error.log" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' \
  >"$TMP/nginx/logs/stdout.log" 2>&1 &
NGINX_PID=$!

for ((i = 0; i < 50; i++)); do
  [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$NGINX_URL" || true)" == 200 ]] && break
  kill -0 "$NGINX_PID" 2>/dev/null || { cat "$TMP/nginx/logs/error.log" >&2 || true; die "nginx exited"; }
  sleep 0.2
done

SHA_SERVER="$(curl -s --max-time 10 "$SERVER_URL" | sha256sum | awk '{print $1}')"
SHA_NGINX="$(curl -s --max-time 10 "$NGINX_URL" | sha256sum | awk '{print $1}')"
if [[ "$SHA_SERVER" == "$SHA_NGINX" ]]; then
  SAME_BYTES="yes — sha256 ${SHA_SERVER:0:16}… for both ($PAGE_BYTES bytes)"
  log "identical bytes: $SHA_SERVER ($PAGE_BYTES bytes)"
else
  SAME_BYTES="NO — server ${SHA_SERVER:0:16}…, nginx ${SHA_NGINX:0:16}… (the page changed between requests?)"
  log "warning: bodies differ: server $SHA_SERVER, nginx $SHA_NGINX"
fi

# --- load ------------------------------------------------------------------------------
mkdir -p "$OUT_DIR"
rm -f "$OUT_DIR"/wrk-*.txt "$OUT_DIR/results.md"

run_wrk() { # connections duration url outfile
  timeout --foreground --kill-after=5 $(($2 + 60)) wrk -t2 -c"$1" -d"$2"s --latency "$3" >"$4" 2>&1 || {
    log "warning: wrk exited with status $? (see $4)"
  }
}

log "warm-up: wrk -c10 -d2s against both"
run_wrk 10 2 "$NGINX_URL" "$TMP/warm-nginx.txt"
run_wrk 10 2 "$SERVER_URL" "$TMP/warm-server.txt"

# to_ms "1.23ms" -> 1.23
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (match(v, /[a-z]+$/)) { n = substr(v, 1, RSTART - 1); u = substr(v, RSTART) } else { n = v; u = "s" }
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : (u == "h") ? 3600000 : -1
    if (f < 0 || n == "") { print "n/a"; exit }
    printf "%.2f", n * f
  }'
}

# parse file -> "rps p50 p99 errors"
parse_wrk() {
  local f="$1" rps p50 p99 errs
  rps="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$f")"
  p50="$(awk '$1 == "50%" {print $2; exit}' "$f")"
  p99="$(awk '$1 == "99%" {print $2; exit}' "$f")"
  errs="$(awk '
    /Socket errors:/ {
      gsub(",", "")
      for (i = 3; i < NF; i += 2) if ($(i + 1) + 0 > 0) { s = s sep $i " " $(i + 1); sep = ", "; t += $(i + 1) }
    }
    /Non-2xx or 3xx responses:/ { s = s sep "non-2xx/3xx " $NF; sep = ", "; t += $NF }
    END { if (t == 0) print "0"; else print t " (" s ")" }' "$f")"
  [[ -n "$rps" ]] || { rps="n/a"; errs="wrk failed, see $f"; }
  printf '%s\t%s\t%s\t%s\n' "$rps" "$(to_ms "${p50:-}")" "$(to_ms "${p99:-}")" "$errs"
}

declare -A RPS P50 P99 ERR
for c in 100 1000; do
  for target in nginx server; do
    if [[ "$target" == nginx ]]; then url="$NGINX_URL"; else url="$SERVER_URL"; fi
    out="$OUT_DIR/wrk-$target-$c.txt"
    log "wrk -t2 -c$c -d${DURATION}s --latency $url"
    run_wrk "$c" "$DURATION" "$url" "$out"
    IFS=$'\t' read -r RPS[$target-$c] P50[$target-$c] P99[$target-$c] ERR[$target-$c] < <(parse_wrk "$out")
    log "  $target c=$c: ${RPS[$target-$c]} req/s, p50 ${P50[$target-$c]} ms, p99 ${P99[$target-$c]} ms, errors ${ERR[$target-$c]}"
    sleep 1
  done
done

kill -0 "$SERVER_PID" 2>/dev/null || die "server died during the load (see the wrk output in $OUT_DIR)"
sleep 2
RSS_AFTER="$(rss_kb "$SERVER_PID")"
# The page may have been re-rendered during the run (new snapshot version): say so.
SHA_AFTER="$(curl -s --max-time 10 "$SERVER_URL" | sha256sum | awk '{print $1}')"
if [[ "$SHA_AFTER" == "$SHA_NGINX" ]]; then
  SAME_AFTER="yes"
else
  SAME_AFTER="NO — the server's page changed during the run (sha256 ${SHA_AFTER:0:16}…)"
  log "warning: the server's page changed during the run"
fi
HWM="$(hwm_kb "$SERVER_PID")"

# --- wasm size -------------------------------------------------------------------------
if [[ -f "$WASM" ]]; then
  WASM_RAW="$(wc -c <"$WASM" | tr -d ' ')"
  WASM_GZ="$(gzip -9 -c "$WASM" | wc -c | tr -d ' ')"
  if command -v brotli >/dev/null 2>&1; then
    WASM_BR="$(brotli -c -q 11 "$WASM" | wc -c | tr -d ' ')"
  else
    WASM_BR=""
  fi
else
  WASM_RAW=""; WASM_GZ=""; WASM_BR=""
fi

# --- report ----------------------------------------------------------------------------
kb() { awk -v b="$1" 'BEGIN {printf "%.1f KB", b / 1000}'; }
ratio() { # server nginx
  awk -v s="$1" -v n="$2" 'BEGIN { if (s ~ /^[0-9.]+$/ && n ~ /^[0-9.]+$/ && n > 0) printf "%.2f", s / n; else print "n/a" }'
}
verdict() { # value op limit
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
    if (v !~ /^[0-9.]+$/) { print "MISS (no data)"; exit }
    ok = (op == ">=") ? (v + 0 >= l + 0) : (v + 0 <= l + 0)
    print ok ? "PASS" : "MISS"
  }'
}
with_errors() { [[ "$1" == 0 ]] && echo "" || echo " — run had errors: $1"; }

CPU_MODEL="$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)"
[[ -n "$CPU_MODEL" ]] || CPU_MODEL="$(uname -m)"
COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo "n/a (no commit)")"
if [[ -n "$COMMIT" && "$COMMIT" != n/a* ]] && [[ -n "$(git status --porcelain 2>/dev/null | head -n 1)" ]]; then
  COMMIT="$COMMIT (dirty)"
fi

R100="$(ratio "${RPS[server-100]}" "${RPS[nginx-100]}")"
R1000="$(ratio "${RPS[server-1000]}" "${RPS[nginx-1000]}")"

REPORT="$TMP/results.md"
{
  echo "# Home page benchmark"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "- commit: $COMMIT"
  echo "- machine: $(nproc) CPUs, $CPU_MODEL (server, nginx and wrk share them; loopback); load average before the run: $LOADAVG_START"
  echo "- server: \`$BIN\`; nginx: $("$NGINX" -v 2>&1 | sed 's/^nginx version: //'); wrk: $(wrk -v 2>&1 | awk 'NR == 1 {print $2}')"
  echo "- load: \`wrk -t2 -cN -d${DURATION}s --latency\` on \`/\`, no Accept-Encoding (identity bytes), after a 2 s warm-up"
  echo "- same bytes from both: $SAME_BYTES; still the same after the load: $SAME_AFTER"
  echo
  echo "| target | connections | req/s | p50 ms | p99 ms | errors |"
  echo "|---|---:|---:|---:|---:|---|"
  for c in 100 1000; do
    for target in server nginx; do
      echo "| $target | $c | ${RPS[$target-$c]} | ${P50[$target-$c]} | ${P99[$target-$c]} | ${ERR[$target-$c]} |"
    done
  done
  echo
  echo "- ratio server/nginx at 100 connections: $R100 — $(verdict "$R100" ">=" "$RATIO_TARGET") (target ≥ $RATIO_TARGET)$(with_errors "${ERR[server-100]}")"
  echo "- ratio server/nginx at 1,000 connections: $R1000 — $(verdict "$R1000" ">=" "$RATIO_TARGET") (target ≥ $RATIO_TARGET)$(with_errors "${ERR[server-1000]}")"
  echo "- server p99 at 1,000 connections: ${P99[server-1000]} ms — $(verdict "${P99[server-1000]}" "<=" "$P99_TARGET_MS") (target ≤ $P99_TARGET_MS ms)$(with_errors "${ERR[server-1000]}")"
  if [[ -n "$WASM_GZ" ]]; then
    echo "- $WASM: $(kb "$WASM_RAW") raw, $(kb "$WASM_GZ") gzip -9 — $(verdict "$WASM_GZ" "<=" "$WASM_GZ_TARGET") (target ≤ $(kb "$WASM_GZ_TARGET"))"
    if [[ -n "$WASM_BR" ]]; then
      echo "- $WASM: $(kb "$WASM_BR") brotli -q 11"
    else
      echo "- $WASM: brotli size skipped (no \`brotli\` CLI)"
    fi
  else
    echo "- $WASM: not found — wasm size not measured"
  fi
  echo "- server RSS (VmRSS): $(mib "$RSS_START") idle after start, $(mib "$RSS_AFTER") idle after the load (peak VmHWM $(mib "$HWM"))"
  case "$BIN" in
    *debug*) echo; echo "> Note: \`$BIN\` looks like a debug build; its figures are not meaningful." ;;
  esac
} >"$REPORT"

cp "$REPORT" "$OUT_DIR/results.md"
cat "$REPORT"
log "written $OUT_DIR/results.md (raw wrk output in $OUT_DIR/wrk-*.txt)"
