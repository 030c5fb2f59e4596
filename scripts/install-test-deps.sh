#!/usr/bin/env bash
# Installs the Debian 12 packages that only the tests need (not the build, not the demo), if any are
# missing: promtool (package prometheus) checks the /metrics output; node and npm run Segment's
# SDK; postgresql (on Debian 12 PostgreSQL 15: initdb, pg_ctl, postgres) runs the private server of
# scripts/pg-test-server.sh; chromium drives the dashboards' browser tests headless; dpkg-dev,
# groff-base, bsdextrautils, file and systemd let the package test build the .deb (dpkg-shlibdeps),
# render the man pages and score the unit (systemd-analyze, offline: nothing is started).
# scripts/test.sh calls this; CI does too. A test whose tool is missing fails and names this script
# (the browser tests skip instead, saying so, on a machine where chromium cannot be installed).
set -euo pipefail
packages=(prometheus curl postgresql chromium dpkg-dev groff-base bsdextrautils file systemd)
missing=()
# The collector's test runs the real @segment/analytics-node (npm, into build/node_sdk). A machine
# with its own Node.js and npm keeps them; one without gets Debian's.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing for the tests: ${missing[*]}"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd apt-get update -qq
# Debian ships promtool only inside the prometheus package, which also installs the server, and the
# postgresql package creates and starts a system-wide cluster (port 5432). A policy-rc.d answering
# 101 ("action not allowed") keeps both from starting their service while they install; the tests
# never talk to them (PostgreSQL tests use their own server, started by scripts/pg-test-server.sh).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee "$policy" >/dev/null
  $sudo_cmd chmod 755 "$policy"
  trap '$sudo_cmd rm -f "$policy"' EXIT
fi
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
