#!/usr/bin/env bash
# The long variants of the tests: the crash test on a large export, the bad-input corpus, a
# field over a gigabyte, and a fuzz run of the import seeded from the fixtures.
#
#   scripts/long-tests.sh [FUZZ_SECONDS]
#
# SIGNOFF_CRASH_ROWS (default 200000) sizes the crash test's export; FUZZ_SECONDS (default 600)
# bounds the fuzz run, 0 skips it. The fuzz run needs cargo-fuzz and the nightly toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzz_seconds=${1:-600}
export SIGNOFF_CRASH_ROWS=${SIGNOFF_CRASH_ROWS:-200000}

cargo test --release --test crash -- --test-threads=1
cargo test --release --test bad_input
# A field over SQLite's 1 GB limit: its row is rejected, the rest imported, in bounded memory.
SIGNOFF_LONG_TESTS=1 cargo test --release --test holes a_field_over_the_cap

if [ "$fuzz_seconds" -gt 0 ]; then
  if ! cargo +nightly fuzz --help >/dev/null 2>&1; then
    echo "long-tests: cargo-fuzz is missing: cargo install cargo-fuzz (needs the nightly toolchain)" >&2
    exit 1
  fi
  corpus=fuzz/corpus/import
  mkdir -p "$corpus"
  find tests/fixtures/import tests/fixtures/bad -type f ! -name 'MANIFEST.*' -exec cp {} "$corpus"/ \;
  # Safe Rust over SQLite (which is not instrumented anyway): without AddressSanitizer the
  # target runs three times as fast. Temporary files in memory when there is a tmpfs.
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
  cargo +nightly fuzz run import --sanitizer none "$corpus" -- \
    -dict=fuzz/import.dict -max_len=65536 -timeout=30 -rss_limit_mb=4096 \
    -max_total_time="$fuzz_seconds" -print_final_stats=1
fi
echo "long-tests: all passed"
