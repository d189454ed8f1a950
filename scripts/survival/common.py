"""What the survival helpers share: one HTTP request, check lines, JSON results.

Every helper prints one line per check, `ok   <what> — <figure>` or `FAIL <what> — <why>`,
which scripts/survival-test.sh counts; a helper that crashes prints a FAIL line too.
Standard library only (python3 >= 3.9).
"""

import http.client
import json
import socket
import sys
import time
import traceback
import urllib.parse

FAILED = False


def ok(name, figure=""):
    print(f"ok   {name}" + (f" — {figure}" if figure else ""), flush=True)


def fail(name, why):
    global FAILED
    FAILED = True
    print(f"FAIL {name} — {why}", flush=True)


def check(condition, name, figure, why=None):
    """One check line; `why` (default: the figure) explains a failure."""
    if condition:
        ok(name, figure)
    else:
        fail(name, why if why is not None else figure)
    return condition


def info(text):
    """A line the driver shows but does not count."""
    print(f"     {text}", flush=True)


class Answer:
    def __init__(self, status, headers, body, elapsed):
        self.status = status
        self.headers = headers
        self.body = body
        self.elapsed = elapsed

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


def split(base):
    u = urllib.parse.urlsplit(base)
    return u.hostname, u.port or 80


def request(base, path, method="GET", body=None, headers=None, timeout=10.0, source=None):
    """One request on a fresh connection; raises OSError / HTTPException on transport errors.

    `source` binds the client socket to that address (any 127.x.y.z works on loopback),
    so that each simulated client has its own address."""
    host, port = split(base)
    conn = http.client.HTTPConnection(
        host, port, timeout=timeout, source_address=(source, 0) if source else None
    )
    started = time.monotonic()
    try:
        hdrs = {"Connection": "close"}
        hdrs.update(headers or {})
        if isinstance(body, str):
            body = body.encode("utf-8")
        conn.request(method, path, body=body, headers=hdrs)
        response = conn.getresponse()
        data = response.read()
        return Answer(response.status, response.getheaders(), data, time.monotonic() - started)
    finally:
        conn.close()


def try_request(base, path, **kwargs):
    """Like request, but a transport error is returned as (None, error text)."""
    try:
        return request(base, path, **kwargs), None
    except (OSError, http.client.HTTPException) as error:
        return None, f"{type(error).__name__}: {error}"


def health(base, timeout=3.0):
    """/healthz as a dict: its JSON, or {"_text": body} when it is not JSON, or None."""
    answer, _ = try_request(base, "/healthz", timeout=timeout)
    if answer is None:
        return None
    try:
        data = answer.json()
        if not isinstance(data, dict):
            data = {"_text": answer.text}
    except ValueError:
        data = {"_text": answer.text.strip()[:200]}
    data["_status"] = answer.status
    return data


def port_open(base, timeout=0.5):
    host, port = split(base)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def ms(seconds):
    return f"{seconds * 1000:.0f} ms"


def run(main):
    """Runs a helper's main; an exception becomes a FAIL line (exit 3), a failed check exit 1."""
    name = sys.argv[0].rsplit("/", 1)[-1]
    try:
        main()
    except KeyboardInterrupt:
        fail(name, "interrupted")
        sys.exit(3)
    except Exception as error:  # noqa: BLE001 - a crash is reported as a failed check
        traceback.print_exc(file=sys.stderr)
        fail(f"{name} ran to its end", f"crashed: {type(error).__name__}: {error}")
        sys.exit(3)
    sys.exit(1 if FAILED else 0)
