#!/usr/bin/env bash
# Installs the Debian 12 packages abmd builds and tests with, if any are missing. libpq-dev: the
# PostgreSQL store backend (and the tests' database helper) link libpq. libjs-chart.js: the
# dashboards' charts (abmd serves /usr/share/javascript/chart.js/chart.min.js at /static/chart.js).
set -euo pipefail
packages=(cmake g++ make pkg-config libboost1.81-dev libcurl4-openssl-dev nlohmann-json3-dev libsqlite3-dev
          libpq-dev sqlite3 zlib1g-dev libgtest-dev libgmock-dev python3 publicsuffix libjs-chart.js)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
