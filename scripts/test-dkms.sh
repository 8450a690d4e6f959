#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# DKMS on every kernel of the matrix (MATRIX in the Makefile): the host's
# with the host's DKMS, the fetched ones (scripts/kernels.sh) in the build
# root with its own.  First checks that dkms.conf's BUILD_EXCLUSIVE_KERNEL
# accepts every kernel of the matrix and newer ones and refuses the series
# before the oldest, and that the Makefile warns when it builds for a
# series newer than the matrix's newest, and only then.  Then `make
# dkms-src`, dkms add, build and install on each kernel, checks the
# installed modules (vermagic, modinfo, dkms status), checks that DKMS
# refuses a kernel older than 6.1, dkms remove, and checks that nothing is
# left.  Refuses to run where netloop is in DKMS already; removes what it
# added even when it fails.  Output: build/test-dkms.log.
#
# Usage: scripts/test-dkms.sh

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
. "$top/scripts/lib.sh"
cd "$top"

"$top/scripts/deps.sh" dkms
version=$(netloop_version)
kvers=$("$top/scripts/kernels.sh")
src=/usr/src/netloop-$version
log=$top/build/test-dkms.log
fake=$top/build/test-dkms-kdir
mkdir -p "$top/build"
: >"$log"

# Series newer than the matrix's newest (7.3): the next (7.4), one ten
# later (7.13: a string comparison puts it before 7.3), the next major
# (8.0); and the one before the oldest.
series=$(printf '%s\n' "${matrix[@]%-rt}" | sort -V)
newest=$(tail -n 1 <<<"$series") oldest=$(head -n 1 <<<"$series")
maj=${newest%.*} min=${newest#*.}
newer=("$maj.$((min + 1))" "$maj.$((min + 10))" "$((maj + 1)).0")
maj=${oldest%.*} min=${oldest#*.}
older=$maj.$((min - 1))
((min)) || older=$((maj - 1)).99

# dkms.conf's double quotes leave the regex as written.
re=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"$/\1/p' dkms.conf)
for kver in $kvers "${newer[@]/%/.0-fake}"; do
	[[ $kver =~ $re ]] || die "dkms.conf's BUILD_EXCLUSIVE_KERNEL refuses $kver"
done
for kver in "$older.0-fake" 5.10.0-fake; do
	[[ ! $kver =~ $re ]] || die "dkms.conf's BUILD_EXCLUSIVE_KERNEL accepts $kver"
done
echo "test-dkms: BUILD_EXCLUSIVE_KERNEL accepts $(paste -sd ' ' <<<"$kvers") and ${newer[*]/%/.0-fake}, refuses $older.0-fake and 5.10.0-fake"

# The Makefile's warning, which DKMS's make runs into (make.log): headers
# that say they are a newer kernel need only utsrelease.h for kdir-check.
rm -rf "$fake"
for s in "${newer[@]}"; do
	mkdir -p "$fake/$s/include/generated"
	echo "#define UTS_RELEASE \"$s.0-fake-amd64\"" >"$fake/$s/include/generated/utsrelease.h"
	out=$(make -s KDIR="$fake/$s" kdir-check 2>&1) || die "make kdir-check for Linux $s failed: $out"
	[[ $out == "netloop: warning: Linux $s is newer than the newest kernel netloop is tested on ($newest); building anyway" ]] ||
		die "make kdir-check for Linux $s printed '$out', not the warning"
done
rm -r "$fake"
for kver in $kvers; do
	out=$(make -s KDIR="$(kernel_root "$kver")/lib/modules/$kver/build/" kdir-check 2>&1)
	[[ -z $out ]] || die "make kdir-check for $kver printed '$out'"
done
echo "test-dkms: make warns for Linux ${newer[*]}, newer than $newest; not for the matrix's kernels"

# The host, and the build root if the matrix has a fetched kernel.
roots=("")
for kver in $kvers; do
	[[ -z $(kernel_root "$kver") ]] || roots=("" "$(build_root)")
done
dkms_preflight
for r in "${roots[@]:1}"; do
	left=$(at "$r" dkms_leftovers)
	[[ -z $left ]] || die "netloop is installed already in $r ($(head -n 1 <<<"$left")); remove it first"
	[[ -e $r/var/lib/dkms/mok.key ]] || dkms_keys+=("$r/var/lib/dkms/mok.key" "$r/var/lib/dkms/mok.pub")
done

# shellcheck disable=SC2317 # it is reached, through the EXIT trap
cleanup() {
	local r

	for r in "${roots[@]}"; do
		find "$r/var/lib/dkms/netloop" -name make.log -exec cat {} + >>"$log" 2>/dev/null || true
		[[ ! -e $r/var/lib/dkms/netloop ]] ||
			at "$r" dkms remove "netloop/$version" --all >>"$log" 2>&1 || true
		rm -rf "$r$src"
	done
	rm -rf "${dkms_keys[@]}" "$fake"
}
trap cleanup EXIT

for r in "${roots[@]}"; do
	logged "$log" make dkms-src DESTDIR="$r"
	top_files=$(find "$r$src" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | paste -sd ' ')
	[[ $top_files == "Kbuild Makefile dkms.conf drivers include" ]] ||
		die "$r$src holds $top_files, not just Kbuild Makefile dkms.conf drivers include"
	logged "$log" at "$r" dkms add "netloop/$version"
	echo "test-dkms: make dkms-src: $(find "$r$src" -type f | wc -l) files in $r$src; dkms add netloop/$version"
done

for kver in $kvers; do
	r=$(kernel_root "$kver")
	logged "$log" at "$r" dkms build "netloop/$version" -k "$kver"
	logged "$log" at "$r" dkms install "netloop/$version" -k "$kver"
	ko=$(at "$r" dkms_check_module "$kver" "$version")
	echo "test-dkms: $kver: built${r:+ in the build root}, installed $ko, vermagic, modinfo and dkms status right"
done

# DKMS stops at BUILD_EXCLUSIVE_KERNEL, before it looks for the headers.
rc=0
out=$(dkms build "netloop/$version" -k 5.10.0-fake 2>&1) || rc=$?
if ((rc != 77)) || ! grep -q BUILD_EXCLUSIVE <<<"$out"; then
	die "dkms build for 5.10.0-fake: exit code $rc, not 77 for BUILD_EXCLUSIVE: $(tail -n 1 <<<"$out")"
fi
echo "test-dkms: 5.10.0-fake refused: $(grep -o 'includes a BUILD_EXCLUSIVE.*' <<<"$out")"

for r in "${roots[@]}"; do
	logged "$log" at "$r" dkms remove "netloop/$version" --all
	rm -r "$r$src"
	left=$(at "$r" dkms_leftovers)
	[[ -z $left ]] || die "left${r:+ in $r} after dkms remove: $(paste -sd ' ' <<<"$left")"
done
echo "test-dkms: dkms remove --all: no netloop left in DKMS, /usr/src or /lib/modules, on the host${roots[1]:+ or in the build root}"
