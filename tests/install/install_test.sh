#!/usr/bin/env bash
# Installs abmd into a temporary prefix, checks the layout, builds the out-of-tree example plugin
# against the installed SDK with find_package(abmd), syncs it with the installed binaries, and checks
# that the installed daemon serves the dashboards (compiled into it: nothing of them is installed).
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

mkdir -p "$tmp/plugins" "$tmp/etc/connectors.d"
cp "$tmp/example/hello.so" "$p/lib/abmd/plugins/csv.so" "$tmp/plugins/"
chmod 755 "$tmp/plugins"
cat > "$tmp/etc/abmd.json" <<JSON
{"store": "sqlite://abm.db", "connectors_dir": "connectors.d", "plugin_dir": "$tmp/plugins"}
JSON
cat > "$tmp/etc/connectors.d/targets.json" <<JSON
{"name": "targets", "plugin": "hello", "schedule": "every 1d", "settings": {"domains": ["acme.com", "globex.io"]}}
JSON
# The installed binaries find their worker and schema relative to themselves.
"$p/bin/abmctl" -c "$tmp/etc/abmd.json" plugins | grep -q "hello 1.0.0 (file, ABI 1.3)" || fail "plugin not listed"
"$p/bin/abmctl" -c "$tmp/etc/abmd.json" sync targets | grep -q "synced 2 records" || fail "sync failed"
n=$(sqlite3 "$tmp/etc/abm.db" "SELECT count(*) FROM accounts WHERE is_target = 1 AND tier = 'Tier 1'")
[ "$n" = 2 ] || fail "expected 2 target accounts, found $n"
# The dashboards come with the binary: the installed abmd serves a page and its scripts.
mkdir -p "$tmp/web/connectors.d"
cat > "$tmp/web/abmd.json" <<JSON
{"store": "sqlite://abm.db", "connectors_dir": "connectors.d", "http": {"listen": "127.0.0.1:0"}}
JSON
"$p/bin/abmd" -c "$tmp/web/abmd.json" 2> "$tmp/web/abmd.log" &
abmd_pid=$!
trap 'kill "$abmd_pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
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
