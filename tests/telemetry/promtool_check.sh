#!/usr/bin/env bash
# Runs `promtool check metrics` (format and lint) on Prometheus text read from a file, or from a URL
# when the argument starts with http://. Usage: promtool_check.sh FILE|URL
# Fails when promtool is missing rather than passing without having checked anything.
set -euo pipefail
if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool is not installed, so the /metrics output cannot be checked: run scripts/install-test-deps.sh" \
       "(Debian package prometheus)" >&2
  exit 1
fi
input="$1"
if [[ "$input" == http://* ]]; then
  text="$(curl -fsS "$input")"
else
  text="$(cat "$input")"
fi
[ -n "$text" ] || { echo "no metrics to check in $input" >&2; exit 1; }
printf '%s\n' "$text" | promtool check metrics
