#!/usr/bin/env bash
# Checks the collector's systemd unit with `systemd-analyze verify` (CI: .ci/run; packaging/build.sh
# on the unit inside the .deb). Works without a running systemd (a container): only the
# `systemd` package's systemd-analyze is needed. verify also checks that ExecStart's program
# exists, so /usr/bin/smdr-monitor is replaced by PROGRAM (default: the installed one, else
# /bin/true) in a copy of the unit; that the .deb puts the program there is build.sh's check.
#
#   packaging/linux/verify-unit.sh [UNIT] [PROGRAM]
set -euo pipefail
cd "$(dirname "$0")/../.."
unit=${1:-packaging/linux/smdr-monitor-collect.service}
program=${2:-}
if [ -z "$program" ]; then
    if [ -x /usr/bin/smdr-monitor ]; then program=/usr/bin/smdr-monitor; else program=/bin/true; fi
fi
program=$(realpath "$program")
command -v systemd-analyze >/dev/null || { echo "verify-unit.sh: systemd-analyze is missing (apt-get install systemd)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
copy="$dir/$(basename "$unit")"
sed "s#/usr/bin/smdr-monitor #$program #" "$unit" > "$copy"
grep -q "^ExecStart=$program collect " "$copy" || { echo "verify-unit.sh: no ExecStart=/usr/bin/smdr-monitor collect … in $unit" >&2; exit 1; }
# Any message is a finding: verify exits 0 on warnings.
out=$(cd "$dir" && systemd-analyze verify "$copy" 2>&1) || { echo "$out" >&2; exit 1; }
if [ -n "$out" ]; then echo "$out" >&2; exit 1; fi
echo "systemd-analyze verify: $(basename "$unit") OK (ExecStart's program: $program)"
