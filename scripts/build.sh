#!/usr/bin/env bash
# Configures and builds abmd into build/ (two parallel jobs: the reference machine has two cores).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build build -j2
