#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# netloop modes (IFLA_NETLOOP_MODE): reflect (0, the default) routes the
# looped packet again as input, loopback (1) keeps its output route as lo
# does.  The mode is set and read with raw netlink (the nlsend helper); it
# is fixed at creation: a change is refused with a message, and so are bad
# requests; a loopback-mode device carries a service address; what a route
# through the device does differs per mode; loopback-mode devices leave
# lo's addresses and routes alone.

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

require_cmd ip ping modprobe
require_netloop
[[ -x $NLSEND && -x $lib_dir/xfer ]] || skip_all "nlsend or xfer helper not built"
run_cases \
	"default mode is reflect and is reported:test_default" \
	"mode fixed at creation: change refused down and up, device keeps its mode:test_mode_fixed" \
	"mode 7 and unknown attributes refused with a message:test_bad_values" \
	"/32 service address on a loopback-mode device serves the namespace and a neighbour, by lo and the veth:test_service_address" \
	"127/8 through the device: martian in reflect, discarded in loopback:test_martian_dst" \
	"local address through the device: delivered in reflect only:test_local_addr" \
	"two loopback-mode devices and lo coexist, lo carries the local traffic, deleting one leaves lo intact:test_coexist"
