# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Helpers shared by scripts/*.sh. Source it, do not run it.

die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# logged LOG CMD...: run CMD with its output appended to LOG; die if it fails.
logged() {
	local log=$1

	shift
	"$@" >>"$log" 2>&1 || die "'$*' failed; see $log"
}

# plugin_files: vm.sh's -f argument for the iproute2 plugin built in build/
# (make plugin): in the guest where Debian's ip looks for plugins (its
# IP_LIB_DIR).
plugin_files() {
	local top

	top=$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)
	echo "$top/build/link_netloop.so:/usr/lib/$(gcc -print-multiarch)/ip/link_netloop.so"
}

# copy_sources DIR PATH...: the repository's PATHs into DIR without build
# products (what .gitignore names), as a clean clone has them.
copy_sources() {
	local dir=$1 top

	shift
	top=$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)
	mkdir -p "$dir"
	(cd "$top" && tar -c -X .gitignore "$@") | tar -x -C "$dir"
}

# kernel_spec SPEC: for SPEC, a Debian SERIES or KVER or a kernel directory
# (anything with a '/', as scripts/debug-kernel.sh makes), set kver to its
# release and kroot to the root its lib/modules/$kver lies under: '' for
# the host's own.
# shellcheck disable=SC2034 # for the caller
kernel_spec() {
	kver=$("${BASH_SOURCE[0]%/*}/kver.sh" "$1")
	kroot=
	if [[ $1 == */* ]]; then
		kroot=$(cd "$1" && pwd)
	fi
}

# result OK NAME: one host-side KTAP line, counted in passed or failed;
# n numbers them.
result() {
	n=$((n + 1))
	if (($1)); then
		echo "ok $n $2"
		passed=$((passed + 1))
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
	fi
}

# step NAME LOG CMD...: run CMD quietly as one result; on failure show its
# output.
step() {
	local name=$1 log=$2 ok=1

	shift 2
	"$@" >"$log" 2>&1 || ok=0
	((ok)) || sed 's/^/# /' "$log"
	result "$ok" "$name"
}

# count_ktap LOG KVER: add the selftests' cases in LOG (run_kselftest.sh's
# output) to passed, failed and skipped.  A test program that failed
# without a failed case (a timeout, a crash) counts once more.
count_ktap() {
	local line prog_fail=0 case_fail=0

	while IFS= read -r line; do
		case $line in
		"# ok "*"# SKIP"*) skipped=$((skipped + 1)) ;;
		"# ok "*) passed=$((passed + 1)) ;;
		"# not ok "*) failed=$((failed + 1)) case_fail=$((case_fail + 1)) ;;
		"ok "*"# SKIP"*) skipped=$((skipped + 1)) ;;
		"not ok "*) prog_fail=$((prog_fail + 1)) ;;
		esac
	done < <(tr -d '\r' <"$1")
	if ((prog_fail > case_fail)); then
		echo "# $2: $((prog_fail - case_fail)) test program(s) failed outside a case"
		failed=$((failed + prog_fail - case_fail))
	fi
}

# netloop_version: PACKAGE_VERSION in dkms.conf, which must be DRV_VERSION.
netloop_version() {
	local top=${BASH_SOURCE[0]%/*}/.. conf drv

	conf=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
	drv=$(sed -n 's/^#define DRV_VERSION\t"\(.*\)"$/\1/p' "$top/drivers/net/netloop/netloop.c")
	[[ -n $conf && $conf == "$drv" ]] ||
		die "dkms.conf has PACKAGE_VERSION '$conf', netloop.c DRV_VERSION '$drv'"
	echo "$conf"
}

# dkms_leftovers: what DKMS or the netloop-dkms package left of netloop.
dkms_leftovers() {
	# dkms warns on stderr that 6.12's vmlinux has no .comment.
	dkms status netloop 2>&1 | grep -v '^readelf: ' || true
	dpkg-query -W -f='${Package} ${db:Status-Status}\n' netloop-dkms 2>/dev/null |
		grep -v ' not-installed$' || true
	ls -d /usr/src/netloop-* /var/lib/dkms/netloop /lib/modules/*/updates/dkms/netloop.ko* \
	      /usr/share/doc/netloop-dkms /usr/share/man/man4/netloop.4* 2>/dev/null || true
	grep -l updates/dkms/netloop /lib/modules/*/modules.dep || true
}

# dkms_preflight: for the DKMS tests, which start and end with no netloop in
# DKMS.  Dies if there is one, and puts in dkms_keys the signing key files
# that DKMS will create on its first build, for the test to remove at exit.
dkms_preflight() {
	local left

	left=$(dkms_leftovers)
	[[ -z $left ]] || die "netloop is installed already ($(head -n 1 <<<"$left")); remove it first"
	# shellcheck disable=SC2034 # for the caller
	if [[ -e /var/lib/dkms/mok.key ]]; then
		dkms_keys=()
	else
		dkms_keys=(/var/lib/dkms/mok.key /var/lib/dkms/mok.pub)
	fi
}

# check_module KVER VERSION DIR: check that depmod finds netloop for KVER in
# /lib/modules/KVER/DIR, with the right vermagic and modinfo; print its path.
check_module() {
	local kver=$1 version=$2 ko field

	ko=$(modinfo -k "$kver" -n netloop 2>/dev/null) || die "$kver: depmod knows no netloop"
	[[ $ko == /lib/modules/$kver/$3/netloop.ko* ]] || die "$kver: netloop is $ko, not in $3"
	[[ $(modinfo -F vermagic "$ko") == "$(modinfo -k "$kver" -F vermagic dummy)" ]] ||
		die "$kver: $ko has vermagic '$(modinfo -F vermagic "$ko")', dummy.ko another"
	[[ $(modinfo -F version "$ko") == "$version" ]] || die "$kver: $ko is not version $version"
	[[ $(modinfo -F license "$ko") == GPL ]] || die "$kver: $ko has license '$(modinfo -F license "$ko")'"
	for field in description author; do
		[[ -n $(modinfo -F "$field" "$ko") ]] || die "$kver: $ko has no $field"
	done
	modinfo -F parm "$ko" | grep -E '^numdevs:[^ ].* \(uint\)$' >/dev/null ||
		die "$kver: $ko has no parm numdevs with a description"
	modinfo -F alias "$ko" | grep -x rtnl-link-netloop >/dev/null ||
		die "$kver: $ko has no alias rtnl-link-netloop"
	echo "$ko"
}

# dkms_check_module KVER VERSION: check_module for the netloop.ko[.xz] DKMS
# installed for KVER, and dkms status; print its path.
dkms_check_module() {
	check_module "$1" "$2" updates/dkms
	dkms status "netloop/$2" -k "$1" 2>/dev/null | grep ": installed" >/dev/null ||
		die "$1: dkms status does not show netloop/$2 installed"
}
