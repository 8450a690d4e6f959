#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The ip plugin (iproute2/link_netloop.c) against a real ip, with no netloop
# module.  Without ROOT: built with the host's gcc, run by the host's ip
# (Debian 12: iproute2 6.1).  With ROOT, a build root of another Debian
# (trixie: iproute2 6.15): built with its gcc, run by its ip, in it
# (in_root).  ip finds the plugin in build/plugin-<codename>/ through
# IP_LIB_DIR; nothing is installed.  ip link add runs without CAP_NET_ADMIN,
# so what reaches the kernel is refused before it looks at the kind: no
# module is loaded, no device made, even where the plugin lets too much by.
#
# Checks ip link help netloop, the parser's answers, the mode in ip -d's
# output (through ip monitor file and a made-up RTM_NEWLINK), and that the
# plugin refuses an ip whose struct link_util it does not know: a stand-in
# ip that loads it as ip does, with a bigger struct.  One line per check;
# stops at the first failure.
#
# Usage: scripts/test-plugin.sh [ROOT]

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib.sh
. "$top/scripts/lib.sh"

(($# <= 1)) || die "usage: $0 [ROOT]"
root=
if (($#)); then
	[[ -d $1/etc ]] || die "$1 is not a build root"
	root=$(cd "$1" && pwd)
fi

# run CMD...: CMD on the host, or in ROOT.
run() {
	if [[ -n $root ]]; then
		in_root "$root" "$@"
	else
		"$@"
	fi
}

cd "$top"
codename=$(sed -n 's/^VERSION_CODENAME=//p' "$root/etc/os-release")
version=$(run ip -V 2>/dev/null | sed -n 's/^ip utility, iproute2-\([^,]*\).*/\1/p')
[[ -n $codename && -n $version ]] || die "cannot tell the Debian release or ip's version in ${root:-the host}"
name="$codename, iproute2 $version"
dir=$top/build/plugin-$codename
checks=0

say() {
	checks=$((checks + 1))
	echo "test-plugin: $name: $*"
}

# with_plugin CMD...: CMD with ip looking for plugins in $dir; sets rc,
# out and err.
with_plugin() {
	rc=0
	run env IP_LIB_DIR="$dir" "$@" >"$dir/stdout" 2>"$dir/stderr" || rc=$?
	out=$(<"$dir/stdout")
	err=$(<"$dir/stderr")
}

# fail WHAT: die, showing what the last with_plugin's command did.
fail() {
	local nl=$'\n' pad=$'\n          '

	out=${out:-(empty)} err=${err:-(empty)}
	die "$name: $1$nl  exit status $rc$nl  stdout: ${out//$nl/$pad}$nl  stderr: ${err//$nl/$pad}"
}

# ip link add, without CAP_NET_ADMIN.
add=(setpriv --bounding-set=-net_admin ip link add x type netloop)

# refused ARGS... : ip link add x type netloop ARGS must fail, with the
# plugin's message ($want) on stderr and nothing on stdout.
refused() {
	with_plugin "${add[@]}" "$@"
	[[ $rc != 0 && -z $out && $err == "$want" ]] ||
		fail "'ip link add x type netloop $*': not refused with '$want'"
	say "ip link add x type netloop $*: refused: ${want%%$'\n'*}"
}

usage='Usage: ... netloop [ mode { reflect | loopback } ]

reflect (default): the looped packet is routed again as input
loopback: the looped packet keeps its output route, as on lo'

rm -rf "$dir"
mkdir -p "$dir"
cc=$(run sh -c 'for c in gcc gcc-14 cc; do command -v $c && exit; done; exit 1') ||
	die "no C compiler in ${root:-the host}"
logged "$dir/build.log" run make -C iproute2 O="$dir" CC="$cc"
say "built ${dir#"$top"/}/link_netloop.so with ${cc##*/} $(run "$cc" -dumpfullversion)"

with_plugin ip link help veth
veth=$rc
with_plugin ip link help netloop
[[ $rc == "$veth" && $out == "$usage" && -z $err ]] ||
	fail "ip link help netloop: not the usage on stdout and veth's exit status ($veth)"
say "ip link help netloop: the usage on stdout, exit status $rc as for veth"

want=$usage refused help
want='Error: argument "bogus" is wrong: mode must be reflect or loopback' refused mode bogus
want='Error: "mode" needs a value: reflect or loopback' refused mode
want='Error: duplicate "mode"' refused mode reflect mode loopback
want='netloop: unknown argument "loop"'$'\n'"$usage" refused mode loopback loop

with_plugin "${add[@]}" mode loopback
[[ $rc != 0 && -z $out && $err == 'RTNETLINK answers: Operation not permitted' ]] ||
	fail "ip link add x type netloop mode loopback: not passed on to the kernel"
say "ip link add x type netloop mode loopback: passed on to the kernel (EPERM without CAP_NET_ADMIN)"

# What the kernel says of lo1, a netloop device in loopback mode, as far as
# ip -d needs: nlmsghdr (RTM_NEWLINK), ifinfomsg (ARPHRD_ETHER, ifindex
# 1000), IFLA_IFNAME "lo1", IFLA_LINKINFO { IFLA_INFO_KIND "netloop",
# IFLA_INFO_DATA { IFLA_NETLOOP_MODE 1 } }.
newlink='44000000 10000000 00000000 00000000  00000100 e8030000 00000000 00000000
	 08000300 6c6f3100
	 1c001200 0c000100 6e65746c 6f6f7000 0c000200 08000100 01000000'
newlink=${newlink//[$' \t\n']/}
for ((i = 0; i < ${#newlink}; i += 2)); do
	printf '%b' "\\x${newlink:i:2}"
done >"$dir/newlink"
for color in never always; do
	with_plugin ip -d -color="$color" monitor file "$dir/newlink"
	[[ $rc == 0 && $out == *"netloop mode loopback "* ]] ||
		fail "ip -d -color=$color monitor: no plain 'netloop mode loopback' for lo1"
	say "ip -d -color=$color: prints 'netloop mode loopback', uncoloured"
done

# A stand-in for ip: it loads the plugin as ip does, with its own
# dummy_link_util of SLOTS pointers (ip's has 9) among its dynamic symbols
# (-rdynamic, as ip's -export-dynamic) or not.
cat >"$dir/stand-in.c" <<'EOF'
#include <dlfcn.h>
#include <stdio.h>

struct link_util {
	void *slot[SLOTS];
} dummy_link_util;

int main(int argc, char **argv)
{
	if (!dlopen(argv[1], RTLD_LAZY)) {
		fprintf(stderr, "%s\n", dlerror());
		return 2;
	}
	puts("loaded");
	return 0;
}
EOF
ptr=$(($(run getconf LONG_BIT) / 8))
while IFS=: read -r slots flags why; do
	# shellcheck disable=SC2086 # no flags: no argument
	logged "$dir/build.log" run "$cc" -Wall -DSLOTS="$slots" $flags -o "$dir/stand-in" "$dir/stand-in.c"
	want="link_netloop.so: this ip $why: netloop knows the plugin interface of iproute2 6.1 to 7.3 only"
	with_plugin "$dir/stand-in" "$dir/link_netloop.so"
	[[ $rc == 1 && -z $out && $err == "$want" ]] ||
		fail "an ip with a $slots-pointer link_util${flags:+ ($flags)}: not refused with '$want'"
	say "an ip with a $slots-pointer link_util${flags:+ ($flags)}: refused: ...$why"
done <<EOF
10:-rdynamic:has a struct link_util of $((10 * ptr)) bytes, not $((9 * ptr))
9:-rdynamic:has no addattr32()
9::exports no dummy_link_util
EOF

echo "test-plugin: $name: all $checks checks passed"
