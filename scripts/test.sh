#!/usr/bin/env bash
# Builds abmd, runs each fuzz target for ABMD_FUZZ_SECONDS (default 20; 0 skips it), then the whole
# test suite (unit and integration) through CTest, whose summary stays the last word of the output.
# See docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
bash scripts/install-test-deps.sh
fuzz_seconds="${ABMD_FUZZ_SECONDS:-20}"
fuzz_status=0
if [ "$fuzz_seconds" -gt 0 ]; then
  bash scripts/fuzz.sh "$fuzz_seconds" || fuzz_status=$?
fi
(cd build && ctest -j2 --output-on-failure --timeout 300)
if [ "$fuzz_status" -ne 0 ]; then
  echo "the fuzz run failed (exit $fuzz_status): see scripts/fuzz.sh's output above" >&2
  exit "$fuzz_status"
fi
