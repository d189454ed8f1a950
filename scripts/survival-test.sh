#!/usr/bin/env bash
# The survival test: does the status site survive the outage it reports?
#
# Starts a private PostgreSQL, two release instances on it and nginx in front of them
# (deploy/nginx.conf, the documented deployment, with loopback ports), then checks:
#
#   1. both instances healthy; /metrics on an instance, refused through nginx; the live
#      stream through nginx is not buffered;
#   2. a console change on instance A is on B's API and B's live stream within 1 s;
#   3. kill -9 of A while readers read through nginx: no failed read;
#   4. PostgreSQL stopped for 60 s under a steady load of reports from distinct clients
#      through both instances: no failed read, pages carry the stale notice while it is
#      down, a staff change is refused with 503 "nothing was changed", and once it is
#      back every acknowledged report is in the database, counted once;
#   5. `server export-static` writes the site as files;
#   6. SIGTERM with an open live stream: the stream is closed and the process exits 0;
#   7. the static mirror, served by nginx alone with both instances stopped, has no broken
#      link from / and /en/.
#
# One line per check (`ok   …` / `FAIL …`) with its figure, the figures, then
# `survival: N passed, M failed`; exit status 1 if any check failed. docs/survival.md
# explains the checks and lists measured figures.
#
# Runs as root on Debian, non-interactively (installs nginx-light if nginx is missing;
# uses /usr/lib/postgresql/15/bin). Everything listens on loopback; the shared cluster
# at 127.0.0.1:5432 is not touched. Temporary files and every process it started are
# removed at exit, whatever happens.
#
# Input (environment): SERVER_BIN (target/release/server), SITE_ROOT (target/site),
# SURVIVAL_OUTAGE_SECONDS (60), SURVIVAL_REPORT_RATE (reports per second, 20),
# PG_BIN (/usr/lib/postgresql/15/bin). Run from anywhere; it works in the repository root.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

SERVER_BIN="${SERVER_BIN:-target/release/server}"
SITE_ROOT="${SITE_ROOT:-target/site}"
OUTAGE="${SURVIVAL_OUTAGE_SECONDS:-60}"
RATE="${SURVIVAL_REPORT_RATE:-20}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
helpers="$repo/scripts/survival"
case "$SERVER_BIN" in /*) ;; *) SERVER_BIN="$repo/$SERVER_BIN" ;; esac
case "$SITE_ROOT" in /*) ;; *) SITE_ROOT="$repo/$SITE_ROOT" ;; esac

tmp="$(mktemp -d /tmp/survival.XXXXXX)"
chmod 755 "$tmp" # PostgreSQL (user postgres) and nginx's workers (nobody) look inside
results="$tmp/results"
: >"$results"
a_pid="" b_pid="" nginx_pid="" pg_running=0
helper_pids=()
started_at=$SECONDS

# ---------------------------------------------------------------------------------------
# Cleanup: every process this script started, by its id; then the temporary folder.
cleanup() {
  set +e
  trap - EXIT INT TERM
  for p in "${helper_pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  for p in $a_pid $b_pid; do kill -9 "$p" 2>/dev/null; done
  if [ -n "$nginx_pid" ]; then
    local workers
    workers="$(pgrep -P "$nginx_pid" 2>/dev/null)"
    kill -TERM "$nginx_pid" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$nginx_pid" $workers 2>/dev/null
  fi
  if [ "$pg_running" = 1 ] || [ -f "$tmp/pg/data/postmaster.pid" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$tmp/pg/data" -m immediate -w -t 10 stop >/dev/null 2>&1
  fi
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
trap 'exit 141' PIPE # output cut off (e.g. | head): still clean up

# ---------------------------------------------------------------------------------------
# Reporting.
phase() { printf '\n==> %s\n' "$*"; }
ok() { printf 'ok   %s\n' "$*" | tee -a "$results"; }
fail() { printf 'FAIL %s\n' "$*" | tee -a "$results"; }
check() { # check CONDITION-STATUS "what" "figure"
  if [ "$1" = 0 ]; then ok "$2 — $3"; else fail "$2 — $3"; fi
}
figure() { printf '%s\n' "$*" >>"$tmp/figures"; }
indent() { sed 's/^/     /'; }
# A helper's check lines go to the results; one that crashed or printed no check is a failure.
collect() { # collect NAME OUTFILE RC
  local name=$1 out=$2 rc=$3
  tee -a "$results" <"$out"
  if ! grep -qE '^(ok|FAIL) ' "$out"; then
    fail "$name printed no result (exit $rc)"
  fi
  if [ "$rc" -ge 2 ] && [ -s "$out.err" ]; then tail -n 2 "$out.err" | indent; fi
}
py() { # py NAME.py ARGS… — runs a helper in the foreground
  local name=$1 out="$tmp/out.$RANDOM$RANDOM"
  shift
  python3 "$helpers/$name" "$@" >"$out" 2>"$out.err"
  collect "$name" "$out" $?
  last_out="$out"
}
said() { # said PATTERN — the figure (after " — ") of the last helper's line matching PATTERN
  grep -E "$1" "$last_out" | head -n 1 | sed 's/.* — //'
}
py_bg() { # py_bg VAR NAME.py ARGS… — starts a helper; VAR gets "pid outfile"
  local var=$1 name=$2 out="$tmp/out.$RANDOM$RANDOM"
  shift 2
  python3 "$helpers/$name" "$@" >"$out" 2>"$out.err" &
  helper_pids+=($!)
  printf -v "$var" '%s %s %s' "$!" "$out" "$name"
}
py_wait() { # py_wait "pid outfile name"
  local pid out name rc
  read -r pid out name <<<"$1"
  wait "$pid"
  rc=$?
  collect "$name" "$out" "$rc"
}
jget() { # jget FILE KEY[.KEY…] — a value from a JSON file, empty if missing
  python3 - "$1" "$2" <<'EOF' 2>/dev/null
import json, sys
try:
    v = json.load(open(sys.argv[1]))
    for k in sys.argv[2].split("."):
        v = v[k]
    print(json.dumps(v) if isinstance(v, (dict, list)) else v)
except Exception:
    print("")
EOF
}
now() { date +%s.%N; }
exited() { # the process is gone, or a zombie waiting for this script
  [ ! -e "/proc/$1/stat" ] || [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -c1)" = Z ]
}
elapsed_ms() { python3 -c "import sys; print(round((float(sys.argv[2]) - float(sys.argv[1])) * 1000))" "$1" "$2"; }

summary() {
  local passed failed
  passed=$(grep -c '^ok ' "$results")
  failed=$(grep -c '^FAIL ' "$results")
  if [ -s "$tmp/figures" ]; then
    printf '\nfigures:\n'
    indent <"$tmp/figures"
  fi
  if [ "$failed" -gt 0 ]; then
    for log in a/log b/log nginx/error.log pg/log; do
      if [ -s "$tmp/$log" ]; then
        printf '\nlast lines of %s:\n' "$log"
        tail -n 8 "$tmp/$log" | sed 's/\x1b\[[0-9;]*m//g' | cut -c1-300 | indent
      fi
    done
  fi
  printf '\n(%s s)\nsurvival: %s passed, %s failed\n' "$((SECONDS - started_at))" "$passed" "$failed"
  [ "$failed" -eq 0 ]
}

# ---------------------------------------------------------------------------------------
phase "setup"
ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true # many report clients at once
if [ ! -x "$SERVER_BIN" ] || [ ! -d "$SITE_ROOT/pkg" ]; then
  fail "release build present — no $SERVER_BIN or $SITE_ROOT/pkg (cargo leptos build --release)"
  summary
  exit 1
fi
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "installing nginx-light"
  apt-get install -y nginx-light >"$tmp/apt.log" 2>&1 ||
    { apt-get update >>"$tmp/apt.log" 2>&1 && apt-get install -y nginx-light >>"$tmp/apt.log" 2>&1; } ||
    { tail -n 5 "$tmp/apt.log" | indent; }
fi
NGINX="$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)"
if [ ! -x "$NGINX" ] || [ ! -x "$PG_BIN/initdb" ]; then
  fail "nginx and PostgreSQL 15 present — nginx: $NGINX, initdb: $PG_BIN/initdb"
  summary
  exit 1
fi

# Free loopback ports: PostgreSQL, instance A, instance B, nginx (site), nginx (mirror).
read -r pg_port a_port b_port ngx_port mirror_port < <(python3 - <<'EOF'
import socket
picked = []
def free(port):
    while True:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            if port not in picked:
                picked.append(port)
                return port
        except OSError:
            pass
        finally:
            s.close()
        port += 1
print(*(free(p) for p in (55432, 38081, 38082, 38080, 38090)))
EOF
)
A="http://127.0.0.1:$a_port" B="http://127.0.0.1:$b_port"
NGX="http://127.0.0.1:$ngx_port" MIRROR="http://127.0.0.1:$mirror_port"
echo "PostgreSQL :$pg_port, A :$a_port, B :$b_port, nginx :$ngx_port, mirror :$mirror_port, in $tmp"

# The private PostgreSQL cluster: trust on loopback, owned by postgres, in the temp folder.
mkdir -p "$tmp/pg"
chown postgres:postgres "$tmp/pg"
pg_start() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$tmp/pg/data" -l "$tmp/pg/log" -w -t 30 \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$tmp/pg -c max_connections=200" \
    start >/dev/null 2>&1 && pg_running=1
}
pg_stop() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$tmp/pg/data" -m fast -w -t 30 stop >/dev/null 2>&1 && pg_running=0
}
psql_q() { "$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d status -XAtqc "$1" 2>&1; }
if runuser -u postgres -- "$PG_BIN/initdb" -D "$tmp/pg/data" -A trust -U postgres -E UTF8 \
  --no-locale --no-sync >"$tmp/pg/initdb.log" 2>&1 && pg_start &&
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres status >>"$tmp/pg/initdb.log" 2>&1; then
  ok "private PostgreSQL on 127.0.0.1:$pg_port with database status"
else
  fail "private PostgreSQL started — see below"
  tail -n 8 "$tmp/pg/initdb.log" "$tmp/pg/log" 2>/dev/null | indent
  summary
  exit 1
fi
DB="postgres://postgres@127.0.0.1:$pg_port/status"

# The first administrator, the way the README says (password on standard input).
export SURVIVAL_ADMIN="survival-admin"
export SURVIVAL_PASSWORD="survival password $RANDOM$RANDOM$RANDOM"
mkdir -p "$tmp/cli"
if printf '%s\n' "$SURVIVAL_PASSWORD" | DATABASE_URL="$DB" STATUS_LAST_STATE="$tmp/cli/last-state.json" \
  STATUS_SPOOL="$tmp/cli/reports.spool" RUST_LOG=warn \
  "$SERVER_BIN" user add --role admin "$SURVIVAL_ADMIN" >"$tmp/cli/user-add.log" 2>&1; then
  ok "staff account created with server user add (migrated and seeded the database)"
else
  fail "server user add — $(tail -n 3 "$tmp/cli/user-add.log" | tr '\n' ' ')"
fi

start_instance() { # start_instance a|b PORT
  local name=$1 port=$2
  mkdir -p "$tmp/$name"
  DATABASE_URL="$DB" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$SITE_ROOT" \
    LEPTOS_OUTPUT_NAME=status STATUS_LAST_STATE="$tmp/$name/last-state.json" \
    STATUS_SPOOL="$tmp/$name/reports.spool" STATUS_TRUSTED_PROXIES=127.0.0.1 RUST_LOG=warn \
    "$SERVER_BIN" serve >>"$tmp/$name/log" 2>&1 &
  if [ "$name" = a ]; then a_pid=$!; else b_pid=$!; fi
}
wait_healthy() { # wait_healthy PID PORT SECONDS — until /healthz answers 200
  local pid=$1 port=$2 tries=$(($3 * 10))
  for _ in $(seq 1 "$tries"); do
    curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
serve_instance() { # serve_instance a|b PORT LABEL — start it, and check it answers
  local t0 pid
  t0=$(now)
  start_instance "$1" "$2"
  if [ "$1" = a ]; then pid=$a_pid; else pid=$b_pid; fi
  if wait_healthy "$pid" "$2" 60; then
    ok "$3 — healthy after $(elapsed_ms "$t0" "$(now)") ms"
  else
    fail "$3 — not healthy in 60 s"
  fi
}
serve_instance a "$a_port" "instance A serving on :$a_port"
serve_instance b "$b_port" "instance B serving on :$b_port"

# nginx: the documented deploy/nginx.conf with only its addresses replaced.
ngx="$tmp/nginx"
mkdir -p "$ngx" "$tmp/mirror"
sed -e "s/127\.0\.0\.1:8081/127.0.0.1:$a_port/" \
  -e "s/127\.0\.0\.1:8082/127.0.0.1:$b_port/" \
  -e "s/^\([[:space:]]*\)listen 80;/\1listen 127.0.0.1:$ngx_port;/" \
  -e "s/^\([[:space:]]*\)listen 8090;/\1listen 127.0.0.1:$mirror_port;/" \
  -e "s#/srv/status-mirror#$tmp/mirror#" \
  deploy/nginx.conf >"$ngx/status.conf"
missing=""
for want in "127.0.0.1:$a_port " "127.0.0.1:$b_port " "listen 127.0.0.1:$ngx_port;" \
  "listen 127.0.0.1:$mirror_port;" "root $tmp/mirror;"; do
  grep -qF "$want" "$ngx/status.conf" || missing="$missing '$want'"
done
cat >"$ngx/nginx.conf" <<EOF
daemon off;
worker_processes 2;
pid $ngx/nginx.pid;
error_log $ngx/error.log warn;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $ngx/access.log;
    client_body_temp_path $ngx/client_body;
    proxy_temp_path $ngx/proxy;
    sendfile on;
    include $ngx/status.conf;
}
EOF
if [ -n "$missing" ]; then
  fail "deploy/nginx.conf adapted to loopback ports — not found after substitution:$missing"
fi
if "$NGINX" -t -q -p "$ngx/" -c "$ngx/nginx.conf" -e "$ngx/error.log" >"$ngx/test.log" 2>&1; then
  "$NGINX" -p "$ngx/" -c "$ngx/nginx.conf" -e "$ngx/error.log" >>"$ngx/test.log" 2>&1 &
  nginx_pid=$!
  for _ in $(seq 1 50); do curl -s -o /dev/null --max-time 1 "$NGX/healthz" && break; sleep 0.1; done
  if curl -fsS -o /dev/null --max-time 2 "$NGX/healthz"; then
    ok "nginx ($("$NGINX" -v 2>&1 | sed 's/.*: //')) with deploy/nginx.conf on :$ngx_port (site) and :$mirror_port (mirror)"
  else
    fail "nginx proxies to the instances — $NGX/healthz does not answer 200"
  fi
else
  fail "nginx -t accepts deploy/nginx.conf — $(tr '\n' ' ' <"$ngx/test.log")"
fi

# ---------------------------------------------------------------------------------------
phase "1. two instances and nginx"
py state.py up --base "$A" --name "instance A"
py state.py up --base "$B" --name "instance B"
py state.py metrics --base "$A"
py state.py private --base "$NGX"
py sse.py first --base "$NGX" --within 1.0 \
  --name "live stream through nginx is not buffered (first event within 1 s)"

# ---------------------------------------------------------------------------------------
phase "2. a console change on A, seen on B"
py console.py propagate --a "$A" --b "$B" --jar "$tmp/staff.json" --figures "$tmp/propagation.json"
changed_to="$(jget "$tmp/propagation.json" status)"
figure "propagation A → B: API $(jget "$tmp/propagation.json" api_ms) ms, live stream $(jget "$tmp/propagation.json" stream_ms) ms (limit 1000 ms)"

# ---------------------------------------------------------------------------------------
phase "3. kill -9 of instance A while reading through nginx"
py_bg readers readers.py --base "$NGX" --seconds 10 --threads 2 --json "$tmp/kill-readers.json" \
  --name "no failed read through nginx while A is killed with kill -9"
sleep 3
exec 3>&2 2>/dev/null # no "Killed" notice from bash
kill -9 "$a_pid"
wait "$a_pid"
exec 2>&3 3>&-
a_pid=""
py_wait "$readers"
figure "kill -9 of A: $(jget "$tmp/kill-readers.json" failed) failed of $(jget "$tmp/kill-readers.json" reads) reads through nginx in $(jget "$tmp/kill-readers.json" seconds) s"
serve_instance a "$a_port" "instance A restarted on the same database"

# ---------------------------------------------------------------------------------------
phase "4. PostgreSQL stopped for $OUTAGE s under a steady report load"
reports_before="$(psql_q 'SELECT count(*) FROM reports')"
counts_before="$(psql_q 'SELECT coalesce(sum(count), 0) FROM report_counts')"
load_seconds=$((OUTAGE + 25))
py_bg load reports.py --base "$NGX" --rate "$RATE" --seconds "$load_seconds" --json "$tmp/load.json" \
  --first 0 --down-mark "$tmp/down.mark" --up-mark "$tmp/up.mark"
py_bg readers readers.py --base "$NGX" --seconds $((load_seconds + 90)) --stop-file "$tmp/stop-readers" \
  --threads 2 --json "$tmp/outage-readers.json" \
  --name "no failed read through nginx while PostgreSQL is down, and as it returns"
python3 "$helpers/state.py" watch --base "$A" --base "$B" --stop-file "$tmp/stop-readers" \
  --down-mark "$tmp/down.mark" --up-mark "$tmp/up.mark" --json "$tmp/watch.json" >"$tmp/watch.out" 2>&1 &
watch_pid=$!
helper_pids+=($watch_pid)
sleep 8
if pg_stop; then
  now >"$tmp/down.mark"
  ok "PostgreSQL stopped (pg_ctl stop -m fast) under load"
else
  fail "PostgreSQL stopped — pg_ctl stop failed"
  now >"$tmp/down.mark"
fi
down_at=$SECONDS
py state.py down --base "$A" --name "A, PostgreSQL down" --wait 20
py state.py down --base "$B" --name "B, PostgreSQL down" --wait 10
py state.py down --base "$NGX" --name "through nginx, PostgreSQL down" --wait 5
py console.py refused --base "$NGX" --jar "$tmp/staff.json" --status degraded_performance
remaining=$((OUTAGE - (SECONDS - down_at)))
[ "$remaining" -gt 0 ] && sleep "$remaining"
now >"$tmp/up.mark"
if pg_start; then
  ok "PostgreSQL started again — after $((SECONDS - down_at)) s down"
else
  fail "PostgreSQL started again — pg_ctl start failed"
  tail -n 5 "$tmp/pg/log" | indent
fi
py_wait "$load"
py state.py recovered --base "$A" --base "$B" --wait 60
touch "$tmp/stop-readers"
py_wait "$readers"
wait "$watch_pid"
cat "$tmp/watch.out"
figure "health during the outage: $(sed -n 's/^ *watch: //p' "$tmp/watch.out" | sed "s/\b$a_port:/A:/; s/\b$b_port:/B:/")"
sleep 1 # a last group commit
reports_after="$(psql_q 'SELECT count(*) FROM reports')"
counts_after="$(psql_q 'SELECT coalesce(sum(count), 0) FROM report_counts')"
sent="$(jget "$tmp/load.json" sent)"
acked="$(jget "$tmp/load.json" acked)"
spooled="$(jget "$tmp/load.json" spooled)"
refused="$(jget "$tmp/load.json" refused)"
if [[ "$reports_before$reports_after$counts_before$counts_after" =~ ^[0-9]+$ ]] && [ -n "$acked" ]; then
  stored=$((reports_after - reports_before))
  counted=$((counts_after - counts_before))
  check "$([ "$stored" -eq "$acked" ] && echo 0 || echo 1)" \
    "every acknowledged report is in the reports table, once" \
    "acked $acked, stored $stored (of $sent sent)"
  check "$([ "$counted" -eq "$acked" ] && echo 0 || echo 1)" \
    "report_counts adds up to the acknowledged reports" \
    "acked $acked, sum(count) $counted"
else
  fail "counting the stored reports — psql: '$reports_after' '$counts_after', load: acked '$acked'"
  stored="?"
fi
key="$(psql_q "SELECT column_name FROM information_schema.columns WHERE table_name = 'reports' AND column_name IN ('key', 'report_key') LIMIT 1")"
if [ -n "$key" ]; then
  dupes="$(psql_q "SELECT count($key) - count(DISTINCT $key) FROM reports")"
  check "$([ "$dupes" = 0 ] && echo 0 || echo 1)" "no report key ($key) stored twice" "$dupes duplicates"
else
  echo "     (the reports table has no key column)"
fi
down_sent="$(jget "$tmp/load.json" database_down.sent)"
down_acked="$(jget "$tmp/load.json" database_down.acked)"
figure "reports during the $OUTAGE s outage test ($RATE/s, distinct clients): sent $sent, acked $acked (spooled $spooled), refused $refused, stored $stored; while PostgreSQL was down: sent $down_sent, acked $down_acked"
figure "reads through nginx during the outage: $(jget "$tmp/outage-readers.json" failed) failed of $(jget "$tmp/outage-readers.json" reads) in $(jget "$tmp/outage-readers.json" seconds) s ($(jget "$tmp/outage-readers.json" stale_html) HTML pages with the stale notice)"
if [ -n "$changed_to" ]; then
  py console.py unchanged --base "$B" --status "$changed_to"
fi
py state.py up --base "$A" --name "A, PostgreSQL back"
py state.py up --base "$B" --name "B, PostgreSQL back"

# ---------------------------------------------------------------------------------------
phase "5. export-static"
t0=$(now)
if DATABASE_URL="$DB" STATUS_LAST_STATE="$tmp/cli/last-state.json" STATUS_SPOOL="$tmp/cli/reports.spool" \
  LEPTOS_SITE_ROOT="$SITE_ROOT" LEPTOS_OUTPUT_NAME=status RUST_LOG=warn "$SERVER_BIN" export-static "$tmp/mirror" >"$tmp/cli/export.log" 2>&1; then
  files=$(find "$tmp/mirror" -type f | wc -l)
  ok "server export-static wrote the site — $files files in $(elapsed_ms "$t0" "$(now)") ms"
  figure "static mirror: $files files, $(du -sh "$tmp/mirror" | cut -f1)"
else
  fail "server export-static — $(tail -n 3 "$tmp/cli/export.log" | tr '\n' ' ' | cut -c1-300)"
fi
absent=""
for f in index.html en/index.html services/kakaotalk/index.html en/services/kakaotalk/index.html \
  history/index.html api/v2/summary.json feed.atom badge/kakaotalk.svg; do
  [ -s "$tmp/mirror/$f" ] || absent="$absent $f"
done
check "$([ -z "$absent" ] && echo 0 || echo 1)" "the mirror has the expected files" \
  "${absent:+missing:}${absent:-index.html, en/, services/, history/, api/v2/summary.json, feed.atom, badge/}"
chmod -R a+rX "$tmp/mirror" 2>/dev/null

# ---------------------------------------------------------------------------------------
phase "6. graceful drain on SIGTERM"
py sse.py drain --base "$B" --pid "$b_pid" --timeout 12
figure "SIGTERM on B with a live stream open: $(said 'closes the open live stream'); $(said 'process exits')"
stop_instance() { # stop_instance NAME PID — SIGTERM (already sent for B), then its exit status
  local name=$1 pid=$2 rc
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 120); do exited "$pid" && break; sleep 0.1; done
  if exited "$pid"; then
    wait "$pid"
    rc=$?
    check "$([ "$rc" = 0 ] && echo 0 || echo 1)" "instance $name stopped by SIGTERM exits with status 0" "exit $rc"
  else
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    fail "instance $name stopped by SIGTERM exits within 12 s — killed with -9 after 12 s"
  fi
}
stop_instance B "$b_pid"
b_pid=""
stop_instance A "$a_pid"
a_pid=""

# ---------------------------------------------------------------------------------------
phase "7. the static mirror, served by nginx alone"
if curl -s -o /dev/null --max-time 1 "$A/healthz" || curl -s -o /dev/null --max-time 1 "$B/healthz"; then
  fail "both instances are stopped before the crawl — one still answers"
else
  ok "both instances are stopped: nothing can reach a server during the crawl"
fi
lines_before=$(wc -l <"$ngx/access.log" 2>/dev/null || echo 0)
out="$tmp/crawl.out"
python3 "$helpers/crawl.py" --base "$MIRROR" --start / --start /en/ >"$out" 2>"$out.err"
collect crawl.py "$out" $?
figure "static mirror crawl: $(sed -n 's/^ok   static mirror served by nginx alone.* — //p; s/^FAIL static mirror served by nginx alone.* — //p' "$out" | cut -c1-160)"
figure "requests nginx answered during the crawl (all from files): $(($(wc -l <"$ngx/access.log" 2>/dev/null || echo 0) - lines_before))"

summary
