#!/usr/bin/env bash
# Lighthouse (mobile, its default throttling) on the public page kinds, several runs each,
# against the release build on a fresh seeded database, in Debian's Chromium.
#
#   cargo leptos build --release && bash scripts/lighthouse.sh
#
# Env: RUNS (per page, default 3), PORT (default 3292), LIGHTHOUSE (version, default below).
# Writes the medians (and each run's performance and LCP) to stdout and
# target/bench/lighthouse.md; each run's JSON report to target/bench/lighthouse/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

RUNS="${RUNS:-3}"
PORT="${PORT:-3292}"
LIGHTHOUSE="${LIGHTHOUSE:-13.5.0}"
BIN="target/release/server"
OUT="target/bench/lighthouse"
TOOL="target/lighthouse-$LIGHTHOUSE"

log() { printf '[lighthouse] %s\n' "$*" >&2; }
die() { printf '[lighthouse] ERROR: %s\n' "$*" >&2; exit 1; }

[[ -x "$BIN" ]] || die "no $BIN: build with cargo leptos build --release"
command -v chromium >/dev/null || die "no chromium (scripts/setup.sh --browser installs it)"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number"
# From the npm registry, pinned, kept out of the test suite's packages.
if [[ ! -x "$TOOL/node_modules/.bin/lighthouse" ]]; then
  log "installing lighthouse $LIGHTHOUSE into $TOOL"
  npm install --silent --no-audit --no-fund --prefix "$TOOL" "lighthouse@$LIGHTHOUSE" >&2
fi

TMP="$(mktemp -d -t status-lighthouse.XXXXXX)"
SERVER_PID=""
cleanup() {
  [[ -n "$SERVER_PID" ]] && { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true; }
  rm -rf "$TMP"
}
trap cleanup EXIT

DATABASE_URL="sqlite://$TMP/status.db" STATUS_LAST_STATE="$TMP/last-state.json" \
  STATUS_SPOOL="$TMP/reports.spool" STATUS_SMTP_URL="" \
  LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=status \
  RUST_LOG=warn "$BIN" serve >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 240); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$TMP/server.log" >&2; die "the server did not start"; }
  sleep 0.5
done

PAGES=(
  "home /"
  "service /services/kakaotalk"
  "incident /incidents/2022-10-15-pangyo-datacenter-fire"
  "history /history"
)
mkdir -p "$OUT"
rm -f "$OUT"/*.json
for entry in "${PAGES[@]}"; do
  name="${entry%% *}"
  path="${entry#* }"
  for run in $(seq 1 "$RUNS"); do
    log "$name run $run: $path"
    # Lighthouse now and then fails to record a trace (NO_NAVSTART): one more try.
    for attempt in 1 2; do
      CHROME_PATH="$(command -v chromium)" "$TOOL/node_modules/.bin/lighthouse" \
        "http://127.0.0.1:$PORT$path" --quiet --output=json --output-path="$OUT/$name-$run.json" \
        --only-categories=performance,accessibility,best-practices,seo \
        --chrome-flags="--headless=new --no-sandbox" >&2 && break
      [[ $attempt == 2 ]] && die "lighthouse failed twice on $path"
      log "retrying $path"
    done
  done
done

# Medians per page kind, and each run's performance and LCP (they vary run to run).
python3 - "$OUT" "$RUNS" <<'PY' | tee target/bench/lighthouse.md
import json, statistics, sys, glob, os
out, runs = sys.argv[1], int(sys.argv[2])
print(f"| page | performance | accessibility | best practices | SEO | FCP | LCP | LCP − FCP | CLS | runs (perf / LCP) |")
print("|---|---|---|---|---|---|---|---|---|---|")
for name in ["home", "service", "incident", "history"]:
    reports = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(out, f"{name}-*.json")))]
    score = lambda r, c: r["categories"][c]["score"]
    audit = lambda r, a: r["audits"][a]["numericValue"]
    med = lambda xs: statistics.median(xs)
    perf = [score(r, "performance") for r in reports]
    fcp = [audit(r, "first-contentful-paint") for r in reports]
    lcp = [audit(r, "largest-contentful-paint") for r in reports]
    gap = [l - f for l, f in zip(lcp, fcp)]
    cls = [audit(r, "cumulative-layout-shift") for r in reports]
    each = ", ".join(f"{p:.2f} / {l/1000:.1f} s" for p, l in zip(perf, lcp))
    print(f"| {name} | {med(perf):.2f} | {med([score(r,'accessibility') for r in reports]):.2f} | "
          f"{med([score(r,'best-practices') for r in reports]):.2f} | {med([score(r,'seo') for r in reports]):.2f} | "
          f"{med(fcp)/1000:.1f} s | {med(lcp)/1000:.1f} s | {med(gap)/1000:.1f} s | {med(cls):.3f} | {each} |")
PY
