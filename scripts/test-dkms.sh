#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# DKMS on this host: `make dkms-src`, then dkms add, build and install for the
# 6.1 and 6.12 kernels, check the installed modules (vermagic, modinfo, dkms
# status), check that a kernel older than 6.1 is refused, dkms remove, and
# check that nothing is left.  Refuses to run where netloop is in DKMS
# already; removes what it added even when it fails.  Output: build/test-dkms.log.
#
# Usage: scripts/test-dkms.sh

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
. "$top/scripts/lib.sh"

"$top/scripts/deps.sh" dkms
version=$(netloop_version)
kvers=("$("$top/scripts/kver.sh" 6.1)" "$("$top/scripts/kver.sh" 6.12)")
src=/usr/src/netloop-$version
log=$top/build/test-dkms.log
mkdir -p "$top/build"
: >"$log"
dkms_preflight

# shellcheck disable=SC2317 # it is reached, through the EXIT trap
cleanup() {
	local make_log=/var/lib/dkms/netloop/$version/build/make.log

	[[ ! -f $make_log ]] || cat "$make_log" >>"$log"
	[[ ! -e /var/lib/dkms/netloop ]] || dkms remove "netloop/$version" --all >>"$log" 2>&1 || true
	rm -rf "$src" "${dkms_keys[@]}"
}
trap cleanup EXIT

logged "$log" make -C "$top" dkms-src
top_files=$(find "$src" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | paste -sd ' ')
[[ $top_files == "Kbuild Makefile dkms.conf drivers include" ]] ||
	die "$src holds $top_files, not just Kbuild Makefile dkms.conf drivers include"
echo "test-dkms: make dkms-src: $(find "$src" -type f | wc -l) files in $src"

logged "$log" dkms add "netloop/$version"
echo "test-dkms: dkms add netloop/$version"
for kver in "${kvers[@]}"; do
	logged "$log" dkms build "netloop/$version" -k "$kver"
	logged "$log" dkms install "netloop/$version" -k "$kver"
	ko=$(dkms_check_module "$kver" "$version")
	echo "test-dkms: $kver: built, installed $ko, vermagic, modinfo and dkms status right"
done

# DKMS stops at BUILD_EXCLUSIVE_KERNEL, before it looks for the headers.
rc=0
out=$(dkms build "netloop/$version" -k 5.10.0-fake 2>&1) || rc=$?
if ((rc != 77)) || ! grep -q BUILD_EXCLUSIVE <<<"$out"; then
	die "dkms build for 5.10.0-fake: exit code $rc, not 77 for BUILD_EXCLUSIVE: $(tail -n 1 <<<"$out")"
fi
echo "test-dkms: 5.10.0-fake refused: $(grep -o 'includes a BUILD_EXCLUSIVE.*' <<<"$out")"

logged "$log" dkms remove "netloop/$version" --all
rm -r "$src"
left=$(dkms_leftovers)
[[ -z $left ]] || die "left after dkms remove: $(paste -sd ' ' <<<"$left")"
echo "test-dkms: dkms remove --all: no netloop left in DKMS, /usr/src or /lib/modules"
