"""Holds live streams (`/api/v1/events`) open through the soak and checks that each one
stays open for the whole time, starts with its `sync` event and receives the heartbeats.

Usage: live_streams.py BASE_URL STREAMS SECONDS
Prints `ok   …` / `FAIL …` lines (scripts/hardening-test.sh counts them). Standard library only.
"""

import asyncio
import sys
import time
import urllib.parse

BASE, STREAMS, SECONDS = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
URL = urllib.parse.urlsplit(BASE)
HOST, PORT = URL.hostname, URL.port or 80


async def hold():
    """(seconds open, sync seen, heartbeats, events, status line)."""
    started = time.monotonic()
    reader, writer = await asyncio.open_connection(HOST, PORT)
    writer.write(f"GET /api/v1/events HTTP/1.1\r\nHost: {HOST}\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    status = (await reader.readline()).decode().strip()
    sync, heartbeats, events = False, 0, 0
    while time.monotonic() - started < SECONDS:
        try:
            line = await asyncio.wait_for(reader.readline(), max(0.1, SECONDS - (time.monotonic() - started)))
        except asyncio.TimeoutError:
            break
        if not line:
            break  # the server closed the stream
        if line.startswith(b"event: sync"):
            sync = True
        elif line.startswith(b"event: "):
            events += 1
        elif line.startswith(b":heartbeat") or line.startswith(b": heartbeat"):
            heartbeats += 1
    open_for = time.monotonic() - started
    writer.close()
    return open_for, sync, heartbeats, events, status


async def main():
    results = await asyncio.gather(*(hold() for _ in range(STREAMS)), return_exceptions=True)
    broken = [r for r in results if isinstance(r, BaseException)]
    held = [r for r in results if not isinstance(r, BaseException)]
    whole = [r for r in held if r[0] >= SECONDS - 1 and r[1] and r[4].startswith("HTTP/1.1 200")]
    beats = min((r[2] for r in held), default=0)
    events = sum(r[3] for r in held)
    good = not broken and len(whole) == STREAMS and beats >= int(SECONDS // 15) - 1
    print(("ok   " if good else "FAIL ")
          + f"live streams held through the soak — {len(whole)}/{STREAMS} open for {SECONDS:.0f} s with their sync event,"
          + f" at least {beats} heartbeats each, {events} events in all, {len(broken)} failed"
          + (f" ({broken[0]!r})" if broken else ""), flush=True)
    return 0 if good else 1


sys.exit(asyncio.run(main()))
