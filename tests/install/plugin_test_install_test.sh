#!/usr/bin/env bash
# abm-plugin-test as an out-of-tree author gets it: installed into a temporary prefix, found through
# find_package(abmd) (abmd::plugin_test, abm_add_plugin_test), run by the example plugin's own ctest.
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
p=$tmp/prefix
for f in bin/abm-plugin-test lib/cmake/abmd/AbmPluginTest.cmake; do
  [ -e "$p/$f" ] || fail "installed tree lacks $f"
done
"$p/bin/abm-plugin-test" --help | grep -q -- "--cassette FILE" || fail "abm-plugin-test --help"

# The example registers its test with abm_add_plugin_test(); its ctest runs the installed tool.
cmake -S "$src/examples/out_of_tree_plugin" -B "$tmp/example" -DCMAKE_PREFIX_PATH="$p" >/dev/null
cmake --build "$tmp/example" >/dev/null
ctest --test-dir "$tmp/example" --output-on-failure -V > "$tmp/ctest.log" 2>&1 || fail "the example's test failed: $(cat "$tmp/ctest.log")"
grep -q "$p/bin/abm-plugin-test" "$tmp/ctest.log" || fail "the test did not run the installed abm-plugin-test"
grep -q "PASS  stream target_list: 2 written, 0 rejected" "$tmp/ctest.log" || fail "no stream report: $(cat "$tmp/ctest.log")"
grep -q "PASS  suite: checkpoint resume" "$tmp/ctest.log" || fail "the suite did not run: $(cat "$tmp/ctest.log")"

# A broken connector fails the author's test.
cp -r "$src/examples/out_of_tree_plugin" "$tmp/broken"
echo '{"name": "targets", "plugin": "hello", "settings": {"domains": []}}' > "$tmp/broken/hello.connector.json"
cmake -S "$tmp/broken" -B "$tmp/broken-build" -DCMAKE_PREFIX_PATH="$p" >/dev/null
cmake --build "$tmp/broken-build" >/dev/null
if ctest --test-dir "$tmp/broken-build" --output-on-failure > "$tmp/broken.log" 2>&1; then
  fail "an empty domain list passed: $(cat "$tmp/broken.log")"
fi
grep -q "FAIL  check: domains is empty: nothing to load" "$tmp/broken.log" || fail "no reason given: $(cat "$tmp/broken.log")"
echo "1 passed, 0 failed"
