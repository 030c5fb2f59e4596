#!/usr/bin/env bash
# What scripts/pg-test-server.sh promises (docs/testing.md, "The private PostgreSQL server").
#   settings           the fixture's server ($ABMD_TEST_PG_DIR) is private and throwaway
#   lifecycle SOURCE   a server of its own: start, a second start reuses it, a killed one restarts,
#                      stop removes everything, a second stop is fine, a folder the script did not
#                      make is neither used nor removed
set -euo pipefail

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

expect_eq() {  # what, expected, actual
  [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# True while the process runs: a zombie (dead, not yet reaped by whoever adopted it) does not count.
alive() {
  local state
  state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# Polls until the process is gone (a process exits a moment after its pid file is removed).
gone() {
  for _ in $(seq 1 200); do
    alive "$1" || return 0
    sleep 0.05
  done
  return 1
}

command -v psql >/dev/null || fail "psql is missing: scripts/install-test-deps.sh installs Debian's postgresql"

# The settings a fast, private test server runs with, checked through its url file.
check_settings() {
  local dir="$1" url
  url="$(cat "$dir/url")"
  [[ "$url" =~ ^postgresql://abmd_test@127\.0\.0\.1:[0-9]+/postgres$ ]] || fail "unexpected URL '$url'"
  local settings
  settings="$(psql "$url" -X -A -t -F ' ' -c "SELECT current_user, rolsuper, current_setting('fsync'),
      current_setting('synchronous_commit'), current_setting('full_page_writes'),
      current_setting('max_connections'), current_setting('listen_addresses'),
      current_setting('server_encoding'), current_setting('lc_collate')
    FROM pg_roles WHERE rolname = current_user")"
  expect_eq "user, superuser, fsync, synchronous_commit, full_page_writes, max_connections, listen_addresses, encoding, collation" \
    "abmd_test t off off off 200 127.0.0.1 UTF8 C" "$settings"
  expect_eq "socket directory" "$dir" "$(psql "$url" -X -A -t -c 'SHOW unix_socket_directories')"
  # Through the socket in DIR too, without a password.
  local port="${url##*:}"
  port="${port%%/*}"
  expect_eq "query over the unix socket" "1" "$(psql -X -A -t -h "$dir" -p "$port" -U abmd_test -d postgres -c 'SELECT 1')"
}

case "${1:-}" in
  settings)
    [ -n "${ABMD_TEST_PG_DIR:-}" ] || fail "ABMD_TEST_PG_DIR is not set (abm_tests_use_postgresql sets it)"
    check_settings "$ABMD_TEST_PG_DIR"
    ;;
  lifecycle)
    script="$2/scripts/pg-test-server.sh"
    dir="$(mktemp -d /tmp/abmd-pg-XXXXXX)"
    trap 'bash "$script" stop "$dir" >/dev/null 2>&1 || true; rm -rf "$dir.foreign"' EXIT
    rmdir "$dir"  # start creates it

    bash "$script" start "$dir"
    check_settings "$dir"
    url="$(cat "$dir/url")"
    pid="$(head -n 1 "$dir/data/postmaster.pid")"

    bash "$script" start "$dir"
    expect_eq "URL after a second start" "$url" "$(cat "$dir/url")"
    expect_eq "server pid after a second start" "$pid" "$(head -n 1 "$dir/data/postmaster.pid")"

    # A server killed without a goodbye (a CTest run cut short) is started again on the same data.
    psql "$url" -X -q -c "CREATE DATABASE kept"
    kill -KILL "$pid"
    gone "$pid" || fail "the server (pid $pid) outlived kill -9"
    bash "$script" start "$dir"
    url="$(cat "$dir/url")"
    expect_eq "database kept over a restart" "1" \
      "$(psql "$url" -X -A -t -c "SELECT count(*) FROM pg_database WHERE datname = 'kept'")"
    pid="$(head -n 1 "$dir/data/postmaster.pid")"

    bash "$script" stop "$dir"
    [ ! -e "$dir" ] || fail "stop left $dir behind"
    gone "$pid" || fail "stop left the server (pid $pid) running"
    bash "$script" stop "$dir" || fail "a second stop failed"

    # Stop after a kill -9: nothing to stop, the folder still goes.
    bash "$script" start "$dir" >/dev/null
    pid="$(head -n 1 "$dir/data/postmaster.pid")"
    kill -KILL "$pid"
    gone "$pid" || fail "the server (pid $pid) outlived kill -9"
    bash "$script" stop "$dir" || fail "stop after kill -9 failed"
    [ ! -e "$dir" ] || fail "stop after kill -9 left $dir behind"

    # A folder the script did not make is never removed.
    mkdir "$dir.foreign" && touch "$dir.foreign/precious"
    if bash "$script" start "$dir.foreign" 2>/dev/null; then fail "start took over a folder it did not make"; fi
    if bash "$script" stop "$dir.foreign" 2>/dev/null; then fail "stop accepted a folder it did not make"; fi
    expect_eq "the foreign folder's content" "precious" "$(ls -A "$dir.foreign")"
    expect_eq "the foreign folder's owner" "$(id -un)" "$(stat -c %U "$dir.foreign")"
    ;;
  *)
    echo "usage: $0 settings | lifecycle SOURCE_DIR" >&2
    exit 2
    ;;
esac
echo "ok"
