#!/usr/bin/env bash
# Builds the Debian packages with cpack and checks them the way dpkg and an admin would meet them,
# without installing them on this machine: names, control fields, conffiles, maintainer scripts,
# the layout, the unit (systemd-analyze, offline), the man pages, bash completion, and the
# installed daemon starting with the shipped config and idling with no connector.
set -euo pipefail
build=$1
tmp=$(mktemp -d)
abmd_pid=""
trap '[ -n "$abmd_pid" ] && kill "$abmd_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
arch=$(dpkg --print-architecture)
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/out" >"$tmp/cpack.log" 2>&1 || { cat "$tmp/cpack.log"; fail "cpack"; }
deb=$tmp/out/abmd_${version}_${arch}.deb
dev=$tmp/out/abmd-dev_${version}_all.deb
[ -f "$deb" ] || fail "no $(basename "$deb") (Debian's name_version_arch.deb): $(ls "$tmp/out")"
[ -f "$dev" ] || fail "no $(basename "$dev")"

# Control fields.
field() { dpkg-deb -f "$1" "$2"; }
[ "$(field "$deb" Package)" = abmd ] || fail "package name"
[ "$(field "$dev" Package)" = abmd-dev ] || fail "dev package name"
depends=$(field "$deb" Depends)
for d in publicsuffix libjs-chart.js libcurl4 libsqlite3-0 libpq5 libstdc++6; do
  [[ "$depends" == *"$d"* ]] || fail "Depends lacks $d: $depends"
done
[[ "$(field "$dev" Depends)" == *"abmd (= $version)"* ]] || fail "abmd-dev must depend on this abmd"

# Conffiles and maintainer scripts.
dpkg-deb -e "$deb" "$tmp/control"
diff <(sort "$tmp/control/conffiles") <(printf '%s\n' /etc/abmd/abmd.json /etc/abmd/connectors.d/README \
  /etc/abmd/connectors.d/csv.json.example | sort) || fail "conffiles"
for s in postinst prerm postrm; do
  [ -x "$tmp/control/$s" ] || fail "$s missing or not executable"
  sh -n "$tmp/control/$s" || fail "$s does not parse"
done
grep -q 'systemd-sysusers abmd.conf' "$tmp/control/postinst" || fail "postinst does not create the abmd user"
grep -q 'deb-systemd-helper enable abmd.service' "$tmp/control/postinst" || fail "postinst does not enable the unit"
# The store goes on purge only.
awk '/"\$1" = "purge"/,/^fi/' "$tmp/control/postrm" | grep 'rm -rf /var/lib/abmd' >/dev/null || fail "purge keeps the store"
awk '/"\$1" = "remove"/,/^fi/' "$tmp/control/postrm" | grep '/var/lib/abmd' >/dev/null && fail "remove deletes the store"

# Layout: the runtime in abmd, the SDK in abmd-dev, nothing of one in the other.
root=$tmp/root
dpkg-deb -x "$deb" "$root"
for f in usr/bin/abmd usr/bin/abmctl usr/bin/abmd-worker usr/bin/abm-plugin-test usr/lib/abmd/plugins/csv.so usr/lib/abmd/plugins/hubspot.so \
         usr/share/abmd/schema/0001_unified_store.sql usr/share/abmd/schema/postgresql/0001_unified_store.sql \
         usr/lib/systemd/system/abmd.service usr/lib/sysusers.d/abmd.conf etc/abmd/abmd.json \
         etc/abmd/connectors.d/README etc/abmd/connectors.d/csv.json.example usr/share/man/man8/abmd.8 \
         usr/share/man/man1/abmctl.1 usr/share/man/man1/abm-plugin-test.1 usr/share/man/man5/abmd.json.5 usr/share/bash-completion/completions/abmctl \
         usr/share/doc/abmd/docs/operations.md usr/share/doc/abmd/examples/hubspot.json; do
  [ -e "$root/$f" ] || fail "abmd lacks /$f"
done
[ -z "$(find "$root" -path '*include/abm*' -o -name 'abmdConfig.cmake')" ] || fail "SDK files in the runtime package"
dpkg-deb -x "$dev" "$tmp/dev"
[ -f "$tmp/dev/usr/include/abm/sdk/plugin.hpp" ] && [ -f "$tmp/dev/usr/lib/cmake/abmd/abmdConfig.cmake" ] ||
  fail "abmd-dev lacks the SDK"
[ -z "$(find "$tmp/dev" -type f ! -path '*/include/*' ! -path '*/cmake/*' ! -path '*/doc/*')" ] ||
  fail "abmd-dev holds more than the SDK: $(find "$tmp/dev" -type f ! -path '*/include/*' ! -path '*/cmake/*')"
[[ "$(file "$root/usr/bin/abmd")" == *", stripped"* ]] || fail "the packaged binaries keep their debug info"
grep -q '^u abmd ' "$root/usr/lib/sysusers.d/abmd.conf" || fail "sysusers.d entry"

# The unit: paths of the package's prefix, notify with a watchdog, the hardening the docs score.
unit=$root/usr/lib/systemd/system/abmd.service
grep -qx 'ExecStart=/usr/bin/abmd -c /etc/abmd/abmd.json' "$unit" || fail "ExecStart: $(grep ExecStart "$unit")"
for line in Type=notify WatchdogSec=60 'ExecReload=/bin/kill -HUP $MAINPID' User=abmd StateDirectory=abmd \
            ConfigurationDirectory=abmd ProtectSystem=strict ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes \
            CapabilityBoundingSet= SystemCallFilter=@system-service 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6'; do
  grep -qxF "$line" "$unit" || fail "unit lacks $line"
done
command -v systemd-analyze >/dev/null || fail "systemd-analyze missing (scripts/install-test-deps.sh installs systemd)"
exposure=$(systemd-analyze security --offline=true --root="$root" abmd.service 2>&1 |
           sed -n 's/.*Overall exposure level for abmd.service: \([0-9.]*\).*/\1/p')
[ -n "$exposure" ] || fail "systemd-analyze security gave no score"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || fail "exposure $exposure is above 2.0 (docs/operations.md)"

# Man pages render without a warning and carry what --help says.
for page in man8/abmd.8 man1/abmctl.1 man1/abm-plugin-test.1 man5/abmd.json.5; do
  warnings=$(groff -man -ww -z "$root/usr/share/man/$page" 2>&1)
  [ -z "$warnings" ] || fail "$page: $warnings"
done
groff -man -Tascii "$root/usr/share/man/man1/abmctl.1" 2>/dev/null | col -b | tr -s " \t" " " > "$tmp/abmctl.txt"
for word in SYNOPSIS COMMANDS "state reset NAME" "store copy" "Exit status"; do
  grep -qi "$word" "$tmp/abmctl.txt" || fail "abmctl(1) lacks '$word'"
done
groff -man -Tascii "$root/usr/share/man/man5/abmd.json.5" 2>/dev/null | col -b > "$tmp/abmd.json.txt"
grep -q 'store_mode' "$tmp/abmd.json.txt" || fail "abmd.json(5) lacks the store_mode key"

# The installed daemon with the shipped config, moved into this test's folders: it starts with no
# connector, says so, idles, and stops cleanly.
mkdir -p "$tmp/var/lib/abmd"
sed -e "s|/var/lib/abmd|$tmp/var/lib/abmd|g" -e "s|/etc/abmd|$root/etc/abmd|g" \
    -e 's|"listen": "127.0.0.1:7470"|"listen": "127.0.0.1:0"|' "$root/etc/abmd/abmd.json" > "$tmp/abmd.json"
"$root/usr/bin/abmctl" -c "$tmp/abmd.json" validate > "$tmp/validate.out" 2>&1 || { cat "$tmp/validate.out"; fail "validate"; }
"$root/usr/bin/abmd" -c "$tmp/abmd.json" 2> "$tmp/abmd.log" &
abmd_pid=$!
for _ in $(seq 1 100); do grep -q 'abmd started' "$tmp/abmd.log" && break; sleep 0.1; done
grep -q 'abmd started: 0 connectors' "$tmp/abmd.log" || { cat "$tmp/abmd.log"; fail "the installed daemon did not start"; }
kill -0 "$abmd_pid" || fail "abmd exited with no connector instead of idling"
[ "$(stat -c %a "$tmp/var/lib/abmd/abm.db")" = 640 ] || fail "store mode $(stat -c %a "$tmp/var/lib/abmd/abm.db")"
kill -TERM "$abmd_pid"
wait "$abmd_pid" || fail "abmd exited $? on SIGTERM"
abmd_pid=""

# Bash completion: commands, subcommands and the connectors of the config given with -c.
cp "$root/etc/abmd/connectors.d/csv.json.example" "$root/etc/abmd/connectors.d/files.json"
complete_words() {  # prints the completions of the words given, the last one being completed
  PATH="$root/usr/bin:$PATH" bash -c '
    source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _abmctl; printf "%s\n" "${COMPREPLY[@]}"' \
    "$root/usr/share/bash-completion/completions/abmctl" "$@"
}
complete_words abmctl st | grep -x status >/dev/null || fail "completion of commands: $(complete_words abmctl st)"
complete_words abmctl state "" | grep -x reset >/dev/null || fail "completion of state"
complete_words abmctl -c "$tmp/abmd.json" sync "" | grep -x csv-files >/dev/null ||
  fail "completion of connector names: $(complete_words abmctl -c "$tmp/abmd.json" sync "")"
echo "package test passed: $(basename "$deb") $(basename "$dev"), exposure ${exposure:-n/a}"
