#!/usr/bin/env bash
# The automated checks' cost (docs/benchmark.md, "Automated checks"):
#  1. one `server probe` agent running 1,000 HTTP checks at a 30 s interval: its CPU share
#     of one core and its resident memory, sampled over SECONDS_MEASURED;
#  2. the site serving its home page (wrk) while idle, then while 10 such agents push
#     their results (10 × 1,000 checks).
# Release build (`cargo leptos build --release`); writes target/bench/checks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
CHECKS=${CHECKS:-1000}
AGENTS=${AGENTS:-10}
SECONDS_MEASURED=${SECONDS_MEASURED:-120}
BIN=target/release/server
[ -x "$BIN" ] || { echo "build first: cargo leptos build --release" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# The target: a small threaded HTTP server answering every check.
mkdir -p "$work/www" && echo ok > "$work/www/index.html"
python3 -m http.server 3398 --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
target=$!
pids+=($target)

{
  echo '[defaults]'
  echo 'interval_seconds = 30'
  echo 'timeout_seconds = 10'
  for i in $(seq 1 "$CHECKS"); do
    printf '[[checks]]\nid = "c%d"\ncomponent = "kakaotalk/messages"\nkind = "http"\nurl = "http://127.0.0.1:3398/"\n' "$i"
  done
} > "$work/checks.toml"

export DATABASE_URL="sqlite://$work/status.db" STATUS_CHECKS="$work/checks.toml" \
  STATUS_BUILTIN_AGENT=false STATUS_LAST_STATE="$work/last.json" STATUS_SPOOL="$work/spool" \
  LEPTOS_SITE_ADDR=127.0.0.1:3397 LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=status RUST_LOG=warn
"$BIN" serve >"$work/site.log" 2>&1 &
site=$!
pids+=($site)
for _ in $(seq 1 100); do curl -fsS http://127.0.0.1:3397/healthz >/dev/null 2>&1 && break; sleep 0.3; done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

wrk_rps() { wrk -t2 -c100 -d20s http://127.0.0.1:3397/ | awk '/Requests\/sec/ {print $2}'; }
idle_rps=$(wrk_rps)

agent_pids=()
for a in $(seq 1 "$AGENTS"); do
  "$BIN" agent add "bench-$a" 2>/dev/null > "$work/bench-$a.key"
  STATUS_PROBE_KEY= "$BIN" probe --site http://127.0.0.1:3397 --agent "bench-$a" \
    --key-file "$work/bench-$a.key" --buffer "$work/buffer-$a" >"$work/agent-$a.log" 2>&1 &
  agent_pids+=($!)
  pids+=($!)
done
sleep 35 # every check has run once
first=${agent_pids[0]}
others() { local sum=0; for p in "${agent_pids[@]}" "$target"; do sum=$((sum + $(cpu_ticks "$p"))); done; echo "$sum"; }
t0=$(cpu_ticks "$first"); s0=$(cpu_ticks "$site"); o0=$(others)
sleep "$SECONDS_MEASURED"
t1=$(cpu_ticks "$first"); s1=$(cpu_ticks "$site"); o1=$(others)
agent_cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$SECONDS_MEASURED" 'BEGIN {printf "%.1f", (b-a)/hz/s*100}')
site_cpu=$(awk -v a="$s0" -v b="$s1" -v hz="$hz" -v s="$SECONDS_MEASURED" 'BEGIN {printf "%.1f", (b-a)/hz/s*100}')
others_cpu=$(awk -v a="$o0" -v b="$o1" -v hz="$hz" -v s="$SECONDS_MEASURED" 'BEGIN {printf "%.0f", (b-a)/hz/s*100}')
agent_rss=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$first/status")
agent_hwm=$(awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$first/status")
busy_rps=$(wrk_rps)
stored=$(python3 - "$work/status.db" <<'EOF'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("select count(*) from check_results").fetchone()[0])
EOF
)
expected=$(( CHECKS * AGENTS * (SECONDS_MEASURED + 55) / 30 ))

mkdir -p target/bench
cat > target/bench/checks.md <<EOF
| measure | figure |
|---|---|
| one agent, $CHECKS HTTP checks every 30 s: CPU (of one core, over ${SECONDS_MEASURED} s) | ${agent_cpu} % |
| the same agent: resident memory now / peak | ${agent_rss} MB / ${agent_hwm} MB |
| the site taking $AGENTS agents × $CHECKS checks: its CPU | ${site_cpu} % |
| results stored (about $expected expected) | $stored |
| on the same 2 cores meanwhile: the $AGENTS agents and the Python target server | ${others_cpu} % |
| home page, wrk 100 connections, site idle | ${idle_rps} req/s |
| home page, the same, while the $AGENTS agents push | ${busy_rps} req/s |
EOF
cat target/bench/checks.md
