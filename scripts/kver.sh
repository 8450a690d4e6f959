#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Print the newest installed Debian kernel of a series (6.1 -> 6.1.0-56-amd64),
# counting only kernels whose image, modules and headers are all present;
# or the release of a kernel directory (any argument with a '/': what
# scripts/debug-kernel.sh makes).
#
# Usage: scripts/kver.sh SERIES|KVER|DIR
#        scripts/kver.sh --list	   # the supported series that are installed

set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"

series=(6.1 6.12)

usable() {
	[[ $1 != *-rt-* && $1 != *-cloud-* ]] &&
	[[ -f /boot/vmlinuz-$1 && -d /lib/modules/$1 ]] &&
	[[ -d /usr/src/linux-headers-$1 || -d /lib/modules/$1/build ]]
}

# newest SERIES: the dot after SERIES in the glob keeps 6.1 from matching 6.12.x.
newest() {
	local img

	for img in /boot/vmlinuz-"$1".*; do
		if usable "${img#/boot/vmlinuz-}"; then
			echo "${img#/boot/vmlinuz-}"
		fi
	done | sort -V | tail -n 1
}

(($# == 1)) || die "usage: kver.sh SERIES|KVER|DIR | --list"

if [[ $1 == */* ]]; then
	kver=$(cat "$1/kernel.release" 2>/dev/null) || true
	[[ -n $kver && -f $1/vmlinux && -d $1/lib/modules/$kver/build/ ]] ||
		die "$1 is not a kernel directory (vmlinux, kernel.release, lib/modules/<release>/build; see scripts/debug-kernel.sh)"
	echo "$kver"
elif [[ $1 == --list ]]; then
	for s in "${series[@]}"; do
		if [[ -n $(newest "$s") ]]; then
			echo "$s"
		fi
	done
elif usable "$1"; then
	echo "$1"
else
	[[ $1 =~ ^[0-9]+\.[0-9]+$ ]] || die "no usable kernel '$1' (want SERIES like 6.12, or an installed KVER)"
	kver=$(newest "$1")
	[[ -n $kver ]] || die "no usable kernel of series $1 (installed: $("$0" --list | paste -sd ' '))"
	echo "$kver"
fi
