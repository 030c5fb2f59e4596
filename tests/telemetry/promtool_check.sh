#!/usr/bin/env bash
# Checks abmd's Prometheus output and alerting rules with promtool:
#   promtool_check.sh metrics FILE|URL      `promtool check metrics` (format and lint) on what FILE
#                                            holds or what a GET of URL (http://...) answers
#   promtool_check.sh rules RULES TEST      `promtool check rules RULES`, then `promtool test rules TEST`
# Fails when promtool is missing rather than passing without having checked anything.
set -euo pipefail
if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool is not installed, so abmd's metrics cannot be checked: run scripts/install-test-deps.sh" \
       "(Debian package prometheus)" >&2
  exit 1
fi
case "${1:-}" in
  metrics)
    input="$2"
    if [[ "$input" == http://* ]]; then
      text="$(curl -fsS "$input")"
    else
      text="$(cat "$input")"
    fi
    [ -n "$text" ] || { echo "no metrics to check in $input" >&2; exit 1; }
    printf '%s\n' "$text" | promtool check metrics
    ;;
  rules)
    promtool check rules "$2"
    cd "$(dirname "$3")" && promtool test rules "$(basename "$3")"
    ;;
  *)
    echo "usage: $0 metrics FILE|URL | rules RULES_FILE TEST_FILE" >&2
    exit 2
    ;;
esac
