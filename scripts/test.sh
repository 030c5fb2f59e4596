#!/usr/bin/env bash
# Builds abmd and runs the whole test suite (unit and integration) through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ctest -j2 --output-on-failure --timeout 300
