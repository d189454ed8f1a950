#!/usr/bin/env bash
# Flat-cost benchmark: does a change, a page or the API slow down as the history grows?
# Runs server/examples/history_load.rs (release): the whole server in one process on a
# new SQLite database, a generated history appended through the staff write path, and at
# each size the appending rate, a staff change, the pages rendered right after it, and
# the resident memory.
#
#   bash scripts/bench-history.sh                 # sizes 5 1000 5000 10000 (~10 minutes)
#   bash scripts/bench-history.sh 5 1000 2000     # other sizes
#   TMPDIR=/dev/shm bash scripts/bench-history.sh # the database on tmpfs: no fsync, the
#                                                 # server's own CPU cost
#
# Figures are written to stdout and target/bench/history.md (docs/benchmark.md keeps the
# last ones measured). Run it on an otherwise idle machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
cargo build --release -p server --example history_load
mkdir -p target/bench
RUST_LOG="${RUST_LOG:-error}" target/release/examples/history_load "$@" | tee target/bench/history.md
