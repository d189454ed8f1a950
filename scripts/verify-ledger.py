#!/usr/bin/env python3
"""Re-verifies a ledger export (GET /admin/ledger/export, JSON Lines) without any of the
site's code: only the rule written in the README.

  canonical = JSON of {seq, at, actor, action, change}: keys sorted at every level,
              no spaces, UTF-8 (non-ASCII not escaped)
  hash      = hex(SHA-256(prev_hash + canonical)); prev_hash of the first entry is 64 zeros

Usage: scripts/verify-ledger.py ledger.jsonl   (or read from standard input)
Prints "OK <count> <head hash>" and exits 0, or names the first entry that does not verify
and exits 1.
"""
import hashlib
import json
import sys

GENESIS = "0" * 64


def main() -> int:
    source = open(sys.argv[1], encoding="utf-8") if len(sys.argv) > 1 else sys.stdin
    prev, count = GENESIS, 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        entry = json.loads(line)
        canonical = json.dumps(
            {k: entry[k] for k in ("seq", "at", "actor", "action", "change")},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        if entry["seq"] != count + 1:
            print(f"BROKEN at line {number}: sequence {entry['seq']}, expected {count + 1}")
            return 1
        if entry["prev_hash"] != prev:
            print(f"BROKEN at seq {entry['seq']}: prev_hash does not name the entry before")
            return 1
        digest = hashlib.sha256((prev + canonical).encode("utf-8")).hexdigest()
        if digest != entry["hash"]:
            print(f"BROKEN at seq {entry['seq']}: the hash does not match the content")
            return 1
        prev, count = digest, count + 1
    print(f"OK {count} {prev}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
