#!/usr/bin/env bash
# Runs every benchmark of BENCHMARKS.md, each side by side with its anchor where it has one.
# Installs the anchor's sqlite3 when it is missing. The first run builds the 1 000 000-row
# stores under target/bench-data (about 3 GB) and takes a few minutes more.
#
#   scripts/bench.sh              all of them
#   scripts/bench.sh import draw  some of them (import, weekly_import, draw, tui, checks, report)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v sqlite3 >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        SUDO=""
        [ "$(id -u)" -eq 0 ] || SUDO="sudo"
        $SUDO apt-get update -qq
        $SUDO apt-get install -y -qq sqlite3
    else
        echo "bench: sqlite3 is needed for the import anchor; install it and run again" >&2
        exit 1
    fi
fi

benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(import weekly_import draw tui checks report)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
# The benches run signoff with its clock at their data's date: the library's entry behind
# examples/fixed_clock.
cargo build --release --examples
for b in "${benches[@]}"; do
    echo
    echo "== cargo bench --bench $b"
    cargo bench --bench "$b"
done
