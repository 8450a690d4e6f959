#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make install` on this host, as a user on a dev box runs it, for the 6.1 and
# 6.12 kernels (KDIR= each one's headers): netloop.ko must land in
# /lib/modules/<kver>/updates with depmod run (modinfo -k finds it, with the
# right vermagic and fields), and the ip plugin in iproute2's directory.
# Then removes both and runs depmod again, also when it fails.  Refuses to
# run where netloop is installed already.  Output: build/test-install.log.
#
# Usage: scripts/test-install.sh

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
. "$top/scripts/lib.sh"

version=$(netloop_version)
kvers=("$("$top/scripts/kver.sh" 6.1)" "$("$top/scripts/kver.sh" 6.12)")
plugin=/usr/lib/$(gcc -print-multiarch)/ip/link_netloop.so
log=$top/build/test-install.log
mkdir -p "$top/build"
: >"$log"

for kver in "${kvers[@]}"; do
	ko=$(modinfo -k "$kver" -n netloop 2>/dev/null) && die "$kver has a netloop already ($ko); remove it first"
done
[[ ! -e $plugin ]] || die "$plugin exists already; remove it first"

# shellcheck disable=SC2317 # it is reached, through the EXIT trap
cleanup() {
	for kver in "${kvers[@]}"; do
		rm -rf "/lib/modules/$kver/updates/drivers/net/netloop"
		rmdir "/lib/modules/$kver/updates/drivers/net" \
		      "/lib/modules/$kver/updates/drivers" 2>/dev/null || true
		depmod "$kver"
	done
	rm -f "$plugin"
	rmdir "${plugin%/*}" 2>/dev/null || true
}
trap cleanup EXIT

# A copy of the sources, as a clean clone has them: kbuild writes its
# objects next to them.
src=$top/build/test-install
rm -rf "$src"
copy_sources "$src" Kbuild Makefile dkms.conf drivers include iproute2
for kver in "${kvers[@]}"; do
	logged "$log" make -C "$src" KDIR="/lib/modules/$kver/build" install
	ko=$(check_module "$kver" "$version" updates/drivers/net/netloop)
	echo "test-install: $kver: make install put $ko, depmod knows it, vermagic and modinfo right"
done
[[ -f $plugin ]] || die "make install did not install $plugin"
echo "test-install: the ip plugin is $plugin"

cleanup
trap - EXIT
for kver in "${kvers[@]}"; do
	ko=$(modinfo -k "$kver" -n netloop 2>/dev/null) && die "$kver: $ko is left after the removal"
done
echo "test-install: removed; depmod knows no netloop for ${kvers[*]}"
