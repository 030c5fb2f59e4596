#!/usr/bin/env bash
# The event collector driven by curl, as an admin or a backend would try it: a real abmd on a free
# loopback port, then duplicates, gzip, a wrong key, bad JSON, an oversize body, and kill -9 right
# after a 200 (the event must be in the store afterwards).
# Usage: curl_test.sh BUILD_BIN_DIR SOURCE_DIR [sqlite|postgresql]
# The store is an SQLite file (the default), or with "postgresql" a fresh database on the test run's
# private server, whose admin URL is in $ABMD_TEST_PG_DIR/url (CTest's fixture `postgresql`).
set -euo pipefail
bin="$1"
src="$2"
backend="${3:-sqlite}"
command -v curl >/dev/null || { echo "curl is missing: scripts/install-test-deps.sh installs it" >&2; exit 1; }
work=$(mktemp -d)
pid=""
database=""
admin_url=""
cleanup() {
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  if [ -n "$database" ]; then
    psql -q -X "$admin_url" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- abmd's log:" >&2
  cat "$work/abmd.log" >&2 || true
  exit 1
}

case "$backend" in
  sqlite)
    command -v sqlite3 >/dev/null || { echo "sqlite3 is missing: scripts/install-deps.sh installs it" >&2; exit 1; }
    store="sqlite://abm.db"
    count() { sqlite3 "$work/abm.db" "$1"; }
    ;;
  postgresql)
    command -v psql >/dev/null || { echo "psql is missing: scripts/install-test-deps.sh installs Debian's postgresql" >&2; exit 1; }
    [ -n "${ABMD_TEST_PG_DIR:-}" ] && [ -s "$ABMD_TEST_PG_DIR/url" ] ||
      { echo "no test PostgreSQL server: run 'bash scripts/pg-test-server.sh start DIR' and set ABMD_TEST_PG_DIR=DIR (CTest's fixture postgresql does both)" >&2; exit 1; }
    admin_url=$(cat "$ABMD_TEST_PG_DIR/url")
    database="abmd_curl_$$_$RANDOM"
    psql -q -X -v ON_ERROR_STOP=1 "$admin_url" -c "CREATE DATABASE $database" >/dev/null
    # The admin URL names the database "postgres": the same server, this test's database.
    store="${admin_url%%/postgres*}/$database${admin_url#*/postgres}"
    count() { psql -X -A -t -v ON_ERROR_STOP=1 "$store" -c "$1"; }
    ;;
  *) echo "usage: $0 BUILD_BIN_DIR SOURCE_DIR [sqlite|postgresql]" >&2; exit 2 ;;
esac

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/connectors.d"
cat > "$work/abmd.json" <<JSON
{"store": "$store", "connectors_dir": "connectors.d", "plugin_dir": "$bin/../lib/abmd/plugins",
 "worker": "$bin/abmd-worker", "schema_dir": "$src/schema",
 "http": {"listen": "127.0.0.1:$port", "max_body_bytes": 65536}}
JSON
cat > "$work/connectors.d/website.json" <<'JSON'
{"name": "website", "plugin": "events", "settings": {"write_key": "${env:WEBSITE_WRITE_KEY}"}}
JSON
key="curl-write-key-0123456789"
start() {
  WEBSITE_WRITE_KEY="$key" "$bin/abmd" -c "$work/abmd.json" >>"$work/abmd.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/health" && return 0
    sleep 0.1
  done
  fail "abmd did not listen on 127.0.0.1:$port"
}
url="http://127.0.0.1:$port"
# post PATH BODY [curl args...]: prints "<status> <body>"
post() {
  local path="$1" body="$2"
  shift 2
  curl -s -o "$work/answer" -w '%{http_code}' -u "$key:" -H 'Content-Type: application/json' "$@" \
    --data-binary "$body" "$url$path"
  echo " $(cat "$work/answer")"
}
expect() {  # expect WHAT ACTUAL PATTERN
  [[ "$2" == $3 ]] || fail "$1: got '$2', expected $3"
}

start

a=$(post /v1/track '{"type":"track","userId":"u1","event":"Demo Requested","messageId":"m-1"}')
expect "a track event" "$a" '200 {"success":true}'
a=$(post /v1/track '{"type":"track","userId":"u1","event":"Demo Requested","messageId":"m-1"}')
expect "the same messageId again" "$a" '200 *'
[ "$(count "SELECT count(*) FROM touchpoints WHERE external_id = 'm-1'")" = 1 ] || fail "a repeated messageId was stored twice"

printf '%s' '{"batch":[{"type":"page","userId":"u1","messageId":"m-2","properties":{"url":"https://acme.com/"}}]}' | gzip -c > "$work/batch.gz"
a=$(post /v1/batch @"$work/batch.gz" -H 'Content-Encoding: gzip')
expect "a gzip batch" "$a" '200 *'
[ "$(count "SELECT activity FROM touchpoints WHERE external_id = 'm-2'")" = page_view ] || fail "the gzip batch's page is not stored"

# Every single-event endpoint takes its own type, as Segment's libraries send them.
a=$(post /v1/identify '{"userId":"u2","anonymousId":"anon-9","messageId":"m-id","traits":{"email":"ada@acme.com","company":{"name":"Acme","domain":"acme.com"}}}')
expect "/v1/identify" "$a" '200 *'
a=$(post /v1/group '{"userId":"u2","groupId":"acct-7","messageId":"m-grp","traits":{"name":"Acme Corp","domain":"acme.com"}}')
expect "/v1/group" "$a" '200 *'
a=$(post /v1/page '{"anonymousId":"anon-9","messageId":"m-page","properties":{"url":"https://acme.com/pricing"}}')
expect "/v1/page" "$a" '200 *'
a=$(post /v1/screen '{"userId":"u2","name":"Home","messageId":"m-screen"}')
expect "/v1/screen" "$a" '200 *'
a=$(post /v1/alias '{"userId":"u2","previousId":"anon-9","messageId":"m-alias"}')
expect "/v1/alias" "$a" '200 *'
[ "$(count "SELECT count(*) FROM contacts WHERE source = 'website' AND external_id = 'u2' AND email = 'ada@acme.com'")" = 1 ] || fail "/v1/identify stored no contact"
[ "$(count "SELECT count(*) FROM account_identities WHERE source = 'website' AND external_id = 'acct-7'")" = 1 ] || fail "/v1/group stored no account"
[ "$(count "SELECT count(*) FROM touchpoints WHERE external_id IN ('m-page', 'm-screen') AND activity = 'page_view'")" = 2 ] || fail "/v1/page or /v1/screen stored no page view"
[ "$(count "SELECT count(*) FROM touchpoints t JOIN contacts c USING (contact_id) WHERE t.external_id = 'm-page' AND c.external_id = 'u2'")" = 1 ] || fail "the anonymous page view was not tied to its identified user"
a=$(post /v1/screen '{"type":"alias","userId":"u2","previousId":"x","messageId":"m-x"}')
expect "a type that is not its endpoint's" "$a" '400 *'

a=$(curl -s -o "$work/answer" -w '%{http_code}' -u "wrong-key:" -H 'Content-Type: application/json' \
  --data-binary '{"type":"track","userId":"u1","event":"X","messageId":"m-3"}' "$url/v1/track")
expect "a wrong write key" "$a" 401
a=$(post /v1/batch '{"batch":[{"type":"track","userId":"u1","event":"X","messageId":"m-4"},{"type":"track",')
expect "bad JSON" "$a" '400 *'
expect "bad JSON names what is wrong" "$a" '*JSON*'
a=$(post /v1/batch '{"batch":[{"type":"track","userId":"u1","event":"X","messageId":"m-5"},{"userId":"u1","messageId":"m-6"}]}')
expect "an event without a type names the event" "$a" '400 *batch\[1\]*type*'
head -c 70000 /dev/zero | tr '\0' 'a' > "$work/big"
a=$(post /v1/track @"$work/big")
expect "a body over max_body_bytes" "$a" '413 *'
for m in m-3 m-4 m-5 m-6; do
  [ "$(count "SELECT count(*) FROM touchpoints WHERE external_id = '$m'")" = 0 ] || fail "refused event $m was stored"
done

# An event answered 200 survives kill -9 a moment later.
a=$(post /v1/track '{"type":"track","userId":"u1","event":"Trial Started","messageId":"m-kill"}')
expect "the event before kill -9" "$a" '200 *'
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
pid=""
[ "$(count "SELECT count(*) FROM touchpoints WHERE external_id = 'm-kill'")" = 1 ] || fail "an event answered 200 was lost to kill -9"
start
a=$(post /v1/track '{"type":"track","userId":"u1","event":"Trial Started","messageId":"m-kill"}')
expect "the same event after the restart" "$a" '200 *'
[ "$(count "SELECT count(*) FROM touchpoints WHERE external_id = 'm-kill'")" = 1 ] || fail "a retry after the restart was stored twice"
echo "curl collector checks passed ($backend store)"
