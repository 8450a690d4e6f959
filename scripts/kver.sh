#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Print the newest Debian kernel of a series that is here (6.1 ->
# 6.1.0-57-amd64, 7.3-rt -> 7.3.4+deb13-rt-amd64), counting only kernels
# whose image, modules and headers are all present: the host's own, or one
# scripts/kernels.sh fetched into the build root (--host: the host's only);
# or the release of a kernel directory (any argument with a '/': what
# scripts/debug-kernel.sh makes).
#
# Usage: scripts/kver.sh [--host] SERIES|KVER|DIR

set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"

host=
if [[ ${1-} == --host ]]; then
	host=1
	shift
fi
(($# == 1)) || die "usage: kver.sh [--host] SERIES|KVER|DIR"

# flavour KVER: rt or generic (the amd64 flavours netloop is tested on).
flavour() {
	case $1 in
	*-rt-amd64) echo rt ;;
	*-cloud-amd64) echo cloud ;;
	*-amd64) echo generic ;;
	esac
}

# candidates SERIES: the releases of SERIES here.  The dot after SERIES
# keeps 6.1 from matching 6.12.x.
candidates() {
	local f

	for f in /boot/vmlinuz-"${1%-rt}".*; do
		echo "${f#/boot/vmlinuz-}"
	done
	[[ -n $host ]] || for f in "$(build_root)/var/lib/netloop/${1%-rt}".*; do
		echo "${f##*/}"
	done
}

# usable KVER: a kernel with all its parts (on the host with --host).
usable() {
	local root

	root=$(kernel_root "$1") || return 1
	[[ -z $host || -z $root ]]
}

if [[ $1 == */* ]]; then
	kver=$(cat "$1/kernel.release" 2>/dev/null) || true
	[[ -n $kver && -f $1/vmlinux && -d $1/lib/modules/$kver/build/ ]] ||
		die "$1 is not a kernel directory (vmlinux, kernel.release, lib/modules/<release>/build; see scripts/debug-kernel.sh)"
	echo "$kver"
elif usable "$1"; then
	echo "$1"
else
	[[ $1 =~ ^[0-9]+\.[0-9]+(-rt)?$ ]] ||
		die "no usable kernel '$1' (want a SERIES like 6.12 or 7.3-rt, or a KVER that is here)"
	want=generic
	[[ $1 != *-rt ]] || want=rt
	kver=$(candidates "$1" | while read -r k; do
		if [[ $(flavour "$k") == "$want" ]] && usable "$k"; then
			echo "$k"
		fi
	done | sort -V | tail -n 1)
	[[ -n $kver ]] || die "no kernel of series $1 here (scripts/kernels.sh $1 fetches it)"
	echo "$kver"
fi
