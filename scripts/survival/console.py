#!/usr/bin/env python3
"""The staff console over HTTP, as a person without JavaScript uses it.

  console.py propagate --a URL --b URL --jar FILE [--component kakaotalk/messages]
      signs in on instance A (name and password from $SURVIVAL_ADMIN / $SURVIVAL_PASSWORD),
      keeps the session in FILE, then changes a component's status on A and measures
      how long until B's API (/api/v2/components.json) shows it and until B's live stream
      (/api/v1/events) delivers a `status` event — both from the moment the form is sent.
  console.py refused --base URL --jar FILE [--component …]
      a staff change while the database is down: answered 503 with "nothing was changed"
      (or the Korean "아무것도 바뀌지 않았습니다"), not a 500 and not a success.
  console.py unchanged --base URL --component ID --status STATUS
      the component still has the status it had before the refused change.
"""

import argparse
import json
import os
import re
import threading
import time
import urllib.parse

import common
from sse import SseReader

CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
LIMIT = 1.0  # seconds: the "within 1 s"


class Staff:
    """A cookie (the session) and the latest CSRF token; requests on any instance."""

    def __init__(self, jar):
        self.jar = jar
        self.cookie = ""
        self.csrf = ""
        if os.path.exists(jar):
            with open(jar) as f:
                saved = json.load(f)
            self.cookie, self.csrf = saved["cookie"], saved["csrf"]

    def save(self):
        with open(self.jar, "w") as f:
            json.dump({"cookie": self.cookie, "csrf": self.csrf}, f)

    def send(self, base, path, form=None, timeout=10.0):
        headers = {"Accept": "text/html"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        answer = common.request(base, path, "POST" if form is not None else "GET",
                                body=body, headers=headers, timeout=timeout)
        for name, value in answer.headers:
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0].strip()
                if pair.startswith("status_staff="):
                    self.cookie = pair
        found = CSRF.search(answer.text)
        if found:
            self.csrf = found.group(1)
        return answer


def component_status(base, component):
    """The component's status in /api/v2/components.json (ids use '.' for '/')."""
    answer = common.request(base, "/api/v2/components.json", timeout=5)
    wanted = component.replace("/", ".")
    for c in answer.json().get("components", []):
        if c.get("id") == wanted:
            return c.get("status")
    return None


def sign_in(staff, base):
    page = staff.send(base, "/admin/signin")
    if page.status != 200 or not staff.csrf:
        raise RuntimeError(f"GET /admin/signin: HTTP {page.status}, csrf found: {bool(staff.csrf)}")
    answer = staff.send(base, "/admin/actions/signin", {
        "name": os.environ["SURVIVAL_ADMIN"],
        "password": os.environ["SURVIVAL_PASSWORD"],
        "csrf": staff.csrf,
    })
    location = answer.header("Location") or ""
    signed_in = answer.status == 303 and location.split("?")[0] == "/admin"
    common.check(signed_in, "staff signs in on instance A (GET /admin/signin, POST /admin/actions/signin)",
                 f"HTTP {answer.status} → {location}",
                 f"HTTP {answer.status} → {location!r}: {answer.text[:200]!r}")
    desk = staff.send(base, "/admin")  # a fresh token for the signed-in session
    if desk.status != 200 or 'action="/admin/actions/component-status"' not in desk.text:
        raise RuntimeError(f"GET /admin after sign-in: HTTP {desk.status}, no component form")
    staff.save()


def propagate(args):
    staff = Staff(args.jar)
    sign_in(staff, args.a)
    before = component_status(args.b, args.component)
    target = args.status if before != args.status else "partial_outage"

    stream = SseReader(args.b, timeout=30)
    stream.start()
    stream.connected.wait(5)
    if stream.first("sync") is None:
        common.fail("B's live stream is open before the change",
                    stream.error or f"HTTP {stream.status}, no sync event")

    seen = {}
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            try:
                if component_status(args.b, args.component) == target:
                    seen["api"] = time.monotonic()
                    return
            except Exception as error:  # noqa: BLE001 - keep polling; report at the end
                seen["error"] = repr(error)
            time.sleep(0.01)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    sent = time.monotonic()
    answer = staff.send(args.a, "/admin/actions/component-status", {
        "csrf": staff.csrf, "component": args.component, "status": target,
    })
    answered = time.monotonic()
    staff.save()
    common.check(answer.status == 303,
                 f"console change on A accepted ({args.component} → {target})",
                 f"HTTP {answer.status} after {common.ms(answered - sent)}",
                 f"HTTP {answer.status}: {answer.text[:300]!r}")

    deadline = sent + 5
    while time.monotonic() < deadline and ("api" not in seen or stream.first("status", sent) is None):
        time.sleep(0.01)
    stop.set()
    event_at = stream.first("status", sent)
    stream.stop()

    api_at = seen.get("api")
    common.check(api_at is not None and api_at - sent <= LIMIT,
                 "the change on A is on B's API within 1 s",
                 f"propagation {common.ms(api_at - sent)}" if api_at else "",
                 f"{common.ms(api_at - sent)}" if api_at
                 else f"not seen on B in 5 s ({seen.get('error', 'status unchanged')})")
    common.check(event_at is not None and event_at - sent <= LIMIT,
                 "B's live stream delivers the change within 1 s",
                 f"`status` event after {common.ms(event_at - sent)}" if event_at else "",
                 f"{common.ms(event_at - sent)}" if event_at
                 else f"no `status` event on B in 5 s ({stream.error or 'stream open'})")
    # The figures, for the driver's summary.
    figures = {"api_ms": round((api_at - sent) * 1000) if api_at else None,
               "stream_ms": round((event_at - sent) * 1000) if event_at else None,
               "status": target}
    if args.figures:
        with open(args.figures, "w") as f:
            json.dump(figures, f)


def refused(args):
    staff = Staff(args.jar)
    if not staff.cookie or not staff.csrf:
        common.fail("a staff change while the database is down answers 503", "no signed-in session saved")
        return
    try:
        answer = staff.send(args.base, "/admin/actions/component-status", {
            "csrf": staff.csrf, "component": args.component, "status": args.status,
        }, timeout=15)
    except Exception as error:  # noqa: BLE001
        common.fail("a staff change while the database is down answers 503", f"{type(error).__name__}: {error}")
        return
    text = answer.text
    says = "nothing was changed" in text or "아무것도 바뀌지 않았습니다" in text
    common.check(answer.status == 503 and says,
                 "a staff change while the database is down answers 503 \"nothing was changed\"",
                 f"HTTP {answer.status}",
                 f"HTTP {answer.status}, says nothing-was-changed: {says}; body: "
                 f"{re.sub(r'<[^>]+>', ' ', text)[:300].split()!r}")


def unchanged(args):
    status = component_status(args.base, args.component)
    common.check(status == args.status,
                 "the refused staff change changed nothing (after the database is back)",
                 f"{args.component} is still {status}",
                 f"{args.component} is {status}, expected {args.status}")


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("propagate")
    p.add_argument("--a", required=True)
    p.add_argument("--b", required=True)
    p.add_argument("--jar", required=True)
    p.add_argument("--component", default="kakaotalk/messages")
    p.add_argument("--status", default="major_outage")
    p.add_argument("--figures", default="", help="a JSON file for the measured times")
    p = sub.add_parser("refused")
    p.add_argument("--base", required=True)
    p.add_argument("--jar", required=True)
    p.add_argument("--component", default="kakaotalk/messages")
    p.add_argument("--status", default="degraded_performance")
    p = sub.add_parser("unchanged")
    p.add_argument("--base", required=True)
    p.add_argument("--component", default="kakaotalk/messages")
    p.add_argument("--status", required=True)
    args = parser.parse_args()
    {"propagate": propagate, "refused": refused, "unchanged": unchanged}[args.command](args)


if __name__ == "__main__":
    common.run(main)
