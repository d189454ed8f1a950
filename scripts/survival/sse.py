#!/usr/bin/env python3
"""Server-sent events: a reader (used by console.py too) and two checks.

  sse.py first --base URL [--within 1.0] [--name TEXT]
      the stream answers text/event-stream and delivers its first `sync` event within
      the limit (through nginx: proof that it is not buffered).
  sse.py drain --base URL --pid PID [--timeout 15]
      opens a stream on the instance, sends it SIGTERM, and measures when the server
      closes the stream and when the process has exited (the driver reads its exit code).
"""

import argparse
import http.client
import os
import signal
import threading
import time

import common


class SseReader(threading.Thread):
    """Reads one event stream in a thread; `events` is a list of (monotonic time, event
    name, data). `connected` is set once the first event (the server's `sync`) arrived;
    `closed` when the server ended the stream (or the connection broke)."""

    def __init__(self, base, path="/api/v1/events", timeout=30.0):
        super().__init__(daemon=True)
        self.base, self.path, self.timeout = base, path, timeout
        self.events = []
        self.status = None
        self.content_type = None
        self.error = None
        self.connected = threading.Event()
        self.closed = threading.Event()
        self.closed_at = None
        self.started_at = None
        self.lock = threading.Lock()
        self.conn = None

    def run(self):
        host, port = common.split(self.base)
        self.started_at = time.monotonic()
        try:
            self.conn = http.client.HTTPConnection(host, port, timeout=self.timeout)
            self.conn.request("GET", self.path, headers={"Accept": "text/event-stream"})
            response = self.conn.getresponse()
            self.status = response.status
            self.content_type = response.getheader("Content-Type", "")
            if response.status != 200:
                response.read()
                return
            event, data = "message", []
            while True:
                line = response.readline()
                if not line:
                    break  # the server closed the stream
                line = line.decode("utf-8", "replace").rstrip("\r\n")
                if line == "":
                    if data or event != "message":
                        with self.lock:
                            self.events.append((time.monotonic(), event, "\n".join(data)))
                        self.connected.set()
                    event, data = "message", []
                elif line.startswith(":"):
                    continue  # a comment: the heartbeat
                else:
                    field, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if field == "event":
                        event = value
                    elif field == "data":
                        data.append(value)
        except (OSError, http.client.HTTPException) as error:
            self.error = f"{type(error).__name__}: {error}"
        finally:
            self.closed_at = time.monotonic()
            self.closed.set()
            self.connected.set()  # wake anyone waiting for the connection

    def first(self, name, after=0.0):
        """The time of the first event called `name` received after `after`, or None."""
        with self.lock:
            for at, event, _ in self.events:
                if event == name and at >= after:
                    return at
        return None

    def stop(self):
        try:
            if self.conn is not None and self.conn.sock is not None:
                self.conn.sock.shutdown(2)
        except OSError:
            pass


def process_gone(pid):
    """True once the process has exited (gone, or a zombie waiting for its parent)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1].startswith("Z")
    except (FileNotFoundError, IndexError):
        return True


def first(args):
    reader = SseReader(args.base)
    started = time.monotonic()
    reader.start()
    reader.connected.wait(args.within + 4)
    at = reader.first("sync")
    reader.stop()
    name = args.name or f"live stream at {args.base} delivers its first event promptly"
    if at is None:
        why = reader.error or f"HTTP {reader.status}, {reader.content_type!r}, no sync event"
        common.fail(name, why)
        return
    elapsed = at - started
    common.check(
        elapsed <= args.within and (reader.content_type or "").startswith("text/event-stream"),
        name,
        f"sync event after {common.ms(elapsed)} ({reader.content_type})",
        f"sync event after {common.ms(elapsed)} (limit {args.within} s), {reader.content_type!r}",
    )


def drain(args):
    reader = SseReader(args.base, timeout=args.timeout + 5)
    reader.start()
    reader.connected.wait(5)
    if reader.first("sync") is None:
        common.fail("graceful drain: a live stream is open before SIGTERM",
                    reader.error or f"HTTP {reader.status}, no sync event")
    sent = time.monotonic()
    os.kill(args.pid, signal.SIGTERM)
    exited = None
    deadline = sent + args.timeout
    while time.monotonic() < deadline:
        if exited is None and process_gone(args.pid):
            exited = time.monotonic()
        if exited is not None and reader.closed.is_set():
            break
        time.sleep(0.02)
    closed = reader.closed_at if reader.closed.is_set() else None
    reader.stop()
    common.check(
        closed is not None,
        "graceful drain: the server closes the open live stream on SIGTERM",
        f"stream closed {common.ms(closed - sent)} after SIGTERM" if closed else "",
        f"stream still open {args.timeout:.0f} s after SIGTERM",
    )
    common.check(
        exited is not None,
        f"graceful drain: the process exits within {args.timeout:.0f} s of SIGTERM",
        f"exited {common.ms(exited - sent)} after SIGTERM" if exited else "",
        f"still running {args.timeout:.0f} s after SIGTERM",
    )


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("first")
    p.add_argument("--base", required=True)
    p.add_argument("--within", type=float, default=1.0)
    p.add_argument("--name", default="")
    p = sub.add_parser("drain")
    p.add_argument("--base", required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()
    {"first": first, "drain": drain}[args.command](args)


if __name__ == "__main__":
    common.run(main)
