#!/usr/bin/env python3
"""Readers: a few threads GETting pages, API documents, feeds and badges through nginx
without pause, counting every answer. A failed read is a transport error (refused,
reset, timed out) or a status that is not 2xx/3xx.

  readers.py --base URL --seconds N [--stop-file F] [--threads 2] --name TEXT [--json F]

Runs until N seconds have passed or the stop file exists, then prints one check:
0 failed reads. With --json it also writes the counts (and the first failures).
"""

import argparse
import json
import os
import threading
import time

import common

PATHS = [
    "/",
    "/?lang=en",
    "/services/kakaotalk",
    "/services/kakaotalk?lang=en",
    "/services/daum",
    "/history",
    "/api/v2/summary.json",
    "/api/v2/components.json",
    "/api/v2/incidents.json",
    "/api/v1/services",
    "/feed.atom",
    "/badge/kakaotalk.svg",
    "/embed",
]


def incident_path(base):
    """One incident page, so that those are read too."""
    try:
        incidents = common.request(base, "/api/v2/incidents.json", timeout=5).json()["incidents"]
        return [f"/incidents/{incidents[0]['id']}"] if incidents else []
    except Exception:  # noqa: BLE001 - the readers will count it if it fails
        return []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--stop-file", default="")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--name", required=True)
    parser.add_argument("--json", default="")
    args = parser.parse_args()

    paths = PATHS + incident_path(args.base)
    lock = threading.Lock()
    counts = {"reads": 0, "failed": 0, "stale_html": 0, "html": 0, "by_status": {}}
    failures = []
    started = time.monotonic()
    deadline = started + args.seconds

    def done():
        return time.monotonic() >= deadline or (args.stop_file and os.path.exists(args.stop_file))

    def reader(offset):
        i = offset
        while not done():
            path = paths[i % len(paths)]
            i += 1
            answer, error = common.try_request(args.base, path, timeout=10,
                                               headers={"Accept-Language": "ko"})
            at = time.monotonic() - started
            with lock:
                counts["reads"] += 1
                if answer is None or not 200 <= answer.status < 400:
                    counts["failed"] += 1
                    if len(failures) < 20:
                        failures.append({"at_s": round(at, 2), "path": path,
                                         "error": error or f"HTTP {answer.status}",
                                         "body": "" if answer is None else answer.text[:200]})
                if answer is not None:
                    key = str(answer.status)
                    counts["by_status"][key] = counts["by_status"].get(key, 0) + 1
                    if (answer.header("Content-Type") or "").startswith("text/html"):
                        counts["html"] += 1
                        if 'id="stale-notice"' in answer.text:
                            counts["stale_html"] += 1

    threads = [threading.Thread(target=reader, args=(n * 5,), daemon=True)
               for n in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    counts["seconds"] = round(elapsed, 1)
    counts["failures"] = failures
    if args.json:
        with open(args.json, "w") as f:
            json.dump(counts, f)
    common.check(
        counts["failed"] == 0 and counts["reads"] > 0,
        args.name,
        f"{counts['failed']} failed of {counts['reads']} reads in {elapsed:.0f} s",
        f"{counts['failed']} failed of {counts['reads']} reads in {elapsed:.0f} s; first: "
        + "; ".join(f"{x['at_s']} s {x['path']}: {x['error']} {x['body'][:80]!r}" for x in failures[:5]),
    )


if __name__ == "__main__":
    common.run(main)
