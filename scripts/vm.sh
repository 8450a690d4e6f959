#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot a Debian kernel in QEMU from a throwaway initramfs holding netloop.ko,
# veth/dummy/pktgen/sctp, nf_tables/netem/vrf and the real networking tools,
# run one command in it, and fail if the kernel complained. Exits with the
# guest command's exit code.
# -k DIR (any argument with a '/') boots a kernel directory instead, such as
# the sanitizer kernel scripts/debug-kernel.sh builds and prints.
#
# Usage: scripts/vm.sh [-k SERIES|KVER|DIR] [-t SECONDS] [-l LOGFILE] [-m MODULE.ko|none]
#                      [-f HOSTPATH:GUESTPATH]... [-a tcg|mttcg|icount|kvm] [-i]
#                      [--] [COMMAND [ARGS...] | SCRIPTFILE [ARGS...]]

set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
top=$(dirname "$here")
# shellcheck source=lib.sh
. "$here/lib.sh"

usage="usage: vm.sh [-k SERIES|KVER|DIR] [-t SECONDS] [-l LOGFILE] [-m MODULE.ko|none] [-f HOST:GUEST]... [-a tcg|mttcg|icount|kvm] [-i] [--] [COMMAND [ARGS...] | SCRIPTFILE [ARGS...]]"

# Real tools copied from the host; busybox provides the rest. Busybox applets
# that run other programs (timeout, env, xargs, setsid, ...) would run their
# own ip/ping applets instead of these, so the host's versions are used.
# make (and readlink -e): a kernel tree's selftests run with its
# `make run_tests`.
tools=(bash ip ss tc nstat bridge ping ping4 ping6 ethtool iperf3 kmod
       timeout env nice nohup chroot xargs find setsid nsenter unshare
       taskset flock dmesg nft tcpdump make readlink)
kmod_links=(insmod rmmod modprobe lsmod depmod modinfo)
modules=(veth dummy pktgen sctp sctp_diag sch_ingress cls_matchall act_mirred
	 nf_tables sch_netem vrf sch_tbf act_gact cls_bpf)
splat=$(kernel_trouble)
append="console=ttyS0 quiet panic=-1 oops=panic panic_on_warn=1 softlockup_panic=1 printk.devkmsg=on panic_print=0x20 cryptomgr.notests no_timer_check"

start=${EPOCHREALTIME//[.,]/}
kernel=6.12 limit='' log='' ko='' accel=tcg interactive='' files=()
while getopts :k:t:l:m:f:a:i opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	t) limit=$OPTARG ;;
	l) log=$OPTARG ;;
	m) ko=$OPTARG ;;
	f) files+=("$OPTARG") ;;
	a) accel=$OPTARG ;;
	i) interactive=1 ;;
	:) die "-$OPTARG needs an argument; $usage" ;;
	*) die "unknown option -$OPTARG; $usage" ;;
	esac
done
shift $((OPTIND - 1))

[[ -z $limit || $limit =~ ^[0-9]+$ ]] || die "-t wants whole seconds, not '$limit'"
# Plain TCG runs all vCPUs in one host thread.  With a thread per vCPU
# (mttcg) a vCPU can run stale code while another patches the kernel's text:
# a static key flipped by the tests (ping's timestamps flip netstamp_needed_key)
# then oopses on the int3 of text_poke_bp, about once in ten make check runs.
# mttcg is for the benchmark's parts that need two vCPUs to run at once.
# icount is single-threaded TCG whose guest clock counts instructions (one
# per ns, sleep=off: an idle guest jumps to its next timer), with one vCPU:
# what the guest measures in its time does not depend on the host's load.
# It runs trixie's QEMU 10 from the build root: bookworm's 7.2 does not boot
# 6.1 under -icount and corrupts memory on 6.12 (Documentation/dev/netloop-dev.rst).
declare -A qemu_accel=([tcg]='tcg,thread=single' [mttcg]='tcg,thread=multi'
		       [icount]='tcg,thread=single' [kvm]=kvm)
[[ -v qemu_accel[$accel] ]] || die "-a wants tcg, mttcg, icount or kvm, not '$accel'"
for f in "${files[@]}"; do
	[[ $f == *:/* ]] || die "-f wants HOSTPATH:/GUESTPATH, not '$f'"
	[[ -e ${f%:*} ]] || die "-f: no such file '${f%:*}'"
	[[ ! ${f##*:} =~ ^/(dev|proc|sys|run|tmp)(/|$) ]] || die "-f: ${f##*:} is hidden by a mount in the guest"
done
if [[ $interactive ]]; then
	(($# == 0)) || die "-i runs a shell and takes no command"
	limit=${limit:-0}
else
	(($# > 0)) || die "no command given (or -i for a shell); $usage"
	limit=${limit:-300}
fi

"$here/deps.sh"
kernel_spec "$kernel"
log=${log:-$top/build/$kver/vm.log}
mkdir -p "$top/build/$kver" "$(dirname "$log")"

if [[ -z $ko ]]; then
	[[ -x $here/build.sh ]] || die "scripts/build.sh missing; pass -m MODULE.ko or -m none"
	ko=$("$here/build.sh" "$kernel" | tail -n 1) || die "scripts/build.sh $kernel failed"
fi
[[ $ko == none || -f $ko ]] || die "no such module '$ko'"

# shellcheck disable=SC2317 # it is reached, through the EXIT trap
finish() {
	local us=$((${EPOCHREALTIME//[.,]/} - start))

	rm -rf "$work"
	printf 'vm.sh: wall time %d.%d s\n' $((us / 1000000)) $((us / 100000 % 10)) >&2
}
work=$(mktemp -d "$top/build/$kver/vm.XXXXXX")
trap finish EXIT

echo "vm.sh: kernel $kver, accel $accel, log $log" >&2

# QEMU boots the uncompressed kernel through its PVH entry: TCG needs seconds
# to decompress a bzImage. The bzImage header gives the payload's offset and
# length; the payload ends with 4 bytes of uncompressed size.  A kernel
# directory has its vmlinux; Debian's 7.x packages put vmlinuz beside the
# modules.
img=$kroot/boot/vmlinuz-$kver
[[ -f $img ]] || img=$kroot/lib/modules/$kver/vmlinuz
vmlinux=$kroot/vmlinux
[[ -n $kroot && -f $vmlinux ]] || vmlinux=$top/build/$kver/vmlinux
if [[ $vmlinux != "$kroot/vmlinux" && ! $vmlinux -nt $img ]]; then
	sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$img")
	read -r off len <<<"$(od -An -tu4 -j $((0x248)) -N8 "$img")"
	if dd if="$img" iflag=skip_bytes,count_bytes skip=$(((sects + 1) * 512 + off)) \
	      count=$((len - 4)) bs=1M status=none | zstd -dcq >"$work/vmlinux"; then
		mv "$work/vmlinux" "$vmlinux"
	else
		echo "vm.sh: $img is not zstd-compressed; booting it as it is (slower)" >&2
		vmlinux=$img
	fi
fi

# The initramfs: merged /usr like the host, so ldd's paths land in the right place.
root=$work/root
mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,dev,proc,sys,tmp,run,root,etc}
for d in bin sbin lib lib64; do
	ln -s "usr/$d" "$root/$d"
done
bins=()
for t in "${tools[@]}"; do
	bins+=("$(command -v "$t")") || die "'$t' not found on the host"
done
ldd "${bins[@]}" | awk '/=> \// { print $3 } /^\t\// { print $1 }' |
	sort -u | xargs cp -L --parents -t "$root" "${bins[@]}"
for l in "${kmod_links[@]}"; do
	ln -s ../bin/kmod "$root/usr/sbin/$l"
done
ln -s bash "$root/usr/bin/sh"
cp /bin/busybox "$root/usr/bin/"
# A root user for the tools that look one up: tcpdump -Z root.
echo 'root:x:0:0:root:/root:/bin/bash' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
for a in $(busybox --list); do
	[[ -e $root/usr/bin/$a || -e $root/usr/sbin/$a ]] || ln -s busybox "$root/usr/bin/$a"
done

# Modules with their dependencies, indexed by depmod for modprobe and
# autoload; their paths relative to kroot, the root they are found under.
mods=("${modules[@]}")
guest_ko=
if [[ $ko != none ]]; then
	guest_ko=/lib/modules/$kver/updates/${ko##*/}
	install -D -m 644 "$ko" "$root$guest_ko"
	IFS=, read -ra deps <<<"$(modinfo -F depends "$ko")"
	mods+=("${deps[@]}")
fi
for m in "${mods[@]}"; do
	modprobe ${kroot:+-d "$kroot"} -S "$kver" --show-depends "$m"
done | awk -v r="$kroot" '$1 == "insmod" { print substr($2, length(r) + 2) }' |
	sort -u | (cd "${kroot:-/}" && xargs -r cp --parents -t "$root")
cp "$kroot/lib/modules/$kver/"modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$kver/"
depmod -b "$root" "$kver"

# With their times, so that make finds what was built up to date.
for f in "${files[@]}"; do
	mkdir -p "$root$(dirname "${f##*:}")"
	cp -rL --preserve=timestamps "${f%:*}" "$root${f##*:}"
done

if [[ $interactive ]]; then
	cmd=(setsid -w cttyhack bash)
elif [[ -f $1 ]]; then
	cp "$1" "$root/root/"
	cmd=(bash "/root/${1##*/}" "${@:2}")
else
	cmd=(bash -c "$*")
fi
{
	printf 'export KVER=%q NETLOOP_KO=%q\n' "$kver" "$guest_ko"
	declare -p cmd
} >"$root/etc/vm.env"

cat >"$root/init" <<'EOF'
#!/bin/bash
set -u
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
. /etc/vm.env
[[ -z ${VM_PROBE-} ]] || cmd=(true)
# The kernel log goes out on ttyS1 as it is written, so that the host has it
# even when the command hangs; it ends with the command's exit code.
awk '{ print } /NETLOOP_RC=/ { exit }' <(dmesg -w) >/dev/ttyS1 &
klog=$!
ip link set lo up
cd /
rc=0
"${cmd[@]}" </dev/null || rc=$?
echo "NETLOOP_RC=$rc" >/dev/kmsg
wait "$klog"
sync
poweroff -f
EOF
chmod 755 "$root/init"

cpio=$work/initramfs.cpio
(cd "$root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) >"$cpio"

# KASAN keeps an eighth of the memory for its shadow and up to a 32nd in
# quarantine: give a kernel with it more, so that the tests keep theirs.
mem=2048
if grep -x CONFIG_KASAN=y "$kroot/lib/modules/$kver/build/.config" >/dev/null 2>&1; then
	mem=4096
fi

qemu=(qemu-system-x86_64) smp=2
if [[ $accel == icount ]]; then
	qroot=$("$here/kernels.sh" --root)
	qemu=("$qroot/usr/lib64/ld-linux-x86-64.so.2"
	      --library-path "$qroot/usr/lib/x86_64-linux-gnu" "$qroot/usr/bin/qemu-system-x86_64"
	      -L "$qroot/usr/share/qemu" -icount "shift=0,sleep=off")
	smp=1
fi

# run_qemu ACCEL SECONDS CONSOLE_LOG [KERNEL_ARGS]: guest dmesg and rc land in $work/ttyS1.
run_qemu() {
	timeout --foreground "$2" "${qemu[@]}" -nodefaults -display none \
		-accel "$1" -smp "$smp" -m "$mem" -no-reboot \
		-kernel "$vmlinux" -initrd "$cpio" -append "$append ${4-}" \
		-chardev "stdio,id=con,mux=on,signal=off,logfile=$3" -serial chardev:con \
		-serial "file:$work/ttyS1"
}

if [[ $accel == kvm ]] &&
   ! { run_qemu kvm 20 "$work/probe.log" VM_PROBE=1 </dev/null >/dev/null 2>&1 &&
       grep -q 'NETLOOP_RC=0' "$work/ttyS1"; }; then
	echo "vm.sh: KVM does not boot here, falling back to TCG" >&2
	accel=tcg
fi

rc=0
if [[ $interactive ]]; then
	run_qemu "${qemu_accel[$accel]}" "$limit" "$log" || rc=$?
else
	run_qemu "${qemu_accel[$accel]}" "$limit" "$log" </dev/null | sed -u 's/\r//g' || rc=$?
fi
sed -i 's/\r//g' "$log"
tr -d '\r' <"$work/ttyS1" >"$work/dmesg"
{ echo "---- guest dmesg ----"; cat "$work/dmesg"; } >>"$log"

trouble=$(grep -aE "$splat" "$log" | awk '!seen[$0]++') || true
[[ -z $trouble ]] || echo "$trouble" >&2
((rc != 124)) || die "timed out after $limit s; see $log"
((rc == 0)) || die "qemu failed with exit code $rc; see $log"
rc=$(sed -n 's/.*NETLOOP_RC=\([0-9]*\)$/\1/p' "$work/dmesg")
[[ $rc ]] || die "guest died before the command finished; see $log"
[[ -z $trouble ]] || die "kernel trouble in the guest (above); see $log"
exit "$rc"
