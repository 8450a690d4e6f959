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

# kernel_trouble: what a kernel in trouble logs, an ERE: the selftests'
# KERNEL_TROUBLE, the one list (the selftests go into the guest without
# scripts/), for vm.sh and vng.sh to look for in the guest's log.
kernel_trouble() {
	local re

	re=$(sed -n "s/^KERNEL_TROUBLE='\(.*\)'$/\1/p" "${BASH_SOURCE[0]%/*}/../selftests/lib.sh")
	[[ $re ]] || die "no KERNEL_TROUBLE='...' line in selftests/lib.sh"
	echo "$re"
}

# netloop_cache: the directory kernels, build roots and the sanitizer
# kernel are kept in, across runs and clones.
netloop_cache() {
	echo "${NETLOOP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/netloop}"
}

# lock NAME: wait for the lock NAME (in the cache), then hold it until the
# shell exits: for what two scripts of a parallel make check must not do at
# once (apt, installing virtme-ng, building in the kernel tree).
lock() {
	local fd

	mkdir -p "$(netloop_cache)"
	exec {fd}>"$(netloop_cache)/$1.lock"
	flock "$fd"
}

# The kernel series netloop is tested on, from MATRIX in the Makefile.
# shellcheck disable=SC2034 # for the scripts that source this
read -ra matrix <<<"$(sed -n 's/^MATRIX := //p' "${BASH_SOURCE[0]%/*}/../Makefile")"

# build_root_packages: what the trixie build root holds beyond minbase: the
# compiler and libraries the newer kernels' kbuild wants (gcc-14, libc 2.38
# or later), DKMS, trixie's iproute2 for the plugin, trixie's QEMU (10, whose
# -icount works; bookworm's 7.2 does not: vm.sh -a icount); and sparse from
# sid (scripts/kernels.sh, make_root).
build_root_packages() {
	printf '%s\n' gcc-14 make libc6-dev libelf-dev libssl-dev bc bison flex \
		pahole kmod dkms iproute2 xz-utils zstd qemu-system-x86 sparse/sid
}

# build_root: its directory, named after that list, so that a new list
# makes a new root (scripts/kernels.sh --root).
build_root() {
	echo "$(netloop_cache)/trixie-$(build_root_packages | md5sum | cut -c 1-12)"
}

# kernel_root KVER: where KVER's image, modules and headers are: nothing
# for the host's own, the build root for a kernel scripts/kernels.sh
# fetched (it leaves a stamp when the kernel is whole).  Fails for neither.
kernel_root() {
	local root

	if [[ -f /boot/vmlinuz-$1 && -d /lib/modules/$1 ]] &&
	   [[ -d /usr/src/linux-headers-$1 || -d /lib/modules/$1/build ]]; then
		return 0
	fi
	root=$(build_root)
	[[ -f $root/var/lib/netloop/$1 ]] || return 1
	echo "$root"
}

# host_kernels: the releases of the matrix's series that the host has
# (bookworm's, which scripts/deps.sh installs), one a line.
host_kernels() {
	local s

	for s in "${matrix[@]}"; do
		"${BASH_SOURCE[0]%/*}/kver.sh" --host "$s" 2>/dev/null || true
	done
}

# in_root ROOT CMD...: run CMD chrooted in ROOT (a build root that
# scripts/kernels.sh made), in the current directory, with /dev, /proc and
# this repository (at its own path) mounted in a private mount namespace
# that ends with CMD.
in_root() {
	local top

	top=$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)
	# shellcheck disable=SC2016 # for the bash in the namespace
	unshare -m -- /bin/bash -euc '
		root=$1 top=$2 dir=$3
		shift 3
		mount --rbind /dev "$root/dev"
		mount -t proc proc "$root/proc"
		mkdir -p "$root$top"
		mount --bind "$top" "$root$top"
		exec chroot "$root" /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$dir" "$@"' \
		in_root "$1" "$top" "$PWD" "${@:2}"
}

# at ROOT CMD...: run CMD, a command or a function of this file, on the
# host (ROOT empty) or in the build root ROOT (in_root).
at() {
	local root=$1 top

	shift
	if [[ -z $root ]]; then
		"$@"
		return
	fi
	top=$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)
	# shellcheck disable=SC2016 # for the bash in the root
	in_root "$root" bash -c '. "$1" && shift && "$@"' "${0##*/}" "$top/scripts/lib.sh" "$@"
}

# plugin_files: vm.sh's -f argument for the iproute2 plugin built in build/
# (make plugin): in the guest where Debian's ip looks for plugins (its
# IP_LIB_DIR).
plugin_files() {
	local top

	top=$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)
	echo "$top/build/link_netloop.so:/usr/lib/$(gcc -print-multiarch)/ip/link_netloop.so"
}

# gate_vm KVER KSFT LOG [VM_OPTION...]: make check's instruction-count
# gate (scripts/bench-guest.sh gate, three rounds) on KVER in a VM under
# -icount, with the kselftest tree KSFT (scripts/ksft.sh) and the VM's log
# in LOG; KTAP on stdout.
gate_vm() {
	local top

	top=$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)
	"$top/scripts/vm.sh" -a icount -k "$1" -t 900 -l "$3" "${@:4}" \
		-f "$2:/kselftest" -f "$(plugin_files)" -- scripts/bench-guest.sh gate 3
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
# the host's own, the build root for a fetched one.
# shellcheck disable=SC2034 # for the caller
kernel_spec() {
	kver=$("${BASH_SOURCE[0]%/*}/kver.sh" "$1")
	if [[ $1 == */* ]]; then
		kroot=$(cd "$1" && pwd)
	else
		kroot=$(kernel_root "$kver")
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

# ksft_programs DIR: the programs of the kselftest tree DIR (scripts/ksft.sh)
# that run_kselftest.sh runs, one a line.
ksft_programs() {
	sed 's/^[^:]*://' "$1/kselftest-list.txt"
}

# count_ktap LOG KVER PROG...: add the selftests' cases in LOG
# (run_kselftest.sh's output) to passed, failed and skipped, and hold the
# run to its plans: each PROG must report, its cases must fulfil its own
# "1..N", and the run's "1..N" must count the PROGs.  A program missing, a
# plan not fulfilled, a program skipped whole and a program that failed
# without a failed case (a timeout, a crash) each count as one failure.
count_ktap() {
	local log=$1 kver=$2 line plan=0 cases=0 case_fail=0 run_plan='' p
	local -A seen

	shift 2
	while IFS= read -r line; do
		case $line in
		"1.."*) run_plan=${line#1..} ;;
		"# selftests: "*) plan=-1 cases=0 case_fail=0 ;;
		"# 1.."*) plan=${line#"# 1.."} ;;
		"# ok "*"# SKIP"*) skipped=$((skipped + 1)) cases=$((cases + 1)) ;;
		"# ok "*) passed=$((passed + 1)) cases=$((cases + 1)) ;;
		"# not ok "*)
			failed=$((failed + 1)) cases=$((cases + 1))
			case_fail=$((case_fail + 1)) ;;
		"ok "*" selftests: "*|"not ok "*" selftests: "*)
			p=${line#* selftests: *: } p=${p%% *}
			seen[$p]=1
			if [[ $line == *"# SKIP"* ]]; then
				result 0 "$kver: $p skipped whole"
			elif [[ $line == not* ]] && ((case_fail == 0)); then
				result 0 "$kver: $p failed outside a case (${line##*# })"
			fi
			if ((plan != cases)); then
				result 0 "$kver: $p planned 1..$plan, reported $cases cases"
			fi ;;
		esac
	done < <(tr -d '\r' <"$log")
	for p in "$@"; do
		[[ -v seen[$p] ]] || result 0 "$kver: $p never reported"
	done
	[[ $run_plan == "$#" ]] || result 0 "$kver: the run planned 1..${run_plan:-?} programs, not $#"
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
