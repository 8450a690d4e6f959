# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Helpers shared by the netloop selftests, in the style of net/lib.sh:
# namespaces with unique names and a cleanup that always runs, counter
# readers, the kernel log since the test began, and KTAP case running on
# top of kselftest's ktap_helpers.sh.  Tests source this file first.

lib_dir=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source=/dev/null
source "$lib_dir/../../../kselftest/ktap_helpers.sh"

NS_LIST=()
KMSG_MARK="netloop-selftest: $(basename "$0") $$ starts"

# fail MSG: explain a failed check as a KTAP diagnostic and return 1.
fail()
{
	echo "# $*"
	return 1
}

# skip_all REASON: the test cannot run here (kselftest's skip, exit 4).
skip_all()
{
	ktap_print_header
	ktap_skip_all "$*"
	exit "$KSFT_SKIP"
}

# require_cmd CMD...: skip the test unless every command exists.
require_cmd()
{
	local cmd

	for cmd; do
		command -v "$cmd" >/dev/null || skip_all "$cmd not found"
	done
}

# require_netloop: skip the test unless the netloop module loads.
require_netloop()
{
	modprobe -q netloop || skip_all "netloop module not available"
}

# setup_ns VAR...: create a namespace with a unique name for each VAR, with
# lo up, and set VAR to its name.  They are all removed on exit.
setup_ns()
{
	local _var _name

	for _var; do
		_name="$_var-$(mktemp -u XXXXXX)"
		ip netns add "$_name" || return 1
		NS_LIST+=("$_name")
		ip -n "$_name" link set lo up
		printf -v "$_var" '%s' "$_name"
	done
}

cleanup_ns()
{
	local ns

	for ns in "${NS_LIST[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	NS_LIST=()
}
trap cleanup_ns EXIT

# loop_route NS DEV ADDR: make DEV the way out to the local address ADDR
# (IPv4 or IPv6) with policy routing, and deliver what DEV loops back:
#   pref 10  iif DEV lookup local     looped packets are delivered
#   pref 20  to ADDR lookup 100       locally sent packets go out DEV
#   pref 1000 lookup local            moved from pref 0, behind the two
# A ping to ADDR then crosses DEV twice: the request, then the reply.
loop_route()
{
	local ns=$1 dev=$2 addr=$3 fam=-4

	[[ $addr == *:* ]] && fam=-6
	# One ip for all: under TCG every process costs.
	ip -n "$ns" "$fam" -batch - <<-EOF
		rule add pref 1000 lookup local
		rule del pref 0
		rule add pref 10 iif $dev lookup local
		rule add pref 20 to $addr lookup 100
		route add $addr dev $dev table 100
	EOF
}

# ns_sysctl NS NAME=VALUE...: set sysctls in NS.
ns_sysctl()
{
	ip netns exec "$1" sysctl -qw "${@:2}"
}

# pg NS FILE CMD: write a pktgen command to /proc/net/pktgen/FILE in NS.
pg()
{
	ip netns exec "$1" sh -c "echo '$3' >/proc/net/pktgen/$2"
}

# pktgen_setup NS DEV COUNT MAC: give DEV, alone, to pktgen's CPU 0 thread,
# to send COUNT 60-byte frames to MAC for 198.51.100.1 once started
# (pg NS pgctrl start, which returns when they are sent).
pktgen_setup()
{
	pg "$1" kpktgend_0 rem_device_all &&
	pg "$1" kpktgend_0 "add_device $2" &&
	pg "$1" "$2" "count $3" &&
	pg "$1" "$2" "pkt_size 60" &&
	pg "$1" "$2" "dst 198.51.100.1" &&
	pg "$1" "$2" "dst_mac $4"
}

# meminfo FIELD...: the sum of these /proc/meminfo values, in KiB.
meminfo()
{
	awk -v want=" $* " 'index(want, " " substr($1, 1, length($1) - 1) " ") { s += $2 }
		END { print s + 0 }' /proc/meminfo
}

# wait_listen NS tcp|udp PORT: wait up to 5 s for a socket bound to PORT
# in NS (a TCP listener, a UDP receiver), so a sender can start.
wait_listen()
{
	local i

	for ((i = 0; i < 50; i++)); do
		[[ -n $(ip netns exec "$1" ss -Hln --"$2" "sport = :$3") ]] && return
		sleep 0.1
	done
	fail "no $2 socket bound to port $3 in $1"
}

# field NAME LINE: the value of NAME=value in LINE (such as xfer's output).
field()
{
	local w

	for w in $2; do
		[[ $w == "$1="* ]] && echo "${w#*=}"
	done
}

# setup_loop NS ADDR: nl0 up in NS with the local address ADDR (IPv4 or
# IPv6), routed out through nl0 by loop_route.  nl0 gets no IPv6
# link-local address, so the kernel sends no router solicitations through
# it: its counters count the test's packets only.
setup_loop()
{
	local plen=32 flags=

	[[ $2 == *:* ]] && plen=128 flags=nodad
	ip -n "$1" -batch - <<-EOF &&
		link add nl0 type netloop
		link set nl0 addrgenmode none
		link set nl0 up
		addr add $2/$plen dev nl0 $flags
	EOF
	loop_route "$1" nl0 "$2"
}

# dev_stat NS DEV COUNTER: a counter from /sys/class/net/DEV/statistics.
dev_stat()
{
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

# nstat_get NS COUNTER...: SNMP or netstat counters such as IpExtInNoRoutes,
# their values in the order asked.
nstat_get()
{
	local -A v
	local name val _
	local -a out

	while read -r name val _; do
		v[$name]=$val
	done <<<"$(ip netns exec "$1" nstat -asz "${@:2}")"
	for name in "${@:2}"; do
		out+=("${v[$name]}")
	done
	echo "${out[*]}"
}

# rt_cache_stat COLUMN: a column of /proc/net/stat/rt_cache (such as
# in_martian_src) summed over the per-CPU lines, which are in hex.  The
# counters are global, not per namespace.
rt_cache_stat()
{
	local -a head vals
	local line i col sum=0

	{
		read -r -a head
		for i in "${!head[@]}"; do
			[[ ${head[i]} == "$1" ]] && col=$i
		done
		[[ -n ${col:-} ]] || return 1
		while read -r line; do
			read -r -a vals <<<"$line"
			sum=$((sum + 16#${vals[col]}))
		done
	} </proc/net/stat/rt_cache
	echo "$sum"
}

# kernel_log: the kernel log since this test started.
kernel_log()
{
	dmesg | sed -n "/$KMSG_MARK/,\$p"
}

# kernel_log_clean: no warning, bug, oops, refcount, UBSAN or leak report
# since this test started.
kernel_log_clean()
{
	local bad

	bad=$(kernel_log | grep -E 'WARNING:|BUG:|Oops|UBSAN:|refcount_t|Call Trace|waiting for .* to become free')
	[[ -z $bad ]] || fail "kernel log: $bad"
}

# run_cases "DESCRIPTION:FUNCTION [ARG...]"...: run each case as one KTAP
# result, then check the kernel log, and exit with kselftest's status.
run_cases()
{
	local c
	local -a cmd

	ktap_print_header
	ktap_set_plan $(($# + 1))
	for c; do
		read -r -a cmd <<<"${c##*:}"
		ktap_test_result "${c%:*}" "${cmd[@]}"
	done
	ktap_test_result "kernel log is clean" kernel_log_clean
	ktap_finished
}

echo "$KMSG_MARK" >/dev/kmsg
