#!/usr/bin/env bash
# Installs abmd into a temporary prefix, checks the layout, builds the out-of-tree example plugin
# against the installed SDK with find_package(abmd), syncs it with the installed binaries, does the
# same for the out-of-tree HTTP example (libcurl comes with the package: it finds no CURL itself)
# against a file server on loopback, and checks that the installed daemon serves the dashboards (compiled into it: nothing of them is installed).
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
p=$tmp/prefix
for f in bin/abmd bin/abmctl bin/abmd-worker lib/abmd/plugins/csv.so share/abmd/schema/0001_unified_store.sql \
         share/abmd/free_mail_domains.txt include/abm/sdk/abm_plugin_abi.h include/abm/sdk/plugin.hpp \
         lib/cmake/abmd/abmdConfig.cmake lib/cmake/abmd/AbmPlugin.cmake; do
  [ -e "$p/$f" ] || fail "installed tree lacks $f"
done

cmake -S "$src/examples/out_of_tree_plugin" -B "$tmp/example" -DCMAKE_PREFIX_PATH="$p" >/dev/null
cmake --build "$tmp/example" >/dev/null
[ -f "$tmp/example/hello.so" ] || fail "the example plugin did not build"
# An HTTP plugin links libcurl through abm_add_plugin(... HTTP): find_package(abmd) brings CURL.
http_example=$src/examples/out_of_tree_http_plugin
! grep -q '^[^#]*find_package(CURL' "$http_example/CMakeLists.txt" || fail "the HTTP example finds CURL itself"
cmake -S "$http_example" -B "$tmp/http_example" -DCMAKE_PREFIX_PATH="$p" >/dev/null
cmake --build "$tmp/http_example" >/dev/null
[ -f "$tmp/http_example/hello_http.so" ] || fail "the HTTP example plugin did not build"
readelf -d "$tmp/http_example/hello_http.so" | grep -q 'NEEDED.*libcurl' || fail "hello_http.so does not link libcurl"

mkdir -p "$tmp/plugins" "$tmp/etc/connectors.d"
cp "$tmp/example/hello.so" "$tmp/http_example/hello_http.so" "$p/lib/abmd/plugins/csv.so" "$tmp/plugins/"
chmod 755 "$tmp/plugins"
cat > "$tmp/etc/abmd.json" <<JSON
{"store": "sqlite://abm.db", "connectors_dir": "connectors.d", "plugin_dir": "$tmp/plugins"}
JSON
cat > "$tmp/etc/connectors.d/targets.json" <<JSON
{"name": "targets", "plugin": "hello", "schedule": "every 1d", "settings": {"domains": ["acme.com", "globex.io"]}}
JSON
# The installed binaries find their worker and schema relative to themselves.
"$p/bin/abmctl" -c "$tmp/etc/abmd.json" plugins > "$tmp/plugins.txt" || fail "abmctl plugins failed"
grep -q "^hello 1.0.0 (file, ABI 1.3)  $tmp/plugins/hello.so" "$tmp/plugins.txt" || fail "plugin not listed (or marked built-in)"
# csv ships with abmd and says so in its library, copied or not; an out-of-tree plugin does not.
grep -q "^csv .*)  built-in  $tmp/plugins/csv.so" "$tmp/plugins.txt" || fail "the installed csv is not marked built-in"
# The walk-through of docs/plugin-sdk.md: check, discover, a dry run that writes nothing, then the sync.
"$p/bin/abmctl" -c "$tmp/etc/abmd.json" check targets | grep -q "targets: ok" || fail "check failed"
"$p/bin/abmctl" -c "$tmp/etc/abmd.json" discover targets | grep -q "^target_list .*-> accounts" || fail "discover failed"
"$p/bin/abmctl" -c "$tmp/etc/abmd.json" sync targets --dry-run | grep -q "target_list -> accounts: 2 record(s) would be written" ||
  fail "the dry run did not report the 2 accounts"
[ ! -e "$tmp/etc/abm.db" ] || fail "the dry run created the store"
"$p/bin/abmctl" -c "$tmp/etc/abmd.json" sync targets | grep -q "synced 2 records" || fail "sync failed"
n=$(sqlite3 "$tmp/etc/abm.db" "SELECT count(*) FROM accounts WHERE is_target = 1 AND tier = 'Tier 1'")
[ "$n" = 2 ] || fail "expected 2 target accounts, found $n"
# The HTTP plugin syncs from a real server on loopback.
mkdir -p "$tmp/www"
echo '["initech.com", "umbrella.io", "hooli.xyz"]' > "$tmp/www/domains.json"
python3 -c '
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.HTTPServer(("127.0.0.1", 0), handler)
print(server.server_port, flush=True)
server.serve_forever()' "$tmp/www" > "$tmp/www.port" 2>/dev/null &
www_pid=$!
trap 'kill "$www_pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do [ -s "$tmp/www.port" ] && break; sleep 0.1; done
www_port=$(cat "$tmp/www.port")
[ -n "$www_port" ] || fail "the loopback file server did not start"
cat > "$tmp/etc/connectors.d/web.json" <<JSON
{"name": "web", "plugin": "hello_http", "schedule": "every 1d", "settings": {"base_url": "http://127.0.0.1:$www_port"}}
JSON
"$p/bin/abmctl" -c "$tmp/etc/abmd.json" sync web | grep -q "synced 3 records" || fail "the HTTP plugin's sync failed"
n=$(sqlite3 "$tmp/etc/abm.db" "SELECT count(*) FROM accounts WHERE domain IN ('initech.com', 'umbrella.io', 'hooli.xyz')")
[ "$n" = 3 ] || fail "expected 3 accounts from the HTTP plugin, found $n"
kill "$www_pid"
# The dashboards come with the binary: the installed abmd serves a page and its scripts.
mkdir -p "$tmp/web/connectors.d"
cat > "$tmp/web/abmd.json" <<JSON
{"store": "sqlite://abm.db", "connectors_dir": "connectors.d", "http": {"listen": "127.0.0.1:0"}}
JSON
"$p/bin/abmd" -c "$tmp/web/abmd.json" 2> "$tmp/web/abmd.log" &
abmd_pid=$!
trap 'kill "$abmd_pid" "$www_pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*HTTP listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/web/abmd.log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "the installed abmd did not listen: $(cat "$tmp/web/abmd.log")"
# Saved first: grep -q stops reading at the first match, and under pipefail curl's broken pipe would fail.
curl -sf "http://127.0.0.1:$port/campaigns" -o "$tmp/web/campaigns.html" || fail "no /campaigns page"
grep -q '/static/campaigns.js' "$tmp/web/campaigns.html" || fail "/campaigns is not the campaign page"
curl -sf "http://127.0.0.1:$port/static/dash.js" -o "$tmp/web/dash.js" || fail "no /static/dash.js"
grep -q 'const Dash' "$tmp/web/dash.js" || fail "/static/dash.js is not the pages' script"
kill "$abmd_pid"
wait "$abmd_pid" || true
# abm-plugin-test comes with the package: the example registers its test with abm_add_plugin_test()
# (abmd::plugin_test from find_package), and its ctest runs the installed tool.
[ -x "$p/bin/abm-plugin-test" ] || fail "installed tree lacks bin/abm-plugin-test"
ctest --test-dir "$tmp/example" --output-on-failure -V > "$tmp/ctest.log" 2>&1 || fail "the example's test failed: $(cat "$tmp/ctest.log")"
grep -q "$p/bin/abm-plugin-test" "$tmp/ctest.log" || fail "the example's test did not run the installed abm-plugin-test"
grep -q "PASS  stream target_list: 2 written, 0 rejected" "$tmp/ctest.log" || fail "no stream report: $(cat "$tmp/ctest.log")"
grep -q "PASS  suite: checkpoint resume" "$tmp/ctest.log" || fail "the suite did not run: $(cat "$tmp/ctest.log")"
# A connector the plugin refuses fails the author's test, saying why.
cp -r "$src/examples/out_of_tree_plugin" "$tmp/broken"
echo '{"name": "targets", "plugin": "hello", "settings": {"domains": []}}' > "$tmp/broken/hello.connector.json"
cmake -S "$tmp/broken" -B "$tmp/broken-build" -DCMAKE_PREFIX_PATH="$p" >/dev/null
cmake --build "$tmp/broken-build" >/dev/null
! ctest --test-dir "$tmp/broken-build" --output-on-failure > "$tmp/broken.log" 2>&1 || fail "an empty domain list passed"
grep -q "FAIL  check: domains is empty: nothing to load" "$tmp/broken.log" || fail "no reason given: $(cat "$tmp/broken.log")"
echo "1 passed, 0 failed"
