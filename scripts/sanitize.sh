#!/usr/bin/env bash
# Builds the asan (AddressSanitizer + UndefinedBehaviorSanitizer) or tsan (ThreadSanitizer) preset
# into build-asan/ or build-tsan/ and runs the whole test suite under it. See docs/testing.md.
#   bash scripts/sanitize.sh asan|tsan [extra ctest arguments, e.g. -R Sync]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-}"
case "$preset" in
  asan|tsan) shift ;;
  *) echo "usage: $0 asan|tsan [ctest arguments]" >&2; exit 2 ;;
esac
bash scripts/install-deps.sh
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake --preset "$preset" "${launcher[@]}" >/dev/null
cmake --build --preset "$preset"
# The sanitizer options (ASAN_OPTIONS, UBSAN_OPTIONS, TSAN_OPTIONS) live in the test preset in
# CMakePresets.json, so `ctest --preset asan` alone behaves the same as this script.
ctest --preset "$preset" "$@"
