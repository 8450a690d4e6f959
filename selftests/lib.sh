# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Helpers shared by the netloop selftests, on top of the kernel's net/lib.sh
# (setup_ns, cleanup_all_ns, slowwait, pause_on_fail) and kselftest's
# ktap_helpers.sh: one cleanup on exit, counter readers, the kernel log
# since the test began, and KTAP case running.  Tests source this file
# first, and it reads their options:
#   -t "NAME..."  run only these cases; NAME is a case's function without
#                 test_ (forward), or that with its arguments (forward6)
#   -p            pause after a failing case (PAUSE_ON_FAIL=yes)

lib_dir=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source=/dev/null
source "$lib_dir/../../../kselftest/ktap_helpers.sh"
# shellcheck source=/dev/null
source "$lib_dir/../../../net/lib.sh"

# What a kernel in trouble logs: KASAN's reports are BUGs and lockdep's
# WARNINGs or BUGs; UBSAN's and kmemleak's have their own words.  The one
# list: kernel_log_clean checks each test's part of the log with it, and
# scripts/vm.sh reads it from here (a line of its own) for the whole guest.
KERNEL_TROUBLE='WARNING:|BUG:|Oops|refcount_t|waiting for .* to become free|Call Trace|general protection fault|Kernel panic|UBSAN:|unreferenced object|suspected memory leak'

KMSG_MARK="netloop-selftest: $(basename "$0") $$ starts"
TESTS=
usage="usage: ${0##*/} [-t \"NAME...\"]... [-p]"
# shellcheck disable=SC2034 # PAUSE_ON_FAIL: net/lib.sh's pause_on_fail reads it
while getopts :t:ph opt; do
	case $opt in
	t) TESTS+=" $OPTARG" ;;
	p) PAUSE_ON_FAIL=yes ;;
	h) echo "$usage"; exit 0 ;;
	*) echo "$usage" >&2; exit 1 ;;
	esac
done
OPTIND=1

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

declare -A SYSCTL_SAVED

# sysctl_set NAME=VALUE...: set global sysctls; cleanup puts each back as
# it was before the test first changed it.
sysctl_set()
{
	local kv

	for kv; do
		[[ -v SYSCTL_SAVED[${kv%%=*}] ]] ||
			SYSCTL_SAVED[${kv%%=*}]=$(sysctl -n "${kv%%=*}") || return
	done
	sysctl -qw "$@"
}

# cleanup: on exit, whatever ends it: stop the test's background jobs,
# remove its namespaces (setup_ns), restore its sysctls (sysctl_set) and
# remove $tmp.
cleanup()
{
	local name
	local -a pids

	mapfile -t pids < <(jobs -p)
	if ((${#pids[@]})); then
		kill "${pids[@]}" 2>/dev/null
		wait "${pids[@]}" 2>/dev/null
	fi
	cleanup_all_ns
	for name in "${!SYSCTL_SAVED[@]}"; do
		sysctl -qw "$name=${SYSCTL_SAVED[$name]}"
	done
	rm -rf "$tmp"
}
tmp=$(mktemp -d)
trap cleanup EXIT

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

# wait_listen NS tcp|udp PORT: wait up to 10 s for a socket bound to PORT
# in NS (a TCP listener, a UDP receiver), so a sender can start.
wait_listen()
{
	slowwait 10 bound "$@" || fail "no $2 socket bound to port $3 in $1"
}

# bound NS tcp|udp PORT: a socket is bound to PORT in NS.
bound()
{
	[[ -n $(ip netns exec "$1" ss -Hln --"$2" "sport = :$3") ]]
}

# transfer [-t SECS] NS PROTO ADDR PORT BYTES [SEED]: BYTES (xfer's data
# for SEED) over PROTO (tcp or sctp) from NS to its own ADDR, through xfer
# with its timeout SECS; fails unless the receiver got every byte with the
# sender's hash.  Sets SENT to the sender's line (bytes, fnv, seconds, mss).
transfer()
{
	local -a t=()
	local got

	[[ $1 == -t ]] && t=(-t "$2") && shift 2
	ip netns exec "$1" "$lib_dir/xfer" "${t[@]}" "$2-recv" "$3" "$4" >"$tmp/transfer" &
	wait_listen "$1" "$2" "$4" || return
	SENT=$(ip netns exec "$1" "$lib_dir/xfer" "${t[@]}" "$2-send" "$3" "$4" "${@:5}") ||
		fail "$2-send to $3 in $1 failed" || return
	wait $! || fail "$2-recv on $3 in $1 failed" || return
	got=$(<"$tmp/transfer")
	[[ $(field bytes "$got") == "$5" && $(field fnv "$got") == "$(field fnv "$SENT")" ]] ||
		fail "$2 data damaged: sent '$SENT', received '$got'"
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

# packets NS DEV: DEV's "tx_packets rx_packets".
packets()
{
	echo "$(dev_stat "$1" "$2" tx_packets) $(dev_stat "$1" "$2" rx_packets)"
}

# packets_moved NS DEV BEFORE TX RX: DEV's tx and rx packets moved by
# exactly TX and RX since BEFORE (what packets printed).
packets_moved()
{
	local tx rx
	local -a b

	read -r tx rx <<<"$(packets "$1" "$2")"
	read -r -a b <<<"$3"
	(((tx - b[0]) == $4 && (rx - b[1]) == $5)) ||
		fail "$2 tx_packets moved by $((tx - b[0])), rx_packets by $((rx - b[1])), want $4 and $5"
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

# kernel_log_clean: nothing of KERNEL_TROUBLE in the kernel log since this
# test started.
kernel_log_clean()
{
	local bad

	bad=$(kernel_log | grep -E "$KERNEL_TROUBLE")
	[[ -z $bad ]] || fail "kernel log: $bad"
}

# run_cases "DESCRIPTION:FUNCTION [ARG...]"...: run each case (those -t
# names, if given) as one KTAP result, then check the kernel log, and exit
# with kselftest's status.  With -p, pause after a failing case.
run_cases()
{
	local c t name full known=" "
	local -a cmd tests chosen=()

	read -r -a tests <<<"$TESTS"
	for c; do
		read -r -a cmd <<<"${c##*:}"
		name=${cmd[0]#test_}
		printf -v full %s "$name" "${cmd[@]:1}"
		for t in "$name" "$full"; do
			[[ $known == *" $t "* ]] || known+="$t "
		done
		for t in "${tests[@]:-$name}"; do
			if [[ ${t#test_} == "$name" || ${t#test_} == "$full" ]]; then
				chosen+=("$c")
				break
			fi
		done
	done
	for t in "${tests[@]}"; do
		[[ $known == *" ${t#test_} "* ]] || {
			echo "${0##*/}: no case '$t'; cases:$known" >&2
			exit "$KSFT_FAIL"
		}
	done
	chosen+=("kernel log is clean:kernel_log_clean")

	ktap_print_header
	ktap_set_plan ${#chosen[@]}
	for c in "${chosen[@]}"; do
		read -r -a cmd <<<"${c##*:}"
		if "${cmd[@]}"; then
			ktap_test_pass "${c%:*}"
		else
			ktap_test_fail "${c%:*}"
			pause_on_fail
		fi
	done
	ktap_finished
}

echo "$KMSG_MARK" >/dev/kmsg
