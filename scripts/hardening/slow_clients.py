"""Slow and hostile clients against a running server: thousands of connections that
trickle their request heads a byte at a time (slowloris) and bodies a byte at a time
(slow POST), while ordinary readers keep reading. Checks that the readers are served
within their usual latency and that every slow connection is closed by the server soon
after its deadline (the head deadline, STATUS_HEADER_TIMEOUT_SECONDS; the body deadline,
STATUS_BODY_TIMEOUT_SECONDS).

Usage: slow_clients.py BASE_URL SERVER_PID HEADER_TIMEOUT BODY_TIMEOUT [SLOWLORIS] [SLOW_POSTS]
Prints one `ok   …` / `FAIL …` line per check with its figures (scripts/hardening-test.sh
counts them). Standard library only.
"""

import asyncio
import random
import resource
import sys
import time
import urllib.parse

BASE, PID = sys.argv[1], int(sys.argv[2])
HEAD_DEADLINE, BODY_DEADLINE = float(sys.argv[3]), float(sys.argv[4])
SLOWLORIS = int(sys.argv[5]) if len(sys.argv) > 5 else 2000
SLOW_POSTS = int(sys.argv[6]) if len(sys.argv) > 6 else 500
URL = urllib.parse.urlsplit(BASE)
HOST, PORT = URL.hostname, URL.port or 80
READ_PATHS = ["/", "/api/v2/summary.json", "/services/kakaotalk", "/api/v1/incidents"]
# The margin past a deadline within which the server must have closed: timers, and
# this client's own event loop under 2,500 connections.
MARGIN = 3.0

failed = False


def check(condition, name, figure):
    global failed
    failed |= not condition
    print(("ok   " if condition else "FAIL ") + f"{name} — {figure}", flush=True)


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


async def read_once(path):
    """A fresh connection, one GET, the whole answer: (status, seconds)."""
    started = time.monotonic()
    reader, writer = await asyncio.open_connection(HOST, PORT)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    answer = await reader.read()
    writer.close()
    status = int(answer[9:12]) if answer.startswith(b"HTTP/1.1 ") else 0
    return status, time.monotonic() - started


async def readers(count):
    statuses, latencies = [], []
    for i in range(count):
        status, seconds = await read_once(READ_PATHS[i % len(READ_PATHS)])
        statuses.append(status)
        latencies.append(seconds * 1000)
    return statuses, latencies


async def open_connections():
    """Open connections as the server counts them (its /metrics gauge)."""
    reader, writer = await asyncio.open_connection(HOST, PORT)
    writer.write(f"GET /metrics HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
    answer = (await reader.read()).decode("utf-8", "replace")
    writer.close()
    for line in answer.splitlines():
        if line.startswith("status_connections_open "):
            return float(line.split()[1])
    return -1.0


async def trickle(head, body_bytes, every, give_up):
    """Sends `head` a byte every `every` seconds (or, with body_bytes, the whole head and
    then a body byte at a time). Returns (seconds until the server closed, or None when it
    did not within give_up; the first bytes of its answer)."""
    started = time.monotonic()
    try:
        reader, writer = await asyncio.open_connection(HOST, PORT)
    except OSError as error:
        return ("refused", str(error))
    # Spread the clients' ticks over the second: all of them at once would stall this
    # script's own event loop and show up as reader latency that is not the server's.
    await asyncio.sleep(random.random() * every)
    answer = b""
    if body_bytes:
        writer.write(head)
        source = b"f" * body_bytes
    else:
        source = head
    try:
        for i in range(len(source) * 100):
            if time.monotonic() - started > give_up:
                writer.close()
                return (None, answer)
            writer.write(source[i % len(source): i % len(source) + 1])
            await writer.drain()
            try:
                chunk = await asyncio.wait_for(reader.read(512), every)
                if not chunk:
                    break
                answer += chunk
            except asyncio.TimeoutError:
                pass
    except (ConnectionError, OSError):
        pass
    writer.close()
    return (time.monotonic() - started, answer[:40])


async def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    await readers(8)  # the pages are rendered and cached before the clock starts
    statuses, usual = await readers(200)
    check(all(s == 200 for s in statuses), "readers before the slow clients", f"200 reads, p50 {percentile(usual, 50):.1f} ms, p99 {percentile(usual, 99):.1f} ms")
    rss_before = rss_mb(PID)

    head = f"GET / HTTP/1.1\r\nHost: {HOST}\r\nUser-Agent: slowloris\r\nX-Padding: {'a' * 200}\r\n".encode()
    post = (f"POST /api/v1/reports HTTP/1.1\r\nHost: {HOST}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n").encode()
    give_up = max(HEAD_DEADLINE, BODY_DEADLINE) + 20
    attack = [asyncio.create_task(trickle(head, 0, 1.0, give_up)) for _ in range(SLOWLORIS)]
    attack += [asyncio.create_task(trickle(post, 10000, 1.0, give_up)) for _ in range(SLOW_POSTS)]
    await asyncio.sleep(min(HEAD_DEADLINE, BODY_DEADLINE) / 3)
    held = await open_connections()
    check(held >= 0.9 * (SLOWLORIS + SLOW_POSTS), "the slow clients are connected", f"{held:.0f} connections open on the server ({SLOWLORIS} slowloris, {SLOW_POSTS} slow POST)")

    statuses, during = await readers(200)
    rss_peak = rss_mb(PID)
    p99_usual, p99_during = percentile(usual, 99), percentile(during, 99)
    check(all(s == 200 for s in statuses) and p99_during <= max(3 * p99_usual, p99_usual + 50),
          "readers while the slow clients hold their connections",
          f"200 reads, p50 {percentile(during, 50):.1f} ms, p99 {p99_during:.1f} ms (before: p99 {p99_usual:.1f} ms; at most 3x or +50 ms)")

    results = await asyncio.gather(*attack)
    heads, bodies = results[:SLOWLORIS], results[SLOWLORIS:]
    refused = [r for r in results if r[0] == "refused"]
    check(not refused, "every slow client got a connection", f"{len(refused)} refused")
    head_closed = [r[0] for r in heads if isinstance(r[0], float)]
    check(len(head_closed) == SLOWLORIS and max(head_closed) <= HEAD_DEADLINE + MARGIN,
          "slowloris connections closed by the server",
          f"{len(head_closed)}/{SLOWLORIS} closed, after {min(head_closed or [0]):.1f}–{max(head_closed or [0]):.1f} s (deadline {HEAD_DEADLINE:.0f} s)")
    body_closed = [r[0] for r in bodies if isinstance(r[0], float)]
    answered_408 = sum(1 for r in bodies if isinstance(r[1], bytes) and r[1].startswith(b"HTTP/1.1 408"))
    check(len(body_closed) == SLOW_POSTS and max(body_closed or [0]) <= BODY_DEADLINE + MARGIN,
          "slow POST connections cut off by the server",
          f"{len(body_closed)}/{SLOW_POSTS} closed, after {min(body_closed or [0]):.1f}–{max(body_closed or [0]):.1f} s (deadline {BODY_DEADLINE:.0f} s); {answered_408} read the 408 before the close")
    await asyncio.sleep(1)
    left = await open_connections()
    rss_after = rss_mb(PID)
    check(left <= 5, "no connection left behind", f"{left:.0f} open after the slow clients; RSS {rss_before:.0f} MB before, {rss_peak:.0f} MB during, {rss_after:.0f} MB after")
    statuses, after = await readers(100)
    check(all(s == 200 for s in statuses), "readers after the slow clients", f"p99 {percentile(after, 99):.1f} ms")


asyncio.run(main())
sys.exit(1 if failed else 0)
