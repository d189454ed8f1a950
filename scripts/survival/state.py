#!/usr/bin/env python3
"""What an instance says about itself and its data, with the database up or down.

  state.py up --base URL --name TEXT
      /healthz is 200 JSON {"status":"ok","database":"up"}; the home page has no
      id="stale-notice"; /api/v2/summary.json does not say "stale": true.
  state.py down --base URL --name TEXT [--wait 20]
      within the wait: /healthz is 200 JSON {"status":"degraded","database":"down"};
      then the home page (Korean and English) carries id="stale-notice" and
      /api/v2/summary.json says "stale": true.
  state.py recovered --base URL [--base URL …] [--wait 60]
      every instance's /healthz says "database":"up" and "spooled_reports":0.
  state.py metrics --base URL
      /metrics on the instance itself is Prometheus text with the expected series;
      /readyz on the instance answers 200.
  state.py private --base URL
      through nginx, /metrics and /readyz are refused (403/404).
"""

import argparse
import json
import time

import common

SERIES = ["status_http_requests_total", "status_database_up",
          "status_snapshot_version", "status_report_spool_depth"]


def describe(h):
    if h is None:
        return "no answer"
    keys = ("status", "database", "spooled_reports")
    shown = {k: h[k] for k in keys if k in h} if any(k in h for k in keys) else \
        {k: v for k, v in h.items() if k != "_status"}
    return f"HTTP {h['_status']} {json.dumps(shown, ensure_ascii=False)[:200]}"


def summary_stale(base):
    answer = common.request(base, "/api/v2/summary.json", timeout=5)
    try:
        data = answer.json()
    except ValueError:
        return "(not JSON)", answer.status
    # Where the flag sits is the server's choice: top level, or under "page"/"status".
    for scope in (data, data.get("page", {}), data.get("status", {})):
        if isinstance(scope, dict) and "stale" in scope:
            return scope["stale"], answer.status
    return None, answer.status


def home_has_notice(base, path):
    answer = common.request(base, path, timeout=5, headers={"Accept-Language": "ko"})
    return 'id="stale-notice"' in answer.text, answer.status


def up(args):
    h = common.health(args.base)
    good = (h is not None and h["_status"] == 200 and h.get("status") == "ok"
            and h.get("database") == "up")
    common.check(good, f"{args.name}: /healthz says ok, database up", describe(h))
    notice, status = home_has_notice(args.base, "/")
    common.check(status == 200 and not notice, f"{args.name}: no stale notice on the home page",
                 f"HTTP {status}", f"HTTP {status}, stale notice shown: {notice}")
    stale, status = summary_stale(args.base)
    common.check(status == 200 and stale in (None, False),
                 f"{args.name}: summary.json not stale", f"\"stale\": {json.dumps(stale)}",
                 f"HTTP {status}, \"stale\": {json.dumps(stale)}")


def down(args):
    started = time.monotonic()
    h = None
    while time.monotonic() - started < args.wait:
        h = common.health(args.base)
        if h is not None and h.get("database") == "down":
            break
        time.sleep(0.25)
    noticed = time.monotonic() - started
    good = (h is not None and h["_status"] == 200 and h.get("status") == "degraded"
            and h.get("database") == "down")
    common.check(good, f"{args.name}: /healthz says degraded, database down (still 200)",
                 f"{describe(h)}, seen {noticed:.1f} s after this check began",
                 f"{describe(h)} after {noticed:.1f} s")
    for path in ("/", "/?lang=en", "/services/kakaotalk"):
        notice, status = home_has_notice(args.base, path)
        common.check(status == 200 and notice, f"{args.name}: {path} served with the stale notice",
                     f"HTTP {status}", f"HTTP {status}, id=\"stale-notice\" present: {notice}")
    stale, status = summary_stale(args.base)
    common.check(status == 200 and stale is True, f"{args.name}: summary.json says \"stale\": true",
                 f"HTTP {status}", f"HTTP {status}, \"stale\": {json.dumps(stale)}")


def recovered(args):
    started = time.monotonic()
    last = {}
    while time.monotonic() - started < args.wait:
        last = {b: common.health(b) for b in args.base}
        if all(h is not None and h.get("database") == "up" and h.get("spooled_reports") == 0
               for h in last.values()):
            break
        time.sleep(0.5)
    took = time.monotonic() - started
    good = all(h is not None and h.get("database") == "up" and h.get("spooled_reports") == 0
               for h in last.values())
    states = "; ".join(f"{b}: {describe(h)}" for b, h in last.items())
    common.check(good, "after PostgreSQL returns, both instances report database up and an empty spool",
                 f"after {took:.1f} s", f"after {took:.1f} s: {states}")


def metrics(args):
    answer, error = common.try_request(args.base, "/metrics", timeout=5)
    if answer is None:
        common.fail(f"/metrics on {args.base}", error)
    else:
        missing = [s for s in SERIES if s not in answer.text]
        kind = answer.header("Content-Type") or ""
        common.check(answer.status == 200 and not missing and kind.startswith("text/plain"),
                     "/metrics on the instance is Prometheus text with the status_* series",
                     f"HTTP {answer.status}, {len(answer.text.splitlines())} lines",
                     f"HTTP {answer.status}, {kind!r}, missing: {', '.join(missing) or 'none'}")
    answer, error = common.try_request(args.base, "/readyz", timeout=5)
    common.check(answer is not None and answer.status == 200,
                 "/readyz on the instance answers 200 with the database up",
                 f"HTTP {answer.status}" if answer else "",
                 error or f"HTTP {answer.status}: {answer.text[:120]!r}")


def private(args):
    for path in ("/metrics", "/readyz"):
        answer, error = common.try_request(args.base, path, timeout=5)
        common.check(answer is not None and answer.status in (403, 404),
                     f"nginx refuses {path} from outside",
                     f"HTTP {answer.status}" if answer else "",
                     error or f"HTTP {answer.status}")


def watch(args):
    """Polls every instance's /healthz until the stop file exists; with the mark files
    (wall-clock times PostgreSQL was stopped and started) it reports when each instance
    first said "database": "down", the spool's peak, and when it was empty again."""
    import os
    seen = {b: {"down_at": None, "up_at": None, "peak": 0, "empty_at": None} for b in args.base}
    while not os.path.exists(args.stop_file):
        for b in args.base:
            h = common.health(b, timeout=2) or {}
            now, w = time.time(), seen[b]
            spooled = h.get("spooled_reports") if isinstance(h.get("spooled_reports"), int) else 0
            w["peak"] = max(w["peak"], spooled)
            if h.get("database") == "down" and w["down_at"] is None:
                w["down_at"] = now
            if w["down_at"] and h.get("database") == "up" and w["up_at"] is None:
                w["up_at"] = now
            if w["up_at"] and spooled == 0 and w["empty_at"] is None:
                w["empty_at"] = now
        time.sleep(0.2)
    down = float(open(args.down_mark).read()) if os.path.exists(args.down_mark) else None
    up = float(open(args.up_mark).read()) if os.path.exists(args.up_mark) else None
    rel = lambda t, since: f"{t - since:.1f} s" if t and since else "never"  # noqa: E731
    parts = [f"{b.rsplit(':', 1)[-1]}: stale {rel(w['down_at'], down)} after the stop, "
             f"database up {rel(w['up_at'], up)} and spool empty {rel(w['empty_at'], up)} after the start, "
             f"spool peak {w['peak']}" for b, w in seen.items()]
    with open(args.json, "w") as f:
        json.dump({"instances": seen, "down": down, "up": up}, f)
    common.info("watch: " + "; ".join(parts))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("up", "down"):
        p = sub.add_parser(name)
        p.add_argument("--base", required=True)
        p.add_argument("--name", required=True)
        p.add_argument("--wait", type=float, default=20.0)
    p = sub.add_parser("recovered")
    p.add_argument("--base", action="append", required=True)
    p.add_argument("--wait", type=float, default=60.0)
    p = sub.add_parser("watch")
    p.add_argument("--base", action="append", required=True)
    p.add_argument("--stop-file", required=True)
    p.add_argument("--down-mark", required=True)
    p.add_argument("--up-mark", required=True)
    p.add_argument("--json", required=True)
    for name in ("metrics", "private"):
        p = sub.add_parser(name)
        p.add_argument("--base", required=True)
    args = parser.parse_args()
    {"up": up, "down": down, "recovered": recovered, "metrics": metrics,
     "private": private, "watch": watch}[args.command](args)


if __name__ == "__main__":
    common.run(main)
