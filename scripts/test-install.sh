#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make install` as a user on a dev box runs it, for every kernel of the
# matrix (MATRIX in the Makefile; KDIR= each one's headers): the host's on
# the host; the fetched ones in the build root (scripts/kernels.sh) with
# its compiler, and `make modules_install`, the same without the ip plugin.
# netloop.ko must land in /lib/modules/<kver>/updates with depmod run
# (modinfo -k finds it, with the right vermagic and fields), and the ip
# plugin in the host's iproute2 directory.  Then removes them and runs
# depmod again, also when it fails.  Refuses to run where netloop is
# installed already.  Output: build/test-install.log.
#
# Usage: scripts/test-install.sh

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
. "$top/scripts/lib.sh"
cd "$top"

version=$(netloop_version)
kvers=$("$top/scripts/kernels.sh")
plugin=/usr/lib/$(gcc -print-multiarch)/ip/link_netloop.so
log=$top/build/test-install.log
mkdir -p "$top/build"
: >"$log"

for kver in $kvers; do
	ko=$(at "$(kernel_root "$kver")" modinfo -k "$kver" -n netloop 2>/dev/null) &&
		die "$kver has a netloop already ($ko); remove it first"
done
[[ ! -e $plugin ]] || die "$plugin exists already; remove it first"

# shellcheck disable=SC2317 # it is reached, through the EXIT trap
cleanup() {
	local kver r

	for kver in $kvers; do
		r=$(kernel_root "$kver")
		rm -rf "$r/lib/modules/$kver/updates/drivers/net/netloop"
		rmdir "$r/lib/modules/$kver/updates/drivers/net" "$r/lib/modules/$kver/updates/drivers" \
		      "$r/lib/modules/$kver/updates" 2>/dev/null || true
		at "$r" depmod "$kver"
	done
	rm -f "$plugin"
	rmdir "${plugin%/*}" 2>/dev/null || true
}
trap cleanup EXIT

# A copy of the sources per kernel, as a clean clone has them: kbuild
# writes its objects next to them.
rm -rf "$top/build/test-install"
for kver in $kvers; do
	r=$(kernel_root "$kver")
	src=$top/build/test-install/$kver
	copy_sources "$src" Kbuild Makefile dkms.conf drivers include iproute2
	if [[ -z $r ]]; then
		logged "$log" make -C "$src" KDIR="/lib/modules/$kver/build" install
		how="make install"
	else
		logged "$log" at "$r" make -C "$src" KDIR="/lib/modules/$kver/build" modules_install
		how="make modules_install in the build root"
	fi
	ko=$(at "$r" check_module "$kver" "$version" updates/drivers/net/netloop)
	echo "test-install: $kver: $how put $ko, depmod knows it, vermagic and modinfo right"
done
[[ -f $plugin ]] || die "make install did not install $plugin"
echo "test-install: the ip plugin is $plugin"

cleanup
trap - EXIT
for kver in $kvers; do
	ko=$(at "$(kernel_root "$kver")" modinfo -k "$kver" -n netloop 2>/dev/null) &&
		die "$kver: $ko is left after the removal"
done
echo "test-install: removed; depmod knows no netloop for $(paste -sd ' ' <<<"$kvers")"
