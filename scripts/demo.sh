#!/usr/bin/env bash
# The main job on the embedded default: builds abmd, generates the bundled demo data set, runs every
# demo connector once through the real plugins into a SQLite store, and prints a short report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
if [ ! -f demo-data/files/touchpoints.csv ]; then
  ./build/bin/abm-demo-gen demo-data/files
fi
config=connectors_config/demo/abmd.json
echo
echo "== abmd --once: syncing the demo connectors (logs are JSON lines) =="
./build/bin/abmd -c "$config" --once
echo
echo "== abmctl metrics run: as of the end of the demo data, so the figures read the same any day =="
./build/bin/abmctl -c "$config" metrics run --as-of 2026-10-31T00:00:00Z
echo
echo "== abmctl report =="
./build/bin/abmctl -c "$config" report
echo
echo "== abmctl report executive: target against non-target accounts, last 90 days =="
./build/bin/abmctl -c "$config" report executive
echo
echo "== abmctl report campaigns =="
./build/bin/abmctl -c "$config" report campaigns
echo
echo "Dashboards: ./build/bin/abmd -c $config, then open http://127.0.0.1:7470/ (docs/dashboards.md)"
echo "Store: $(pwd)/demo-data/abm.db  (sqlite3 demo-data/abm.db, or ./build/bin/abmctl -c $config status)"
