#!/usr/bin/env python3
"""Re-verifies a ledger export (GET /admin/ledger/export, JSON Lines) without any of the
site's code: only the rule written in the README.

  canonical = JSON of {seq, at, actor, action, change}: keys sorted at every level,
              no spaces, UTF-8 (non-ASCII not escaped)
  hash      = hex(SHA-256(prev_hash + canonical)); prev_hash of the first entry is 64 zeros

Usage: scripts/verify-ledger.py ledger.jsonl   (or read from standard input)
Prints "OK <count> <head hash>" and exits 0, or names the first entry that does not verify
and exits 1.

  scripts/verify-ledger.py ledger.jsonl --export availability-2022.csv
also checks a record export (CSV or JSON: /availability.*, /history.*,
/incidents/{id}/record.*) against that chain: the ledger point it names (ledger_seq and
ledger_head_hash) must be an entry of the verified chain, with that hash, and so must
every ledger entry an incident record lists behind its figures (JSON "ledger_entries",
CSV rows of section "ledger_entry"), none of them after that point. Prints a second line
"EXPORT OK <seq> <hash> as of <moment>; <n> entries behind it", or says what does not
match and exits 1.
"""
import csv
import hashlib
import json
import sys

GENESIS = "0" * 64


def verify(lines):
    """Returns (count, head, {seq: hash}) or raises ValueError naming the broken entry."""
    prev, count, hashes = GENESIS, 0, {}
    for number, line in enumerate(lines, start=1):
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
            raise ValueError(f"BROKEN at line {number}: sequence {entry['seq']}, expected {count + 1}")
        if entry["prev_hash"] != prev:
            raise ValueError(f"BROKEN at seq {entry['seq']}: prev_hash does not name the entry before")
        digest = hashlib.sha256((prev + canonical).encode("utf-8")).hexdigest()
        if digest != entry["hash"]:
            raise ValueError(f"BROKEN at seq {entry['seq']}: the hash does not match the content")
        prev, count = digest, count + 1
        hashes[count] = digest
    return count, prev, hashes


def export_point(path):
    """The (seq, hash, as_of, [(seq, hash) of the entries listed]) an export names, from
    its JSON or from every CSV row."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        text = f.read()
    if text.lstrip().startswith("{"):
        doc = json.loads(text)
        ledger = doc.get("ledger") or {}
        listed = [(e["seq"], e["hash"]) for e in doc.get("ledger_entries") or []]
        return ledger.get("seq"), ledger.get("head_hash"), doc.get("as_of"), listed
    rows = list(csv.DictReader(text.splitlines()))
    points = {(r["ledger_seq"], r["ledger_head_hash"], r["as_of"]) for r in rows}
    if len(points) != 1:
        raise ValueError(f"EXPORT BROKEN: its rows name {len(points)} ledger points, not one")
    seq, digest, as_of = points.pop()
    listed = [(int(r["subject"]), r["value"]) for r in rows if r.get("section") == "ledger_entry"]
    return (int(seq) if seq else None), digest, as_of, listed


def main() -> int:
    args = sys.argv[1:]
    export = None
    if "--export" in args:
        at = args.index("--export")
        export = args[at + 1]
        del args[at : at + 2]
    source = open(args[0], encoding="utf-8") if args else sys.stdin
    try:
        count, head, hashes = verify(source)
    except ValueError as broken:
        print(broken)
        return 1
    print(f"OK {count} {head}")
    if export is None:
        return 0
    try:
        seq, digest, as_of, listed = export_point(export)
    except ValueError as broken:
        print(broken)
        return 1
    if seq is None or seq not in hashes:
        print(f"EXPORT BROKEN: it names ledger entry {seq}, which this chain does not have")
        return 1
    if hashes[seq] != digest:
        print(f"EXPORT BROKEN: entry {seq} has hash {hashes[seq]}, the export says {digest}")
        return 1
    for number, claimed in listed:
        if number > seq or hashes.get(number) != claimed:
            print(f"EXPORT BROKEN: it lists entry {number} with hash {claimed}, which this chain does not have")
            return 1
    print(f"EXPORT OK {seq} {digest} as of {as_of}; {len(listed)} entries behind it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
