#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# netloop modes (IFLA_NETLOOP_MODE): reflect (0, the default) routes the
# looped packet again as input, loopback (1) keeps its output route as lo
# does.  The mode is set and read with raw netlink (the nlsend helper); it
# is fixed at creation: a change is refused with a message, and so are bad
# requests; a loopback-mode device carries a service address; what a route
# through the device does differs per mode; a loopback-mode device does not
# forward; loopback-mode devices leave lo's addresses and routes alone.

# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "$0")")/lib.sh"

NLSEND=$lib_dir/nlsend
REFLECT=0
LOOPBACK=1
ADDR=192.0.2.1
PINGS=3

# nl NS ARGS...: nlsend in NS.
nl()
{
	ip netns exec "$1" "$NLSEND" "${@:2}"
}

# mode_is NS DEV MODE: the kernel reports MODE for DEV.
mode_is()
{
	local got

	got=$(nl "$1" get "$2")
	[[ $got == "mode=$3" ]] || fail "$2 reports '$got', want mode=$3"
}

# refused NS MESSAGE ARGS...: nlsend ARGS is refused with MESSAGE.
refused()
{
	local err

	err=$(nl "$1" "${@:3}" 2>&1) && { fail "nlsend ${*:3} was accepted"; return 1; }
	[[ $err == *"$2"* ]] || fail "nlsend ${*:3}: '$err', want '$2'"
}

# setup_dev NS MODE: nl0 in MODE, IPv4 only (IPv6 would add its own packets
# to the counters), with ADDR on it, up.
setup_dev()
{
	nl "$1" add nl0 mode "$2" &&
	ns_sysctl "$1" net.ipv6.conf.nl0.disable_ipv6=1 &&
	ip -n "$1" addr add "$ADDR/32" dev nl0 &&
	ip -n "$1" link set nl0 up
}

test_default()
{
	local ns

	setup_ns ns || return
	ip -n "$ns" link add nl0 type netloop || fail "add nl0" || return
	mode_is "$ns" nl0 $REFLECT || return
	nl "$ns" add nl1 || fail "add nl1 with empty IFLA_INFO_DATA" || return
	mode_is "$ns" nl1 $REFLECT
}

# change_refused NS MODE: asking nl0, in MODE, for the other mode is
# refused with a message and leaves it in MODE; asking for MODE, which is
# not a change, is accepted.
change_refused()
{
	refused "$1" "mode cannot be changed after creation" set nl0 mode $((1 - $2)) ||
		return
	mode_is "$1" nl0 "$2" || return
	nl "$1" set nl0 mode "$2" || fail "mode $2 refused on a device in mode $2" ||
		return
	mode_is "$1" nl0 "$2"
}

# The mode is fixed at creation: a change is refused, down and up, and the
# device goes on looping in its mode (a 127/8 destination routed through
# it: a martian in reflect mode, discarded in loopback mode).
test_mode_fixed()
{
	local ns mode

	for mode in $REFLECT $LOOPBACK; do
		setup_ns ns && nl "$ns" add nl0 mode "$mode" ||
			fail "add nl0 in mode $mode" || return
		mode_is "$ns" nl0 "$mode" || return
		change_refused "$ns" "$mode" || return
		ns_sysctl "$ns" net.ipv6.conf.nl0.disable_ipv6=1 &&
			ip -n "$ns" addr add "$ADDR/32" dev nl0 &&
			ip -n "$ns" link set nl0 up &&
			loop_route "$ns" nl0 127.0.0.2 || fail "setup" || return
		change_refused "$ns" "$mode" || return
		martian_127 "$ns" "$mode" || return
		cleanup_all_ns
	done
}

test_bad_values()
{
	local ns

	setup_ns ns || return
	refused "$ns" "integer out of range" add nl0 mode 7 || return
	! ip -n "$ns" link show nl0 &>/dev/null || fail "mode 7 left nl0 behind" || return
	refused "$ns" "Unknown attribute type" add nl0 attr 2 1 || return
	refused "$ns" "Unknown attribute type" add nl0 attr 0 1 || return
	! ip -n "$ns" link show nl0 &>/dev/null || fail "attribute 2 left nl0 behind" || return

	nl "$ns" add nl0 || fail "add nl0" || return
	refused "$ns" "integer out of range" set nl0 mode 2 || return
	refused "$ns" "Unknown attribute type" set nl0 mode 1 attr 2 1 || return
	mode_is "$ns" nl0 $REFLECT
}

# tcp_to NS ADDR: a TCP transfer from NS to the xfer tcp-recv that
# test_service_address runs on ADDR, intact.
tcp_to()
{
	local tx rx

	tx=$(ip netns exec "$1" "$lib_dir/xfer" tcp-send "$2" 5001 $((1 << 20))) &&
		wait "$server" || fail "TCP from $1 to $2 failed" || return
	rx=$(<"$tmp/rx")
	[[ $(field fnv "$rx") == "$(field fnv "$tx")" ]] ||
		fail "TCP from $1 to $2: sent '$tx', received '$rx'"
}

# A /32 service address on a loopback-mode device (a router-id, an anycast
# address), as on lo: a TCP server bound to it serves a client in its own
# namespace and one in a neighbour's, across a veth.  Neither crosses the
# device: local traffic takes lo, the neighbour's arrives on the veth and
# is delivered there; the device only holds the address.
test_service_address()
{
	local ns nb n svc=10.255.0.1 before lo_rx veth_rx client server
	local -a snap

	# IPv4 only: no router solicitations or MLD reports on the counters.
	setup_ns ns nb && for n in "$ns" "$nb"; do
		ns_sysctl "$n" net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return
	done || fail "setup" || return
	nl "$ns" add lo1 mode $LOOPBACK && ip -n "$ns" -batch - <<-EOF &&
		addr add $svc/32 dev lo1
		link set lo1 up
		link add v0 type veth peer name v1 netns $nb
		addr add 203.0.113.1/24 dev v0
		link set v0 up
	EOF
	ip -n "$nb" -batch - <<-EOF || fail "setup" || return
		addr add 203.0.113.2/24 dev v1
		link set v1 up
		route add $svc/32 via 203.0.113.1
	EOF
	before=$(ip netns exec "$ns" cat /sys/class/net/lo1/statistics/{tx,rx}_packets)
	for client in "$ns" "$nb"; do
		lo_rx=$(dev_stat "$ns" lo rx_packets)
		veth_rx=$(dev_stat "$ns" v0 rx_packets)
		ip netns exec "$ns" "$lib_dir/xfer" tcp-recv "$svc" 5001 >"$tmp/rx" &
		server=$!
		wait_listen "$ns" tcp 5001 && tcp_to "$client" "$svc" || return
		snap=($(($(dev_stat "$ns" lo rx_packets) - lo_rx)) $(($(dev_stat "$ns" v0 rx_packets) - veth_rx)))
		if [[ $client == "$ns" ]]; then
			((snap[0] > 0 && snap[1] == 0))
		else
			((snap[0] == 0 && snap[1] > 0))
		fi || fail "client $client: lo, v0 rx_packets moved by ${snap[*]}" || return
	done
	[[ $(ip netns exec "$ns" cat /sys/class/net/lo1/statistics/{tx,rx}_packets) == "$before" ]] ||
		fail "traffic crossed lo1"
}

# ping_through NS DST: send PINGS echoes to DST; print how many were
# answered, how far nl0's rx_packets moved and how far in_martian_dst
# moved.
ping_through()
{
	local ns=$1 rx0 m0 got

	rx0=$(dev_stat "$ns" nl0 rx_packets)
	m0=$(rt_cache_stat in_martian_dst)
	got=$(ip netns exec "$ns" ping -c "$PINGS" -i 0.2 -W 1 "$2" |
		sed -n 's/.* \([0-9]*\) received.*/\1/p')
	echo "${got:-0} $(($(dev_stat "$ns" nl0 rx_packets) - rx0)) $(($(rt_cache_stat in_martian_dst) - m0))"
}

# martian_127 NS MODE: PINGS echoes to 127.0.0.2, routed out of nl0 in
# MODE: none answered, all received on nl0, and in_martian_dst moved by all
# of them in reflect mode, by none in loopback mode.
martian_127()
{
	local out want="0 $PINGS $PINGS"

	(($2 == LOOPBACK)) && want="0 $PINGS 0"
	out=$(ping_through "$1" 127.0.0.2)
	[[ $out == "$want" ]] ||
		fail "mode $2: answered, rx, in_martian_dst moved: '$out', want '$want'"
}

# A 127/8 destination routed out of the device: reflect mode routes it again
# as input, where it is a martian destination; loopback mode keeps the
# output route, whose input handler discards it as lo's would without any
# martian check.
test_martian_dst()
{
	local ns mode

	for mode in $REFLECT $LOOPBACK; do
		setup_ns ns && setup_dev "$ns" "$mode" &&
			loop_route "$ns" nl0 127.0.0.2 || fail "setup" || return
		martian_127 "$ns" "$mode" || return
		cleanup_all_ns
	done
}

# A local address routed out of the device: reflect mode delivers it after
# the input route lookup (each echo crosses twice); loopback mode keeps the
# output route, which is not a local one, and delivers nothing.
test_local_addr()
{
	local ns mode want out

	for mode in $REFLECT $LOOPBACK; do
		setup_ns ns && setup_dev "$ns" "$mode" &&
			loop_route "$ns" nl0 "$ADDR" || fail "setup" || return
		out=$(ping_through "$ns" "$ADDR")
		want="$PINGS $((2 * PINGS)) 0"
		((mode == LOOPBACK)) && want="0 $PINGS 0"
		[[ $out == "$want" ]] ||
			fail "mode $mode: answered, rx, in_martian_dst moved: '$out', want '$want'" ||
			return
		cleanup_all_ns
	done
}

# Per address family (4 or 6), for test_forwarded: on lo1, SVC; routed out
# of lo1, FWD_NET, with FWD_DST in it.
declare -A SVC=([4]=$ADDR [6]=2001:db8:ff::1)
declare -A FWD_NET=([4]=203.0.113.0/24 [6]=2001:db8:2::/64)
declare -A FWD_DST=([4]=203.0.113.1 [6]=2001:db8:2::1)
declare -A FORW_MIB=([4]=IpForwDatagrams [6]=Ip6OutForwDatagrams)
declare -A ICMP=([4]=Icmp [6]=Icmp6)
# What fwd_state prints, in order.
FWD_STATE="lo1:tx_packets,rx_packets,tx_dropped router:forwarded,time_exceeded_sent,unreachable_sent host:time_exceeded_received,unreachable_received"

# setup_router HOST RTR: a veth pair, v0 in HOST and v1 in RTR, RTR the
# default router of HOST, forwarding IPv4 and IPv6.  On RTR, lo1 in
# loopback mode carries SVC, and FWD_NET is routed out of it.  lo1 has no
# link-local address: nothing of its own goes out of it.
setup_router()
{
	ip -n "$1" link add v0 type veth peer name v1 netns "$2" &&
	ip -n "$1" -batch - <<-EOF &&
		link set v0 up
		addr add 198.51.100.2/24 dev v0
		addr add 2001:db8:1::2/64 dev v0 nodad
		route add default via 198.51.100.1
		route add ::/0 via 2001:db8:1::1
	EOF
	nl "$2" add lo1 mode $LOOPBACK &&
	ip -n "$2" -batch - <<-EOF &&
		link set v1 up
		addr add 198.51.100.1/24 dev v1
		addr add 2001:db8:1::1/64 dev v1 nodad
		link set lo1 addrgenmode none
		link set lo1 up
		addr add ${SVC[4]}/32 dev lo1
		addr add ${SVC[6]}/128 dev lo1 nodad
		route add ${FWD_NET[4]} dev lo1
		route add ${FWD_NET[6]} dev lo1
	EOF
	ns_sysctl "$2" net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

# fwd_state HOST RTR FAM: the counters FWD_STATE names, for FAM.
fwd_state()
{
	local icmp=${ICMP[$3]}

	echo "$(dev_stat "$2" lo1 tx_packets) $(dev_stat "$2" lo1 rx_packets)" \
	     "$(dev_stat "$2" lo1 tx_dropped)" \
	     "$(nstat_get "$2" "${FORW_MIB[$3]}" "${icmp}OutTimeExcds" "${icmp}OutDestUnreachs")" \
	     "$(nstat_get "$1" "${icmp}InTimeExcds" "${icmp}InDestUnreachs")"
}

# fwd_ping FROM DST ANSWERED WANT HOST RTR FAM: PINGS echoes from FROM to
# DST: ANSWERED of them answered, and fwd_state moved by WANT.
fwd_ping()
{
	local -a b a
	local i got moved=

	read -r -a b <<<"$(fwd_state "${@:5}")"
	got=$(ip netns exec "$1" ping -c "$PINGS" -i 0.2 -W 1 "$2" |
		sed -n 's/.* \([0-9]*\) received.*/\1/p')
	read -r -a a <<<"$(fwd_state "${@:5}")"
	for i in "${!a[@]}"; do
		moved+="$((a[i] - b[i])) "
	done
	[[ ${got:-0} == "$3" && ${moved% } == "$4" ]] ||
		fail "$1 to $2: $got answered, want $3; moved '${moved% }', want '$4' ($FWD_STATE)"
}

# A packet from another host, forwarded to a prefix routed out of a
# loopback-mode device.  With lo in lo1's place, IPv4 keeps the input route,
# whose handler forwards the looped packet out of the device again, round
# and round until the TTL runs out: 63 trips of a ping's TTL of 64, then
# time exceeded to the sender (6.12; IPv6 makes a route through lo a
# reject route).  So did a loopback-mode netloop, for both, before it
# dropped such a packet.  lo1 drops it the first time: forwarded once,
# counted in tx_dropped, not looped, no ICMP error.  Traffic to SVC, from the router
# and from the other host, goes through lo and is answered.  What the
# router itself sends to FWD_DST loops once; then IPv4's output route
# discards it, and IPv6's forwards it, out of lo1 again, where it is
# dropped.
test_forwarded()
{
	local host rtr fam none="0 0 0 0 0 0 0 0" local_fwd
	local -a at

	setup_ns host rtr && setup_router "$host" "$rtr" || fail "setup" || return
	for fam in 4 6; do
		at=("$host" "$rtr" "$fam")
		fwd_ping "$host" "${FWD_DST[$fam]}" 0 "0 0 $PINGS $PINGS 0 0 0 0" "${at[@]}" &&
		fwd_ping "$host" "${SVC[$fam]}" "$PINGS" "$none" "${at[@]}" &&
		fwd_ping "$rtr" "${SVC[$fam]}" "$PINGS" "$none" "${at[@]}" || return
		local_fwd="$PINGS $PINGS 0 0 0 0 0 0"
		((fam == 6)) && local_fwd="$PINGS $PINGS $PINGS $PINGS 0 0 0 0"
		fwd_ping "$rtr" "${FWD_DST[$fam]}" 0 "$local_fwd" "${at[@]}" || return
	done
}

# What tc mirrors to lo1 from another device's egress is not forwarded to
# it, though it carries a route and an skb_iif (mirred sets it): the route
# is that device's, not lo1's.  It loops like anything else the host sends,
# and is dropped on input, not addressed to lo1's MAC.
test_mirrored()
{
	local host rtr

	setup_ns host rtr && setup_router "$host" "$rtr" &&
		tc -n "$rtr" qdisc add dev v1 clsact &&
		tc -n "$rtr" filter add dev v1 egress protocol ip matchall \
			action mirred egress mirror dev lo1 || fail "setup" || return
	fwd_ping "$rtr" 198.51.100.2 "$PINGS" "$PINGS $PINGS 0 0 0 0 0 0" "$host" "$rtr" 4
}

# lo_state NS: lo's addresses and every route through lo.
lo_state()
{
	ip -n "$1" -br addr show dev lo
	ip -n "$1" route show table all dev lo
	ip -n "$1" -6 route show table all dev lo
}

# ping_lo NS DST: one echo to DST, answered, crosses lo twice (the request,
# then the reply) and none of lo1 and lo2 (whichever exist).
ping_lo()
{
	local -a b a

	read -r -a b <<<"$(lo_counts "$1")"
	ip netns exec "$1" ping -q -c 1 -W 2 "$2" >/dev/null || fail "$2 unreachable" || return
	read -r -a a <<<"$(lo_counts "$1")"
	((a[0] - b[0] == 2 && a[1] == b[1])) ||
		fail "ping $2: lo moved by $((a[0] - b[0])), lo1+lo2 by $((a[1] - b[1])); want 2 and 0"
}

# lo_counts NS: lo's rx_packets, and lo1's and lo2's tx and rx packets summed.
lo_counts()
{
	local dev sum=0

	for dev in lo1 lo2; do
		if ip -n "$1" link show "$dev" &>/dev/null; then
			sum=$((sum + $(dev_stat "$1" "$dev" tx_packets) + $(dev_stat "$1" "$dev" rx_packets)))
		fi
	done
	echo "$(dev_stat "$1" lo rx_packets) $sum"
}

# Loopback-mode devices get neither 127.0.0.1 nor ::1, and creating and
# deleting them leaves lo as it was.  lo goes on carrying the namespace's
# local traffic, their addresses' too: every ping crosses lo, none the
# devices.
test_coexist()
{
	local ns before after d

	setup_ns ns || return
	before=$(lo_state "$ns")
	[[ $before == *127.0.0.1/8* && $before == *::1/128* ]] ||
		fail "lo lacks its addresses: $before" || return
	for d in lo1 lo2; do
		# No link-local address: no router solicitations on the
		# counters.  (Set first: a request that does both sets the
		# flags first.)
		nl "$ns" add "$d" mode $LOOPBACK &&
			ip -n "$ns" link set "$d" addrgenmode none &&
			ip -n "$ns" link set "$d" up || fail "add $d" || return
	done
	ip -n "$ns" addr add 10.255.0.1/32 dev lo1 && ip -n "$ns" addr add 10.255.0.2/32 dev lo2 ||
		fail "addresses" || return
	[[ -z $(ip -n "$ns" addr show dev lo1 to 127.0.0.0/8)$(ip -n "$ns" -6 addr show dev lo1 to ::1/128) ]] ||
		fail "lo1 got a loopback address" || return
	ping_lo "$ns" 10.255.0.1 || return
	ip -n "$ns" link del lo1 || fail "del lo1" || return
	after=$(lo_state "$ns")
	[[ $after == "$before" ]] || fail "lo changed: before '$before', after '$after'" || return
	for d in 127.0.0.1 ::1 10.255.0.2; do
		ping_lo "$ns" "$d" || return
	done
	ip -n "$ns" link del lo2 || fail "del lo2" || return
	[[ $(lo_state "$ns") == "$before" ]] || fail "lo changed after deleting lo2"
}

require_cmd ip ping nstat tc modprobe
require_netloop
[[ -x $NLSEND && -x $lib_dir/xfer ]] || skip_all "nlsend or xfer helper not built"
run_cases \
	"default mode is reflect and is reported:test_default" \
	"mode fixed at creation: change refused down and up, device keeps its mode:test_mode_fixed" \
	"mode 7 and unknown attributes refused with a message:test_bad_values" \
	"/32 service address on a loopback-mode device serves the namespace and a neighbour, by lo and the veth:test_service_address" \
	"127/8 through the device: martian in reflect, discarded in loopback:test_martian_dst" \
	"local address through the device: delivered in reflect only:test_local_addr" \
	"forwarded to a loopback-mode device: dropped once, no ICMP error:test_forwarded" \
	"mirrored to a loopback-mode device by tc: loops, not dropped as forwarded:test_mirrored" \
	"two loopback-mode devices and lo coexist, lo carries the local traffic, deleting one leaves lo intact:test_coexist"
