#!/usr/bin/env bash
# Installs abmd into a temporary prefix, checks the layout, builds the out-of-tree example plugin
# against the installed SDK with find_package(abmd), and syncs it with the installed binaries.
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
echo "1 passed, 0 failed"
