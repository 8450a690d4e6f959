#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The Debian package: `make deb`, install the .deb with apt-get, check the
# modules DKMS built on install for the matrix's kernels the host has
# (bookworm's: the package installs into the host), boot each in a VM and
# create a device, purge the package and check that nothing is left.
# Refuses to run where netloop is installed already; purges what it installed
# even when it fails.  Output: build/test-deb.log.
#
# Usage: scripts/test-deb.sh

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
. "$top/scripts/lib.sh"

"$top/scripts/deps.sh" dkms
version=$(netloop_version)
mapfile -t kvers <<<"$(host_kernels)"
deb=$top/build/deb/netloop-dkms_${version}_all.deb
plugin_deb=$top/build/deb/netloop-iproute2_${version}_$(dpkg --print-architecture).deb
plugin=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/ip/link_netloop.so
log=$top/build/test-deb.log
mkdir -p "$top/build"
: >"$log"
dkms_preflight
export DEBIAN_FRONTEND=noninteractive

# shellcheck disable=SC2317 # it is reached, through the EXIT trap
cleanup() {
	local make_log=/var/lib/dkms/netloop/$version/build/make.log status

	[[ ! -f $make_log ]] || cat "$make_log" >>"$log"
	status=$(dpkg-query -W -f='${db:Status-Status} ' netloop-dkms netloop-iproute2 2>/dev/null) || true
	[[ $status != *installed* || $status == "not-installed not-installed " ]] ||
		apt-get purge -y netloop-dkms netloop-iproute2 >>"$log" 2>&1 || true
	rm -f "${dkms_keys[@]}"
}
trap cleanup EXIT

changelog=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
[[ $changelog == "$version" ]] || die "debian/changelog is at $changelog, dkms.conf at $version"
logged "$log" make -C "$top" deb
contents=$(dpkg-deb -c "$deb") || die "cannot list ${deb#"$top"/}"
# dh_compress gzips documentation over 4 KiB, and man pages.
for f in "usr/src/netloop-$version/dkms.conf" usr/share/man/man4/netloop.4 \
	 usr/share/doc/netloop-dkms/README usr/share/doc/netloop-dkms/Documentation/networking/netloop.rst; do
	grep -qE " \./$f(\.gz)?$" <<<"$contents" || die "${deb#"$top"/} has no /$f"
done
echo "test-deb: make deb: ${deb#"$top"/}"

# Read the whole listing: grep -q would exit early and, under pipefail,
# dpkg-deb's tar would die of SIGPIPE.
contents=$(dpkg-deb -c "$plugin_deb") || die "cannot list ${plugin_deb#"$top"/}"
grep -q " \.$plugin$" <<<"$contents" || die "${plugin_deb#"$top"/} has no $plugin"
echo "test-deb: make deb: ${plugin_deb#"$top"/}"

logged "$log" apt-get install -y "$deb" "$plugin_deb"
echo "test-deb: apt-get install ${deb##*/} ${plugin_deb##*/}"
help=$(ip link help netloop 2>&1) || true
grep -q 'mode { reflect | loopback }' <<<"$help" ||
	die "ip link help netloop: ${help%%$'\n'*}"
echo "test-deb: Debian's ip loads the installed plugin: ip link help netloop"
guest='modprobe netloop && ip link add x type netloop && ip -d link show x | grep -q netloop'
for kver in "${kvers[@]}"; do
	# Debian's postinst builds for the running and the newest kernel (for
	# all when the running one is not installed, as in a container).
	if ! dkms status "netloop/$version" -k "$kver" 2>/dev/null | grep ': installed' >/dev/null; then
		echo "test-deb: $kver: neither running nor newest, not built on install: dkms install -k $kver"
		logged "$log" dkms install "netloop/$version" -k "$kver"
	fi
	ko=$(dkms_check_module "$kver" "$version")
	echo "test-deb: $kver: DKMS built and installed $ko"
	logged "$log" "$top/scripts/vm.sh" -k "$kver" -l "$top/build/test-deb-vm-$kver.log" \
		-m "$ko" -- "$guest"
	echo "test-deb: $kver: the installed module loads in a VM and creates a netloop device"
done

logged "$log" apt-get purge -y netloop-dkms netloop-iproute2
[[ ! -e $plugin ]] || die "$plugin left after apt-get purge"
left=$(dkms_leftovers)
[[ -z $left ]] || die "left after apt-get purge: $(paste -sd ' ' <<<"$left")"
echo "test-deb: apt-get purge: no netloop left in DKMS, /usr/src, /usr/share or /lib/modules"
