#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Martian and reverse-path filtering of packets looped through netloop.
# Unlike lo, netloop releases the output route before the loop, so a packet
# comes back in on the device through a full input route lookup
# (ip_route_input_slow(), fib_validate_source(); ipv6_rcv() for IPv6), and
# the kernel's receive-side checks apply to it.  Each check sends N UDP
# datagrams with the inject helper, either routed by the kernel out of nl0
# (a raw socket: the packet carries its output route to the device) or
# injected on nl0 (AF_PACKET: no route), and asserts the exact movement of
# every counter it watches: the martian counters of /proc/net/stat/rt_cache,
# the namespace's SNMP counters, nl0's statistics and the martian lines of
# the kernel log.  Had netloop kept the output route (as lo does, with
# netif_keep_dst() and no dst release in its xmit), the routed packets
# would skip the input lookup and its checks, and be silently discarded.

here=$(dirname "$(readlink -f "$0")")
# shellcheck source=lib.sh
source "$here/lib.sh"

INJECT=$here/inject
N=3

# The watched counters, besides nl0's statistics and the kernel log (see
# snapshot).  The rt_cache ones are global: nothing else may run meanwhile.
RT_STATS=(in_martian_src in_martian_dst)
SNMP=(TcpExtIPReversePathFilter IpForwDatagrams IpInHdrErrors IpInAddrErrors
      UdpNoPorts Ip6InHdrErrors Ip6InDiscards Udp6NoPorts)

# What N datagrams do to the watched counters (nothing else may move):
#   martian_dst   ip_route_input_slow() drops them as martian destinations
#   martian_src   ... as martian sources
#   rp_filter     fib_validate_source() fails the reverse-path check
#                 (-EXDEV): ip_rcv_finish_core() counts IPReversePathFilter,
#                 and the packet is also counted and logged as a martian
#                 source
#   delivered     received by UDP, which has no socket on port 9 (NoPorts)
#   delivered2    the same, and the ICMP port unreachable each one causes
#                 loops through nl0 as well
#   forwarded     forwarded out nl0 with TTL 2; back in with TTL 1, they die
#                 of it in ip_forward() (InHdrErrors)
#   not_for_us    a non-local destination with forwarding off: ip_error()
#                 counts InAddrErrors; the source is never checked
#   bad_header6   ip6_rcv_core() drops ::1 on a device without IFF_LOOPBACK
#                 (RFC 4291 2.5.3) and counts Ip6InHdrErrors
#   delivered6    received by UDP over IPv6, no socket (Udp6NoPorts)
LOOPED="rx_packets=$N tx_packets=$N"
declare -A OUTCOMES=(
	[martian_dst]="$LOOPED in_martian_dst=$N log_dst=$N"
	[martian_src]="$LOOPED in_martian_src=$N log_src=$N"
	[rp_filter]="$LOOPED in_martian_src=$N log_src=$N TcpExtIPReversePathFilter=$N"
	[delivered]="$LOOPED UdpNoPorts=$N"
	[delivered2]="rx_packets=$((2 * N)) tx_packets=$((2 * N)) UdpNoPorts=$N"
	[forwarded]="rx_packets=$((2 * N)) tx_packets=$((2 * N)) IpForwDatagrams=$N IpInHdrErrors=$N"
	[not_for_us]="$LOOPED IpInAddrErrors=$N"
	[bad_header6]="$LOOPED Ip6InHdrErrors=$N"
	[delivered6]="$LOOPED Udp6NoPorts=$N"
)

# The sysctls every namespace starts from, whatever the host's (a new
# namespace takes IPv4's conf.all and conf.default from the initial one):
# no reverse-path filter, no local sources, no 127/8 routing, no
# forwarding; martians logged; ICMP errors never rate-limited, so that
# those some checks cause are counted exactly.
BASE=(net.ipv4.conf.{all,default}.{rp_filter,accept_local,route_localnet,forwarding}"=0"
      net.ipv4.conf.all.log_martians=1 net.ipv4.icmp_ratemask=0)

# ip_batch NS IPCMD...: the ip commands IPCMD ("addr add ...") in NS, with
# one ip process.
ip_batch()
{
	printf '%s\n' "${@:2}" | ip -n "$1" -batch -
}

# nl0_ns VAR [IPCMD...]: a namespace, its name in VAR, with BASE, nl0 up
# and the ip commands IPCMD run in it.  nl0 gets no IPv6 link-local
# address, so it sends no router solicitations that would move its
# counters.
nl0_ns()
{
	local name

	setup_ns "$1" || return
	name=${!1}
	ns_sysctl "$name" "${BASE[@]}" &&
	ip_batch "$name" "link add nl0 type netloop" "link set nl0 addrgenmode none" \
		"link set nl0 up" "${@:2}"
}

# snapshot NS SRC DST: every watched counter as "name value" lines: the
# rt_cache ones, the namespace's SNMP counters and nl0's rx_packets,
# tx_packets and tx_dropped, then log_src and log_dst: how many martian
# source and martian destination lines the kernel has logged for packets
# from SRC to DST on nl0.
snapshot()
{
	local ns=$1 c v line n_src=0 n_dst=0
	# The wording of kernels after 6.12, then that of 6.12 and earlier.
	local msg_src="martian source (src=$2, dst=$3, dev=nl0)"
	local msg_dst="martian destination (src=$2, dst=$3, dev=nl0)"
	local old_src="martian source $3 from $2, on dev nl0"
	local old_dst="martian destination $3 from $2, dev nl0"

	for c in "${RT_STATS[@]}"; do
		echo "$c $(rt_cache_stat "$c")"
	done
	# One process in the namespace: nstat's "NAME VALUE RATE" lines (and
	# its "#kernel" header), then grep's "FILE:VALUE".
	ip netns exec "$ns" bash -c 'nstat -asz "$@" &&
		cd /sys/class/net/nl0/statistics &&
		grep -H . rx_packets tx_packets tx_dropped' - "${SNMP[@]}" |
		while IFS=' :' read -r c v _; do
			[[ $c == \#* ]] || echo "$c $v"
		done
	while IFS= read -r line; do
		[[ $line == "$msg_src" || $line == "$old_src" ]] && ((++n_src))
		[[ $line == "$msg_dst" || $line == "$old_dst" ]] && ((++n_dst))
	done <<<"$(dmesg | grep -oF -e "$msg_src" -e "$msg_dst" -e "$old_src" -e "$old_dst")"
	echo "log_src $n_src"
	echo "log_dst $n_dst"
}

# check_deltas NS SRC DST BEFORE SPEC: since BEFORE, a snapshot, every
# watched counter moved by what SPEC ("name=delta ...") gives it, the
# others not at all.  The sender's own softirq processing normally handles
# the looped packets before it returns, but ksoftirqd may have them: if the
# counters are not there yet, look again 0.5 s later.
check_deltas()
{
	local ns=$1 src=$2 dst=$3 spec=$5 c v kv try bad
	local -A base now want

	while read -r c v _; do
		base[$c]=$v
		want[$c]=0
	done <<<"$4"
	for kv in $spec; do
		want[${kv%=*}]=${kv#*=}
	done
	for try in 1 2; do
		while read -r c v _; do
			now[$c]=$v
		done <<<"$(snapshot "$ns" "$src" "$dst")"
		bad=
		for c in "${!want[@]}"; do
			((now[$c] - base[$c] == want[$c])) ||
				bad+=" $c moved by $((now[$c] - base[$c])), want ${want[$c]};"
		done
		[[ -z $bad ]] && return
		((try < 2)) && sleep 0.5
	done
	fail "$src > $dst:$bad"
}

# check NS HOW SRC DST OUTCOME [TTL]: send N datagrams from SRC to DST,
# routed out of nl0 by the kernel (HOW raw) or injected on nl0 (packet),
# and check that the counters moved as OUTCOME says.
check()
{
	local ns=$1 how=$2 src=$3 dst=$4 outcome=$5 ttl=${6:-64}
	local -a way=(-i nl0)
	local before

	[[ $how == raw ]] && way=(-r)
	before=$(snapshot "$ns" "$src" "$dst")
	ip netns exec "$ns" "$INJECT" "${way[@]}" -s "$src" -d "$dst" -t "$ttl" -c "$N" ||
		fail "inject $how $src > $dst failed" || return
	check_deltas "$ns" "$src" "$dst" "$before" "${OUTCOMES[$outcome]}"
}

# for_rows CMD ROW...: run CMD (words) with the words of each ROW appended;
# every row runs, and those that failed are named.
for_rows()
{
	local run=$1 row rc=0

	shift
	for row; do
		# shellcheck disable=SC2086 # words on purpose
		$run $row || { fail "^ in: $row"; rc=1; }
	done
	return "$rc"
}

# conf_one NAME CONF: the sysctls turning NAME on in net.ipv4.conf.CONF
# and off in the other confs that matter here (all, lo, nl0); CONF - for
# none.
conf_one()
{
	local c v

	for c in all lo nl0; do
		v=0
		[[ $c == "$2" ]] && v=1
		echo "net.ipv4.conf.$c.$1=$v"
	done
}

# 1. A destination in 127/8 arriving on any device but lo is martian unless
# route_localnet allows it (ip_route_input_slow(); ip-sysctl.rst
# route_localnet): sent by the host from its own address through nl0, or
# injected, it is counted (in_martian_dst), logged ("martian destination
# 127.0.0.5 from 192.0.2.1, dev nl0") and not delivered.
test_martian_dst()
{
	local ns

	nl0_ns ns "addr add 192.0.2.1/32 dev nl0" &&
	loop_route "$ns" nl0 127.0.0.5 || fail "setup" || return
	for_rows "check $ns" \
		"raw 192.0.2.1 127.0.0.5 martian_dst" \
		"packet 192.0.2.1 127.0.0.5 martian_dst"
}

# 2. Martian sources (ip_route_input_slow(), before any lookup): multicast
# and limited broadcast always, 0.0.0.0 always (except to 255.255.255.255),
# 127/8 unless route_localnet.  The rest of 0.0.0.0/8 is ordinary unicast
# since Linux 5.3 and is delivered (no reverse-path filter here).  A raw
# socket keeps any source but 0.0.0.0 (it puts the route's there), hence
# that one is only injected.  Rows: HOW SRC DST OUTCOME.
MARTIAN_SOURCES=(
	"raw 127.0.0.1 192.0.2.1 martian_src"
	"packet 127.0.0.1 192.0.2.1 martian_src"
	"packet 0.0.0.0 192.0.2.1 martian_src"
	"raw 224.1.2.3 192.0.2.1 martian_src"
	"packet 224.1.2.3 192.0.2.1 martian_src"
	"raw 255.255.255.255 192.0.2.1 martian_src"
	"packet 255.255.255.255 192.0.2.1 martian_src"
	"raw 0.1.2.3 192.0.2.1 delivered"
	"packet 0.1.2.3 192.0.2.1 delivered"
)

test_martian_src()
{
	local ns

	nl0_ns ns "addr add 192.0.2.1/32 dev nl0" &&
	loop_route "$ns" nl0 192.0.2.1 || fail "setup" || return
	for_rows "check $ns" "${MARTIAN_SOURCES[@]}"
}

# 3. route_localnet: the martian checks of 127/8 on input read it from
# conf.all or the receiving device (IN_DEV_NET_ROUTE_LOCALNET), so
# conf.nl0 or conf.all, never conf.lo.  That only passes the address-class
# check; the source then goes through fib_validate_source() like any
# other: 127.0.0.1 is a local address and needs accept_local (as in 4),
# while 127.0.0.5, which the rules route through nl0, passes the reverse
# lookup without it (and so does the ICMP port unreachable it is answered
# with, looping back the same way).  127.0.0.5 is routed through nl0; rows:
# ROUTE_LOCALNET ACCEPT_LOCAL (the conf that turns it on, - for none) HOW
# SRC DST OUTCOME.
ROUTE_LOCALNET=(
	"- - raw 127.0.0.5 127.0.0.5 martian_dst"
	"lo - raw 127.0.0.5 127.0.0.5 martian_dst"
	"nl0 - raw 127.0.0.5 127.0.0.5 delivered2"
	"all - raw 127.0.0.5 127.0.0.5 delivered2"
	"nl0 - raw 127.0.0.1 127.0.0.5 martian_src"
	"nl0 nl0 raw 127.0.0.1 127.0.0.5 delivered"
	"lo nl0 packet 127.0.0.1 192.0.2.1 martian_src"
	"all nl0 packet 127.0.0.1 192.0.2.1 delivered"
)

route_localnet_row()
{
	local ns=$1
	local -a sysctls

	mapfile -t sysctls <<<"$(conf_one route_localnet "$2"; conf_one accept_local "$3")"
	ns_sysctl "$ns" "${sysctls[@]}" || fail "sysctl" || return
	shift 3
	check "$ns" "$@"
}

test_route_localnet()
{
	local ns

	nl0_ns ns "addr add 192.0.2.1/32 dev nl0" &&
	loop_route "$ns" nl0 127.0.0.5 || fail "setup" || return
	for_rows "route_localnet_row $ns" "${ROUTE_LOCALNET[@]}"
}

# 4. A local source coming back in on nl0.  No policy rules here (with
# them fib_validate_source() always takes its full path): 192.0.2.1 is on
# lo, and the host sends from it to 203.0.113.5, routed out of nl0 with TTL
# 2.  With forwarding on nl0 the looped packet is to be forwarded, and
# __mkroute_input() validates its source (fib_validate_source()); the
# reverse lookup finds a local route, not one through nl0.  rp_filter is
# max(conf.all, conf.nl0); accept_local is conf.all or conf.nl0
# (ip-sysctl.rst):
#   - accept_local 0: a local source is martian whatever rp_filter says
#     (fib_validate_source(): the local address lookup, or the reverse
#     lookup of __fib_validate_source() that finds RTN_LOCAL);
#   - accept_local 1, rp_filter 0: no source validation; forwarded;
#   - accept_local 1, rp_filter 1 (strict): the route back to the source
#     is not through nl0: rp_filter drop;
#   - accept_local 1, rp_filter 2 (loose): the source is reachable (the
#     local route counts with accept_local): forwarded.  But loose mode
#     fails when nl0 has no IPv4 address (__fib_validate_source() goes to
#     its last resort, which rejects for any rp_filter).
# With forwarding off the destination is not for us: ip_route_input_slow()
# gives up before any source check.  Rows: FORWARDING (conf.nl0)
# RP_FILTER_ALL RP_FILTER_NL0 ACCEPT_LOCAL (the conf that turns it on, -
# for none) NL0_ADDRESS (198.51.100.1/24 or none) OUTCOME.
RP_FILTER=(
	"1 0 0 - yes martian_src"
	"1 0 0 nl0 yes forwarded"
	"1 1 0 - yes martian_src"
	"1 0 1 nl0 yes rp_filter"
	"1 2 0 - yes martian_src"
	"1 1 2 all yes forwarded"
	"1 0 2 nl0 no rp_filter"
	"0 0 0 - yes not_for_us"
)

rp_filter_row()
{
	local ns=$1 fwd=$2 rp_all=$3 rp_nl0=$4 addr=$6 outcome=$7
	local -a sysctls ipcmds=("addr flush dev nl0")

	mapfile -t sysctls <<<"$(conf_one accept_local "$5")"
	[[ $addr == no ]] || ipcmds+=("addr add 198.51.100.1/24 dev nl0")
	# Removing nl0's last address removed the routes through it.
	ipcmds+=("route replace 203.0.113.0/24 dev nl0")
	ns_sysctl "$ns" net.ipv4.conf.nl0.forwarding="$fwd" \
		net.ipv4.conf.all.rp_filter="$rp_all" \
		net.ipv4.conf.nl0.rp_filter="$rp_nl0" "${sysctls[@]}" &&
	ip_batch "$ns" "${ipcmds[@]}" || fail "setup" || return
	check "$ns" raw 192.0.2.1 203.0.113.5 "$outcome" 2
}

test_rp_filter()
{
	local ns

	nl0_ns ns "addr add 192.0.2.1/32 dev lo" || fail "setup" || return
	for_rows "rp_filter_row $ns" "${RP_FILTER[@]}"
}

# 5. IPv6 has no martian filter of its own, but drops ::1 as source or
# destination on any device without IFF_LOOPBACK (ip6_rcv_core(), RFC 4291
# 2.5.3), as a header error.  Ordinary addresses, injected or routed
# through nl0 by policy rules (2001:db8::1) and back, are delivered.  Rows:
# HOW SRC DST OUTCOME.
IPV6=(
	"packet ::1 2001:db8::1 bad_header6"
	"packet 2001:db8::2 ::1 bad_header6"
	"packet 2001:db8::2 2001:db8::1 delivered6"
	"raw 2001:db8::2 2001:db8::1 delivered6"
)

test_ipv6()
{
	local ns

	nl0_ns ns "addr add 2001:db8::1/128 dev nl0 nodad" \
		"addr add 2001:db8::2/128 dev lo nodad" &&
	loop_route "$ns" nl0 2001:db8::1 || fail "setup" || return
	for_rows "check $ns" "${IPV6[@]}"
}

# carrier_window CMD...: (in nl0's namespace) turn nl0's carrier off and
# wait for linkwatch to act on it (operstate down: its next non-urgent run
# is now 1 s away), turn it on (urgent: acted on at once), off again, and
# run CMD at once.  Fail if linkwatch acted on the carrier change before
# CMD was done.  Only builtins poll: this has to be quick.
carrier_window()
{
	local step state try

	for step in off:down on:up; do
		ip link set nl0 carrier "${step%:*}" || return
		for try in {1..200}; do
			read -r state </sys/class/net/nl0/operstate
			[[ $state == "${step#*:}" ]] && break
			sleep 0.01
		done
		[[ $state == "${step#*:}" ]] || return
	done
	ip link set nl0 carrier off && "$@" || return
	read -r state </sys/class/net/nl0/operstate
	[[ $state == up ]]
}

# 6. Without carrier nothing loops, and what nl0 is handed is counted in
# tx_dropped and freed (inject fails if the kernel still holds a frame).  With PACKET_QDISC_BYPASS the core itself drops the frames
# before the driver (__dev_direct_xmit() checks the carrier), counts them
# and fails sendto() with ENOBUFS.  The frames that do reach netloop_xmit()
# are those sent the ordinary way before linkwatch has acted on the carrier
# change and put the noop qdisc in place (see carrier_window); should they
# miss that window, try again.
test_carrier_off()
{
	local ns try out before addrs=(192.0.2.1 192.0.2.1)
	local -a frame=(-i nl0 -s "${addrs[0]}" -d "${addrs[1]}" -c "$N")

	nl0_ns ns "link set nl0 carrier off" || fail "setup" || return
	before=$(snapshot "$ns" "${addrs[@]}")
	out=$(ip netns exec "$ns" "$INJECT" -b "${frame[@]}" 2>&1) &&
		{ fail "bypass frames sent without carrier"; return 1; }
	[[ $out == *"$N of $N packets dropped"* ]] ||
		fail "bypass frames without carrier: $out" || return
	check_deltas "$ns" "${addrs[@]}" "$before" "tx_dropped=$N" || return

	for try in {1..5}; do
		before=$(snapshot "$ns" "${addrs[@]}")
		if ip netns exec "$ns" bash -c "$(declare -f carrier_window)
			carrier_window \"\$@\"" - "$INJECT" "${frame[@]}" 2>"$tmp/err"; then
			check_deltas "$ns" "${addrs[@]}" "$before" "tx_dropped=$N"
			return
		fi
		# inject waits for the kernel to free what it sent.
		! grep -q "still holds" "$tmp/err" || fail "dropped frames leaked: $(<"$tmp/err")" ||
			return
		echo "# linkwatch acted on carrier off before the frames went"
	done
	fail "linkwatch acted on carrier off before the frames went, 5 times"
}

require_cmd ip nstat dmesg sysctl "$INJECT"
require_netloop
# Martian lines go through net_ratelimit(): net.core.message_cost 0 lets
# every one through.  It is global: restored on exit.
sysctl_set net.core.message_cost=0
run_cases \
	"127/8 destination looped through nl0 is martian:test_martian_dst" \
	"127/8, 0.0.0.0, multicast and broadcast sources are martian, 0.1.2.3 is not:test_martian_src" \
	"route_localnet on nl0 or all lets 127/8 through nl0:test_route_localnet" \
	"local source back in on nl0: rp_filter x accept_local:test_rp_filter" \
	"IPv6 ::1 dropped on nl0, global addresses delivered:test_ipv6" \
	"carrier off: what nl0 is handed counts in tx_dropped:test_carrier_off"
