#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang into build-fuzz/ and runs each one for a bounded
# time on its seed corpus (fuzz/corpus/<target>/) and past findings (fuzz/regressions/<target>/).
#   bash scripts/fuzz.sh [seconds-per-target (default 30)] [target...]
# Exits non-zero if any target crashes, leaks, hangs or breaks one of its invariants; the inputs that
# did are left in build-fuzz/findings/<target>/ and the logs in build-fuzz/logs/. See docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
[ $# -gt 0 ] && shift
case "$seconds" in ''|*[!0-9]*) echo "usage: $0 [seconds-per-target] [target...]" >&2; exit 2 ;; esac
max_len=4096  # protocol lines, config files and CSV files that show every structure, yet run fast

bash scripts/install-deps.sh
# clang, its libFuzzer and sanitizer runtimes, and llvm-symbolizer for readable stacks (Debian 12).
missing=()
for p in clang-14 libclang-rt-14-dev llvm-14; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DABMD_BUILD_FUZZERS=ON -DABMD_BUILD_TESTS=OFF -DABMD_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
if [ $# -gt 0 ]; then targets=("$@"); else
  mapfile -t targets < <(sed -n 's/^abm_add_fuzzer(\([a-z0-9_]*\).*/\1/p' fuzz/CMakeLists.txt)
fi
cmake --build build-fuzz -j2 --target "${targets[@]}"

export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
export UBSAN_OPTIONS=print_stacktrace=1
out=build-fuzz
failed=()
for t in "${targets[@]}"; do
  # New inputs go to build-fuzz/corpus/<t> (kept between runs); the repository's folders are only read.
  mkdir -p "$out/corpus/$t" "$out/findings/$t" "$out/logs" "$out/tmp/$t"
  dirs=("$out/corpus/$t" "fuzz/corpus/$t")
  [ -d "fuzz/regressions/$t" ] && dirs+=("fuzz/regressions/$t")
  echo "== $t: ${seconds}s"
  if TMPDIR="$PWD/$out/tmp/$t" "$out/bin/$t" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
       -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/findings/$t/" "${dirs[@]}" \
       > "$out/logs/$t.log" 2>&1; then
    grep -E '^stat::(number_of_executed_units|new_units_added)' "$out/logs/$t.log" | tr '\n' ' '; echo
  else
    failed+=("$t")
    grep -E 'ERROR|invariant broken|SUMMARY|Test unit written' "$out/logs/$t.log" | head -20
  fi
  rm -rf "$out/tmp/$t"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found problems in: ${failed[*]}"
  echo "inputs that trigger them: $out/findings/<target>/ (replay: $out/bin/<target> FILE); logs: $out/logs/"
  exit 1
fi
echo "fuzzing found nothing in ${#targets[@]} targets (${seconds}s each)"
