#!/usr/bin/env python3
"""A steady load of outage reports, every one from a distinct client.

  reports.py --base URL --rate 20 --seconds N --json F [--first 0] [--stop-file F]
             [--down-mark F --up-mark F] [--service kakaotalk --problem send]

Report i is sent from its own loopback address 127.64.x.y (the socket is bound to it;
nginx passes it on in X-Forwarded-For) with its own user agent, so neither the
per-address limit nor the repeat check applies: each report should be taken. It posts
`service=…&problem=…` to /api/v1/reports at a fixed rate and sorts the answers:

  201 {"counted":true}                  stored in the database          → acked
  202 {"counted":true,"spooled":true}   kept in the instance's spool    → acked
  200                                   a repeat (not expected here)
  429 / 503                             refused (not taken)
  anything else, or no answer           failed / unknown

With the mark files (the driver writes the wall-clock time PostgreSQL was stopped and
started into them) the counts are also split by phase. Prints checks and writes JSON.
"""

import argparse
import concurrent.futures
import json
import os
import threading
import time
import urllib.parse

import common


def address(i):
    return f"127.64.{i // 250}.{i % 250 + 1}"


def read_mark(path):
    try:
        with open(path) as f:
            return float(f.read().strip())
    except (OSError, ValueError):
        return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--json", required=True)
    parser.add_argument("--first", type=int, default=0, help="index of the first client")
    parser.add_argument("--stop-file", default="")
    parser.add_argument("--down-mark", default="")
    parser.add_argument("--up-mark", default="")
    parser.add_argument("--service", default="kakaotalk")
    parser.add_argument("--problem", default="send")
    args = parser.parse_args()

    body = urllib.parse.urlencode({"service": args.service, "problem": args.problem})
    lock = threading.Lock()
    results = []  # (wall time sent, status or None, kind, note)

    def send(i):
        sent_at = time.time()
        answer, error = common.try_request(
            args.base, "/api/v1/reports", method="POST", body=body, timeout=45,
            source=address(i),
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "User-Agent": f"survival-test client {i} (Linux; like KakaoTalk)",
                     "Accept": "application/json"})
        if answer is None:
            kind, status, note = "unknown", None, error
        else:
            status, note = answer.status, answer.text[:160]
            try:
                data = answer.json()
            except ValueError:
                data = {}
            if status == 201 and data.get("counted") is True and not data.get("spooled"):
                kind = "stored"
            elif status == 202 and data.get("counted") is True and data.get("spooled") is True:
                kind = "spooled"
            elif status == 200:
                kind = "repeat"
            elif status in (429, 503):
                kind = "refused"
            else:
                kind = "failed"
        with lock:
            results.append((sent_at, status, kind, note, time.time() - sent_at))

    started = time.monotonic()
    count = int(args.rate * args.seconds)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1200) as pool:
        for n in range(count):
            if args.stop_file and os.path.exists(args.stop_file):
                break
            due = started + n / args.rate
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            pool.submit(send, args.first + n)
    elapsed = time.monotonic() - started

    def tally(rows):
        t = {"sent": len(rows)}
        for kind in ("stored", "spooled", "repeat", "refused", "failed", "unknown"):
            t[kind] = sum(1 for r in rows if r[2] == kind)
        t["acked"] = t["stored"] + t["spooled"]
        t["slowest_ms"] = round(max((r[4] for r in rows), default=0) * 1000)
        return t

    total = tally(results)
    total["seconds"] = round(elapsed, 1)
    total["rate"] = args.rate
    total["first"] = args.first
    total["by_status"] = {}
    for r in results:
        key = str(r[1])
        total["by_status"][key] = total["by_status"].get(key, 0) + 1
    down, up = read_mark(args.down_mark), read_mark(args.up_mark)
    if down and up:
        total["database_down"] = tally([r for r in results if down <= r[0] < up])
        total["database_up"] = tally([r for r in results if not down <= r[0] < up])
    odd = [r for r in results if r[2] in ("failed", "unknown", "refused")]
    total["examples"] = [{"status": r[1], "kind": r[2], "note": r[3]} for r in odd[:5]]
    with open(args.json, "w") as f:
        json.dump(total, f)

    line = (f"sent {total['sent']}, acked {total['acked']} (201 stored {total['stored']}, "
            f"202 spooled {total['spooled']}), repeat {total['repeat']}, refused {total['refused']}, "
            f"failed {total['failed']}, no answer {total['unknown']}, over {elapsed:.0f} s")
    examples = "; ".join(f"{e['status']} {e['note']!r}" for e in total["examples"][:3])
    common.check(total["failed"] == 0 and total["unknown"] == 0,
                 "report load through nginx: every report answered (no error, no 5xx but 503)",
                 line, line + ("; e.g. " + examples if examples else ""))
    common.check(total["refused"] == 0 and total["repeat"] == 0 and total["sent"] > 0,
                 "report load: every report taken, also while the database was down",
                 line, line + ("; e.g. " + examples if examples else ""))
    if "database_down" in total:
        d = total["database_down"]
        common.info(f"while PostgreSQL was stopped: sent {d['sent']}, acked {d['acked']} "
                    f"(stored {d['stored']}, spooled {d['spooled']}), refused {d['refused']}, "
                    f"failed {d['failed'] + d['unknown']}, slowest answer {d['slowest_ms']} ms")


if __name__ == "__main__":
    common.run(main)
