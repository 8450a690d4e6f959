#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# vm.sh's job the way kernel developers do it: boot a kernel of the matrix
# with virtme-ng (vng, under TCG), the guest seeing the host's filesystem
# (read-only, with vng's overlays on /etc, /usr, /var, ...), run one
# command in it with netloop.ko built for that kernel loadable by modprobe,
# and fail if the kernel complained.  Exits with the guest command's exit
# code.  Nothing goes into the host's /lib/modules: the guest's
# /lib/modules/<kver> is a tree of hard links made for the run, with
# netloop.ko in updates/.  Installs trixie's virtme-ng when vng is missing.
# -f HOST:GUEST bind-mounts HOST at GUEST in the guest (GUEST under one of
# vng's overlays, or HOST itself, which the guest already sees).
#
# Usage: scripts/vng.sh [-k SERIES|KVER|DIR] [-t SECONDS] [-l LOGFILE] [-m MODULE.ko|none]
#                       [-f HOSTPATH:GUESTPATH]... [--] COMMAND [ARGS...] | SCRIPTFILE [ARGS...]

set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
top=$(dirname "$here")
# shellcheck source=lib.sh
. "$here/lib.sh"

usage="usage: vng.sh [-k SERIES|KVER|DIR] [-t SECONDS] [-l LOGFILE] [-m MODULE.ko|none] [-f HOST:GUEST]... [--] COMMAND [ARGS...] | SCRIPTFILE [ARGS...]"
splat=$(kernel_trouble)

start=${EPOCHREALTIME//[.,]/}
kernel=6.12 limit=300 log='' ko='' files=()
while getopts :k:t:l:m:f: opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	t) limit=$OPTARG ;;
	l) log=$OPTARG ;;
	m) ko=$OPTARG ;;
	f) files+=("$OPTARG") ;;
	:) die "-$OPTARG needs an argument; $usage" ;;
	*) die "unknown option -$OPTARG; $usage" ;;
	esac
done
shift $((OPTIND - 1))
[[ $limit =~ ^[0-9]+$ ]] || die "-t wants whole seconds, not '$limit'"
for f in "${files[@]}"; do
	[[ $f == *:/* && -e ${f%:*} ]] || die "-f wants HOSTPATH:/GUESTPATH, not '$f'"
done
(($# > 0)) || die "no command given; $usage"

"$here/deps.sh"
# make check boots its kernels in parallel: one installs, the others wait.
if ! command -v vng >/dev/null; then
	(
		lock vng
		command -v vng >/dev/null && exit
		"$here/deps.sh" python3-argcomplete python3-pkg-resources python3-requests file kmod
		deb=$("$here/kernels.sh" --deb virtme-ng/trixie)
		dpkg -i "$deb" >&2 || die "cannot install $deb"
	)
fi
kernel_spec "$kernel"
log=${log:-$top/build/$kver/vng.log}
mkdir -p "$top/build/$kver" "$(dirname "$log")"
if [[ -z $ko ]]; then
	ko=$("$here/build.sh" "$kernel" | tail -n 1) || die "scripts/build.sh $kernel failed"
fi
[[ $ko == none || -f $ko ]] || die "no such module '$ko'"

# shellcheck disable=SC2317 # it is reached, through the EXIT trap
finish() {
	local us=$((${EPOCHREALTIME//[.,]/} - start))

	rm -rf "$work"
	printf 'vng.sh: wall time %d.%d s\n' $((us / 1000000)) $((us / 100000 % 10)) >&2
}
work=$(mktemp -d "$top/build/$kver/vng.XXXXXX")
trap finish EXIT
echo "vng.sh: kernel $kver, log $log" >&2

# vng takes the modules from <root>/lib/modules/<kver> for an image under
# <root>/boot; the guest has /lib/modules on a tmpfs, so the tree is made
# of hard links (a copy where links cannot be made), not of symlinks.
img=$kroot/boot/vmlinuz-$kver
[[ -f $img ]] || img=$kroot/lib/modules/$kver/vmlinuz
[[ -f $img ]] || img=$kroot/vmlinux
mods=$work/lib/modules/$kver
mkdir -p "$mods/updates" "$work/boot"
ln -s "$img" "$work/boot/vmlinuz-$kver"
cp -rl "$kroot/lib/modules/$kver/kernel" "$mods/" 2>/dev/null ||
	cp -r "$kroot/lib/modules/$kver/kernel" "$mods/"
cp "$kroot/lib/modules/$kver/"modules.{order,builtin,builtin.modinfo} "$mods/"
[[ $ko == none ]] || install -m 644 "$ko" "$mods/updates/"
depmod -b "$work" "$kver"

# The guest's script: the -f mounts, the kernel log into $work as it is
# written (so that the host has it if the guest dies), the command.
{
	echo 'set -u'
	for f in "${files[@]}"; do
		host=$(realpath "${f%:*}") guest=${f##*:}
		[[ $host != "$guest" ]] || continue
		if [[ -d $host ]]; then
			printf 'mkdir -p %q\n' "$guest"
		else
			printf 'mkdir -p %q && touch %q\n' "$(dirname "$guest")" "$guest"
		fi
		printf 'mount --bind %q %q || exit 1\n' "$host" "$guest"
	done
	printf 'dmesg -w >%q &\n' "$work/dmesg"
	if [[ -f $1 ]]; then
		printf 'bash %q' "$(realpath "$1")"
		(($# < 2)) || printf ' %q' "${@:2}"
	else
		printf 'bash -c %q' "$*"
	fi
	echo ' </dev/null'
} >"$work/run.sh"

# One host thread for both vCPUs, as vm.sh has it (-a tcg: mttcg can run
# stale code across a static-key flip); the panics of vm.sh's command line.
# --rwdir GUEST=HOST: vng 1.35 refuses a bare absolute path unless run from /.
# The guest's stdout and stderr reach QEMU's file chardevs, which reopen
# /proc/self/fd/1 and 2 truncated, each at its own offset: into a file
# (make check's log) they overwrite each other.  A pipe keeps the order.
rc=0
timeout --foreground "$limit" vng -r "$work/boot/vmlinuz-$kver" --disable-kvm --force-9p \
	--cpus 2 --memory 2G --rwdir "$work=$work" --qemu-opts='-accel tcg,thread=single' \
	--append 'panic=-1 oops=panic panic_on_warn=1 softlockup_panic=1 cryptomgr.notests' \
	-- bash "$work/run.sh" 2>&1 | cat || rc=$?
{ echo "---- guest dmesg ----"; cat "$work/dmesg" 2>/dev/null; } >"$log"
trouble=$(grep -aE "$splat" "$log" | awk '!seen[$0]++') || true
[[ -z $trouble ]] || echo "$trouble" >&2
((rc != 124)) || die "timed out after $limit s; see $log"
[[ -z $trouble ]] || die "kernel trouble in the guest (above); see $log"
exit "$rc"
