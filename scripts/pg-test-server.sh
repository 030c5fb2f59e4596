#!/usr/bin/env bash
# A private, throwaway PostgreSQL server for the test suite (docs/testing.md).
#
#   bash scripts/pg-test-server.sh start DIR   # DIR/url holds postgresql://abmd_test@127.0.0.1:PORT/postgres
#   bash scripts/pg-test-server.sh stop DIR    # stops it and removes DIR
#
# Everything lives in DIR: the cluster (DIR/data), its log (DIR/server.log) and its unix socket. The
# server listens on 127.0.0.1 only, on a free port chosen at start, and trusts every local connection
# (user abmd_test, a superuser). It runs without fsync: a crash loses its data, which tests never keep.
# As root, initdb and the server run as `nobody` (PostgreSQL refuses root) with DIR owned by it, so
# nothing is created outside DIR. `start` on a DIR whose server runs reuses it; `stop` without a
# server is not an error. CTest runs both as the fixture `postgresql` (PostgreSQL.StartServer and
# PostgreSQL.StopServer, tests/CMakeLists.txt).
set -euo pipefail

readonly kUser=abmd_test          # the superuser the tests connect as
readonly kServerAccount=nobody    # who runs the server when this script runs as root
readonly kMarker=abmd-test-pg     # a file in DIR saying that `stop` may remove DIR
readonly kReadySeconds=60

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}

die() {
  echo "pg-test-server: $*" >&2
  exit 1
}

# The server log's last lines, after an error, so that the reason shows in the test output.
log_tail() {
  local log="$dir/server.log"
  if [ -s "$log" ]; then
    echo "--- last lines of $log:" >&2
    tail -n 25 "$log" >&2
    echo "---" >&2
  fi
}

die_with_log() {
  echo "pg-test-server: $*" >&2
  log_tail
  exit 1
}

# The newest PostgreSQL server's binaries. `pg_config --bindir` belongs to libpq-dev and may name a
# folder without initdb, so Debian's per-version folders come first.
find_bindir() {
  local candidate
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -n -r); do
    if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
      echo "$candidate"
      return
    fi
  done
  if command -v pg_config >/dev/null 2>&1; then
    candidate="$(pg_config --bindir)"
    if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
      echo "$candidate"
      return
    fi
  fi
  candidate="$(command -v initdb 2>/dev/null || true)"
  if [ -n "$candidate" ] && [ -x "$(dirname "$candidate")/pg_ctl" ]; then
    dirname "$candidate"
    return
  fi
  die "no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin, pg_config --bindir or PATH: run scripts/install-test-deps.sh (Debian package postgresql)"
}

# Runs a command as the account that owns the server: as root, the owner of DIR (`nobody` once
# `start` has made it); else ourselves. From inside DIR, so that the server's account never needs
# the caller's working directory. Without the lock's descriptor (9): a server that inherited it
# would hold the lock for its whole life.
as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    local owner
    owner="$(stat -c %U "$dir")"
    [ "$owner" != root ] || owner="$kServerAccount"
    (cd "$dir" && runuser -u "$owner" -- "$@" 9>&-)
  else
    (cd "$dir" && "$@" 9>&-)
  fi
}

# A TCP port on 127.0.0.1 that nothing listens on right now (the kernel's pick).
free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' || die "could not pick a free TCP port on 127.0.0.1 (python3 failed)"
}

# pg_ctl status only asks whether the pid in postmaster.pid exists; a server killed with -9 stays a
# zombie until whoever adopted it reaps it, and a zombie is no server.
server_running() {
  [ -f "$dir/data/postmaster.pid" ] || return 1
  as_server "$bindir/pg_ctl" status -D "$dir/data" >/dev/null 2>&1 || return 1
  local state
  state="$(awk '{print $3}' "/proc/$(head -n 1 "$dir/data/postmaster.pid")/stat" 2>/dev/null)" || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# The port of the running server: the fourth line of postmaster.pid.
running_port() {
  sed -n 4p "$dir/data/postmaster.pid"
}

# A server that was killed leaves its postmaster.pid. The new server would take a zombie's pid in
# it for a live server and refuse to start, so the file goes once the old server's processes have
# all let go of its shared memory (the segment id is on line 7) -- the check PostgreSQL itself makes.
clear_stale_lock() {
  local pidfile="$dir/data/postmaster.pid" shmid attached="" i
  [ -f "$pidfile" ] || return 0
  shmid="$(sed -n 7p "$pidfile" | awk '{print $2}')"
  if [ -n "$shmid" ] && [ -r /proc/sysvipc/shm ]; then
    for ((i = 0; i < 100; i++)); do
      attached="$(awk -v id="$shmid" '$2 == id {print $7}' /proc/sysvipc/shm)"
      [ -z "$attached" ] || [ "$attached" = 0 ] && break
      sleep 0.1
    done
    [ -z "$attached" ] || [ "$attached" = 0 ] \
      || die "$attached process(es) of the server that ran in $dir/data still hold its shared memory (id $shmid): end them, then start again"
  fi
  rm -f "$pidfile"
}

write_url() {
  local port="$1"
  echo "postgresql://$kUser@127.0.0.1:$port/postgres" > "$dir/url.tmp"
  mv "$dir/url.tmp" "$dir/url"
}

wait_ready() {
  local port="$1" i
  for ((i = 0; i < kReadySeconds * 4; i++)); do
    if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$kUser" -d postgres; then
      return 0
    fi
    sleep 0.25
  done
  die_with_log "the server in $dir/data does not accept connections on 127.0.0.1:$port after ${kReadySeconds} s"
}

init_cluster() {
  rm -rf "$dir/data"
  # C collation: text sorts by bytes, as in SQLite; C.UTF-8 character classes for upper()/lower().
  if ! as_server "$bindir/initdb" -D "$dir/data" -U "$kUser" -E UTF8 --lc-collate=C --lc-ctype=C.UTF-8 \
      --lc-messages=C --auth=trust --no-instructions > "$dir/initdb.log" 2>&1; then
    echo "pg-test-server: initdb failed for $dir/data; its output:" >&2
    cat "$dir/initdb.log" >&2
    exit 1
  fi
  # Only the unix socket inside DIR and 127.0.0.1, both trusted; nothing else may connect.
  printf '%s\n' '# written by scripts/pg-test-server.sh' \
    'local all all trust' \
    'host  all all 127.0.0.1/32 trust' > "$dir/data/pg_hba.conf"
  local socket_dir="${dir//\'/\'\'}"
  cat >> "$dir/data/postgresql.conf" <<EOF

# scripts/pg-test-server.sh: a throwaway server for tests (durability off, loopback only)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$socket_dir'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

start() {
  mkdir -p "$dir" 2>/dev/null || die "cannot create the folder $dir (a file of that name, or no permission)"
  dir="$(cd "$dir" && pwd -P)"
  # The socket path (DIR/.s.PGSQL.PORT) must fit the 107 bytes of a unix socket address.
  [ ${#dir} -le 90 ] || die "$dir is too long for a unix socket directory (at most 90 characters): choose a shorter DIR"
  # Never take over a folder with something else in it: `stop` removes what it gets.
  if [ -n "$(ls -A "$dir")" ] && [ ! -e "$dir/$kMarker" ]; then
    die "$dir is not empty and was not made by this script (no $kMarker file in it): choose an empty or new DIR"
  fi
  touch "$dir/$kMarker"
  if [ "$(id -u)" -eq 0 ]; then
    chown "$kServerAccount:" "$dir"
    runuser -u "$kServerAccount" -- test -w "$dir" \
      || die "$kServerAccount cannot write to $dir (a parent folder keeps it out): choose a DIR that $kServerAccount can reach"
  fi
  exec 9> "$dir/lock"
  flock 9  # two starts on one DIR at once: the second waits and then reuses the first one's server

  if server_running; then
    local port
    port="$(running_port)"
    wait_ready "$port"
    write_url "$port"
    echo "pg-test-server: reusing the server running in $dir on 127.0.0.1:$port"
    return
  fi
  [ -f "$dir/data/PG_VERSION" ] || init_cluster
  clear_stale_lock
  rm -f "$dir/url"
  # The port is free when picked but may be taken before the server binds it; after a server was
  # killed, its children may hold its shared memory for a moment. Either way, try again.
  local attempt port
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    port="$(free_port)"
    if as_server "$bindir/pg_ctl" start -D "$dir/data" -l "$dir/server.log" -o "-p $port" -w -t "$kReadySeconds" \
        > "$dir/pg_ctl.log" 2>&1; then
      wait_ready "$port"
      write_url "$port"
      echo "pg-test-server: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') running in $dir: $(cat "$dir/url")"
      return
    fi
    tail -n 5 "$dir/server.log" 2>/dev/null | grep -q -e 'could not bind' -e 'pre-existing shared memory block' || break
    sleep 0.5
  done
  cat "$dir/pg_ctl.log" >&2
  die_with_log "pg_ctl could not start the server in $dir/data (port $port)"
}

stop() {
  [ -d "$dir" ] || die "$dir is not a folder: nothing of this script's to stop there"
  dir="$(cd "$dir" && pwd -P)"
  if [ -n "$(ls -A "$dir")" ] && [ ! -e "$dir/$kMarker" ]; then
    die "$dir was not made by this script (no $kMarker file in it): not removing it"
  fi
  if server_running; then
    if ! as_server "$bindir/pg_ctl" stop -D "$dir/data" -m fast -w -t 60 > "$dir/pg_ctl.log" 2>&1; then
      if server_running; then
        as_server "$bindir/pg_ctl" stop -D "$dir/data" -m immediate -w -t 60 > "$dir/pg_ctl.log" 2>&1 || true
      fi
      if server_running; then
        cat "$dir/pg_ctl.log" >&2
        die_with_log "pg_ctl could not stop the server in $dir/data (pid $(head -n 1 "$dir/data/postmaster.pid")); $dir is kept"
      fi
    fi
  fi
  rm -rf "$dir"
  echo "pg-test-server: stopped and removed $dir"
}

[ $# -eq 2 ] || usage
dir="$2"
[ -n "$dir" ] || usage
case "$1" in
  start) bindir="$(find_bindir)"; start ;;
  stop) [ -e "$dir" ] || exit 0; bindir="$(find_bindir)"; stop ;;
  *) usage ;;
esac
