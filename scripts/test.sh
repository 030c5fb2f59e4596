#!/usr/bin/env bash
# Builds abmd and runs the whole test suite (unit and integration) through CTest, then runs each
# fuzz target for ABMD_FUZZ_SECONDS (default 20; 0 skips it). See docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
(cd build && ctest -j2 --output-on-failure --timeout 300)
fuzz_seconds="${ABMD_FUZZ_SECONDS:-20}"
if [ "$fuzz_seconds" -gt 0 ]; then
  bash scripts/fuzz.sh "$fuzz_seconds"
fi
